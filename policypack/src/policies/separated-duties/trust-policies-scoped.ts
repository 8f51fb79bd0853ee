import { stackPolicy } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { read } from "../../framework/values";
import { dutyAnalysis } from "../../engine/duties/analysis";
import { DutyConfig, dutyConfigOptions } from "../../engine/duties/duties";
import { hasTag, TAG_DUTY } from "../../framework/tags";
import type { Condition, Statement } from "../../engine/iam/document";
import { iamModel, IamPrincipal, restrictsCaller } from "../../engine/iam/model";
import { IAM_ROLES } from "../../engine/iam/types";
import type { StackModel } from "../../sdk/stack-model";
import { reportProblems } from "./common";

interface Config {
    allowedAccounts: string[];
    githubAudiences: string[];
    requireMfaForHumanApprovers: boolean;
}

const GITHUB = "token.actions.githubusercontent.com";
const POSITIVE = /^(StringEquals|StringLike|StringEqualsIgnoreCase|ArnEquals|ArnLike)$/i;
const REPO_PINNED = /^repo:[^/*?]+\/[^/*?:]+(:.*)?$/;

export const trustPoliciesScoped = stackPolicy<Config>({
    name: "trust-policies-scoped",
    displayName: "Role trust policies name who may assume them",
    guarantee: "separated-duties",
    description: "Role trust policies are scoped: no unconditioned `*` trust, GitHub OIDC trust pinned to a repository and audience, MFA for humans assuming approver roles, cross-account trust only to allow-listed accounts.",
    rule:
        "For each Allow statement of each role's trust policy (`aws.iam.Role.assumeRolePolicy`, aws-native " +
        "`assumeRolePolicyDocument`): (1) a `*` principal needs a condition with a positive string/ARN operator on an " +
        "identifying key (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn, ...); " +
        "(2) trust in GitHub's OIDC provider (`token.actions.githubusercontent.com`) needs a `…:sub` condition whose every value " +
        "pins `repo:<owner>/<repo>` without wildcards in owner or repository, and a `…:aud` StringEquals condition within " +
        "`githubAudiences`; trust in any other OIDC provider (EKS IRSA, GitLab, ...) needs a positive `<provider>:sub` " +
        "condition that names the subject; (3) a role that approves (tagged `sealed-infra:duty=approver`, or holding the default `approve` duty) " +
        "must require MFA (`Bool aws:MultiFactorAuthPresent \"true\"` without IfExists, or `NumericLessThan " +
        "aws:MultiFactorAuthAge`) from account, root and user principals (roles and services cannot carry MFA); (4) an AWS " +
        "principal in another account than the role's must be in `allowedAccounts`. While the role's account is unknown (preview) " +
        "cross-account trust is verified at update.",
    why:
        "The trust policy decides who can become the role. A `*` trust, a GitHub trust without a repository pin (any repository " +
        "on GitHub can then mint tokens for it), or an approver role any console user can assume without MFA turns the duty " +
        "split into a formality.",
    severity: "critical",
    remediationSteps:
        "Name the principals exactly; for GitHub Actions add `StringEquals { \"token.actions.githubusercontent.com:aud\": " +
        "\"sts.amazonaws.com\" }` and `StringLike { \"token.actions.githubusercontent.com:sub\": \"repo:<owner>/<repo>:ref:refs/heads/main\" }`; " +
        "add `Bool { \"aws:MultiFactorAuthPresent\": \"true\" }` to human approver trust; list partner accounts in `allowedAccounts`.",
    config: {
        allowedAccounts: {
            description: "AWS account IDs that trust policies may name besides the role's own account.",
            default: [],
            schema: { type: "array", items: { type: "string", pattern: "^\\d{12}$" } },
        },
        githubAudiences: {
            description: "Audiences (`token.actions.githubusercontent.com:aud`) GitHub OIDC trust may accept.",
            default: ["sts.amazonaws.com"],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
        requireMfaForHumanApprovers: {
            description: "Require MFA in the trust of approver roles for account, root and user principals.",
            default: true,
            schema: { type: "boolean" },
        },
    },
    guards: [{ types: IAM_ROLES, paths: ["assumeRolePolicy", "assumeRolePolicyDocument"] }],
    resourceTypes: IAM_ROLES,
    example: {
        compliant: 'Principal: { Federated: oidc.arn }, Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main" } }',
        violating: 'Principal: { Federated: oidc.arn }, Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" } }',
    },
    check(model, config, findings) {
        const iam = iamModel(model);
        const approvers = approverRoles(model);
        const stackAccounts = new Set(iam.principals.map((p) => p.account).filter((a): a is string => !!a));
        for (const role of iam.principals) {
            if (role.kind !== "role") {
                continue;
            }
            const path = role.resource.type.startsWith("aws-native:") ? "assumeRolePolicyDocument" : "assumeRolePolicy";
            const trustProblems = role.problems.filter((p) => p.resource === role.resource && p.path === path);
            if (trustProblems.length > 0) {
                reportProblems(findings, trustProblems, () => `the trust policy of role "${role.name}" is scoped`);
                continue;
            }
            for (const s of role.trust ?? []) {
                if (s.effect === "Allow" && s.principals) {
                    checkStatement(role, s, path, approvers.has(role.id), stackAccounts, config, findings);
                }
            }
        }
    },
});

function approverRoles(model: StackModel): Set<string> {
    const defaults = Object.fromEntries(Object.entries(dutyConfigOptions).map(([k, o]) => [k, o.default])) as unknown as DutyConfig;
    const analysis = dutyAnalysis(model, defaults);
    const approve = analysis.duties.byName.get("approve");
    const out = new Set<string>();
    for (const p of analysis.graph.iam.principals) {
        if (p.kind === "role" && (hasTag(p.resource, TAG_DUTY, "approver") || (approve && analysis.holdings(p.id).has(approve.bit)))) {
            out.add(p.id);
        }
    }
    return out;
}

function conditionsOn(s: Statement, key: string): Condition[] {
    return s.conditions.filter((c) => c.key === key);
}

function checkStatement(role: IamPrincipal, s: Statement, path: string, approver: boolean, stackAccounts: Set<string>, config: Config, findings: Findings): void {
    const where = `${path} Statement[${s.index}]${s.sid ? ` ("${s.sid}")` : ""}`;
    const p = s.principals!;
    // (1) `*` without an identifying condition.
    if (p.any) {
        const restricted = restrictsCaller(s);
        if (!restricted) {
            findings.violation(
                role.resource,
                `${where} trusts any principal ("*") without a condition on who it is, so anyone in any AWS account can assume the role; name the principals, or add a condition such as StringEquals { "aws:PrincipalAccount": "<account>" }.`,
            );
        }
    }
    // (2) GitHub OIDC.
    if (p.federated.some((f) => f.includes(GITHUB))) {
        const subs = conditionsOn(s, `${GITHUB}:sub`).filter((c) => POSITIVE.test(c.operator) && c.set !== "ForAllValues");
        const values = subs.flatMap((c) => c.values);
        const loose = values.filter((v) => !REPO_PINNED.test(v));
        if (subs.length === 0) {
            findings.violation(
                role.resource,
                `${where} trusts GitHub Actions OIDC without a "${GITHUB}:sub" condition, so a workflow in any GitHub repository can assume the role; add StringLike { "${GITHUB}:sub": "repo:<owner>/<repo>:ref:refs/heads/main" }.`,
            );
        } else if (loose.length > 0) {
            findings.violation(
                role.resource,
                `${where} lets "${GITHUB}:sub" match ${loose.map((v) => JSON.stringify(v)).join(", ")}, which does not pin one repository (owner and repository must be literal); use "repo:<owner>/<repo>:…".`,
            );
        }
        const auds = conditionsOn(s, `${GITHUB}:aud`).filter((c) => /^StringEquals$/i.test(c.operator) && !c.set);
        const badAud = auds.flatMap((c) => c.values).filter((v) => !config.githubAudiences.includes(v));
        if (auds.length === 0 || badAud.length > 0) {
            findings.violation(
                role.resource,
                `${where} trusts GitHub Actions OIDC ${auds.length === 0 ? `without a StringEquals "${GITHUB}:aud" condition` : `with audience ${badAud.map((v) => JSON.stringify(v)).join(", ")}`}; add StringEquals { "${GITHUB}:aud": ${JSON.stringify(config.githubAudiences[0] ?? "sts.amazonaws.com")} }.`,
            );
        }
    }
    // (2b) Other OIDC providers (EKS IRSA, GitLab, ...): the token's subject must be pinned.
    for (const provider of p.federated.filter((f) => f.includes(":oidc-provider/") && !f.includes(GITHUB))) {
        const host = provider.slice(provider.indexOf(":oidc-provider/") + ":oidc-provider/".length);
        const subs = conditionsOn(s, `${host.toLowerCase()}:sub`).filter((c) => POSITIVE.test(c.operator) && c.set !== "ForAllValues" && !c.ifExists);
        if (subs.length === 0 || subs.some((c) => c.values.some((v) => /^[*?]*$/.test(v)))) {
            findings.violation(
                role.resource,
                `${where} trusts the OIDC provider ${host} without a "${host}:sub" condition that names the subject, so every identity of that provider can assume the role; add StringEquals { "${host}:sub": "<subject>" } (for EKS: "system:serviceaccount:<namespace>:<name>").`,
            );
        }
    }
    // (3) MFA for humans assuming approver roles.
    if (approver && config.requireMfaForHumanApprovers) {
        const humans = [...(p.any ? ["*"] : []), ...p.aws.filter((e) => /^\d{12}$/.test(e) || /:root$/.test(e) || /:user\//.test(e))];
        const mfa =
            s.conditions.some((c) => c.key === "aws:multifactorauthpresent" && /^Bool$/i.test(c.operator) && !c.ifExists && c.values.every((v) => v.toLowerCase() === "true")) ||
            s.conditions.some((c) => c.key === "aws:multifactorauthage" && /^NumericLessThan(Equals)?$/i.test(c.operator) && !c.ifExists);
        if (humans.length > 0 && !mfa) {
            findings.violation(
                role.resource,
                `${where} lets ${humans.map((h) => JSON.stringify(h)).join(", ")} assume this approver role without MFA; add Condition { Bool: { "aws:MultiFactorAuthPresent": "true" } }.`,
            );
        }
    }
    // (4) Cross-account trust only to allow-listed accounts.
    const own = role.account ? new Set([role.account]) : stackAccounts;
    for (const entry of p.aws) {
        const account = /^\d{12}$/.test(entry) ? entry : /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(entry)?.[1];
        if (!account || config.allowedAccounts.includes(account) || own.has(account)) {
            continue;
        }
        if (own.size === 0) {
            findings.notYetKnown(role.resource, "arn", `account ${account}, which ${where} trusts, is the role's own account or in allowedAccounts`);
            continue;
        }
        findings.violation(
            role.resource,
            `${where} trusts ${JSON.stringify(entry)} in account ${account}, which is not this role's account (${[...own].join(", ")}) nor in allowedAccounts; remove it or add the account to this policy's allowedAccounts.`,
        );
    }
    void read;
}
