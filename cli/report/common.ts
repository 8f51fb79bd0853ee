/**
 * Shared by the reporters: ordering, display names and counting, as the Pulumi CLI does them
 * (pulumi/pulumi pkg/backend/display/progress.go printPolicies, diff.go
 * renderDiffPolicyViolationEvent/policyResourceClause, sdk/go/common/tokens Type.DisplayName).
 */
import { createHash } from "crypto";
import type { AnalyzerDiagnostic, EnforcementLevel, PackReport, Severity, SourceLocation } from "../model";
export { displayType, isValidUrn, urnName, urnType } from "../urn";

/** progress.go enforcementRank: remediate, mandatory, advisory, disabled, then anything else. */
export function enforcementRank(level: EnforcementLevel | string): number {
    switch (level) {
        case "remediate":
            return 0;
        case "mandatory":
            return 1;
        case "advisory":
            return 2;
        case "disabled":
            return 3;
        default:
            return 99;
    }
}

/** progress.go severityRank: critical first, unspecified after low. */
export function severityRank(severity: Severity | string): number {
    switch (severity) {
        case "critical":
            return 0;
        case "high":
            return 1;
        case "medium":
            return 2;
        case "low":
            return 3;
        case "":
            return 4;
        default:
            return 99;
    }
}

function compareStrings(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted as the CLI sorts a pack's violations: enforcement, severity, policy name, URN (stable). */
export function sortDiagnostics(diagnostics: readonly AnalyzerDiagnostic[]): AnalyzerDiagnostic[] {
    return diagnostics
        .map((d, i) => ({ d, i }))
        .sort(
            (x, y) =>
                enforcementRank(x.d.enforcementLevel) - enforcementRank(y.d.enforcementLevel) ||
                severityRank(x.d.severity) - severityRank(y.d.severity) ||
                compareStrings(x.d.policyName, y.d.policyName) ||
                compareStrings(x.d.urn, y.d.urn) ||
                x.i - y.i,
        )
        .map((x) => x.d);
}

/** Remediate-level violations count as mandatory (the engine reports them so). */
export function isMandatory(d: AnalyzerDiagnostic): boolean {
    return d.enforcementLevel === "mandatory" || d.enforcementLevel === "remediate";
}

export function countViolations(report: PackReport): { mandatory: number; advisory: number } {
    let mandatory = 0;
    let advisory = 0;
    for (const d of report.diagnostics) {
        if (isMandatory(d)) {
            mandatory++;
        } else if (d.enforcementLevel === "advisory") {
            advisory++;
        }
    }
    return { mandatory, advisory };
}

/**
 * The violation's own message. @pulumi/policy sends `description + "\n" + message` (server.js
 * makeReportViolationFun); the CLI prints it whole, the JSON and SARIF reports keep the part
 * that is specific to the resource (the description is the rule's).
 */
export function specificMessage(d: AnalyzerDiagnostic): string {
    const message = d.message.replace(/\n+$/, "");
    if (d.description && message.startsWith(d.description + "\n")) {
        return message.slice(d.description.length + 1);
    }
    return message;
}

/** A waiver that turned a finding into an advisory (policypack/src/framework/waivers.ts waivedLine). */
export interface WaiverNote {
    expires: string;
    approvedBy: string;
    ticket?: string;
    reason: string;
}

const WAIVED_LINE = /\nWaived until (\d{4}-\d{2}-\d{2}) by (.+?)(?: \(([^()]+)\))?: (.+)$/;

/** The waiver a diagnostic carries, if it was waived (its message ends with the waiver line). */
export function waiverOf(d: AnalyzerDiagnostic): WaiverNote | undefined {
    if (d.enforcementLevel !== "advisory") {
        return undefined;
    }
    const m = WAIVED_LINE.exec(d.message.replace(/\n+$/, ""));
    if (!m) {
        return undefined;
    }
    return { expires: m[1], approvedBy: m[2], ...(m[3] ? { ticket: m[3] } : {}), reason: m[4] };
}

/**
 * What a finding is about, without what changes from run to run: the violation's own message minus
 * the waiver (or expired-waiver) line, with dates, durations in days, digests and hex suffixes
 * (auto-name suffixes differ between previews) replaced by `#`. Two findings of one policy on one
 * resource differ by the property or path they name, which stays.
 */
export function findingKind(d: AnalyzerDiagnostic): string {
    return specificMessage(d)
        .split("\n")
        .filter((line) => !/^(Waived until \d{4}-\d{2}-\d{2} by |The waiver for this finding expired on )/.test(line))
        .join("\n")
        .replace(/\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?/g, "#")
        .replace(/\bsha(256|384|512):[0-9a-fA-F]+/g, "sha$1:#")
        .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{7,}\b/g, "#")
        .replace(/\b\d+ days?\b/g, "# days");
}

/**
 * Stable identities for findings, in the order given: a SHA-256 of policy, URN and finding kind. A
 * kind that repeats on one resource (the same message up to volatile values) gets `:2`, `:3`, ... so
 * every finding keeps a distinct identity.
 */
export function fingerprints(diagnostics: readonly AnalyzerDiagnostic[]): string[] {
    const seen = new Map<string, number>();
    return diagnostics.map((d) => {
        const base = createHash("sha256").update(`${d.policyName}\u0000${d.urn}\u0000${findingKind(d)}`).digest("hex");
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        return n === 1 ? base : `${base}:${n}`;
    });
}

/** `file:line` (with `:column` when known), as compilers print positions. */
export function formatSource(source: SourceLocation): string {
    return `${source.file}:${source.line}${source.column !== undefined ? `:${source.column}` : ""}`;
}
