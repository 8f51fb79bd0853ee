import { strict as assert } from "assert";
import { s3NoEarlyExpiration } from "../../policypack/src/policies/immutable-artifacts/s3-no-early-expiration";
import { UNREADABLE_SECRET } from "../../policypack/src/framework/values";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";
import { BUCKET, BUCKET_V2, bucket, child, LIFECYCLE, LIFECYCLE_V2, LOCK, NATIVE_BUCKET } from "./records-fixtures";

function lifecycle(name: string, b: TestResource, rules: unknown, how: "deps" | "name" | "unknown" = "deps", type = LIFECYCLE): TestResource {
    return child(type, name, b, { rules }, how);
}

describe("s3-no-early-expiration", () => {
    it("passes transitions, delete-marker cleanup, aborted uploads and long expirations", () => {
        const b = bucket("logs");
        const rules = [
            { id: "archive", status: "Enabled", transitions: [{ days: 30, storageClass: "GLACIER" }], noncurrentVersionTransitions: [{ noncurrentDays: 30, storageClass: "GLACIER" }] },
            { id: "markers", status: "Enabled", expiration: { expiredObjectDeleteMarker: true, days: 0 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
            { id: "old", status: "Enabled", expiration: { days: 400 }, noncurrentVersionExpiration: { noncurrentDays: 365 } },
        ];
        assert.deepEqual(runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, rules)]), []);
    });

    it("ignores lifecycle rules of buckets that are not designated", () => {
        const b = bucket("tmp", {}, BUCKET, null);
        assert.deepEqual(runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, [{ id: "x", status: "Enabled", expiration: { days: 1 } }])]), []);
    });

    it("reports early noncurrent expiration on the lifecycle configuration's URN with rule, value and fix", () => {
        const b = bucket("logs");
        const found = runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, [{ id: "cleanup", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 7 } }])]);
        assert.equal(found.length, 1);
        assert.equal(found[0].enforcementLevel, "mandatory");
        assert.equal(found[0].urn, urnOf(LIFECYCLE, "lc"));
        assert.match(
            found[0].message,
            /aws:s3:BucketLifecycleConfiguration "lc": rules\[0\].noncurrentVersionExpiration.noncurrentDays is 7 \(rule "cleanup"\) of store "logs", so replaced and deleted versions are removed for good after 7 days, before the 365-day retention \(minRetentionDays\) ends/,
        );
        assert.match(found[0].message, /set it to at least 365 days/);
        assert.match(found[0].message, /tagged sealed-infra:store=artifacts/);
    });

    it("reports early and date-based current expiration", () => {
        const b = bucket("logs");
        const found = mandatory(
            runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, [{ id: "a", status: "Enabled", expiration: { days: 90 } }, { id: "b", status: "Enabled", expiration: { date: "2027-01-01T00:00:00Z" } }])]),
        );
        assert.equal(found.length, 2);
        assert.match(found[0].message, /rules\[0\].expiration.days is 90 .*current versions expire after 90 days/);
        assert.match(found[1].message, /rules\[1\].expiration.date is "2027-01-01T00:00:00Z" .*whatever its age/);
    });

    it("counts rules with a filter, and rules without a status, but ignores disabled rules", () => {
        const b = bucket("logs");
        const filtered = [{ id: "f", status: "Enabled", filter: { prefix: "tmp/" }, expiration: { days: 1 } }];
        assert.equal(mandatory(runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, filtered)])).length, 1);
        const noStatus = [{ id: "n", expiration: { days: 1 } }];
        assert.equal(mandatory(runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, noStatus)])).length, 1);
        const disabled = [{ id: "d", status: "Disabled", expiration: { days: 1 } }];
        assert.deepEqual(runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, disabled)]), []);
    });

    it("raises the retention period to a longer Object Lock default retention", () => {
        const b = bucket("logs", { objectLockEnabled: true });
        const lock = child(LOCK, "lock", b, { rule: { defaultRetention: { mode: "COMPLIANCE", years: 2 } } });
        const found = mandatory(runStackPolicy(s3NoEarlyExpiration, [b, lock, lifecycle("lc", b, [{ id: "x", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 400 } }])]));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /before the 730-day retention \(the Object Lock default retention \(rule.defaultRetention\)\) ends/);
    });

    it("covers V2 lifecycle configurations joined by name, legacy inline rules (object and list shapes) and aws-native", () => {
        const v2 = bucket("old", {}, BUCKET_V2);
        const viaV2 = mandatory(runStackPolicy(s3NoEarlyExpiration, [v2, lifecycle("lc2", v2, [{ id: "x", status: "Enabled", expiration: { days: 5 } }], "name", LIFECYCLE_V2)]));
        assert.equal(viaV2.length, 1);
        assert.equal(viaV2[0].urn, urnOf(LIFECYCLE_V2, "lc2"));

        const legacy = bucket("legacy", { lifecycleRules: [{ id: "old", enabled: true, noncurrentVersionExpiration: { days: 30 } }] });
        const a = mandatory(runStackPolicy(s3NoEarlyExpiration, [legacy]));
        assert.equal(a.length, 1);
        assert.equal(a[0].urn, urnOf(BUCKET, "legacy"));
        assert.match(a[0].message, /aws:s3:Bucket "legacy": lifecycleRules\[0\].noncurrentVersionExpiration.days is 30 \(rule "old"\), so/);

        const legacyList = bucket("ll", { lifecycleRules: [{ enabled: true, expirations: [{ days: 10 }], noncurrentVersionExpirations: [{ days: 10 }] }] }, BUCKET_V2);
        assert.equal(mandatory(runStackPolicy(s3NoEarlyExpiration, [legacyList])).length, 2);
        const legacyOff = bucket("off", { lifecycleRules: [{ enabled: false, expiration: { days: 1 } }] });
        assert.deepEqual(runStackPolicy(s3NoEarlyExpiration, [legacyOff]), []);

        const native = bucket(
            "n",
            { lifecycleConfiguration: { rules: [{ id: "r", status: "Enabled", expirationInDays: 30, noncurrentVersionExpiration: { noncurrentDays: 10 }, noncurrentVersionExpirationInDays: 5 }] } },
            NATIVE_BUCKET,
        );
        const n = mandatory(runStackPolicy(s3NoEarlyExpiration, [native]));
        assert.deepEqual(
            n.map((f) => /: (\S+) is/.exec(f.message)?.[1]),
            ["lifecycleConfiguration.rules[0].expirationInDays", "lifecycleConfiguration.rules[0].noncurrentVersionExpiration.noncurrentDays", "lifecycleConfiguration.rules[0].noncurrentVersionExpirationInDays"],
        );
    });

    it("reads the bucket's inline lifecycleRules only without a linked configuration (the provider's outputs mirror it)", () => {
        const mirrored = [{ id: "cleanup", enabled: true, noncurrentVersionExpiration: { days: 7 } }];
        const b = bucket("logs", { lifecycleRules: mirrored });
        const found = mandatory(runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, [{ id: "cleanup", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 7 } }])]));
        assert.deepEqual(found.map((f) => f.urn), [urnOf(LIFECYCLE, "lc")]);
        assert.deepEqual(runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, [])]), []);
    });

    it("is advisory for unknowns in preview and mandatory at update", () => {
        const b = bucket("logs");
        const rules = [{ id: "x", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: UNKNOWN } }];
        const preview = runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, rules)]);
        assert.deepEqual(preview.map((f) => f.enforcementLevel), ["advisory"]);
        assert.equal(preview[0].urn, urnOf(LIFECYCLE, "lc"));
        assert.match(preview[0].message, /rules\[0\].noncurrentVersionExpiration.noncurrentDays is not known until the update, so it will be verified at update/);
        assert.deepEqual(runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, rules)], { preview: false }).map((f) => f.enforcementLevel), ["mandatory"]);
        const unknownRules = runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, UNKNOWN)]);
        assert.deepEqual(unknownRules.map((f) => f.enforcementLevel), ["advisory"]);
    });

    it("notes a lifecycle configuration whose bucket is unknown only when it would delete early", () => {
        const b = bucket("logs");
        const early = runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, [{ id: "x", status: "Enabled", expiration: { days: 3 } }], "unknown")]);
        assert.deepEqual(early.map((f) => f.enforcementLevel), ["advisory"]);
        assert.match(early[0].message, /"lc": bucket is not known until the update/);
        assert.deepEqual(runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, [{ id: "x", status: "Enabled", expiration: { days: 400 } }], "unknown")]), []);
    });

    it("fails closed on malformed or undecryptable rules", () => {
        const b = bucket("logs");
        const bad = mandatory(runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, [{ id: "x", status: "Enabled", expiration: { days: "soon" } }])]));
        assert.equal(bad.length, 1);
        assert.match(bad[0].message, /cannot verify .*expected a number of days, found "soon"/);
        const secret = mandatory(runStackPolicy(s3NoEarlyExpiration, [b, lifecycle("lc", b, UNREADABLE_SECRET)]));
        assert.equal(secret.length, 1);
        assert.match(secret[0].message, /secret whose plaintext was not provided/);
        assert.equal(advisory(secret).length, 0);
    });

    it("checks a lifecycle configuration of an outside bucket designated by pattern", () => {
        const ext: TestResource = { type: LIFECYCLE, name: "ext", props: { bucket: "org-audit-logs", rules: [{ id: "x", status: "Enabled", expiration: { days: 30 } }] } };
        assert.deepEqual(runStackPolicy(s3NoEarlyExpiration, [ext]), []);
        const found = mandatory(runStackPolicy(s3NoEarlyExpiration, [ext], { config: { designatedStoreNamePatterns: ["org-*"] } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /of store "org-audit-logs"/);
    });

    it("honours minRetentionDays", () => {
        const b = bucket("logs");
        const lc = lifecycle("lc", b, [{ id: "x", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 90 } }]);
        assert.deepEqual(runStackPolicy(s3NoEarlyExpiration, [b, lc], { config: { minRetentionDays: 90 } }), []);
        assert.equal(mandatory(runStackPolicy(s3NoEarlyExpiration, [b, lc], { config: { minRetentionDays: 91 } })).length, 1);
    });
});
