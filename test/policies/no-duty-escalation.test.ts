import { strict as assert } from "assert";
import { noDutyEscalation } from "../../policypack/src/policies/separated-duties/no-duty-escalation";
import { dutiesSeparated } from "../../policypack/src/policies/separated-duties/duties-separated";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";
import {
    allow, APPROVE, attach, deny, DEPLOY, doc, managedPolicy, policyArn, role, roleArn, ROLE, Stmt,
    trustArn, trustService, user, userPolicy,
} from "../engine/duties/builders";
import { approverTrusting, deployer, PRIMITIVES } from "./escalation-corpus";

describe("no-duty-escalation", () => {
    describe("escalation primitives: each alone, given to a deployer beside an approver, is reported with its path", () => {
        for (const p of PRIMITIVES) {
            it(p.name, () => {
                const found = runStackPolicy(noDutyEscalation, p.stack, { preview: false });
                assert.equal(found.length, 1, JSON.stringify(found, null, 1));
                assert.equal(found[0].enforcementLevel, "mandatory");
                assert.equal(found[0].urn, p.urn ?? urnOf(ROLE, "deployer"));
                assert.ok(found[0].message.includes(p.path), `path "${p.path}" not in:\n${found[0].message}`);
                assert.match(found[0].message, /can reach conflicting duties through escalation: deploy and approve: /);
                // Escalation is not a direct conflict.
                assert.deepEqual(mandatory(runStackPolicy(dutiesSeparated, p.stack, { preview: false })), []);
            });
        }
    });

    it("prints the issue's example path exactly", () => {
        const found = runStackPolicy(noDutyEscalation, PRIMITIVES.find((p) => p.path.includes("lambda:CreateFunction]"))!.stack);
        assert.ok(found[0].message.includes("deployer -[iam:PassRole + lambda:CreateFunction]-> approver (trusts lambda.amazonaws.com) -> approve: codepipeline:PutApprovalResult"));
    });

    it("reports nothing when the deployer has no escalation primitive", () => {
        assert.deepEqual(runStackPolicy(noDutyEscalation, [deployer(), approverTrusting(trustService("lambda.amazonaws.com"))]), []);
    });

    it("reports a principal that reaches two conflicting duties through two roles", () => {
        const stack = [
            role("ops", { policies: [[allow("sts:AssumeRole")]] }),
            role("deployer", { policies: [[DEPLOY]], trust: [trustArn(roleArn("ops"))] }),
            approverTrusting(trustArn(roleArn("ops"))),
        ];
        const found = runStackPolicy(noDutyEscalation, stack);
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(ROLE, "ops"));
        assert.ok(found[0].message.includes(`ops -[sts:AssumeRole]-> deployer (trusts role "ops") -> deploy`));
        assert.ok(found[0].message.includes(`ops -[sts:AssumeRole]-> approver (trusts role "ops") -> approve`));
    });

    describe("false-positive guards", () => {
        const lambdaApprover = approverTrusting(trustService("lambda.amazonaws.com"));

        it("an explicit Deny of iam:PassRole on the approver in the same policy removes the edge", () => {
            const stack = [deployer(allow(["iam:PassRole", "lambda:CreateFunction"]), deny("iam:PassRole", roleArn("approver"))), lambdaApprover];
            assert.deepEqual(runStackPolicy(noDutyEscalation, stack), []);
        });

        it("an explicit Deny in another policy removes the edge", () => {
            const stack = [
                role("deployer", { policies: [[DEPLOY, allow(["iam:PassRole", "lambda:CreateFunction"])], [deny("iam:PassRole", "arn:aws:iam::*:role/approv*")]] }),
                lambdaApprover,
            ];
            assert.deepEqual(runStackPolicy(noDutyEscalation, stack), []);
        });

        it("a Deny whose resources only partly cover the target does not remove the edge", () => {
            const stack = [deployer(allow(["iam:PassRole", "lambda:CreateFunction"]), deny("iam:PassRole", roleArn("someone-else"))), lambdaApprover];
            assert.equal(mandatory(runStackPolicy(noDutyEscalation, stack)).length, 1);
        });

        it("a permissions boundary that excludes the target removes the edge", () => {
            const stack = [
                role("deployer", { policies: [[DEPLOY, allow(["iam:PassRole", "lambda:CreateFunction"])]], boundary: policyArn("deployer-boundary") }),
                managedPolicy("deployer-boundary", [allow(["lambda:*"]), allow("iam:PassRole", "arn:aws:iam::123456789012:role/app-*")]),
                lambdaApprover,
            ];
            assert.deepEqual(runStackPolicy(noDutyEscalation, stack), []);
        });

        it("resource scoping that excludes the target removes the edge", () => {
            const stack = [deployer(allow("iam:PassRole", "arn:aws:iam::123456789012:role/app-*"), allow("lambda:CreateFunction")), lambdaApprover];
            assert.deepEqual(runStackPolicy(noDutyEscalation, stack), []);
        });

        it("write access scoped to the read-only AWS-managed policy namespace is no escalation", () => {
            const stack = [
                role("deployer", {
                    policies: [[DEPLOY, allow(["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"], "arn:aws:iam::aws:policy/*")]],
                    managed: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
                }),
                lambdaApprover,
            ];
            assert.deepEqual(runStackPolicy(noDutyEscalation, stack), []);
        });

        it("a condition that cannot hold removes the edge (PassRole only to EC2, approver trusts Lambda)", () => {
            const stack = [
                deployer(allow("iam:PassRole", "*", { Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } } }), allow(["lambda:CreateFunction", "ec2:RunInstances"])),
                lambdaApprover,
            ];
            assert.deepEqual(runStackPolicy(noDutyEscalation, stack), []);
        });

        it("a condition on the principal's own known ARN that cannot hold removes the edge", () => {
            const stack = [
                deployer(allow(["iam:PassRole", "lambda:CreateFunction"], "*", { Condition: { ArnEquals: { "aws:PrincipalArn": roleArn("someone-else") } } })),
                lambdaApprover,
            ];
            assert.deepEqual(runStackPolicy(noDutyEscalation, stack), []);
        });

        it("a condition on unknown request context may hold: the edge stays", () => {
            const stack = [deployer(allow(["iam:PassRole", "lambda:CreateFunction"], "*", { Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } })), lambdaApprover];
            assert.equal(mandatory(runStackPolicy(noDutyEscalation, stack)).length, 1);
        });

        it("a service the target role does not trust gives no edge", () => {
            const stack = [deployer(allow(["iam:PassRole", "lambda:CreateFunction"])), approverTrusting(trustService("codebuild.amazonaws.com"))];
            assert.deepEqual(runStackPolicy(noDutyEscalation, stack), []);
        });

        it("delegated administration under a boundary that excludes the other duties is not reported", () => {
            const boundary = policyArn("app-boundary");
            const stack = [
                role("deployer", {
                    policies: [[
                        DEPLOY,
                        allow("lambda:CreateFunction"),
                        allow(["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"], "arn:aws:iam::123456789012:role/app-*", {
                            Condition: { StringEquals: { "iam:PermissionsBoundary": boundary } },
                        }),
                        allow("iam:PassRole", "arn:aws:iam::123456789012:role/app-*"),
                        deny(["iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"]),
                    ]],
                }),
                managedPolicy("app-boundary", [allow(["s3:GetObject", "s3:PutObject", "dynamodb:*", "logs:CreateLogStream", "logs:PutLogEvents"])]),
                role("app-api", { policies: [[allow("dynamodb:*")]], trust: [trustService("lambda.amazonaws.com")], boundary }),
                lambdaApprover,
            ];
            assert.deepEqual(runStackPolicy(noDutyEscalation, stack), []);
            // Without the boundary condition the same permissions are an escalation.
            const unbounded = stack.map((r) =>
                r.name === "deployer"
                    ? role("deployer", { policies: [[DEPLOY, allow("lambda:CreateFunction"), allow(["iam:CreateRole", "iam:PutRolePolicy"], "arn:aws:iam::123456789012:role/app-*")]] })
                    : r,
            );
            const found = mandatory(runStackPolicy(noDutyEscalation, unbounded));
            assert.equal(found.length, 1);
            assert.ok(found[0].message.includes("deployer -[iam:CreateRole + iam:PutRolePolicy]-> a new role without a permissions boundary"));
        });

        it("delegated administration with an ArnLike boundary pattern is bounded by every matching boundary", () => {
            const stack = [
                role("deployer", {
                    policies: [[
                        DEPLOY,
                        allow(["iam:CreateRole", "iam:PutRolePolicy"], "arn:aws:iam::123456789012:role/app-*", {
                            Condition: { ArnLike: { "iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/app-boundary-*" } },
                        }),
                    ]],
                }),
                managedPolicy("app-boundary-a", [allow("dynamodb:*")]),
                managedPolicy("app-boundary-b", [allow("s3:GetObject")]),
                lambdaApprover,
            ];
            assert.deepEqual(runStackPolicy(noDutyEscalation, stack), []);
            // One matching boundary that allows approving is enough.
            const loose = [...stack, managedPolicy("app-boundary-c", [allow("codepipeline:*")])];
            const found = mandatory(runStackPolicy(noDutyEscalation, loose));
            assert.equal(found.length, 1);
            assert.ok(found[0].message.includes("deployer -[iam:CreateRole + iam:PutRolePolicy]-> a new role bounded by arn:aws:iam::123456789012:policy/app-boundary-*"), found[0].message);
        });

        it("attaching policies limited by iam:PolicyARN only adds the attachable policies", () => {
            const limited = (arns: string[]) => [
                deployer(allow("iam:AttachRolePolicy", roleArn("deployer"), { Condition: { ArnEquals: { "iam:PolicyARN": arns } } })),
                managedPolicy("read-logs", [allow("logs:GetLogEvents")]),
                managedPolicy("approve", [APPROVE]),
                lambdaApprover,
            ];
            assert.deepEqual(runStackPolicy(noDutyEscalation, limited([policyArn("read-logs")])), []);
            const found = mandatory(runStackPolicy(noDutyEscalation, limited([policyArn("read-logs"), policyArn("approve")])));
            assert.equal(found.length, 1);
            assert.ok(found[0].message.includes('deployer -[iam:AttachRolePolicy on itself]-> deployer (with approve, read-logs attached) (limited by iam:PolicyARN) -> approve: codepipeline:PutApprovalResult via customer-managed policy "approve"'), found[0].message);
        });

        it("break-glass principals are not reported as starting points", () => {
            const stack = [deployer(allow(["iam:PassRole", "lambda:CreateFunction"])), lambdaApprover];
            assert.deepEqual(runStackPolicy(noDutyEscalation, stack, { config: { breakGlassPrincipals: ["deploy*"] } }), []);
        });
    });

    describe("condition keys the stack determines for the request", () => {
        const lambdaApprover = approverTrusting(trustService("lambda.amazonaws.com"));
        const BOUNDARY = policyArn("app-boundary");
        /** The application boundary: application permissions, approval explicitly denied. */
        const appBoundary = managedPolicy("app-boundary", [allow(["s3:*", "dynamodb:*", "lambda:*", "logs:*"]), deny(["codepipeline:PutApprovalResult", "codecommit:*", "signer:*", "kms:Sign"])]);
        const withBoundary: Stmt = { Condition: { StringEquals: { "iam:PermissionsBoundary": BOUNDARY } } };
        const escalation = (stack: TestResource[]) => mandatory(runStackPolicy(noDutyEscalation, stack, { preview: false }));

        it("delegated administration on \"*\" under an iam:PermissionsBoundary condition cannot write into the deployer itself (it carries no such boundary)", () => {
            const stack = [deployer(allow(["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"], "*", withBoundary)), appBoundary, lambdaApprover];
            assert.deepEqual(escalation(stack), []);
            // The same grant without the boundary condition writes any policy into itself.
            const found = escalation([deployer(allow(["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"])), appBoundary, lambdaApprover]);
            assert.equal(found.length, 1);
            assert.ok(found[0].message.includes("deployer -[iam:PutRolePolicy on itself]-> deployer (any policy) -> approve"), found[0].message);
        });

        it("a deployer that itself carries the required boundary gets any policy only under it", () => {
            const bounded = (boundaryPolicy: TestResource) => [
                role("deployer", { policies: [[DEPLOY, allow(["iam:PutRolePolicy", "iam:AttachRolePolicy"], "*", withBoundary)]], boundary: BOUNDARY }),
                boundaryPolicy,
                lambdaApprover,
            ];
            assert.deepEqual(escalation(bounded(appBoundary)), []);
            const loose = escalation(bounded(managedPolicy("app-boundary", [allow("*")])));
            assert.equal(loose.length, 1);
            assert.ok(loose[0].message.includes(`deployer -[iam:PutRolePolicy on itself]-> deployer (any policy, bounded by ${BOUNDARY}) (bounded by ${BOUNDARY}) -> approve`), loose[0].message);
        });

        it("putting the application boundary on itself first gives any policy under that boundary only", () => {
            const stack = (boundaryPolicy: TestResource) => [deployer(allow(["iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"], "*", withBoundary)), boundaryPolicy, lambdaApprover];
            assert.deepEqual(escalation(stack(appBoundary)), []);
            // A boundary that does not exclude approving makes the same two steps an escalation.
            const found = escalation(stack(managedPolicy("app-boundary", [allow("*")])));
            assert.equal(found.length, 1);
            assert.ok(
                found[0].message.includes(`deployer -[iam:PutRolePermissionsBoundary + iam:PutRolePolicy on itself]-> deployer (any policy, bounded by ${BOUNDARY}) (bounded by ${BOUNDARY}) -> approve`),
                found[0].message,
            );
        });

        it("a boundary change allowed without condition, then a write that requires the boundary: any policy under it", () => {
            const stack = (boundaryPolicy: TestResource) => [deployer(allow("iam:PutRolePermissionsBoundary", roleArn("deployer")), allow("iam:PutRolePolicy", "*", withBoundary)), boundaryPolicy, lambdaApprover];
            assert.deepEqual(escalation(stack(appBoundary)), []);
            const found = escalation(stack(managedPolicy("app-boundary", [allow("*")])));
            assert.equal(found.length, 1);
            assert.ok(found[0].message.includes("deployer -[iam:PutRolePermissionsBoundary + iam:PutRolePolicy on itself]-> deployer (any policy, bounded by"), found[0].message);
        });

        it("a write that only requires some boundary (Null false), with any boundary change allowed, is any policy under the worst boundary", () => {
            const stack = (put: string) => [
                deployer(allow(put, roleArn("deployer")), allow("iam:PutRolePolicy", "*", { Condition: { Null: { "iam:PermissionsBoundary": "false" } } })),
                lambdaApprover,
            ];
            assert.deepEqual(escalation(stack("iam:GetRole")), []);
            const found = escalation(stack("iam:PutRolePermissionsBoundary"));
            assert.equal(found.length, 1);
            assert.ok(found[0].message.includes("deployer -[iam:PutRolePermissionsBoundary + iam:PutRolePolicy on itself]-> deployer (any policy, bounded by arn:aws:iam::aws:policy/AdministratorAccess)"), found[0].message);
        });

        it("iam:* under an iam:PermissionsBoundary condition: actions that never set the key (CreatePolicyVersion, PassRole, CreateAccessKey) are not allowed", () => {
            const stack = [
                deployer(allow("iam:*", "*", withBoundary), allow("lambda:CreateFunction")),
                managedPolicy("deployer-extra", [allow("s3:GetObject")]),
                attach("deployer", policyArn("deployer-extra")),
                appBoundary,
                lambdaApprover,
                user("alice"),
                userPolicy("alice", [APPROVE]),
            ];
            assert.deepEqual(escalation(stack), []);
            // Without the condition every one of them is an escalation.
            const open = stack.map((r) => (r.name === "deployer" ? deployer(allow("iam:*"), allow("lambda:CreateFunction")) : r));
            assert.equal(escalation(open).length, 1);
        });

        it("iam:PolicyARN is the policy being attached: attaching only the stack's read-only policy to itself is no escalation", () => {
            const stack = (arn: string) => [
                deployer(allow("iam:AttachRolePolicy", "*", { Condition: { ArnEquals: { "iam:PolicyARN": arn } } })),
                managedPolicy("read-logs", [allow("logs:GetLogEvents")]),
                managedPolicy("approve", [APPROVE]),
                lambdaApprover,
            ];
            assert.deepEqual(escalation(stack(policyArn("read-logs"))), []);
            assert.equal(escalation(stack(policyArn("approve"))).length, 1);
        });

        it("aws:ResourceTag of the target principal is its tags, unless the actor can retag it", () => {
            const tagged = (team: string, ...extra: Stmt[]) => [
                role("deployer", { policies: [[DEPLOY, allow("iam:PutRolePolicy", "*", { Condition: { StringEquals: { "aws:ResourceTag/team": "app" } } }), ...extra]], tags: { team } }),
                lambdaApprover,
            ];
            assert.deepEqual(escalation(tagged("deploy")), []);
            assert.equal(escalation(tagged("app")).length, 1, "a role tagged team=app may write into itself");
            assert.equal(escalation(tagged("deploy", allow("iam:TagRole", roleArn("deployer")))).length, 1, "it can tag itself team=app first");
        });

        it("aws:ResourceTag of a role to assume or pass is its tags (a Deny on approver-tagged roles holds)", () => {
            const stack = (approverTags: Record<string, string>) => [
                deployer(allow(["iam:PassRole", "lambda:CreateFunction"]), deny("iam:PassRole", "*", { Condition: { StringEquals: { "aws:ResourceTag/duty": "approve" } } })),
                role("approver", { policies: [[APPROVE]], trust: [trustService("lambda.amazonaws.com")], tags: approverTags }),
            ];
            assert.deepEqual(escalation(stack({ duty: "approve" })), []);
            assert.equal(escalation(stack({ duty: "other" })).length, 1);
        });

        it("aws:TokenIssueTime is never later than now nor older than the longest session: a token issued before a past date cannot exist", () => {
            const stack = (date: string) => [deployer(allow("iam:PutRolePolicy", roleArn("deployer"), { Condition: { DateLessThan: { "aws:TokenIssueTime": date } } })), lambdaApprover];
            assert.deepEqual(escalation(stack("2020-01-01T00:00:00Z")), []);
            assert.equal(escalation(stack("2999-01-01T00:00:00Z")).length, 1);
        });
    });

    describe("iam:SetDefaultPolicyVersion (earlier versions are not in the stack)", () => {
        const lambdaApprover = approverTrusting(trustService("lambda.amazonaws.com"));

        it("on a customer-managed policy attached to itself fails closed and says why", () => {
            const stack = (resource: string) => [
                deployer(allow("iam:SetDefaultPolicyVersion", resource)),
                managedPolicy("deployer-extra", [allow("s3:GetObject")]),
                attach("deployer", policyArn("deployer-extra")),
                lambdaApprover,
            ];
            const found = mandatory(runStackPolicy(noDutyEscalation, stack(policyArn("deployer-extra")), { preview: false }));
            assert.equal(found.length, 1);
            assert.ok(
                found[0].message.includes(`deployer -[iam:SetDefaultPolicyVersion on ${policyArn("deployer-extra")} on itself]-> deployer (any policy) (earlier versions of that policy are not in the stack, so the version it can make default cannot be verified; deny iam:SetDefaultPolicyVersion on it)`),
                found[0].message,
            );
            // On policies attached to no principal it can act as, nothing is reachable.
            assert.deepEqual(runStackPolicy(noDutyEscalation, stack(policyArn("other-*")), { preview: false }), []);
        });

        it("on a customer-managed policy of a role it can assume", () => {
            // (Fresh resource objects per run: the harness' model cache keys on the first and last props.)
            const stack = (hopTrust: Stmt) => [
                deployer(allow("iam:SetDefaultPolicyVersion", policyArn("hop-policy"))),
                role("hop", { trust: [hopTrust] }),
                managedPolicy("hop-policy", [allow("s3:GetObject")]),
                attach("hop", policyArn("hop-policy")),
                approverTrusting(trustService("lambda.amazonaws.com")),
            ];
            const found = mandatory(runStackPolicy(noDutyEscalation, stack(trustArn(roleArn("deployer"))), { preview: false }));
            assert.equal(found.length, 1);
            assert.ok(found[0].message.includes(`deployer -[iam:SetDefaultPolicyVersion on ${policyArn("hop-policy")} on role "hop"]-> hop (any policy) (earlier versions`), found[0].message);
            // Without the trust, hop is not a principal it can act as.
            assert.deepEqual(mandatory(runStackPolicy(noDutyEscalation, stack(trustService("ec2.amazonaws.com")), { preview: false })), []);
        });

        it("on its customer-managed permissions boundary lifts the boundary", () => {
            const stack = (boundaryAllows: string[]) => [
                role("deployer", {
                    policies: [[DEPLOY, allow("iam:PutRolePolicy", roleArn("deployer")), allow("iam:SetDefaultPolicyVersion", policyArn("deployer-boundary"))]],
                    boundary: policyArn("deployer-boundary"),
                }),
                managedPolicy("deployer-boundary", [allow(["lambda:UpdateFunctionCode", "iam:PutRolePolicy", ...boundaryAllows])]),
                lambdaApprover,
            ];
            const run = (s: TestResource[]) => mandatory(runStackPolicy(noDutyEscalation, s, { preview: false }));
            // Outside its boundary the permission is void: any policy it writes stays bounded.
            assert.deepEqual(run(stack([])), []);
            const found = run(stack(["iam:SetDefaultPolicyVersion"]));
            assert.equal(found.length, 1);
            assert.ok(found[0].message.includes("deployer -[iam:PutRolePolicy on itself]-> deployer (any policy) -> approve"), found[0].message);
        });
    });

    describe("unknown and unreadable documents", () => {
        it("an unknown policy document in preview is an advisory 'verified at update' note", () => {
            const stack = [
                { type: ROLE, name: "deployer", props: { name: "deployer", arn: roleArn("deployer"), assumeRolePolicy: doc(trustService("lambda.amazonaws.com")), inlinePolicies: [{ name: "x", policy: UNKNOWN }] } },
            ];
            const found = runStackPolicy(noDutyEscalation, stack);
            assert.equal(mandatory(found).length, 0);
            assert.equal(advisory(found).length, 1);
            assert.equal(advisory(found)[0].urn, urnOf(ROLE, "deployer"));
            assert.match(advisory(found)[0].message, /inlinePolicies\[0\]\.policy is not known until the update, so it will be verified at update that no principal can escalate/);
            const update = runStackPolicy(noDutyEscalation, stack, { preview: false });
            assert.equal(mandatory(update).length, 1);
        });

        it("an unknown managed policy ARN in preview is an advisory note", () => {
            const stack = [role("deployer", { policies: [[DEPLOY]] }), { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "att", props: { role: "deployer", policyArn: UNKNOWN } }];
            const found = runStackPolicy(noDutyEscalation, stack);
            assert.equal(advisory(found).length, 1);
            assert.equal(advisory(found)[0].urn, urnOf("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "att"));
            assert.match(advisory(found)[0].message, /policyArn is not known until the update/);
        });

        it("at update an unparseable document fails closed", () => {
            const stack = [
                role("deployer", { policies: [[DEPLOY]] }),
                { type: "aws:iam/rolePolicy:RolePolicy", name: "broken", props: { name: "broken", role: "deployer", policy: "{not json" } },
            ];
            const found = runStackPolicy(noDutyEscalation, stack, { preview: false });
            assert.equal(found.length, 1);
            assert.equal(found[0].enforcementLevel, "mandatory");
            assert.equal(found[0].urn, urnOf("aws:iam/rolePolicy:RolePolicy", "broken"));
            assert.match(found[0].message, /cannot verify that no principal can escalate into a conflicting duty: policy is not valid JSON/);
        });

        it("an unknown trust policy that refers to the deployer is assumed to trust it", () => {
            const stack: TestResource[] = [
                deployer(),
                { ...approverTrusting(trustService("lambda.amazonaws.com")), propertyDependencies: { assumeRolePolicy: [urnOf(ROLE, "deployer")] } },
            ];
            stack[1].props!.assumeRolePolicy = UNKNOWN;
            const found = runStackPolicy(noDutyEscalation, stack);
            assert.equal(mandatory(found).length, 1);
            assert.ok(mandatory(found)[0].message.includes("deployer -[sts:AssumeRole]-> approver"));
            assert.equal(advisory(found).length, 1);
        });
    });
});
