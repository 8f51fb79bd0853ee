/**
 * A release deployed under the two-person rule: an approver signed a manifest naming the exact
 * artifacts (an image digest and a Lambda package hash) for this project and stack; the deployer
 * carries that approval into the stack with ApprovedRelease, and the pack's `release-approved`
 * policy verifies it against the approver key in the pack config.
 *
 *   - ApprovedRelease: the signed approval (release.approval.json); it also renders the approved
 *     image digests into the DutyNamespace's ReleaseApproval, so the cluster admits the same images.
 *     (Here in one program for the demonstration; in a cluster, writing ReleaseApprovals is the
 *     approvers' duty, so that part usually lives in a stack the approvers or the platform run.)
 *   - DutyNamespace + ImmutableWorkload: the approved image, pinned by digest.
 *   - A Lambda function running the approved package (code signing enforced, hash declared).
 *
 *   npx sealed-infra check examples/approved-release --config examples/approved-release/policy-config.json
 *
 * reports no violation. The approval was made by make-approval.ts with a throwaway key that was
 * discarded; approver.pub.pem is its public key, which policy-config.json lists as an approver key.
 */
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own program: import { ... } from "sealed-infra";
import { ApprovedRelease, DutyNamespace, ImmutableBucket, ImmutableWorkload } from "../../components";
import { IMAGE, LAMBDA_PACKAGE_SHA256 } from "./release";

const config = new pulumi.Config();
// Which approval to carry (tests point this at other approvals); default: the committed one.
const approvalFile = config.get("approvalFile") ?? path.join(__dirname, "release.approval.json");

// --- Kubernetes: the approved image, admitted in-cluster by the same approval.
const shop = new DutyNamespace("shop", { approverGroups: ["release-approvers"] });

const approval = new ApprovedRelease("release", {
    ...ApprovedRelease.readApprovalFile(approvalFile),
    releaseApproval: shop.releaseApprovalTarget(),
});

new ImmutableWorkload("shop-web", {
    namespace: shop.namespaceName,
    replicas: 2,
    containers: [{ name: "web", image: IMAGE, ports: [{ name: "http", containerPort: 8080 }] }],
});

// --- AWS Lambda: the approved zip package, from the artifact store, signed and hash-pinned.
const artifacts = new ImmutableBucket("release-packages", { kind: "artifacts", retentionDays: 365 });

const signer = new aws.signer.SigningProfile("release-signer", { platformId: "AWSLambda-SHA384-ECDSA" });
const codeSigning = new aws.lambda.CodeSigningConfig("release-code-signing", {
    allowedPublishers: { signingProfileVersionArns: [signer.versionArn] },
    policies: { untrustedArtifactOnDeployment: "Enforce" },
});
const role = new aws.iam.Role("checkout-function", {
    assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
});
new aws.lambda.Function("checkout", {
    runtime: "nodejs20.x",
    handler: "index.handler",
    role: role.arn,
    s3Bucket: artifacts.bucketName,
    s3Key: "checkout/2.4.0/function.zip",
    // The package's SHA-256 (base64), as CI computed it when it uploaded the package; the approval lists it.
    sourceCodeHash: Buffer.from(LAMBDA_PACKAGE_SHA256, "hex").toString("base64"),
    codeSigningConfigArn: codeSigning.arn,
});

export const approvedBy = approval.summary.approver;
export const approvalExpires = approval.summary.expires;
export const releaseApproval = approval.releaseApproval?.metadata.name;
