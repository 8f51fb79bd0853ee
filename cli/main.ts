/**
 * `sealed-infra check`: checks a Pulumi program (run under mocks) or a `pulumi stack export` file
 * against a policy pack, talking to the pack exactly as the Pulumi engine does.
 *
 *   sealed-infra check [program-dir] [--stack-export file.json] [--policy-pack dir]
 *                      [--config file.json] [--format text|json|sarif] [--stack name]
 *                      [--preview] [--verbose]
 *
 * Exit codes: 0 no mandatory violation, 1 mandatory violations, 2 usage or program error. On exit 2
 * exactly one line goes to stderr (`sealed-infra: <message>`; details only with --verbose) and
 * nothing to stdout: the report is written only once it is complete.
 *
 * `main(argv)` takes the arguments after the executable (`["check", "examples/x"]`) and resolves
 * to the exit code; cli/launcher.js turns that into the process exit status.
 */
import * as fs from "fs";
import * as path from "path";
import { Command, CommanderError, Option } from "commander";
import { CheckError, PackReport } from "./model";
import { loadPolicyPackProject } from "./analyzer/project";
import { DetailedPackReport, runPolicyPack } from "./analyzer/client";
import { recordProgram } from "./sources/program";
import { readStackExport } from "./sources/stack-export";
import { parseStackSelection } from "./sources/project";
import { findProjectDir, locateDiagnostics } from "./sources/source-position";
import type { SourcedStack } from "./sources/source";
import { countViolations } from "./report/common";
import { renderJson } from "./report/json";
import { renderSarif } from "./report/sarif";
import { renderText } from "./report/text";
import { docLinks, DocLinks } from "./report/links";
import { condenseUnknowns } from "./report/unknowns";
import { registerApproveCommand } from "./approve/commands";

export type Format = "text" | "json" | "sarif";

export interface Io {
    stdout(text: string): void;
    stderr(text: string): void;
    cwd?: string;
}

const processIo: Io = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
};

interface CheckOptions {
    stackExport?: string;
    policyPack?: string;
    config?: string;
    format: Format;
    stack?: string;
    stackReference?: string[];
    preview?: boolean;
    verbose?: boolean;
    timeout?: number;
}

/** The package root (where package.json and policypack/ are), from dist/cli/main.js or cli/main.ts. */
export function packageRoot(): string {
    return path.resolve(__dirname, __filename.endsWith(".ts") ? ".." : path.join("..", ".."));
}

/** The policy pack that ships beside the CLI. */
export function defaultPackDir(): string {
    return path.join(packageRoot(), "policypack");
}

function packageInfo(): { name: string; version: string; links?: DocLinks } {
    try {
        const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8"));
        return { name: pkg.name, version: pkg.version, links: docLinks(pkg) };
    } catch {
        return { name: "sealed-infra", version: "0.0.0" };
    }
}

function parseTimeout(value: string): number {
    const seconds = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(seconds > 0)) {
        throw new CheckError(`--timeout ${JSON.stringify(value)} is not a number of seconds greater than 0`);
    }
    return seconds;
}

function firstLine(message: string): string {
    return (message.split("\n").find((l) => l.trim() !== "") ?? message).trim();
}

/** Reads a JSON file given on the command line; `what` names it in errors. */
function readConfigFile(file: string, what = "policy pack config"): unknown {
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
function sarifArtifact(cwd: string, programDir: string | undefined, opts: CheckOptions): string {
    const file = opts.stackExport !== undefined ? path.resolve(cwd, opts.stackExport) : path.resolve(cwd, programDir ?? ".", "Pulumi.yaml");
    return path.relative(cwd, file).split(path.sep).join("/");
}

function describeDetail(detail: unknown): string {
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

async function check(programDir: string | undefined, opts: CheckOptions, io: Io): Promise<number> {
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
    let out: string;
    switch (opts.format) {
        case "json":
            out = renderJson(report, notes);
            break;
        case "sarif":
            out = renderSarif(report, { links: packageInfo().links, artifactUri: sarifArtifact(cwd, programDir, opts), notes });
            break;
        default:
            out = renderText(report, notes);
    }
    io.stdout(out);
    return countViolations(report).mandatory > 0 ? 1 : 0;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
    const info = packageInfo();
    let verbose = argv.includes("--verbose");
    let result: Promise<number> | undefined;
    let helpText = "";

    const program = new Command("sealed-infra")
        .description("Pulumi policy pack and offline checker for immutable infrastructure with separated duties")
        .version(info.version, "-V, --version")
        .exitOverride()
        .configureOutput({ writeOut: (s) => (helpText += s), writeErr: () => undefined, outputError: () => undefined });
    program
        .command("check")
        .description("check a Pulumi program (run under mocks) or a stack export against the policy pack, offline")
        .argument("[program-dir]", "Pulumi program to run under mocks (default: .)")
        .option("--stack-export <file>", "check a `pulumi stack export` file instead of a program")
        .option("--policy-pack <dir>", "policy pack directory (default: the pack shipped with sealed-infra)")
        .option("--config <file>", "policy pack config JSON, as for --policy-pack-config")
        .addOption(new Option("--format <format>", "report format").choices(["text", "json", "sarif"]).default("text"))
        .option("--stack <name>", "stack: <stack>, <org>/<stack> or <org>/<project>/<stack>, as for pulumi --stack (default: dev)")
        .option("--timeout <seconds>", "stop the program, and everything it started, after this long (default: 120)", parseTimeout)
        .option(
            "--stack-reference <name=file>",
            "outputs of a referenced stack for program mode: the JSON of `pulumi stack output --json --show-secrets --stack <name>` (repeatable)",
            (value: string, previous: string[] = []) => [...previous, value],
        )
        .option("--preview", "preview semantics: values not known until the update are unknown")
        .option("--verbose", "print program and pack output, and stack traces on errors")
        .exitOverride()
        .configureOutput({ writeOut: (s) => (helpText += s), writeErr: () => undefined, outputError: () => undefined })
        .action((programDir: string | undefined, opts: CheckOptions) => {
            verbose = opts.verbose === true;
            result = check(programDir, opts, io);
        });
    registerApproveCommand(program, io, (r) => (result = r), (s) => (helpText += s));

    try {
        if (argv.length === 0) {
            throw new CheckError("missing command; usage: sealed-infra check [program-dir] [options] (see sealed-infra check --help)");
        }
        await program.parseAsync(argv, { from: "user" });
        if (result === undefined) {
            throw new CheckError(`unknown command ${JSON.stringify(argv[0])}; usage: sealed-infra check [program-dir] [options]`);
        }
        return await result;
    } catch (e) {
        if (e instanceof CommanderError) {
            if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") {
                io.stdout(helpText);
                return 0;
            }
            io.stderr(`sealed-infra: ${firstLine(e.message.replace(/^error: /, ""))}\n`);
            return 2;
        }
        if (e instanceof CheckError) {
            io.stderr(`sealed-infra: ${firstLine(e.message)}\n`);
            if (verbose) {
                const detail = describeDetail(e.detail);
                io.stderr(`${e.stack ?? ""}${detail ? `\n${detail}` : ""}\n`);
            }
            return 2;
        }
        const err = e as Error;
        io.stderr(`sealed-infra: internal error: ${firstLine(err?.message ?? String(e))}\n`);
        if (verbose) {
            io.stderr(`${err?.stack ?? String(e)}\n`);
        }
        return 2;
    }
}
