import { strict as assert } from "assert";
import { criticalResourcesProtected } from "../../policypack/src/policies/immutable-updates/critical-resources-protected";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";
import { BUCKET, BUCKET_V2, bucket, child, LOCK, LOCK_V2, NATIVE_BUCKET, PAB, POLICY, TRAIL, NATIVE_TRAIL, ALL_BLOCKED } from "./records-fixtures";

const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2";
const KEY = "aws:kms/key:Key";
const NATIVE_KEY = "aws-native:kms:Key";
const REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey";
const REPO = "aws:ecr/repository:Repository";
const NATIVE_REPO = "aws-native:ecr:Repository";

// Fresh props: the stack model is memoised on the identity of the props objects (one per request in the engine).
const protect = (r: TestResource, on = true): TestResource => ({ ...r, props: { ...r.props }, options: { ...r.options, protect: on } });

/** A designated store with its lock, versioning, public access block and policy, all protected. */
function protectedStore(name: string, type = BUCKET): TestResource[] {
    const b = bucket(name, { objectLockEnabled: true }, type);
    return [
        b,
        child(LOCK, `${name}-lock`, b, { rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } } }),
        child(VERSIONING, `${name}-versioning`, b, { versioningConfiguration: { status: "Enabled" } }),
        child(PAB, `${name}-pab`, b, ALL_BLOCKED),
        child(POLICY, `${name}-policy`, b, { policy: "{}" }),
    ].map((r) => protect(r));
}

describe("critical-resources-protected", () => {
    it("passes when every critical resource is protected", () => {
        const logs = protect(bucket("logs", {}, BUCKET, null));
        const resources = [
            ...protectedStore("artifacts"),
            logs,
            protect(child(TRAIL, "audit", logs, {}, "name", "s3BucketName")),
            protect({ type: KEY, name: "k", props: {} }),
            protect({ type: REPO, name: "images", props: {} }),
        ];
        assert.deepEqual(runStackPolicy(criticalResourcesProtected, resources), []);
    });

    it("does not require protect on ordinary buckets and their parts", () => {
        const scratch = bucket("scratch", {}, BUCKET, null);
        assert.deepEqual(runStackPolicy(criticalResourcesProtected, [scratch, child(VERSIONING, "scratch-v", scratch, { versioningConfiguration: { status: "Enabled" } })]), []);
    });

    it("reports each unprotected part of a designated store on its own URN, with the reason and the fix", () => {
        const [b, lock, versioning, pab, policy] = protectedStore("artifacts");
        const found = runStackPolicy(criticalResourcesProtected, [protect(b, false), protect(lock, false), versioning, pab, protect(policy, false)]);
        assert.equal(found.length, 3);
        assert.ok(found.every((f) => f.enforcementLevel === "mandatory"));
        assert.deepEqual(found.map((f) => f.urn).sort(), [urnOf(BUCKET, "artifacts"), urnOf(LOCK, "artifacts-lock"), urnOf(POLICY, "artifacts-policy")].sort());
        const onBucket = found.find((f) => f.urn === urnOf(BUCKET, "artifacts"))!;
        assert.match(onBucket.message, /\naws:s3:Bucket "artifacts": protect is false although it is a designated store \(it is tagged sealed-infra:store=artifacts\)/);
        assert.match(onBucket.message, /set the resource option \{ protect: true \}/);
        const onLock = found.find((f) => f.urn === urnOf(LOCK, "artifacts-lock"))!;
        assert.match(onLock.message, /it configures designated store "artifacts"/);
    });

    it("covers the deprecated V2 aliases and aws-native buckets", () => {
        const b2 = bucket("v2", {}, BUCKET_V2);
        const found = mandatory(
            runStackPolicy(criticalResourcesProtected, [
                b2,
                child(LOCK_V2, "v2-lock", b2, {}),
                child(VERSIONING_V2, "v2-versioning", b2, {}, "name"),
                bucket("native", {}, NATIVE_BUCKET),
            ]),
        );
        assert.deepEqual(found.map((f) => f.urn).sort(), [urnOf(BUCKET_V2, "v2"), urnOf(LOCK_V2, "v2-lock"), urnOf(VERSIONING_V2, "v2-versioning"), urnOf(NATIVE_BUCKET, "native")].sort());
    });

    it("designates by name pattern, designateAllBuckets, and as a trail's destination", () => {
        const plain = bucket("release-bin", {}, BUCKET, null);
        assert.equal(mandatory(runStackPolicy(criticalResourcesProtected, [plain], { config: { designatedStoreNamePatterns: ["release-*"] } })).length, 1);
        assert.equal(mandatory(runStackPolicy(criticalResourcesProtected, [plain], { config: { designateAllBuckets: true } })).length, 1);
        const trail = protect(child(NATIVE_TRAIL, "audit", plain, {}, "name", "s3BucketName"));
        const found = mandatory(runStackPolicy(criticalResourcesProtected, [plain, trail]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(BUCKET, "release-bin"));
        assert.match(found[0].message, /CloudTrail trail "audit" delivers its logs to it/);
    });

    it("checks a lock configuration whose bucket is outside the stack when the name matches the patterns", () => {
        const external: TestResource = { type: LOCK, name: "ext-lock", props: { bucket: "release-archive" } };
        assert.deepEqual(runStackPolicy(criticalResourcesProtected, [external]), []);
        const found = mandatory(runStackPolicy(criticalResourcesProtected, [external], { config: { designatedStoreNamePatterns: ["release-*"] } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /configures a designated store outside the stack \(its bucket "release-archive" matches/);
    });

    it("requires protect on every trail, ECR repository and (by default) KMS key", () => {
        const found = mandatory(
            runStackPolicy(criticalResourcesProtected, [
                { type: TRAIL, name: "t", props: { s3BucketName: "external-logs" } },
                { type: REPO, name: "r", props: {} },
                { type: NATIVE_REPO, name: "nr", props: {} },
                { type: KEY, name: "k", props: {} },
                { type: NATIVE_KEY, name: "nk", props: {} },
                { type: REPLICA_KEY, name: "rk", props: {} },
            ]),
        );
        assert.equal(found.length, 6);
        assert.match(found.find((f) => f.urn === urnOf(TRAIL, "t"))!.message, /it is a CloudTrail trail/);
        assert.match(found.find((f) => f.urn === urnOf(REPO, "r"))!.message, /it is an ECR repository/);
        assert.match(found.find((f) => f.urn === urnOf(KEY, "k"))!.message, /it is a KMS key \(applyToAllKeys is set\)/);
    });

    it("with applyToAllKeys false, only designated keys (tag or name pattern)", () => {
        const config = { applyToAllKeys: false, designatedKeyNamePatterns: ["approval-*"] };
        const keys: TestResource[] = [
            { type: KEY, name: "plain", props: {} },
            { type: KEY, name: "signing", props: { tags: { "sealed-infra:purpose": "release-approval" } } },
            { type: NATIVE_KEY, name: "logs", props: { tags: [{ key: "sealed-infra:store", value: "audit-logs" }] } },
            { type: KEY, name: "approval-2", props: {} },
        ];
        const found = mandatory(runStackPolicy(criticalResourcesProtected, keys, { config }));
        assert.deepEqual(found.map((f) => f.urn).sort(), [urnOf(KEY, "signing"), urnOf(NATIVE_KEY, "logs"), urnOf(KEY, "approval-2")].sort());
        assert.match(found.find((f) => f.urn === urnOf(KEY, "signing"))!.message, /it is a designated key \(it is tagged sealed-infra:purpose=release-approval\)/);
    });

    it("unknown tags in preview give 'verified at update' notes for the bucket and its parts; fail closed at update", () => {
        const b: TestResource = { type: BUCKET, name: "maybe", props: { bucket: "maybe-abc1234", id: "maybe-abc1234", tags: UNKNOWN } };
        const lock = child(LOCK, "maybe-lock", b, {});
        const preview = runStackPolicy(criticalResourcesProtected, [b, lock]);
        assert.equal(mandatory(preview).length, 0);
        assert.equal(advisory(preview).length, 2);
        assert.equal(advisory(preview)[0].urn, urnOf(BUCKET, "maybe"));
        assert.match(advisory(preview)[0].message, /tags is not known until the update, so it will be verified at update that if this bucket is a designated store .*, it has protect: true/);
        assert.equal(advisory(preview)[1].urn, urnOf(LOCK, "maybe-lock"));
        assert.equal(mandatory(runStackPolicy(criticalResourcesProtected, [b, lock], { preview: false })).length, 2);
        // Protected already: nothing to verify.
        assert.deepEqual(runStackPolicy(criticalResourcesProtected, [protect(b), protect(lock)]), []);
    });

    it("a part whose bucket is not known until the update is noted, not passed", () => {
        const pending = child(LOCK, "pending-lock", bucket("x"), {}, "unknown");
        const found = runStackPolicy(criticalResourcesProtected, [pending]);
        assert.equal(mandatory(found).length, 0);
        assert.equal(advisory(found).length, 1);
        assert.match(advisory(found)[0].message, /bucket is not known until the update, so it will be verified at update that if the bucket this aws\.s3\.BucketObjectLockConfiguration configures is a designated store/);
    });

    it("reports a resource once even when it is critical for several reasons", () => {
        const logs = bucket("audit-logs", {}, BUCKET, { "sealed-infra:store": "audit-logs" });
        const trail = protect(child(TRAIL, "audit", logs, {}, "name", "s3BucketName"));
        const found = mandatory(runStackPolicy(criticalResourcesProtected, [logs, trail]));
        assert.equal(found.length, 1);
    });
});
