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
 * `sealed-infra graph` and `sealed-infra report` (cli/evidence/, docs/evidence.md) read the stack
 * the same way (./check-run.ts) and draw the duty graph or write an evidence report.
 *
 * `main(argv)` takes the arguments after the executable (`["check", "examples/x"]`) and resolves
 * to the exit code; cli/launcher.js turns that into the process exit status.
 */
import { Command, CommanderError, Option } from "commander";
import { CheckError } from "./model";
import { addSourceOptions, describeDetail, firstLine, Io, packageInfo, runCheck, sarifArtifact, SourceOptions } from "./check-run";
import { countViolations } from "./report/common";
import { renderJson } from "./report/json";
import { renderSarif } from "./report/sarif";
import { renderText } from "./report/text";
import { registerApproveCommand } from "./approve/commands";
import { registerEvidenceCommands } from "./evidence/commands";

export { defaultPackDir, packageRoot } from "./check-run";
export type { Io } from "./check-run";

export type Format = "text" | "json" | "sarif";

const processIo: Io = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
};

interface CheckOptions extends SourceOptions {
    format: Format;
}

async function check(programDir: string | undefined, opts: CheckOptions, io: Io): Promise<number> {
    const cwd = io.cwd ?? process.cwd();
    const { report, notes } = await runCheck(programDir, opts, io);
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
    addSourceOptions(
        program.command("check").description("check a Pulumi program (run under mocks) or a stack export against the policy pack, offline"),
    )
        .addOption(new Option("--format <format>", "report format").choices(["text", "json", "sarif"]).default("text"))
        .exitOverride()
        .configureOutput({ writeOut: (s) => (helpText += s), writeErr: () => undefined, outputError: () => undefined })
        .action((programDir: string | undefined, opts: CheckOptions) => {
            verbose = opts.verbose === true;
            result = check(programDir, opts, io);
        });
    registerApproveCommand(program, io, (r) => (result = r), (s) => (helpText += s));
    registerEvidenceCommands(
        program,
        io,
        (r, v) => {
            verbose = v;
            result = r;
        },
        (s) => (helpText += s),
    );

    try {
        if (argv.length === 0) {
            throw new CheckError("missing command; usage: sealed-infra check|graph|report|approve [program-dir] [options] (see sealed-infra --help)");
        }
        await program.parseAsync(argv, { from: "user" });
        if (result === undefined) {
            throw new CheckError(`unknown command ${JSON.stringify(argv[0])}; usage: sealed-infra check|graph|report|approve [program-dir] [options]`);
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
