/**
 * Where a resource was declared, so that findings point at a line a reviewer can open.
 *
 * The Node.js SDK sends a source position with every RegisterResourceRequest (the first stack frame
 * below the resource constructors, a `file://` URI with line and column). The engine keeps it in
 * state, relative to the project directory (pulumi/pulumi pkg/resource/deploy/source_eval.go
 * sourcePositions.parseSourcePosition): `project:///<relative path>#<line>[,<column>]`. Program mode
 * records the same string (./recorder.ts), stack exports carry it (`sourcePosition`), and this
 * module is the one place that writes, reads and chooses among them.
 *
 * The position of a resource a component creates is inside the component. When that code is a
 * dependency (under node_modules) or outside the project, the reviewer's line is where the program
 * declared the component: declarationSites walks up the parents to the nearest resource declared in
 * the program's own files.
 */
import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";
import { parse as parseYaml } from "yaml";
import type { AnalyzerDiagnostic, ResourceRecord, SourceLocation } from "../model";

/** A position relative to the project directory (POSIX separators, may start with `../`). */
export interface ProjectPosition {
    path: string;
    line: number;
    column?: number;
}

const PREFIX = "project:///";

/**
 * The engine's string for a source position the SDK sent, or undefined when the engine would reject
 * it (not a `file:` URI, not absolute, line below 1).
 */
export function engineSourcePosition(projectDir: string, uri: string, line: number, column: number): string | undefined {
    if (!Number.isInteger(line) || line < 1 || !Number.isInteger(column) || column < 0) {
        return undefined;
    }
    let file: string;
    try {
        file = fileURLToPath(uri);
    } catch {
        return undefined;
    }
    if (!path.isAbsolute(file)) {
        return undefined;
    }
    const rel = path.relative(path.resolve(projectDir), file).split(path.sep).join("/");
    return `${PREFIX}${encodeURI(rel).replace(/#/g, "%23").replace(/\?/g, "%3F")}#${line}${column > 0 ? `,${column}` : ""}`;
}

/** Reads the engine's string; undefined for anything else (bad input never stops a check). */
export function parseSourcePosition(text: unknown): ProjectPosition | undefined {
    if (typeof text !== "string" || !text.startsWith(PREFIX)) {
        return undefined;
    }
    const m = /^(.*)#(\d+)(?:,(\d+))?$/.exec(text.slice(PREFIX.length));
    if (!m || m[1] === "") {
        return undefined;
    }
    let file: string;
    try {
        file = decodeURI(m[1]).replace(/%23/g, "#").replace(/%3F/g, "?");
    } catch {
        return undefined;
    }
    const line = Number(m[2]);
    const column = m[3] !== undefined ? Number(m[3]) : undefined;
    if (!(line >= 1)) {
        return undefined;
    }
    return { path: file, line, ...(column !== undefined && column >= 1 ? { column } : {}) };
}

function inDependency(p: ProjectPosition): boolean {
    return p.path.split("/").includes("node_modules");
}

/** In the program's own files: inside the project directory and not in a dependency. */
function inProgram(p: ProjectPosition): boolean {
    return !inDependency(p) && !p.path.startsWith("../") && !path.posix.isAbsolute(p.path);
}

/**
 * For each resource with a usable position: the nearest declaration, walking up the parents, that
 * lies in the program's own files; failing that, the nearest that is not in a dependency.
 */
export function declarationSites(resources: readonly ResourceRecord[]): Map<string, ProjectPosition> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const sites = new Map<string, ProjectPosition>();
    for (const r of resources) {
        let ownFiles: ProjectPosition | undefined;
        let notDependency: ProjectPosition | undefined;
        const seen = new Set<string>();
        for (let at: ResourceRecord | undefined = r; at && !seen.has(at.urn); at = at.parent ? byUrn.get(at.parent) : undefined) {
            seen.add(at.urn);
            const p = parseSourcePosition(at.sourcePosition);
            if (!p) {
                continue;
            }
            if (inProgram(p)) {
                ownFiles = p;
                break;
            }
            if (!notDependency && !inDependency(p)) {
                notDependency = p;
            }
        }
        const site = ownFiles ?? notDependency;
        if (site) {
            sites.set(r.urn, site);
        }
    }
    return sites;
}

/** A project position as reports show it: relative to `cwd`, POSIX separators. */
export function toSourceLocation(p: ProjectPosition, projectDir: string, cwd: string): SourceLocation {
    const file = path.relative(cwd, path.resolve(projectDir, ...p.path.split("/"))).split(path.sep).join("/");
    return { file, line: p.line, ...(p.column !== undefined ? { column: p.column } : {}) };
}

/** The diagnostics with `source` set where the resource's declaration is known. */
export function locateDiagnostics(
    diagnostics: readonly AnalyzerDiagnostic[],
    resources: readonly ResourceRecord[],
    projectDir: string,
    cwd: string,
): AnalyzerDiagnostic[] {
    const sites = declarationSites(resources);
    return diagnostics.map((d) => {
        const site = d.urn ? sites.get(d.urn) : undefined;
        return site ? { ...d, source: toSourceLocation(site, projectDir, cwd) } : d;
    });
}

function projectNameIn(dir: string): string | undefined {
    for (const name of ["Pulumi.yaml", "Pulumi.yml"]) {
        try {
            const doc = parseYaml(fs.readFileSync(path.join(dir, name), "utf8"));
            if (doc && typeof doc === "object" && typeof (doc as Record<string, unknown>).name === "string") {
                return (doc as Record<string, string>).name;
            }
        } catch {
            // no such file, or not YAML: not this directory
        }
    }
    return undefined;
}

/**
 * The directory an export's positions are relative to: the nearest directory, from the export
 * file's and then from `cwd` upwards, whose Pulumi.yaml names the stack's project; else `cwd`.
 */
export function findProjectDir(project: string, startDirs: readonly string[], cwd: string): string {
    for (const start of startDirs) {
        for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
            if (project !== "" && projectNameIn(dir) === project) {
                return dir;
            }
            if (path.dirname(dir) === dir) {
                break;
            }
        }
    }
    return cwd;
}
