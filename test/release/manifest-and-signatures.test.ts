/**
 * The release-approval engine: canonical bytes (pinned, and reproduced by jq), manifest validation,
 * Lambda hash forms, public keys, and signatures made by other tools (OpenSSL, the `aws kms sign |
 * base64 -d` pipeline) verifying, while altered ones do not.
 */
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { canonicalJson } from "../../policypack/src/engine/release/canonical";
import { createManifest, lambdaCodeDigest, manifestProblems, manifestText, parseManifestText, parseTimestamp } from "../../policypack/src/engine/release/manifest";
import { decodeSignatureFile, decodeSignatureText, parsePublicKey, signData, verifySignature } from "../../policypack/src/engine/release/signature";
import { IMAGE_A, IMAGE_B, Kind, KINDS, manifest, pair, sign } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..");

function have(tool: string, args = ["--version"]): boolean {
    return spawnSync(tool, args, { stdio: "ignore" }).status === 0;
}

function key(kind: Kind, slot = 0) {
    const parsed = parsePublicKey(pair(kind, slot).publicKeyPem);
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.reason);
    return parsed.key;
}

describe("release approvals: canonical manifest bytes", () => {
    const fixed = createManifest({
        project: "shop",
        stack: "prod",
        artifacts: [
            { digest: IMAGE_B, kind: "lambda-code", name: "api.zip" },
            { digest: IMAGE_A, kind: "image", name: "ghcr.io/acme/api" },
        ],
        expires: "2026-12-31T23:59:59Z",
        issued: "2026-12-01T08:00:00Z",
        approver: "Zoë <zoe@acme.example>",
        reason: 'fixes "checkout" \\ payments',
        ticket: "CHG-42",
    });
    const EXPECTED =
        '{"approver":"Zoë <zoe@acme.example>","artifacts":[{"digest":"' +
        IMAGE_A +
        '","kind":"image","name":"ghcr.io/acme/api"},{"digest":"' +
        IMAGE_B +
        '","kind":"lambda-code","name":"api.zip"}],"expires":"2026-12-31T23:59:59Z","format":"sealed-infra.io/release-manifest/v1",' +
        '"issued":"2026-12-01T08:00:00Z","project":"shop","reason":"fixes \\"checkout\\" \\\\ payments","stack":"prod","ticket":"CHG-42"}';

    it("are sorted-key JSON without whitespace, artifacts sorted by digest, UTF-8 (pinned)", () => {
        const text = manifestText(fixed);
        assert.equal(text, EXPECTED);
        const bytes = Buffer.from(text, "utf8");
        assert.ok(bytes.includes(Buffer.from("Zo\u00eb", "utf8")), "non-ASCII is written as UTF-8, not escaped");
        assert.equal(bytes[bytes.length - 1], "}".charCodeAt(0), "no trailing newline");
        assert.equal(crypto.createHash("sha256").update(bytes).digest("hex"), crypto.createHash("sha256").update(Buffer.from(EXPECTED, "utf8")).digest("hex"));
    });

    it("are what `jq -cjS .` prints for the manifest, so any tool can reproduce them", function () {
        if (!have("jq")) {
            this.skip();
        }
        const pretty = JSON.stringify(JSON.parse(EXPECTED), null, 4);
        const out = execFileSync("jq", ["-cjS", "."], { input: pretty });
        assert.equal(out.toString("utf8"), EXPECTED);
    });

    it("a parsed manifest must be exactly canonical: no reformatting, duplicate keys or added newline", () => {
        assert.ok(parseManifestText(EXPECTED).ok);
        for (const variant of [`${EXPECTED}\n`, JSON.stringify(JSON.parse(EXPECTED), null, 1), EXPECTED.replace('"stack":"prod"', '"stack":"dev","stack":"prod"')]) {
            const r = parseManifestText(variant);
            assert.equal(r.ok, false);
            assert.match(r.ok ? "" : r.reason, /not in canonical form/);
        }
        const r = parseManifestText("{nope");
        assert.match(r.ok ? "" : r.reason, /not valid JSON/);
    });

    it("canonicalJson sorts nested keys by UTF-16 code units and refuses numbers and lone surrogates", () => {
        assert.equal(canonicalJson({ b: ["x", { d: "1", c: "2" }], a: "\u2028/\u0001" }), '{"a":"\u2028/\\u0001","b":["x",{"c":"2","d":"1"}]}');
        assert.throws(() => canonicalJson({ n: 1 }), /\$\.n is number/);
        assert.throws(() => canonicalJson({ s: "\ud800" }), /lone surrogate/);
    });
});

describe("release approvals: manifest validation", () => {
    const base = JSON.parse(manifest());
    const problems = (patch: Record<string, unknown>) => {
        const m: Record<string, unknown> = { ...base, ...patch };
        for (const [k, v] of Object.entries(patch)) {
            if (v === undefined) {
                delete m[k];
            }
        }
        return manifestProblems(m).join("; ");
    };

    it("a valid manifest has no problem", () => {
        assert.deepEqual(manifestProblems(base), []);
    });

    it("names every problem", () => {
        assert.match(problems({ format: "v0" }), /format is "v0", expected "sealed-infra.io\/release-manifest\/v1"/);
        assert.match(problems({ project: undefined }), /project is missing/);
        assert.match(problems({ approver: " alice" }), /approver has leading or trailing whitespace/);
        assert.match(problems({ ticket: undefined }), /give a reason or a ticket/);
        assert.match(problems({ reason: "line\nbreak" }), /reason contains a control character/);
        assert.match(problems({ expires: "2026-12-01" }), /expires is "2026-12-01", expected a UTC time YYYY-MM-DDTHH:MM:SSZ/);
        assert.match(problems({ expires: "2026-02-30T00:00:00Z" }), /expires is "2026-02-30T00:00:00Z"/);
        assert.match(problems({ issued: "2027-01-01T00:00:00Z" }), /issued \(2027-01-01T00:00:00Z\) is after expires/);
        assert.match(problems({ extra: "x" }), /unknown member "extra"/);
        assert.match(problems({ artifacts: [] }), /artifacts is empty/);
        assert.match(problems({ artifacts: [{ digest: "sha256:ABC", kind: "image" }] }), /artifacts\[0\]\.digest is "sha256:ABC", expected sha256:<64 lowercase hex>/);
        assert.match(problems({ artifacts: [{ digest: IMAGE_A, kind: "jar" }] }), /artifacts\[0\]\.kind is "jar"/);
        assert.match(problems({ artifacts: [{ digest: IMAGE_B, kind: "image" }, { digest: IMAGE_A, kind: "image" }] }), /artifacts\[1\]\.digest is out of order/);
        assert.match(problems({ artifacts: [{ digest: IMAGE_A, kind: "image" }, { digest: IMAGE_A, kind: "image" }] }), /listed twice/);
        assert.match(problems({ version: 1 }), /\$\.version is number/);
    });

    it("timestamps are strict UTC seconds", () => {
        assert.equal(parseTimestamp("2026-11-27T12:00:00Z"), Date.UTC(2026, 10, 27, 12));
        for (const bad of ["2026-11-27T12:00:00+01:00", "2026-11-27T12:00:00.000Z", "2026-11-27T24:00:00Z", "2026-11-27"]) {
            assert.equal(parseTimestamp(bad), undefined, bad);
        }
    });

    it("Lambda code hashes: base64 (CodeSha256, filebase64sha256) and hex are the same digest", () => {
        const bytes = crypto.createHash("sha256").update("package").digest();
        const hex = `sha256:${bytes.toString("hex")}`;
        assert.equal(lambdaCodeDigest(bytes.toString("base64")), hex);
        assert.equal(lambdaCodeDigest(bytes.toString("hex").toUpperCase()), hex);
        for (const bad of ["", "abc", bytes.toString("base64url"), Buffer.alloc(31).toString("base64"), "v2"]) {
            assert.equal(lambdaCodeDigest(bad), undefined, bad);
        }
    });
});

describe("release approvals: keys and signatures", function () {
    this.timeout(60_000);
    const text = manifest();
    const data = Buffer.from(text, "utf8");

    for (const kind of KINDS) {
        it(`${kind}: a signature verifies; another key, another byte or another signature does not`, () => {
            const sig = Buffer.from(sign(kind, text), "base64");
            assert.equal(verifySignature(key(kind), data, sig), true);
            assert.equal(verifySignature(key(kind, 1), data, sig), false, "another key of the same kind");
            const other = Buffer.from(data);
            other[10] ^= 0x20;
            assert.equal(verifySignature(key(kind), other, sig), false, "one byte changed");
            const bad = Buffer.from(sig);
            bad[bad.length >> 1] ^= 0x01;
            assert.equal(verifySignature(key(kind), data, bad), false, "one signature bit changed");
            assert.equal(verifySignature(key(kind), data, Buffer.alloc(0)), false);
            assert.equal(verifySignature(key(kind), data, Buffer.from("garbage")), false);
        });

        it(`${kind}: signData makes signatures node:crypto verifies with the documented parameters`, () => {
            const { signature, kind: signedKind } = signData(pair(kind).privateKeyPem, data);
            assert.equal(signedKind, kind);
            const publicKey = crypto.createPublicKey(pair(kind).publicKeyPem);
            const ok =
                kind === "ed25519"
                    ? crypto.verify(null, data, publicKey, signature)
                    : kind === "ecdsa-p256"
                      ? crypto.verify("sha256", data, { key: publicKey, dsaEncoding: "der" }, signature)
                      : crypto.verify("sha256", data, { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
            assert.equal(ok, true);
        });
    }

    it("ECDSA: DER (aws kms sign, OpenSSL) and raw r||s (WebCrypto, JOSE) both verify; an ECDSA key never accepts an Ed25519 signature", () => {
        const der = Buffer.from(sign("ecdsa-p256", text, { ecdsa: "der" }), "base64");
        const raw = Buffer.from(sign("ecdsa-p256", text, { ecdsa: "ieee-p1363" }), "base64");
        assert.equal(der[0], 0x30);
        assert.equal(raw.length, 64);
        assert.equal(verifySignature(key("ecdsa-p256"), data, der), true);
        assert.equal(verifySignature(key("ecdsa-p256"), data, raw), true);
        assert.equal(verifySignature(key("ecdsa-p256"), data, Buffer.from(sign("ed25519", text), "base64")), false);
    });

    it("the KMS pipeline: base64 text from `aws kms sign --output text --query Signature`, decoded by `base64 -d`, verifies", function () {
        if (!have("base64")) {
            this.skip();
        }
        const kmsOutput = `${sign("ecdsa-p256", text, { ecdsa: "der" })}\n`; // what the AWS CLI prints
        const raw = execFileSync("base64", ["-d"], { input: kmsOutput });
        assert.equal(raw[0], 0x30, "KMS returns DER");
        assert.equal(verifySignature(key("ecdsa-p256"), data, decodeSignatureFile(raw)), true, "raw file");
        assert.equal(verifySignature(key("ecdsa-p256"), data, decodeSignatureFile(Buffer.from(kmsOutput))), true, "base64 text file");
        assert.equal(verifySignature(key("ecdsa-p256"), data, decodeSignatureText(kmsOutput) as Buffer), true);
    });

    it("signatures made by OpenSSL over the manifest file verify (Ed25519, ECDSA P-256 DER, RSA-PSS any salt length)", function () {
        if (!have("openssl", ["version"])) {
            this.skip();
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-infra-openssl-"));
        try {
            const manifestFile = path.join(dir, "release.manifest.json");
            fs.writeFileSync(manifestFile, data);
            const cases: Array<[Kind, string[]]> = [
                ["ed25519", ["pkeyutl", "-sign", "-rawin", "-inkey", "KEY", "-in", manifestFile, "-out", "SIG"]],
                ["ecdsa-p256", ["dgst", "-sha256", "-sign", "KEY", "-out", "SIG", manifestFile]],
                ["rsa-pss", ["dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-sign", "KEY", "-out", "SIG", manifestFile]],
                ["rsa-pss", ["dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:max", "-sign", "KEY", "-out", "SIG", manifestFile]],
            ];
            for (const [kind, args] of cases) {
                const keyFile = path.join(dir, `${kind}.pem`);
                fs.writeFileSync(keyFile, pair(kind).privateKeyPem);
                const sigFile = path.join(dir, "sig");
                execFileSync("openssl", args.map((a) => (a === "KEY" ? keyFile : a === "SIG" ? sigFile : a)));
                const sig = decodeSignatureFile(fs.readFileSync(sigFile));
                assert.equal(verifySignature(key(kind), data, sig), true, `openssl ${args.join(" ")}`);
                assert.equal(verifySignature(key(kind), Buffer.concat([data, Buffer.from("\n")]), sig), false);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("public keys: PEM or the bare base64 DER `aws kms get-public-key` prints; private, small or unsupported keys are refused", () => {
        const der = crypto.createPublicKey(pair("ecdsa-p256").publicKeyPem).export({ format: "der", type: "spki" }).toString("base64");
        const fromDer = parsePublicKey(der);
        assert.ok(fromDer.ok);
        assert.equal(fromDer.ok && fromDer.key.kind, "ecdsa-p256");
        assert.equal(fromDer.ok && fromDer.key.fingerprint, key("ecdsa-p256").fingerprint);
        const refused = (text: string) => {
            const r = parsePublicKey(text);
            return r.ok ? "accepted" : r.reason;
        };
        assert.match(refused(pair("ed25519").privateKeyPem), /it is a private key/);
        assert.match(refused("hello world!"), /neither a PEM public key nor base64 DER/);
        assert.match(refused("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"), /cannot be read as a public key/);
        const small = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "pem", type: "spki" }).toString();
        assert.match(refused(small), /1024-bit RSA key; at least 2048 bits/);
        const k1 = crypto.generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey.export({ format: "pem", type: "spki" }).toString();
        assert.match(refused(k1), /curve secp256k1 is not P-256, P-384 or P-521/);
        // P-384 (a KMS ECC_NIST_P384 ReleaseSigningKey) verifies ECDSA with SHA-384.
        const p384 = crypto.generateKeyPairSync("ec", { namedCurve: "P-384" });
        const parsed = parsePublicKey(p384.publicKey.export({ format: "pem", type: "spki" }).toString());
        assert.ok(parsed.ok && parsed.key.kind === "ecdsa-p384");
        assert.equal(verifySignature(parsed.ok ? parsed.key : (undefined as never), data, crypto.sign("sha384", data, p384.privateKey)), true);
    });

    it("the pack loads its crypto lazily: requiring the whole catalogue and judging a stack without approvals does not load it", () => {
        const script = `
            const { catalogue } = require("./policypack/bin/catalogue");
            const signature = require("./policypack/bin/engine/release/signature");
            const { StackModel } = require("./policypack/bin/sdk/stack-model");
            const { configWithDefaults } = require("./policypack/bin/framework/definition");
            const before = signature.cryptoLoaded();
            const def = catalogue.find((p) => p.name === "release-approved");
            const model = StackModel.fromRecords([{ urn: "urn:pulumi:dev::p::kubernetes:core/v1:Pod::x", type: "kubernetes:core/v1:Pod", name: "x",
                props: { spec: { containers: [{ name: "a", image: "nginx@sha256:${"a".repeat(64)}" }] } }, options: {}, dependencies: [], propertyDependencies: {} }]);
            let findings = 0;
            def.check(model, configWithDefaults(def, {}), { violation: () => findings++, notYetKnown: () => findings++, note: () => findings++, stackViolation: () => findings++ });
            process.stdout.write(JSON.stringify({ before, after: signature.cryptoLoaded(), findings }));
        `;
        const bin = path.join(ROOT, "policypack", "bin", "engine", "release", "signature.js");
        assert.ok(fs.existsSync(bin), "run `npm run build:pack` first");
        const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" }));
        assert.deepEqual(out, { before: false, after: false, findings: 0 });
    });
});
