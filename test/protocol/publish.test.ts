/**
 * What `pulumi policy publish` ships is what runs: npm-pack policypack/ (as publish does, running
 * prepack = tsc), check the tarball is self-contained, install it into an empty directory, and
 * launch the *installed* pack through its own run-policy-pack.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import { analyzeWith, launchPolicyPack, LaunchedPack, readAnalyzerInfo } from "../../cli/analyzer/client";
import { emptyPb } from "../../cli/analyzer/proto";
import { catalogue } from "../../policypack/src/catalogue";
import { awsProvider, ecrRepository, PACK_DIR, rootStack, snapshot, urn } from "./helpers";
import { npm } from "../harness/npm";

const PACKAGE = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as {
    name: string;
    version: string;
    main: string;
    dependencies?: Record<string, string>;
};

function walk(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? walk(p) : [p];
    });
}

function packageNameOf(specifier: string): string {
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

describe("protocol: the published pack", function () {
    this.timeout(300_000);

    let tmp: string;
    let tarball: string;
    let tarFiles: string[];

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "si-publish-"));
        // Pack a copy of the pack's sources, as publish does (npm pack runs prepack = tsc), so that
        // compiling it never rewrites policypack/bin while other test files run the built pack.
        const source = path.join(tmp, "policypack");
        const skipped = new Set(["node_modules", "bin"].map((d) => path.join(PACK_DIR, d)));
        fs.cpSync(PACK_DIR, source, { recursive: true, filter: (from) => !skipped.has(from) });
        fs.symlinkSync(path.join(PACK_DIR, "..", "node_modules"), path.join(source, "node_modules"), "dir");
        const out = npm(["pack", "--pack-destination", tmp, "--json"], source);
        const json = JSON.parse(out.slice(out.indexOf("["))) as Array<{ filename: string; files: Array<{ path: string }> }>;
        tarball = path.join(tmp, json[0].filename);
        tarFiles = json[0].files.map((f) => f.path);
        assert.ok(fs.existsSync(tarball), tarball);
    });

    after(() => {
        if (tmp) {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    it("ships PulumiPolicy.yaml, package.json and what `main` points at, and no sources", () => {
        for (const f of ["PulumiPolicy.yaml", "package.json", path.posix.normalize(PACKAGE.main)]) {
            assert.ok(tarFiles.includes(f), `tarball lacks ${f}`);
        }
        assert.equal(PACKAGE.main, "bin/index.js");
        assert.deepEqual(tarFiles.filter((f) => f.startsWith("src/") || (f.endsWith(".ts") && !f.endsWith(".d.ts"))), []);
    });

    it("every require in the shipped code stays inside the package or names a declared dependency", () => {
        const extract = path.join(tmp, "extract");
        fs.mkdirSync(extract);
        execFileSync("tar", ["-xzf", tarball, "-C", extract]);
        const root = path.join(extract, "package");
        const allowed = new Set([...Object.keys(PACKAGE.dependencies ?? {}), "@pulumi/pulumi" /* installed with @pulumi/policy */]);
        const problems: string[] = [];
        const jsFiles = walk(root).filter((f) => f.endsWith(".js"));
        assert.ok(jsFiles.length > 0);
        for (const file of jsFiles) {
            const text = fs.readFileSync(file, "utf8");
            for (const m of text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
                const spec = m[1];
                const rel = path.relative(root, file);
                if (spec.startsWith(".")) {
                    const target = path.resolve(path.dirname(file), spec);
                    if (!target.startsWith(root + path.sep)) {
                        problems.push(`${rel}: require("${spec}") leaves the package`);
                    }
                } else if (!builtinModules.includes(spec.replace(/^node:/, "")) && !allowed.has(packageNameOf(spec))) {
                    problems.push(`${rel}: require("${spec}") is not a declared dependency`);
                }
            }
        }
        assert.deepEqual(problems, []);
    });

    describe("installed into an empty directory", () => {
        let installed: string;
        let pack: LaunchedPack;

        before(async () => {
            const dir = path.join(tmp, "install");
            fs.mkdirSync(dir);
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "install-test", private: true }));
            npm(["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], dir);
            installed = path.join(dir, "node_modules", PACKAGE.name);
            assert.ok(fs.existsSync(path.join(installed, "PulumiPolicy.yaml")));
            pack = await launchPolicyPack({
                packDir: installed,
                stack: { organization: "acme", project: "shop", stack: "dev", dryRun: true, config: {} },
            });
        });

        after(async () => {
            await pack?.close();
        });

        it("starts through its own @pulumi/pulumi/cmd/run-policy-pack", () => {
            assert.ok(pack.argv[0].startsWith(path.join(tmp, "install", "node_modules", "@pulumi", "pulumi") + path.sep), pack.argv[0]);
            assert.equal(pack.argv[pack.argv.length - 1], installed);
        });

        it("GetAnalyzerInfo reports the name, the package.json version and every catalogue policy", async () => {
            const resp = await pack.call<any>("getAnalyzerInfo", new emptyPb.Empty(), "GetAnalyzerInfo");
            const { info } = readAnalyzerInfo(resp);
            assert.equal(info.name, "sealed-infra");
            assert.equal(info.version, PACKAGE.version);
            assert.equal(info.supportsConfig, true);
            assert.deepEqual(info.policies.map((p) => p.name), catalogue.map((p) => p.name).sort());
            for (const p of info.policies) {
                assert.equal(p.enforcementLevel, "mandatory", p.name);
                assert.notEqual(p.severity, "", `${p.name} has a severity`);
                assert.notEqual(p.remediationSteps, "", `${p.name} has remediation steps`);
            }
        });

        it("analyzes a stack: a MUTABLE repository is a MANDATORY violation", async () => {
            const report = await analyzeWith(pack, snapshot([rootStack(), awsProvider(), ecrRepository("images", "MUTABLE")]), undefined);
            assert.deepEqual(
                report.diagnostics.filter((d) => d.policyName === "ecr-tags-immutable").map((d) => [d.policyName, d.enforcementLevel, d.urn, d.policyPackVersion]),
                [["ecr-tags-immutable", "mandatory", urn("aws:ecr/repository:Repository", "images"), PACKAGE.version]],
            );
        });

        it("leaves no process behind", async () => {
            const pid = pack.child.pid!;
            await pack.close();
            assert.notEqual(pack.exitStatus(), undefined);
            assert.throws(() => process.kill(pid, 0), /ESRCH/);
        });
    });
});
