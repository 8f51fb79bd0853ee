import { strict as assert } from "assert";
import {
    APPROVE_ACTIONS,
    AUDIT_ADMIN_ACTIONS,
    DEPLOY_ACTIONS,
    DUTY_ROLE_PATH,
    DutyRoles,
    DutyRolesArgs,
    IAM_WRITE_ACTIONS,
    KEY_ADMIN_ACTIONS,
    mayWriteIam,
} from "../../components";
import { ACCOUNT, Registered, installMocks, json, record, settle, urnOf } from "./mocks";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const POLICY = "aws:iam/policy:Policy";
const OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const HUMAN = "arn:aws:iam::123456789012:role/release-managers";
const AUDITORS = "arn:aws:iam::123456789012:role/auditors";

const ARGS: DutyRolesArgs = {
    deployer: { kind: "github-actions", repository: "acme/shop", environment: "production" },
    approver: { kind: "aws-principals", principalArns: [HUMAN] },
    auditor: { kind: "aws-principals", principalArns: [AUDITORS] },
};

function statements(r: Registered): any[] {
    return json(r.inputs.policy).Statement;
}

describe("components: DutyRoles", () => {
    before(() => installMocks());

    it("builds three tagged duty roles, each with its own trust, permissions and explicit denies of the other duties", async () => {
        const { component, recorder } = await record(() => new DutyRoles("release", ARGS));
        const parent = await urnOf(component);
        assert.deepEqual(recorder.summary(), [
            `${OIDC}::release-github`,
            `${POLICY}::release-app-boundary`,
            `${ROLE}::release-approver`,
            `${ROLE}::release-auditor`,
            `${ROLE}::release-deployer`,
            `${ROLE_POLICY}::release-approver-permissions`,
            `${ROLE_POLICY}::release-approver-separation`,
            `${ROLE_POLICY}::release-auditor-permissions`,
            `${ROLE_POLICY}::release-auditor-separation`,
            `${ROLE_POLICY}::release-deployer-permissions`,
            `${ROLE_POLICY}::release-deployer-separation`,
            "sealed-infra:aws:DutyRoles::release",
        ]);
        for (const r of recorder.resources.filter((r) => r.custom)) {
            assert.equal(r.parent, parent, `${r.name} is parented`);
        }
        for (const duty of ["deployer", "approver", "auditor"]) {
            const role = recorder.one(ROLE, `release-${duty}`);
            assert.deepEqual(role.inputs.tags, { "sealed-infra:duty": duty });
            assert.equal(role.inputs.path, DUTY_ROLE_PATH);
            assert.equal(role.inputs.maxSessionDuration, 3600);
        }

        // GitHub trust: federated, aud and sub pinned.
        const oidc = recorder.one(OIDC);
        assert.equal(oidc.inputs.url, "https://token.actions.githubusercontent.com");
        assert.deepEqual(oidc.inputs.clientIdLists, ["sts.amazonaws.com"]);
        const deployerTrust = json(recorder.one(ROLE, "release-deployer").inputs.assumeRolePolicy).Statement;
        assert.deepEqual(deployerTrust, [
            {
                Sid: "GitHubActions",
                Effect: "Allow",
                Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:sub": "repo:acme/shop:environment:production",
                    },
                },
            },
        ]);
        // Human trust through roles (SSO, federation): named roles, no MFA keys (role sessions never carry them).
        const approverTrust = json(recorder.one(ROLE, "release-approver").inputs.assumeRolePolicy).Statement;
        assert.deepEqual(approverTrust, [{ Sid: "HumanRoles", Effect: "Allow", Principal: { AWS: [HUMAN] }, Action: "sts:AssumeRole" }]);

        // Explicit denies of the other duties, on every role.
        const denies = (duty: string) =>
            Object.fromEntries(statements(recorder.one(ROLE_POLICY, `release-${duty}-separation`)).map((s) => [s.Sid, s]));
        const deployerDenies = denies("deployer");
        assert.deepEqual(deployerDenies.DenyApprove.Action, [...APPROVE_ACTIONS]);
        assert.deepEqual(deployerDenies.DenyAuditAdmin.Action, [...AUDIT_ADMIN_ACTIONS]);
        assert.deepEqual(deployerDenies.DenyKeyAdmin.Action, KEY_ADMIN_ACTIONS.filter((a) => a !== "kms:CreateGrant"));
        assert.equal(deployerDenies.DenyApprove.Resource, "*");
        for (const sid of ["DenyApprove", "DenyAuditAdmin", "DenyKeyAdmin"]) {
            assert.equal(deployerDenies[sid].Condition, undefined, `${sid} is unconditional`);
        }
        // Grants stay denied except those AWS services create to use a key for a resource (encrypted EBS at launch).
        assert.deepEqual(deployerDenies.DenyKeyGrants, {
            Sid: "DenyKeyGrants",
            Effect: "Deny",
            Action: ["kms:CreateGrant"],
            Resource: "*",
            Condition: { BoolIfExists: { "kms:GrantIsForAWSResource": "false" } },
        });
        // IAM stays closed whatever deployerActions/deployerStatements allow: the boundary on every role
        // the deployer creates or empowers, and no IAM change outside the application path.
        assert.deepEqual(deployerDenies.DenyRolesWithoutApplicationBoundary, {
            Sid: "DenyRolesWithoutApplicationBoundary",
            Effect: "Deny",
            Action: ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"],
            Resource: "*",
            Condition: { StringNotEquals: { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/sealed-infra/release-app-boundary-x1` } },
        });
        assert.deepEqual(deployerDenies.DenyIamChangesOutsideApplicationPath, {
            Sid: "DenyIamChangesOutsideApplicationPath",
            Effect: "Deny",
            Action: [...IAM_WRITE_ACTIONS],
            NotResource: [`arn:aws:iam::${ACCOUNT}:role/app/*`, `arn:aws:iam::${ACCOUNT}:instance-profile/app/*`],
        });
        assert.ok(IAM_WRITE_ACTIONS.includes("iam:Create*") && IAM_WRITE_ACTIONS.includes("iam:PassRole"));
        assert.equal(deployerDenies.DenyDutyRoleChanges.Resource, `arn:aws:iam::${ACCOUNT}:role${DUTY_ROLE_PATH}*`);
        assert.ok(deployerDenies.DenyDutyRoleChanges.Action.includes("iam:PassRole"));
        assert.ok(deployerDenies.DenyDutyRoleChanges.Action.includes("sts:AssumeRole"));
        assert.equal(deployerDenies.DenyBoundaryChanges.Resource, `arn:aws:iam::${ACCOUNT}:policy/sealed-infra/release-app-boundary-x1`);
        assert.ok(deployerDenies.DenyUserAndBoundaryEscalation.Action.includes("iam:DeleteRolePermissionsBoundary"));
        const approverDenies = denies("approver");
        assert.deepEqual(approverDenies.DenyDeploy.Action, [...DEPLOY_ACTIONS]);
        assert.deepEqual(approverDenies.DenyAuditAdmin.Action, [...AUDIT_ADMIN_ACTIONS]);
        assert.deepEqual(approverDenies.DenyKeyAdmin.Action, [...KEY_ADMIN_ACTIONS]);
        assert.deepEqual(Object.keys(denies("auditor")), ["DenyDeploy", "DenyApprove", "DenyAuditAdmin", "DenyKeyAdmin", "DenyIamChanges", "DenyRoleChaining"]);

        // Delegated administration: application roles only, only with the boundary.
        const deployer = Object.fromEntries(statements(recorder.one(ROLE_POLICY, "release-deployer-permissions")).map((s) => [s.Sid, s]));
        const boundaryArn = `arn:aws:iam::${ACCOUNT}:policy/sealed-infra/release-app-boundary-x1`;
        assert.deepEqual(deployer.ManageApplicationRolesWithBoundary.Condition, { StringEquals: { "iam:PermissionsBoundary": boundaryArn } });
        assert.equal(deployer.ManageApplicationRolesWithBoundary.Resource, `arn:aws:iam::${ACCOUNT}:role/app/*`);
        assert.equal(deployer.PassApplicationRoles.Resource, `arn:aws:iam::${ACCOUNT}:role/app/*`);
        assert.ok(deployer.ManageApplicationRoles.Action.includes("iam:ListInstanceProfilesForRole"), "deleting an app role lists its instance profiles");
        assert.equal(deployer.ManageApplicationRoles.Resource, `arn:aws:iam::${ACCOUNT}:role/app/*`);
        assert.ok(!deployer.Deploy.Action.some((a: string) => a.startsWith("iam:")), "deploy actions hold no IAM");
        // The deployer can remove what it deploys.
        for (const action of [
            "ecs:DeregisterTaskDefinition",
            "ec2:TerminateInstances",
            "ec2:CreateLaunchTemplate",
            "ec2:DeleteLaunchTemplate",
            "autoscaling:DeleteAutoScalingGroup",
            "lambda:DeleteAlias",
        ]) {
            assert.ok(deployer.Deploy.Action.includes(action), action);
            assert.ok(DEPLOY_ACTIONS.includes(action), `${action} is a deploy action (denied to the other duties)`);
        }
        // Lambda reads S3 code with the caller's permissions: objects of this account's buckets, keys only through S3.
        assert.deepEqual(deployer.ReadArtifacts, {
            Sid: "ReadArtifacts",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: "arn:aws:s3:::*/*",
            Condition: { StringEquals: { "aws:ResourceAccount": ACCOUNT } },
        });
        assert.deepEqual(deployer.DecryptArtifactsThroughS3, {
            Sid: "DecryptArtifactsThroughS3",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
        });

        // The boundary: never the other duties, never IAM, never the duty roles.
        const boundary = Object.fromEntries(statements(recorder.one(POLICY)).map((s) => [s.Sid, s]));
        assert.deepEqual(boundary.DenyOtherDuties.Action, [...APPROVE_ACTIONS, ...AUDIT_ADMIN_ACTIONS, ...KEY_ADMIN_ACTIONS]);
        assert.ok(boundary.DenyIamChanges.Action.includes("iam:PassRole"));
        assert.ok(!boundary.ApplicationActions.Action.includes("*"));

        // The approver signs only with release-approval keys.
        const approver = Object.fromEntries(statements(recorder.one(ROLE_POLICY, "release-approver-permissions")).map((s) => [s.Sid, s]));
        assert.deepEqual(approver.SignReleaseApprovals.Condition, {
            StringEquals: { "aws:ResourceTag/sealed-infra:purpose": "release-approval" },
        });
    });

    it("pins a GitHub ref, reuses a given OIDC provider, and omits the auditor when not asked", async () => {
        const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
        const { recorder, component } = await record(
            () =>
                new DutyRoles("ci", {
                    deployer: { kind: "github-actions", repository: "acme/shop", ref: "refs/heads/main" },
                    approver: { kind: "github-actions", repository: "acme/release-approvals", environment: "approve" },
                    githubOidcProviderArn: provider,
                    applicationRolePath: "/shop/",
                }),
        );
        assert.equal(recorder.ofType(OIDC).length, 0);
        assert.equal(component.auditorRole, undefined);
        assert.equal(recorder.ofType(ROLE).length, 2);
        const trust = json(recorder.one(ROLE, "ci-deployer").inputs.assumeRolePolicy).Statement[0];
        assert.equal(trust.Principal.Federated, provider);
        assert.equal(trust.Condition.StringEquals["token.actions.githubusercontent.com:sub"], "repo:acme/shop:ref:refs/heads/main");
        const deployer = statements(recorder.one(ROLE_POLICY, "ci-deployer-permissions"));
        assert.equal(deployer.find((s) => s.Sid === "PassApplicationRoles").Resource, `arn:aws:iam::${ACCOUNT}:role/shop/*`);
    });

    it("requires MFA from IAM users only, in a statement of their own", async () => {
        const user = "arn:aws:iam::123456789012:user/alice";
        const { recorder } = await record(
            () => new DutyRoles("mixed", { ...ARGS, auditor: undefined, approver: { kind: "aws-principals", principalArns: [HUMAN, user] } }),
        );
        assert.deepEqual(json(recorder.one(ROLE, "mixed-approver").inputs.assumeRolePolicy).Statement, [
            { Sid: "HumanRoles", Effect: "Allow", Principal: { AWS: [HUMAN] }, Action: "sts:AssumeRole" },
            {
                Sid: "HumanUsersWithMfa",
                Effect: "Allow",
                Principal: { AWS: [user] },
                Action: "sts:AssumeRole",
                Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" }, NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } },
            },
        ]);
    });

    it("scopes artifact reads (and their decryption) to the named buckets", async () => {
        const bucket = "arn:aws:s3:::release-artifacts";
        const { recorder } = await record(() => new DutyRoles("scoped", { ...ARGS, auditor: undefined, artifactBucketArns: [bucket] }));
        const deployer = Object.fromEntries(statements(recorder.one(ROLE_POLICY, "scoped-deployer-permissions")).map((s) => [s.Sid, s]));
        assert.deepEqual(deployer.ReadArtifacts.Resource, [`${bucket}/*`]);
        assert.equal(deployer.ReadArtifacts.Condition, undefined);
        assert.deepEqual(deployer.DecryptArtifactsThroughS3.Condition, {
            StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
            StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucket, `${bucket}/*`] },
        });
    });

    it("accepts extra deployer statements that grant no IAM change, after the component's own", async () => {
        const extra = { Sid: "ReadParameters", Effect: "Allow" as const, Action: ["ssm:GetParameter", "iam:GetRole"], Resource: ["*"] };
        const { recorder } = await record(() => new DutyRoles("extra", { ...ARGS, auditor: undefined, deployerStatements: [extra] }));
        const sids = statements(recorder.one(ROLE_POLICY, "extra-deployer-permissions")).map((s) => s.Sid);
        assert.deepEqual(sids.slice(-1), ["ReadParameters"]);
        assert.equal(mayWriteIam("iam:GetRole"), false);
    });

    describe("rejects unsafe or invalid arguments at construction", () => {
        const gh = (extra: object) => ({ kind: "github-actions" as const, repository: "acme/shop", ...extra });
        const cases: [string, () => unknown, RegExp][] = [
            ["no approver", () => new DutyRoles("a", { deployer: ARGS.deployer } as any), /DutyRoles "a": deployer and approver trusts are required/],
            [
                "a wildcard repository",
                () => new DutyRoles("b", { ...ARGS, deployer: { kind: "github-actions", repository: "acme/*", ref: "refs/heads/main" } }),
                /deployer.repository must be "owner\/name" without wildcards, found "acme\/\*"/,
            ],
            ["neither ref nor environment", () => new DutyRoles("c", { ...ARGS, deployer: gh({}) }), /deployer: set exactly one of ref/],
            ["both ref and environment", () => new DutyRoles("d", { ...ARGS, deployer: gh({ ref: "refs/heads/main", environment: "prod" }) }), /set exactly one of ref/],
            ["a wildcard ref", () => new DutyRoles("e", { ...ARGS, deployer: gh({ ref: "refs/heads/*" }) }), /deployer.ref must be a full ref such as "refs\/heads\/main" without wildcards/],
            [
                "an account root as human principal",
                () => new DutyRoles("f", { ...ARGS, approver: { kind: "aws-principals", principalArns: ["arn:aws:iam::123456789012:root"] } }),
                /approver.principalArns entry "arn:aws:iam::123456789012:root" is an account root/,
            ],
            [
                "a wildcard human principal",
                () => new DutyRoles("g", { ...ARGS, approver: { kind: "aws-principals", principalArns: ["*"] } }),
                /approver.principalArns must list principal ARNs without wildcards/,
            ],
            [
                "the same GitHub subject for deployer and approver",
                () => new DutyRoles("h", { ...ARGS, approver: gh({ environment: "production" }) }),
                /DutyRoles "h": deployer and approver would both trust GitHub repository acme\/shop; anyone who can push a workflow there could assume both/,
            ],
            [
                "the same GitHub repository (another environment) for deployer and approver",
                () => new DutyRoles("h2", { ...ARGS, approver: gh({ environment: "approvals" }) }),
                /deployer and approver would both trust GitHub repository acme\/shop/,
            ],
            [
                "the same GitHub repository (another case, another ref) for deployer and auditor",
                () => new DutyRoles("h3", { ...ARGS, auditor: { kind: "github-actions", repository: "ACME/Shop", ref: "refs/heads/audit" } }),
                /deployer and auditor would both trust GitHub repository acme\/shop/,
            ],
            [
                "deployerActions that reopen IAM",
                () => new DutyRoles("n", { ...ARGS, deployerActions: ["ecs:UpdateService", "iam:*"] }),
                /DutyRoles "n": deployerActions grants "iam:\*" on every resource, which would reopen IAM/,
            ],
            [
                "deployerActions with an IAM write hidden in a service wildcard",
                () => new DutyRoles("o", { ...ARGS, deployerActions: ["*:CreateRole"] }),
                /deployerActions grants "\*:CreateRole"/,
            ],
            [
                "deployerStatements passing any role",
                () =>
                    new DutyRoles("p", {
                        ...ARGS,
                        deployerStatements: [{ Sid: "PassAnyRole", Effect: "Allow", Action: ["iam:PassRole"], Resource: ["*"] }],
                    }),
                /deployerStatements\[0\] \("PassAnyRole"\) allows "iam:PassRole", which would reopen IAM for the deployer/,
            ],
            [
                "deployerStatements allowing everything but a few actions",
                () => new DutyRoles("q", { ...ARGS, deployerStatements: [{ Effect: "Allow", NotAction: ["kms:Sign"], Resource: ["*"] }] }),
                /deployerStatements\[0\] is an Allow with NotAction or NotResource/,
            ],
            [
                "deployerStatements allowing *",
                () => new DutyRoles("r", { ...ARGS, deployerStatements: [{ Effect: "Allow", Action: ["*"], Resource: ["*"] }] }),
                /deployerStatements\[0\] allows "\*"; list specific actions/,
            ],
            [
                "a statement with a Principal",
                () =>
                    new DutyRoles("s", {
                        ...ARGS,
                        approverStatements: [{ Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["s3:GetObject"], Resource: ["*"] }],
                    }),
                /approverStatements\[0\] names a Principal/,
            ],
            [
                "the same human for approver and auditor",
                () => new DutyRoles("i", { ...ARGS, auditor: { kind: "aws-principals", principalArns: [HUMAN] } }),
                /approver and auditor would both trust arn:aws:iam::123456789012:role\/release-managers/,
            ],
            ["application roles at the root path", () => new DutyRoles("j", { ...ARGS, applicationRolePath: "/" }), /applicationRolePath must be an IAM path/],
            [
                "application roles beside the duty roles",
                () => new DutyRoles("k", { ...ARGS, applicationRolePath: "/sealed-infra/duty/" }),
                /not under "\/sealed-infra\/"/,
            ],
            ["a `*` application action", () => new DutyRoles("l", { ...ARGS, applicationActions: ["*"] }), /applicationActions must list specific actions/],
            ["an unknown trust kind", () => new DutyRoles("m", { ...ARGS, approver: { kind: "saml" } as any }), /approver.kind must be "github-actions" or "aws-principals", found "saml"/],
        ];
        for (const [what, build, message] of cases) {
            it(what, async () => {
                assert.throws(build, message);
                await settle();
            });
        }
    });
});
