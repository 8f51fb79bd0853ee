import { stackPolicy } from "../../framework/definition";
import { dutyAnalysis, heldConflicts, isHoldingSubject } from "../../engine/duties/analysis";
import { DutyConfig, dutyConfigOptions } from "../../engine/duties/duties";
import { allProblems, breakGlassOf, DUTY_ANALYSIS_TYPES, DUTY_GUARDS, reportProblems, stackRoot } from "./common";

export const dutiesSeparated = stackPolicy<DutyConfig>({
    name: "duties-separated",
    displayName: "No principal holds two conflicting duties",
    guarantee: "separated-duties",
    description: "No identity in the stack holds two conflicting duties (deploy and approve, deploy and weaken the records, deploy and control the keys, approve and weaken the records).",
    rule:
        "For every IAM role, user and group and every Kubernetes subject, the analysis computes the effective permissions: inline, " +
        "managed and customer policies attached directly or through groups (AWS-managed ARNs resolved to their documents), grants " +
        "of KMS key and S3 bucket policies, minus explicit Deny, intersected with the permissions boundary; NotAction/NotResource, " +
        "wildcards, policy variables and conditions are honoured, and a condition that depends on unknown request context counts " +
        "as \"may allow\" for an Allow and \"may not apply\" for a Deny. Kubernetes: the union of RoleBindings and " +
        "ClusterRoleBindings (aggregated and built-in ClusterRoles expanded). A principal holds a duty when it may perform any of " +
        "the duty's permissions on the duty's resources (audit-admin: trails, audit log groups and designated stores; key-admin: " +
        "release-approval and log keys; approve: kms:Sign on release-approval keys). Two conflicting " +
        "duties on one principal fail. Principals named in `breakGlassPrincipals` are exempt. Policy documents or references " +
        "unknown in preview are verified at update; unreadable ones, and AWS-managed or external policies whose document the " +
        "pack cannot see, fail closed.",
    why:
        "Separation of duties is the control that stops one identity from shipping code and approving it, or from covering its " +
        "tracks. If a single role can do both, every other guarantee of the release process reduces to trusting that role.",
    severity: "critical",
    remediationSteps:
        "Split the permissions: give each duty to its own role (sealed-infra's `DutyRoles` builds a deployer, an approver and an " +
        "auditor with separate trust), remove the conflicting statements, or add an explicit Deny or a permissions boundary that " +
        "excludes the other duty. The message names the action and the policy granting each duty.",
    config: dutyConfigOptions,
    guards: DUTY_GUARDS,
    resourceTypes: DUTY_ANALYSIS_TYPES,
    example: {
        compliant: "deployer: lambda:UpdateFunctionCode; approver: codepipeline:PutApprovalResult (two roles)",
        violating: 'new aws.iam.Role("ci", { inlinePolicies: [{ name: "all", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["lambda:UpdateFunctionCode", "codepipeline:PutApprovalResult"], Resource: "*" }] }) }] })',
    },
    check(model, config, findings) {
        const analysis = dutyAnalysis(model, config);
        const root = stackRoot(model);
        for (const w of analysis.duties.warnings) {
            if (root) {
                findings.violation(root, `the duty configuration cannot be applied as written: ${w}; fix the duties-separated config.`);
            }
        }
        for (const node of analysis.graph.nodes.values()) {
            if (!isHoldingSubject(node) || breakGlassOf(node, config.breakGlassPrincipals)) {
                continue;
            }
            const pairs = heldConflicts(analysis, node);
            if (pairs.length === 0) {
                continue;
            }
            const held = analysis.holdings(node.id);
            const parts = pairs.map((c) => `${c.a.name} (${held.get(c.a.bit)!.witness}) and ${c.b.name} (${held.get(c.b.bit)!.witness})`);
            const target = node.subject ? held.get(pairs[0].b.bit)!.grantedBy ?? node.report : node.report;
            if (!target) {
                continue;
            }
            const who = node.subject ? `${node.label} (bound here) ` : "";
            findings.violation(
                target,
                `${who}holds conflicting duties ${parts.join("; and ")}. One identity must not hold both: move one duty's permissions to a separate principal, or add an explicit Deny or a permissions boundary that excludes it.`,
            );
        }
        // Trust policies decide who can become a principal, not what it holds: no-duty-escalation reports them.
        reportProblems(findings, allProblems(analysis.graph.iam, analysis.graph.rbac).filter((p) => !p.trust), () => "no principal holds two conflicting duties");
    },
});
