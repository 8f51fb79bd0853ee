/**
 * The examples are the product's demonstration: the compliant ones must come out of the whole
 * pack clean (no finding of any level), and `violations` must be blocked by at least one mandatory
 * violation of every policy in the catalogue. Runs through `sealed-infra check` (program under
 * mocks, launched pack, gRPC), in update and in preview mode.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { catalogue } from "../../policypack/src/catalogue";
import { sarifErrors } from "../cli/sarif-schema";

const EXAMPLES = path.resolve(__dirname, "..", "..", "examples");

interface JsonReport {
    violations: Array<{ policyName: string; enforcementLevel: string; resourceName: string; message: string }>;
    summary: { mandatory: number; advisory: number };
}

/** An example that needs pack config (e.g. approver keys) ships it as policy-config.json. */
function configFlags(dir: string): string[] {
    const file = path.join(EXAMPLES, dir, "policy-config.json");
    return fs.existsSync(file) ? ["--config", file] : [];
}

async function run(dir: string, format: string, ...flags: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await main(["check", path.join(EXAMPLES, dir), "--format", format, ...configFlags(dir), ...flags], {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        cwd: path.dirname(EXAMPLES),
    });
    assert.notEqual(code, 2, `sealed-infra check examples/${dir} failed to run: ${stderr}`);
    return { code, stdout, stderr };
}

async function check(dir: string, ...flags: string[]): Promise<{ code: number; report: JsonReport; stderr: string }> {
    const { code, stdout, stderr } = await run(dir, "json", ...flags);
    return { code, report: JSON.parse(stdout), stderr };
}

/**
 * What the offline check cannot verify in a compliant example, by design: the Lambda in
 * examples/approved-release runs code from S3, whose hash (codeSha256) only AWS knows once the
 * function exists. It is an advisory that says so (pulumi preview with the pack verifies it), and
 * nothing else may appear.
 */
const OFFLINE_LIMITS: Record<string, string[]> = {
    "approved-release": ["release-approved checkout: codeSha256 is not known offline"],
};

function findingLines(report: JsonReport): string[] {
    return report.violations.map((v) => `${v.policyName} ${v.resourceName}: ${v.message}`);
}

const programs = fs.readdirSync(EXAMPLES).filter((d) => fs.existsSync(path.join(EXAMPLES, d, "Pulumi.yaml")));

describe("examples", () => {
    it("include the deliberately violating program", () => {
        assert.ok(programs.includes("violations"));
    });

    for (const dir of programs.filter((d) => d !== "violations")) {
        it(`examples/${dir} passes the whole pack at update, with no finding but what offline cannot verify`, async () => {
            const { code, report } = await check(dir);
            const limits = OFFLINE_LIMITS[dir] ?? [];
            const unexpected = findingLines(report).filter((line) => !limits.some((l) => line.startsWith(l.split(": ")[0]) && line.includes(l.split(": ")[1])));
            assert.deepEqual(unexpected, []);
            assert.equal(report.violations.length, limits.length, findingLines(report).join("\n"));
            assert.ok(report.violations.every((v) => v.enforcementLevel === "advisory"));
            assert.equal(code, 0);
        });
        it(`examples/${dir} has no mandatory violation in preview`, async () => {
            const { code, report } = await check(dir, "--preview");
            assert.deepEqual(report.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policyName} ${v.resourceName}: ${v.message}`), []);
            assert.equal(code, 0);
        });
    }

    it("examples/violations is blocked with a mandatory violation of every resource policy", async () => {
        const { code, report } = await check("violations");
        assert.equal(code, 1);
        const fired = new Set(report.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policyName));
        // The waivers policy judges the pack's config, not resources (test/protocol/waivers.test.ts).
        const silent = catalogue.filter((p) => p.guarantee !== "exceptions").map((p) => p.name).filter((name) => !fired.has(name));
        assert.deepEqual(silent, [], `policies with no mandatory violation in examples/violations: ${silent.join(", ")}`);
    });

    it("examples/violations in SARIF: one result per finding, each at its declaration in the program's sources, with distinct fingerprints", async () => {
        const { report } = await check("violations");
        const { stdout } = await run("violations", "sarif");
        const sarif = JSON.parse(stdout);
        assert.equal(sarifErrors(sarif), "");
        const results = sarif.runs[0].results as Array<{
            ruleId: string;
            partialFingerprints: Record<string, string>;
            locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } }; logicalLocations?: Array<{ fullyQualifiedName: string }> }>;
        }>;
        assert.equal(results.length, report.violations.length);
        const programFiles = new Set(fs.readdirSync(path.join(EXAMPLES, "violations")).filter((f) => f.endsWith(".ts")).map((f) => `examples/violations/${f}`));
        for (const r of results) {
            const where = r.locations[0].physicalLocation;
            assert.ok(programFiles.has(where.artifactLocation.uri), `${r.ruleId} at ${where.artifactLocation.uri}`);
            assert.ok(where.region && where.region.startLine >= 1, `${r.ruleId} ${r.locations[0].logicalLocations?.[0].fullyQualifiedName} has no region`);
            const lines = fs.readFileSync(path.join(path.dirname(EXAMPLES), where.artifactLocation.uri), "utf8").split("\n");
            assert.ok(where.region.startLine <= lines.length);
        }
        const ids = results.map((r) => r.partialFingerprints["sealedInfraFinding/v1"]);
        assert.equal(new Set(ids).size, results.length, "every finding has its own fingerprint");
        // A finding keeps its identity from run to run.
        const again = JSON.parse((await run("violations", "sarif")).stdout).runs[0].results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints["sealedInfraFinding/v1"]);
        assert.deepEqual(again, ids);
    });
});
