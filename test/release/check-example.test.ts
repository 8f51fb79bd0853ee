/**
 * The two-person rule through `sealed-infra check` (cli/main.ts): examples/approved-release run under
 * mocks, its resources sent to the launched pack over gRPC, with a `--config` file holding the
 * approver public key. The committed approval passes; approvals made here with keys generated in
 * the test are then swapped in (a temporary project whose `main` is the example and whose stack
 * config names the approval file): each key type passes, and a tampered, expired, other-stack,
 * unknown-key, self-approved or incomplete approval blocks the update, naming the artifact and why.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/main";
import { createManifest, formatTimestamp, manifestText, ManifestInput } from "../../policypack/src/engine/release/manifest";
import { IMAGE, LAMBDA_PACKAGE_SHA256, PROJECT } from "../../examples/approved-release/release";
import { Kind, KINDS, pair, sign } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const EXAMPLE = path.join(ROOT, "examples", "approved-release");
const IMAGE_DIGEST = IMAGE.slice(IMAGE.indexOf("@") + 1);
const LAMBDA_DIGEST = `sha256:${LAMBDA_PACKAGE_SHA256}`;
const APPROVER = "release-manager@acme.example";
const DEPLOYER = "ci@acme.example";

interface Violation {
    policyName: string;
    enforcementLevel: string;
    resourceType: string;
    resourceName: string;
    message: string;
}

interface Run {
    code: number;
    violations: Violation[];
    stderr: string;
}

/**
 * The example's Lambda runs code from S3: its codeSha256 (what AWS computes from the package) is
 * not known offline, so the report notes that release-approved checks that hash at preview or
 * update. Offline, the approval is verified against the declared sourceCodeHash.
 */
function isS3CodeHashNote(message: string): boolean {
    return /^aws:lambda:Function "checkout" \([^)]*\): codeSha256 is not known offline .*release-approved checks it/.test(message);
}

async function check(args: string[]): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const code = await main(["check", ...args, "--format", "json"], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    assert.notEqual(code, 2, `sealed-infra check failed to run: ${stderr}`);
    const report = JSON.parse(stdout);
    const notes: string[] = report.notes.map((n: { message: string }) => n.message);
    assert.equal(notes.filter(isS3CodeHashNote).length, 1, `the S3 code hash is noted as not known offline; notes:\n${notes.join("\n")}`);
    return { code, violations: report.violations, stderr };
}

function manifestOf(overrides: Partial<ManifestInput> = {}): string {
    return manifestText(
        createManifest({
            project: PROJECT,
            stack: "dev",
            artifacts: [
                { digest: IMAGE_DIGEST, kind: "image" },
                { digest: LAMBDA_DIGEST, kind: "lambda-code" },
            ],
            expires: formatTimestamp(Date.now() + 7 * 86_400_000),
            approver: APPROVER,
            ticket: "CHG-7",
            ...overrides,
        }),
    );
}

describe("release approvals through `sealed-infra check` on examples/approved-release", function () {
    this.timeout(300_000);
    let dir: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-infra-approved-release-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** A project that runs the example with `approval` carried in, and a pack config trusting `kind`'s key. */
    function project(name: string, approval: { manifest: string; signature: string; keyId?: string }, kind: Kind, stacks = ["dev"]): { dir: string; config: string } {
        const projectDir = path.join(dir, name);
        fs.mkdirSync(projectDir);
        fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: nodejs\nmain: ${EXAMPLE}\n`);
        // The program's dependencies, as an installed project has them (the checker resolves @pulumi/pulumi from here).
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(projectDir, "node_modules"), "dir");
        // ts-node compiles the program with the project's tsconfig (found from the project directory).
        fs.writeFileSync(path.join(projectDir, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, strict: true } }));
        const approvalFile = path.join(projectDir, "release.approval.json");
        fs.writeFileSync(approvalFile, JSON.stringify(approval));
        for (const stack of stacks) {
            fs.writeFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), `config:\n  ${PROJECT}:approvalFile: ${approvalFile}\n`);
        }
        const config = path.join(projectDir, "policy-config.json");
        fs.writeFileSync(
            config,
            JSON.stringify({
                "release-approved": {
                    requireApprovals: true,
                    approverKeys: [{ id: `${kind}-key`, publicKeyPem: pair(kind).publicKeyPem, approver: APPROVER }],
                    deployerIdentities: [DEPLOYER],
                },
            }),
        );
        return { dir: projectDir, config };
    }

    function signedApproval(kind: Kind, text = manifestOf(), slot = 0) {
        return { manifest: text, signature: sign(kind, text, { slot }), keyId: `${kind}-key` };
    }

    /** The run is blocked by release-approved on exactly `resources`, each message matching every pattern. */
    function blockedOn(run: Run, resources: string[], ...patterns: RegExp[]): void {
        assert.equal(run.code, 1);
        const mine = run.violations.filter((v) => v.policyName === "release-approved" && v.enforcementLevel === "mandatory");
        assert.deepEqual(mine.map((v) => v.resourceName).sort(), [...resources].sort(), mine.map((v) => v.message).join("\n"));
        for (const v of mine) {
            for (const p of patterns) {
                assert.match(v.message, p);
            }
        }
        const others = run.violations.filter((v) => v.policyName !== "release-approved");
        assert.deepEqual(others, [], "only release-approved speaks");
    }

    const EVERY_ARTIFACT = ["shop-web", "checkout", "release-release-approval"];

    it("the committed example approval passes with the committed config (exit 0, no finding)", async () => {
        const run = await check([EXAMPLE, "--config", path.join(EXAMPLE, "policy-config.json")]);
        assert.deepEqual(run.violations, []);
        assert.equal(run.code, 0);
    });

    it("without the approver keys in the config the same program is blocked", async () => {
        const run = await check([EXAMPLE]);
        blockedOn(run, EVERY_ARTIFACT, /ApprovedRelease "release" does not count: it is signed with key "release-approvals-example", which is not one of the pack's approverKeys \(the pack config has no approverKeys\)/);
    });

    for (const kind of KINDS) {
        it(`an approval signed in the test with a ${kind} key passes`, async () => {
            const p = project(`valid-${kind}`, signedApproval(kind), kind);
            const run = await check([p.dir, "--config", p.config]);
            assert.deepEqual(run.violations, []);
            assert.equal(run.code, 0);
        });
    }

    it("one byte changed in the manifest blocks every artifact: the signature does not verify", async () => {
        const approval = signedApproval("ecdsa-p256");
        const tampered = approval.manifest.replace("CHG-7", "CHG-8");
        assert.notEqual(tampered, approval.manifest);
        const p = project("tampered", { ...approval, manifest: tampered }, "ecdsa-p256");
        blockedOn(await check([p.dir, "--config", p.config]), EVERY_ARTIFACT, /its signature does not verify against key "ecdsa-p256-key": the manifest or the signature was changed after signing/);
    });

    it("an expired approval blocks, naming the expiry", async () => {
        const p = project("expired", signedApproval("ed25519", manifestOf({ expires: "2026-01-01T00:00:00Z" })), "ed25519");
        blockedOn(await check([p.dir, "--config", p.config]), EVERY_ARTIFACT, /ApprovedRelease "release" does not count: it expired at 2026-01-01T00:00:00Z/);
    });

    it("an approval for dev blocks the prod stack", async () => {
        const p = project("other-stack", signedApproval("ed25519"), "ed25519", ["dev", "prod"]);
        assert.deepEqual((await check([p.dir, "--config", p.config])).violations, []);
        blockedOn(
            await check([p.dir, "--config", p.config, "--stack", "prod"]),
            EVERY_ARTIFACT,
            /it approves project "sealed-infra-approved-release" stack "dev", not this stack \(project "sealed-infra-approved-release" stack "prod"\)/,
        );
    });

    it("an approval signed by a key the pack does not know blocks", async () => {
        const p = project("unknown-key", { ...signedApproval("rsa-pss", manifestOf(), 1), keyId: "deployer-key" }, "rsa-pss");
        blockedOn(await check([p.dir, "--config", p.config]), EVERY_ARTIFACT, /it is signed with key "deployer-key", which is not one of the pack's approverKeys \(configured: "rsa-pss-key"\)/);
    });

    it("an approval whose approver is a deployer identity blocks", async () => {
        const p = project("self-approval", signedApproval("ed25519", manifestOf({ approver: DEPLOYER })), "ed25519");
        blockedOn(await check([p.dir, "--config", p.config]), EVERY_ARTIFACT, /its approver "ci@acme\.example" is a deployer \(deployerIdentities "ci@acme\.example"\)/);
    });

    it("an artifact missing from the manifest blocks that artifact only", async () => {
        const p = project("missing", signedApproval("ed25519", manifestOf({ artifacts: [{ digest: IMAGE_DIGEST, kind: "image" }] })), "ed25519");
        const run = await check([p.dir, "--config", p.config]);
        blockedOn(run, ["checkout"], /the function's code hash "nE86HeewTSqOYfDFs6eeKNQcaw9eKoc9nBtObwotjH4=" \(sourceCodeHash\) is not covered by a valid release approval: ApprovedRelease "release" is valid .* but does not list this digest/);
    });

    it("the documented KMS flow: approve create, a DER ECDSA signature decoded by base64 -d, approve attach, then check", async () => {
        const p = project("kms", { manifest: "", signature: "" }, "ecdsa-p256");
        const io = { stdout: () => undefined, stderr: (t: string) => assert.fail(t), cwd: p.dir };
        const created = await main(
            ["approve", "create", "--project", PROJECT, "--stack", "dev", "--image", IMAGE, "--lambda-code-hash", Buffer.from(LAMBDA_PACKAGE_SHA256, "hex").toString("base64"),
                "--expires-in", "2d", "--approver", APPROVER, "--ticket", "CHG-9", "--out", "release.manifest.json"],
            io,
        );
        assert.equal(created, 0);
        // Stand-in for `aws kms sign --key-id <ReleaseSigningKey> --message fileb://release.manifest.json --message-type RAW
        //   --signing-algorithm ECDSA_SHA_256 --output text --query Signature | base64 -d > release.sig`:
        // the same algorithm (ECDSA P-256, SHA-256 of the message), DER, printed as base64 and decoded by base64 -d.
        const kmsText = `${sign("ecdsa-p256", fs.readFileSync(path.join(p.dir, "release.manifest.json")))}\n`;
        fs.writeFileSync(path.join(p.dir, "release.sig"), execFileSync("base64", ["-d"], { input: kmsText }));
        assert.equal(fs.readFileSync(path.join(p.dir, "release.sig"))[0], 0x30, "DER");
        fs.writeFileSync(path.join(p.dir, "approver.pub.pem"), pair("ecdsa-p256").publicKeyPem);
        const attached = await main(
            ["approve", "attach", "release.manifest.json", "--signature", "release.sig", "--key-id", "ecdsa-p256-key", "--public-key", "approver.pub.pem", "--out", "release.approval.json"],
            io,
        );
        assert.equal(attached, 0);
        const run = await check([p.dir, "--config", p.config]);
        assert.deepEqual(run.violations, []);
        assert.equal(run.code, 0);
    });
});
