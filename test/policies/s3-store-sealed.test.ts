import { strict as assert } from "assert";
import { s3StoreSealed } from "../../policypack/src/policies/immutable-artifacts/s3-store-sealed";
import { deniesInsecureTransport } from "../../policypack/src/engine/s3/bucket-policy";
import { UNREADABLE_SECRET } from "../../policypack/src/framework/values";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";
import {
    ACCOUNT_PAB,
    ALL_BLOCKED,
    BUCKET,
    BUCKET_V2,
    bucket,
    child,
    compliantStore,
    NATIVE_BUCKET,
    NATIVE_POLICY,
    PAB,
    physicalName,
    POLICY,
    tlsDenyStatement,
    tlsPolicy,
} from "./records-fixtures";

/** A store with public access blocked and the given policy document (string or object). */
function store(name: string, policy: unknown, type = BUCKET): TestResource[] {
    const b = bucket(name, {}, type);
    return [b, child(PAB, `${name}-pab`, b, ALL_BLOCKED), child(POLICY, `${name}-policy`, b, { policy })];
}

describe("s3-store-sealed", () => {
    it("passes a store with all four public access flags and a TLS-only bucket policy", () => {
        assert.deepEqual(runStackPolicy(s3StoreSealed, compliantStore("logs", "deps")), []);
        assert.deepEqual(runStackPolicy(s3StoreSealed, compliantStore("logs", "name")), []);
    });

    it("ignores buckets that are not designated", () => {
        assert.deepEqual(runStackPolicy(s3StoreSealed, [bucket("open", {}, BUCKET, null)]), []);
    });

    it("reports a bare store twice on the bucket's URN: no public access block, no bucket policy", () => {
        const found = mandatory(runStackPolicy(s3StoreSealed, [bucket("logs")]));
        assert.equal(found.length, 2);
        for (const f of found) {
            assert.equal(f.urn, urnOf(BUCKET, "logs"));
        }
        assert.match(found[0].message, /aws:s3:Bucket "logs": has no public access block .*add new aws.s3.BucketPublicAccessBlock\("logs"/);
        assert.match(found[1].message, /aws:s3:Bucket "logs": has no bucket policy .*plain HTTP .*"aws:SecureTransport": "false"/);
    });

    it("reports unset and false flags on the public access block's URN", () => {
        const b = bucket("logs");
        const pab = child(PAB, "logs-pab", b, { blockPublicAcls: true, blockPublicPolicy: false });
        const found = mandatory(runStackPolicy(s3StoreSealed, [b, pab, child(POLICY, "p", b, { policy: tlsPolicy(physicalName(b)) })]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(PAB, "logs-pab"));
        assert.match(found[0].message, /blockPublicPolicy is false, ignorePublicAcls is unset \(false\), restrictPublicBuckets is unset \(false\) for store "logs"/);
    });

    it("accepts an account-wide public access block unless configured otherwise", () => {
        const b = bucket("logs");
        const account: TestResource = { type: ACCOUNT_PAB, name: "account", props: ALL_BLOCKED };
        const resources = [b, account, child(POLICY, "p", b, { policy: tlsPolicy(physicalName(b)) })];
        assert.deepEqual(runStackPolicy(s3StoreSealed, resources), []);
        const strict = mandatory(runStackPolicy(s3StoreSealed, resources, { config: { acceptAccountPublicAccessBlock: false } }));
        assert.equal(strict.length, 1);
        assert.match(strict[0].message, /has no public access block/);
    });

    it("checks aws-native inline publicAccessBlockConfiguration and aws-native bucket policies (object documents)", () => {
        const b = bucket("n", { publicAccessBlockConfiguration: ALL_BLOCKED }, NATIVE_BUCKET);
        const doc = { Version: "2012-10-17", Statement: [tlsDenyStatement(physicalName(b))] };
        const policy = child(NATIVE_POLICY, "np", b, { policyDocument: doc });
        assert.deepEqual(runStackPolicy(s3StoreSealed, [b, policy]), []);
        const open = bucket("n", { publicAccessBlockConfiguration: { blockPublicAcls: true } }, NATIVE_BUCKET);
        const found = mandatory(runStackPolicy(s3StoreSealed, [open, child(NATIVE_POLICY, "np", open, { policyDocument: doc })]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(NATIVE_BUCKET, "n"));
        assert.match(found[0].message, /aws-native:s3:Bucket "n": publicAccessBlockConfiguration.blockPublicPolicy is unset \(false\)/);
    });

    it("accepts the TLS deny in legacy inline policies and as a structured document", () => {
        const b = bucket("legacy", { policy: tlsPolicy("legacy-abc1234") }, BUCKET_V2);
        assert.deepEqual(runStackPolicy(s3StoreSealed, [b, child(PAB, "pab", b, ALL_BLOCKED, "name")]), []);
        assert.deepEqual(runStackPolicy(s3StoreSealed, store("obj", { Statement: tlsDenyStatement("obj-abc1234") })), []);
    });

    it("rejects narrower statements and names the near miss", () => {
        const arn = "arn:aws:s3:::logs-abc1234";
        const narrower: Array<[Record<string, unknown>, RegExp]> = [
            [{ ...tlsDenyStatement("logs-abc1234"), Action: "s3:GetObject" }, /denies only "s3:GetObject", not "s3:\*"/],
            [{ ...tlsDenyStatement("logs-abc1234"), Principal: { AWS: "arn:aws:iam::111122223333:root" } }, /its Principal is .* not "\*"/],
            [{ ...tlsDenyStatement("logs-abc1234"), Resource: `${arn}/*` }, /does not cover the bucket/],
            [{ ...tlsDenyStatement("logs-abc1234"), Resource: arn }, /does not cover its objects/],
            [{ ...tlsDenyStatement("logs-abc1234"), Resource: ["arn:aws:s3:::other/*", "arn:aws:s3:::other"] }, /does not cover the bucket and its objects/],
            [{ ...tlsDenyStatement("logs-abc1234"), Condition: { Bool: { "aws:SecureTransport": "true" } } }, /tests aws:SecureTransport = "true" instead of false/],
            [{ ...tlsDenyStatement("logs-abc1234"), Condition: { Bool: { "aws:SecureTransport": "false" }, StringEquals: { "aws:PrincipalAccount": "1" } } }, /adds further conditions/],
            [{ ...tlsDenyStatement("logs-abc1234"), Effect: "Allow" }, /its Effect is "Allow"/],
            [{ ...tlsDenyStatement("logs-abc1234"), NotAction: "s3:GetObject", Action: undefined }, /NotAction/],
        ];
        for (const [statement, reason] of narrower) {
            const found = mandatory(runStackPolicy(s3StoreSealed, store("logs", JSON.stringify({ Statement: [statement] }))));
            assert.equal(found.length, 1, JSON.stringify(statement));
            assert.equal(found[0].urn, urnOf(POLICY, "logs-policy"));
            assert.match(found[0].message, /aws:s3:BucketPolicy "logs-policy": policy for store "logs" does not deny requests without TLS \(Statement\[0\] \("DenyInsecureTransport"\) tests aws:SecureTransport but /);
            assert.match(found[0].message, reason);
        }
        const none = mandatory(runStackPolicy(s3StoreSealed, store("logs", JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${arn}/*` }] }))));
        assert.equal(none.length, 1);
        assert.match(none[0].message, /no statement denies requests with aws:SecureTransport false/);
    });

    it("accepts wildcard spellings: Action *, Principal {AWS: *}, lower-case actions, single Statement object, bucket* resources", () => {
        const variants = [
            { ...tlsDenyStatement("logs-abc1234"), Action: "*" },
            { ...tlsDenyStatement("logs-abc1234"), Action: ["S3:*"], Principal: { AWS: ["*"] } },
            { ...tlsDenyStatement("logs-abc1234"), Resource: "arn:aws:s3:::logs-abc1234*" },
            { ...tlsDenyStatement("logs-abc1234"), Condition: { BoolIfExists: { "aws:SecureTransport": false } } },
        ];
        for (const statement of variants) {
            assert.deepEqual(runStackPolicy(s3StoreSealed, store("logs", JSON.stringify({ Statement: statement }))), [], JSON.stringify(statement));
        }
    });

    it("judges the resource shape when the bucket name is unknown", () => {
        assert.deepEqual(deniesInsecureTransport({ Statement: [tlsDenyStatement("x")] }), { ok: true, sid: "DenyInsecureTransport" });
        assert.equal(deniesInsecureTransport({ Statement: [{ ...tlsDenyStatement("x"), Resource: "arn:aws:s3:::x/*" }] }).ok, false);
    });

    it("reads the bucket's inline policy only without a linked BucketPolicy (the provider's outputs mirror the linked one)", () => {
        const b = bucket("logs", { policy: JSON.stringify({ Statement: [] }) });
        assert.deepEqual(runStackPolicy(s3StoreSealed, [b, child(PAB, "pab", b, ALL_BLOCKED), child(POLICY, "p", b, { policy: tlsPolicy(physicalName(b)) })]), []);
        const found = mandatory(runStackPolicy(s3StoreSealed, [b, child(PAB, "pab", b, ALL_BLOCKED)]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(BUCKET, "logs"));
        assert.match(found[0].message, /aws:s3:Bucket "logs": policy does not deny requests without TLS/);
        // an empty computed policy output means "no policy"
        const empty = mandatory(runStackPolicy(s3StoreSealed, [bucket("logs", { policy: "" }), child(PAB, "pab", b, ALL_BLOCKED)]));
        assert.equal(empty.length, 1);
        assert.match(empty[0].message, /has no bucket policy/);
    });

    it("fails closed on invalid JSON and on an undecryptable secret", () => {
        const found = mandatory(runStackPolicy(s3StoreSealed, store("logs", "{ not json")));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(POLICY, "logs-policy"));
        assert.match(found[0].message, /cannot verify that the bucket policy for store "logs" denies every request without TLS: policy is not valid JSON/);
        const secret = mandatory(runStackPolicy(s3StoreSealed, store("logs", UNREADABLE_SECRET)));
        assert.equal(secret.length, 1);
        assert.match(secret[0].message, /secret whose plaintext was not provided/);
    });

    it("is advisory for unknown documents and flags in preview, mandatory at update", () => {
        const whole = runStackPolicy(s3StoreSealed, store("logs", UNKNOWN));
        assert.deepEqual(whole.map((f) => f.enforcementLevel), ["advisory"]);
        assert.match(whole[0].message, /policy is not known until the update/);
        assert.deepEqual(runStackPolicy(s3StoreSealed, store("logs", UNKNOWN), { preview: false }).map((f) => f.enforcementLevel), ["mandatory"]);
        // an unknown ARN interpolated into the document
        const partial = runStackPolicy(s3StoreSealed, store("logs", JSON.stringify({ Statement: [{ ...tlsDenyStatement("x"), Resource: [UNKNOWN, `${UNKNOWN}/*`] }] })));
        assert.deepEqual(partial.map((f) => f.enforcementLevel), ["advisory"]);
        const b = bucket("logs");
        const flags = runStackPolicy(s3StoreSealed, [b, child(PAB, "pab", b, { ...ALL_BLOCKED, restrictPublicBuckets: UNKNOWN }), child(POLICY, "p", b, { policy: tlsPolicy(physicalName(b)) })]);
        assert.deepEqual(flags.map((f) => f.enforcementLevel), ["advisory"]);
        assert.equal(flags[0].urn, urnOf(PAB, "pab"));
    });

    it("is advisory while a split resource's bucket is unknown", () => {
        const b = bucket("logs");
        const found = runStackPolicy(s3StoreSealed, [b, child(PAB, "pab", b, ALL_BLOCKED, "unknown"), child(POLICY, "p", b, { policy: tlsPolicy(physicalName(b)) }, "unknown")]);
        assert.equal(mandatory(found).length, 0);
        assert.equal(advisory(found).length, 2);
    });

    it("checks split resources of an outside bucket designated by pattern", () => {
        const pab: TestResource = { type: PAB, name: "ext-pab", props: { bucket: "org-logs", blockPublicAcls: true } };
        const pol: TestResource = { type: POLICY, name: "ext-pol", props: { bucket: "org-logs", policy: "{}" } };
        assert.deepEqual(runStackPolicy(s3StoreSealed, [pab, pol]), []);
        const found = mandatory(runStackPolicy(s3StoreSealed, [pab, pol], { config: { designatedStoreNamePatterns: ["org-*"] } }));
        assert.deepEqual(found.map((f) => f.urn), [urnOf(PAB, "ext-pab"), urnOf(POLICY, "ext-pol")]);
    });
});
