/**
 * DOT to SVG with Graphviz itself, compiled to WebAssembly (@viz-js/viz, MIT; Graphviz is
 * EPL-1.0): layout is Graphviz's `dot`, nothing hand-made. The SVG has no external references, no
 * XML prolog, DOCTYPE or comments: it can be inlined in HTML or saved as a file as it is.
 */
import { CheckError } from "../model";

type Viz = { renderString(input: string, options?: { format?: string; engine?: string }): string };

let viz: Promise<Viz> | undefined;

export async function renderSvg(dot: string): Promise<string> {
    viz ??= (require("@viz-js/viz") as { instance(): Promise<Viz> }).instance();
    try {
        const svg = (await viz).renderString(dot, { format: "svg", engine: "dot" });
        // The XML prolog and DOCTYPE are for standalone files; inline SVG in HTML needs neither.
        // Graphviz's comments repeat node ids and the graph's title; a title with "--" would not be a valid XML comment.
        return svg
            .replace(/^<\?xml[^>]*>\s*/, "")
            .replace(/^<!DOCTYPE[^>]*>\s*/, "")
            .replace(/<!--[\s\S]*?-->\s*/g, "");
    } catch (e) {
        throw new CheckError(`Graphviz could not lay out the graph: ${(e as Error).message}`, e);
    }
}
