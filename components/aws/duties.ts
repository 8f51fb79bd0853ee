/**
 * The AWS actions of each duty (docs/design.md, "Duty model"), as the components use them in explicit
 * denies and permissions boundaries. Wildcards follow IAM's action matching.
 *
 * These lists are the components' own copy: the policy pack has its own, configurable duty model
 * and analyses permissions, not these names, so the two agree by test rather than by import
 * (test/duty-lists.test.ts: the same actions per duty, and every action the components grant is
 * classified by the pack as the role's own duty or none).
 */

/** Changing running infrastructure. */
export const DEPLOY_ACTIONS: readonly string[] = [
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "cloudformation:DeleteStack",
    "cloudformation:CreateChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:CreateStackSet",
    "cloudformation:UpdateStackSet",
    "cloudformation:CreateStackInstances",
    "cloudformation:UpdateStackInstances",
    "ecs:CreateService",
    "ecs:UpdateService",
    "ecs:DeleteService",
    "ecs:RegisterTaskDefinition",
    "ecs:DeregisterTaskDefinition",
    "ecs:RunTask",
    "ecs:StartTask",
    "lambda:CreateFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "lambda:DeleteFunction",
    "lambda:PublishVersion",
    "lambda:CreateAlias",
    "lambda:UpdateAlias",
    "lambda:DeleteAlias",
    "codedeploy:CreateDeployment",
    "ec2:RunInstances",
    "ec2:TerminateInstances",
    "ec2:CreateLaunchTemplate",
    "ec2:CreateLaunchTemplateVersion",
    "ec2:ModifyLaunchTemplate",
    "ec2:DeleteLaunchTemplate",
    "autoscaling:CreateAutoScalingGroup",
    "autoscaling:UpdateAutoScalingGroup",
    "autoscaling:DeleteAutoScalingGroup",
    "autoscaling:StartInstanceRefresh",
];

/** Approving a release. */
export const APPROVE_ACTIONS: readonly string[] = [
    "codepipeline:PutApprovalResult",
    "codecommit:UpdatePullRequestApprovalState",
    "codecommit:OverridePullRequestApprovalRules",
    "codecommit:UpdatePullRequestApprovalRuleContent",
    "signer:StartSigningJob",
    "signer:SignPayload",
    "kms:Sign",
];

/** Weakening the records: trails, log groups, and the lock, lifecycle and policy of stores. */
export const AUDIT_ADMIN_ACTIONS: readonly string[] = [
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
    "cloudtrail:PutInsightSelectors",
    "cloudtrail:DeleteEventDataStore",
    "cloudtrail:UpdateEventDataStore",
    "logs:DeleteLogGroup",
    "logs:DeleteLogStream",
    "logs:PutRetentionPolicy",
    "logs:DeleteRetentionPolicy",
    "logs:DisassociateKmsKey",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketVersioning",
    "s3:BypassGovernanceRetention",
    // Not s3:PutObjectRetention: without s3:BypassGovernanceRetention it can only lengthen a retention.
    "s3:PutObjectLegalHold",
    "s3:DeleteBucket",
];

/**
 * Controlling approval and log keys. `kms:CreateGrant` is also how AWS services (EC2 for encrypted
 * EBS volumes, Auto Scaling, Lambda, ...) use a customer key on a caller's behalf, so the deployer's
 * deny of it applies only to grants that are not for an AWS resource (`kms:GrantIsForAWSResource`).
 */
export const KEY_ADMIN_ACTIONS: readonly string[] = [
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "kms:RevokeGrant",
    "kms:RetireGrant",
    "kms:DisableKey",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:DisableKeyRotation",
    "kms:DeleteImportedKeyMaterial",
    "kms:UpdateAlias",
    "kms:DeleteAlias",
];

/** IAM actions that change identities or their permissions (escalation primitives). */
export const IAM_WRITE_ACTIONS: readonly string[] = [
    "iam:Create*",
    "iam:Put*",
    "iam:Attach*",
    "iam:Detach*",
    "iam:Delete*",
    "iam:Update*",
    "iam:Add*",
    "iam:Remove*",
    "iam:Set*",
    "iam:Tag*",
    "iam:Untag*",
    "iam:Upload*",
    "iam:PassRole",
];

/** Credentials for IAM users and group membership: never part of delegated administration. */
export const IAM_USER_ESCALATION_ACTIONS: readonly string[] = [
    "iam:CreateUser",
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutGroupPolicy",
    "iam:AttachGroupPolicy",
    "iam:DeleteRolePermissionsBoundary",
];

/** Default actions application roles may be given under the boundary. */
export const DEFAULT_APPLICATION_ACTIONS: readonly string[] = [
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:PutObject",
    "s3:ListBucket",
    "dynamodb:*",
    "sqs:*",
    "sns:Publish",
    "events:PutEvents",
    "states:StartExecution",
    "lambda:InvokeFunction",
    "execute-api:Invoke",
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "cloudwatch:PutMetricData",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ecr:GetAuthorizationToken",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchCheckLayerAvailability",
];

/** Default deploy permissions of the deployer role (beyond delegated administration of app roles). */
export const DEFAULT_DEPLOYER_ACTIONS: readonly string[] = [
    ...DEPLOY_ACTIONS,
    "cloudformation:Describe*",
    "cloudformation:Get*",
    "cloudformation:List*",
    "ecs:Describe*",
    "ecs:List*",
    "ecs:TagResource",
    "lambda:Get*",
    "lambda:List*",
    "lambda:TagResource",
    "lambda:AddPermission",
    "lambda:RemovePermission",
    "codedeploy:Get*",
    "codedeploy:List*",
    "codedeploy:RegisterApplicationRevision",
    "autoscaling:Describe*",
    "ec2:Describe*",
    "ec2:CreateTags",
    "ecr:GetAuthorizationToken",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:DescribeImages",
    "ecr:DescribeRepositories",
    "logs:Describe*",
    "logs:Get*",
    "logs:FilterLogEvents",
];

/** Default permissions of the approver role (release approval; `kms:Sign` only on release-approval keys). */
export const DEFAULT_APPROVER_ACTIONS: readonly string[] = [
    "codepipeline:PutApprovalResult",
    "codepipeline:GetPipeline",
    "codepipeline:GetPipelineState",
    "codepipeline:GetPipelineExecution",
    "codepipeline:ListPipelines",
    "codepipeline:ListPipelineExecutions",
    "codecommit:UpdatePullRequestApprovalState",
    "codecommit:GetPullRequest",
    "codecommit:GetPullRequestApprovalStates",
    "ecr:DescribeImages",
    "ecr:DescribeImageScanFindings",
];

/** Default permissions of the auditor role: read the records, change nothing. */
export const DEFAULT_AUDITOR_ACTIONS: readonly string[] = [
    "cloudtrail:LookupEvents",
    "cloudtrail:Get*",
    "cloudtrail:Describe*",
    "cloudtrail:List*",
    "logs:Describe*",
    "logs:Get*",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "logs:StopQuery",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectRetention",
    "s3:GetObjectLegalHold",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketPolicy",
    "s3:GetBucketVersioning",
    "s3:GetLifecycleConfiguration",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListKeys",
    "kms:ListAliases",
    "iam:Get*",
    "iam:List*",
];
