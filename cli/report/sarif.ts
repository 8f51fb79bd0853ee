/**
 * SARIF 2.1.0 report (OASIS Static Analysis Results Interchange Format) for code-scanning
 * dashboards. One run; the tool driver is the policy pack, its rules are the pack's policies
 * (id = policy name, shortDescription = description, help = remediation steps, helpUri = the
 * policy's documentation page, severity in properties, default level from the configured
 * enforcement level); each violation is a result with the rule, level `error` (mandatory/remediate)
 * or `warning` (advisory), the violation's message, a physical location and, for resource findings,
 * a logical location whose fullyQualifiedName is the URN.
 *
 * The physical location is where the program declared the resource (artifact relative to the
 * working directory, forward slashes, with a region: startLine and startColumn); a finding without a
 * known declaration (stack-level findings, resources the engine registers) points at the program's
 * Pulumi.yaml or the stack export, without a region, because code-scanning services (GitHub) reject
 * results without a physical location. `partialFingerprints["sealedInfraFinding/v1"]` identifies a
 * finding across runs: a hash of policy, URN and finding kind (./common.ts findingKind), never of
 * positions or volatile values, so a finding keeps its identity when code moves.
 *
 * `security-severity` is the numeric score GitHub code scanning uses to rank alerts. A finding
 * waived by a sealed-infra waiver keeps its result but carries an accepted external suppression
 * with the waiver's reason, approver, ticket and expiry, so dashboards show it as suppressed.
 * What the check could not see (components it could not render offline, data sources it could not
 * read) is reported as tool execution notifications.
 */
import type { AnalyzerDiagnostic, EnforcementLevel, PackReport, PolicyInfoRecord } from "../model";
import { fingerprints, isMandatory, sortDiagnostics, specificMessage, urnName, urnType, waiverOf } from "./common";
import type { DocLinks } from "./links";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

const SECURITY_SEVERITY: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

type Level = "error" | "warning" | "note" | "none";

function levelOf(level: EnforcementLevel | string): Level {
    switch (level) {
        case "mandatory":
        case "remediate":
            return "error";
        case "advisory":
            return "warning";
        default:
            return "none";
    }
}

/** The key of the stable identity in partialFingerprints (versioned: a new scheme gets a new key). */
const FINGERPRINT_KEY = "sealedInfraFinding/v1";

export interface SarifOptions {
    /** Documentation links (tool.driver.informationUri, each rule's helpUri); omitted when undefined. */
    links?: DocLinks;
    /**
     * The file a finding without a known declaration belongs to (the program's Pulumi.yaml, or the
     * stack export), relative to the repository root with forward slashes.
     */
    artifactUri?: string;
    /** What the check could not see (parts of the stack not checked offline): tool notifications. */
    notes?: readonly string[];
}

function rule(p: PolicyInfoRecord, enforcementLevel: EnforcementLevel, links: DocLinks | undefined) {
    const severity = p.severity || undefined;
    return {
        id: p.name,
        name: p.name,
        shortDescription: { text: p.description || p.displayName || p.name },
        help: { text: p.remediationSteps || p.description || p.name },
        ...(links ? { helpUri: links.policyUri(p.name) } : {}),
        defaultConfiguration: { level: levelOf(enforcementLevel) },
        properties: {
            ...(severity ? { severity, "security-severity": SECURITY_SEVERITY[severity] } : {}),
            ...(p.displayName ? { displayName: p.displayName } : {}),
            enforcementLevel,
            policyType: p.policyType,
        },
    };
}

/** Where the program declared the resource, else the fallback file (no region), else none. */
function physicalLocationOf(d: AnalyzerDiagnostic, fallback: string | undefined) {
    if (d.source) {
        return {
            artifactLocation: { uri: encodeURI(d.source.file).replace(/[#?]/g, (c) => encodeURIComponent(c)) },
            region: { startLine: d.source.line, ...(d.source.column !== undefined ? { startColumn: d.source.column } : {}) },
        };
    }
    return fallback ? { artifactLocation: { uri: fallback } } : undefined;
}

export function toSarif(report: PackReport, opts: SarifOptions) {
    const policies = [...report.pack.policies];
    const known = new Set(policies.map((p) => p.name));
    // A diagnostic from a policy the pack did not list (possible with custom packs) still needs a rule.
    for (const d of report.diagnostics) {
        if (!known.has(d.policyName)) {
            known.add(d.policyName);
            policies.push({
                name: d.policyName,
                displayName: "",
                description: d.description,
                enforcementLevel: d.enforcementLevel,
                severity: d.severity,
                remediationSteps: "",
                policyType: "unknown",
            });
        }
    }
    const ruleIndex = new Map(policies.map((p, i) => [p.name, i]));
    const rules = policies.map((p) => rule(p, report.appliedConfig[p.name]?.enforcementLevel ?? p.enforcementLevel, opts.links));
    const reported = sortDiagnostics(report.diagnostics).filter((d) => d.enforcementLevel !== "disabled");
    const identities = fingerprints(reported);
    const results = reported.map((d: AnalyzerDiagnostic, i) => {
        const resourceName = urnName(d.urn);
        const waiver = waiverOf(d);
        const physicalLocation = physicalLocationOf(d, opts.artifactUri);
        return {
            ruleId: d.policyName,
            ruleIndex: ruleIndex.get(d.policyName)!,
            level: levelOf(d.enforcementLevel),
            message: { text: specificMessage(d) },
            ...(d.urn || physicalLocation
                ? {
                      locations: [
                          {
                              ...(physicalLocation ? { physicalLocation } : {}),
                              ...(d.urn ? { logicalLocations: [{ name: resourceName, fullyQualifiedName: d.urn, kind: "resource" }] } : {}),
                          },
                      ],
                  }
                : {}),
            partialFingerprints: { [FINGERPRINT_KEY]: identities[i] },
            ...(waiver
                ? {
                      suppressions: [
                          {
                              kind: "external",
                              status: "accepted",
                              justification: `${waiver.reason} (approved by ${waiver.approvedBy}${waiver.ticket ? `, ${waiver.ticket}` : ""}; expires ${waiver.expires})`,
                              properties: waiver,
                          },
                      ],
                  }
                : {}),
            properties: {
                enforcementLevel: isMandatory(d) ? "mandatory" : d.enforcementLevel,
                ...(d.severity ? { severity: d.severity } : {}),
                ...(d.urn ? { resourceType: urnType(d.urn) } : {}),
                policyPack: `${d.policyPackName}@v${d.policyPackVersion}`,
            },
        };
    });
    return {
        $schema: SARIF_SCHEMA,
        version: "2.1.0" as const,
        runs: [
            {
                tool: {
                    driver: {
                        name: report.pack.name,
                        version: report.pack.version,
                        ...(opts.links ? { informationUri: opts.links.informationUri } : {}),
                        rules,
                    },
                },
                results,
                // A clean run with parts left unchecked must not read as "all clear": each note is a
                // warning-level tool notification, shown beside the results by code-scanning services.
                invocations: [
                    {
                        executionSuccessful: true,
                        toolExecutionNotifications: (opts.notes ?? []).map((text) => ({
                            level: "warning" as const,
                            message: { text },
                            descriptor: { id: "not-checked-offline" },
                        })),
                    },
                ],
                properties: { resources: report.resources, packSource: report.packSource, notes: (opts.notes ?? []).length },
            },
        ],
    };
}

export function renderSarif(report: PackReport, opts: SarifOptions): string {
    return JSON.stringify(toSarif(report, opts), null, 2) + "\n";
}
