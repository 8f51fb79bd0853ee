import { strict as assert } from "assert";
import { applyCheck, policyDocument, providerResult } from "../../cli/sources/plausible";
import { providerAccount } from "../../cli/sources/recorder";
import { UNKNOWN } from "../../cli/wire";

const urn = (type: string, name: string) => `urn:pulumi:dev::p::${type}::${name}`;
const ctx = { region: "eu-central-1", account: "123456789012", preview: false };
/** A schema as the SDK declares it: output-only, computed (always set), optional (may stay unset). */
const schema = (outputOnly: string[], computed: string[] = [], optional: string[] = []) => ({ outputOnly, computed: [...outputOnly, ...computed], optional });

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
        const r = providerResult(t, urn(t, "images"), "images", { name: "images-1" }, schema(["arn", "registryId", "repositoryUrl", "tagsAll"], ["name"], ["imageTagMutability"]), ctx);
        assert.equal(r.id, "images-1");
        assert.equal(r.outputs.arn, "arn:aws:ecr:eu-central-1:123456789012:repository/images-1");
        assert.equal(r.outputs.repositoryUrl, "123456789012.dkr.ecr.eu-central-1.amazonaws.com/images-1");
        assert.deepEqual(r.outputs.tagsAll, {});
        assert.equal(r.outputs.id, "images-1");
        assert.deepEqual(r.optionalUnset, ["imageTagMutability"], "optional properties the program left unset are known to be empty");
        assert.equal(r.outputs.imageTagMutability, undefined, "and absent from the outputs: unset means the provider's default");

        const role = "aws:iam/role:Role";
        assert.equal(providerResult(role, urn(role, "r"), "r", { name: "r-1", path: "/ci/" }, schema(["arn"]), ctx).outputs.arn, "arn:aws:iam::123456789012:role/ci/r-1");

        const p = providerResult(t, urn(t, "images"), "images", { name: "images-1" }, schema(["arn", "registryId", "repositoryUrl", "tagsAll"]), { ...ctx, preview: true });
        assert.equal(p.id, UNKNOWN);
        assert.equal(p.outputs.id, UNKNOWN);
        assert.equal(p.outputs.arn, UNKNOWN);
        assert.equal(p.outputs.name, "images-1");

        const v = "aws:s3/bucketVersioning:BucketVersioning";
        const versioning = providerResult(v, urn(v, "v"), "v", { bucket: "data-1" }, schema([]), ctx);
        assert.equal(versioning.id, "data-1");
        assert.equal(versioning.outputs.arn, undefined, "no ARN for a type that has none");

        const d = "kubernetes:apps/v1:Deployment";
        const dep = providerResult(d, urn(d, "web"), "web", { metadata: { name: "web-1", namespace: "apps" } }, undefined, ctx);
        assert.equal(dep.id, "apps/web-1");
        assert.equal(dep.outputs.id, undefined, "pulumi-kubernetes does not return id among outputs");
    });

    it("never makes up an id or an account it cannot know", () => {
        const acct = "aws:organizations/account:Account";
        const a = providerResult(acct, urn(acct, "member"), "member", { name: "member", email: "m@example.com" }, schema(["arn"]), ctx);
        assert.equal(a.id, UNKNOWN, "an organizations Account's id is its account number, not its name");
        const param = "aws:ssm/parameter:Parameter";
        assert.equal(providerResult(param, urn(param, "p"), "p", { name: "/x" }, schema([]), ctx).id, "/x", "a parameter's id is its name");
        assert.equal(providerResult("random:index/randomId:RandomId", urn("random:index/randomId:RandomId", "r"), "r", { name: "n" }, schema([]), ctx).id, UNKNOWN);

        const role = "aws:iam/role:Role";
        const r = providerResult(role, urn(role, "r"), "r", { name: "r-1" }, schema(["arn"]), { ...ctx, account: undefined });
        assert.equal(r.id, "r-1", "the name does not depend on the account");
        assert.equal(r.outputs.arn, UNKNOWN, "the ARN does, and the account of this provider is not known");

        assert.equal(providerAccount({ region: "eu-west-1" }, "123456789012"), "123456789012", "a provider that names no account works in the stack's");
        assert.equal(providerAccount({ allowedAccountIds: JSON.stringify(["210987654321"]) }, "123456789012"), "210987654321");
        assert.equal(providerAccount({ assumeRole: JSON.stringify({ roleArn: "arn:aws:iam::555555555555:role/deploy" }) }, "123456789012"), "555555555555");
        assert.equal(providerAccount({ assumeRoles: [{ roleArn: UNKNOWN }] }, "123456789012"), undefined, "an assumed role not known yet: the account is not known");
    });

    it("keeps what it cannot compute unknown in update mode too, never absent or made up", () => {
        const t = "aws:ssm/parameter:Parameter";
        const r = providerResult(t, urn(t, "p"), "p", { name: "/app/key", type: "String" }, schema(["version"], ["arn", "keyId", "tier"], ["description"]), ctx);
        assert.equal(r.outputs.version, UNKNOWN, "an output-only value the model does not compute is unknown");
        assert.equal(r.outputs.arn, undefined, "a computed input left unset is absent for the pack (the provider's default)...");
        assert.ok(!r.optionalUnset.includes("arn"), "...and not reported as empty, so the program sees it unknown");
        assert.deepEqual(r.optionalUnset, ["description"]);
        assert.equal(r.id, "/app/key");

        const other = "aws:kinesis/stream:Stream";
        const s = providerResult(other, urn(other, "s"), "s", { name: "events" }, schema(["arn"]), ctx);
        assert.equal(s.outputs.arn, UNKNOWN, "no ARN is invented for a type whose ARN format the model does not know");

        const l = "aws:lambda/function:Function";
        const fn = providerResult(l, urn(l, "f"), "f", { s3Bucket: "b", s3Key: "k", sourceCodeHash: "x" }, schema(["arn"], ["codeSha256"]), ctx);
        assert.equal(fn.outputs.codeSha256, UNKNOWN, "the hash of code in S3 is not known offline (never the declared sourceCodeHash)");
        assert.match(String(fn.outputs.arn), /^arn:aws:lambda:eu-central-1:123456789012:function:/);
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
