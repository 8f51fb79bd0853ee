/**
 * The offline check of a large `pulumi stack export` (issue 12): the synthetic stack of
 * stack-analysis.ts written as a version-3 export (default providers, created/modified stamps,
 * inputs and outputs), checked by the real CLI (`node cli/launcher.js check --stack-export`), with
 * the peak RSS of the CLI process and of the pack it launches read from /proc while they run.
 * Pure measurement: nothing asserted here (`npm run bench` prints the comparison).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { syntheticStack } from "./stack-analysis";

const ROOT = path.resolve(__dirname, "..", "..");
const STAMP = "2026-11-20T10:15:02.123456789Z";

/** A version-3 export of the synthetic stack of `size` resources, as `pulumi stack export` writes it. */
export function syntheticExport(size: number): unknown {
    const records = syntheticStack(size);
    const stackUrn = records[0].urn;
    const prefix = stackUrn.slice(0, stackUrn.indexOf("pulumi:pulumi:Stack"));
    const providers = {
        aws: { urn: `${prefix}pulumi:providers:aws::default_7_48_0`, id: "6b0ec1f5-0b0f-4d4e-9b9a-3c2f0e6f9d11", inputs: { region: "eu-west-1", version: "7.48.0" } },
        kubernetes: { urn: `${prefix}pulumi:providers:kubernetes::default_4_34_2`, id: "0c6f3b1e-8d5f-4a8e-a2f1-77c1b0f1e0a2", inputs: { version: "4.34.2" } },
    };
    const resources: unknown[] = [];
    const [root, ...rest] = records;
    resources.push({ urn: root.urn, custom: false, type: root.type, outputs: {}, created: STAMP, modified: STAMP });
    for (const p of Object.values(providers)) {
        resources.push({ urn: p.urn, custom: true, id: p.id, type: p.urn.split("::")[2], inputs: p.inputs, outputs: p.inputs, created: STAMP, modified: STAMP });
    }
    for (const r of rest) {
        const pkg = r.type.split(":")[0] as keyof typeof providers;
        const provider = providers[pkg];
        resources.push({
            urn: r.urn,
            custom: r.custom,
            id: r.id,
            type: r.type,
            inputs: r.inputs,
            outputs: r.outputs,
            parent: root.urn,
            ...(r.options.protect ? { protect: true } : {}),
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
            ...(provider ? { provider: `${provider.urn}::${provider.id}` } : {}),
            created: STAMP,
            modified: STAMP,
        });
    }
    return {
        version: 3,
        deployment: {
            manifest: { time: STAMP, magic: "", version: "v3.248.0" },
            secrets_providers: { type: "passphrase", state: { salt: "v1:AAAA" } },
            resources,
            metadata: {},
        },
    };
}

/** Writes the export of `size` resources under .bench/ (once) and returns its path. */
export function writeSyntheticExport(size: number): string {
    const file = path.join(ROOT, ".bench", `export-${size}.json`);
    if (!fs.existsSync(file)) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(syntheticExport(size)));
    }
    return file;
}

function peakRssMb(pid: number): number | undefined {
    try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) / 1024 : undefined;
    } catch {
        return undefined; // exited
    }
}

function childrenOf(pid: number): number[] {
    try {
        return fs
            .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
            .split(/\s+/)
            .filter(Boolean)
            .map(Number);
    } catch {
        return [];
    }
}

export interface CheckMeasurement {
    exitCode: number | null;
    ms: number;
    cliMb: number;
    packMb: number;
}

/**
 * Runs `sealed-infra check --stack-export <file> --format json` and samples the peak RSS (VmHWM,
 * monotonic) of the CLI and of its pack every 50 ms until they exit.
 */
export async function measureCheck(file: string): Promise<CheckMeasurement> {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [path.join(ROOT, "cli", "launcher.js"), "check", "--stack-export", file, "--format", "json"], {
        cwd: ROOT,
        stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    let cliMb = 0;
    let packMb = 0;
    const packs = new Set<number>();
    const sample = () => {
        cliMb = Math.max(cliMb, peakRssMb(child.pid!) ?? 0);
        childrenOf(child.pid!).forEach((p) => packs.add(p));
        for (const p of packs) {
            packMb = Math.max(packMb, peakRssMb(p) ?? 0);
        }
    };
    const timer = setInterval(sample, 50);
    const exitCode = await new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    clearInterval(timer);
    if (exitCode !== 0 && exitCode !== 1) {
        throw new Error(`sealed-infra check exited with ${exitCode}: ${stderr}`);
    }
    return { exitCode, ms: Number(process.hrtime.bigint() - t0) / 1e6, cliMb, packMb };
}

if (require.main === module) {
    // `node -r ts-node/register/transpile-only test/bench/export-check.ts [size]`
    const size = Number(process.argv[2] ?? "50000");
    const file = writeSyntheticExport(size);
    void measureCheck(file).then((m) =>
        console.log(`${size} resources (${(fs.statSync(file).size / 1e6).toFixed(0)} MB): ${(m.ms / 1000).toFixed(1)} s, CLI peak ${m.cliMb.toFixed(0)} MB, pack peak ${m.packMb.toFixed(0)} MB, exit ${m.exitCode}`),
    );
}
