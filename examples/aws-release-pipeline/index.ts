/**
 * The AWS side of a release pipeline, immutable and duty-separated by construction:
 *
 *   - DutyRoles: GitHub Actions deploys (one repository, one environment); release managers approve;
 *     auditors read the records. Each role is denied the other duties.
 *   - ImmutableBucket: release artifacts, Object Lock in COMPLIANCE mode for a year; only the
 *     deployer role may write them.
 *   - ImmutableImageRepository: IMMUTABLE tags, only the deployer may push.
 *   - ReleaseSigningKey: approvers sign release manifests, the deployer may only verify.
 *   - AuditTrail: every region, validated, KMS-encrypted, into a locked audit-log bucket.
 *
 * `npx sealed-infra check examples/aws-release-pipeline` reports no violation with the placeholder
 * values below. Before `pulumi up`, run it from a platform (administrator) identity and set, in the
 * stack (README.md next to this file explains each one):
 *
 *   pulumi config set aws:region eu-west-1
 *   pulumi config set githubRepository <owner>/<repository>        # the repository whose workflows deploy
 *   pulumi config set githubEnvironment production                  # the GitHub environment of the deploy job
 *   pulumi config set --path 'releaseManagerArns[0]' arn:aws:iam::<account>:role/<approvers-role>
 *   pulumi config set --path 'auditorArns[0]' arn:aws:iam::<account>:role/<auditors-role>
 *   pulumi config set --path 'platformAdminArns[0]' arn:aws:iam::<account>:role/<platform-role>   # runs this stack
 *   # only if the account already has the GitHub OIDC provider (IAM holds one per URL):
 *   pulumi config set githubOidcProviderArn arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com
 *
 * The placeholder principals (account 123456789012) do not exist: IAM rejects a trust policy naming
 * a principal that does not exist, so `pulumi up` fails until releaseManagerArns and auditorArns
 * name real roles or users.
 */
import * as pulumi from "@pulumi/pulumi";
// In your own program: import { ... } from "sealed-infra";
import { AuditTrail, DutyRoles, ImmutableBucket, ImmutableImageRepository, ReleaseSigningKey } from "../../components";

const config = new pulumi.Config();
const githubRepository = config.get("githubRepository") ?? "acme/shop";
const githubEnvironment = config.get("githubEnvironment") ?? "production";
const releaseManagers = config.getObject<string[]>("releaseManagerArns") ?? ["arn:aws:iam::123456789012:role/release-managers"];
const auditors = config.getObject<string[]>("auditorArns") ?? ["arn:aws:iam::123456789012:role/security-auditors"];
// Default: the component creates the provider (fails if the account already has one for GitHub).
const githubOidcProviderArn = config.get("githubOidcProviderArn");
// The platform role that runs this stack: it may change the image repository's policy later.
const repositoryAdmins = config.getObject<string[]>("platformAdminArns") ?? [];

// Writers default to the DutyRoles deployer roles (see ImmutableBucket.writerPrincipalArns).
const artifacts = new ImmutableBucket("release-artifacts", { kind: "artifacts", retentionDays: 365 });

const duties = new DutyRoles("release", {
    deployer: { kind: "github-actions", repository: githubRepository, environment: githubEnvironment },
    approver: { kind: "aws-principals", principalArns: releaseManagers },
    auditor: { kind: "aws-principals", principalArns: auditors },
    githubOidcProviderArn,
    // Lambda deployment packages come from the artifact store.
    artifactBucketArns: [artifacts.bucketArn],
});

const images = new ImmutableImageRepository("shop", {
    publisherPrincipalArns: [duties.deployerRoleArn],
    // Who may change the repository policy later (e.g. add a puller) besides the account root.
    policyAdminPrincipalArns: repositoryAdmins,
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
export const githubOidcProvider = duties.githubOidcProviderArn;
export const artifactBucket = artifacts.bucketName;
export const imageRepositoryUrl = images.repositoryUrl;
export const approvalKeyArn = approvalKey.keyArn;
export const approvalSigningAlgorithm = approvalKey.signingAlgorithm;
export const trailArn = trail.trailArn;
export const auditLogBucket = trail.bucketName;
