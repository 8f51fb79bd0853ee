import { strict as assert } from "assert";
import { s3VersioningEnabled } from "../../policypack/src/policies/immutable-artifacts/s3-versioning-enabled";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";

const BUCKET = "aws:s3/bucket:Bucket";
const BUCKET_V2 = "aws:s3/bucketV2:BucketV2";
const NATIVE = "aws-native:s3:Bucket";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2";

function bucket(name: string, props: Record<string, unknown> = {}, type = BUCKET): TestResource {
    return { type, name, props: { bucket: `${name}-abc1234`, id: `${name}-abc1234`, arn: `arn:aws:s3:::${name}-abc1234`, ...props } };
}

function versioning(name: string, b: TestResource, status: unknown, how: "deps" | "name" | "unknown" = "deps", type = VERSIONING): TestResource {
    const bucketRef = how === "unknown" || how === "deps" ? UNKNOWN : (b.props as Record<string, string>).id;
    return {
        type,
        name,
        props: { bucket: how === "deps" ? (b.props as Record<string, string>).id : bucketRef, versioningConfiguration: { status } },
        propertyDependencies: how === "deps" ? { bucket: [urnOf(b.type, b.name)] } : {},
    };
}

describe("s3-versioning-enabled", () => {
    it("passes a bucket with a linked Enabled versioning resource (propertyDependencies or name)", () => {
        for (const how of ["deps", "name"] as const) {
            const b = bucket("artifacts");
            assert.deepEqual(runStackPolicy(s3VersioningEnabled, [b, versioning("artifacts-v", b, "Enabled", how)]), [], how);
        }
    });

    it("joins through propertyDependencies even when the bucket reference is unknown in preview", () => {
        const b = bucket("artifacts", { bucket: UNKNOWN, id: UNKNOWN });
        const v: TestResource = { ...versioning("artifacts-v", b, "Enabled"), props: { bucket: UNKNOWN, versioningConfiguration: { status: "Enabled" } } };
        assert.deepEqual(runStackPolicy(s3VersioningEnabled, [b, v]), []);
    });

    it("reports Suspended on the versioning resource's URN", () => {
        const b = bucket("logs");
        const found = mandatory(runStackPolicy(s3VersioningEnabled, [b, versioning("logs-v", b, "Suspended")]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(VERSIONING, "logs-v"));
        assert.match(found[0].message, /aws:s3:BucketVersioning "logs-v": versioningConfiguration.status for bucket "logs" is "Suspended"/);
        assert.match(found[0].message, /set versioningConfiguration.status: "Enabled"/);
    });

    it("reports a bucket without any versioning on the bucket's URN", () => {
        const found = mandatory(runStackPolicy(s3VersioningEnabled, [bucket("bare")]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(BUCKET, "bare"));
        assert.match(found[0].message, /aws:s3:Bucket "bare": has no versioning/);
    });

    it("covers the deprecated V2 types", () => {
        const b = bucket("old", {}, BUCKET_V2);
        assert.deepEqual(runStackPolicy(s3VersioningEnabled, [b, versioning("old-v", b, "Enabled", "name", VERSIONING_V2)]), []);
        const found = mandatory(runStackPolicy(s3VersioningEnabled, [b, versioning("old-v", b, "Disabled", "deps", VERSIONING_V2)]));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /"Disabled"/);
    });

    it("accepts inline versioning forms and rejects disabled ones", () => {
        assert.deepEqual(runStackPolicy(s3VersioningEnabled, [bucket("inline", { versioning: { enabled: true } })]), []);
        assert.deepEqual(runStackPolicy(s3VersioningEnabled, [bucket("v2inline", { versionings: [{ enabled: true }] }, BUCKET_V2)]), []);
        assert.deepEqual(runStackPolicy(s3VersioningEnabled, [bucket("native", { versioningConfiguration: { status: "Enabled" } }, NATIVE)]), []);
        const disabled = mandatory(runStackPolicy(s3VersioningEnabled, [bucket("off", { versioning: { enabled: false } })]));
        assert.equal(disabled.length, 1);
        assert.match(disabled[0].message, /disabled inline/);
        const native = mandatory(runStackPolicy(s3VersioningEnabled, [bucket("nat", { versioningConfiguration: { status: "Suspended" } }, NATIVE)]));
        assert.equal(native.length, 1);
        assert.match(native[0].message, /versioningConfiguration.status is "Suspended"/);
    });

    it("ignores the bucket's inline versioning output when a linked resource decides (the provider mirrors it)", () => {
        const b = bucket("mirror", { versioning: { enabled: false, mfaDelete: false } });
        const found = mandatory(runStackPolicy(s3VersioningEnabled, [b, versioning("mirror-v", b, "Suspended")]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(VERSIONING, "mirror-v"));
        assert.deepEqual(runStackPolicy(s3VersioningEnabled, [bucket("mirror2", { versioning: { enabled: false } }), versioning("mirror2-v", bucket("mirror2"), "Enabled")]), []);
    });

    it("is advisory, not a violation, while a versioning resource's bucket is unknown", () => {
        const b = bucket("maybe");
        const found = runStackPolicy(s3VersioningEnabled, [b, versioning("maybe-v", b, "Enabled", "unknown")]);
        assert.equal(mandatory(found).length, 0);
        assert.equal(advisory(found).length, 1);
        assert.match(advisory(found)[0].message, /will be verified at update/);
    });

    it("is advisory for an unknown status in preview and mandatory at update", () => {
        const b = bucket("s");
        const preview = runStackPolicy(s3VersioningEnabled, [b, versioning("s-v", b, UNKNOWN)]);
        assert.deepEqual(preview.map((f) => f.enforcementLevel), ["advisory"]);
        assert.equal(preview[0].urn, urnOf(VERSIONING, "s-v"));
        const update = runStackPolicy(s3VersioningEnabled, [b, versioning("s-v", b, UNKNOWN)], { preview: false });
        assert.deepEqual(update.map((f) => f.enforcementLevel), ["mandatory"]);
    });

    it("checks versioning resources whose bucket is outside the stack", () => {
        const found = mandatory(runStackPolicy(s3VersioningEnabled, [{ type: VERSIONING, name: "ext", props: { bucket: "someone-elses", versioningConfiguration: { status: "Suspended" } } }]));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(VERSIONING, "ext"));
    });

    it("requires MFA delete when configured", () => {
        const b = bucket("mfa");
        const config = { requireMfaDelete: true };
        const found = mandatory(runStackPolicy(s3VersioningEnabled, [b, versioning("mfa-v", b, "Enabled")], { config }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /mfaDelete for bucket "mfa" is unset/);
        const ok: TestResource = { ...versioning("mfa-v", b, "Enabled"), props: { bucket: "mfa-abc1234", versioningConfiguration: { status: "Enabled", mfaDelete: "Enabled" } } };
        assert.deepEqual(runStackPolicy(s3VersioningEnabled, [b, ok], { config }), []);
    });

    it("fails closed on an unreadable status", () => {
        const b = bucket("weird");
        const found = mandatory(runStackPolicy(s3VersioningEnabled, [b, versioning("weird-v", b, { nested: true })]));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /cannot verify .*expected a string/);
    });
});
