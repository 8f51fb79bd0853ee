/**
 * A drawn duty graph as a Mermaid flowchart (for Markdown reports and `graph --format mermaid`).
 * Labels are quoted and every character Mermaid could read as syntax is written as an entity code
 * (`#34;` for a double quote), so a principal named `a"]-->b` stays a label.
 */
import { nodeLines, type DrawnGraph, type DrawnNode } from "./condense";

/** Text for inside a quoted Mermaid label: entity codes for `#`, quotes, angle brackets, `&`, `|` and brackets. */
export function mermaidText(text: string): string {
    return text.replace(/[#"<>&|[\]{}()`]/g, (c) => `#${c.charCodeAt(0)};`).replace(/\r?\n/g, "<br/>");
}

function nodeText(n: DrawnNode): string {
    return nodeLines(n).map(mermaidText).join("<br/>");
}

export function renderMermaid(graph: DrawnGraph): string {
    const out: string[] = ["flowchart LR"];
    for (const n of graph.nodes) {
        const text = nodeText(n);
        out.push(n.kind === "duty" ? `    ${n.id}(["${text}"])` : n.kind === "group" ? `    ${n.id}[["${text}"]]` : `    ${n.id}["${text}"]`);
    }
    const red: number[] = [];
    graph.edges.forEach((e, i) => {
        const label = e.count > 1 && e.kind !== "holds" ? `${e.label} ×${e.count}` : e.label;
        const arrow = e.kind === "holds" ? "-.->" : "==>";
        out.push(`    ${e.from} ${arrow}|"${mermaidText(label)}"| ${e.to}`);
        if (e.conflict) {
            red.push(i);
        }
    });
    out.push("    classDef duty fill:#eef3ff,stroke:#3557a6,color:#14284f");
    out.push("    classDef conflict fill:#fde2e1,stroke:#b3261e,stroke-width:2px,color:#5c0f0b");
    const duties = graph.nodes.filter((n) => n.kind === "duty").map((n) => n.id);
    const conflicting = graph.nodes.filter((n) => n.conflict).map((n) => n.id);
    if (duties.length > 0) {
        out.push(`    class ${duties.join(",")} duty`);
    }
    if (conflicting.length > 0) {
        out.push(`    class ${conflicting.join(",")} conflict`);
    }
    if (red.length > 0) {
        out.push(`    linkStyle ${red.join(",")} stroke:#b3261e,stroke-width:3px`);
    }
    return out.join("\n") + "\n";
}
