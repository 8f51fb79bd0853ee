/**
 * The evidence report in Markdown: the same sections as the HTML report, tables for the facts, and
 * the duty graph as a ```mermaid block (rendered by GitHub, GitLab and most wikis). Table cells
 * escape `|`, backslashes and HTML; line breaks become `<br>`.
 */
import type { EvidenceReport } from "./collect";

export function mdCell(text: string): string {
    return text
        .replace(/\\/g, "\\\\")
        .replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!)
        .replace(/\|/g, "\\|")
        .replace(/`/g, "\\`")
        .replace(/\r?\n/g, "<br>");
}

function table(headers: string[], rows: string[][], empty: string): string {
    if (rows.length === 0) {
        return `_${empty}_\n`;
    }
    return [`| ${headers.join(" | ")} |`, `|${headers.map(() => " --- ").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n") + "\n";
}

export function renderMarkdown(r: EvidenceReport, mermaid: string, graphCaption: string): string {
    const c = mdCell;
    const stackName = `${r.stack.organization}/${r.stack.project}/${r.stack.stack}`;
    const out: string[] = [];
    out.push(`# Evidence report: ${c(stackName)}\n`);
    out.push(
        table(
            ["Fact", "Value"],
            [
                ["Verdict", `**${r.verdict}**`],
                ["Stack", c(stackName)],
                ["Checked from", c(r.stack.source + (r.stack.preview ? " (preview semantics)" : ""))],
                ["Resources analysed", String(r.findings.resources)],
                ["Policy pack", c(`${r.pack.name} ${r.pack.version} (${r.pack.source})`)],
                ["Pack config SHA-256", c(r.pack.configSha256)],
                ["Findings", `${r.findings.summary.mandatory} mandatory, ${r.findings.summary.advisory} advisory, ${r.findings.summary.notes} notes`],
                ["Produced", c(`${r.produced} by ${r.tool.name} ${r.tool.version}`)],
            ],
            "",
        ),
    );
    out.push("## Guarantees\n");
    out.push(r.guarantees.map((g) => `- ${c(g.title)}: **${g.status}**`).join("\n") + "\n");
    out.push(
        table(
            ["Guarantee", "Policy", "Enforcement", "Severity", "Status", "Findings"],
            r.guarantees.flatMap((g) => g.policies.map((p) => [c(g.title), c(p.policy), p.enforcementLevel, p.severity, `**${p.status}**`, String(p.findings.length)])),
            "The pack reported no policies.",
        ),
    );
    out.push("## Status per resource\n");
    out.push(
        table(
            ["Type", "Name", ...r.guarantees.map((g) => c(g.title))],
            r.resources.map((res) => [c(res.type), c(res.name), ...r.guarantees.map((g) => res.statuses[g.guarantee] ?? "passed")]),
            "The stack has no resources.",
        ),
    );
    out.push("## Findings\n");
    out.push(
        table(
            ["Status", "Policy", "Resource", "Severity", "Message"],
            r.findings.violations.map((v) => [
                v.enforcementLevel === "mandatory" ? "violated" : v.waiver ? "waived" : "advisory",
                c(v.policyName),
                v.resourceName ? c(`${v.resourceName} (${v.resourceType})`) : "stack",
                v.severity,
                c(v.message),
            ]),
            "No findings.",
        ),
    );
    out.push("## Duties and escalation\n");
    out.push(`Duties: ${r.graph.duties.join(", ")}. Conflicting pairs: ${r.graph.conflictPairs.map(([a, b]) => `${a} × ${b}`).join(", ")}.\n`);
    out.push("```mermaid\n" + mermaid + "```\n");
    out.push(`_${c(graphCaption)}_\n`);
    out.push("### Duty holders\n");
    out.push(
        table(
            ["Principal", "Holds", "Can also reach", "Separation"],
            r.graph.nodes
                .filter((n) => n.kind !== "set" && (n.held.length > 0 || n.conflict))
                .map((n) => [
                    c(n.label),
                    c(n.held.map((h) => `${h.duty}: ${h.witness}`).join("\n")) || "none",
                    c(n.reaches.filter((d) => !n.held.some((h) => h.duty === d)).join(", ")) || "—",
                    n.conflict ? (n.conflict === "holds" ? "**violated** (holds a conflicting pair)" : "**violated** (can escalate into a conflicting pair)") : "passed",
                ]),
            "No principal of the stack holds a duty.",
        ),
    );
    out.push("## Waivers\n");
    out.push(
        table(
            ["Policy", "Selects", "Reason", "Approved by", "Ticket", "Expires", "State", "Findings waived"],
            r.waivers.map((w) => [c(w.policy), c(w.selects), c(w.reason), c(w.approvedBy), c(w.ticket ?? ""), c(w.expires), c(w.problem ? `${w.state}: ${w.problem}` : w.state), String(w.applied)]),
            "The pack config has no waivers.",
        ),
    );
    out.push("## Release approvals\n");
    out.push(
        table(
            ["Approval", "Verification", "Approver", "Ticket", "Validity", "Digests", "Why it does not count"],
            r.approvals.map((a) => [
                c(a.name),
                `**${a.result}**`,
                c(a.approver ?? ""),
                c(a.ticket ?? ""),
                c([a.issued ? `issued ${a.issued}` : "", a.expires ? `expires ${a.expires}` : ""].filter(Boolean).join(", ")),
                c(a.digests.join("\n")),
                c(a.failures.join("; ")),
            ]),
            "The stack carries no release approvals.",
        ),
    );
    out.push("## Not verified\n");
    out.push(r.notes.length === 0 ? "_None: every resource was rendered and every value the policies read was known._\n" : r.notes.map((n) => `- ${c(n)}`).join("\n") + "\n");
    return out.join("\n");
}
