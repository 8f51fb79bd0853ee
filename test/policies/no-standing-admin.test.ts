import { strict as assert } from "assert";
import { noStandingAdmin } from "../../policypack/src/policies/separated-duties/no-standing-admin";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";
import { allow, attach, deny, DEPLOY, group, groupPolicy, GROUP, managedPolicy, policyArn, role, ROLE, user, userPolicy } from "../engine/duties/builders";

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

    describe("effective permissions (Allow minus Deny, within the boundary)", () => {
        it("Allow iam:* with Deny iam:* in the same policy or another attached one is no admin; without the Deny it is", () => {
            assert.deepEqual(run([role("a", { policies: [[allow("iam:*"), deny("iam:*")]] })]), []);
            assert.deepEqual(run([role("a", { policies: [[allow("iam:*")], [deny("iam:*")]] })]), []);
            assert.deepEqual(run([role("a", { policies: [[allow("iam:*")]] }), managedPolicy("no-iam", [deny("iam:*")]), attach("a", policyArn("no-iam"))]), []);
            assert.equal(run([role("a", { policies: [[allow("iam:*"), deny("s3:*")]] })]).length, 1);
        });

        it("AdministratorAccess with all of IAM denied is not standing admin; with a narrower Deny it is", () => {
            const admin = "arn:aws:iam::aws:policy/AdministratorAccess";
            assert.deepEqual(run([role("ci", { managed: [admin], policies: [[deny("iam:*")]] })]), []);
            const found = run([role("ci", { managed: [admin], policies: [[deny("s3:DeleteBucket")]] })]);
            assert.equal(found.length, 1);
            assert.match(found[0].message, /AdministratorAccess is attached/);
            // Denying some of IAM (users, groups) leaves the rest: still admin.
            assert.equal(run([role("ci", { managed: [admin], policies: [[deny(["iam:CreateUser", "iam:*UserPolicy", "iam:*GroupPolicy", "iam:CreateAccessKey"])]] })]).length, 1);
            // A Deny of IAM on roles only leaves IAM on everything else.
            assert.equal(run([role("ci", { managed: [admin], policies: [[deny("iam:*", "arn:aws:iam::*:role/*")]] })]).length, 1);
        });

        it("a permissions boundary without IAM leaves no admin; one that allows everything does not help", () => {
            const stack = (boundary: Parameters<typeof allow>[0]) => [role("a", { policies: [[allow("*")]], boundary: policyArn("b") }), managedPolicy("b", [allow(boundary)])];
            assert.deepEqual(run(stack(["s3:*", "dynamodb:*"])), []);
            assert.equal(run(stack("*")).length, 1);
        });

        it("a Deny whose condition may not hold does not remove admin", () => {
            const found = run([role("a", { policies: [[allow("*"), deny("iam:*", "*", { Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } })]] })]);
            assert.equal(found.length, 1);
        });

        it("a group's Deny applies to its members", () => {
            const member = (groupStatements: ReturnType<typeof allow>[]) => [
                user("dev"),
                userPolicy("dev", [allow("*")]),
                group("devs"),
                groupPolicy("devs", groupStatements),
                { type: "aws:iam/groupMembership:GroupMembership", name: "devs-members", props: { group: "devs", users: ["dev"] } },
            ];
            assert.deepEqual(run(member([deny("iam:*")])), []);
            assert.equal(run(member([allow("s3:GetObject")])).length, 1);
        });

        it("a configured admin policy that does not grant all of IAM counts by its name", () => {
            const stack = [role("ops", { managed: [policyArn("ops-admin")], policies: [[deny("iam:*")]] }), managedPolicy("ops-admin", [allow(["ec2:*", "s3:*"])])];
            assert.deepEqual(run(stack), []);
            const found = run([role("ops", { managed: [policyArn("ops-admin")], policies: [[deny("iam:*")]] }), managedPolicy("ops-admin", [allow(["ec2:*", "s3:*"])])], { adminPolicyArns: [policyArn("ops-admin")] });
            assert.equal(found.length, 1);
            assert.match(found[0].message, /ops-admin is attached/);
        });

        it("a policy attached twice gives each reason once", () => {
            const found = run([role("a", { managed: [policyArn("admin")] }), managedPolicy("admin", [allow("*")]), attach("a", policyArn("admin"))]);
            assert.equal(found.length, 1);
            const reason = 'Statement[0] of customer-managed policy "admin" allows "*" on "*"';
            assert.equal(found[0].message.split(reason).length - 1, 1, found[0].message);
        });
    });

    it("verifies unknown documents at update", () => {
        const stack: TestResource[] = [{ type: ROLE, name: "u", props: { name: "u", assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }), inlinePolicies: [{ name: "x", policy: UNKNOWN }] } }];
        const found = runStackPolicy(noStandingAdmin, stack);
        assert.equal(mandatory(found).length, 0);
        assert.equal(advisory(found).length, 1);
        assert.match(advisory(found)[0].message, /will be verified at update that role "u" has no standing admin access/);
    });
});
