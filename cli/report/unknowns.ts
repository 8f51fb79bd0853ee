/**
 * Values a check needs but cannot see yet. In a preview a value computed by the cloud (an ARN, a key
 * id) is not known until the update; offline, a value the model cannot compute is not known at all.
 * The pack says so per policy and per value (policypack/src/framework/findings.ts unknownNote), as an
 * advisory, so one resource whose policy document embeds an unknown ARN yields a note from every
 * policy that reads the document. None of them is a finding: each says what will be verified later.
 *
 * Reports condense them: one note per resource, naming the values and the policies that will verify
 * them, among the notes on what the check could not see, not among the findings. This only changes
 * how `sealed-infra check` reports; the pack is unchanged, and under the Pulumi CLI a value still
 * unknown at update is a mandatory violation (fail closed).
 */
import type { AnalyzerDiagnostic } from "../model";
import { displayType, formatSource, isValidUrn, specificMessage, urnName, urnType } from "./common";

type Wording = "preview" | "offline";

/** The two wordings of unknownNote, after the resource label (keep in step with the pack). */
const PREVIEW = /^(.+?) is not known until the update, so it will be verified at update that /;
const OFFLINE = /^(.+?) is not known offline \(it comes from the cloud or from a value the offline check cannot compute\), so it could not be verified that /;

/** The unknown value an advisory is about, or undefined when it is a finding. */
export function unknownValueOf(d: AnalyzerDiagnostic): { path: string; wording: Wording } | undefined {
    if (d.enforcementLevel !== "advisory" || !isValidUrn(d.urn)) {
        return undefined;
    }
    const label = `${displayType(urnType(d.urn))} "${urnName(d.urn)}": `;
    const message = specificMessage(d);
    if (!message.startsWith(label) || message.includes("\n")) {
        return undefined;
    }
    const rest = message.slice(label.length);
    const preview = PREVIEW.exec(rest);
    if (preview) {
        return { path: preview[1], wording: "preview" };
    }
    const offline = OFFLINE.exec(rest);
    return offline ? { path: offline[1], wording: "offline" } : undefined;
}

function list(items: readonly string[]): string {
    return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

interface Pending {
    d: AnalyzerDiagnostic;
    paths: string[];
    policies: string[];
    wordings: Set<Wording>;
}

function noteOf(p: Pending): string {
    const where = p.d.source ? ` (${formatSource(p.d.source)})` : "";
    const label = `${displayType(urnType(p.d.urn))} "${urnName(p.d.urn)}"${where}`;
    const values = list(p.paths);
    const verb = p.paths.length === 1 ? "is" : "are";
    const policies = `${list(p.policies)} ${p.policies.length === 1 ? "checks" : "check"}`;
    return p.wordings.has("offline")
        ? `${label}: ${values} ${verb} not known offline (set by the cloud, or not computable offline); ${policies} ${p.paths.length === 1 ? "it" : "them"} in pulumi preview with the pack, at update at the latest.`
        : `${label}: ${values} ${verb} not known until the update; ${policies} ${p.paths.length === 1 ? "it" : "them"} at update.`;
}

/** The findings without the unknown-value advisories, and those advisories as one note per resource. */
export function condenseUnknowns(diagnostics: readonly AnalyzerDiagnostic[]): { findings: AnalyzerDiagnostic[]; notes: string[] } {
    const findings: AnalyzerDiagnostic[] = [];
    const byUrn = new Map<string, Pending>();
    for (const d of diagnostics) {
        const unknown = unknownValueOf(d);
        if (!unknown) {
            findings.push(d);
            continue;
        }
        const pending = byUrn.get(d.urn) ?? { d, paths: [], policies: [], wordings: new Set<Wording>() };
        byUrn.set(d.urn, pending);
        if (!pending.paths.includes(unknown.path)) {
            pending.paths.push(unknown.path);
        }
        if (!pending.policies.includes(d.policyName)) {
            pending.policies.push(d.policyName);
        }
        pending.wordings.add(unknown.wording);
    }
    return { findings, notes: [...byUrn.values()].map(noteOf) };
}
