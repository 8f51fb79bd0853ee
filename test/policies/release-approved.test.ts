/**
 * release-approved with real signatures made in the test (node:crypto, independent of the code
 * under test): every deployed artifact must be covered by an approval that verifies against a
 * configured approver key, for this project and stack, unexpired, not approved by a deployer.
 * The harness's stack is project "test-project", stack "dev".
 */
import { strict as assert } from "assert";
import { releaseApproved } from "../../policypack/src/policies/separated-duties/release-approved";
import { setReleaseClock } from "../../policypack/src/engine/release/stack-approvals";
import { advisory, Finding, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";
import { APPROVED_RELEASE, approval, deployment, IMAGE_A, IMAGE_B, keyConfig, KINDS, manifest, NOW, pair, sign, signed, sha } from "../release/helpers";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const IMG_A = `ghcr.io/acme/api:1.0@${IMAGE_A}`;
const IMG_B = `ghcr.io/acme/worker:1.0@${IMAGE_B}`;

function run(resources: TestResource[], config: Record<string, unknown> = { approverKeys: [keyConfig("ecdsa-p256")] }, preview = false): Finding[] {
    return runStackPolicy(releaseApproved, resources, { config, preview });
}

/** The single mandatory finding, on `urn`, with every pattern in its message. */
function blocked(found: Finding[], urn: string, ...patterns: RegExp[]): Finding {
    const m = mandatory(found);
    assert.equal(m.length, 1, `expected one mandatory finding, got:\n${found.map((f) => `${f.enforcementLevel}: ${f.message}`).join("\n")}`);
    assert.equal(m[0].urn, urn);
    for (const p of patterns) {
        assert.match(m[0].message, p);
    }
    return m[0];
}

describe("release-approved", () => {
    before(() => setReleaseClock(() => NOW));
    after(() => setReleaseClock(undefined));

    describe("must show", () => {
        for (const kind of KINDS) {
            it(`a valid ${kind} approval covering the deployed image passes with no finding`, () => {
                const found = run([signed("release", kind), deployment("web", IMG_A)], { approverKeys: [keyConfig(kind)] });
                assert.deepEqual(found, []);
            });
        }

        it("an ECDSA signature in DER (as aws kms sign returns it) and one in raw r||s both verify", () => {
            const text = manifest();
            const der = Buffer.from(sign("ecdsa-p256", text, { ecdsa: "der" }), "base64");
            assert.equal(der[0], 0x30, "DER starts with a SEQUENCE");
            // `aws kms sign ... --output text --query Signature` prints base64; that text is what the approval carries.
            assert.deepEqual(run([approval("kms", text, der.toString("base64"), "ecdsa-p256"), deployment("web", IMG_A)]), []);
            const raw = sign("ecdsa-p256", text, { ecdsa: "ieee-p1363" });
            assert.equal(Buffer.from(raw, "base64").length, 64);
            assert.deepEqual(run([approval("webcrypto", text, raw, "ecdsa-p256"), deployment("web", IMG_A)]), []);
        });

        it("one byte changed in the signed manifest: a violation saying the signature does not verify", () => {
            const text = manifest();
            const signature = sign("ecdsa-p256", text);
            // Approve image b instead of a by changing one byte of the digest after signing.
            const tampered = text.replace(IMAGE_A, `sha256:b${"a".repeat(63)}`);
            assert.equal(Buffer.from(tampered).length, Buffer.from(text).length);
            assert.equal([...Buffer.from(tampered)].filter((b, i) => b !== Buffer.from(text)[i]).length, 1);
            const found = run([approval("release", tampered, signature, "ecdsa-p256"), deployment("web", `ghcr.io/acme/api@sha256:b${"a".repeat(63)}`)]);
            blocked(
                found,
                urnOf(DEPLOYMENT, "web"),
                /\nkubernetes:apps\/v1:Deployment "web": container "c0" image "ghcr.io\/acme\/api@sha256:ba{63}" \(spec\.template\.spec\.containers\[0\]\.image\) is not covered by a valid release approval/,
                /ApprovedRelease "release" does not count: its signature does not verify against key "ecdsa-p256": the manifest or the signature was changed after signing/,
                /lists sha256:ba{63} for project "test-project" stack "dev"/,
            );
            const notes = advisory(found);
            assert.equal(notes.length, 1);
            assert.equal(notes[0].urn, urnOf(APPROVED_RELEASE, "release"));
            assert.match(notes[0].message, /sealed-infra:release:ApprovedRelease "release": this approval does not count: its signature does not verify/);
            // A changed signature byte fails the same way.
            const sigBytes = Buffer.from(signature, "base64");
            sigBytes[sigBytes.length - 1] ^= 0x01;
            blocked(run([approval("release", text, sigBytes.toString("base64"), "ecdsa-p256"), deployment("web", IMG_A)]), urnOf(DEPLOYMENT, "web"), /signature does not verify/);
        });

        it("a newline added to the manifest after signing: tampered, with the hint", () => {
            const text = manifest();
            const found = run([approval("release", `${text}\n`, sign("ecdsa-p256", text), "ecdsa-p256"), deployment("web", IMG_A)]);
            blocked(found, urnOf(DEPLOYMENT, "web"), /signature does not verify.*leading or trailing whitespace, e\.g\. a newline an editor added; pass the exact signed bytes/);
        });

        it("an expired approval: a violation naming the expiry", () => {
            const text = manifest({ expires: "2026-11-27T11:59:59Z", issued: "2026-11-20T00:00:00Z" });
            blocked(run([signed("old", "ecdsa-p256", text), deployment("web", IMG_A)]), urnOf(DEPLOYMENT, "web"), /ApprovedRelease "old" does not count: it expired at 2026-11-27T11:59:59Z/);
            // Until the expiry it counts.
            const later = manifest({ expires: "2026-11-27T12:00:01Z" });
            assert.deepEqual(run([signed("fresh", "ecdsa-p256", later), deployment("web", IMG_A)]), []);
        });

        it("an approval for another stack or project: a violation naming both", () => {
            blocked(
                run([signed("prod-release", "ecdsa-p256", manifest({ stack: "prod" })), deployment("web", IMG_A)]),
                urnOf(DEPLOYMENT, "web"),
                /ApprovedRelease "prod-release" does not count: it approves project "test-project" stack "prod", not this stack \(project "test-project" stack "dev"\)/,
            );
            blocked(
                run([signed("other", "ecdsa-p256", manifest({ project: "billing" })), deployment("web", IMG_A)]),
                urnOf(DEPLOYMENT, "web"),
                /it approves project "billing" stack "dev", not this stack/,
            );
            // A stack pattern covers the stacks it matches.
            assert.deepEqual(run([signed("any-dev", "ecdsa-p256", manifest({ stack: "d*" })), deployment("web", IMG_A)]), []);
            blocked(run([signed("prods", "ecdsa-p256", manifest({ stack: "prod-*" })), deployment("web", IMG_A)]), urnOf(DEPLOYMENT, "web"), /stack "prod-\*", not this stack/);
        });

        it("an approval signed by an unknown key: a violation naming the key", () => {
            // Signed by a second Ed25519 key the pack does not know, claiming an id that is not configured.
            blocked(
                run([signed("rogue", "ed25519", manifest(), "ci-deployer", 1), deployment("web", IMG_A)]),
                urnOf(DEPLOYMENT, "web"),
                /ApprovedRelease "rogue" does not count: it is signed with key "ci-deployer", which is not one of the pack's approverKeys \(configured: "ecdsa-p256"\)/,
            );
            // Without a key id every configured key is tried; none verifies.
            blocked(
                run([signed("anonymous", "ed25519", manifest(), null, 1), deployment("web", IMG_A)], { approverKeys: [keyConfig("ed25519"), keyConfig("ecdsa-p256")] }),
                urnOf(DEPLOYMENT, "web"),
                /ApprovedRelease "anonymous" does not count: its signature verifies against none of the pack's approverKeys \("ed25519", "ecdsa-p256"\): it was signed by an unknown key/,
            );
            // Claiming a configured key id does not help: the signature is checked against that key.
            blocked(run([signed("claims", "ecdsa-p256", manifest(), "ecdsa-p256", 1), deployment("web", IMG_A)]), urnOf(DEPLOYMENT, "web"), /does not verify against key "ecdsa-p256"/);
        });

        it("an approver who is a deployer: a violation (case-insensitive, patterns), and a key bound to another approver", () => {
            const text = manifest({ approver: "CI@acme.example" });
            blocked(
                run([signed("self", "ecdsa-p256", text), deployment("web", IMG_A)], { approverKeys: [keyConfig("ecdsa-p256")], deployerIdentities: ["ci@acme.example"] }),
                urnOf(DEPLOYMENT, "web"),
                /ApprovedRelease "self" does not count: its approver "CI@acme.example" is a deployer \(deployerIdentities "ci@acme.example"\), and a deployer cannot approve a release/,
            );
            const arn = manifest({ approver: "arn:aws:iam::123456789012:role/github-deployer" });
            blocked(
                run([signed("role", "ecdsa-p256", arn), deployment("web", IMG_A)], { approverKeys: [keyConfig("ecdsa-p256")], deployerIdentities: ["arn:aws:iam::*:role/github-*"] }),
                urnOf(DEPLOYMENT, "web"),
                /is a deployer \(deployerIdentities "arn:aws:iam::\*:role\/github-\*"\)/,
            );
            // The key's owner counts too: a deployer's key cannot approve whatever name the manifest gives.
            blocked(
                run([signed("owned", "ecdsa-p256"), deployment("web", IMG_A)], { approverKeys: [keyConfig("ecdsa-p256", "ecdsa-p256", { approver: "ci@acme.example" })], deployerIdentities: ["ci@acme.example"] }),
                urnOf(DEPLOYMENT, "web"),
                /it names approver "release-manager@acme.example", but key "ecdsa-p256" belongs to "ci@acme.example"; its approver "ci@acme.example" is a deployer/,
            );
            // A key bound to the manifest's approver passes.
            assert.deepEqual(run([signed("bound", "ecdsa-p256"), deployment("web", IMG_A)], { approverKeys: [keyConfig("ecdsa-p256", "ecdsa-p256", { approver: "Release-Manager@acme.example" })], deployerIdentities: ["ci@acme.example"] }), []);
        });

        it("an artifact missing from the manifest: a violation on that artifact only", () => {
            const found = run([signed("release", "ecdsa-p256"), deployment("web", IMG_A, IMG_B)]);
            blocked(
                found,
                urnOf(DEPLOYMENT, "web"),
                /container "c1" image "ghcr\.io\/acme\/worker:1\.0@sha256:b{64}" \(spec\.template\.spec\.containers\[1\]\.image\) is not covered/,
                /ApprovedRelease "release" is valid \(approver "release-manager@acme\.example", expires 2026-12-04T12:00:00Z\) but does not list this digest/,
            );
            assert.deepEqual(advisory(found), []);
        });
    });

    describe("when it applies", () => {
        it("does not apply to a stack with no ApprovedRelease when nothing is configured (opt-in)", () => {
            assert.deepEqual(run([deployment("web", IMG_A)], {}), []);
        });

        it("requireApprovals: a stack without approvals is blocked; without keys the message says so", () => {
            blocked(run([deployment("web", IMG_A)], { requireApprovals: true }), urnOf(DEPLOYMENT, "web"), /the stack carries no ApprovedRelease, and the pack config has no approverKeys to verify one against/, /an organization admin must list the approvers' public keys in release-approved\.approverKeys/);
            blocked(run([deployment("web", IMG_A)], { requireApprovals: true, approverKeys: [keyConfig("ed25519")] }), urnOf(DEPLOYMENT, "web"), /is not covered by a valid release approval: the stack carries no ApprovedRelease\./);
        });

        it("a stack that carries an approval is checked even when no keys are configured", () => {
            blocked(run([signed("release", "ecdsa-p256"), deployment("web", IMG_A)], {}), urnOf(DEPLOYMENT, "web"), /it is signed with key "ecdsa-p256", which is not one of the pack's approverKeys \(the pack config has no approverKeys\)/);
            blocked(run([signed("release", "ecdsa-p256", manifest(), null), deployment("web", IMG_A)], {}), urnOf(DEPLOYMENT, "web"), /the pack config has no approverKeys, so no signature can be verified/);
        });

        it("keys configured but no approval and requireApprovals false: advisory findings only (adoption mode)", () => {
            const found = run([deployment("web", IMG_A)]);
            assert.deepEqual(mandatory(found), []);
            assert.equal(found.length, 1);
            assert.equal(found[0].urn, urnOf(DEPLOYMENT, "web"));
            assert.match(found[0].message, /is not covered by a valid release approval: the stack carries no ApprovedRelease\..*\(Advisory: this stack carries no ApprovedRelease and requireApprovals is false; set requireApprovals: true/);
        });

        it("a stack without artifacts has nothing to approve", () => {
            assert.deepEqual(run([{ type: "aws:s3/bucket:Bucket", name: "b", props: {} }], { requireApprovals: true }), []);
        });

        it("unusable approverKeys entries are a violation of the pack config (the other keys still work)", () => {
            const found = run([signed("release", "ecdsa-p256"), deployment("web", IMG_A)], {
                approverKeys: [{ id: "broken", publicKeyPem: "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n" }, keyConfig("ecdsa-p256"), keyConfig("ed25519", "ecdsa-p256")],
            });
            const m = mandatory(found);
            assert.equal(m.length, 2, m.map((f) => f.message).join("\n"));
            assert.ok(m.every((f) => f.urn === undefined));
            assert.match(m[0].message, /release-approved config: approverKeys\[0\] \(id "broken"\) publicKeyPem is unusable: it cannot be read as a public key/);
            assert.match(m[1].message, /approverKeys\[2\] \(id "ecdsa-p256"\) repeats the id "ecdsa-p256"; ids must be unique, so the entry is ignored/);
            // An admin who pastes the private key gets told, and the key is not used.
            const priv = mandatory(run([signed("release", "ed25519"), deployment("web", IMG_A)], { approverKeys: [{ id: "ed25519", publicKeyPem: pair("ed25519").privateKeyPem }] }));
            assert.equal(priv.length, 2);
            assert.match(priv[0].message, /approverKeys\[0\] \(id "ed25519"\) publicKeyPem is unusable: it is a private key; configure the public key only/);
            assert.match(priv[1].message, /"web".*it is signed with key "ed25519", which is not one of the pack's approverKeys \(the pack config has no usable approverKeys \(1 listed key\(s\) cannot be used: .*it is a private key/);
        });
    });

    describe("approvals", () => {
        it("one valid approval covers what another, expired, does not; the expired one gets a note", () => {
            const found = run([signed("old", "ecdsa-p256", manifest({ expires: "2026-11-01T00:00:00Z", issued: "2026-10-01T00:00:00Z" })), signed("new", "ed25519"), deployment("web", IMG_A)], {
                approverKeys: [keyConfig("ecdsa-p256"), keyConfig("ed25519")],
            });
            assert.deepEqual(mandatory(found), []);
            assert.equal(found.length, 1);
            assert.equal(found[0].urn, urnOf(APPROVED_RELEASE, "old"));
            assert.match(found[0].message, /"old": this approval does not count: it expired at 2026-11-01T00:00:00Z; it covers nothing\./);
        });

        it("an approval for another stack or project, which that stack judges, gets no note here; uncovered artifacts still name it", () => {
            const perStack = [
                signed("dev", "ecdsa-p256"),
                signed("prod", "ecdsa-p256", manifest({ stack: "prod" })),
                signed("billing", "ecdsa-p256", manifest({ project: "billing", expires: "2026-11-01T00:00:00Z", issued: "2026-10-01T00:00:00Z" })),
                deployment("web", IMG_A),
            ];
            assert.deepEqual(run(perStack), []);
            const uncovered = run(perStack.slice(1));
            assert.equal(uncovered.length, 1);
            blocked(uncovered, urnOf(DEPLOYMENT, "web"), /ApprovedRelease "prod" does not count: it approves project "test-project" stack "prod", not this stack/);
        });

        it("an approval that lasts longer than maxApprovalDays (default 30) does not count", () => {
            const keys = { approverKeys: [keyConfig("ecdsa-p256")] };
            const sixtyDays = manifest({ issued: "2026-11-20T00:00:00Z", expires: "2027-01-19T00:00:00Z" });
            const found = run([signed("long", "ecdsa-p256", sixtyDays), deployment("web", IMG_A)]);
            blocked(found, urnOf(DEPLOYMENT, "web"), /ApprovedRelease "long" does not count: it lasts 60 days from its issue to its expiry, more than the 30 days release-approved\.maxApprovalDays allows/);
            assert.match(advisory(found)[0].message, /"long": this approval does not count: it lasts 60 days/);
            assert.deepEqual(run([signed("long", "ecdsa-p256", sixtyDays), deployment("web", IMG_A)], { ...keys, maxApprovalDays: 60 }), [], "the organization may allow longer");
            // Issued long ago, expiring soon: the lifetime counts from the issue, not from now.
            blocked(run([signed("old", "ecdsa-p256", manifest({ issued: "2026-10-01T00:00:00Z", expires: "2026-11-28T00:00:00Z" })), deployment("web", IMG_A)]), urnOf(DEPLOYMENT, "web"), /it lasts 58 days from its issue/);
            // Without an issue time (or with one in the future), from now.
            blocked(run([signed("undated", "ecdsa-p256", manifest({ issued: undefined, expires: "2027-01-27T12:00:00Z" })), deployment("web", IMG_A)]), urnOf(DEPLOYMENT, "web"), /it lasts 61 days from now/);
            assert.deepEqual(run([signed("undated", "ecdsa-p256", manifest({ issued: undefined, expires: "2026-12-27T12:00:00Z" })), deployment("web", IMG_A)]), [], "30 days from now is allowed");
            // Config the schema would reject never widens the ceiling.
            for (const bad of [0, -5, "90", null]) {
                blocked(run([signed("long", "ecdsa-p256", sixtyDays), deployment("web", IMG_A)], { ...keys, maxApprovalDays: bad }), urnOf(DEPLOYMENT, "web"), /more than the 30 days/);
            }
        });

        it("lists why each approval failed, in one message", () => {
            const found = run([
                signed("expired", "ecdsa-p256", manifest({ expires: "2026-11-01T00:00:00Z", issued: "2026-10-01T00:00:00Z" })),
                signed("prod", "ecdsa-p256", manifest({ stack: "prod" })),
                signed("partial", "ecdsa-p256", manifest({}, [{ digest: IMAGE_B, kind: "image" }])),
                deployment("web", IMG_A),
            ]);
            blocked(found, urnOf(DEPLOYMENT, "web"), /: ApprovedRelease "expired" does not count: it expired at 2026-11-01T00:00:00Z; ApprovedRelease "prod" does not count: it approves project "test-project" stack "prod", not this stack \(project "test-project" stack "dev"\); ApprovedRelease "partial" is valid .* but does not list this digest\./);
        });

        it("a signed manifest that is not canonical (pretty-printed) does not count", () => {
            const pretty = JSON.stringify(JSON.parse(manifest()), null, 2);
            blocked(run([signed("pretty", "ecdsa-p256", pretty), deployment("web", IMG_A)]), urnOf(DEPLOYMENT, "web"), /its signed manifest is not valid: it is not in canonical form/);
            // Duplicate keys (one reading for JSON.parse, another for other parsers) are refused the same way.
            const dup = manifest().replace('"stack":"dev"', '"stack":"prod","stack":"dev"');
            blocked(run([signed("dup", "ecdsa-p256", dup), deployment("web", IMG_A)]), urnOf(DEPLOYMENT, "web"), /not in canonical form/);
        });

        it("an approval that is not readable counts for nothing and says why", () => {
            const found = run([approval("bad", manifest(), "not base64!", "ecdsa-p256"), deployment("web", IMG_A)]);
            blocked(found, urnOf(DEPLOYMENT, "web"), /ApprovedRelease "bad" does not count: its signature is not base64 text/);
            const missing = run([{ type: APPROVED_RELEASE, name: "empty", props: {} }, deployment("web", IMG_A)]);
            blocked(missing, urnOf(DEPLOYMENT, "web"), /ApprovedRelease "empty" cannot be read: manifest is unset/);
        });
    });

    describe("preview and update", () => {
        it("an image not known until the update: advisory in preview, mandatory at update", () => {
            const stack = [signed("release", "ecdsa-p256"), deployment("web", UNKNOWN)];
            const preview = run(stack, undefined, true);
            assert.deepEqual(mandatory(preview), []);
            assert.equal(preview.length, 1);
            assert.match(preview[0].message, /"web": spec\.template\.spec\.containers\[0\]\.image is not known until the update, so it will be verified at update that container "c0" image is covered by a valid release approval/);
            blocked(run(stack), urnOf(DEPLOYMENT, "web"), /still unknown during the update/);
        });

        it("an approval not known until the update: advisory in preview, mandatory at update", () => {
            const stack = [approval("release", UNKNOWN, sign("ecdsa-p256", manifest()), "ecdsa-p256"), deployment("web", IMG_A)];
            const preview = run(stack, undefined, true);
            assert.deepEqual(mandatory(preview), []);
            assert.match(preview[0].message, /ApprovedRelease "release" manifest is not known until the update, so it will be verified at update that container "c0" image/);
            blocked(run(stack), urnOf(DEPLOYMENT, "web"), /ApprovedRelease "release" manifest is still unknown during the update/);
        });
    });

    describe("artifacts", () => {
        const keys = { approverKeys: [keyConfig("ecdsa-p256")] };
        const lambdaHex = "9c4f3a1de7b04d2a8e61f0c5b3a79e28d41c6b0f5e2a873d9c1b4e6f0a2d8c7e";
        const lambdaB64 = Buffer.from(lambdaHex, "hex").toString("base64");
        const approvedAll = () =>
            signed(
                "release",
                "ecdsa-p256",
                manifest({}, [
                    { digest: IMAGE_A, kind: "image" },
                    { digest: `sha256:${lambdaHex}`, kind: "lambda-code" },
                ]),
            );

        it("ECS task definitions (aws JSON string, aws-native list) and Lambda image functions", () => {
            const ecs = { type: "aws:ecs/taskDefinition:TaskDefinition", name: "td", props: { containerDefinitions: JSON.stringify([{ name: "api", image: IMG_A }, { name: "sidecar", image: IMG_B }]) } };
            blocked(run([approvedAll(), ecs], keys), urnOf(ecs.type, "td"), /container "sidecar" image "ghcr\.io\/acme\/worker:1\.0@sha256:b{64}" \(containerDefinitions\[1\]\.image\) is not covered/);
            const native = { type: "aws-native:ecs:TaskDefinition", name: "td", props: { containerDefinitions: [{ name: "api", image: IMG_A }] } };
            const fn = { type: "aws:lambda/function:Function", name: "img", props: { packageType: "Image", imageUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/fn@${IMAGE_A}` } };
            const nativeFn = { type: "aws-native:lambda:Function", name: "img2", props: { packageType: "Image", code: { imageUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/fn@${IMAGE_A}` } } };
            assert.deepEqual(run([approvedAll(), native, fn, nativeFn], keys), []);
            blocked(run([approvedAll(), { ...fn, props: { packageType: "Image", imageUri: `x.dkr.ecr.us-east-1.amazonaws.com/fn@${IMAGE_B}` } }], keys), urnOf(fn.type, "img"), /the function's image "x\.dkr\.ecr\.us-east-1\.amazonaws\.com\/fn@sha256:b{64}" \(imageUri\) is not covered/);
        });

        it("Lambda zip functions: sourceCodeHash and Lambda's own codeSha256 (base64) must both be approved", () => {
            const fn = (props: Record<string, unknown>) => ({ type: "aws:lambda/function:Function", name: "zip", props: { runtime: "nodejs20.x", handler: "index.handler", ...props } });
            assert.deepEqual(run([approvedAll(), fn({ sourceCodeHash: lambdaB64 })], keys), []);
            assert.deepEqual(run([approvedAll(), fn({ sourceCodeHash: lambdaB64, codeSha256: lambdaB64, imageUri: "" })], keys), []);
            assert.deepEqual(run([approvedAll(), fn({ sourceCodeHash: lambdaHex })], keys), [], "a hex sourceCodeHash is the same hash");
            // The program declares the approved hash, but Lambda reports other code.
            const other = Buffer.alloc(32, 7).toString("base64");
            blocked(run([approvedAll(), fn({ sourceCodeHash: lambdaB64, codeSha256: other })], keys), urnOf("aws:lambda/function:Function", "zip"), new RegExp(`the function's code hash "${other.replace(/[+/=]/g, (c) => `\\${c}`)}" \\(codeSha256\\) is not covered`));
            blocked(run([approvedAll(), fn({})], keys), urnOf("aws:lambda/function:Function", "zip"), /the function's zip package \(sourceCodeHash\) cannot be covered by a release approval: neither sourceCodeHash nor codeSha256 is set/);
            blocked(run([approvedAll(), fn({ sourceCodeHash: "v2-trigger" })], keys), urnOf("aws:lambda/function:Function", "zip"), /sourceCodeHash\) cannot be covered by a release approval: it is not a SHA-256 hash/);
            // In preview Lambda's codeSha256 of a new function is unknown: noted, not blocking.
            const preview = run([approvedAll(), fn({ sourceCodeHash: lambdaB64, codeSha256: UNKNOWN })], keys, true);
            assert.deepEqual(mandatory(preview), []);
            assert.match(advisory(preview)[0].message, /codeSha256 is not known until the update/);
        });

        it("aws-native zip functions are identified by the codeSha256 of their published versions", () => {
            const fn = { type: "aws-native:lambda:Function", name: "nzip", props: { functionName: "checkout", code: { s3Bucket: "b", s3Key: "k" } } };
            blocked(run([approvedAll(), fn], keys), urnOf(fn.type, "nzip"), /aws-native functions report no code hash, and no aws-native:lambda:Version with codeSha256 is published for it/);
            const version = (hash: string) => ({ type: "aws-native:lambda:Version", name: "v1", props: { functionName: "checkout", codeSha256: hash } });
            assert.deepEqual(run([approvedAll(), fn, version(lambdaB64)], keys), []);
            blocked(run([approvedAll(), fn, version(Buffer.alloc(32, 1).toString("base64"))], keys), urnOf("aws-native:lambda:Version", "v1"), /the version's code hash ".*" \(codeSha256\) is not covered/);
        });

        it("digests a ReleaseApproval object admits into the cluster must be approved", () => {
            const ra = (digests: string[]) => ({ type: "kubernetes:sealed-infra.io/v1alpha1:ReleaseApproval", name: "ra", props: { spec: { digests } } });
            assert.deepEqual(run([approvedAll(), ra([IMAGE_A])], keys), []);
            blocked(run([approvedAll(), ra([IMAGE_A, IMAGE_B])], keys), urnOf("kubernetes:sealed-infra.io/v1alpha1:ReleaseApproval", "ra"), /admitted digest "sha256:b{64}" \(spec\.digests\[1\]\) is not covered by a valid release approval, yet this ReleaseApproval lets the cluster's admission policy run it/);
        });

        it("images that cannot be approved: tag-only, sha512, invalid", () => {
            blocked(run([approvedAll(), deployment("web", "nginx:1.25")], keys), urnOf(DEPLOYMENT, "web"), /image "nginx:1\.25" \(spec\.template\.spec\.containers\[0\]\.image\) cannot be covered by a release approval: it is not pinned by digest/);
            blocked(run([approvedAll(), deployment("web", `nginx@sha512:${"c".repeat(128)}`)], keys), urnOf(DEPLOYMENT, "web"), /pinned by a sha512 digest, and approvals list sha256 digests/);
            blocked(run([approvedAll(), deployment("web", "Not An Image")], keys), urnOf(DEPLOYMENT, "web"), /is not a valid image reference/);
        });

        it("every workload kind: init and ephemeral containers, CronJobs, Patches without images are skipped", () => {
            const cron = {
                type: "kubernetes:batch/v1:CronJob",
                name: "nightly",
                props: { spec: { jobTemplate: { spec: { template: { spec: { initContainers: [{ name: "init", image: IMG_B }], containers: [{ name: "job", image: IMG_A }] } } } } } },
            };
            blocked(run([approvedAll(), cron], keys), urnOf(cron.type, "nightly"), /container "init" image .* \(spec\.jobTemplate\.spec\.template\.spec\.initContainers\[0\]\.image\) is not covered/);
            const pod = { type: "kubernetes:core/v1:Pod", name: "debug", props: { spec: { containers: [{ name: "a", image: IMG_A }], ephemeralContainers: [{ name: "dbg", image: IMG_B }] } } };
            blocked(run([approvedAll(), pod], keys), urnOf(pod.type, "debug"), /container "dbg" image .* \(spec\.ephemeralContainers\[0\]\.image\)/);
            const patch = { type: "kubernetes:apps/v1:DeploymentPatch", name: "scale", props: { spec: { replicas: 3 } } };
            assert.deepEqual(run([approvedAll(), patch], keys), []);
        });
    });

    it("declares its metadata: separated-duties, stack policy, config defaults", () => {
        assert.equal(releaseApproved.kind, "stack");
        assert.equal(releaseApproved.guarantee, "separated-duties");
        assert.deepEqual(
            Object.fromEntries(Object.entries(releaseApproved.config).map(([k, o]) => [k, o.default])),
            { approverKeys: [], deployerIdentities: [], maxApprovalDays: 30, requireApprovals: false },
        );
        assert.ok(releaseApproved.resourceTypes.includes(APPROVED_RELEASE));
        assert.ok(sha("a") === IMAGE_A);
    });
});
