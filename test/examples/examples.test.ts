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
    notes: Array<{ message: string }>;
    summary: { mandatory: number; advisory: number; notes: number };
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
 * What a compliant example cannot show the check, by design, as `resource: value` of the notes
 * (cli/report/unknowns.ts): nothing else may appear, and none of it is a finding.
 *  - at update, offline: the Lambda in examples/approved-release runs code from S3, whose hash
 *    (codeSha256) only AWS knows once the function exists (pulumi preview with the pack verifies it);
 *  - in preview, also what AWS assigns at create: the KMS key ARN the audit trail and its log group
 *    name (the key id is AWS's), and the ARN, so the account, of roles whose trust names principals
 *    of an account (trust-policies-scoped compares it with the role's own). Every policy document the
 *    components write is known in preview (they build ARNs from names and the caller identity), so
 *    the pack verifies them then.
 */
const UPDATE_UNKNOWNS: Record<string, string[]> = {
    "approved-release": ['aws:lambda:Function "checkout": codeSha256'],
};
const PREVIEW_UNKNOWNS: Record<string, string[]> = {
    "approved-release": ['aws:lambda:Function "checkout": codeSha256'],
    "aws-release-pipeline": [
        'aws:cloudwatch:LogGroup "audit-events": kmsKeyId',
        'aws:cloudtrail:Trail "audit": kmsKeyId',
        'aws:iam:Role "release-approver": arn',
        'aws:iam:Role "release-auditor": arn',
    ],
};

function findingLines(report: JsonReport): string[] {
    return report.violations.map((v) => `${v.policyName} ${v.resourceName}: ${v.message}`);
}

/** `aws:iam:Role "x": arn` from a note `aws:iam:Role "x" (file:line): arn is not known ...`. */
function unknownsOf(report: JsonReport): string[] {
    return report.notes
        .map((n) => /^(.+? "[^"]+")(?: \([^)]*\))?: (.+?) (?:is|are) not known /.exec(n.message))
        .map((m) => (m ? `${m[1]}: ${m[2]}` : "(not an unknown-value note)"))
        .sort();
}

const programs = fs.readdirSync(EXAMPLES).filter((d) => fs.existsSync(path.join(EXAMPLES, d, "Pulumi.yaml")));

describe("examples", () => {
    it("include the deliberately violating program", () => {
        assert.ok(programs.includes("violations"));
    });

    for (const dir of programs.filter((d) => d !== "violations")) {
        it(`examples/${dir} passes the whole pack at update: no finding, and notes only on what offline cannot know`, async () => {
            const { code, report } = await check(dir);
            assert.deepEqual(findingLines(report), []);
            assert.deepEqual(unknownsOf(report), [...(UPDATE_UNKNOWNS[dir] ?? [])].sort());
            assert.equal(code, 0);
        });
        it(`examples/${dir} previews quietly: no finding, and notes only on values AWS assigns at create`, async () => {
            const { code, report } = await check(dir, "--preview");
            assert.deepEqual(findingLines(report), []);
            assert.deepEqual(unknownsOf(report), [...(PREVIEW_UNKNOWNS[dir] ?? [])].sort());
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
