import { strict as assert } from "assert";
import { cloudtrailTamperEvident } from "../../policypack/src/policies/immutable-artifacts/cloudtrail-tamper-evident";
import { UNREADABLE_SECRET } from "../../policypack/src/framework/values";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";
import { BUCKET, bucket, child, compliantStore, LOCK, NATIVE_BUCKET, NATIVE_TRAIL, TRAIL } from "./records-fixtures";

const GOOD = {
    enableLogFileValidation: true,
    isMultiRegionTrail: true,
    includeGlobalServiceEvents: true,
    kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
};

function trail(name: string, b: TestResource | string, props: Record<string, unknown> = {}, how: "deps" | "name" | "unknown" = "deps", type = TRAIL): TestResource {
    if (typeof b === "string") {
        return { type, name, props: { s3BucketName: b, ...GOOD, ...props } };
    }
    return child(type, name, b, { ...GOOD, ...props }, how, "s3BucketName");
}

function lockedStore(name = "audit"): TestResource[] {
    return compliantStore(name).slice(0, 2);
}

describe("cloudtrail-tamper-evident", () => {
    it("passes a complete trail delivering to a locked store (propertyDependencies or name)", () => {
        const [b, lock] = lockedStore();
        assert.deepEqual(runStackPolicy(cloudtrailTamperEvident, [b, lock, trail("t", b)]), []);
        assert.deepEqual(runStackPolicy(cloudtrailTamperEvident, [b, lock, trail("t", b, {}, "name")]), []);
    });

    it("reports every missing setting of a default trail on the trail's URN, unset meaning the AWS default", () => {
        const [b, lock] = lockedStore();
        const bare = child(TRAIL, "t", b, {}, "deps", "s3BucketName");
        const found = mandatory(runStackPolicy(cloudtrailTamperEvident, [b, lock, bare]));
        assert.equal(found.length, 3);
        for (const f of found) {
            assert.equal(f.urn, urnOf(TRAIL, "t"));
        }
        assert.match(found[0].message, /aws:cloudtrail:Trail "t": enableLogFileValidation is unset \(defaults to false\), so log files can be altered .*; set enableLogFileValidation: true\./);
        assert.match(found[1].message, /isMultiRegionTrail is unset \(defaults to false\)/);
        assert.match(found[2].message, /kmsKeyId is unset, .*set kmsKeyId to a customer-managed KMS key's ARN/);
    });

    it("reports explicit false for global events and logging", () => {
        const [b, lock] = lockedStore();
        const found = mandatory(runStackPolicy(cloudtrailTamperEvident, [b, lock, trail("t", b, { includeGlobalServiceEvents: false, enableLogging: false })]));
        assert.equal(found.length, 2);
        assert.match(found[0].message, /includeGlobalServiceEvents is false/);
        assert.match(found[1].message, /enableLogging is false, so the trail is stopped/);
    });

    it("checks aws-native trails (isLogging is required)", () => {
        const b = bucket("n", { objectLockEnabled: true, objectLockConfiguration: { objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } } } }, NATIVE_BUCKET);
        const t = child(NATIVE_TRAIL, "nt", b, { ...GOOD, isLogging: true }, "deps", "s3BucketName");
        assert.deepEqual(runStackPolicy(cloudtrailTamperEvident, [b, t]), []);
        const off = mandatory(runStackPolicy(cloudtrailTamperEvident, [b, child(NATIVE_TRAIL, "nt", b, GOOD, "deps", "s3BucketName")]));
        assert.equal(off.length, 1);
        assert.equal(off[0].urn, urnOf(NATIVE_TRAIL, "nt"));
        assert.match(off[0].message, /aws-native:cloudtrail:Trail "nt": isLogging is unset \(defaults to false\)/);
    });

    it("requires management write events in basic and advanced selectors", () => {
        const [b, lock] = lockedStore();
        const run = (props: Record<string, unknown>) => mandatory(runStackPolicy(cloudtrailTamperEvident, [b, lock, trail("t", b, props)]));
        assert.deepEqual(run({ eventSelectors: [{ readWriteType: "All", includeManagementEvents: true }] }), []);
        assert.deepEqual(run({ eventSelectors: [{ readWriteType: "WriteOnly" }] }), []);
        const readOnly = run({ eventSelectors: [{ readWriteType: "ReadOnly", includeManagementEvents: true }] });
        assert.equal(readOnly.length, 1);
        assert.match(readOnly[0].message, /no event selector records all management write events \(eventSelectors\[0\].readWriteType is "ReadOnly"\)/);
        assert.equal(run({ eventSelectors: [{ includeManagementEvents: false, dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }] }] }).length, 1);
        assert.equal(run({ eventSelectors: [{ excludeManagementEventSources: ["kms.amazonaws.com"] }] }).length, 1);

        assert.deepEqual(run({ advancedEventSelectors: [{ name: "m", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }] }), []);
        assert.deepEqual(run({ advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["false"] }] }] }), []);
        const dataOnly = run({ advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Data"] }, { field: "resources.type", equals: ["AWS::S3::Object"] }] }] });
        assert.equal(dataOnly.length, 1);
        assert.match(dataOnly[0].message, /advancedEventSelectors has no selector for all management events/);
        assert.equal(run({ advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }, { field: "eventSource", notEquals: ["kms.amazonaws.com"] }] }] }).length, 1);
        assert.equal(run({ advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["true"] }] }] }).length, 1);
    });

    it("reports an unlocked destination on the bucket's URN, naming the trail", () => {
        const plain = bucket("plain", {}, BUCKET, null);
        const found = mandatory(runStackPolicy(cloudtrailTamperEvident, [plain, trail("t", plain)]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(BUCKET, "plain"));
        assert.match(found[0].message, /aws:s3:Bucket "plain": trail "t" delivers audit logs here, but Object Lock is not enabled/);
        // two trails, one report naming both
        const two = mandatory(runStackPolicy(cloudtrailTamperEvident, [plain, trail("t1", plain), trail("t2", plain, {}, "name")]));
        assert.equal(two.length, 1);
        assert.match(two[0].message, /trails "t1", "t2" deliver /);
    });

    it("reports a GOVERNANCE lock on the lock configuration's URN", () => {
        const b = bucket("audit", { objectLockEnabled: true });
        const lock = child(LOCK, "audit-lock", b, { rule: { defaultRetention: { mode: "GOVERNANCE", days: 3650 } } });
        const found = mandatory(runStackPolicy(cloudtrailTamperEvident, [b, lock, trail("t", b)]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(LOCK, "audit-lock"));
        assert.match(found[0].message, /rule.defaultRetention.mode is "GOVERNANCE" on the store where trail "t" delivers/);
    });

    it("requires an outside bucket to be listed in externalLockedBuckets", () => {
        const t = trail("t", "org-log-archive-111122223333");
        const found = mandatory(runStackPolicy(cloudtrailTamperEvident, [t]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(TRAIL, "t"));
        assert.match(found[0].message, /s3BucketName is "org-log-archive-111122223333", a bucket outside this stack.*externalLockedBuckets/);
        assert.deepEqual(runStackPolicy(cloudtrailTamperEvident, [t], { config: { externalLockedBuckets: ["org-log-archive-*"] } }), []);
    });

    it("is advisory while the destination or a setting is unknown in preview, mandatory at update", () => {
        const [b, lock] = lockedStore();
        const pending = runStackPolicy(cloudtrailTamperEvident, [b, lock, trail("t", b, {}, "unknown")]);
        assert.deepEqual(pending.map((f) => f.enforcementLevel), ["advisory"]);
        assert.match(pending[0].message, /s3BucketName is not known until the update/);
        const unknownKey = [b, lock, trail("t", b, { kmsKeyId: UNKNOWN })];
        assert.deepEqual(runStackPolicy(cloudtrailTamperEvident, unknownKey).map((f) => f.enforcementLevel), ["advisory"]);
        const update = runStackPolicy(cloudtrailTamperEvident, unknownKey, { preview: false });
        assert.deepEqual(update.map((f) => f.enforcementLevel), ["mandatory"]);
        assert.equal(update[0].urn, urnOf(TRAIL, "t"));
    });

    it("reads secrets as plain values and fails closed on malformed ones", () => {
        const [b, lock] = lockedStore();
        const found = mandatory(runStackPolicy(cloudtrailTamperEvident, [b, lock, trail("t", b, { kmsKeyId: UNREADABLE_SECRET, enableLogFileValidation: "maybe" })]));
        assert.equal(found.length, 2);
        assert.match(found[0].message, /cannot verify that enableLogFileValidation is true: .*expected true or false/);
        assert.match(found[1].message, /cannot verify .*kmsKeyId .*secret/);
        // provider-style "true" strings are accepted
        assert.deepEqual(runStackPolicy(cloudtrailTamperEvident, [b, lock, trail("t", b, { isMultiRegionTrail: "true" })]), []);
    });

    it("is silent for stacks without trails", () => {
        assert.deepEqual(runStackPolicy(cloudtrailTamperEvident, [bucket("x")]), []);
        assert.equal(advisory(runStackPolicy(cloudtrailTamperEvident, [bucket("x")])).length, 0);
    });
});
