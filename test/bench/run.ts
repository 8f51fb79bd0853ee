/**
 * `npm run bench`: sealed-infra's pack against the floor of @pulumi/policy itself, launched and
 * driven exactly as the Pulumi CLI does (cli/analyzer). Prints ratios; asserts nothing (timing
 * belongs here, never in tests). Targets from docs/design.md "Performance budget":
 *   cold start (spawn to port)          <= 1.2x an empty pack            (median of --runs)
 *   Analyze per resource, p50           <= 1.5x an empty pack
 *   AnalyzeStack at 20k resources       <= 1.5x a pack with one no-op stack policy (time, peak RSS)
 *   growth from 1k to 20k resources     exponent <= 1.2
 * and for the adversarial shapes of issue 12 (test/bench/stack-analysis.ts SHAPES: dense trust,
 * long assume chains, many groups with many members, many Kubernetes bindings to one service
 * account), at 1,000 and 5,000 principals:
 *   AnalyzeStack at 5k                  <= 2x the no-op stack pack in time, <= 1.5x in peak RSS
 *   growth from 1k to 5k                exponent <= 1.2
 * and the offline check of a 50,000-resource `pulumi stack export` through the real CLI
 * (test/bench/export-check.ts): the CLI's peak RSS below its pack's.
 *
 * Options: --runs N (cold starts per pack, default 7), --requests N (Analyze calls, default 2000),
 * --sizes 1000,5000,20000, --shapes dense-trust,dense-trust-reported,assume-chain,groups,k8s-bindings,
 * --shape-sizes 1000,5000, --repeat N (AnalyzeStack runs per size, medians; default 1),
 * --export-size N (default 50000), --skip cold,analyze,stack,shapes,export.
 */
import * as fs from "fs";
import * as path from "path";
import { launchPolicyPack, LaunchedPack, preparePack } from "../../cli/analyzer/client";
import { pb } from "../../cli/analyzer/proto";
import { buildAnalyzeRequest, encodeAnalyzeStackRequest, ResourceIndex } from "../../cli/analyzer/serialize";
import type { ResourceRecord, StackSnapshot } from "../../cli/model";
import { recordProgram } from "../../cli/sources/program";
import { emptyFloorPack, noopStackFloorPack, SEALED_INFRA_PACK } from "./floors";

const ROOT = path.resolve(__dirname, "..", "..");

function arg(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const RUNS = Number(arg("runs", "7"));
const REQUESTS = Number(arg("requests", "2000"));
const SIZES = arg("sizes", "1000,5000,20000").split(",").map(Number);
const SKIP = new Set(arg("skip", "").split(",").filter(Boolean));
const SHAPE_NAMES = arg("shapes", "dense-trust,dense-trust-reported,assume-chain,groups,k8s-bindings").split(",").filter(Boolean);
const SHAPE_SIZES = arg("shape-sizes", "1000,5000").split(",").map(Number);
const REPEAT = Number(arg("repeat", "1"));
const EXPORT_SIZE = Number(arg("export-size", "50000"));

const identity = { organization: "organization", project: "bench", stack: "dev", dryRun: false, config: {} };

function snapshotOf(resources: ResourceRecord[]): StackSnapshot {
    return { ...identity, tags: {}, resources };
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

function percentile(xs: number[], p: number): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function ms(ns: bigint): number {
    return Number(ns) / 1e6;
}

function peakRssMb(pack: LaunchedPack): number {
    const status = fs.readFileSync(`/proc/${pack.child.pid}/status`, "utf8");
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
}

function verdict(value: number, target: number): string {
    return value <= target ? `ok (target <= ${target})` : `OVER TARGET (<= ${target})`;
}

async function launch(packDir: string): Promise<LaunchedPack> {
    return launchPolicyPack({ packDir, stack: identity, timeoutMs: 60_000 });
}

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };

async function coldStart(floor: string): Promise<void> {
    const times: Record<string, number[]> = { floor: [], ours: [] };
    for (let i = 0; i < RUNS; i++) {
        for (const [label, dir] of [["floor", floor], ["ours", SEALED_INFRA_PACK]] as const) {
            const t0 = process.hrtime.bigint();
            const pack = await launch(dir);
            times[label].push(ms(process.hrtime.bigint() - t0));
            await pack.close();
        }
    }
    const ratio = median(times.ours) / median(times.floor);
    console.log(`\nCold start (spawn to port line, median of ${RUNS}, alternating)`);
    console.log(`  empty @pulumi/policy pack  ${median(times.floor).toFixed(0)} ms   [${times.floor.map((t) => t.toFixed(0)).join(", ")}]`);
    console.log(`  sealed-infra pack          ${median(times.ours).toFixed(0)} ms   [${times.ours.map((t) => t.toFixed(0)).join(", ")}]`);
    console.log(`  ratio                      ${ratio.toFixed(2)}x  ${verdict(ratio, 1.2)}`);
    results.coldStart = { floorMs: median(times.floor), oursMs: median(times.ours), ratio };
}

async function analyzeLatency(floor: string, corpus: ResourceRecord[]): Promise<void> {
    const requests = Array.from({ length: REQUESTS }, (_, i) => {
        const r = corpus[i % corpus.length];
        return { ...r, urn: `${r.urn}-${i}` };
    });
    const index = new ResourceIndex(corpus);
    const built = requests.map((r) => buildAnalyzeRequest(r, r.inputs, index, false));
    const p50: Record<string, number> = {};
    const p90: Record<string, number> = {};
    for (const [label, dir] of [["floor", floor], ["ours", SEALED_INFRA_PACK]] as const) {
        const pack = await launch(dir);
        try {
            await preparePack(pack, snapshotOf(corpus), undefined);
            for (const req of built.slice(0, 200)) {
                await pack.call("analyze", req, "Analyze"); // warm-up (JIT, lazy data)
            }
            const lat: number[] = [];
            for (const req of built) {
                const t0 = process.hrtime.bigint();
                await pack.call("analyze", req, "Analyze");
                lat.push(ms(process.hrtime.bigint() - t0));
            }
            p50[label] = percentile(lat, 50);
            p90[label] = percentile(lat, 90);
        } finally {
            await pack.close();
        }
    }
    const ratio = p50.ours / p50.floor;
    console.log(`\nAnalyze per resource (${REQUESTS} sequential calls over a ${corpus.length}-resource corpus from examples/)`);
    console.log(`  empty @pulumi/policy pack  p50 ${p50.floor.toFixed(2)} ms  p90 ${p90.floor.toFixed(2)} ms`);
    console.log(`  sealed-infra pack          p50 ${p50.ours.toFixed(2)} ms  p90 ${p90.ours.toFixed(2)} ms`);
    console.log(`  ratio (p50)                ${ratio.toFixed(2)}x  ${verdict(ratio, 1.5)}`);
    results.analyze = { p50, p90, ratio };
}

interface StackRow {
    size: number;
    resources: number;
    floorMs: number;
    oursMs: number;
    floorMb: number;
    oursMb: number;
    runs: { floorMs: number; oursMs: number; floorMb: number; oursMb: number }[];
}

/** One AnalyzeStack over `resources` in a freshly launched pack: wall time of the call and the pack's peak RSS. */
async function analyzeStackOnce(dir: string, resources: ResourceRecord[], req: InstanceType<typeof pb.AnalyzeStackRequest>): Promise<{ ms: number; mb: number }> {
    const pack = await launch(dir);
    try {
        await preparePack(pack, snapshotOf(resources), undefined);
        const t0 = process.hrtime.bigint();
        await pack.call("analyzeStack", req, "AnalyzeStack");
        const t = ms(process.hrtime.bigint() - t0);
        return { ms: t, mb: peakRssMb(pack) };
    } finally {
        await pack.close();
    }
}

/**
 * AnalyzeStack at each size, floor and ours side by side (alternating, REPEAT times, medians).
 * Prints one row per size, then the ratios at the largest size and the growth exponent.
 */
async function stackScale(
    title: string,
    floor: string,
    generate: (size: number) => ResourceRecord[],
    sizes: readonly number[],
    budget: { time: number; memory: number },
): Promise<{ rows: StackRow[]; exponent?: number; floorExponent?: number }> {
    console.log(`\n${title}`);
    console.log(`  ${"size".padStart(6)}  ${"resources".padStart(9)}  ${"floor ms".padStart(9)}  ${"ours ms".padStart(9)}  ${"time x".padStart(7)}  ${"floor MB".padStart(8)}  ${"ours MB".padStart(8)}  ${"mem x".padStart(6)}`);
    const rows: StackRow[] = [];
    for (const size of sizes) {
        const resources = generate(size);
        const index = new ResourceIndex(resources);
        const req = encodeAnalyzeStackRequest(resources, (r) => r.outputs, index);
        const runs: StackRow["runs"] = [];
        for (let i = 0; i < REPEAT; i++) {
            const f = await analyzeStackOnce(floor, resources, req);
            const o = await analyzeStackOnce(SEALED_INFRA_PACK, resources, req);
            runs.push({ floorMs: f.ms, oursMs: o.ms, floorMb: f.mb, oursMb: o.mb });
        }
        const row: StackRow = {
            size,
            resources: resources.length,
            floorMs: median(runs.map((r) => r.floorMs)),
            oursMs: median(runs.map((r) => r.oursMs)),
            floorMb: median(runs.map((r) => r.floorMb)),
            oursMb: median(runs.map((r) => r.oursMb)),
            runs,
        };
        rows.push(row);
        console.log(
            `  ${String(size).padStart(6)}  ${String(row.resources).padStart(9)}  ${row.floorMs.toFixed(0).padStart(9)}  ${row.oursMs.toFixed(0).padStart(9)}  ${(row.oursMs / row.floorMs).toFixed(2).padStart(6)}x  ${row.floorMb.toFixed(0).padStart(8)}  ${row.oursMb.toFixed(0).padStart(8)}  ${(row.oursMb / row.floorMb).toFixed(2).padStart(5)}x` +
                (REPEAT > 1 ? `   ours ms [${runs.map((r) => r.oursMs.toFixed(0)).join(", ")}]` : ""),
        );
    }
    const first = rows[0];
    const last = rows[rows.length - 1];
    console.log(`  time ratio at ${last.size}: ${(last.oursMs / last.floorMs).toFixed(2)}x  ${verdict(last.oursMs / last.floorMs, budget.time)}`);
    console.log(`  peak memory ratio at ${last.size}: ${(last.oursMb / last.floorMb).toFixed(2)}x  ${verdict(last.oursMb / last.floorMb, budget.memory)}`);
    if (rows.length < 2) {
        return { rows };
    }
    const exponent = growthExponent(first.size, first.oursMs, last.size, last.oursMs);
    const floorExponent = growthExponent(first.size, first.floorMs, last.size, last.floorMs);
    console.log(`  growth exponent ${first.size} -> ${last.size}: ${exponent.toFixed(2)} (floor ${floorExponent.toFixed(2)})  ${verdict(exponent, 1.2)}`);
    return { rows, exponent, floorExponent };
}

/** k in time ~ size^k between two measurements (1 = linear, 2 = quadratic). */
function growthExponent(sizeA: number, timeA: number, sizeB: number, timeB: number): number {
    return Math.log(timeB / timeA) / Math.log(sizeB / sizeA);
}

/** `sealed-infra check --stack-export` on a large export: the CLI must hold less than the pack it drives. */
async function exportCheck(): Promise<unknown> {
    const { measureCheck, writeSyntheticExport } = await import("./export-check");
    const file = writeSyntheticExport(EXPORT_SIZE);
    console.log(`\nsealed-infra check --stack-export, ${EXPORT_SIZE} resources (${(fs.statSync(file).size / 1e6).toFixed(0)} MB; peak RSS sampled from /proc, median of ${REPEAT})`);
    const runs = [];
    for (let i = 0; i < REPEAT; i++) {
        runs.push(await measureCheck(file));
    }
    const cliMb = median(runs.map((r) => r.cliMb));
    const packMb = median(runs.map((r) => r.packMb));
    console.log(`  CLI peak ${cliMb.toFixed(0)} MB   pack peak ${packMb.toFixed(0)} MB   CLI/pack ${(cliMb / packMb).toFixed(2)}x  ${verdict(cliMb / packMb, 1)}   (${(median(runs.map((r) => r.ms)) / 1000).toFixed(0)} s)`);
    return { size: EXPORT_SIZE, cliMb, packMb, runs };
}

async function loadGenerator(): Promise<(size: number) => ResourceRecord[]> {
    // Synthetic stacks with ~10% IAM and RBAC principals (test/bench/stack-analysis.ts).
    const mod = require("./stack-analysis");
    const generate = mod.syntheticStack ?? mod.generateSyntheticStack ?? mod.default;
    if (typeof generate !== "function") {
        throw new Error("test/bench/stack-analysis.ts does not export syntheticStack(size)");
    }
    return generate;
}

async function main(): Promise<void> {
    console.log(`sealed-infra benchmarks (${process.version}, ${require("os").cpus().length} cores)`);
    const empty = emptyFloorPack();
    const noop = noopStackFloorPack();
    if (!SKIP.has("cold")) {
        await coldStart(empty);
    }
    if (!SKIP.has("analyze")) {
        const corpus: ResourceRecord[] = [];
        for (const dir of fs.readdirSync(path.join(ROOT, "examples"))) {
            const programDir = path.join(ROOT, "examples", dir);
            if (fs.existsSync(path.join(programDir, "Pulumi.yaml"))) {
                corpus.push(...(await recordProgram(programDir, { preview: false })).resources);
            }
        }
        await analyzeLatency(empty, corpus);
    }
    if (!SKIP.has("stack")) {
        results.stack = await stackScale(
            "AnalyzeStack, ordinary stacks (whole stack, outputs; fresh pack per run; peak RSS = the pack's VmHWM)",
            noop,
            await loadGenerator(),
            SIZES,
            { time: 1.5, memory: 1.5 },
        );
    }
    if (!SKIP.has("shapes")) {
        const { SHAPES } = require("./stack-analysis") as { SHAPES: Record<string, (size: number) => ResourceRecord[]> };
        const shapes: Record<string, unknown> = {};
        for (const name of SHAPE_NAMES) {
            if (!SHAPES[name]) {
                throw new Error(`unknown shape ${name} (known: ${Object.keys(SHAPES).join(", ")})`);
            }
            shapes[name] = await stackScale(`AnalyzeStack, adversarial shape "${name}" (test/bench/stack-analysis.ts)`, noop, SHAPES[name], SHAPE_SIZES, { time: 2, memory: 1.5 });
        }
        results.shapes = shapes;
    }
    if (!SKIP.has("export")) {
        results.export = await exportCheck();
    }
    fs.mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, ".bench", "results.json"), JSON.stringify(results, null, 2));
    console.log(`\nresults written to .bench/results.json`);
}

main().catch((e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
});
