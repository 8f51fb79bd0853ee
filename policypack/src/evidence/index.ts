/**
 * Evidence for auditors, as plain data: the duty graph (engine/duties/evidence.ts) and every
 * release approval the stack carries with its verification result. Loaded from the compiled pack by
 * `sealed-infra graph` and `sealed-infra report` (cli/evidence/pack-lib.ts), so the evidence comes from
 * the very analyses the policies run, never from a second implementation.
 */
import { StackModel, StackResource } from "../sdk/stack-model";
import { keyRing, maxApprovalDaysOf, ApproverKeyConfig } from "../engine/release/approval";
import { GUARANTEE_TITLES } from "../framework/definition";
import { isExpired, parseWaivers, WaiverConfig, waiverSelectors } from "../framework/waivers";
import { judgeApprovals, releaseNow, stackIdentity } from "../engine/release/stack-approvals";

export { dutyGraphEvidence, evidenceOf } from "../engine/duties/evidence";
export type { DutyGraphEvidence, EvidenceConflict, EvidenceEdge, EvidenceHolding, EvidenceNode, EvidencePath, EvidenceOptions } from "../engine/duties/evidence";
export { dutyConfigOptions } from "../engine/duties/duties";
export type { DutyConfig } from "../engine/duties/duties";
export type { StackResource } from "../sdk/stack-model";

/** A stack model from resources as the pack sees them in AnalyzeStack (outputs, secrets unwrapped). */
export function stackModel(resources: readonly StackResource[]): StackModel {
    return StackModel.fromRecords(resources);
}

export interface ApprovalEvidence {
    /** The ApprovedRelease resource. */
    name: string;
    urn: string;
    /** `valid`: it counts for this stack; `invalid`: it does not; `unknown`: not known until the update; `unreadable`. */
    result: "valid" | "invalid" | "unknown" | "unreadable";
    /** Why it does not count, or what could not be read. */
    failures: string[];
    approver?: string;
    ticket?: string;
    reason?: string;
    issued?: string;
    expires?: string;
    project?: string;
    stack?: string;
    keyId?: string;
    /** Digests it approves. */
    digests: string[];
}

export interface ApprovalConfig {
    approverKeys?: ApproverKeyConfig[];
    deployerIdentities?: string[];
    maxApprovalDays?: number;
}

/** Every ApprovedRelease of the stack, judged as release-approved judges it (same keys, same clock). */
export function approvalEvidence(stack: StackModel, config: ApprovalConfig): ApprovalEvidence[] {
    const identity = stackIdentity(stack);
    const ring = keyRing(config.approverKeys ?? []);
    const judged = judgeApprovals(stack, {
        project: identity?.project ?? "",
        stack: identity?.stack ?? "",
        now: releaseNow(),
        ring,
        deployerIdentities: config.deployerIdentities ?? [],
        maxApprovalDays: maxApprovalDaysOf(config.maxApprovalDays),
    });
    return judged.map((j): ApprovalEvidence => {
        const c = j.carried;
        const base = { name: c.resource.name, urn: c.resource.urn };
        if (c.state === "unknown") {
            return { ...base, result: "unknown", failures: [`${c.path} is not known until the update`], digests: [] };
        }
        if (c.state === "unreadable") {
            return { ...base, result: "unreadable", failures: [`${c.path} ${c.reason}`], digests: [] };
        }
        const v = j.verdict!;
        const manifest = v.manifest;
        const details = {
            ...(manifest ? { approver: manifest.approver, issued: manifest.issued, expires: manifest.expires, project: manifest.project, stack: manifest.stack } : {}),
            ...(manifest?.ticket ? { ticket: manifest.ticket } : {}),
            ...(manifest?.reason ? { reason: manifest.reason } : {}),
            ...(v.key ? { keyId: v.key.id } : c.approval.keyId ? { keyId: c.approval.keyId } : {}),
            digests: manifest ? manifest.artifacts.map((a) => a.digest) : [],
        };
        return v.valid ? { ...base, result: "valid", failures: [], ...details } : { ...base, result: "invalid", failures: v.failures.map((f) => f.text), ...details };
    });
}

/** The guarantee of each policy of the catalogue, in catalogue order (report sections). */
export function policyGuarantees(): { policy: string; guarantee: string; guaranteeTitle: string; displayName: string }[] {
    // Loaded on demand: the catalogue pulls in every policy.
    const { catalogue } = require("../catalogue") as typeof import("../catalogue");
    return catalogue.map((p) => ({ policy: p.name, guarantee: p.guarantee, guaranteeTitle: GUARANTEE_TITLES[p.guarantee], displayName: p.displayName }));
}

export interface WaiverEntryEvidence {
    index: number;
    policy: string;
    /** What it selects: `name "legacy-logs"`, `type "aws:s3/bucket:Bucket", tag team=ops`, ... */
    selects: string;
    reason: string;
    approvedBy: string;
    ticket?: string;
    expires: string;
    /** `in force` through the end of its expiry day (UTC); `invalid` entries never apply (the waivers policy reports why). */
    state: "in force" | "expired" | "invalid";
    /** Why an invalid entry cannot be used. */
    problem?: string;
}

/** The waivers of the `waivers` policy's config, validated as the pack validates them (same clock). */
export function waiverEvidence(config: unknown, policyNames: readonly string[]): WaiverEntryEvidence[] {
    return parseWaivers(config as Partial<WaiverConfig> | undefined, policyNames).map((w) => {
        const selector = waiverSelectors(w);
        return {
            index: w.index,
            policy: String(w.policy ?? ""),
            selects: selector.join(", ") || "no resource",
            reason: String(w.reason ?? ""),
            approvedBy: String(w.approvedBy ?? ""),
            ...(w.ticket !== undefined ? { ticket: String(w.ticket) } : {}),
            expires: String(w.expires ?? ""),
            state: w.invalid !== undefined ? "invalid" : isExpired(w) ? "expired" : "in force",
            ...(w.invalid !== undefined ? { problem: w.invalid } : {}),
        };
    });
}
