/**
 * What `check`, `graph` and `report` share: the options that select the stack and the pack, and
 * the run itself (load the stack from a program under mocks or a stack export, launch the pack,
 * speak the analyzer protocol, place findings at their source and condense unknowns into notes).
 * Every command that reads a stack reads it the same way, with the same errors.
 */
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { CheckError, PackReport } from "./model";
import { loadPolicyPackProject } from "./analyzer/project";
import { DetailedPackReport, runPolicyPack } from "./analyzer/client";
import { recordProgram } from "./sources/program";
import { readStackExport } from "./sources/stack-export";
import { parseStackSelection } from "./sources/project";
import { findProjectDir, locateDiagnostics } from "./sources/source-position";
import type { SourcedStack } from "./sources/source";
import { docLinks, DocLinks } from "./report/links";
import { condenseUnknowns } from "./report/unknowns";

export interface Io {
    stdout(text: string): void;
    stderr(text: string): void;
    cwd?: string;
}

/** Options of every command that checks a stack. */
export interface SourceOptions {
    stackExport?: string;
    policyPack?: string;
    config?: string;
    stack?: string;
    stackReference?: string[];
    preview?: boolean;
    verbose?: boolean;
    timeout?: number;
}

/** A finished check: the pack's report with findings placed, the notes, and where it all came from. */
export interface CheckRun {
    report: PackReport;
    /** What the check could not see (the source's warnings, then unknowns condensed per resource). */
    notes: string[];
    snapshot: SourcedStack;
    packDir: string;
    /** The parsed --config file, if one was given. */
    config: unknown;
}

/** The package root (where package.json and policypack/ are), from dist/cli/main.js or cli/main.ts. */
export function packageRoot(): string {
    return path.resolve(__dirname, __filename.endsWith(".ts") ? ".." : path.join("..", ".."));
}

/** The policy pack that ships beside the CLI. */
export function defaultPackDir(): string {
    return path.join(packageRoot(), "policypack");
}

export function packageInfo(): { name: string; version: string; links?: DocLinks } {
    try {
        const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8"));
        return { name: pkg.name, version: pkg.version, links: docLinks(pkg) };
    } catch {
        return { name: "sealed-infra", version: "0.0.0" };
    }
}

export function parseTimeout(value: string): number {
    const seconds = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(seconds > 0)) {
        throw new CheckError(`--timeout ${JSON.stringify(value)} is not a number of seconds greater than 0`);
    }
    return seconds;
}

export function firstLine(message: string): string {
    return (message.split("\n").find((l) => l.trim() !== "") ?? message).trim();
}

/** Reads a JSON file given on the command line; `what` names it in errors. */
export function readConfigFile(file: string, what = "policy pack config"): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new CheckError(`${what} ${file} ${code === "ENOENT" ? "does not exist" : `cannot be read: ${(e as Error).message}`}`, e);
    }
    try {
        return JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (e) {
        throw new CheckError(`${what} ${file} is not valid JSON: ${(e as Error).message}`, e);
    }
}

/** `--stack-reference <name>=<file>` values: each file holds `pulumi stack output --json` of that stack. */
function readStackReferences(values: string[], cwd: string): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const value of values) {
        const eq = value.lastIndexOf("=");
        if (eq <= 0 || eq === value.length - 1) {
            throw new CheckError(`--stack-reference ${value}: expected <stack name>=<file>, e.g. acme/platform/prod=platform-outputs.json`);
        }
        const name = value.slice(0, eq);
        const file = value.slice(eq + 1);
        const outputs = readConfigFile(path.resolve(cwd, file), `stack outputs of ${name}`);
        if (outputs === null || typeof outputs !== "object" || Array.isArray(outputs)) {
            throw new CheckError(`stack outputs of ${name} in ${file} must be a JSON object (the output of pulumi stack output --json)`);
        }
        out[name] = outputs as Record<string, unknown>;
    }
    return out;
}

/** The file SARIF results without a known declaration point at: the stack export, or the program's Pulumi.yaml (relative, POSIX). */
export function sarifArtifact(cwd: string, programDir: string | undefined, opts: SourceOptions): string {
    const file = opts.stackExport !== undefined ? path.resolve(cwd, opts.stackExport) : path.resolve(cwd, programDir ?? ".", "Pulumi.yaml");
    return path.relative(cwd, file).split(path.sep).join("/");
}

export function describeDetail(detail: unknown): string {
    if (detail === undefined) {
        return "";
    }
    if (detail instanceof Error) {
        return detail.stack ?? detail.message;
    }
    if (typeof detail === "object" && detail !== null) {
        const d = detail as Record<string, unknown>;
        const parts: string[] = [];
        if (typeof d.stack === "string") {
            parts.push(d.stack);
        }
        if (typeof d.output === "string" && d.output.trim() !== "") {
            parts.push(`program output:\n${d.output.trimEnd()}`);
        }
        if (parts.length > 0) {
            return parts.join("\n");
        }
        try {
            return JSON.stringify(detail, null, 2);
        } catch {
            return String(detail);
        }
    }
    return String(detail);
}


/** Adds the options that select the stack and the pack (shared by check, graph and report). */
export function addSourceOptions(command: Command): Command {
    return command
        .argument("[program-dir]", "Pulumi program to run under mocks (default: .)")
        .option("--stack-export <file>", "read a `pulumi stack export` file instead of running a program")
        .option("--policy-pack <dir>", "policy pack directory (default: the pack shipped with sealed-infra)")
        .option("--config <file>", "policy pack config JSON, as for --policy-pack-config")
        .option("--stack <name>", "stack: <stack>, <org>/<stack> or <org>/<project>/<stack>, as for pulumi --stack (default: dev)")
        .option("--timeout <seconds>", "stop the program, and everything it started, after this long (default: 120)", parseTimeout)
        .option(
            "--stack-reference <name=file>",
            "outputs of a referenced stack for program mode: the JSON of `pulumi stack output --json --show-secrets --stack <name>` (repeatable)",
            (value: string, previous: string[] = []) => [...previous, value],
        )
        .option("--preview", "preview semantics: values not known until the update are unknown")
        .option("--verbose", "print program and pack output, and stack traces on errors");
}

/** Loads the stack and runs the pack over it, offline. */
export async function runCheck(programDir: string | undefined, opts: SourceOptions, io: Io): Promise<CheckRun> {
    const cwd = io.cwd ?? process.cwd();
    if (programDir !== undefined && opts.stackExport !== undefined) {
        throw new CheckError(`give either a program directory (${programDir}) or --stack-export ${opts.stackExport}, not both`);
    }
    const packArg = opts.policyPack;
    const packDir = packArg !== undefined ? path.resolve(cwd, packArg) : defaultPackDir();
    // As the CLI shows it: the pack path as given; for the bundled pack, relative when it is below cwd.
    const relative = path.relative(cwd, packDir);
    const packSource = `local: ${packArg ?? (relative === "" ? "." : relative.startsWith("..") ? packDir : relative)}`;
    loadPolicyPackProject(packDir); // fail fast (no PulumiPolicy.yaml...) before running a program
    const config = opts.config !== undefined ? readConfigFile(path.resolve(cwd, opts.config)) : undefined;

    let snapshot: SourcedStack;
    if (opts.stackExport !== undefined) {
        const selection = opts.stack !== undefined ? parseStackSelection(opts.stack) : undefined;
        snapshot = readStackExport(path.resolve(cwd, opts.stackExport), {
            preview: opts.preview,
            displayName: opts.stackExport,
            organization: selection?.organization,
        });
        if (selection && (selection.stack !== snapshot.stack || (selection.project !== undefined && selection.project !== snapshot.project))) {
            throw new CheckError(`--stack ${opts.stack} does not match the stack in ${opts.stackExport} (${snapshot.project}/${snapshot.stack})`);
        }
    } else {
        const dir = programDir ?? ".";
        const stackReferences = readStackReferences(opts.stackReference ?? [], cwd);
        const recorded = await recordProgram(path.resolve(cwd, dir), {
            preview: opts.preview ?? false,
            stack: opts.stack,
            displayName: dir,
            stackReferences,
            timeoutMs: opts.timeout !== undefined ? opts.timeout * 1000 : undefined,
        });
        if (opts.verbose && recorded.programOutput.trim() !== "") {
            io.stderr(`program output:\n${recorded.programOutput.trimEnd()}\n`);
        }
        snapshot = recorded;
    }

    const analyzed: PackReport = await runPolicyPack({ packDir, snapshot, config, packSource, offline: true });
    // Findings point at the line that declared their resource; positions are relative to the project.
    const projectDir =
        opts.stackExport !== undefined
            ? findProjectDir(snapshot.project, [path.dirname(path.resolve(cwd, opts.stackExport)), cwd], cwd)
            : path.resolve(cwd, programDir ?? ".");
    // Values not known until the update (or offline) are not findings: one note per resource.
    const condensed = condenseUnknowns(locateDiagnostics(analyzed.diagnostics, snapshot.resources, projectDir, cwd));
    const report: PackReport = { ...analyzed, diagnostics: condensed.findings };
    if (opts.verbose) {
        const logs = (report as Partial<DetailedPackReport>).logs ?? [];
        for (const l of logs) {
            io.stderr(`pack ${l.stream}: ${l.line}\n`);
        }
    }
    const notes = [...snapshot.warnings, ...condensed.notes];
    return { report, notes, snapshot, packDir, config };
}
