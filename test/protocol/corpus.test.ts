/**
 * A table-driven corpus through the launched pack: for every resource policy of the catalogue, a
 * stack that must be blocked by it and one that it must let through, sent over gRPC exactly as the
 * engine sends them (inputs to Analyze, outputs to AnalyzeStack). One pack process serves the whole
 * table; each row is its own stack (ConfigureStack ... AnalyzeStack).
 */
import { strict as assert } from "assert";
import { analyzeWith, launchPolicyPack, LaunchedPack, runPolicyPack } from "../../cli/analyzer/client";
import type { ResourceRecord } from "../../cli/model";
import { catalogue } from "../../policypack/src/catalogue";
import { awsProvider, PACK_DIR, rejectsWithCheckError, resource, ResourceSpec, rootStack, snapshot, UNKNOWN, urn } from "./helpers";

const SHA = "ab".repeat(32);
const protect = { options: { protect: true } };
const json = (v: unknown) => JSON.stringify(v);

const b = (name: string, extra: Partial<ResourceSpec> = {}, tags?: Record<string, string>): ResourceSpec => ({
    type: "aws:s3/bucket:Bucket",
    name,
    inputs: { bucket: `${name}-b`, ...(tags ? { tags } : {}), objectLockEnabled: true },
    outputs: { bucket: `${name}-b`, id: `${name}-b`, arn: `arn:aws:s3:::${name}-b`, ...(tags ? { tags, tagsAll: tags } : {}), objectLockEnabled: true },
    ...extra,
});
const linked = (type: string, name: string, bucket: string, inputs: Record<string, unknown>, extra: Partial<ResourceSpec> = {}): ResourceSpec => ({
    type,
    name,
    inputs: { bucket: `${bucket}-b`, ...inputs } as never,
    propertyDependencies: { bucket: [urn("aws:s3/bucket:Bucket", bucket)] },
    ...extra,
});
const ARTIFACTS = { "sealed-infra:store": "artifacts" };
const tlsPolicy = (bucket: string) =>
    json({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${bucket}-b`, `arn:aws:s3:::${bucket}-b/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });
/** A designated store done right: versioning, COMPLIANCE lock, public access block, TLS-only policy. */
const sealedStore = (name: string, lockDays = 400, mode = "COMPLIANCE"): ResourceSpec[] => [
    b(name, protect, ARTIFACTS),
    linked("aws:s3/bucketVersioning:BucketVersioning", `${name}-v`, name, { versioningConfiguration: { status: "Enabled" } }, protect),
    linked("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", `${name}-lock`, name, { rule: { defaultRetention: { mode, days: lockDays } } }, protect),
    linked("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${name}-pab`, name, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, protect),
    linked("aws:s3/bucketPolicy:BucketPolicy", `${name}-policy`, name, { policy: tlsPolicy(name) }, protect),
];
const pod = (containers: unknown[]) => ({ spec: { selector: { matchLabels: { app: "a" } }, template: { metadata: { labels: { app: "a" } }, spec: { containers } } } });
const safe = { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true };
const trustService = (service: string) => json({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
const allow = (actions: string[], resources: string[] = ["*"]) => json({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: resources }] });

interface Row {
    policy: string;
    title: string;
    resources: ResourceSpec[];
    /** Expected mandatory diagnostics of `policy` (at least one when true, none when false). */
    blocked: boolean;
    preview?: boolean;
}

const rows: Row[] = [
    { policy: "ecr-tags-immutable", title: "MUTABLE repository", blocked: true, resources: [{ type: "aws:ecr/repository:Repository", name: "r", inputs: { imageTagMutability: "MUTABLE" } }] },
    { policy: "ecr-tags-immutable", title: "IMMUTABLE aws-native repository", blocked: false, resources: [{ type: "aws-native:ecr:Repository", name: "r", inputs: { imageTagMutability: "IMMUTABLE" } }] },
    { policy: "s3-versioning-enabled", title: "Suspended V2 versioning", blocked: true, resources: [b("v"), linked("aws:s3/bucketVersioningV2:BucketVersioningV2", "v-v", "v", { versioningConfiguration: { status: "Suspended" } })] },
    { policy: "s3-versioning-enabled", title: "Enabled versioning joined by name", blocked: false, resources: [b("v"), { type: "aws:s3/bucketVersioning:BucketVersioning", name: "v-v", inputs: { bucket: "v-b", versioningConfiguration: { status: "Enabled" } } }] },
    { policy: "s3-object-lock", title: "artifact store without object lock", blocked: true, resources: [{ ...b("a", protect, ARTIFACTS), inputs: { bucket: "a-b", tags: ARTIFACTS }, outputs: { bucket: "a-b", id: "a-b", tags: ARTIFACTS } }] },
    { policy: "s3-object-lock", title: "sealed artifact store", blocked: false, resources: sealedStore("a") },
    { policy: "s3-object-lock", title: "GOVERNANCE mode lock", blocked: true, resources: sealedStore("g", 400, "GOVERNANCE") },
    { policy: "s3-no-early-expiration", title: "noncurrent versions expire after 7 days", blocked: true, resources: [...sealedStore("l"), linked("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "l-rules", "l", { rules: [{ id: "x", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 7 } }] })] },
    { policy: "s3-no-early-expiration", title: "transitions only", blocked: false, resources: [...sealedStore("l"), linked("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "l-rules", "l", { rules: [{ id: "x", status: "Enabled", transitions: [{ days: 30, storageClass: "GLACIER" }] }] })] },
    { policy: "s3-store-sealed", title: "store without TLS-only policy", blocked: true, resources: sealedStore("s").filter((r) => r.type !== "aws:s3/bucketPolicy:BucketPolicy") },
    { policy: "s3-store-sealed", title: "sealed store", blocked: false, resources: sealedStore("s") },
    {
        policy: "cloudtrail-tamper-evident",
        title: "single-region trail without validation",
        blocked: true,
        resources: [...sealedStore("t"), { type: "aws:cloudtrail/trail:Trail", name: "trail", inputs: { s3BucketName: "t-b", isMultiRegionTrail: false, enableLogFileValidation: false }, propertyDependencies: { s3BucketName: [urn("aws:s3/bucket:Bucket", "t")] } }],
    },
    { policy: "log-groups-retained", title: "7-day retention", blocked: true, resources: [{ type: "aws:cloudwatch/logGroup:LogGroup", name: "lg", inputs: { retentionInDays: 7, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" } }] },
    { policy: "log-groups-retained", title: "never expires, KMS", blocked: false, resources: [{ type: "aws:cloudwatch/logGroup:LogGroup", name: "lg", inputs: { kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" } }] },
    { policy: "kms-keys-protected", title: "rotation off", blocked: true, resources: [{ type: "aws:kms/key:Key", name: "k", inputs: { enableKeyRotation: false, deletionWindowInDays: 30 }, ...protect }] },
    { policy: "kms-keys-protected", title: "rotating, 30-day window", blocked: false, resources: [{ type: "aws:kms/key:Key", name: "k", inputs: { enableKeyRotation: true, deletionWindowInDays: 30 }, ...protect }] },
    { policy: "lambda-code-signing-enforced", title: "zip function without code signing", blocked: true, resources: [{ type: "aws:lambda/function:Function", name: "f", inputs: { packageType: "Zip", runtime: "nodejs20.x", role: "arn:aws:iam::123456789012:role/f" } }] },
    { policy: "images-pinned-by-digest", title: "tag-only Deployment image", blocked: true, resources: [{ type: "kubernetes:apps/v1:Deployment", name: "d", inputs: pod([{ name: "a", image: "nginx:1.25", securityContext: safe }]) as never, provider: null }] },
    { policy: "images-pinned-by-digest", title: "unknown image in preview (advisory only)", blocked: false, preview: true, resources: [{ type: "kubernetes:apps/v1:Deployment", name: "d", inputs: pod([{ name: "a", image: UNKNOWN, securityContext: safe }]) as never, provider: null }] },
    { policy: "k8s-config-immutable", title: "mutable ConfigMap", blocked: true, resources: [{ type: "kubernetes:core/v1:ConfigMap", name: "cm", inputs: { metadata: { namespace: "app" }, data: { a: "b" } }, provider: null }] },
    { policy: "k8s-config-immutable", title: "immutable Secret", blocked: false, resources: [{ type: "kubernetes:core/v1:Secret", name: "s", inputs: { metadata: { namespace: "app" }, immutable: true, stringData: { a: "b" } }, provider: null }] },
    { policy: "k8s-runtime-read-only", title: "writable root filesystem", blocked: true, resources: [{ type: "kubernetes:apps/v1:Deployment", name: "d", inputs: pod([{ name: "a", image: `nginx@sha256:${SHA}` }]) as never, provider: null }] },
    { policy: "k8s-runtime-read-only", title: "read-only, no escalation", blocked: false, resources: [{ type: "kubernetes:apps/v1:Deployment", name: "d", inputs: pod([{ name: "a", image: `nginx@sha256:${SHA}`, securityContext: safe }]) as never, provider: null }] },
    { policy: "ec2-immutable-hosts", title: "SSH key and IMDSv1", blocked: true, resources: [{ type: "aws:ec2/instance:Instance", name: "i", inputs: { ami: "ami-1", instanceType: "t3.micro", keyName: "ops" } }] },
    { policy: "ec2-immutable-hosts", title: "IMDSv2 launch template, no key", blocked: false, resources: [{ type: "aws:ec2/launchTemplate:LaunchTemplate", name: "lt", inputs: { metadataOptions: { httpTokens: "required" } } }] },
    { policy: "critical-resources-protected", title: "unprotected ECR repository", blocked: true, resources: [{ type: "aws:ecr/repository:Repository", name: "r", inputs: { imageTagMutability: "IMMUTABLE" } }] },
    { policy: "critical-resources-protected", title: "protected ECR repository", blocked: false, resources: [{ type: "aws:ecr/repository:Repository", name: "r", inputs: { imageTagMutability: "IMMUTABLE" }, ...protect }] },
    { policy: "no-ignore-changes-on-guarded-properties", title: "ignoreChanges on imageTagMutability", blocked: true, resources: [{ type: "aws:ecr/repository:Repository", name: "r", inputs: { imageTagMutability: "IMMUTABLE" }, options: { protect: true, ignoreChanges: ["imageTagMutability"] } }] },
    { policy: "no-ignore-changes-on-guarded-properties", title: "ignoreChanges on tags", blocked: false, resources: [{ type: "aws:ecr/repository:Repository", name: "r", inputs: { imageTagMutability: "IMMUTABLE" }, options: { protect: true, ignoreChanges: ["tags"] } }] },
    { policy: "no-delete-before-replace-on-records", title: "store replaced by delete first", blocked: true, resources: sealedStore("d").map((r, i) => (i === 0 ? { ...r, options: { protect: true, deleteBeforeReplace: true } } : r)) },
    { policy: "no-delete-before-replace-on-records", title: "store with default replacement", blocked: false, resources: sealedStore("d") },
    {
        policy: "no-standing-admin",
        title: "role with * on *",
        blocked: true,
        resources: [{ type: "aws:iam/role:Role", name: "ops", inputs: { assumeRolePolicy: trustService("ec2.amazonaws.com"), inlinePolicies: [{ name: "all", policy: allow(["*"]) }] } }],
    },
    {
        policy: "duties-separated",
        title: "one role deploys and approves",
        blocked: true,
        resources: [
            {
                type: "aws:iam/role:Role",
                name: "ci",
                inputs: { assumeRolePolicy: trustService("codebuild.amazonaws.com"), inlinePolicies: [{ name: "both", policy: allow(["lambda:UpdateFunctionCode", "codepipeline:PutApprovalResult"]) }] },
            },
        ],
    },
    {
        policy: "duties-separated",
        title: "deployer and approver apart",
        blocked: false,
        resources: [
            { type: "aws:iam/role:Role", name: "deployer", inputs: { assumeRolePolicy: trustService("codebuild.amazonaws.com"), inlinePolicies: [{ name: "d", policy: allow(["lambda:UpdateFunctionCode"]) }] } },
            { type: "aws:iam/role:Role", name: "approver", inputs: { assumeRolePolicy: trustService("codebuild.amazonaws.com"), inlinePolicies: [{ name: "a", policy: allow(["codepipeline:PutApprovalResult"]) }] } },
        ],
    },
    {
        policy: "trust-policies-scoped",
        title: "role trusting every AWS principal",
        blocked: true,
        resources: [{ type: "aws:iam/role:Role", name: "open", inputs: { assumeRolePolicy: json({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }) } }],
    },
    {
        policy: "k8s-rbac-least-privilege",
        title: "binding to cluster-admin",
        blocked: true,
        resources: [
            {
                type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
                name: "ci-admin",
                inputs: { roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "ServiceAccount", name: "ci", namespace: "ci" }] },
                provider: null,
            },
        ],
    },
    // release-approved with real signatures and keys: test/policies/release-approved.test.ts, test/release/.
    {
        policy: "release-approved",
        title: "an approval no configured key can verify, and an image it does not list",
        blocked: true,
        resources: [
            {
                type: "sealed-infra:release:ApprovedRelease",
                name: "rel",
                custom: false,
                inputs: { manifest: json({ approver: "ci", artifacts: [{ digest: `sha256:${SHA}`, kind: "image" }], expires: "2099-01-01T00:00:00Z", format: "sealed-infra.io/release-manifest/v1", project: "shop", stack: "dev", ticket: "T-1" }), signature: "AAAA", keyId: "ci" },
            },
            { type: "kubernetes:apps/v1:Deployment", name: "d", inputs: pod([{ name: "a", image: `nginx@sha256:${"cd".repeat(32)}`, securityContext: safe }]) as never, provider: null },
        ],
    },
    {
        policy: "release-approved",
        title: "no approvals, no approver keys configured (opt-in)",
        blocked: false,
        resources: [{ type: "kubernetes:apps/v1:Deployment", name: "d", inputs: pod([{ name: "a", image: `nginx@sha256:${SHA}`, securityContext: safe }]) as never, provider: null }],
    },
];

function stackOf(row: Row): ResourceRecord[] {
    return [rootStack(), awsProvider(), ...row.resources.map((spec) => resource(spec))];
}

describe("protocol: policy corpus through the launched pack", function () {
    this.timeout(300_000);
    // The CLI launches the pack per operation; PULUMI_NODEJS_DRY_RUN says preview or update.
    const packs: Record<"preview" | "update", LaunchedPack | undefined> = { preview: undefined, update: undefined };
    const packFor = async (preview: boolean): Promise<LaunchedPack> => {
        const key = preview ? "preview" : "update";
        packs[key] ??= await launchPolicyPack({ packDir: PACK_DIR, stack: { organization: "acme", project: "shop", stack: "dev", dryRun: preview, config: {} } });
        return packs[key]!;
    };
    after(async () => {
        await packs.preview?.close();
        await packs.update?.close();
    });

    it("covers every resource-judging policy of the catalogue with a blocking row", () => {
        const covered = new Set(rows.filter((r) => r.blocked).map((r) => r.policy));
        const missing = catalogue.filter((p) => p.guarantee !== "exceptions" && !covered.has(p.name)).map((p) => p.name);
        // no-duty-escalation has its own table of escalation primitives (test/policies, test/engine/duties).
        assert.deepEqual(missing.filter((n) => n !== "no-duty-escalation"), []);
    });

    for (const row of rows) {
        it(`${row.policy}: ${row.title} -> ${row.blocked ? "blocked" : "passes"}`, async () => {
            const preview = row.preview === true;
            const report = await analyzeWith(await packFor(preview), snapshot(stackOf(row), { dryRun: preview }), undefined);
            const mine = report.diagnostics.filter((d) => d.policyName === row.policy);
            const mandatory = mine.filter((d) => d.enforcementLevel === "mandatory");
            const detail = mine.map((d) => `${d.enforcementLevel}: ${d.message}`).join("\n");
            if (row.blocked) {
                assert.ok(mandatory.length > 0, `expected ${row.policy} to block; got:\n${detail || "(nothing)"}`);
                for (const d of mandatory) {
                    assert.ok(d.urn === "" || stackOf(row).some((r) => r.urn === d.urn), `diagnostic on an unknown URN ${d.urn}`);
                }
            } else {
                assert.equal(mandatory.length, 0, `expected ${row.policy} to pass; got:\n${detail}`);
            }
            if (preview) {
                assert.ok(mine.some((d) => d.enforcementLevel === "advisory" && /verified at update/.test(d.message)), `expected a "verified at update" note; got:\n${detail}`);
            }
            assert.ok(!report.diagnostics.some((d) => /could not evaluate/.test(d.message)), "no policy may fail internally");
        });
    }
});

describe("protocol: the pack's config is validated like the engine does", function () {
    this.timeout(120_000);
    const run = (config: unknown) => runPolicyPack({ packDir: PACK_DIR, snapshot: snapshot([rootStack(), awsProvider()]), config });

    it("rejects an out-of-range value, naming the policy and the field", async () => {
        await rejectsWithCheckError(run({ "s3-object-lock": { minRetentionDays: 0 } }), /invalid config for policy "s3-object-lock"/, /minRetentionDays must be >= 1/);
    });

    it("rejects a misspelled policy name with a suggestion", async () => {
        await rejectsWithCheckError(run({ "s3-objectlock": "advisory" }), /no policy named "s3-objectlock" \(did you mean "s3-object-lock"\?\)/);
    });
});
