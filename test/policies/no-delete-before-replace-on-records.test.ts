import { strict as assert } from "assert";
import { noDeleteBeforeReplaceOnRecords } from "../../policypack/src/policies/immutable-updates/no-delete-before-replace-on-records";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";
import { BUCKET, BUCKET_V2, bucket, child, LOCK, NATIVE_BUCKET, NATIVE_TRAIL, TRAIL } from "./records-fixtures";

// Fresh props: the stack model is memoised on the identity of the props objects (one per request in the engine).
const dbr = (r: TestResource, value: boolean | "unset" = true): TestResource => ({
    ...r,
    props: { ...r.props },
    options: { ...r.options, deleteBeforeReplace: value === "unset" ? undefined : value },
});

describe("no-delete-before-replace-on-records", () => {
    it("passes stores and trails without deleteBeforeReplace (unset or false)", () => {
        const b = bucket("artifacts");
        assert.deepEqual(runStackPolicy(noDeleteBeforeReplaceOnRecords, [b, dbr(child(TRAIL, "audit", b, {}, "name", "s3BucketName"), false)]), []);
        assert.deepEqual(runStackPolicy(noDeleteBeforeReplaceOnRecords, [dbr(bucket("artifacts"), "unset")]), []);
    });

    it("ignores ordinary buckets and other resources", () => {
        assert.deepEqual(runStackPolicy(noDeleteBeforeReplaceOnRecords, [dbr(bucket("scratch", {}, BUCKET, null)), dbr(child(LOCK, "l", bucket("artifacts"), {}))]), []);
    });

    it("reports a designated store with deleteBeforeReplace on its URN, with the reason and the fix", () => {
        const found = runStackPolicy(noDeleteBeforeReplaceOnRecords, [dbr(bucket("artifacts"))]);
        assert.equal(found.length, 1);
        assert.equal(found[0].enforcementLevel, "mandatory");
        assert.equal(found[0].urn, urnOf(BUCKET, "artifacts"));
        assert.match(
            found[0].message,
            /\naws:s3:Bucket "artifacts": deleteBeforeReplace is true although it is a designated store \(it is tagged sealed-infra:store=artifacts\), so a replacement deletes it/,
        );
        assert.match(found[0].message, /remove the deleteBeforeReplace option/);
    });

    it("covers the V2 alias, aws-native buckets and trails, pattern designation and trail destinations", () => {
        const logs = bucket("logs", {}, BUCKET, null);
        const found = mandatory(
            runStackPolicy(
                noDeleteBeforeReplaceOnRecords,
                [dbr(bucket("v2", {}, BUCKET_V2)), dbr(bucket("native", {}, NATIVE_BUCKET)), dbr(logs), dbr(child(NATIVE_TRAIL, "audit", logs, {}, "name", "s3BucketName")), dbr(bucket("release-x", {}, BUCKET, null))],
                { config: { designatedStoreNamePatterns: ["release-*"] } },
            ),
        );
        assert.deepEqual(
            found.map((f) => f.urn).sort(),
            [urnOf(BUCKET_V2, "v2"), urnOf(NATIVE_BUCKET, "native"), urnOf(BUCKET, "logs"), urnOf(NATIVE_TRAIL, "audit"), urnOf(BUCKET, "release-x")].sort(),
        );
        assert.match(found.find((f) => f.urn === urnOf(NATIVE_TRAIL, "audit"))!.message, /it is a CloudTrail trail/);
    });

    it("a bucket with deleteBeforeReplace whose tags are unknown is verified at update", () => {
        const b = dbr({ type: BUCKET, name: "maybe", props: { bucket: "maybe-1", tags: UNKNOWN } });
        const preview = runStackPolicy(noDeleteBeforeReplaceOnRecords, [b]);
        assert.equal(mandatory(preview).length, 0);
        assert.equal(advisory(preview).length, 1);
        assert.equal(advisory(preview)[0].urn, urnOf(BUCKET, "maybe"));
        assert.match(advisory(preview)[0].message, /tags is not known until the update, so it will be verified at update that if this bucket is a designated store .*, it does not set deleteBeforeReplace/);
        assert.equal(mandatory(runStackPolicy(noDeleteBeforeReplaceOnRecords, [dbr(b)], { preview: false })).length, 1);
    });
});
