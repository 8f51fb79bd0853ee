import { strict as assert } from "assert";
import { s3ObjectLock } from "../../policypack/src/policies/immutable-artifacts/s3-object-lock";
import { UNREADABLE_SECRET } from "../../policypack/src/framework/values";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";
import { BUCKET, BUCKET_V2, bucket, child, compliantStore, LOCK, LOCK_V2, NATIVE_BUCKET, TRAIL } from "./records-fixtures";

const compliance = (days: number, extra: Record<string, unknown> = {}) => ({ rule: { defaultRetention: { mode: "COMPLIANCE", days, ...extra } } });

describe("s3-object-lock", () => {
    it("passes a designated store with a linked COMPLIANCE lock of 365 days (propertyDependencies or name)", () => {
        assert.deepEqual(runStackPolicy(s3ObjectLock, compliantStore("artifacts", "deps")), []);
        assert.deepEqual(runStackPolicy(s3ObjectLock, compliantStore("artifacts", "name")), []);
    });

    it("ignores buckets that are not designated", () => {
        assert.deepEqual(runStackPolicy(s3ObjectLock, [bucket("scratch", {}, BUCKET, null)]), []);
    });

    it("reports a designated store without Object Lock on the bucket's URN, with the designation reason and the fix", () => {
        const found = runStackPolicy(s3ObjectLock, [bucket("artifacts")]);
        assert.equal(found.length, 1);
        assert.equal(found[0].enforcementLevel, "mandatory");
        assert.equal(found[0].urn, urnOf(BUCKET, "artifacts"));
        assert.match(found[0].message, /^Designated stores .*\naws:s3:Bucket "artifacts": Object Lock is not enabled \(objectLockEnabled is unset/);
        assert.match(found[0].message, /tagged sealed-infra:store=artifacts/);
        assert.match(found[0].message, /objectLockEnabled: true .*BucketObjectLockConfiguration\("artifacts".*mode: "COMPLIANCE", days: 365/);
    });

    it("designates by name pattern and by designateAllBuckets", () => {
        const untagged = bucket("release-artifacts", {}, BUCKET, null);
        const byPattern = mandatory(runStackPolicy(s3ObjectLock, [untagged], { config: { designatedStoreNamePatterns: ["release-*"] } }));
        assert.equal(byPattern.length, 1);
        assert.match(byPattern[0].message, /matches designatedStoreNamePatterns "release-\*"/);
        // the physical name matches too
        assert.equal(mandatory(runStackPolicy(s3ObjectLock, [untagged], { config: { designatedStoreNamePatterns: ["*-abc1234"] } })).length, 1);
        const all = mandatory(runStackPolicy(s3ObjectLock, [untagged], { config: { designateAllBuckets: true } }));
        assert.equal(all.length, 1);
        assert.match(all[0].message, /designateAllBuckets is set/);
    });

    it("treats a bucket a CloudTrail trail delivers to as an audit-log store", () => {
        const logs = bucket("trail-logs", {}, BUCKET, null);
        const trail = child(TRAIL, "audit", logs, {}, "name", "s3BucketName");
        const found = mandatory(runStackPolicy(s3ObjectLock, [logs, trail]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(BUCKET, "trail-logs"));
        assert.match(found[0].message, /CloudTrail trail "audit" delivers its logs to it/);
    });

    it("reports GOVERNANCE mode and a short retention on the lock configuration's URN", () => {
        const b = bucket("artifacts", { objectLockEnabled: true });
        const lock = child(LOCK, "artifacts-lock", b, { rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } } });
        const found = mandatory(runStackPolicy(s3ObjectLock, [b, lock]));
        assert.equal(found.length, 2);
        for (const f of found) {
            assert.equal(f.urn, urnOf(LOCK, "artifacts-lock"));
        }
        assert.match(found[0].message, /aws:s3:BucketObjectLockConfiguration "artifacts-lock": rule.defaultRetention.mode for store "artifacts" is "GOVERNANCE", so anyone granted s3:BypassGovernanceRetention/);
        assert.match(found[1].message, /rule.defaultRetention.days is 30 for store "artifacts", below minRetentionDays \(365\)/);
        // allowGovernanceMode accepts the mode; a lower minimum accepts the period
        assert.deepEqual(runStackPolicy(s3ObjectLock, [b, lock], { config: { allowGovernanceMode: true, minRetentionDays: 30 } }), []);
    });

    it("counts years as 365 days and requires a period", () => {
        const b = bucket("artifacts", { objectLockEnabled: true });
        assert.deepEqual(runStackPolicy(s3ObjectLock, [b, child(LOCK, "l", b, { rule: { defaultRetention: { mode: "COMPLIANCE", years: 1 } } })]), []);
        const short = mandatory(runStackPolicy(s3ObjectLock, [b, child(LOCK, "l", b, { rule: { defaultRetention: { mode: "COMPLIANCE", years: 1 } } })], { config: { minRetentionDays: 400 } }));
        assert.equal(short.length, 1);
        assert.match(short[0].message, /rule.defaultRetention.years is 1 \(365 days\)/);
        const none = mandatory(runStackPolicy(s3ObjectLock, [b, child(LOCK, "l", b, { rule: { defaultRetention: { mode: "COMPLIANCE" } } })]));
        assert.equal(none.length, 1);
        assert.match(none[0].message, /sets neither days nor years/);
    });

    it("treats an unset mode as unsafe", () => {
        const b = bucket("artifacts", { objectLockEnabled: true });
        const found = mandatory(runStackPolicy(s3ObjectLock, [b, child(LOCK, "l", b, { rule: { defaultRetention: { days: 400 } } })]));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /rule.defaultRetention.mode for store "artifacts" is unset, so the retention does not lock anything; set mode: "COMPLIANCE"/);
    });

    it("reports Object Lock without a default retention on the lock configuration", () => {
        const b = bucket("artifacts", { objectLockEnabled: true });
        const found = mandatory(runStackPolicy(s3ObjectLock, [b, child(LOCK, "l", b, {})]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(LOCK, "l"));
        assert.match(found[0].message, /no default retention is set/);
        const bare = mandatory(runStackPolicy(s3ObjectLock, [bucket("artifacts", { objectLockEnabled: true })]));
        assert.equal(bare.length, 1);
        assert.equal(bare[0].urn, urnOf(BUCKET, "artifacts"));
    });

    it("accepts a lock configuration resource that enables Object Lock on an existing bucket", () => {
        const b = bucket("artifacts");
        assert.deepEqual(runStackPolicy(s3ObjectLock, [b, child(LOCK, "l", b, compliance(365))]), []);
    });

    it("covers the deprecated V2 types and the legacy inline forms (object and list shapes)", () => {
        const v2 = bucket("old", { objectLockEnabled: true }, BUCKET_V2);
        assert.deepEqual(runStackPolicy(s3ObjectLock, [v2, child(LOCK_V2, "old-lock", v2, compliance(365), "name")]), []);
        const v2Bad = mandatory(runStackPolicy(s3ObjectLock, [v2, child(LOCK_V2, "old-lock", v2, compliance(10), "name")]));
        assert.equal(v2Bad.length, 1);
        assert.equal(v2Bad[0].urn, urnOf(LOCK_V2, "old-lock"));

        const inline = bucket("inline", { objectLockConfiguration: { objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } } } });
        assert.deepEqual(runStackPolicy(s3ObjectLock, [inline]), []);
        const legacyList = bucket(
            "list",
            { objectLockConfiguration: { objectLockEnabled: "Enabled", rules: [{ defaultRetentions: [{ mode: "GOVERNANCE", days: 365 }] }] } },
            BUCKET_V2,
        );
        const found = mandatory(runStackPolicy(s3ObjectLock, [legacyList]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(BUCKET_V2, "list"));
        assert.match(found[0].message, /objectLockConfiguration.rules\[0\].defaultRetentions\[0\].mode is "GOVERNANCE"/);
    });

    it("reads the inline retention only without a linked lock configuration (the provider's outputs mirror it)", () => {
        const mirror = { objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } } };
        const b = bucket("artifacts", { objectLockEnabled: true, objectLockConfiguration: mirror });
        const found = mandatory(runStackPolicy(s3ObjectLock, [b, child(LOCK, "l", b, { rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } } })]));
        assert.equal(found.length, 2);
        assert.deepEqual([...new Set(found.map((f) => f.urn))], [urnOf(LOCK, "l")]);
        assert.equal(mandatory(runStackPolicy(s3ObjectLock, [b])).length, 2);
    });

    it("checks aws-native buckets' inline configuration", () => {
        const ok = bucket("n", { objectLockEnabled: true, objectLockConfiguration: { objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", years: 2 } } } }, NATIVE_BUCKET);
        assert.deepEqual(runStackPolicy(s3ObjectLock, [ok]), []);
        const none = mandatory(runStackPolicy(s3ObjectLock, [bucket("n", {}, NATIVE_BUCKET)]));
        assert.equal(none.length, 1);
        assert.equal(none[0].urn, urnOf(NATIVE_BUCKET, "n"));
        assert.match(none[0].message, /aws-native:s3:Bucket "n": Object Lock is not enabled .*set objectLockEnabled: true and objectLockConfiguration:/);
    });

    it("is advisory while the lock configuration's bucket is unknown, and for unknown values in preview", () => {
        const b = bucket("artifacts");
        const pending = runStackPolicy(s3ObjectLock, [b, child(LOCK, "l", b, compliance(365), "unknown")]);
        assert.equal(mandatory(pending).length, 0);
        assert.equal(advisory(pending).length, 1);
        assert.match(advisory(pending)[0].message, /bucket of "l" is not known until the update, so it will be verified at update/);

        const unknownDays = [bucket("artifacts", { objectLockEnabled: true }), child(LOCK, "l", bucket("artifacts"), { rule: { defaultRetention: { mode: "COMPLIANCE", days: UNKNOWN } } })];
        const preview = runStackPolicy(s3ObjectLock, unknownDays);
        assert.deepEqual(preview.map((f) => f.enforcementLevel), ["advisory"]);
        assert.equal(preview[0].urn, urnOf(LOCK, "l"));
        assert.match(preview[0].message, /rule.defaultRetention.days is not known until the update/);
        const update = runStackPolicy(s3ObjectLock, unknownDays, { preview: false });
        assert.deepEqual(update.map((f) => f.enforcementLevel), ["mandatory"]);
        assert.match(update[0].message, /still unknown during the update/);

        const unknownEnabled = runStackPolicy(s3ObjectLock, [bucket("artifacts", { objectLockEnabled: UNKNOWN })]);
        assert.deepEqual(unknownEnabled.map((f) => f.enforcementLevel), ["advisory"]);
    });

    it("is advisory when a bucket's tags are unknown in preview", () => {
        const b: TestResource = { type: BUCKET, name: "maybe", props: { bucket: "maybe-1", tags: UNKNOWN } };
        const found = runStackPolicy(s3ObjectLock, [b]);
        assert.deepEqual(found.map((f) => f.enforcementLevel), ["advisory"]);
        assert.match(found[0].message, /if this bucket is a designated store/);
    });

    it("reads plain values of secrets and fails closed on a secret it was not given", () => {
        // @pulumi/policy unwraps secrets: the policy sees plain values.
        const b = bucket("artifacts", { objectLockEnabled: true });
        assert.deepEqual(runStackPolicy(s3ObjectLock, [b, child(LOCK, "l", b, compliance(365))]), []);
        const found = mandatory(runStackPolicy(s3ObjectLock, [b, child(LOCK, "l", b, { rule: UNREADABLE_SECRET })]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(LOCK, "l"));
        assert.match(found[0].message, /cannot verify .*rule .*secret whose plaintext was not provided/);
    });

    it("fails closed on malformed values", () => {
        const b = bucket("artifacts", { objectLockEnabled: true });
        const found = mandatory(runStackPolicy(s3ObjectLock, [b, child(LOCK, "l", b, { rule: { defaultRetention: { mode: "COMPLIANCE", days: "many" } } })]));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /cannot verify .*expected a number/);
        const flag = mandatory(runStackPolicy(s3ObjectLock, [bucket("artifacts", { objectLockEnabled: "yes" })]));
        assert.equal(flag.length, 1);
        assert.match(flag[0].message, /cannot verify .*objectLockEnabled .*expected true or false/);
    });

    it("checks a lock configuration for an outside bucket only when that bucket is designated by pattern", () => {
        const ext: TestResource = { type: LOCK, name: "ext", props: { bucket: "central-artifacts", rule: { defaultRetention: { mode: "GOVERNANCE", days: 365 } } } };
        assert.deepEqual(runStackPolicy(s3ObjectLock, [ext]), []);
        const found = mandatory(runStackPolicy(s3ObjectLock, [ext], { config: { designatedStoreNamePatterns: ["central-*"] } }));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(LOCK, "ext"));
        assert.match(found[0].message, /for store "central-artifacts" is "GOVERNANCE"/);
    });
});
