import { strict as assert } from "assert";
import { dutiesSeparated } from "../../policypack/src/policies/separated-duties/duties-separated";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";
import {
    allow, APPROVE, attach, deny, DEPLOY, doc, group, groupPolicy, managedPolicy, policyArn, role, ROLE, trustArn, user, USER, userPolicy, GROUP,
} from "../engine/duties/builders";

const run = (stack: TestResource[], config?: Record<string, unknown>) => runStackPolicy(dutiesSeparated, stack, { preview: false, config });

describe("duties-separated", () => {
    describe("direct conflicts", () => {
        const cases: { name: string; stack: TestResource[]; urn: string; duties: RegExp }[] = [
            { name: "deploy and approve in one inline policy", stack: [role("ci", { policies: [[DEPLOY, APPROVE]] })], urn: urnOf(ROLE, "ci"), duties: /deploy \(lambda:UpdateFunctionCode via inline policy "ci-0" of role "ci"\) and approve \(codepipeline:PutApprovalResult via inline policy "ci-0" of role "ci"\)/ },
            {
                name: "deploy inline, approve from a customer-managed policy attachment",
                stack: [role("ci", { policies: [[DEPLOY]] }), managedPolicy("approve", [APPROVE]), attach("ci", policyArn("approve"))],
                urn: urnOf(ROLE, "ci"),
                duties: /and approve \(codepipeline:PutApprovalResult via customer-managed policy "approve"\)/,
            },
            {
                name: "deploy and audit-admin (cloudtrail:StopLogging)",
                stack: [role("ci", { policies: [[DEPLOY, allow("cloudtrail:StopLogging")]] })],
                urn: urnOf(ROLE, "ci"),
                duties: /deploy \(.*\) and audit-admin \(cloudtrail:StopLogging/,
            },
            {
                name: "approve and audit-admin for a user through its group",
                stack: [
                    user("alice"),
                    userPolicy("alice", [APPROVE]),
                    group("ops"),
                    groupPolicy("ops", [allow("logs:DeleteLogGroup")]),
                    { type: "aws:cloudwatch/logGroup:LogGroup", name: "trail-logs", props: { name: "org-audit", tags: { "sealed-infra:store": "audit-logs" } } },
                    { type: "aws:iam/userGroupMembership:UserGroupMembership", name: "alice-groups", props: { user: "alice", groups: ["ops"] } },
                ],
                urn: urnOf(USER, "alice"),
                duties: /approve \(.*\) and audit-admin \(logs:DeleteLogGroup on arn:aws:logs:\*:\*:log-group:org-audit via inline policy "ops-policy" of group "ops"\)/,
            },
            {
                name: "AdministratorAccess resolved from the AWS-managed policy data",
                stack: [role("admin", { managed: ["arn:aws:iam::aws:policy/AdministratorAccess"] })],
                urn: urnOf(ROLE, "admin"),
                duties: /deploy \(cloudformation:CreateStack via AWS-managed policy arn:aws:iam::aws:policy\/AdministratorAccess\) and approve/,
            },
            {
                name: "a wildcard action (codepipeline:Put*) and NotAction",
                stack: [role("ci", { policies: [[{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }]] })],
                urn: urnOf(ROLE, "ci"),
                duties: /deploy \(.*\) and approve \(/,
            },
            {
                name: "the multi-principal PolicyAttachment",
                stack: [
                    role("ci", { policies: [[DEPLOY]] }),
                    managedPolicy("approve", [allow("codepipeline:Put*")]),
                    { type: "aws:iam/policyAttachment:PolicyAttachment", name: "approve-all", props: { name: "approve-all", roles: ["ci"], policyArn: policyArn("approve") } },
                ],
                urn: urnOf(ROLE, "ci"),
                duties: /approve \(codepipeline:PutApprovalResult via customer-managed policy "approve"\)/,
            },
            {
                name: "RolePolicyAttachmentsExclusive",
                stack: [
                    role("ci", { policies: [[DEPLOY]] }),
                    managedPolicy("approve", [APPROVE]),
                    { type: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", name: "excl", props: { roleName: "ci", policyArns: [policyArn("approve")] } },
                ],
                urn: urnOf(ROLE, "ci"),
                duties: /approve \(codepipeline:PutApprovalResult via customer-managed policy "approve"\)/,
            },
            {
                name: "a KMS key policy granting kms:PutKeyPolicy on a release-approval key to the deployer",
                stack: [
                    role("ci", { policies: [[DEPLOY]] }),
                    {
                        type: "aws:kms/key:Key",
                        name: "approvals",
                        props: {
                            arn: "arn:aws:kms:eu-west-1:123456789012:key/abc",
                            tags: { "sealed-infra:purpose": "release-approval" },
                            policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/ci" }, Action: "kms:PutKeyPolicy", Resource: "*" }),
                        },
                    },
                ],
                urn: urnOf(ROLE, "ci"),
                duties: /key-admin \(kms:PutKeyPolicy on arn:aws:kms:eu-west-1:123456789012:key\/abc via key policy of KMS key "approvals"\)/,
            },
        ];
        cases.push(
            {
                name: "aws-native: inline policy objects on the role and a ManagedPolicy listing the role",
                stack: [
                    {
                        type: "aws-native:iam:Role",
                        name: "native-ci",
                        props: {
                            roleName: "native-ci",
                            arn: "arn:aws:iam::123456789012:role/native-ci",
                            assumeRolePolicyDocument: { Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] },
                            policies: [{ policyName: "deploy", policyDocument: { Statement: [DEPLOY] } }],
                        },
                    },
                    {
                        type: "aws-native:iam:ManagedPolicy",
                        name: "native-approve",
                        props: { managedPolicyName: "native-approve", policyDocument: { Statement: [APPROVE] }, roles: ["native-ci"] },
                    },
                ],
                urn: urnOf("aws-native:iam:Role", "native-ci"),
                duties: /deploy \(lambda:UpdateFunctionCode via inline policy "deploy" of role "native-ci"\) and approve \(codepipeline:PutApprovalResult via customer-managed policy "native-approve"\)/,
            },
            {
                name: "a group membership resource and a group policy attachment",
                stack: [
                    user("bob"),
                    userPolicy("bob", [DEPLOY]),
                    group("approvers"),
                    managedPolicy("approve", [APPROVE]),
                    { type: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", name: "approvers-approve", props: { group: "approvers", policyArn: policyArn("approve") } },
                    { type: "aws:iam/groupMembership:GroupMembership", name: "approvers", props: { group: "approvers", users: ["bob"] } },
                ],
                urn: urnOf(USER, "bob"),
                duties: /deploy \(lambda:UpdateFunctionCode via inline policy "bob-policy" of user "bob"\) and approve \(codepipeline:PutApprovalResult via customer-managed policy "approve"\)/,
            },
            {
                name: "references resolved through property dependencies while names are unknown",
                stack: [
                    { ...role("ci", { policies: [[DEPLOY]] }), props: { ...role("ci").props, name: UNKNOWN, arn: UNKNOWN, inlinePolicies: [{ name: "d", policy: doc(DEPLOY) }] } },
                    { type: "aws:iam/rolePolicy:RolePolicy", name: "ci-approve", props: { name: "ci-approve", role: UNKNOWN, policy: doc(APPROVE) }, propertyDependencies: { role: [urnOf(ROLE, "ci")] } },
                ],
                urn: urnOf(ROLE, "ci"),
                duties: /approve \(codepipeline:PutApprovalResult via inline policy "ci-approve" of role "ci"\)/,
            },
        );
        for (const c of cases) {
            it(c.name, () => {
                const found = run(c.stack);
                assert.equal(found.length, 1, JSON.stringify(found, null, 1));
                assert.equal(found[0].enforcementLevel, "mandatory");
                assert.equal(found[0].urn, c.urn);
                assert.match(found[0].message, /holds conflicting duties /);
                assert.match(found[0].message, c.duties);
            });
        }
    });

    it("passes separate deployer and approver roles", () => {
        assert.deepEqual(run([role("deployer", { policies: [[DEPLOY]] }), role("approver", { policies: [[APPROVE]], trust: [trustArn("arn:aws:iam::123456789012:root")] })]), []);
    });

    describe("false-positive guards", () => {
        it("an explicit Deny in the same policy removes the duty", () => {
            assert.deepEqual(run([role("ci", { policies: [[DEPLOY, APPROVE, deny("codepipeline:PutApprovalResult")]] })]), []);
        });

        it("an explicit Deny in another policy removes the duty", () => {
            const stack = [role("ci", { policies: [[DEPLOY, APPROVE]] }), managedPolicy("no-approve", [deny("codepipeline:*")]), attach("ci", policyArn("no-approve"))];
            assert.deepEqual(run(stack), []);
        });

        it("a Deny under a condition that may not hold does not remove the duty", () => {
            const stack = [role("ci", { policies: [[DEPLOY, APPROVE, deny("codepipeline:PutApprovalResult", "*", { Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } })]] })];
            assert.equal(mandatory(run(stack)).length, 1);
        });

        it("a permissions boundary that excludes a duty removes it", () => {
            const stack = [role("ci", { policies: [[DEPLOY, APPROVE]], boundary: policyArn("b") }), managedPolicy("b", [allow("lambda:*")])];
            assert.deepEqual(run(stack), []);
        });

        it("resource scoping that excludes the designated store removes the audit-admin duty", () => {
            const stack = [
                role("ci", { policies: [[DEPLOY, allow("s3:PutLifecycleConfiguration", "arn:aws:s3:::app-*")]] }),
                { type: "aws:s3/bucket:Bucket", name: "audit", props: { bucket: "audit-logs-1", tags: { "sealed-infra:store": "audit-logs" } } },
            ];
            assert.deepEqual(run(stack), []);
            const wide = [role("ci", { policies: [[DEPLOY, allow("s3:PutLifecycleConfiguration", "arn:aws:s3:::*")]] }), stack[1]];
            assert.match(mandatory(run(wide))[0].message, /audit-admin \(s3:PutLifecycleConfiguration on arn:aws:s3:::audit-logs-1/);
        });

        it("deleting application log groups is not audit-admin; deleting audit log groups is", () => {
            const stack: TestResource[] = [
                role("ci", { policies: [[DEPLOY, allow(["logs:DeleteLogGroup", "logs:PutRetentionPolicy"], "arn:aws:logs:*:*:log-group:/aws/lambda/app-*")]] }),
                { type: "aws:cloudwatch/logGroup:LogGroup", name: "app", props: { name: "/aws/lambda/app-api" } },
                { type: "aws:cloudwatch/logGroup:LogGroup", name: "cloudtrail", props: { name: "org-cloudtrail" } },
            ];
            assert.deepEqual(run(stack), []);
            const everything = [role("ci", { policies: [[DEPLOY, allow("logs:*")]] }), ...stack.slice(1)];
            assert.match(mandatory(run(everything))[0].message, /audit-admin \(logs:DeleteLogGroup on arn:aws:logs:\*:\*:log-group:org-cloudtrail/);
        });

        it("a condition that cannot hold (aws:CurrentTime in the past) removes the duty", () => {
            const stack = [role("ci", { policies: [[DEPLOY, allow("codepipeline:PutApprovalResult", "*", { Condition: { DateLessThan: { "aws:CurrentTime": "2001-01-01T00:00:00Z" } } })]] })];
            assert.deepEqual(run(stack), []);
        });

        it("a condition on the principal's own tags that cannot hold removes the duty", () => {
            const stack = [
                role("ci", {
                    policies: [[DEPLOY, allow("codepipeline:PutApprovalResult", "*", { Condition: { StringEquals: { "aws:PrincipalTag/team": "release" } } })]],
                    tags: { team: "platform" },
                }),
            ];
            assert.deepEqual(run(stack), []);
        });

        it("a tag condition on a principal without tags cannot hold; with an unknown tag value it may", () => {
            const tagged = (tags?: Record<string, string>) =>
                role("ci", { policies: [[DEPLOY, allow("codepipeline:PutApprovalResult", "*", { Condition: { StringEquals: { "aws:PrincipalTag/team": "release" } } })]], tags });
            assert.deepEqual(run([tagged()]), []);
            assert.equal(mandatory(run([tagged({ team: UNKNOWN })])).length, 1);
        });

        it("break-glass principals are exempt", () => {
            const stack = [role("break-glass", { managed: ["arn:aws:iam::aws:policy/AdministratorAccess"] })];
            assert.deepEqual(run(stack, { breakGlassPrincipals: ["break-*"] }), []);
        });
    });

    describe("config", () => {
        it("a custom duty and conflict extend the defaults", () => {
            const stack = [role("ci", { policies: [[DEPLOY, allow("secretsmanager:PutSecretValue")]] })];
            assert.deepEqual(run(stack), []);
            const config = { duties: { "secrets-admin": { description: "write secrets", aws: [{ actions: ["secretsmanager:Put*"] }] } }, conflicts: [["deploy", "secrets-admin"]] };
            const found = run(stack, config);
            assert.equal(found.length, 1);
            assert.match(found[0].message, /secrets-admin \(secretsmanager:putsecretvalue/i);
        });

        it("replacing the conflicts drops the defaults", () => {
            const stack = [role("ci", { policies: [[DEPLOY, APPROVE]] })];
            assert.deepEqual(run(stack, { conflicts: [["approve", "audit-admin"]], replaceDefaultConflicts: true }), []);
        });
    });

    describe("unknown and unreadable inputs", () => {
        it("an unknown policy document is verified at update", () => {
            const stack = [role("ci", { policies: [[DEPLOY]] }), { type: "aws:iam/rolePolicy:RolePolicy", name: "later", props: { name: "later", role: "ci", policy: UNKNOWN } }];
            const preview = runStackPolicy(dutiesSeparated, stack);
            assert.equal(mandatory(preview).length, 0);
            assert.equal(advisory(preview).length, 1);
            assert.match(advisory(preview)[0].message, /aws:iam:RolePolicy "later": policy is not known until the update, so it will be verified at update that no principal holds two conflicting duties/);
            assert.equal(mandatory(runStackPolicy(dutiesSeparated, stack, { preview: false })).length, 1);
        });

        it("an unknown key policy of a release-approval key is verified at update; other keys' policies are not the duty policies' concern", () => {
            const key = (name: string, tags: Record<string, string>) => ({ type: "aws:kms/key:Key", name, props: { tags, policy: UNKNOWN } });
            const found = runStackPolicy(dutiesSeparated, [key("approvals", { "sealed-infra:purpose": "release-approval" }), key("app", {})]);
            assert.equal(found.length, 1);
            assert.equal(found[0].enforcementLevel, "advisory");
            assert.equal(found[0].urn, urnOf("aws:kms/key:Key", "approvals"));
        });

        it("an AWS-managed policy the pack has no document for fails closed", () => {
            const found = run([role("ci", { managed: ["arn:aws:iam::aws:policy/SomeFuturePolicy"] })]);
            assert.equal(found.length, 1);
            assert.equal(found[0].urn, urnOf(ROLE, "ci"));
            assert.match(found[0].message, /managedPolicyArns\[0\] could not be read: refers to the AWS-managed policy arn:aws:iam::aws:policy\/SomeFuturePolicy, which is not in the pack's AWS-managed policy data/);
        });

        it("a policy document with an invalid statement fails closed", () => {
            const stack = [{ type: ROLE, name: "ci", props: { name: "ci", assumeRolePolicy: doc(trustArn("arn:aws:iam::123456789012:root")), inlinePolicies: [{ name: "x", policy: JSON.stringify({ Statement: [{ Effect: "Maybe", Action: "*", Resource: "*" }] }) }] } }];
            const found = run(stack);
            assert.equal(found.length, 1);
            assert.match(found[0].message, /inlinePolicies\[0\]\.policy could not be read: Statement\[0\]\.Effect must be "Allow" or "Deny"/);
        });
    });

    it("groups holding both duties are reported on the group", () => {
        const found = run([group("release"), groupPolicy("release", [DEPLOY, APPROVE])]);
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(GROUP, "release"));
    });
});
