import { strict as assert } from "assert";
import {
    defaultProviderName,
    deterministicUuid,
    engineUrn,
    parseGoDurationSeconds,
    rootStackUrn,
} from "../../cli/sources/engine";
import { displayType } from "../../cli/report/common";

// Expected values follow pulumi/pulumi: deployment.go generateURN + urn.New, step_generator.go
// collapseAliasToUrn + alias.go CreateURN, providers/provider_test.go DefaultName cases,
// tokens_test.go TestTypeDisplayName, Go time.ParseDuration.
describe("cli/sources/engine: what the engine computes", () => {
    const stack = "dev";
    const project = "proj";
    const root = rootStackUrn(stack, project);

    it("names the root stack <project>-<stack>", () => {
        assert.equal(root, "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev");
    });

    it("does not prefix children of the root stack with the stack type", () => {
        assert.equal(engineUrn(stack, project, root, "aws:s3/bucket:Bucket", "b"), "urn:pulumi:dev::proj::aws:s3/bucket:Bucket::b");
        assert.equal(engineUrn(stack, project, undefined, "aws:s3/bucket:Bucket", "b"), "urn:pulumi:dev::proj::aws:s3/bucket:Bucket::b");
    });

    it("chains the parent's full qualified type with $", () => {
        const outer = engineUrn(stack, project, root, "acme:x:Outer", "o");
        const inner = engineUrn(stack, project, outer, "acme:x:Inner", "i");
        assert.equal(inner, "urn:pulumi:dev::proj::acme:x:Outer$acme:x:Inner::i");
        assert.equal(engineUrn(stack, project, inner, "aws:s3/bucket:Bucket", "b"), "urn:pulumi:dev::proj::acme:x:Outer$acme:x:Inner$aws:s3/bucket:Bucket::b");
    });

    it("names default providers like providers.ProviderRequest.DefaultName", () => {
        assert.equal(defaultProviderName(undefined), "default");
        assert.equal(defaultProviderName("0.18.1"), "default_0_18_1");
        assert.equal(defaultProviderName("7.48.0"), "default_7_48_0");
        assert.equal(defaultProviderName("0.17.7-dev.1555435978+gb7030aa4.dirty"), "default_0_17_7_dev_1555435978_gb7030aa4_dirty");
        assert.equal(defaultProviderName("0.18.1", "pulumi.com/pkg"), "default_0_18_1_pulumi.com/pkg");
        assert.equal(defaultProviderName(undefined, "company.com/"), "default_company.com");
    });

    it("parses custom timeouts as Go durations, in seconds", () => {
        assert.equal(parseGoDurationSeconds("5m"), 300);
        assert.equal(parseGoDurationSeconds("1h30m"), 5400);
        assert.equal(parseGoDurationSeconds("1.5h"), 5400);
        assert.equal(parseGoDurationSeconds("300ms"), 0.3);
        assert.equal(parseGoDurationSeconds("0"), 0);
        assert.throws(() => parseGoDurationSeconds("5 minutes"), /invalid duration/);
        assert.throws(() => parseGoDurationSeconds("10"), /invalid duration/);
    });

    it("makes deterministic v4-shaped UUIDs", () => {
        const a = deterministicUuid("seed");
        assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(a, deterministicUuid("seed"));
        assert.notEqual(a, deterministicUuid("other"));
    });

    it("shortens type tokens for display like tokens.Type.DisplayName", () => {
        assert.equal(displayType("aws:ecr/repository:Repository"), "aws:ecr:Repository");
        assert.equal(displayType("aws:s3/bucketVersioning:BucketVersioning"), "aws:s3:BucketVersioning");
        assert.equal(displayType("pkg:mod/foo/bar:Bar"), "pkg:mod/foo:Bar");
        assert.equal(displayType("pkg:mod/foo/bar/baz:Baz"), "pkg:mod/foo/bar:Baz");
        assert.equal(displayType("kubernetes:apps/v1:Deployment"), "kubernetes:apps/v1:Deployment");
        assert.equal(displayType("pkg:Mod/foo:typ"), "pkg:Mod/foo:typ");
        assert.equal(displayType("pkg:mod:"), "pkg:mod:");
        assert.equal(displayType("incomplete"), "incomplete");
        assert.equal(displayType("pulumi:pulumi:Stack"), "pulumi:pulumi:Stack");
    });
});
