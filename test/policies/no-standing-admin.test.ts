import { strict as assert } from "assert";
import { noStandingAdmin } from "../../policypack/src/policies/separated-duties/no-standing-admin";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";
import { allow, attach, DEPLOY, group, groupPolicy, GROUP, role, ROLE } from "../engine/duties/builders";

const run = (stack: TestResource[], config?: Record<string, unknown>) => runStackPolicy(noStandingAdmin, stack, { preview: false, config });

describe("no-standing-admin", () => {
    it("passes least-privilege principals", () => {
        assert.deepEqual(run([role("deployer", { policies: [[DEPLOY, allow("iam:PassRole", "arn:aws:iam::123456789012:role/app-*")]] })]), []);
    });

    it("flags AdministratorAccess attached through managedPolicyArns and through an attachment resource (any partition)", () => {
        const inline = run([role("ci", { managed: ["arn:aws:iam::aws:policy/AdministratorAccess"] })]);
        assert.equal(inline.length, 1);
        assert.equal(inline[0].urn, urnOf(ROLE, "ci"));
        assert.match(inline[0].message, /aws:iam:Role "ci": role "ci" has standing admin access: arn:aws:iam::aws:policy\/AdministratorAccess is attached/);
        const attached = run([role("ci"), attach("ci", "arn:aws-us-gov:iam::aws:policy/IAMFullAccess", "ci-iam")]);
        assert.equal(attached.length, 1);
        assert.match(attached[0].message, /arn:aws-us-gov:iam::aws:policy\/IAMFullAccess is attached \(by "ci-iam"\)/);
    });

    it('flags "*" on "*", iam:* on "*", and IAM wildcards that cover every permissions-management action', () => {
        const star = run([role("a", { policies: [[allow("*")]] })]);
        assert.match(star[0].message, /Statement\[0\] of inline policy "a-0" of role "a" allows "\*" on "\*"/);
        const iam = run([role("b", { policies: [[allow("iam:*")]] })]);
        assert.match(iam[0].message, /allows "iam:\*" on "\*" \(equivalent to IAMFullAccess\)/);
        const wild = run([role("c", { policies: [[allow(["iam:*Policy*", "iam:*"].slice(0, 1).concat(["iam:Create*", "iam:Delete*", "iam:Put*", "iam:Attach*", "iam:Detach*", "iam:Update*", "iam:Set*", "iam:Add*", "iam:Remove*", "iam:Upload*", "iam:Change*", "iam:Reset*", "iam:Tag*", "iam:Untag*", "iam:Enable*", "iam:Disable*", "iam:Accept*", "iam:Reject*", "iam:Send*"]))]] })]);
        assert.equal(wild.length, 1);
        assert.match(wild[0].message, /allows all \d+ IAM permissions-management actions on "\*"/);
        const scoped = run([role("d", { policies: [[allow("iam:*", "arn:aws:iam::123456789012:role/app-*")]] })]);
        assert.deepEqual(scoped, []);
    });

    it("reports a group on the group", () => {
        const found = run([group("admins"), groupPolicy("admins", [allow("*")])]);
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(GROUP, "admins"));
    });

    it("exempts break-glass principals", () => {
        assert.deepEqual(run([role("break-glass", { managed: ["arn:aws:iam::aws:policy/AdministratorAccess"] })], { breakGlassPrincipals: ["break-glass"] }), []);
    });

    it("a condition that cannot hold does not grant admin", () => {
        assert.deepEqual(run([role("a", { policies: [[allow("*", "*", { Condition: { Null: { "aws:CurrentTime": "true" } } })]] })]), []);
    });

    it("verifies unknown documents at update", () => {
        const stack: TestResource[] = [{ type: ROLE, name: "u", props: { name: "u", assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }), inlinePolicies: [{ name: "x", policy: UNKNOWN }] } }];
        const found = runStackPolicy(noStandingAdmin, stack);
        assert.equal(mandatory(found).length, 0);
        assert.equal(advisory(found).length, 1);
        assert.match(advisory(found)[0].message, /will be verified at update that role "u" has no standing admin access/);
    });
});
