import { strict as assert } from "assert";
import { trustPoliciesScoped } from "../../policypack/src/policies/separated-duties/trust-policies-scoped";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";
import { APPROVE, role, ROLE, Stmt, trustArn, trustService } from "../engine/duties/builders";

const GH = "token.actions.githubusercontent.com";
const OIDC = `arn:aws:iam::123456789012:oidc-provider/${GH}`;
const github = (condition: Record<string, unknown>): Stmt => ({ Effect: "Allow", Principal: { Federated: OIDC }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition });
const run = (stack: TestResource[], config?: Record<string, unknown>) => runStackPolicy(trustPoliciesScoped, stack, { preview: false, config });

describe("trust-policies-scoped", () => {
    it("passes service, same-account and pinned GitHub trust", () => {
        const stack = [
            role("svc", { trust: [trustService("lambda.amazonaws.com")] }),
            role("same", { trust: [trustArn("arn:aws:iam::123456789012:role/other")] }),
            role("ci", { trust: [github({ StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${GH}:sub`]: "repo:acme/app:ref:refs/heads/main" } })] }),
        ];
        assert.deepEqual(run(stack), []);
    });

    it("flags an unconditioned * principal", () => {
        const found = run([role("open", { trust: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] })]);
        assert.equal(found.length, 1);
        assert.equal(found[0].enforcementLevel, "mandatory");
        assert.equal(found[0].urn, urnOf(ROLE, "open"));
        assert.match(found[0].message, /aws:iam:Role "open": assumeRolePolicy Statement\[0\] trusts any principal \("\*"\) without a condition/);
    });

    it("accepts * restricted by aws:PrincipalOrgID", () => {
        const stack = [role("org", { trust: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } } }] })];
        assert.deepEqual(run(stack), []);
    });

    it("flags GitHub trust without a sub pin, with a wildcard repository, or without aud", () => {
        const none = run([role("ci", { trust: [github({ StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com" } })] })]);
        assert.equal(none.length, 1);
        assert.match(none[0].message, /without a "token\.actions\.githubusercontent\.com:sub" condition/);
        const wild = run([role("ci", { trust: [github({ StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${GH}:sub`]: "repo:acme/*" } })] })]);
        assert.equal(wild.length, 1);
        assert.match(wild[0].message, /"repo:acme\/\*", which does not pin one repository/);
        const noAud = run([role("ci", { trust: [github({ StringLike: { [`${GH}:sub`]: "repo:acme/app:*" } })] })]);
        assert.equal(noAud.length, 1);
        assert.match(noAud[0].message, /without a StringEquals "token\.actions\.githubusercontent\.com:aud" condition/);
    });

    it("requires other OIDC providers (EKS IRSA) to pin the token subject", () => {
        const eks = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
        const provider = `arn:aws:iam::123456789012:oidc-provider/${eks}`;
        const trust = (condition?: Record<string, unknown>): Stmt => ({ Effect: "Allow", Principal: { Federated: provider }, Action: "sts:AssumeRoleWithWebIdentity", ...(condition ? { Condition: condition } : {}) });
        const open = run([role("irsa", { trust: [trust()] })]);
        assert.equal(open.length, 1);
        assert.match(open[0].message, /trusts the OIDC provider oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/ABC without a "oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/ABC:sub" condition/);
        assert.deepEqual(run([role("irsa", { trust: [trust({ StringEquals: { [`${eks}:sub`]: "system:serviceaccount:apps:web" } })] })]), []);
        assert.equal(run([role("irsa", { trust: [trust({ StringLike: { [`${eks}:sub`]: "*" } })] })]).length, 1);
    });

    it("requires MFA for humans assuming an approver role (tagged or holding approve)", () => {
        const account = trustArn("arn:aws:iam::123456789012:root");
        const tagged = run([role("approver", { trust: [account], tags: { "sealed-infra:duty": "approver" } })]);
        assert.equal(tagged.length, 1);
        assert.match(tagged[0].message, /lets "arn:aws:iam::123456789012:root" assume this approver role without MFA/);
        const byPermission = run([role("approver", { trust: [account], policies: [[APPROVE]] })]);
        assert.equal(byPermission.length, 1);
        const withMfa = run([role("approver", { trust: [trustArn("arn:aws:iam::123456789012:root", { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } })], policies: [[APPROVE]] })]);
        assert.deepEqual(withMfa, []);
        const ifExists = run([role("approver", { trust: [trustArn("arn:aws:iam::123456789012:root", { Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } } })], policies: [[APPROVE]] })]);
        assert.equal(ifExists.length, 1, "BoolIfExists passes when MFA is absent");
        assert.deepEqual(run([role("approver", { trust: [account], policies: [[APPROVE]] })], { requireMfaForHumanApprovers: false }), []);
    });

    it("allows cross-account trust only to allow-listed accounts", () => {
        const stack = [role("x", { trust: [trustArn("arn:aws:iam::999999999999:root")] })];
        const found = run(stack);
        assert.equal(found.length, 1);
        assert.match(found[0].message, /trusts "arn:aws:iam::999999999999:root" in account 999999999999, which is not this role's account \(123456789012\) nor in allowedAccounts/);
        assert.deepEqual(run(stack, { allowedAccounts: ["999999999999"] }), []);
    });

    it("verifies cross-account trust at update while the role's account is unknown", () => {
        const stack: TestResource[] = [{ type: ROLE, name: "x", props: { name: "x", arn: UNKNOWN, assumeRolePolicy: JSON.stringify({ Statement: [trustArn("arn:aws:iam::999999999999:root")] }) } }];
        const found = runStackPolicy(trustPoliciesScoped, stack);
        assert.equal(mandatory(found).length, 0);
        assert.equal(advisory(found).length, 1);
        assert.match(advisory(found)[0].message, /aws:iam:Role "x": arn is not known until the update, so it will be verified at update that account 999999999999, which assumeRolePolicy Statement\[0\] trusts, is the role's own account or in allowedAccounts/);
    });

    it("reports an unknown trust policy in preview and an unreadable one at update", () => {
        const unknown: TestResource[] = [{ type: ROLE, name: "u", props: { name: "u", assumeRolePolicy: UNKNOWN } }];
        assert.equal(advisory(runStackPolicy(trustPoliciesScoped, unknown)).length, 1);
        const broken: TestResource[] = [{ type: ROLE, name: "b", props: { name: "b", assumeRolePolicy: "{" } }];
        const found = run(broken);
        assert.equal(found.length, 1);
        assert.match(found[0].message, /cannot verify that the trust policy of role "b" is scoped: assumeRolePolicy is not valid JSON/);
    });
});
