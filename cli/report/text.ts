/**
 * Text report: the `Policies:` section exactly as `pulumi preview` prints it (without colours),
 * followed by one summary line.
 *
 *   Policies:
 *       ❌ sealed-infra@v0.1.0 (local: policypack)
 *           - [mandatory] [severity: high]  ecr-tags-immutable  (aws:ecr:Repository: images)
 *             <message line>...
 *
 * pulumi/pulumi pkg/backend/display/progress.go printPolicies: the pack header is
 * `    <icon> <name>@v<version> (local: <path>)` with ❌ when any violation is mandatory, ⚠️ when
 * there are only advisory ones, ✅ otherwise; violations are sorted by enforcement level, severity
 * (critical first), policy name, then URN; a blank line ends the section. diff.go
 * renderDiffPolicyViolationEvent: `        - [<level>][ [severity: <s>]]  <policy>` plus
 * `  (<display type>: <name>)` when the URN is valid (none for stack-level findings), then the
 * message (which @pulumi/policy prefixes with the policy description), every line indented by
 * ten spaces. Then, unlike the CLI, what the offline check could not see ("Not checked offline:"),
 * and the icon is then ⚠️ at best: such a stack is not all clear.
 */
import type { AnalyzerDiagnostic, PackReport } from "../model";
import { countViolations, displayType, isMandatory, isValidUrn, sortDiagnostics, urnName, urnType } from "./common";

const SUB_ITEM_INDENT = "        ";

export function renderViolation(d: AnalyzerDiagnostic): string {
    const severity = d.severity ? ` [severity: ${d.severity}]` : "";
    const clause = isValidUrn(d.urn) ? `  (${displayType(urnType(d.urn))}: ${urnName(d.urn)})` : "";
    const linePrefix = SUB_ITEM_INDENT + "  ";
    const heading = `${SUB_ITEM_INDENT}- [${d.enforcementLevel}]${severity}  ${d.policyName}${clause}`;
    const message = d.message.replace(/\n$/, "").split("\n").join("\n" + linePrefix);
    return `${heading}\n${linePrefix}${message}`;
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
    for (const d of sortDiagnostics(report.diagnostics)) {
        lines.push(renderViolation(d));
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
