/**
 * `sealed-infra graph` and `sealed-infra report` (docs/evidence.md).
 *
 *   sealed-infra graph  [program-dir] [--stack-export file] [--format mermaid|dot|svg|json] [--max-nodes n] [--out file] [check options]
 *   sealed-infra report [program-dir] [--stack-export file] --out report.html|report.md [--format html|markdown] [check options]
 *
 * Both read the stack and run the pack exactly as `check` does (../check-run.ts) and exit as it does:
 * 0 no mandatory violation, 1 mandatory violations (the graph or report is still written: it is the
 * evidence of them), 2 usage, program or pack error (one line on stderr, nothing written).
 */
import * as fs from "fs";
import * as path from "path";
import { Command, Option } from "commander";
import { CheckError } from "../model";
import { addSourceOptions, CheckRun, Io, packageInfo, runCheck, SourceOptions } from "../check-run";
import { countViolations } from "../report/common";
import { collectEvidence, graphOf } from "./collect";
import { condense, DrawnGraph } from "./condense";
import { renderDot } from "./dot";
import { renderHtml } from "./html";
import { renderMarkdown } from "./markdown";
import { renderMermaid } from "./mermaid";
import { renderSvg } from "./svg";

export const GRAPH_FORMATS = ["mermaid", "dot", "svg", "json"] as const;
export const REPORT_FORMATS = ["html", "markdown"] as const;

interface GraphOptions extends SourceOptions {
    format: (typeof GRAPH_FORMATS)[number];
    maxNodes?: number;
    out?: string;
}

interface ReportOptions extends SourceOptions {
    format?: (typeof REPORT_FORMATS)[number];
    maxNodes?: number;
    out?: string;
}

function parseMaxNodes(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < 1) {
        throw new CheckError(`--max-nodes ${JSON.stringify(value)} is not a whole number of nodes greater than 0`);
    }
    return n;
}

/** What the picture shows, in one sentence. */
export function graphCaption(g: DrawnGraph): string {
    const drawn = g.nodes.filter((n) => n.kind !== "duty").length;
    const base = `${g.principals} principal node${g.principals === 1 ? "" : "s"} and ${g.escalationEdges} escalation edge${g.escalationEdges === 1 ? "" : "s"}`;
    return drawn === g.principals
        ? `${base}, all drawn.`
        : `${base}, condensed into ${drawn} node${drawn === 1 ? "" : "s"}: principals that hold and reach the same duties the same way are one node, with their count.`;
}

/** The report format: --format, else the extension of --out. */
export function reportFormat(out: string, format: string | undefined): (typeof REPORT_FORMATS)[number] {
    if (format !== undefined) {
        return format as (typeof REPORT_FORMATS)[number];
    }
    const ext = path.extname(out).toLowerCase();
    if (ext === ".html" || ext === ".htm") {
        return "html";
    }
    if (ext === ".md" || ext === ".markdown") {
        return "markdown";
    }
    throw new CheckError(`cannot tell the report format from --out ${out}: name it .html or .md, or give --format html|markdown`);
}

/** Writes a whole file or nothing (a temporary file renamed into place). */
function writeWhole(file: string, text: string): void {
    const dir = path.dirname(file);
    if (!fs.existsSync(dir)) {
        throw new CheckError(`cannot write ${file}: the directory ${dir} does not exist`);
    }
    const tmp = `${file}.${process.pid}.tmp`;
    try {
        fs.writeFileSync(tmp, text);
        fs.renameSync(tmp, file);
    } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw new CheckError(`cannot write ${file}: ${(e as Error).message}`, e);
    }
}

function sourceText(programDir: string | undefined, opts: SourceOptions): string {
    return opts.stackExport !== undefined ? `stack export ${opts.stackExport}` : `program ${programDir ?? "."} (run offline under mocks)`;
}

async function graph(programDir: string | undefined, opts: GraphOptions, io: Io): Promise<number> {
    const cwd = io.cwd ?? process.cwd();
    const run: CheckRun = await runCheck(programDir, opts, io);
    const evidence = graphOf(run);
    let text: string;
    if (opts.format === "json") {
        text = JSON.stringify(evidence, null, 2) + "\n";
    } else {
        const drawn = condense(evidence, { maxNodes: opts.maxNodes });
        const title = `${run.snapshot.project}/${run.snapshot.stack} duties`;
        text = opts.format === "mermaid" ? renderMermaid(drawn) : opts.format === "dot" ? renderDot(drawn, title) : await renderSvg(renderDot(drawn, title));
    }
    if (opts.out !== undefined) {
        writeWhole(path.resolve(cwd, opts.out), text);
    } else {
        io.stdout(text);
    }
    return countViolations(run.report).mandatory > 0 ? 1 : 0;
}

async function report(programDir: string | undefined, opts: ReportOptions, io: Io): Promise<number> {
    const cwd = io.cwd ?? process.cwd();
    if (opts.out === undefined) {
        throw new CheckError("missing --out <file>: the report is written to a file, e.g. --out evidence.html (or evidence.md)");
    }
    const format = reportFormat(opts.out, opts.format);
    const run = await runCheck(programDir, opts, io);
    const info = packageInfo();
    const evidence = collectEvidence(run, { source: sourceText(programDir, opts), tool: { name: info.name, version: info.version } });
    const drawn = condense(evidence.graph, { maxNodes: opts.maxNodes });
    const caption = graphCaption(drawn);
    const title = `${run.snapshot.project}/${run.snapshot.stack} duties`;
    const text =
        format === "html"
            ? renderHtml(evidence, { svg: await renderSvg(renderDot(drawn, title)), graphCaption: caption })
            : renderMarkdown(evidence, renderMermaid(drawn), caption);
    writeWhole(path.resolve(cwd, opts.out), text);
    const s = evidence.findings.summary;
    io.stdout(`${opts.out}: ${evidence.verdict === "blocked" ? "blocked" : "passed"} (${s.mandatory} mandatory, ${s.advisory} advisory, ${s.notes} notes; ${evidence.waivers.length} waivers, ${evidence.approvals.length} approvals)\n`);
    return evidence.verdict === "blocked" ? 1 : 0;
}

export function registerEvidenceCommands(program: Command, io: Io, run: (result: Promise<number>, verbose: boolean) => void, captureHelp: (text: string) => void): void {
    const configure = (c: Command): Command => c.exitOverride().configureOutput({ writeOut: captureHelp, writeErr: () => undefined, outputError: () => undefined });
    configure(
        addSourceOptions(program.command("graph").description("draw the principals of a stack, the duties they hold and the escalation edges between them"))
            .addOption(new Option("--format <format>", "graph format").choices([...GRAPH_FORMATS]).default("mermaid"))
            .option("--max-nodes <n>", "condense larger graphs to about this many principal nodes (default: 40)", parseMaxNodes)
            .option("--out <file>", "write the graph to a file instead of stdout"),
    ).action((programDir: string | undefined, opts: GraphOptions) => run(graph(programDir, opts, io), opts.verbose === true));
    configure(
        addSourceOptions(program.command("report").description("write a self-contained evidence report (HTML or Markdown) of a stack for auditors"))
            .addOption(new Option("--format <format>", "report format (default: from the --out extension)").choices([...REPORT_FORMATS]))
            .option("--out <file>", "the report file: .html or .md")
            .option("--max-nodes <n>", "condense larger duty graphs to about this many principal nodes (default: 40)", parseMaxNodes),
    ).action((programDir: string | undefined, opts: ReportOptions) => run(report(programDir, opts, io), opts.verbose === true));
}
