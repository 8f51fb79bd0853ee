/**
 * The evidence report as one self-contained HTML file: inline CSS and the graph as inline SVG, no
 * script, no external URL (nothing to fetch when an auditor opens or files it). Every text from the
 * stack or the config is HTML-escaped.
 */
import type { EvidenceReport, Status } from "./collect";

export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const e = escapeHtml;

const STATUS_TEXT: Record<Status, string> = {
    passed: "passed",
    violated: "violated",
    waived: "waived",
    advisory: "advisory",
    disabled: "disabled",
};

function badge(status: Status | string): string {
    return `<span class="status s-${e(status.replace(/\s+/g, "-"))}">${e(STATUS_TEXT[status as Status] ?? status)}</span>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1d1d1f;margin:0;background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:24px 32px 48px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #d9dce1;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef0f3}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.status{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;white-space:nowrap}
.s-passed,.s-valid,.s-in-force{background:#e3f5e6;color:#176b2c}
.s-violated,.s-blocked,.s-invalid,.s-unreadable,.s-expired{background:#fde2e1;color:#8f1d16}
.s-advisory,.s-unknown{background:#fff4d6;color:#7a5300}
.s-waived{background:#e8e6fb;color:#3d2f96}
.s-disabled{background:#eee;color:#555}
.facts td:first-child{width:220px;font-weight:600;background:#fafbfc}
.graph{overflow:auto;border:1px solid #d9dce1;padding:8px;background:#fff}
.graph svg{max-width:none;height:auto}
@media print{main{max-width:none;padding:0}.graph{overflow:visible;border:none}.graph svg{max-width:100%}tr{break-inside:avoid}}
.muted{color:#666}
ul.notes li{margin:2px 0}
`;

function table(id: string, headers: string[], rows: string[][], empty: string): string {
    if (rows.length === 0) {
        return `<p id="${id}" class="muted">${e(empty)}</p>`;
    }
    return `<table id="${id}"><thead><tr>${headers.map((h) => `<th>${e(h)}</th>`).join("")}</tr></thead><tbody>\n${rows
        .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`)
        .join("\n")}\n</tbody></table>`;
}

export interface HtmlParts {
    /** The duty graph drawn as SVG (from ./svg.ts). */
    svg: string;
    /** What the picture shows when condensed, e.g. `5,001 principals grouped into 6 nodes`. */
    graphCaption: string;
}

export function renderHtml(r: EvidenceReport, parts: HtmlParts): string {
    const stackName = `${r.stack.organization}/${r.stack.project}/${r.stack.stack}`;
    const facts: [string, string][] = [
        ["Verdict", badge(r.verdict)],
        ["Stack", `<code>${e(stackName)}</code>`],
        ["Checked from", e(r.stack.source) + (r.stack.preview ? " (preview semantics)" : "")],
        ["Resources analysed", String(r.findings.resources)],
        ["Policy pack", `${e(r.pack.name)} ${e(r.pack.version)} <span class="muted">(${e(r.pack.source)})</span>`],
        ["Pack config SHA-256", `<code>${e(r.pack.configSha256)}</code>`],
        ["Findings", `${r.findings.summary.mandatory} mandatory, ${r.findings.summary.advisory} advisory, ${r.findings.summary.notes} notes`],
        ["Produced", `<time datetime="${e(r.produced)}">${e(r.produced)}</time> by ${e(r.tool.name)} ${e(r.tool.version)}`],
    ];

    const guaranteeRows = r.guarantees.flatMap((g) =>
        g.policies.map((p) => [
            `<span data-guarantee="${e(g.guarantee)}">${e(g.title)}</span>`,
            `<code>${e(p.policy)}</code><br>${e(p.displayName)}`,
            e(p.enforcementLevel),
            e(p.severity),
            `<span data-policy-status="${e(p.policy)}">${badge(p.status)}</span>`,
            String(p.findings.length),
        ]),
    );
    const guaranteeSummary = r.guarantees
        .map((g) => `<li data-guarantee-status="${e(g.guarantee)}">${e(g.title)}: ${badge(g.status)}</li>`)
        .join("\n");

    const resourceRows = r.resources.map((res) => [
        `<code>${e(res.type)}</code>`,
        e(res.name),
        ...r.guarantees.map((g) => badge(res.statuses[g.guarantee] ?? "passed")),
    ]);

    const findingRows = r.findings.violations.map((v) => [
        badge(v.enforcementLevel === "mandatory" ? "violated" : v.waiver ? "waived" : "advisory"),
        `<code>${e(v.policyName)}</code>`,
        v.resourceName ? `${e(v.resourceName)}<br><code>${e(v.resourceType)}</code>` : '<span class="muted">stack</span>',
        e(v.severity),
        e(v.message).replace(/\n/g, "<br>") + (v.source ? `<br><span class="muted mono">${e(v.source.file)}:${v.source.line}</span>` : ""),
    ]);

    const holderRows = r.graph.nodes
        .filter((n) => n.kind !== "set" && (n.held.length > 0 || n.conflict))
        .map((n) => [
            `<span data-node-kind="${e(n.kind)}">${e(n.label)}</span>` + (n.breakGlass ? ` <span class="muted">(break-glass: ${e(n.breakGlass)})</span>` : ""),
            n.held.map((h) => `<b>${e(h.duty)}</b>: ${e(h.witness)}`).join("<br>") || '<span class="muted">none</span>',
            e(n.reaches.filter((d) => !n.held.some((h) => h.duty === d)).join(", ")) || '<span class="muted">—</span>',
            n.conflict ? badge("violated") + (n.conflict === "holds" ? " holds a conflicting pair" : " can escalate into a conflicting pair") : badge("passed"),
        ]);

    const conflictRows = r.graph.conflicts.map((c) => {
        const node = r.graph.nodes.find((n) => n.id === c.principal);
        const paths = c.paths.map((p) => {
            const steps = p.steps.map((s) => ` -[${s.label}]-> ${r.graph.nodes.find((n) => n.id === s.to)?.short ?? s.to}${s.note ? ` (${s.note})` : ""}`).join("");
            return `<code>${e(`${node?.short ?? c.principal}${steps} -> ${p.duty}: ${p.witness}`)}</code>`;
        });
        return [e(node?.label ?? c.principal), e(c.duties.join(" and ")), c.kind === "holds" ? "holds both directly" : paths.join("<br>")];
    });

    const waiverRows = r.waivers.map((w) => [
        `<code>${e(w.policy)}</code>`,
        e(w.selects),
        e(w.reason),
        e(w.approvedBy),
        e(w.ticket ?? ""),
        e(w.expires),
        badge(w.state) + (w.problem ? `<br>${e(w.problem)}` : ""),
        String(w.applied),
    ]);

    const approvalRows = r.approvals.map((a) => [
        e(a.name),
        badge(a.result),
        e(a.approver ?? ""),
        e(a.ticket ?? ""),
        e(a.reason ?? ""),
        e([a.issued ? `issued ${a.issued}` : "", a.expires ? `expires ${a.expires}` : ""].filter(Boolean).join(", ")),
        `<code>${e(a.keyId ?? "")}</code>`,
        a.digests.map((d) => `<code>${e(d)}</code>`).join("<br>"),
        e(a.failures.join("; ")),
    ]);

    const notes = r.notes.length === 0 ? '<p id="notes" class="muted">None: every resource was rendered and every value the policies read was known.</p>' : `<ul id="notes" class="notes">${r.notes.map((n) => `<li>${e(n)}</li>`).join("\n")}</ul>`;
    const warnings = r.graph.warnings.length === 0 ? "" : `<p><b>Duty configuration problems:</b> ${e(r.graph.warnings.join("; "))}</p>`;

    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evidence report: ${e(stackName)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>Evidence report: ${e(stackName)}</h1>
<p class="muted">What the ${e(r.pack.name)} policy pack verified about this stack, offline, and what it could not verify.</p>
<table class="facts" id="facts"><tbody>
${facts.map(([k, v]) => `<tr><td>${e(k)}</td><td>${v}</td></tr>`).join("\n")}
</tbody></table>

<h2>Guarantees</h2>
<ul id="guarantee-summary">${guaranteeSummary}</ul>
${table("guarantees", ["Guarantee", "Policy", "Enforcement", "Severity", "Status", "Findings"], guaranteeRows, "The pack reported no policies.")}

<h2>Status per resource</h2>
<p class="muted">A resource passes a guarantee when no policy of that guarantee reported on it.</p>
${table("resources", ["Type", "Name", ...r.guarantees.map((g) => g.title)], resourceRows, "The stack has no resources.")}

<h2>Findings</h2>
${table("findings", ["Status", "Policy", "Resource", "Severity", "Message"], findingRows, "No findings.")}

<h2>Duties and escalation</h2>
<p>Duties: ${r.graph.duties.map((d) => `<b>${e(d)}</b>`).join(", ")}. Conflicting pairs: ${r.graph.conflictPairs.map(([a, b]) => `${e(a)} × ${e(b)}`).join(", ")}.</p>
${warnings}
<figure id="graph" class="graph">
${parts.svg}
<figcaption class="muted">${e(parts.graphCaption)} Red: principals that hold or can reach a conflicting pair of duties, and the steps of their shortest paths.</figcaption>
</figure>
<h3>Duty holders</h3>
${table("holders", ["Principal", "Holds (and what grants it)", "Can also reach", "Separation"], holderRows, "No principal of the stack holds a duty.")}
<h3>Conflicts</h3>
${table("conflicts", ["Principal", "Duties", "Shortest paths"], conflictRows, "No principal holds or can reach a conflicting pair of duties.")}

<h2>Waivers</h2>
${table("waivers", ["Policy", "Selects", "Reason", "Approved by", "Ticket", "Expires", "State", "Findings waived"], waiverRows, "The pack config has no waivers.")}

<h2>Release approvals</h2>
${table("approvals", ["Approval", "Verification", "Approver", "Ticket", "Reason", "Validity", "Key", "Digests", "Why it does not count"], approvalRows, "The stack carries no release approvals.")}

<h2>Not verified</h2>
<p class="muted">Parts of the stack the offline check could not see or values it could not know; they are checked by <code>pulumi preview</code> and <code>pulumi up</code> with the pack enabled, not by this report.</p>
${notes}
</main>
</body>
</html>
`;
}
