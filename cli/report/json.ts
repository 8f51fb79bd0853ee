/**
 * JSON report, exactly the shape docs/design.md ("Report contract") fixes:
 *
 *   {"policyPacks":[{"name","version"}],"resources":N,
 *    "violations":[{"policyName","enforcementLevel","severity","urn","resourceType","resourceName","message"}],
 *    "notes":[{"message"}],"summary":{"mandatory":N,"advisory":N,"notes":N}}
 *
 * Violations are in the CLI's order (enforcement, severity, policy, URN). `resourceType` is the
 * full type token from the URN and `resourceName` the URN's name; both are "" (like `urn`) for a
 * stack-level finding. `message` is the violation's own message, without the policy description
 * that @pulumi/policy puts in front of it. Remediate-level violations are reported as mandatory,
 * as the engine does. A finding waived by a sealed-infra waiver is advisory and carries an extra
 * `waiver` object ({expires, approvedBy, ticket?, reason}) so dashboards can show it apart. A finding
 * whose resource's declaration is known carries `source` ({file, line, column?}: the file relative to
 * the working directory with forward slashes, 1-based line and column) where the program declared it.
 * `notes` lists what the check could not see (components it could not render offline, data sources
 * it could not read): a report with notes is not a clean bill of health for those parts.
 */
import type { PackReport, SourceLocation } from "../model";
import { countViolations, isMandatory, sortDiagnostics, specificMessage, urnName, urnType, WaiverNote, waiverOf } from "./common";

export interface JsonViolation {
    policyName: string;
    enforcementLevel: string;
    severity: string;
    urn: string;
    resourceType: string;
    resourceName: string;
    message: string;
    /** Present only on findings a waiver turned into advisories. */
    waiver?: WaiverNote;
    /** Where the program declared the resource, when known. */
    source?: SourceLocation;
}

export interface JsonReport {
    policyPacks: { name: string; version: string }[];
    resources: number;
    violations: JsonViolation[];
    /** What the check could not see: parts of the stack not checked offline, one message each. */
    notes: { message: string }[];
    summary: { mandatory: number; advisory: number; notes: number };
}

export function toJsonReport(report: PackReport, notes: readonly string[] = []): JsonReport {
    return {
        policyPacks: [{ name: report.pack.name, version: report.pack.version }],
        resources: report.resources,
        violations: sortDiagnostics(report.diagnostics)
            .filter((d) => d.enforcementLevel !== "disabled")
            .map((d) => {
                const waiver = waiverOf(d);
                return {
                    policyName: d.policyName,
                    enforcementLevel: isMandatory(d) ? "mandatory" : d.enforcementLevel,
                    severity: d.severity,
                    urn: d.urn,
                    resourceType: urnType(d.urn),
                    resourceName: urnName(d.urn),
                    message: specificMessage(d),
                    ...(waiver ? { waiver } : {}),
                    ...(d.source ? { source: { ...d.source } } : {}),
                };
            }),
        notes: notes.map((message) => ({ message })),
        summary: { ...countViolations(report), notes: notes.length },
    };
}

export function renderJson(report: PackReport, notes: readonly string[] = []): string {
    return JSON.stringify(toJsonReport(report, notes), null, 2) + "\n";
}
