/**
 * JSON report, exactly the shape DESIGN.md ("Offline check") fixes:
 *
 *   {"policyPacks":[{"name","version"}],"resources":N,
 *    "violations":[{"policyName","enforcementLevel","severity","urn","resourceType","resourceName","message"}],
 *    "summary":{"mandatory":N,"advisory":N}}
 *
 * Violations are in the CLI's order (enforcement, severity, policy, URN). `resourceType` is the
 * full type token from the URN and `resourceName` the URN's name; both are "" (like `urn`) for a
 * stack-level finding. `message` is the violation's own message, without the policy description
 * that @pulumi/policy puts in front of it. Remediate-level violations are reported as mandatory,
 * as the engine does. A finding waived by a sealed-infra waiver is advisory and carries an extra
 * `waiver` object ({expires, approvedBy, ticket?, reason}) so dashboards can show it apart.
 */
import type { PackReport } from "../model";
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
}

export interface JsonReport {
    policyPacks: { name: string; version: string }[];
    resources: number;
    violations: JsonViolation[];
    summary: { mandatory: number; advisory: number };
}

export function toJsonReport(report: PackReport): JsonReport {
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
                };
            }),
        summary: countViolations(report),
    };
}

export function renderJson(report: PackReport): string {
    return JSON.stringify(toJsonReport(report), null, 2) + "\n";
}
