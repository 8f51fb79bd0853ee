import { strict as assert } from "assert";
import { read, readBoolean, readJson, readNumber, UNREADABLE_SECRET } from "../../policypack/src/framework/values";
import { rawProps } from "../../policypack/src/sdk/raw-props";
import { UNREADABLE_SECRET as CLI_UNREADABLE_SECRET, UNKNOWN as CLI_UNKNOWN } from "../../cli/wire";
import { UNKNOWN, unknownCheckingProxy } from "../harness/policy-harness";
import { hasTag, tagsOf } from "../../policypack/src/framework/tags";

describe("framework/values", () => {
    it("agrees with the CLI on the wire markers", () => {
        assert.equal(UNREADABLE_SECRET, CLI_UNREADABLE_SECRET);
        assert.equal(UNKNOWN, CLI_UNKNOWN);
    });

    it("reads through the SDK proxy without throwing on unknowns", () => {
        const props = unknownCheckingProxy({ a: { b: UNKNOWN }, list: [{ x: 1 }] });
        assert.throws(() => (props as any).a.b); // what the SDK would do
        const raw = rawProps(props);
        assert.deepEqual(read(raw, "a.b"), { state: "unknown", path: "a.b" });
        assert.deepEqual(read(raw, "a.b.c"), { state: "unknown", path: "a.b" });
        assert.deepEqual(read(raw, "list[0].x"), { state: "known", value: 1, path: "list[0].x" });
        assert.deepEqual(read(raw, ["list", 3, "x"]), { state: "absent", path: "list[3].x" });
    });

    it("reports wrong shapes and unreadable secrets as unreadable", () => {
        assert.equal(read({ a: "s" }, "a.b").state, "unreadable");
        assert.equal(read({ a: { b: 1 } }, "a[0]").state, "unreadable");
        const secret = read({ a: UNREADABLE_SECRET }, "a");
        assert.equal(secret.state, "unreadable");
        assert.match((secret as { reason: string }).reason, /--show-secrets/);
    });

    it("coerces provider-style strings for booleans and numbers only when exact", () => {
        assert.deepEqual(readBoolean({ v: "true" }, "v"), { state: "known", value: true, path: "v" });
        assert.equal(readBoolean({ v: "yes" }, "v").state, "unreadable");
        assert.deepEqual(readNumber({ v: "30" }, "v"), { state: "known", value: 30, path: "v" });
        assert.equal(readNumber({ v: "30 days" }, "v").state, "unreadable");
    });

    it("parses JSON strings, fails closed on invalid JSON, and treats embedded unknowns as unknown", () => {
        assert.deepEqual(readJson({ d: '{"a":1}' }, "d"), { state: "known", value: { a: 1 }, path: "d" });
        assert.deepEqual(readJson({ d: { a: 1 } }, "d"), { state: "known", value: { a: 1 }, path: "d" });
        assert.equal(readJson({ d: "{oops" }, "d").state, "unreadable");
        assert.equal(readJson({ d: `{"arn": "${UNKNOWN}` }, "d").state, "unknown");
    });
});

describe("engine/designation tags", () => {
    it("reads AWS tag maps, aws-native tag lists and Kubernetes sealed-infra.io labels under one name", () => {
        assert.ok(hasTag({ name: "b", type: "aws:s3/bucket:Bucket", props: { tagsAll: { "sealed-infra:store": "artifacts" } } }, "sealed-infra:store", "artifacts"));
        assert.ok(hasTag({ name: "b", type: "aws-native:s3:Bucket", props: { tags: [{ key: "sealed-infra:store", value: "audit-logs" }] } }, "sealed-infra:store", "audit-logs"));
        const sa = { name: "approver", type: "kubernetes:core/v1:ServiceAccount", props: { metadata: { labels: { "sealed-infra.io/duty": "approver" } } } };
        assert.ok(hasTag(sa, "sealed-infra:duty", "approver"));
        assert.ok(!hasTag({ ...sa, type: "aws:iam/role:Role", props: { tags: { "sealed-infra.io/duty": "approver" } } }, "sealed-infra:duty"));
        assert.equal(tagsOf({ name: "x", type: "aws:s3/bucket:Bucket", props: { tags: UNKNOWN } }).state, "unknown");
    });
});
