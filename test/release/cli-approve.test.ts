/**
 * `sealed-infra approve` through cli/main.ts: keygen, create (canonical bytes), sign, attach and
 * verify, for the three key types, with the exit codes and messages users see.
 */
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/main";
import { defaultKeyId } from "../../cli/approve/commands";
import { parseManifestText } from "../../policypack/src/engine/release/manifest";
import { IMAGE_A, IMAGE_B, KINDS, pair, sign } from "./helpers";

interface Result {
    code: number;
    stdout: string;
    stderr: string;
}

describe("sealed-infra approve", function () {
    this.timeout(60_000);
    let dir: string;

    async function cli(...argv: string[]): Promise<Result> {
        let stdout = "";
        let stderr = "";
        const code = await main(["approve", ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir });
        return { code, stdout, stderr };
    }
    const file = (name: string) => path.join(dir, name);

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-infra-approve-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const createArgs = ["--project", "shop", "--stack", "prod", "--image", `ghcr.io/acme/api:1.4@${IMAGE_B}`, "--image", IMAGE_A, "--expires-in", "7d", "--approver", "alice@acme.example", "--ticket", "CHG-1"];

    it("create writes the canonical manifest (stdout without a newline, or --out) with sorted artifacts", async () => {
        const r = await cli("create", ...createArgs, "--reason", "reviewed in PR 12");
        assert.equal(r.code, 0, r.stderr);
        assert.ok(!r.stdout.endsWith("\n"));
        const parsed = parseManifestText(r.stdout);
        assert.ok(parsed.ok, parsed.ok ? "" : parsed.reason);
        const m = parsed.ok ? parsed.manifest : (undefined as never);
        assert.deepEqual(m.artifacts, [
            { digest: IMAGE_A, kind: "image" },
            { digest: IMAGE_B, kind: "image", name: "ghcr.io/acme/api:1.4" },
        ]);
        assert.equal(m.project, "shop");
        assert.equal(m.stack, "prod");
        assert.match(m.expires, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        const days = (Date.parse(m.expires) - Date.parse(m.issued as string)) / 86_400_000;
        assert.equal(days, 7);

        const out = await cli("create", ...createArgs, "--out", "release.manifest.json");
        assert.equal(out.code, 0);
        assert.match(out.stdout, /^wrote release\.manifest\.json: 2 artifact\(s\) for shop\/prod, expires /);
        assert.ok(parseManifestText(fs.readFileSync(file("release.manifest.json"), "utf8")).ok);
    });

    it("create lists Lambda packages by the SHA-256 of the zip, or their base64 code hash", async () => {
        fs.writeFileSync(file("function.zip"), "PK\u0003\u0004 not really a zip");
        fs.writeFileSync(file("pack.json"), JSON.stringify({ "release-approved": { maxApprovalDays: 36500 } }));
        const hex = crypto.createHash("sha256").update(fs.readFileSync(file("function.zip"))).digest("hex");
        const other = crypto.createHash("sha256").update("other").digest();
        const r = await cli("create", "--project", "shop", "--stack", "prod", "--lambda-zip", "function.zip", "--lambda-code-hash", other.toString("base64"), "--expires", "2099-12-31", "--approver", "a", "--reason", "r", "--config", "pack.json");
        assert.equal(r.code, 0, r.stderr);
        const m = JSON.parse(r.stdout);
        assert.deepEqual(
            m.artifacts.map((a: { digest: string; kind: string; name?: string }) => `${a.kind} ${a.digest} ${a.name ?? ""}`).sort(),
            [`lambda-code sha256:${hex} function.zip`, `lambda-code sha256:${other.toString("hex")} `].sort(),
        );
        assert.equal(m.expires, "2099-12-31T23:59:59Z", "a date means the end of that day, UTC");
    });

    it("create refuses what cannot be approved, with one line on stderr and exit 2", async () => {
        const cases: Array<[string[], RegExp]> = [
            [["--project", "shop", "--stack", "prod", "--expires-in", "7d", "--approver", "a", "--ticket", "t"], /list the approved artifacts/],
            [["--project", "shop", "--stack", "prod", "--image", "nginx:1.25", "--expires-in", "7d", "--approver", "a", "--ticket", "t"], /--image "nginx:1\.25" is not pinned by a sha256 digest/],
            [["--project", "shop", "--stack", "prod", "--image", IMAGE_A, "--expires", "2020-01-01", "--approver", "a", "--ticket", "t"], /would already be expired/],
            [["--project", "shop", "--stack", "prod", "--image", IMAGE_A, "--approver", "a", "--ticket", "t"], /give the expiry/],
            [["--project", "shop", "--stack", "prod", "--image", IMAGE_A, "--expires-in", "7d", "--approver", "a"], /give a reason or a ticket/],
            [["--project", "shop", "--stack", "prod", "--lambda-code-hash", "v2", "--expires-in", "7d", "--approver", "a", "--ticket", "t"], /is not a SHA-256 hash/],
        ];
        for (const [args, pattern] of cases) {
            const r = await cli("create", ...args);
            assert.equal(r.code, 2, args.join(" "));
            assert.equal(r.stdout, "");
            assert.match(r.stderr, /^sealed-infra: [^\n]*\n$/);
            assert.match(r.stderr, pattern);
        }
    });

    describe("maxApprovalDays: approvals cannot be revoked, so their lifetime has a ceiling", () => {
        const args = ["--project", "shop", "--stack", "prod", "--image", IMAGE_A, "--approver", "a", "--ticket", "t"];

        it("create refuses an expiry beyond the default 30 days, or beyond the pack config's maxApprovalDays", async () => {
            for (const expiry of [["--expires-in", "99999d"], ["--expires-in", "31d"], ["--expires-in", "721h"]]) {
                const r = await cli("create", ...args, ...expiry);
                assert.equal(r.code, 2, expiry.join(" "));
                assert.equal(r.stdout, "");
                assert.match(r.stderr, /^sealed-infra: expiry \S+ is more than 30 days away \(the default maximum; give the organization's pack config with --config if it sets another\): the pack would not count the approval \(release-approved\.maxApprovalDays\)\n$/);
            }
            assert.equal((await cli("create", ...args, "--expires-in", "30d")).code, 0, "exactly the ceiling is allowed");

            fs.writeFileSync(file("pack.json"), JSON.stringify({ "release-approved": { maxApprovalDays: 7 } }));
            const tight = await cli("create", ...args, "--expires-in", "8d", "--config", "pack.json");
            assert.match(tight.stderr, /more than 7 days away \(the maximum in pack\.json\)/);
            assert.equal((await cli("create", ...args, "--expires-in", "7d", "--config", "pack.json")).code, 0);

            fs.writeFileSync(file("pack.json"), JSON.stringify({ "release-approved": { maxApprovalDays: 90 } }));
            assert.equal((await cli("create", ...args, "--expires-in", "60d", "--config", "pack.json")).code, 0);

            fs.writeFileSync(file("pack.json"), JSON.stringify({ "release-approved": { maxApprovalDays: 0 } }));
            assert.match((await cli("create", ...args, "--expires-in", "1d", "--config", "pack.json")).stderr, /release-approved\.maxApprovalDays is 0, expected a whole number of days, at least 1/);
        });

        it("verify judges the lifetime as the pack does", async () => {
            fs.writeFileSync(file("approver.pem"), pair("ed25519").privateKeyPem);
            fs.writeFileSync(file("approver.pub.pem"), pair("ed25519").publicKeyPem);
            fs.writeFileSync(file("pack.json"), JSON.stringify({ "release-approved": { maxApprovalDays: 90, approverKeys: [{ id: "alice", publicKeyPem: pair("ed25519").publicKeyPem }] } }));
            assert.equal((await cli("create", ...args, "--expires-in", "60d", "--config", "pack.json", "--out", "m.json")).code, 0);
            assert.equal((await cli("sign", "m.json", "--key", "approver.pem", "--key-id", "alice", "--out", "approval.json")).code, 0);
            assert.equal((await cli("verify", "approval.json", "--config", "pack.json")).code, 0);
            const byDefault = await cli("verify", "approval.json", "--public-key", "approver.pub.pem");
            assert.equal(byDefault.code, 1);
            assert.match(byDefault.stdout, /^invalid: it lasts 60 days from its issue to its expiry, more than the 30 days release-approved\.maxApprovalDays allows/);
        });
    });

    it("keygen prints the pack-config entry for the new key, with the PEM escaped as JSON", async () => {
        const r = await cli("keygen", "--private-key", "alice.pem", "--public-key", "alice.pub.pem", "--approver", "alice@acme.example");
        assert.equal(r.code, 0, r.stderr);
        const json = r.stdout.slice(r.stdout.indexOf("\n{") + 1);
        const snippet = JSON.parse(json);
        assert.deepEqual(snippet, {
            "release-approved": { approverKeys: [{ id: "alice", publicKeyPem: fs.readFileSync(file("alice.pub.pem"), "utf8"), approver: "alice@acme.example" }] },
        });
        assert.match(r.stdout, /add the entry to release-approved\.approverKeys/);
        assert.match(r.stdout, /--key-id "alice"/);
        // The snippet is the config the pack verifies with: an approval signed with the new key counts.
        fs.writeFileSync(file("pack.json"), json);
        assert.equal((await cli("create", "--project", "shop", "--stack", "prod", "--image", IMAGE_A, "--expires-in", "1d", "--approver", "alice@acme.example", "--ticket", "t", "--out", "m.json")).code, 0);
        assert.equal((await cli("sign", "m.json", "--key", "alice.pem", "--key-id", "alice", "--out", "approval.json")).code, 0);
        const verified = await cli("verify", "approval.json", "--config", "pack.json", "--project", "shop", "--stack", "prod");
        assert.equal(verified.code, 0, verified.stdout);

        const named = await cli("keygen", "--private-key", "k.pem", "--public-key", "keys/../bob.pem", "--key-id", "arn:aws:kms:eu-west-1:123456789012:alias/bob");
        const entry = JSON.parse(named.stdout.slice(named.stdout.indexOf("\n{") + 1))["release-approved"].approverKeys[0];
        assert.deepEqual(Object.keys(entry), ["id", "publicKeyPem"], "no approver unless given");
        assert.equal(entry.id, "arn:aws:kms:eu-west-1:123456789012:alias/bob");
        assert.equal(defaultKeyId("bob.pem"), "bob");
        assert.equal(defaultKeyId("keys/approver.pub.pem"), "approver");
    });

    for (const kind of KINDS) {
        it(`keygen, sign and verify with a ${kind} key`, async () => {
            const keygen = await cli("keygen", "--type", kind, "--private-key", "approver.pem", "--public-key", "approver.pub.pem");
            assert.equal(keygen.code, 0, keygen.stderr);
            assert.equal(fs.statSync(file("approver.pem")).mode & 0o777, 0o600);
            assert.match(fs.readFileSync(file("approver.pub.pem"), "utf8"), /^-----BEGIN PUBLIC KEY-----/);
            assert.equal((await cli("keygen", "--type", kind, "--private-key", "approver.pem", "--public-key", "x.pem")).code, 2, "no overwrite without --force");

            assert.equal((await cli("create", ...createArgs, "--out", "m.json")).code, 0);
            const signed = await cli("sign", "m.json", "--key", "approver.pem", "--key-id", "alice", "--out", "approval.json");
            assert.equal(signed.code, 0, signed.stderr);
            const approval = JSON.parse(fs.readFileSync(file("approval.json"), "utf8"));
            assert.deepEqual(Object.keys(approval), ["manifest", "signature", "keyId"]);
            assert.equal(approval.manifest, fs.readFileSync(file("m.json"), "utf8"));

            const ok = await cli("verify", "approval.json", "--public-key", "approver.pub.pem", "--project", "shop", "--stack", "prod");
            assert.equal(ok.code, 0, ok.stdout);
            assert.match(ok.stdout, /^valid: signed with key "alice" \(/);
            assert.match(ok.stdout, new RegExp(`${IMAGE_B}  image  ghcr\\.io/acme/api:1\\.4`));

            const wrongStack = await cli("verify", "approval.json", "--public-key", "approver.pub.pem", "--project", "shop", "--stack", "dev");
            assert.equal(wrongStack.code, 1);
            assert.match(wrongStack.stdout, /^invalid: it approves project "shop" stack "prod", not this stack \(project "shop" stack "dev"\)/);
        });
    }

    it("verify against the pack config: unknown key, deployer self-approval, tampering, expiry (--at)", async () => {
        fs.writeFileSync(file("m.json"), (await cli("create", ...createArgs)).stdout);
        fs.writeFileSync(file("approver.pem"), pair("ed25519").privateKeyPem);
        assert.equal((await cli("sign", "m.json", "--key", "approver.pem", "--key-id", "alice", "--out", "approval.json")).code, 0);
        const config = (keys: unknown[], deployers: string[] = []) => {
            fs.writeFileSync(file("pack.json"), JSON.stringify({ all: "mandatory", "release-approved": { approverKeys: keys, deployerIdentities: deployers } }));
            return "pack.json";
        };
        const alice = { id: "alice", publicKeyPem: pair("ed25519").publicKeyPem };
        assert.equal((await cli("verify", "approval.json", "--config", config([alice]))).code, 0);

        const unknown = await cli("verify", "approval.json", "--config", config([{ ...alice, id: "bob" }]));
        assert.equal(unknown.code, 1);
        assert.match(unknown.stdout, /^invalid: it is signed with key "alice", which is not one of the pack's approverKeys \(configured: "bob"\)/);

        const self = await cli("verify", "approval.json", "--config", config([alice], ["ALICE@acme.example"]));
        assert.equal(self.code, 1);
        assert.match(self.stdout, /its approver "alice@acme\.example" is a deployer \(deployerIdentities "ALICE@acme\.example"\)/);
        assert.match((await cli("verify", "approval.json", "--config", config([alice]), "--deployer", "alice@*")).stdout, /is a deployer \(deployerIdentities "alice@\*"\)/);

        const approval = JSON.parse(fs.readFileSync(file("approval.json"), "utf8"));
        fs.writeFileSync(file("tampered.json"), JSON.stringify({ ...approval, manifest: approval.manifest.replace("CHG-1", "CHG-2") }));
        const tampered = await cli("verify", "tampered.json", "--config", config([alice]));
        assert.equal(tampered.code, 1);
        assert.match(tampered.stdout, /^invalid: its signature does not verify against key "alice"/);

        const expired = await cli("verify", "approval.json", "--config", config([alice]), "--at", "2099-01-01");
        assert.equal(expired.code, 1);
        assert.match(expired.stdout, /^invalid: it expired at /);
    });

    it("attach bundles a signature made elsewhere (raw DER or base64 text) and refuses one that does not verify", async () => {
        fs.writeFileSync(file("m.json"), (await cli("create", ...createArgs)).stdout);
        fs.writeFileSync(file("pub.pem"), pair("ecdsa-p256").publicKeyPem);
        // `aws kms get-public-key --output text --query PublicKey` prints base64 DER without PEM armour.
        fs.writeFileSync(file("kms.pub"), crypto.createPublicKey(pair("ecdsa-p256").publicKeyPem).export({ format: "der", type: "spki" }).toString("base64"));
        const b64 = sign("ecdsa-p256", fs.readFileSync(file("m.json")));
        fs.writeFileSync(file("raw.sig"), Buffer.from(b64, "base64"));
        fs.writeFileSync(file("text.sig"), `${b64}\n`);
        for (const sig of ["raw.sig", "text.sig"]) {
            const r = await cli("attach", "m.json", "--signature", sig, "--key-id", "kms", "--public-key", "kms.pub", "--out", "approval.json");
            assert.equal(r.code, 0, r.stderr);
            assert.equal(JSON.parse(fs.readFileSync(file("approval.json"), "utf8")).signature, b64);
            assert.equal((await cli("verify", "approval.json", "--public-key", "pub.pem")).code, 0);
            // A manifest and its signature verify without an approval file too.
            assert.equal((await cli("verify", "m.json", "--signature", sig, "--public-key", "kms.pub")).code, 0);
        }
        fs.writeFileSync(file("wrong.sig"), Buffer.from(sign("ecdsa-p256", "something else"), "base64"));
        const wrong = await cli("attach", "m.json", "--signature", "wrong.sig", "--key-id", "kms", "--public-key", "pub.pem");
        assert.equal(wrong.code, 2);
        assert.match(wrong.stderr, /the signature in wrong\.sig does not verify against pub\.pem for m\.json/);
    });

    it("sign and attach refuse a manifest that is not canonical (e.g. an editor added a newline)", async () => {
        fs.writeFileSync(file("m.json"), `${(await cli("create", ...createArgs)).stdout}\n`);
        fs.writeFileSync(file("k.pem"), pair("ed25519").privateKeyPem);
        const r = await cli("sign", "m.json", "--key", "k.pem", "--key-id", "a");
        assert.equal(r.code, 2);
        assert.match(r.stderr, /manifest m\.json cannot be signed: it is not in canonical form/);
    });

    it("ECDSA signatures can be written raw (r||s) and still verify", async () => {
        fs.writeFileSync(file("m.json"), (await cli("create", ...createArgs)).stdout);
        fs.writeFileSync(file("k.pem"), pair("ecdsa-p256").privateKeyPem);
        fs.writeFileSync(file("k.pub"), pair("ecdsa-p256").publicKeyPem);
        assert.equal((await cli("sign", "m.json", "--key", "k.pem", "--key-id", "a", "--ecdsa-encoding", "p1363", "--out", "a.json")).code, 0);
        assert.equal(Buffer.from(JSON.parse(fs.readFileSync(file("a.json"), "utf8")).signature, "base64").length, 64);
        assert.equal((await cli("verify", "a.json", "--public-key", "k.pub")).code, 0);
    });

    it("notes when a manifest is larger than aws kms sign accepts as a RAW message", async () => {
        const images = Array.from({ length: 60 }, (_, i) => ["--image", `sha256:${i.toString(16).padStart(2, "0").repeat(32)}`]).flat();
        const r = await cli("create", "--project", "shop", "--stack", "prod", ...images, "--expires-in", "1d", "--approver", "a", "--ticket", "t", "--out", "big.json");
        assert.equal(r.code, 0);
        assert.ok(fs.statSync(file("big.json")).size > 4096);
        assert.match(r.stderr, /more than aws kms sign accepts with --message-type RAW \(4096\); sign its SHA-256 with --message-type DIGEST/);
    });

    it("usage errors exit 2 with one line", async () => {
        for (const [args, pattern] of [
            [[], /missing subcommand; usage: sealed-infra approve keygen\|create\|sign\|attach\|verify/],
            [["verify", "nothing.json", "--public-key", "k.pub"], /approval nothing\.json does not exist/],
            [["verify", "x.json"], /give the key to verify against/],
        ] as Array<[string[], RegExp]>) {
            const r = await cli(...args);
            assert.equal(r.code, 2, args.join(" "));
            assert.match(r.stderr, pattern);
        }
    });
});
