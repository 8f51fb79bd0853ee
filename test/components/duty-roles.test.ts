import { strict as assert } from "assert";
import {
    APPROVE_ACTIONS,
    AUDIT_ADMIN_ACTIONS,
    DEPLOY_ACTIONS,
    DUTY_ROLE_PATH,
    DutyRoles,
    DutyRolesArgs,
    KEY_ADMIN_ACTIONS,
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
        // Human trust: named principals, MFA required.
        const approverTrust = json(recorder.one(ROLE, "release-approver").inputs.assumeRolePolicy).Statement;
        assert.deepEqual(approverTrust, [
            {
                Sid: "HumansWithMfa",
                Effect: "Allow",
                Principal: { AWS: [HUMAN] },
                Action: "sts:AssumeRole",
                Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" }, NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } },
            },
        ]);

        // Explicit denies of the other duties, on every role.
        const denies = (duty: string) =>
            Object.fromEntries(statements(recorder.one(ROLE_POLICY, `release-${duty}-separation`)).map((s) => [s.Sid, s]));
        const deployerDenies = denies("deployer");
        assert.deepEqual(deployerDenies.DenyApprove.Action, [...APPROVE_ACTIONS]);
        assert.deepEqual(deployerDenies.DenyAuditAdmin.Action, [...AUDIT_ADMIN_ACTIONS]);
        assert.deepEqual(deployerDenies.DenyKeyAdmin.Action, [...KEY_ADMIN_ACTIONS]);
        assert.equal(deployerDenies.DenyApprove.Resource, "*");
        assert.equal(deployerDenies.DenyApprove.Condition, undefined, "denies are unconditional");
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
        assert.ok(!deployer.Deploy.Action.some((a: string) => a.startsWith("iam:")), "deploy actions hold no IAM");

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
                    approver: { kind: "github-actions", repository: "acme/shop", environment: "approve" },
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
                /DutyRoles "h": deployer and approver would both trust repo:acme\/shop:environment:production; each duty needs its own callers/,
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
