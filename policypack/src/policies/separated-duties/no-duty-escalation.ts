import { stackPolicy } from "../../framework/definition";
import { dutyAnalysis, escalationConflicts, formatPath, isEscalationStart } from "../../engine/duties/analysis";
import { DutyConfig, dutyConfigOptions } from "../../engine/duties/duties";
import { allProblems, breakGlassOf, DUTY_ANALYSIS_TYPES, DUTY_GUARDS, reportProblems } from "./common";

export const noDutyEscalation = stackPolicy<DutyConfig>({
    name: "no-duty-escalation",
    displayName: "No principal can escalate into a conflicting duty",
    guarantee: "separated-duties",
    description: "No identity in the stack can reach a conflicting duty through an escalation path (assuming roles, passing roles to services, writing policies, binding or impersonating in Kubernetes).",
    rule:
        "The analysis builds one graph of AWS principals and Kubernetes subjects whose edges are escalation primitives: " +
        "sts:AssumeRole through trust policies (chains included); iam:PassRole to a service together with the action that runs " +
        "code as the role (Lambda, EC2 and Auto Scaling, ECS, CloudFormation, CodeBuild, Glue, SageMaker, Data Pipeline); " +
        "running code in existing compute that runs as another role (lambda:UpdateFunctionCode, codebuild:StartBuild, " +
        "sagemaker:CreatePresignedNotebookInstanceUrl, glue:UpdateDevEndpoint, cloudformation:UpdateStack, ssm:SendCommand or " +
        "StartSession on instances through their instance profile); writing or attaching policies to itself, to a group it is " +
        "in, or to a principal it can act as (iam:Put*Policy, iam:Attach*Policy, iam:CreatePolicyVersion; iam:SetDefaultPolicyVersion " +
        "on an attached customer-managed policy counts as any policy, because its earlier versions are not in the stack), removing " +
        "or rewriting a boundary, or putting on it first the boundary its write permission requires; " +
        "iam:UpdateAssumeRolePolicy; iam:AddUserToGroup; iam:CreateAccessKey and login profiles; iam:CreateRole with a policy " +
        "(bounded by the permissions boundary the actor must attach, if any; an attach permission limited by iam:PolicyARN adds " +
        "only the stack's policies it may attach); EKS access entries and IRSA; and in Kubernetes " +
        "impersonate, bind/escalate, creating or updating workloads in a namespace (they can run as any service account there), exec or attach " +
        "into pods of the stack's workloads (they carry their service account's token), get or create on nodes/proxy cluster-wide " +
        "(the kubelet runs commands in any pod of the stack's workloads), reading " +
        "service-account token secrets and creating tokens. An explicit Deny, a boundary, a resource scope or a condition that " +
        "provably excludes the target removes the edge; condition keys the stack determines for the request (the target's " +
        "permissions boundary, the policy being attached, the service a role is passed to, the target principal's tags while the " +
        "actor cannot retag it, the range of aws:TokenIssueTime) are evaluated with their value. A principal fails when its own duties together with the duties it can reach " +
        "include a conflicting pair that it does not already hold directly (that is `duties-separated`). The message prints the " +
        "shortest path to each duty. Break-glass principals are exempt as starting points, not as targets.",
    why:
        "Direct separation is worthless if the deployer can become the approver: pass the approver role to a Lambda function it " +
        "creates, rewrite a trust policy, or attach a policy to itself. Attackers chain exactly these primitives.",
    severity: "critical",
    remediationSteps:
        "Break the first edge of the printed path: scope iam:PassRole to the roles the deployer must pass (and with " +
        "iam:PassedToService), remove IAM write permissions or require a permissions boundary that excludes the other duties " +
        "(delegated administration), tighten the target's trust policy, or in Kubernetes remove impersonate/bind/escalate and keep " +
        "approvers' service accounts out of namespaces the deployer can deploy to.",
    config: dutyConfigOptions,
    guards: DUTY_GUARDS,
    resourceTypes: DUTY_ANALYSIS_TYPES,
    example: {
        compliant: 'iam:PassRole on "arn:aws:iam::123456789012:role/app-*" with iam:PassedToService = lambda.amazonaws.com, app roles under a boundary',
        violating: 'iam:PassRole on "*" + lambda:CreateFunction, while the approver role trusts lambda.amazonaws.com',
    },
    check(model, config, findings) {
        const analysis = dutyAnalysis(model, config);
        for (const node of analysis.graph.nodes.values()) {
            if (!isEscalationStart(node) || breakGlassOf(node, config.breakGlassPrincipals)) {
                continue;
            }
            const lines: string[] = [];
            let firstEdgeVia = undefined as typeof node.report;
            for (const c of escalationConflicts(analysis, node)) {
                lines.push(`${c.a.name} and ${c.b.name}: ${formatPath(node, c.toA)}; ${formatPath(node, c.toB)}`);
                firstEdgeVia ??= (c.toB.path[0] ?? c.toA.path[0])?.edge.via;
            }
            if (lines.length === 0) {
                continue;
            }
            const target = node.subject ? firstEdgeVia ?? node.report : node.report;
            if (!target) {
                continue;
            }
            const who = node.subject ? `${node.label} (bound here) ` : "";
            findings.violation(
                target,
                `${who}can reach conflicting duties through escalation: ${lines.join(" | ")}. Break the first step of the path (scope or remove that permission, require a permissions boundary, or tighten the target's trust).`,
            );
        }
        reportProblems(findings, allProblems(analysis.graph.iam, analysis.graph.rbac), () => "no principal can escalate into a conflicting duty");
    },
});
