/**
 * The AWS side of a release pipeline, immutable and duty-separated by construction:
 *
 *   - DutyRoles: GitHub Actions deploys (production environment only); release managers approve
 *     (with MFA); auditors read the records. Each role is denied the other duties.
 *   - ImmutableBucket: release artifacts, Object Lock in COMPLIANCE mode for a year.
 *   - ImmutableImageRepository: IMMUTABLE tags, only CI may push.
 *   - ReleaseSigningKey: approvers sign release manifests, the deployer may only verify.
 *   - AuditTrail: every region, validated, KMS-encrypted, into a locked audit-log bucket.
 *
 * `npx sealed-infra check examples/aws-release-pipeline` reports no violation.
 */
import * as pulumi from "@pulumi/pulumi";
// In your own program: import { ... } from "sealed-infra";
import { AuditTrail, DutyRoles, ImmutableBucket, ImmutableImageRepository, ReleaseSigningKey } from "../../components";

const config = new pulumi.Config();
const githubRepository = config.get("githubRepository") ?? "acme/shop";
const releaseManagers = config.getObject<string[]>("releaseManagerArns") ?? ["arn:aws:iam::123456789012:role/release-managers"];
const auditors = config.getObject<string[]>("auditorArns") ?? ["arn:aws:iam::123456789012:role/security-auditors"];

const duties = new DutyRoles("release", {
    deployer: { kind: "github-actions", repository: githubRepository, environment: "production" },
    approver: { kind: "aws-principals", principalArns: releaseManagers },
    auditor: { kind: "aws-principals", principalArns: auditors },
});

const artifacts = new ImmutableBucket("release-artifacts", { kind: "artifacts", retentionDays: 365 });

const images = new ImmutableImageRepository("shop", {
    publisherPrincipalArns: [duties.deployerRoleArn],
});

const approvalKey = new ReleaseSigningKey("release-approvals", {
    approverPrincipalArns: [duties.approverRoleArn],
    verifierPrincipalArns: [duties.deployerRoleArn],
    aliasName: "alias/release-approvals",
});

const trail = new AuditTrail("audit", { retentionDays: 2555, cloudWatchLogs: true });

export const deployerRoleArn = duties.deployerRoleArn;
export const approverRoleArn = duties.approverRoleArn;
export const auditorRoleArn = duties.auditorRoleArn;
export const applicationBoundaryArn = duties.applicationBoundaryArn;
export const artifactBucket = artifacts.bucketName;
export const imageRepositoryUrl = images.repositoryUrl;
export const approvalKeyArn = approvalKey.keyArn;
export const approvalSigningAlgorithm = approvalKey.signingAlgorithm;
export const trailArn = trail.trailArn;
export const auditLogBucket = trail.bucketName;
