/**
 * Type tokens of the resources the IAM model reads (aws classic v7 and aws-native).
 */

export const IAM_ROLE = { aws: "aws:iam/role:Role", native: "aws-native:iam:Role" } as const;
export const IAM_USER = { aws: "aws:iam/user:User", native: "aws-native:iam:User" } as const;
export const IAM_GROUP = { aws: "aws:iam/group:Group", native: "aws-native:iam:Group" } as const;
export const IAM_POLICY = { aws: "aws:iam/policy:Policy", native: "aws-native:iam:ManagedPolicy" } as const;

export const IAM_ROLES = [IAM_ROLE.aws, IAM_ROLE.native] as const;
export const IAM_USERS = [IAM_USER.aws, IAM_USER.native] as const;
export const IAM_GROUPS = [IAM_GROUP.aws, IAM_GROUP.native] as const;
export const IAM_PRINCIPALS = [...IAM_ROLES, ...IAM_USERS, ...IAM_GROUPS] as const;
export const IAM_POLICIES = [IAM_POLICY.aws, IAM_POLICY.native] as const;

/** Inline policies as their own resources: type -> the property naming the principal. */
export const IAM_INLINE_POLICY: Readonly<Record<string, { kind: PrincipalKind; principal: string; document: string; name: string }>> = {
    "aws:iam/rolePolicy:RolePolicy": { kind: "role", principal: "role", document: "policy", name: "name" },
    "aws:iam/userPolicy:UserPolicy": { kind: "user", principal: "user", document: "policy", name: "name" },
    "aws:iam/groupPolicy:GroupPolicy": { kind: "group", principal: "group", document: "policy", name: "name" },
    "aws-native:iam:RolePolicy": { kind: "role", principal: "roleName", document: "policyDocument", name: "policyName" },
    "aws-native:iam:UserPolicy": { kind: "user", principal: "userName", document: "policyDocument", name: "policyName" },
    "aws-native:iam:GroupPolicy": { kind: "group", principal: "groupName", document: "policyDocument", name: "policyName" },
};

/** Single-principal attachments: type -> the property naming the principal and the policy ARN(s). */
export const IAM_ATTACHMENT: Readonly<Record<string, { kind: PrincipalKind; principal: string; arns: string; list: boolean }>> = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { kind: "role", principal: "role", arns: "policyArn", list: false },
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": { kind: "user", principal: "user", arns: "policyArn", list: false },
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": { kind: "group", principal: "group", arns: "policyArn", list: false },
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": { kind: "role", principal: "roleName", arns: "policyArns", list: true },
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": { kind: "user", principal: "userName", arns: "policyArns", list: true },
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": { kind: "group", principal: "groupName", arns: "policyArns", list: true },
};

/** The multi-principal attachment (users, roles and groups lists). */
export const IAM_POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";

export const IAM_GROUP_MEMBERSHIP = "aws:iam/groupMembership:GroupMembership";
export const IAM_USER_GROUP_MEMBERSHIP = "aws:iam/userGroupMembership:UserGroupMembership";
export const IAM_USER_TO_GROUP_ADDITION = "aws-native:iam:UserToGroupAddition";
export const IAM_INSTANCE_PROFILE = { aws: "aws:iam/instanceProfile:InstanceProfile", native: "aws-native:iam:InstanceProfile" } as const;

export const KMS_KEY = { aws: "aws:kms/key:Key", native: "aws-native:kms:Key", replica: "aws:kms/replicaKey:ReplicaKey" } as const;
export const KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
export const S3_BUCKET_POLICY = { aws: "aws:s3/bucketPolicy:BucketPolicy", native: "aws-native:s3:BucketPolicy" } as const;
export const LAMBDA_FUNCTIONS = ["aws:lambda/function:Function", "aws-native:lambda:Function"] as const;

export const EKS_ACCESS_ENTRY = { aws: "aws:eks/accessEntry:AccessEntry", native: "aws-native:eks:AccessEntry" } as const;
export const EKS_ACCESS_POLICY_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";

export type PrincipalKind = "role" | "user" | "group";

/** Every type the IAM model reads (for policies' `resourceTypes`). */
export const IAM_MODEL_TYPES: readonly string[] = [
    ...IAM_PRINCIPALS,
    ...IAM_POLICIES,
    ...Object.keys(IAM_INLINE_POLICY),
    ...Object.keys(IAM_ATTACHMENT),
    IAM_POLICY_ATTACHMENT,
    IAM_GROUP_MEMBERSHIP,
    IAM_USER_GROUP_MEMBERSHIP,
    IAM_USER_TO_GROUP_ADDITION,
];
