import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

// Runtime immutability and Pulumi resource options: every resource below breaks
// lambda-code-signing-enforced, k8s-config-immutable, k8s-runtime-read-only, ec2-immutable-hosts,
// critical-resources-protected, no-ignore-changes-on-guarded-properties or no-delete-before-replace-on-records.
// Where it is cheap, each resource is otherwise compliant, so it shows one broken guarantee.

const DIGEST = "sha256:" + "c".repeat(64);
const code = new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({ statusCode: 200 });") });
const role = "arn:aws:iam::123456789012:role/example-lambda";

// lambda-code-signing-enforced: a zip function without a code-signing config ...
new aws.lambda.Function("unsigned-function", { runtime: "nodejs20.x", handler: "index.handler", code, role });

// ... and one whose code-signing config only warns about unsigned code (the default "Warn").
const warnOnly = new aws.lambda.CodeSigningConfig("warn-only-signing", {
    allowedPublishers: { signingProfileVersionArns: ["arn:aws:signer:us-east-1:123456789012:/signing-profiles/approver/0123456789"] },
    policies: { untrustedArtifactOnDeployment: "Warn" },
});
new aws.lambda.Function("warn-signed-function", { runtime: "nodejs20.x", handler: "index.handler", code, role, codeSigningConfigArn: warnOnly.arn });

// k8s-config-immutable: a ConfigMap left mutable (the Kubernetes default).
new k8s.core.v1.ConfigMap("mutable-config", {
    metadata: { namespace: "apps" },
    data: { LOG_LEVEL: "info" },
});

// k8s-runtime-read-only: a writable root filesystem with privilege escalation (both defaults),
// and a privileged DaemonSet container. Images are pinned, so only the runtime settings are wrong.
new k8s.apps.v1.Deployment("writable-api", {
    metadata: { namespace: "apps" },
    spec: {
        selector: { matchLabels: { app: "api" } },
        template: {
            metadata: { labels: { app: "api" } },
            spec: { containers: [{ name: "api", image: `ghcr.io/acme/api:1.4.2@${DIGEST}` }] },
        },
    },
});
new k8s.apps.v1.DaemonSet("privileged-agent", {
    metadata: { namespace: "apps" },
    spec: {
        selector: { matchLabels: { app: "agent" } },
        template: {
            metadata: { labels: { app: "agent" } },
            spec: {
                containers: [
                    {
                        name: "agent",
                        image: `ghcr.io/acme/agent:2.0@${DIGEST}`,
                        securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: true },
                    },
                ],
            },
        },
    },
});

// ec2-immutable-hosts: an SSH key pair, IMDSv1 allowed (metadata options unset), and user data
// changed in place (userDataReplaceOnChange unset) ...
new aws.ec2.Instance("mutable-host", {
    ami: "ami-0123456789abcdef0",
    instanceType: "t3.micro",
    keyName: "ops-key",
    userData: "#!/bin/bash\necho configured-by-hand",
});
// ... and a launch template that allows IMDSv1 explicitly.
new aws.ec2.LaunchTemplate("imdsv1-template", {
    imageId: "ami-0123456789abcdef0",
    instanceType: "t3.micro",
    metadataOptions: { httpTokens: "optional" },
});

// critical-resources-protected: a correctly configured ECR repository and KMS key, but without `protect`.
new aws.ecr.Repository("unprotected-images", { imageTagMutability: "IMMUTABLE" });
new aws.kms.Key("unprotected-key", { enableKeyRotation: true, deletionWindowInDays: 30 });

// no-ignore-changes-on-guarded-properties: ignoreChanges hides the property ecr-tags-immutable checks.
new aws.ecr.Repository(
    "ignored-mutability",
    { imageTagMutability: "IMMUTABLE" },
    { protect: true, ignoreChanges: ["imageTagMutability"] },
);

// no-delete-before-replace-on-records: a designated artifact store deleted before its replacement exists.
new aws.s3.Bucket(
    "delete-first-artifacts",
    { objectLockEnabled: true, tags: { "sealed-infra:store": "artifacts" } },
    { protect: true, deleteBeforeReplace: true },
);
