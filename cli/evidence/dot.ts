/**
 * A drawn duty graph in Graphviz DOT (for `graph --format dot` and the SVG of reports). Every
 * string is quoted with backslashes and quotes escaped; line breaks are DOT's `\n`.
 */
import { nodeLines, type DrawnGraph, type DrawnNode } from "./condense";

/** A quoted DOT string. */
export function dotString(text: string): string {
    return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

function nodeText(n: DrawnNode): string {
    return nodeLines(n).join("\n");
}

export function renderDot(graph: DrawnGraph, title = "duties"): string {
    const out: string[] = [
        `digraph ${dotString(title)} {`,
        "    rankdir=LR;",
        '    graph [fontname="Helvetica", fontsize=11, nodesep=0.35, ranksep=0.6];',
        '    node [fontname="Helvetica", fontsize=10, shape=box, style="rounded,filled", fillcolor="#ffffff", color="#555555"];',
        '    edge [fontname="Helvetica", fontsize=9, color="#666666", fontcolor="#333333"];',
    ];
    for (const n of graph.nodes) {
        const attrs: string[] = [`label=${dotString(nodeText(n))}`, `id=${dotString(`node-${n.id}`)}`, `class=${dotString(n.kind === "duty" ? "duty" : "principal")}`];
        if (n.kind === "duty") {
            attrs.push('shape=ellipse', 'style="filled"', 'fillcolor="#eef3ff"', 'color="#3557a6"');
        } else if (n.kind === "group") {
            attrs.push('peripheries=2');
        }
        if (n.conflict) {
            attrs.push('fillcolor="#fde2e1"', 'color="#b3261e"', "penwidth=2");
        }
        if (n.members.length > 1) {
            attrs.push(`tooltip=${dotString(n.members.join(", ") + (n.count > n.members.length ? ", …" : ""))}`);
        }
        out.push(`    ${n.id} [${attrs.join(", ")}];`);
    }
    for (const e of graph.edges) {
        const label = e.count > 1 && e.kind !== "holds" ? `${e.label} ×${e.count}` : e.label;
        const attrs: string[] = [`label=${dotString(label)}`];
        if (e.kind === "holds") {
            attrs.push("style=dashed");
        }
        if (e.conflict) {
            attrs.push('color="#b3261e"', 'fontcolor="#b3261e"', "penwidth=2.5");
        }
        out.push(`    ${e.from} -> ${e.to} [${attrs.join(", ")}];`);
    }
    out.push("}");
    return out.join("\n") + "\n";
}
