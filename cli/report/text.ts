/**
 * Text report: the pack header as `pulumi preview` prints it in its `Policies:` section, then each
 * policy that found something, with its description once, then its findings, each at the line where
 * the program declared the resource:
 *
 *   Policies:
 *       ❌ sealed-infra@v0.1.0 (local: policypack)
 *           ecr-tags-immutable [severity: high]: ECR repositories keep image tags immutable.
 *             - [mandatory] infra/index.ts:12:7: aws:ecr:Repository "images": imageTagMutability is "MUTABLE"; ...
 *             - [advisory] (aws:ecr:Repository: legacy) <message of a pack that does not name the resource>
 *
 *   N mandatory violations, N advisory violations in N resources analyzed
 *
 * This deliberately differs from the Pulumi CLI (pulumi/pulumi pkg/backend/display/progress.go
 * printPolicies, diff.go renderDiffPolicyViolationEvent), which prints one block per violation
 * with the policy description repeated above every message: with dozens of findings the
 * description is most of the output, and the CLI prints no source position. What stays as the CLI
 * does it: the pack header (`<icon> <name>@v<version> (local: <path>)`, ❌ when a violation is
 * mandatory, ⚠️ when there are only advisory ones, ✅ otherwise), the order (enforcement level,
 * severity with critical first, policy name, URN; a policy's group comes where its first finding
 * falls), the `(<display type>: <name>)` clause for a resource the message does not name itself,
 * and the blank line that ends the section. Then, unlike the CLI, what the offline check could not
 * see ("Not checked offline:"), and the icon is then ⚠️ at best: such a stack is not all clear.
 */
import type { AnalyzerDiagnostic, PackReport } from "../model";
import {
    countViolations,
    displayType,
    formatSource,
    isMandatory,
    isValidUrn,
    sortDiagnostics,
    specificMessage,
    urnName,
    urnType,
} from "./common";

const GROUP_INDENT = "        ";
const FINDING_INDENT = GROUP_INDENT + "  ";
const CONTINUATION_INDENT = FINDING_INDENT + "    ";

/** `(<display type>: <name>) ` unless the message already starts with the resource's label. */
function resourceClause(d: AnalyzerDiagnostic, message: string): string {
    if (!isValidUrn(d.urn)) {
        return "";
    }
    const type = displayType(urnType(d.urn));
    const name = urnName(d.urn);
    return message.startsWith(`${type} "${name}"`) ? "" : `(${type}: ${name}) `;
}

/** One finding: level, where it was declared, then its own message (continuation lines indented). */
export function renderFinding(d: AnalyzerDiagnostic): string {
    const [first, ...rest] = specificMessage(d).split("\n");
    const where = d.source ? `${formatSource(d.source)}: ` : "";
    const heading = `${FINDING_INDENT}- [${d.enforcementLevel}] ${where}${resourceClause(d, first)}${first}`;
    return [heading, ...rest.map((line) => CONTINUATION_INDENT + line)].join("\n");
}

/** A policy's heading: name, severity and its description, once. */
function renderPolicyHeading(d: AnalyzerDiagnostic): string {
    const severity = d.severity ? ` [severity: ${d.severity}]` : "";
    return `${GROUP_INDENT}${d.policyName}${severity}${d.description ? `: ${d.description}` : ""}`;
}

/** Sorted findings grouped by policy; groups in the order of their first finding. */
export function groupByPolicy(diagnostics: readonly AnalyzerDiagnostic[]): AnalyzerDiagnostic[][] {
    const groups = new Map<string, AnalyzerDiagnostic[]>();
    for (const d of sortDiagnostics(diagnostics)) {
        const group = groups.get(d.policyName);
        if (group) {
            group.push(d);
        } else {
            groups.set(d.policyName, [d]);
        }
    }
    return [...groups.values()];
}

export function packIcon(diagnostics: readonly AnalyzerDiagnostic[], notes: readonly string[] = []): string {
    // A stack with parts the check could not see is never shown as all clear.
    let icon = notes.length > 0 ? "⚠️" : "✅";
    for (const d of diagnostics) {
        if (isMandatory(d)) {
            return "❌";
        }
        icon = "⚠️";
    }
    return icon;
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function renderText(report: PackReport, notes: readonly string[] = []): string {
    const lines: string[] = ["Policies:"];
    const key = `${report.pack.name}@v${report.pack.version}`;
    const local = report.packSource ? ` (${report.packSource})` : "";
    lines.push(`    ${packIcon(report.diagnostics, notes)} ${key}${local}`);
    for (const group of groupByPolicy(report.diagnostics)) {
        lines.push(renderPolicyHeading(group[0]));
        for (const d of group) {
            lines.push(renderFinding(d));
        }
    }
    lines.push("");
    if (notes.length > 0) {
        lines.push("Not checked offline:");
        for (const note of notes) {
            lines.push(`    - ${note}`);
        }
        lines.push("");
    }
    const { mandatory, advisory } = countViolations(report);
    const noted = notes.length > 0 ? `; ${plural(notes.length, "note")} on what was not checked` : "";
    lines.push(
        `${plural(mandatory, "mandatory violation")}, ${plural(advisory, "advisory violation")} in ${plural(report.resources, "resource")} analyzed${noted}`,
    );
    return lines.join("\n") + "\n";
}
