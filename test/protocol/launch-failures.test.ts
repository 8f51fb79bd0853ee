/**
 * A pack that cannot be launched or talked to ends `check` with one clear line (CheckError), and
 * never leaves its process behind. Fixture packs: test/fixtures/packs/.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { launchPolicyPack, livePackPids, runPolicyPack } from "../../cli/analyzer/client";
import { relevantLine } from "../../cli/analyzer/launch";
import { emptyPb } from "../../cli/analyzer/proto";
import { ecrRepository, FIXTURES, noProcessLeft, rejectsWithCheckError, ROOT, rootStack, snapshot } from "./helpers";

const run = (packDir: string, timeoutMs?: number) =>
    runPolicyPack({ packDir, snapshot: snapshot([rootStack(), ecrRepository("images", "MUTABLE")]), timeoutMs });

describe("protocol: launch failures", function () {
    this.timeout(60_000);

    it("rejects a directory without PulumiPolicy.yaml, before starting anything", async () => {
        const dir = path.join(FIXTURES, "no-policy-yaml");
        const err = await noProcessLeft(0, () => rejectsWithCheckError(run(dir), /no PulumiPolicy\.yaml in /, /not a policy pack directory/));
        assert.ok(err.message.includes(dir), err.message);
    });

    it("rejects a pack directory that does not exist", async () => {
        const dir = path.join(FIXTURES, "does-not-exist");
        await noProcessLeft(0, () => rejectsWithCheckError(run(dir), /policy pack directory .*does-not-exist does not exist/));
    });

    it("rejects a runtime other than nodejs", async () => {
        await noProcessLeft(0, () => rejectsWithCheckError(run(path.join(FIXTURES, "python-runtime")), /has runtime "python"; only nodejs policy packs/));
    });

    it("says the dependencies are missing when run-policy-pack cannot be resolved from the pack", async () => {
        // Outside the repository, nothing resolves @pulumi/pulumi.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "si-nodeps-"));
        try {
            fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
            fs.writeFileSync(path.join(dir, "package.json"), '{"name":"x","version":"1.0.0"}');
            await noProcessLeft(0, () =>
                rejectsWithCheckError(run(dir), /@pulumi\/pulumi\/cmd\/run-policy-pack is not resolvable/, /run npm install in /),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("reports a pack that throws at start with its exit code and the error line from stderr", async () => {
        const err = await noProcessLeft(1, () =>
            rejectsWithCheckError(
                run(path.join(FIXTURES, "throws-at-start")),
                /throws-at-start exited with code \d+ before printing its port/,
                /: Error: pack failed to initialise: missing data file policies\.json$/,
            ),
        );
        const detail = (err as Error & { detail?: { stderr?: string } }).detail;
        assert.match(detail?.stderr ?? "", /at Object\.<anonymous>/, "full stderr (with the stack) is kept in detail for --verbose");
    });

    it("reports a pack that prints something else before its port as an invalid port", async () => {
        await noProcessLeft(1, () =>
            rejectsWithCheckError(
                run(path.join(FIXTURES, "garbage-stdout")),
                /garbage-stdout wrote an invalid port to stdout: "Loading policies\.\.\."/,
                /must not print to stdout while loading/,
            ),
        );
    });

    it("times out on a pack that never prints its port, and kills it", async () => {
        await noProcessLeft(1, () =>
            rejectsWithCheckError(run(path.join(FIXTURES, "never-prints-port"), 1500), /never-prints-port did not print its port within 1\.5 s$/),
        );
    });

    it("reports a pack that exits without printing anything", async () => {
        await noProcessLeft(1, () => rejectsWithCheckError(run(path.join(FIXTURES, "exits-silently")), /exits-silently exited with code 0 before printing its port$/));
    });

    it("reports a pack killed mid-session as having died during the call", async () => {
        const pack = await launchPolicyPack({
            packDir: path.join(FIXTURES, "echo"),
            stack: { organization: "o", project: "p", stack: "s", dryRun: true, config: {} },
        });
        try {
            pack.child.kill("SIGKILL");
            await rejectsWithCheckError(
                pack.call("getAnalyzerInfo", new emptyPb.Empty(), "GetAnalyzerInfo"),
                /echo was killed by SIGKILL during GetAnalyzerInfo/,
            );
        } finally {
            await pack.close();
        }
        assert.deepEqual(livePackPids(), []);
    });
});

describe("protocol: no pack outlives its parent", function () {
    this.timeout(60_000);

    /** Starts support/parent-of-pack.ts, resolves with [parent, pack pid] once the pack is up. */
    function startParent(mode: "wait" | "exit") {
        const parent = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "support", "parent-of-pack.ts"), mode], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        const exited = new Promise<number | null>((resolve) => parent.once("exit", (code) => resolve(code)));
        const packPid = new Promise<number>((resolve, reject) => {
            let out = "";
            let err = "";
            parent.stdout!.on("data", (c) => {
                out += c;
                const m = /^(\d+)\n/.exec(out);
                if (m) {
                    resolve(Number(m[1]));
                }
            });
            parent.stderr!.on("data", (c) => (err += c));
            void exited.then((code) => reject(new Error(`parent exited (${code}) before the pack started: ${err}`)));
        });
        return { parent, packPid, exited };
    }

    async function gone(pid: number): Promise<boolean> {
        for (let i = 0; i < 50; i++) {
            try {
                process.kill(pid, 0);
            } catch {
                return true;
            }
            await new Promise((r) => setTimeout(r, 100));
        }
        return false;
    }

    it("kills the pack when the parent exits without closing it", async () => {
        const { packPid, exited } = startParent("exit");
        const pid = await packPid;
        assert.equal(await exited, 0);
        assert.ok(await gone(pid), `pack ${pid} still running after its parent exited`);
    });

    it("kills the pack when the parent is terminated by SIGTERM, and the parent still dies of SIGTERM", async () => {
        const { parent, packPid } = startParent("wait");
        const pid = await packPid;
        const signal = new Promise<NodeJS.Signals | null>((resolve) => parent.once("exit", (_code, sig) => resolve(sig)));
        parent.kill("SIGTERM");
        assert.equal(await signal, "SIGTERM");
        assert.ok(await gone(pid), `pack ${pid} still running after its parent was terminated`);
    });
});

describe("protocol: the relevant stderr line", () => {
    it("prefers the error line over the runtime's preamble and stack frames", () => {
        const stderr = [
            "\u001b[31merror:\u001b[39m [runtime] Running program '/x' failed with an unhandled exception:",
            "    TypeError: Cannot read properties of undefined (reading 'map')",
            "    at Object.<anonymous> (/x/index.js:3:9)",
        ].join("\n");
        assert.equal(relevantLine(stderr), "TypeError: Cannot read properties of undefined (reading 'map')");
    });

    it("finds TypeScript compile errors and missing modules", () => {
        assert.equal(relevantLine("⨯ Unable to compile TypeScript:\nindex.ts(3,1): error TS2304: Cannot find name 'x'."), "index.ts(3,1): error TS2304: Cannot find name 'x'.");
        assert.match(relevantLine("node:internal/modules\n  throw err;\nError: Cannot find module '@pulumi/policy'\nRequire stack:")!, /^Error: Cannot find module '@pulumi\/policy'$/);
    });

    it("falls back to the last line", () => {
        assert.equal(relevantLine("starting\nsomething odd happened\n"), "something odd happened");
        assert.equal(relevantLine("   \n"), undefined);
    });
});
