/**
 * The escalation corpus: each escalation primitive alone, given to a deployer beside an approver,
 * with the path no-duty-escalation must print. Shared by test/policies/no-duty-escalation.test.ts
 * and test/cli/graph.test.ts (every reported path is drawn as edges).
 */
import { TestResource, urnOf } from "../harness/policy-harness";
import {
    allow, APPROVE, attach, DEPLOY, group, groupArn, groupPolicy, managedPolicy, policyArn, role, roleArn, Stmt,
    trustArn, trustService, user, USER, userArn, userPolicy,
} from "../engine/duties/builders";

export const approverTrusting = (...trust: Stmt[]) => role("approver", { policies: [[APPROVE]], trust });
export const deployer = (...extra: Stmt[]) => role("deployer", { policies: [[DEPLOY, ...extra]] });

export interface Primitive {
    name: string;
    stack: TestResource[];
    /** Text the path must contain. */
    path: string;
    /** The principal reported (default the deployer role). */
    urn?: string;
}

const service = (svc: string, ...actions: string[]): Primitive => ({
    name: `iam:PassRole + ${actions.join(" + ")} to a role trusting ${svc}`,
    stack: [deployer(allow(["iam:PassRole", ...actions])), approverTrusting(trustService(svc))],
    path: `deployer -[iam:PassRole + ${actions.join(" + ")}]-> approver (trusts ${svc}) -> approve: codepipeline:PutApprovalResult`,
});

export const PRIMITIVES: Primitive[] = [
    {
        name: "sts:AssumeRole through a trust policy naming the deployer",
        stack: [deployer(), approverTrusting(trustArn(roleArn("deployer")))],
        path: `deployer -[sts:AssumeRole]-> approver (trusts role "deployer") -> approve: codepipeline:PutApprovalResult`,
    },
    {
        name: "sts:AssumeRole through account trust and an identity policy",
        stack: [deployer(allow("sts:AssumeRole", roleArn("approver"))), approverTrusting(trustArn("arn:aws:iam::123456789012:root"))],
        path: `deployer -[sts:AssumeRole]-> approver (trusts account 123456789012) -> approve`,
    },
    {
        name: "a chain of assumed roles",
        stack: [
            deployer(),
            role("hop", { trust: [trustArn(roleArn("deployer"))] }),
            approverTrusting(trustArn(roleArn("hop"))),
        ],
        path: `deployer -[sts:AssumeRole]-> hop (trusts role "deployer") -[sts:AssumeRole]-> approver (trusts role "hop") -> approve`,
    },
    service("lambda.amazonaws.com", "lambda:CreateFunction"),
    service("ec2.amazonaws.com", "ec2:RunInstances"),
    service("ecs-tasks.amazonaws.com", "ecs:RegisterTaskDefinition", "ecs:RunTask"),
    service("cloudformation.amazonaws.com", "cloudformation:CreateStack"),
    service("codebuild.amazonaws.com", "codebuild:CreateProject", "codebuild:StartBuild"),
    service("glue.amazonaws.com", "glue:CreateDevEndpoint"),
    service("sagemaker.amazonaws.com", "sagemaker:CreateNotebookInstance"),
    service("datapipeline.amazonaws.com", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition", "datapipeline:ActivatePipeline"),
    service("ec2.amazonaws.com", "autoscaling:CreateAutoScalingGroup", "ec2:CreateLaunchTemplate"),
    {
        name: "lambda:UpdateFunctionCode on a function running as the approver",
        stack: [
            deployer(),
            approverTrusting(trustService("lambda.amazonaws.com")),
            { type: "aws:lambda/function:Function", name: "approve-fn", props: { name: "approve-fn", role: roleArn("approver"), arn: "arn:aws:lambda:eu-west-1:123456789012:function:approve-fn" } },
        ],
        path: `deployer -[lambda:UpdateFunctionCode on function "approve-fn"]-> approver (runs as role "approver") -> approve`,
    },
    {
        name: "codebuild:StartBuild on a project running as the approver (buildspec override)",
        stack: [
            deployer(allow("codebuild:StartBuild", "arn:aws:codebuild:eu-west-1:123456789012:project/release-*")),
            approverTrusting(trustService("codebuild.amazonaws.com")),
            { type: "aws:codebuild/project:Project", name: "release-notes", props: { name: "release-notes", arn: "arn:aws:codebuild:eu-west-1:123456789012:project/release-notes", serviceRole: roleArn("approver") } },
        ],
        path: `deployer -[codebuild:StartBuild on CodeBuild project "release-notes"]-> approver (runs as role "approver") -> approve`,
    },
    {
        name: "ssm:SendCommand on an instance whose instance profile holds the approver role",
        stack: [
            deployer(allow("ssm:SendCommand")),
            approverTrusting(trustService("ec2.amazonaws.com")),
            { type: "aws:iam/instanceProfile:InstanceProfile", name: "approver-profile", props: { name: "approver-profile", role: "approver" } },
            { type: "aws:ec2/instance:Instance", name: "bastion", props: { id: "i-0abc", iamInstanceProfile: "approver-profile" } },
        ],
        path: `deployer -[ssm:SendCommand on instance "bastion"]-> approver (runs as role "approver") -> approve`,
    },
    {
        name: "iam:PutRolePolicy on itself",
        stack: [deployer(allow("iam:PutRolePolicy", roleArn("deployer"))), approverTrusting(trustService("lambda.amazonaws.com"))],
        path: `deployer -[iam:PutRolePolicy on itself]-> deployer (any policy) -> approve: codepipeline:PutApprovalResult via any policy it writes`,
    },
    {
        name: "iam:AttachRolePolicy on itself",
        stack: [deployer(allow("iam:AttachRolePolicy", roleArn("deployer"))), approverTrusting(trustService("lambda.amazonaws.com"))],
        path: `deployer -[iam:AttachRolePolicy on itself]-> deployer (any policy)`,
    },
    {
        name: "iam:CreatePolicyVersion on a customer policy attached to itself",
        stack: [
            deployer(allow("iam:CreatePolicyVersion", policyArn("deployer-extra"))),
            managedPolicy("deployer-extra", [allow("s3:GetObject")]),
            attach("deployer", policyArn("deployer-extra")),
            approverTrusting(trustService("lambda.amazonaws.com")),
        ],
        path: `deployer -[iam:CreatePolicyVersion on ${policyArn("deployer-extra")} on itself]-> deployer (any policy)`,
    },
    {
        name: "iam:UpdateAssumeRolePolicy on the approver",
        stack: [deployer(allow("iam:UpdateAssumeRolePolicy", roleArn("approver"))), approverTrusting(trustService("lambda.amazonaws.com"))],
        path: `deployer -[iam:UpdateAssumeRolePolicy]-> approver (its trust policy can be rewritten) -> approve`,
    },
    {
        name: "iam:CreateRole + iam:PutRolePolicy without a boundary",
        stack: [deployer(allow(["iam:CreateRole", "iam:PutRolePolicy"], "arn:aws:iam::123456789012:role/new-*")), approverTrusting(trustService("lambda.amazonaws.com"))],
        path: `deployer -[iam:CreateRole + iam:PutRolePolicy]-> a new role without a permissions boundary (any policy, no boundary required) -> approve`,
    },
    {
        name: "removing its own permissions boundary and writing a policy",
        stack: [
            role("deployer", {
                policies: [[DEPLOY, allow(["iam:PutRolePolicy", "iam:DeleteRolePermissionsBoundary"], roleArn("deployer"))]],
                boundary: policyArn("app-boundary"),
            }),
            managedPolicy("app-boundary", [allow(["lambda:*", "iam:PutRolePolicy", "iam:DeleteRolePermissionsBoundary"])]),
            approverTrusting(trustService("lambda.amazonaws.com")),
        ],
        path: `deployer -[iam:PutRolePolicy on itself]-> deployer (any policy) -> approve`,
    },
    {
        name: "iam:AddUserToGroup (a deployer user joins the approvers group)",
        stack: [
            user("dev"),
            userPolicy("dev", [DEPLOY, allow("iam:AddUserToGroup", groupArn("approvers"))]),
            group("approvers"),
            groupPolicy("approvers", [APPROVE]),
        ],
        path: `dev -[iam:AddUserToGroup]-> approvers (adds itself to the group) -> approve`,
        urn: urnOf(USER, "dev"),
    },
    {
        name: "iam:CreateAccessKey for the approver user",
        stack: [deployer(allow("iam:CreateAccessKey", userArn("alice"))), user("alice"), userPolicy("alice", [APPROVE])],
        path: `deployer -[iam:CreateAccessKey]-> alice (signs in as the user) -> approve`,
    },
    {
        name: "iam:CreateLoginProfile for the approver user",
        stack: [deployer(allow("iam:CreateLoginProfile", userArn("alice"))), user("alice"), userPolicy("alice", [APPROVE])],
        path: `deployer -[iam:CreateLoginProfile]-> alice (signs in as the user) -> approve`,
    },
    {
        name: "iam:PutUserPolicy on itself (a deployer user)",
        stack: [user("dev"), userPolicy("dev", [DEPLOY, allow("iam:PutUserPolicy", userArn("dev"))])],
        path: `dev -[iam:PutUserPolicy on itself]-> dev (any policy) -> approve`,
        urn: urnOf(USER, "dev"),
    },
    {
        name: "iam:PutGroupPolicy on a group it is in",
        stack: [
            user("dev"),
            userPolicy("dev", [DEPLOY]),
            group("devs"),
            groupPolicy("devs", [allow("iam:PutGroupPolicy", groupArn("devs"))]),
            { type: "aws:iam/groupMembership:GroupMembership", name: "devs-members", props: { group: "devs", users: ["dev"] } },
        ],
        path: `dev -[iam:PutGroupPolicy on group "devs"]-> dev (any policy) -> approve`,
        urn: urnOf(USER, "dev"),
    },
];

