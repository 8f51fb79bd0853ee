/**
 * The content of an evidence report, as plain data, from a finished check (./../check-run.ts):
 * the findings in the JSON report contract (cli/report/json.ts), grouped by guarantee and by
 * resource; the waivers of the pack config with the findings they waived; the release approvals
 * with their verification result and the duty graph (both from the pack's own engines,
 * ./pack-lib.ts); the notes (what the check could not see); and the identity of what was checked:
 * stack, pack version, a SHA-256 of the effective pack config, the time it was produced.
 */
import { createHash } from "crypto";
import type { PackReport } from "../model";
import type { CheckRun } from "../check-run";
import { JsonReport, JsonViolation, toJsonReport } from "../report/json";
import { evidenceLib, EvidenceLib } from "./pack-lib";
import { stackResources } from "./stack";

export type Status = "passed" | "violated" | "waived" | "advisory" | "disabled";

export interface PolicyStatus {
    policy: string;
    displayName: string;
    enforcementLevel: string;
    severity: string;
    status: Status;
    findings: JsonViolation[];
}

export interface GuaranteeStatus {
    guarantee: string;
    title: string;
    status: Status;
    policies: PolicyStatus[];
}

/** One resource and its status under each guarantee. */
export interface ResourceStatus {
    urn: string;
    type: string;
    name: string;
    /** Guarantee -> status; `passed` means no policy of that guarantee reported on the resource. */
    statuses: Record<string, Status>;
}

/** A waiver of the pack config, validated as the pack validates it, and what it did in this check. */
export interface WaiverEvidence extends EvidenceLib.WaiverEntryEvidence {
    /** Findings it turned into advisories in this check. */
    applied: number;
}

export interface EvidenceReport {
    produced: string;
    tool: { name: string; version: string };
    stack: { organization: string; project: string; stack: string; source: string; preview: boolean };
    pack: { name: string; version: string; source: string; configSha256: string };
    verdict: "passed" | "blocked";
    findings: JsonReport;
    guarantees: GuaranteeStatus[];
    resources: ResourceStatus[];
    waivers: WaiverEvidence[];
    approvals: EvidenceLib.ApprovalEvidence[];
    graph: EvidenceLib.DutyGraphEvidence;
    /** What the check could not verify. */
    notes: string[];
}

/** JSON with object keys sorted, so equal configs give equal digests. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(canonicalJson).join(",")}]`;
    }
    if (value !== null && typeof value === "object") {
        const o = value as Record<string, unknown>;
        return `{${Object.keys(o)
            .sort()
            .filter((k) => o[k] !== undefined)
            .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(value) ?? "null";
}

/** SHA-256 of the config the pack was configured with (every policy's level and options, defaults applied). */
export function configDigest(report: PackReport): string {
    return createHash("sha256").update(canonicalJson(report.appliedConfig)).digest("hex");
}

const RANK: Record<Status, number> = { violated: 4, advisory: 3, waived: 2, passed: 1, disabled: 0 };

function worst(statuses: Status[], empty: Status = "passed"): Status {
    return statuses.reduce<Status>((w, s) => (RANK[s] > RANK[w] ? s : w), statuses.length > 0 ? statuses[0] : empty);
}

function findingStatus(v: JsonViolation): Status {
    return v.enforcementLevel === "mandatory" ? "violated" : v.waiver ? "waived" : "advisory";
}

/** The duty config no-duty-escalation ran with (duties-separated's when it is disabled), defaults applied. */
export function dutyConfigOf(report: PackReport, lib: typeof EvidenceLib = evidenceLib()): EvidenceLib.DutyConfig {
    const defaults = Object.fromEntries(Object.entries(lib.dutyConfigOptions).map(([k, o]) => [k, (o as { default: unknown }).default]));
    const applied = report.appliedConfig["no-duty-escalation"] ?? report.appliedConfig["duties-separated"];
    return { ...defaults, ...(applied?.properties ?? {}) } as unknown as EvidenceLib.DutyConfig;
}

/** The duty graph of a finished check. */
export function graphOf(run: Pick<CheckRun, "report" | "snapshot">, options: EvidenceLib.EvidenceOptions = {}): EvidenceLib.DutyGraphEvidence {
    const lib = evidenceLib();
    const model = lib.stackModel(stackResources(run.snapshot.resources));
    return lib.dutyGraphEvidence(model, dutyConfigOf(run.report, lib), options);
}

function waiversOf(report: PackReport, findings: JsonViolation[], lib: typeof EvidenceLib): WaiverEvidence[] {
    const config = report.appliedConfig["waivers"]?.properties;
    if (!config) {
        return [];
    }
    return lib.waiverEvidence(config, report.pack.policies.map((p) => p.name)).map((w) => ({
        ...w,
        applied: findings.filter(
            (f) => f.policyName === w.policy && f.waiver && f.waiver.expires === w.expires && f.waiver.approvedBy === w.approvedBy && f.waiver.reason === w.reason,
        ).length,
    }));
}

export interface CollectOptions {
    /** The time the report is produced (default now). */
    now?: Date;
    tool?: { name: string; version: string };
    /** How the stack was given, for the report: `program examples/x` or `stack export file.json`. */
    source: string;
}

export function collectEvidence(run: CheckRun, options: CollectOptions): EvidenceReport {
    const lib = evidenceLib();
    const { report, notes, snapshot } = run;
    const now = options.now ?? new Date();
    const findings = toJsonReport(report, notes);
    const model = lib.stackModel(stackResources(snapshot.resources));
    const graph = lib.dutyGraphEvidence(model, dutyConfigOf(report, lib));
    const approvalConfig = report.appliedConfig["release-approved"]?.properties ?? {};
    const approvals = lib.approvalEvidence(model, approvalConfig as EvidenceLib.ApprovalConfig);

    // Guarantees and their policies, in catalogue order; policies the catalogue does not know last.
    const catalogue = lib.policyGuarantees();
    const guaranteeOf = new Map(catalogue.map((c) => [c.policy, c]));
    const byPolicy = new Map<string, JsonViolation[]>();
    for (const v of findings.violations) {
        byPolicy.set(v.policyName, [...(byPolicy.get(v.policyName) ?? []), v]);
    }
    const guarantees: GuaranteeStatus[] = [];
    const guaranteeIndex = new Map<string, GuaranteeStatus>();
    const policies = [...report.pack.policies].sort((a, b) => {
        const ia = catalogue.findIndex((c) => c.policy === a.name);
        const ib = catalogue.findIndex((c) => c.policy === b.name);
        return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib) || a.name.localeCompare(b.name);
    });
    for (const p of policies) {
        const c = guaranteeOf.get(p.name);
        const key = c?.guarantee ?? "other";
        let g = guaranteeIndex.get(key);
        if (!g) {
            g = { guarantee: key, title: c?.guaranteeTitle ?? "Other policies", status: "passed", policies: [] };
            guaranteeIndex.set(key, g);
            guarantees.push(g);
        }
        const level = report.appliedConfig[p.name]?.enforcementLevel ?? p.enforcementLevel;
        const list = byPolicy.get(p.name) ?? [];
        g.policies.push({
            policy: p.name,
            displayName: p.displayName || c?.displayName || p.name,
            enforcementLevel: level,
            severity: p.severity,
            status: level === "disabled" ? "disabled" : worst(list.map(findingStatus)),
            findings: list,
        });
    }
    for (const g of guarantees) {
        g.status = worst(g.policies.map((p) => p.status).filter((s) => s !== "disabled"), g.policies.every((p) => p.status === "disabled") ? "disabled" : "passed");
    }

    // Every resource (custom resources and components; not providers or the root stack) under each guarantee.
    const resources: ResourceStatus[] = [];
    const byUrn = new Map<string, JsonViolation[]>();
    for (const v of findings.violations) {
        if (v.urn) {
            byUrn.set(v.urn, [...(byUrn.get(v.urn) ?? []), v]);
        }
    }
    for (const r of snapshot.resources) {
        if (r.type.startsWith("pulumi:providers:") || r.type === "pulumi:pulumi:Stack") {
            continue;
        }
        const statuses: Record<string, Status> = {};
        const mine = byUrn.get(r.urn) ?? [];
        for (const g of guarantees) {
            const inG = mine.filter((v) => (guaranteeOf.get(v.policyName)?.guarantee ?? "other") === g.guarantee);
            statuses[g.guarantee] = worst(inG.map(findingStatus));
        }
        resources.push({ urn: r.urn, type: r.type, name: r.name, statuses });
    }

    const pkgTool = options.tool ?? { name: "sealed-infra", version: "0.0.0" };
    return {
        produced: now.toISOString(),
        tool: pkgTool,
        stack: {
            organization: snapshot.organization,
            project: snapshot.project,
            stack: snapshot.stack,
            source: options.source,
            preview: snapshot.dryRun,
        },
        pack: { name: report.pack.name, version: report.pack.version, source: report.packSource, configSha256: configDigest(report) },
        verdict: findings.summary.mandatory > 0 ? "blocked" : "passed",
        findings,
        guarantees,
        resources,
        waivers: waiversOf(report, findings.violations, lib),
        approvals,
        graph,
        notes,
    };
}
