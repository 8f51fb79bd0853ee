/**
 * Program mode and multi-stack setups: StackReference outputs come from
 * `--stack-reference <name>=<file>` (what `pulumi stack output --json` prints); without it they are
 * unknown in preview and an update-mode check says what to pass. ARNs use the stack's
 * aws:allowedAccountIds account.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { main } from "../../cli/main";

const ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.relative(ROOT, path.join(__dirname, "..", "fixtures", "programs", "stack-reference"));

async function check(...args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main(["check", PROGRAM, "--format", "json", ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: ROOT });
    return { code, stderr, report: stdout ? JSON.parse(stdout) : undefined };
}

describe("sealed-infra check: stack references and the AWS account", function () {
    this.timeout(120_000);

    it("reads referenced stack outputs from --stack-reference and judges them", async () => {
        const run = await check("--stack-reference", `acme/platform/prod=${PROGRAM}/platform-outputs.json`);
        assert.equal(run.code, 1, run.stderr);
        const images = run.report.violations.filter((v: { policyName: string }) => v.policyName === "images-pinned-by-digest");
        assert.equal(images.length, 1);
        assert.match(images[0].message, /image "nginx:1.25"/);
    });

    it("treats unprovided stack outputs as unknown in preview ('verified at update')", async () => {
        const run = await check("--preview");
        assert.equal(run.code, 0, run.stderr);
        // Not a finding: a note that images-pinned-by-digest checks the value at update.
        assert.deepEqual(run.report.violations.filter((v: { policyName: string }) => v.policyName === "images-pinned-by-digest"), []);
        const notes = run.report.notes.map((n: { message: string }) => n.message).filter((m: string) => m.includes("images-pinned-by-digest"));
        assert.equal(notes.length, 1, JSON.stringify(run.report.notes));
        assert.match(notes[0], / not known until the update; images-pinned-by-digest checks it at update\.$/);
    });

    it("says what to pass when an update-mode check needs unprovided stack outputs", async () => {
        const run = await check();
        assert.equal(run.code, 2);
        assert.equal(run.report, undefined);
        assert.match(run.stderr, /^sealed-infra: .*StackReference "acme\/platform\/prod": its outputs are not available offline; pass --stack-reference acme\/platform\/prod=<file>/);
        assert.equal(run.stderr.trim().split("\n").length, 1);
    });

    it("rejects a malformed --stack-reference", async () => {
        const run = await check("--stack-reference", "acme/platform/prod");
        assert.equal(run.code, 2);
        assert.match(run.stderr, /expected <stack name>=<file>/);
    });

    it("builds ARNs in the account of aws:allowedAccountIds", async () => {
        const { recordProgram } = await import("../../cli/sources/program");
        const stack = await recordProgram(path.join(ROOT, PROGRAM), { preview: false, stackReferences: { "acme/platform/prod": { webImage: "x" } } });
        const role = stack.resources.find((r) => r.type === "aws:iam/role:Role")!;
        assert.match(String(role.outputs.arn), /^arn:aws:iam::555566667777:role\/reader-/);
        const { accountOf } = await import("../../cli/sources/program");
        assert.equal(accountOf({}), "123456789012");
        assert.equal(accountOf({ "aws:allowedAccountIds": "[444455556666, 1]" }), "444455556666");
    });
});
