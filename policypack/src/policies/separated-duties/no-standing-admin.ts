import { stackPolicy } from "../../framework/definition";
import { actionsOfService } from "../../engine/iam/catalogue";
import { Context, evaluateConditions } from "../../engine/iam/conditions";
import type { Statement } from "../../engine/iam/document";
import { actionMatches, evaluate, PermissionInputs } from "../../engine/iam/evaluate";
import { hasWildcard } from "../../engine/iam/glob";
import { iamModel } from "../../engine/iam/model";
import { IAM_MODEL_TYPES, IAM_GROUPS, IAM_ROLES, IAM_USERS } from "../../engine/iam/types";
import { isBreakGlass } from "../../engine/duties/duties";
import { reportProblems } from "./common";

interface Config {
    breakGlassPrincipals: string[];
    adminPolicyArns: string[];
}

const DEFAULT_ADMIN_POLICIES = ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/IAMFullAccess"];

/** Compare ARNs independent of partition (aws, aws-us-gov, aws-cn). */
function samePolicy(a: string, b: string): boolean {
    const norm = (s: string) => s.replace(/^arn:aws[a-z-]*:/, "arn:aws:");
    return norm(a) === norm(b);
}

export const noStandingAdmin = stackPolicy<Config>({
    name: "no-standing-admin",
    displayName: "No standing administrator access",
    guarantee: "separated-duties",
    description: "No IAM principal holds standing administrator access (`*` on `*`, AdministratorAccess, IAMFullAccess or its equivalent, judged on effective permissions), except configured break-glass principals.",
    rule:
        "For every IAM role, user and group: an attached policy in `adminPolicyArns` (default AdministratorAccess and " +
        "IAMFullAccess, any partition) through `managedPolicyArns`, policy attachments (incl. the multi-principal and exclusive " +
        "ones) or aws-native managed policies, or an Allow statement in its own policies whose actions cover every action (`*`, " +
        "`*:*`, NotAction with nothing excluded) or every IAM permissions-management action (`iam:*` or wildcards that expand to " +
        "all of them in the action catalogue) on `Resource: \"*\"` (unless its conditions cannot hold), is standing admin access " +
        "unless the principal's effective permissions (its Allow minus every Deny of its own and its groups' policies, within its " +
        "permissions boundary) allow no IAM permissions-management action on `*` any more (then what is left is at most " +
        "power-user access). An attached `adminPolicyArns` policy that does not itself grant all of IAM counts by its name. " +
        "Each reason is listed once. Groups are reported on the " +
        "group, not on each member. Principals in `breakGlassPrincipals` are exempt. Policy documents unknown in preview are " +
        "verified at update; unreadable ones fail closed.",
    why:
        "Standing admin rights make every separation of duties optional: an admin can grant itself any duty, delete the audit " +
        "trail and re-key the approvals. Admin access belongs to a break-glass role that is assumed rarely, with MFA, and audited.",
    severity: "critical",
    remediationSteps:
        "Replace the admin policy with the permissions the principal's duty needs (sealed-infra's `DutyRoles` has least-privilege " +
        "templates). Keep one break-glass role, require MFA in its trust policy, and name it in `breakGlassPrincipals`.",
    config: {
        breakGlassPrincipals: {
            description: "Break-glass principals allowed to hold admin access: glob patterns on the Pulumi resource name, the IAM name or the ARN.",
            default: [],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
        adminPolicyArns: {
            description: "Managed policy ARNs that count as standing admin access.",
            default: DEFAULT_ADMIN_POLICIES,
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
    },
    guards: [
        { types: IAM_ROLES, paths: ["inlinePolicies", "policies", "managedPolicyArns"] },
        { types: IAM_USERS, paths: ["policies", "managedPolicyArns"] },
        { types: IAM_GROUPS, paths: ["policies", "managedPolicyArns"] },
    ],
    resourceTypes: IAM_MODEL_TYPES,
    example: {
        compliant: 'new aws.iam.Role("break-glass", { managedPolicyArns: [aws.iam.ManagedPolicy.AdministratorAccess], ... }) // named in breakGlassPrincipals',
        violating: 'new aws.iam.RolePolicyAttachment("ci-admin", { role: ci.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })',
    },
    check(model, config, findings) {
        const iam = iamModel(model);
        const seen = new Set<string>();
        for (const p of iam.principals) {
            if (config.breakGlassPrincipals.length > 0 && isBreakGlass([p.name, p.arn, p.resource.name, p.resource.urn], config.breakGlassPrincipals)) {
                continue;
            }
            const context = iam.contextOf(p);
            // A Set: a policy attached twice gives the same reason twice.
            const reasons = new Set<string>();
            let byName = false;
            for (const pol of p.policies) {
                if (pol.arn && config.adminPolicyArns.some((a) => samePolicy(a, pol.arn!))) {
                    reasons.add(`${pol.arn} is attached${pol.source.urn && pol.source.urn !== p.resource.urn ? ` (by "${model.byUrn.get(pol.source.urn)?.name ?? pol.source.urn}")` : ""}`);
                    // A configured admin policy that does not grant all of IAM: only its name says it is admin.
                    byName ||= !iamManagement({ identity: pol.statements }, context).all;
                    continue;
                }
                for (const s of pol.statements) {
                    const why = adminStatement(s, context);
                    if (why) {
                        reasons.add(`Statement[${s.index}] of ${s.source.label} ${why}`);
                    }
                }
            }
            // Effective permissions decide: a Deny or a boundary that takes all of IAM away leaves no admin.
            if (reasons.size > 0 && (byName || iamManagement(iam.permissionInputs(p), context).any)) {
                findings.violation(
                    p.resource,
                    `${p.kind} "${p.name}" has standing admin access: ${[...reasons].join("; ")}. Grant only what its duty needs, or name it in breakGlassPrincipals if it is the break-glass ${p.kind}.`,
                );
            }
            reportProblems(findings, p.problems.filter((x) => !x.trust), () => `${p.kind} "${p.name}" has no standing admin access`, seen);
        }
        reportProblems(findings, iam.orphanProblems.filter((x) => !x.resourcePolicy), () => "no principal has standing admin access", seen);
    },
});

/** Whether the permissions allow every, and any, IAM permissions-management action on "*" (Deny and boundary applied). */
function iamManagement(inputs: PermissionInputs, context: Context): { all: boolean; any: boolean } {
    const pm = actionsOfService("iam", ["Permissions management"]);
    const allowed = pm.filter((action) => evaluate(inputs, { action, resource: "*", context }).allowed !== "no").length;
    return { all: pm.length > 0 && allowed === pm.length, any: allowed > 0 };
}

/** Why an Allow statement amounts to admin access, or undefined. */
function adminStatement(s: Statement, context: Context): string | undefined {
    if (s.effect !== "Allow") {
        return undefined;
    }
    const allResources = (s.resources?.includes("*") ?? false) || (s.notResources !== undefined && s.notResources.length === 0);
    if (!allResources || evaluateConditions(s.conditions, context) === "no") {
        return undefined;
    }
    if ((s.actions && (s.actions.includes("*") || s.actions.includes("*:*"))) || (s.notActions && s.notActions.length === 0)) {
        return 'allows "*" on "*"';
    }
    if (s.actions?.includes("iam:*")) {
        return 'allows "iam:*" on "*" (equivalent to IAMFullAccess)';
    }
    // Wildcards over IAM: expand against the catalogue (loaded only here).
    if (s.actions?.some((a) => a.startsWith("iam:") && hasWildcard(a))) {
        const pm = actionsOfService("iam", ["Permissions management"]);
        if (pm.length > 0 && pm.every((a) => actionMatches(s, a))) {
            return `allows all ${pm.length} IAM permissions-management actions on "*" (${s.actions.filter((a) => a.startsWith("iam:")).join(", ")}; equivalent to IAMFullAccess)`;
        }
    }
    return undefined;
}
