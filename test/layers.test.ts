/**
 * The layers of docs/design.md hold for types too. eslint's import-x/no-cycle skips `import type`,
 * so a cycle made of type imports (which still ties two modules together for a reader) is caught
 * here: every static import, type-only or not, of the pack, the checker, the components and the
 * provider, and no strongly connected component larger than one module.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");
const TREES = ["policypack/src", "cli", "components", "provider"];

function sources(dir: string): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory() && entry.name !== "node_modules") {
            out.push(...sources(full));
        } else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
            out.push(full);
        }
    }
    return out;
}

function resolveLocal(from: string, spec: string): string | undefined {
    if (!spec.startsWith(".")) {
        return undefined;
    }
    const base = path.resolve(path.dirname(from), spec);
    for (const candidate of [base + ".ts", path.join(base, "index.ts")]) {
        if (fs.existsSync(candidate)) {
            return candidate;
        }
    }
    return undefined;
}

/** Module -> the local modules it imports (static imports and re-exports, types included). */
function importGraph(): Map<string, string[]> {
    const graph = new Map<string, string[]>();
    for (const tree of TREES) {
        for (const file of sources(path.join(ROOT, tree))) {
            const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, false);
            const targets = info.importedFiles.map((f) => resolveLocal(file, f.fileName)).filter((t): t is string => t !== undefined);
            graph.set(file, [...new Set(targets)]);
        }
    }
    return graph;
}

/** Tarjan's strongly connected components with more than one module. */
function cycles(graph: Map<string, string[]>): string[][] {
    let index = 0;
    const indices = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const found: string[][] = [];
    const visit = (v: string) => {
        indices.set(v, index);
        low.set(v, index);
        index++;
        stack.push(v);
        onStack.add(v);
        for (const w of graph.get(v) ?? []) {
            if (!indices.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (onStack.has(w)) {
                low.set(v, Math.min(low.get(v)!, indices.get(w)!));
            }
        }
        if (low.get(v) === indices.get(v)) {
            const component: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                onStack.delete(w);
                component.push(path.relative(ROOT, w));
            } while (w !== v);
            if (component.length > 1) {
                found.push(component.sort());
            }
        }
    };
    for (const v of graph.keys()) {
        if (!indices.has(v)) {
            visit(v);
        }
    }
    return found;
}

describe("layers", () => {
    it("no import cycles, type-only imports included", () => {
        assert.deepEqual(cycles(importGraph()), []);
    });
});
