import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";

// Deliberate violations of the separated-duties guarantees: one identity that deploys and
// approves, a deployer that can become the approver, badly scoped trust, standing admin,
// and Kubernetes RBAC that hands out cluster-admin.

const lambdaTrust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

// duties-separated: one role both deploys (lambda:UpdateFunctionCode) and approves releases.
const allPowerful = new aws.iam.Role("ci-all-powerful", {
    name: "ci-all-powerful",
    assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
});
new aws.iam.RolePolicy("ci-all-powerful", {
    name: "deploy-and-approve",
    role: allPowerful.name,
    policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["lambda:UpdateFunctionCode", "codepipeline:PutApprovalResult"], Resource: "*" }],
    }),
});

// no-duty-escalation: the deployer may pass any role to a Lambda function it creates, and the
// approver role trusts Lambda: deployer -[iam:PassRole + lambda:CreateFunction]-> release-approver.
const deployer = new aws.iam.Role("deployer", { name: "deployer", assumeRolePolicy: lambdaTrust });
new aws.iam.RolePolicy("deployer", {
    name: "deploy",
    role: deployer.name,
    policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["lambda:CreateFunction", "lambda:UpdateFunctionCode", "iam:PassRole"], Resource: "*" }],
    }),
});
const approver = new aws.iam.Role("release-approver", { name: "release-approver", assumeRolePolicy: lambdaTrust });
new aws.iam.RolePolicy("release-approver", {
    name: "approve",
    role: approver.name,
    policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "codepipeline:PutApprovalResult", Resource: "*" }],
    }),
});

// trust-policies-scoped: GitHub Actions trust that any repository of the organisation can use.
new aws.iam.Role("github-any-repo", {
    name: "github-any-repo",
    assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
                    StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" },
                },
            },
        ],
    }),
});

// no-standing-admin: a standing role with AdministratorAccess.
const ops = new aws.iam.Role("ops-admin", {
    name: "ops-admin",
    assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
});
new aws.iam.RolePolicyAttachment("ops-admin", { role: ops.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });

// k8s-rbac-least-privilege: every developer is cluster-admin, and a role that can impersonate.
new k8s.rbac.v1.ClusterRoleBinding("developers-are-admins", {
    metadata: { name: "developers-are-admins" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
    subjects: [{ kind: "Group", name: "developers", apiGroup: "rbac.authorization.k8s.io" }],
});
new k8s.rbac.v1.ClusterRole("impersonator", {
    metadata: { name: "impersonator" },
    rules: [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }],
});
