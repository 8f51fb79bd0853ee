import { strict as assert } from "assert";
import { applyCheck, policyDocument, providerResult } from "../../cli/sources/plausible";
import { UNKNOWN } from "../../cli/wire";

const urn = (type: string, name: string) => `urn:pulumi:dev::p::${type}::${name}`;
const ctx = { region: "eu-central-1", account: "123456789012", preview: false };

describe("cli/sources/plausible: what providers would add", () => {
    it("auto-names like the providers' Check: bridged <name>-<7 hex>, Kubernetes <name>-<8 hex> with the annotation", () => {
        const b = applyCheck("aws:s3/bucket:Bucket", urn("aws:s3/bucket:Bucket", "Data"), "Data", {});
        assert.match(String(b.bucket), /^data-[0-9a-f]{7}$/, "bucket names are lower-cased");
        assert.deepEqual(applyCheck("aws:s3/bucket:Bucket", urn("aws:s3/bucket:Bucket", "d"), "d", { bucketPrefix: "logs-" }), { bucketPrefix: "logs-" });
        assert.deepEqual(applyCheck("aws:iam/role:Role", urn("aws:iam/role:Role", "r"), "r", { name: "fixed" }), { name: "fixed" });

        const t = "kubernetes:core/v1:ConfigMap";
        const cm = applyCheck(t, urn(t, "cfg"), "cfg", { metadata: { labels: { a: "b" } } });
        assert.match(String((cm.metadata as Record<string, unknown>).name), /^cfg-[0-9a-f]{8}$/);
        assert.deepEqual((cm.metadata as Record<string, unknown>).annotations, { "pulumi.com/autonamed": "true" });
        assert.deepEqual(applyCheck(t, urn(t, "cfg"), "cfg", { metadata: { generateName: "x-" } }), { metadata: { generateName: "x-" } });
        assert.deepEqual(applyCheck(t, urn(t, "cfg"), "cfg", { metadata: UNKNOWN }), { metadata: UNKNOWN });
        const patch = "kubernetes:core/v1:ConfigMapPatch";
        assert.deepEqual(applyCheck(patch, urn(patch, "p"), "p", {}), {}, "patches never auto-name");
        assert.deepEqual(applyCheck("random:index/randomId:RandomId", urn("random:index/randomId:RandomId", "r"), "r", {}), {});
    });

    it("gives region-aware ARNs, global IAM ARNs, and unknowns in preview", () => {
        const t = "aws:ecr/repository:Repository";
        const r = providerResult(t, urn(t, "images"), "images", { name: "images-1" }, ["arn", "registryId", "repositoryUrl", "tagsAll"], ctx);
        assert.equal(r.id, "images-1");
        assert.equal(r.outputs.arn, "arn:aws:ecr:eu-central-1:123456789012:repository/images-1");
        assert.equal(r.outputs.repositoryUrl, "123456789012.dkr.ecr.eu-central-1.amazonaws.com/images-1");
        assert.deepEqual(r.outputs.tagsAll, {});
        assert.equal(r.outputs.id, "images-1");

        const role = "aws:iam/role:Role";
        assert.equal(providerResult(role, urn(role, "r"), "r", { name: "r-1", path: "/ci/" }, ["arn"], ctx).outputs.arn, "arn:aws:iam::123456789012:role/ci/r-1");

        const p = providerResult(t, urn(t, "images"), "images", { name: "images-1" }, ["arn", "registryId", "repositoryUrl", "tagsAll"], { ...ctx, preview: true });
        assert.equal(p.id, UNKNOWN);
        assert.equal(p.outputs.id, UNKNOWN);
        assert.equal(p.outputs.arn, UNKNOWN);
        assert.equal(p.outputs.name, "images-1");

        const v = "aws:s3/bucketVersioning:BucketVersioning";
        const versioning = providerResult(v, urn(v, "v"), "v", { bucket: "data-1" }, [], ctx);
        assert.equal(versioning.id, "data-1");
        assert.equal(versioning.outputs.arn, undefined, "no ARN for a type that has none");

        const d = "kubernetes:apps/v1:Deployment";
        const dep = providerResult(d, urn(d, "web"), "web", { metadata: { name: "web-1", namespace: "apps" } }, undefined, ctx);
        assert.equal(dep.id, "apps/web-1");
        assert.equal(dep.outputs.id, undefined, "pulumi-kubernetes does not return id among outputs");
    });

    it("renders aws.iam.getPolicyDocument statements as IAM JSON", () => {
        const doc = policyDocument({
            statements: [
                {
                    sid: "Trust",
                    actions: ["sts:AssumeRoleWithWebIdentity"],
                    principals: [{ type: "Federated", identifiers: ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"] }],
                    conditions: [
                        { test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] },
                        { test: "StringLike", variable: "token.actions.githubusercontent.com:sub", values: ["repo:acme/app:*", "repo:acme/lib:*"] },
                    ],
                },
                { effect: "Deny", notActions: ["s3:GetObject"], resources: ["*"], principals: [{ type: "*", identifiers: ["*"] }] },
            ],
        });
        assert.deepEqual(doc, {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "Trust",
                    Effect: "Allow",
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
                    Condition: {
                        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
                        StringLike: { "token.actions.githubusercontent.com:sub": ["repo:acme/app:*", "repo:acme/lib:*"] },
                    },
                },
                { Effect: "Deny", NotAction: "s3:GetObject", Resource: "*", Principal: "*" },
            ],
        });
    });
});
