import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ArgValidator,
    AwsContext,
    AwsContextArgs,
    Duty,
    PURPOSE_RELEASE_APPROVAL,
    PolicyStatement,
    TAG_DUTY,
    TAG_PURPOSE,
    TagsInput,
    awsContext,
    canonicalStatement,
    checkPrincipalArns,
    designatedTags,
    isPlain,
    policyDocument,
} from "../common";
import {
    APPROVE_ACTIONS,
    AUDIT_ADMIN_ACTIONS,
    DEFAULT_APPLICATION_ACTIONS,
    DEFAULT_APPROVER_ACTIONS,
    DEFAULT_AUDITOR_ACTIONS,
    DEFAULT_DEPLOYER_ACTIONS,
    DEPLOY_ACTIONS,
    IAM_USER_ESCALATION_ACTIONS,
    IAM_WRITE_ACTIONS,
    KEY_ADMIN_ACTIONS,
} from "./duties";
import { globMatch, IAM_ACTION } from "../glob";

export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** Path of the duty roles; the deployer and application roles can never touch roles under it. */
export const DUTY_ROLE_PATH = "/sealed-infra/duty/";
/** Longest session of a duty role, and the longest-ago MFA a human session may carry. */
export const MAX_SESSION_SECONDS = 3600;

/** Who may assume a duty role: GitHub Actions workflows, or AWS principals (humans). */
export const TrustKind = {
    /** GitHub Actions through the account's GitHub OIDC provider, pinned to a repository and a ref or environment. */
    GithubActions: "github-actions",
    /** IAM roles or users (humans with MFA: see DutyTrust). */
    AwsPrincipals: "aws-principals",
} as const;
export type TrustKind = (typeof TrustKind)[keyof typeof TrustKind];

/**
 * Who may assume a duty role. `kind: "github-actions"` takes `repository` and exactly one of `ref`
 * and `environment`; `kind: "aws-principals"` takes `principalArns`. Fields of the other kind are
 * rejected.
 *
 * AWS principals: IAM users must have signed in with MFA (`aws:MultiFactorAuthPresent`, at most
 * `MAX_SESSION_SECONDS` ago). Role sessions (IAM Identity Center permission sets, SAML or OIDC
 * federation) never carry those keys, so requiring them would lock the role out: enforce MFA where
 * those sessions start instead (IAM Identity Center's MFA setting "every time they sign in", your
 * SAML/OIDC identity provider's sign-in policy, or the MFA condition in the trust of a role that IAM
 * users assume first).
 */
// One interface with a `kind` field rather than a union of two, so the package schema can describe
// it; GitHubActionsTrust and AwsPrincipalsTrust below keep the narrower TypeScript types.
export interface DutyTrust {
    /** `github-actions` or `aws-principals`. */
    kind: TrustKind;
    /** github-actions: `owner/repository`, exactly (no wildcards). */
    repository?: string;
    /** github-actions: Git ref the workflow must run on, e.g. `refs/heads/main`. Exactly one of `ref` and `environment`. */
    ref?: string;
    /** github-actions: GitHub deployment environment the job must use, e.g. `production`. Exactly one of `ref` and `environment`. */
    environment?: string;
    /** aws-principals: IAM role or user ARNs (no wildcards, no account roots). */
    principalArns?: pulumi.Input<pulumi.Input<string>[]>;
}

/** Trust for GitHub Actions through the account's GitHub OIDC provider. */
export interface GitHubActionsTrust extends DutyTrust {
    kind: "github-actions";
    repository: string;
    principalArns?: undefined;
}

/** Trust for humans: IAM users or roles in this or another account (see DutyTrust on MFA). */
export interface AwsPrincipalsTrust extends DutyTrust {
    kind: "aws-principals";
    principalArns: pulumi.Input<pulumi.Input<string>[]>;
    repository?: undefined;
    ref?: undefined;
    environment?: undefined;
}

export interface DutyRolesArgs extends AwsContextArgs {
    /** Who may assume the deployer role (typically GitHub Actions on the release branch or environment). */
    deployer: DutyTrust;
    /** Who may assume the approver role (typically humans with MFA). Must differ from the deployer. */
    approver: DutyTrust;
    /** Who may assume the optional read-only auditor role. Default: no auditor role. */
    auditor?: DutyTrust;
    /**
     * ARN of the account's existing GitHub OIDC provider. Default: the component creates one when a
     * role trusts GitHub Actions (an account can hold only one provider per URL).
     */
    githubOidcProviderArn?: pulumi.Input<string>;
    /**
     * IAM path under which the deployer may create and manage application roles, always with the
     * application boundary attached. Default `/app/`. Must not be `/` or lie under `/sealed-infra/`.
     */
    applicationRolePath?: string;
    /**
     * Actions application roles may hold (the boundary's Allow). Default `DEFAULT_APPLICATION_ACTIONS`.
     * Whatever is listed, the boundary still denies approve, audit-admin, key-admin and IAM writes.
     */
    applicationActions?: string[];
    /**
     * Deploy actions of the deployer role (granted on every resource). Default
     * `DEFAULT_DEPLOYER_ACTIONS` (CloudFormation, ECS, Lambda, CodeDeploy, Auto Scaling, EC2 launch,
     * image pulls). Approve, audit-admin and key-admin actions listed here stay denied; IAM changes
     * are rejected (the component grants the management of application roles itself).
     */
    deployerActions?: string[];
    /**
     * Extra statements for the deployer role. The duty denies still apply, and so do the denies that
     * keep IAM closed: no IAM change outside `applicationRolePath`, no application role without the
     * boundary. Statements that grant IAM changes, `*`, or use `NotAction`/`NotResource` in an Allow
     * are rejected. Default: none.
     */
    deployerStatements?: pulumi.Input<pulumi.Input<PolicyStatement>[]>;
    /**
     * ARNs of the artifact buckets the deployer reads deployment packages from (Lambda reads S3 code
     * with the caller's permissions). Default: objects of every bucket in this account. Either way
     * `kms:Decrypt` is allowed only through S3 (`kms:ViaService`), and with this list only for these
     * buckets' objects (`kms:EncryptionContext:aws:s3:arn`).
     */
    artifactBucketArns?: pulumi.Input<pulumi.Input<string>[]>;
    /** Extra statements for the approver role. The duty denies still apply. Default: none. */
    approverStatements?: pulumi.Input<pulumi.Input<PolicyStatement>[]>;
    /** Extra statements for the auditor role. The duty denies still apply. Default: none. */
    auditorStatements?: pulumi.Input<pulumi.Input<PolicyStatement>[]>;
    /** Tags for every resource; roles carry `sealed-infra:duty=<duty>`. */
    tags?: TagsInput;
}

/**
 * Separate deployer, approver and (optional) auditor IAM roles. Each role is trusted only by its own
 * callers (GitHub Actions pinned to a repository and ref or environment, or humans with MFA), holds
 * explicit denies of the other duties, and carries its `sealed-infra:duty` tag. The deployer may
 * administer application roles only under a permissions boundary that excludes the other duties and
 * that it cannot change, and it cannot touch the duty roles.
 */
export class DutyRoles extends pulumi.ComponentResource {
    /** The deployer role (under `/sealed-infra/duty/`, tagged `sealed-infra:duty=deployer`). */
    readonly deployerRole: aws.iam.Role;
    /** The approver role (tagged `sealed-infra:duty=approver`). */
    readonly approverRole: aws.iam.Role;
    /** The auditor role, when `auditor` was given. */
    readonly auditorRole?: aws.iam.Role;
    /** Permissions boundary every application role created by the deployer must carry. */
    readonly applicationBoundary: aws.iam.Policy;
    /** The GitHub OIDC provider the component created (a role trusts GitHub Actions and no `githubOidcProviderArn` was given). */
    readonly oidcProvider?: aws.iam.OpenIdConnectProvider;
    /** The deployer role ARN. */
    readonly deployerRoleArn: pulumi.Output<string>;
    /** The approver role ARN. */
    readonly approverRoleArn: pulumi.Output<string>;
    /** The auditor role ARN, when `auditor` was given. */
    readonly auditorRoleArn?: pulumi.Output<string>;
    /** ARN of the permissions boundary application roles must carry. */
    readonly applicationBoundaryArn: pulumi.Output<string>;
    /** IAM path of the application roles the deployer may manage. */
    readonly applicationRolePath: string;
    /** ARN of the GitHub OIDC provider the roles trust (created or given). */
    readonly githubOidcProviderArn?: pulumi.Output<string>;

    constructor(name: string, args: DutyRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sealed-infra:aws:DutyRoles", name, {}, opts);
        const v = new ArgValidator("DutyRoles", name);
        const checked = validateArgs(v, args);
        const { appPath, trusts } = checked;

        const ctx = awsContext(this, args);
        const iamArn = (resource: string) => pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:${resource}`;
        const dutyRolePattern = iamArn(`role${DUTY_ROLE_PATH}*`);

        const oidc = this.githubOidc(name, args, ctx, trusts);
        this.oidcProvider = oidc?.provider;
        const oidcArn = oidc?.arn;

        // The boundary: what application roles may ever do. Never the other duties, never IAM.
        this.applicationBoundary = new aws.iam.Policy(
            `${name}-app-boundary`,
            {
                path: "/sealed-infra/",
                description: `sealed-infra ${name}: permissions boundary of application roles under ${appPath}`,
                policy: policyDocument(boundaryStatements(args, dutyRolePattern)),
                tags: args.tags,
            },
            { parent: this },
        );
        const arns: DutyArns = {
            dutyRoles: dutyRolePattern,
            appRoles: iamArn(`role${appPath}*`),
            appInstanceProfiles: iamArn(`instance-profile${appPath}*`),
            boundary: pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:policy/sealed-infra/${this.applicationBoundary.name}`,
        };
        const roleArn = (r: aws.iam.Role) => pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:role${DUTY_ROLE_PATH}${r.name}`;
        const dutyRole = (duty: Duty, trust: DutyTrust, allows: pulumi.Input<unknown>[], extra: pulumi.Output<PolicyStatement[]> | undefined, denies: pulumi.Input<unknown>[]) =>
            this.dutyRole(name, v, oidcArn, args.tags, { duty, trust, allows, extra, denies });

        // Deployer: deploy, and administer application roles only with the boundary attached.
        this.deployerRole = dutyRole("deployer", args.deployer, deployerAllows(args, ctx, arns), checked.deployerStatements, deployerDenies(arns));
        // Approver: approve only.
        this.approverRole = dutyRole("approver", args.approver, APPROVER_ALLOWS, checked.approverStatements, APPROVER_DENIES);
        if (args.auditor) {
            this.auditorRole = dutyRole("auditor", args.auditor, AUDITOR_ALLOWS, checked.auditorStatements, AUDITOR_DENIES);
            this.auditorRoleArn = roleArn(this.auditorRole);
        }

        this.deployerRoleArn = roleArn(this.deployerRole);
        this.approverRoleArn = roleArn(this.approverRole);
        this.applicationBoundaryArn = arns.boundary;
        this.applicationRolePath = appPath;
        this.githubOidcProviderArn = oidcArn;
        this.registerOutputs({
            deployerRoleArn: this.deployerRoleArn,
            approverRoleArn: this.approverRoleArn,
            auditorRoleArn: this.auditorRoleArn,
            applicationBoundaryArn: this.applicationBoundaryArn,
            applicationRolePath: this.applicationRolePath,
            githubOidcProviderArn: this.githubOidcProviderArn,
        });
    }

    /**
     * The GitHub OIDC provider ARN the trust policies name: created here when a role trusts GitHub
     * Actions and none was given. ARNs are built from what is known at plan time (account,
     * partition, names the provider assigns in its check) rather than read back after create, so
     * every preview shows the policies whole and the pack verifies them then. Built from the
     * resources' own outputs, they keep the dependency on the resource (a trust policy names the
     * provider only once it exists).
     */
    private githubOidc(
        name: string,
        args: DutyRolesArgs,
        ctx: AwsContext,
        trusts: [Duty, DutyTrust][],
    ): { provider?: aws.iam.OpenIdConnectProvider; arn: pulumi.Output<string> } | undefined {
        const needsOidc = trusts.some(([, t]) => t.kind === "github-actions");
        if (!needsOidc) {
            return undefined;
        }
        if (args.githubOidcProviderArn !== undefined) {
            return { arn: pulumi.output(args.githubOidcProviderArn as pulumi.Input<string>) };
        }
        const provider = new aws.iam.OpenIdConnectProvider(
            `${name}-github`,
            { url: GITHUB_OIDC_URL, clientIdLists: ["sts.amazonaws.com"], tags: args.tags },
            { parent: this },
        );
        return {
            provider,
            arn: pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:oidc-provider/${provider.url.apply((u) => u.replace(/^https:\/\//, ""))}`,
        };
    }

    /** One duty role: the role with its trust and tag, its permissions (plus the caller's extra statements), its explicit denies. */
    private dutyRole(
        name: string,
        v: ArgValidator,
        oidcArn: pulumi.Output<string> | undefined,
        tags: TagsInput | undefined,
        spec: { duty: Duty; trust: DutyTrust; allows: pulumi.Input<unknown>[]; extra?: pulumi.Output<PolicyStatement[]>; denies: pulumi.Input<unknown>[] },
    ): aws.iam.Role {
        const { duty } = spec;
        const role = new aws.iam.Role(
            `${name}-${duty}`,
            {
                path: DUTY_ROLE_PATH,
                description: `sealed-infra ${name}: ${duty} duty`,
                maxSessionDuration: MAX_SESSION_SECONDS,
                assumeRolePolicy: trustPolicy(v, spec.trust, oidcArn),
                tags: designatedTags(v, tags, { [TAG_DUTY]: duty }),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-${duty}-permissions`,
            {
                role: role.name,
                policy: pulumi
                    .output(spec.extra ?? [])
                    .apply((more) => policyDocument([...spec.allows, ...more.map((s) => canonicalStatement(s as PolicyStatement))])),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(`${name}-${duty}-separation`, { role: role.name, policy: policyDocument(spec.denies) }, { parent: this });
        return role;
    }
}

interface CheckedArgs {
    appPath: string;
    trusts: [Duty, DutyTrust][];
    deployerStatements?: pulumi.Output<PolicyStatement[]>;
    approverStatements?: pulumi.Output<PolicyStatement[]>;
    auditorStatements?: pulumi.Output<PolicyStatement[]>;
}

/** Every argument check that can run at construction (statements are checked again once they resolve). */
function validateArgs(v: ArgValidator, args: DutyRolesArgs): CheckedArgs {
    if (args === undefined || args.deployer === undefined || args.approver === undefined) {
        throw v.error("deployer and approver trusts are required");
    }
    const appPath = args.applicationRolePath ?? "/app/";
    if (!/^\/([A-Za-z0-9+=,.@_-]+\/)+$/.test(appPath) || appPath.startsWith("/sealed-infra/")) {
        throw v.error(
            `applicationRolePath must be an IAM path such as "/app/" (not "/" and not under "/sealed-infra/"), found "${appPath}"`,
        );
    }
    const trusts: [Duty, DutyTrust][] = [
        ["deployer", args.deployer],
        ["approver", args.approver],
        ...(args.auditor ? ([["auditor", args.auditor]] as [Duty, DutyTrust][]) : []),
    ];
    for (const [duty, trust] of trusts) {
        checkTrust(v, duty, trust);
    }
    checkDistinct(v, trusts);
    for (const [arg, actions] of [
        ["deployerActions", args.deployerActions],
        ["applicationActions", args.applicationActions],
    ] as const) {
        if (actions !== undefined && (actions.length === 0 || actions.some((a) => a === "*" || a === "*:*"))) {
            throw v.error(`${arg} must list specific actions (service wildcards such as "s3:*" are allowed, "*" is not)`);
        }
    }
    const iamWrite = (args.deployerActions ?? []).find(mayWriteIam);
    if (iamWrite !== undefined) {
        throw v.error(
            `deployerActions grants "${iamWrite}" on every resource, which would reopen IAM; the deployer manages ` +
                `application roles under applicationRolePath with the boundary (granted by the component)`,
        );
    }
    return {
        appPath,
        trusts,
        deployerStatements: checkStatements(v, "deployerStatements", args.deployerStatements, { allowIamWrites: false }),
        approverStatements: checkStatements(v, "approverStatements", args.approverStatements, { allowIamWrites: true }),
        auditorStatements: checkStatements(v, "auditorStatements", args.auditorStatements, { allowIamWrites: true }),
    };
}

/** ARN patterns the duty policies name. */
interface DutyArns {
    dutyRoles: pulumi.Output<string>;
    appRoles: pulumi.Output<string>;
    appInstanceProfiles: pulumi.Output<string>;
    boundary: pulumi.Output<string>;
}

function deny(sid: string, actions: readonly string[], resource: pulumi.Input<string> = "*") {
    return { Sid: sid, Effect: "Deny", Action: [...actions], Resource: resource };
}

/** The application boundary: what application roles may ever do. */
function boundaryStatements(args: DutyRolesArgs, dutyRolePattern: pulumi.Output<string>): pulumi.Input<unknown>[] {
    return [
        { Sid: "ApplicationActions", Effect: "Allow", Action: [...(args.applicationActions ?? DEFAULT_APPLICATION_ACTIONS)], Resource: "*" },
        {
            Sid: "DenyOtherDuties",
            Effect: "Deny",
            Action: [...APPROVE_ACTIONS, ...AUDIT_ADMIN_ACTIONS, ...KEY_ADMIN_ACTIONS],
            Resource: "*",
        },
        { Sid: "DenyIamChanges", Effect: "Deny", Action: [...IAM_WRITE_ACTIONS], Resource: "*" },
        { Sid: "DenyDutyRoles", Effect: "Deny", Action: "sts:AssumeRole", Resource: dutyRolePattern },
    ];
}

/** Deployer: deploy, and administer application roles only with the boundary attached. */
function deployerAllows(args: DutyRolesArgs, ctx: AwsContext, arns: DutyArns): pulumi.Input<unknown>[] {
    const appRolePattern = arns.appRoles;
    const boundaryArn = arns.boundary;
    return [
        { Sid: "Deploy", Effect: "Allow", Action: [...(args.deployerActions ?? DEFAULT_DEPLOYER_ACTIONS)], Resource: "*" },
        {
            Sid: "ManageApplicationRolesWithBoundary",
            Effect: "Allow",
            Action: [
                "iam:CreateRole",
                "iam:PutRolePermissionsBoundary",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:AttachRolePolicy",
                "iam:DetachRolePolicy",
            ],
            Resource: appRolePattern,
            Condition: { StringEquals: { "iam:PermissionsBoundary": boundaryArn } },
        },
        {
            Sid: "ManageApplicationRoles",
            Effect: "Allow",
            Action: [
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListRoleTags",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:UpdateAssumeRolePolicy",
                "iam:DeleteRole",
                // Deleting a role: the provider first lists the instance profiles holding it.
                "iam:ListInstanceProfilesForRole",
            ],
            Resource: appRolePattern,
        },
        { Sid: "PassApplicationRoles", Effect: "Allow", Action: "iam:PassRole", Resource: appRolePattern },
        ...readArtifacts(ctx, args.artifactBucketArns),
    ];
}

/** What the deployer may never do, whatever deployerActions or deployerStatements allow. */
function deployerDenies(arns: DutyArns): pulumi.Input<unknown>[] {
    const { appRoles: appRolePattern, appInstanceProfiles: appInstanceProfilePattern, dutyRoles: dutyRolePattern, boundary: boundaryArn } = arns;
    return [
        deny("DenyApprove", APPROVE_ACTIONS),
        deny("DenyAuditAdmin", AUDIT_ADMIN_ACTIONS),
        deny("DenyKeyAdmin", KEY_ADMIN_ACTIONS.filter((a) => a !== "kms:CreateGrant")),
        {
            // EC2, Auto Scaling and other services create grants on the caller's behalf to use a
            // customer key (encrypted EBS volumes); every other grant stays denied. IfExists: a
            // request without the key is denied too.
            Sid: "DenyKeyGrants",
            Effect: "Deny",
            Action: ["kms:CreateGrant"],
            Resource: "*",
            Condition: { BoolIfExists: { "kms:GrantIsForAWSResource": "false" } },
        },
        deny("DenyUserAndBoundaryEscalation", IAM_USER_ESCALATION_ACTIONS),
        {
            // Whatever deployerActions or deployerStatements allow: no role is created or given
            // permissions unless the application boundary is (and stays) attached ...
            Sid: "DenyRolesWithoutApplicationBoundary",
            Effect: "Deny",
            Action: ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"],
            Resource: "*",
            Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundaryArn } },
        },
        {
            // ... and no IAM change touches anything but application roles and instance profiles.
            Sid: "DenyIamChangesOutsideApplicationPath",
            Effect: "Deny",
            Action: [...IAM_WRITE_ACTIONS],
            NotResource: [appRolePattern, appInstanceProfilePattern],
        },
        deny(
            "DenyBoundaryChanges",
            ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
            boundaryArn,
        ),
        deny("DenyDutyRoleChanges", [...IAM_WRITE_ACTIONS, "sts:AssumeRole"], dutyRolePattern),
    ];
}

const APPROVER_ALLOWS: pulumi.Input<unknown>[] = [
    { Sid: "Approve", Effect: "Allow", Action: [...DEFAULT_APPROVER_ACTIONS], Resource: "*" },
    {
        Sid: "SignReleaseApprovals",
        Effect: "Allow",
        Action: ["kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { [`aws:ResourceTag/${TAG_PURPOSE}`]: PURPOSE_RELEASE_APPROVAL } },
    },
];

const APPROVER_DENIES: pulumi.Input<unknown>[] = [
    deny("DenyDeploy", DEPLOY_ACTIONS),
    deny("DenyAuditAdmin", AUDIT_ADMIN_ACTIONS),
    deny("DenyKeyAdmin", KEY_ADMIN_ACTIONS),
    deny("DenyIamChanges", IAM_WRITE_ACTIONS),
    deny("DenyRoleChaining", ["sts:AssumeRole"]),
];

const AUDITOR_ALLOWS: pulumi.Input<unknown>[] = [{ Sid: "ReadRecords", Effect: "Allow", Action: [...DEFAULT_AUDITOR_ACTIONS], Resource: "*" }];

const AUDITOR_DENIES: pulumi.Input<unknown>[] = [
    deny("DenyDeploy", DEPLOY_ACTIONS),
    deny("DenyApprove", APPROVE_ACTIONS),
    deny("DenyAuditAdmin", AUDIT_ADMIN_ACTIONS),
    deny("DenyKeyAdmin", KEY_ADMIN_ACTIONS),
    deny("DenyIamChanges", IAM_WRITE_ACTIONS),
    deny("DenyRoleChaining", ["sts:AssumeRole"]),
];

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const REF = /^refs\/(heads|tags)\/[^*?\s:]+$/;
const ENVIRONMENT = /^[^*?\s:]+( [^*?\s:]+)*$/;

function checkTrust(v: ArgValidator, duty: Duty, trust: DutyTrust): void {
    if (trust === undefined || trust === null || typeof trust !== "object") {
        throw v.error(`${duty}: a trust ({ kind: "github-actions", ... } or { kind: "aws-principals", ... }) is required`);
    }
    if (trust.kind === "github-actions") {
        if (trust.principalArns !== undefined) {
            throw v.error(`${duty}.principalArns is for kind "aws-principals"; a "github-actions" trust names repository and ref or environment`);
        }
        if (!REPOSITORY.test(trust.repository ?? "")) {
            throw v.error(`${duty}.repository must be "owner/name" without wildcards, found "${trust.repository}"`);
        }
        if ((trust.ref === undefined) === (trust.environment === undefined)) {
            throw v.error(`${duty}: set exactly one of ref (e.g. "refs/heads/main") and environment (e.g. "production")`);
        }
        if (trust.ref !== undefined && !REF.test(trust.ref)) {
            throw v.error(`${duty}.ref must be a full ref such as "refs/heads/main" without wildcards, found "${trust.ref}"`);
        }
        if (trust.environment !== undefined && !ENVIRONMENT.test(trust.environment)) {
            throw v.error(`${duty}.environment must name one environment without wildcards, found "${trust.environment}"`);
        }
        return;
    }
    if (trust.kind === "aws-principals") {
        const misplaced = (["repository", "ref", "environment"] as const).find((k) => trust[k] !== undefined);
        if (misplaced !== undefined) {
            throw v.error(`${duty}.${misplaced} is for kind "github-actions"; an "aws-principals" trust names principalArns`);
        }
        if (trust.principalArns === undefined) {
            throw v.error(`${duty}.principalArns is required`);
        }
        checkPrincipalArns(v, `${duty}.principalArns`, trust.principalArns, { required: true, allowRoot: false });
        return;
    }
    throw v.error(`${duty}.kind must be "github-actions" or "aws-principals", found "${(trust as { kind?: unknown }).kind}"`);
}

/** The OIDC subject a GitHub trust pins. */
export function githubSubject(trust: GitHubActionsTrust): string {
    return trust.ref !== undefined
        ? `repo:${trust.repository}:ref:${trust.ref}`
        : `repo:${trust.repository}:environment:${trust.environment}`;
}

/**
 * Two duties must never be assumable by the same caller. For GitHub that is the repository, not the
 * subject: whoever can push a workflow to the repository can run it on any branch or environment the
 * repository's own settings let them, so one repository may serve one duty only.
 */
function checkDistinct(v: ArgValidator, trusts: [Duty, DutyTrust][]): void {
    const seen = new Map<string, Duty>();
    for (const [duty, trust] of trusts) {
        const keys =
            trust.kind === "github-actions"
                ? [`github:${(trust.repository ?? "").toLowerCase()}`]
                : isPlain(trust.principalArns)
                  ? (trust.principalArns as pulumi.Input<string>[]).filter((a): a is string => typeof a === "string").map((a) => `aws:${a}`)
                  : [];
        for (const key of keys) {
            const other = seen.get(key);
            if (other !== undefined && other !== duty) {
                throw v.error(
                    key.startsWith("github:")
                        ? `${other} and ${duty} would both trust GitHub repository ${key.slice("github:".length)}; anyone who can ` +
                              "push a workflow there could assume both: give each duty its own repository"
                        : `${other} and ${duty} would both trust ${key.slice("aws:".length)}; each duty needs its own callers`,
                );
            }
            seen.set(key, duty);
        }
    }
}

function trustPolicy(v: ArgValidator, trust: DutyTrust, oidcArn: pulumi.Output<string> | undefined): pulumi.Output<string> {
    if (trust.kind === "github-actions") {
        return policyDocument([
            {
                Sid: "GitHubActions",
                Effect: "Allow",
                Principal: { Federated: oidcArn as pulumi.Output<string> },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com",
                        // checkTrust has verified the github-actions fields.
                        [`${GITHUB_OIDC_HOST}:sub`]: githubSubject(trust as GitHubActionsTrust),
                    },
                },
            },
        ]);
    }
    const principals = checkPrincipalArns(v, "principalArns", trust.principalArns ?? [], { required: true, allowRoot: false });
    return principals.apply((arns) => {
        const users = arns.filter((arn) => /^arn:[^:]+:iam::[^:]*:user\//.test(arn));
        const roles = arns.filter((arn) => !users.includes(arn));
        // Trust-policy statements, written as IAM JSON (a single string where IAM takes one).
        const statements: Record<string, unknown>[] = [];
        if (roles.length > 0) {
            // Role sessions (IAM Identity Center, SAML/OIDC federation) carry no MFA keys: MFA is
            // enforced where they start (see DutyTrust).
            statements.push({ Sid: "HumanRoles", Effect: "Allow", Principal: { AWS: roles }, Action: "sts:AssumeRole" });
        }
        if (users.length > 0) {
            statements.push({
                Sid: "HumanUsersWithMfa",
                Effect: "Allow",
                Principal: { AWS: users },
                Action: "sts:AssumeRole",
                Condition: {
                    Bool: { "aws:MultiFactorAuthPresent": "true" },
                    NumericLessThan: { "aws:MultiFactorAuthAge": String(MAX_SESSION_SECONDS) },
                },
            });
        }
        return policyDocument(statements);
    });
}

/** Read access to deployment packages (Lambda reads S3 code with the caller's permissions). */
function readArtifacts(ctx: AwsContext, bucketArns: pulumi.Input<pulumi.Input<string>[]> | undefined): pulumi.Input<unknown>[] {
    const viaS3 = pulumi.interpolate`s3.${ctx.region}.amazonaws.com`;
    if (bucketArns === undefined) {
        return [
            {
                Sid: "ReadArtifacts",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:GetObjectVersion"],
                Resource: pulumi.interpolate`arn:${ctx.partition}:s3:::*/*`,
                Condition: { StringEquals: { "aws:ResourceAccount": ctx.accountId } },
            },
            {
                Sid: "DecryptArtifactsThroughS3",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: "*",
                Condition: { StringEquals: { "kms:ViaService": viaS3 } },
            },
        ];
    }
    const buckets = pulumi.output(bucketArns);
    return [
        {
            Sid: "ReadArtifacts",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: buckets.apply((arns) => arns.map((arn) => `${arn}/*`)),
        },
        {
            Sid: "DecryptArtifactsThroughS3",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: {
                StringEquals: { "kms:ViaService": viaS3 },
                // With S3 Bucket Keys the context is the bucket ARN, without them the object ARN.
                StringLike: { "kms:EncryptionContext:aws:s3:arn": buckets.apply((arns) => arns.flatMap((arn) => [arn, `${arn}/*`])) },
            },
        },
    ];
}

/** True when an action pattern may match an IAM action that is not a read. */
export function mayWriteIam(action: string): boolean {
    const [service, name = ""] = action.toLowerCase().split(":", 2);
    if (!globMatch(service, "iam", IAM_ACTION)) {
        return false;
    }
    return !["get", "list", "generate", "simulate"].some((read) => name.startsWith(read));
}

/**
 * Why extra identity-policy statements are not acceptable, judging what is known (plain) and leaving
 * the rest for when it resolves. An identity policy has no Principal; an Allow must name its actions
 * (no `*`, no `NotAction`) and its resources (no `NotResource`); and, for the deployer, must not
 * grant IAM changes.
 */
function statementsProblem(arg: string, list: unknown, options: { allowIamWrites: boolean }): string | undefined {
    if (!Array.isArray(list)) {
        return `${arg} must be a list of statements`;
    }
    const problem = (s: unknown, i: number): string | undefined => {
        if (!isPlain(s)) {
            return undefined;
        }
        const st = s as PolicyStatement;
        const where = `${arg}[${i}]${typeof st?.Sid === "string" ? ` ("${st.Sid}")` : ""}`;
        if (st === null || typeof st !== "object" || (isPlain(st.Effect) && st.Effect !== "Allow" && st.Effect !== "Deny")) {
            return `${where} must be a statement with Effect "Allow" or "Deny"`;
        }
        if (st.Principal !== undefined || st.NotPrincipal !== undefined) {
            return `${where} names a Principal; identity-policy statements apply to the role itself`;
        }
        if (st.Effect !== "Allow") {
            return undefined; // a Deny, or an effect not known yet
        }
        if (st.NotAction !== undefined || st.NotResource !== undefined) {
            return `${where} is an Allow with NotAction or NotResource, which grants everything it does not list; list the actions and resources`;
        }
        const actions = isPlain(st.Action) ? (Array.isArray(st.Action) ? st.Action : [st.Action]) : [];
        const everything = actions.find((a) => a === "*" || a === "*:*");
        if (everything !== undefined) {
            return `${where} allows "${everything}"; list specific actions`;
        }
        const iam = options.allowIamWrites ? undefined : actions.find((a) => typeof a === "string" && mayWriteIam(a));
        if (iam !== undefined) {
            return (
                `${where} allows "${iam}", which would reopen IAM for the deployer; it manages application roles under ` +
                "applicationRolePath with the boundary (granted by the component), and every other IAM change is denied"
            );
        }
        return undefined;
    };
    return list.map(problem).find((p) => p !== undefined);
}

/**
 * Checks extra identity-policy statements now, as far as they are plain (so a preview fails early);
 * returns them with a check of the whole list once every value in it has resolved (values that are
 * Outputs, as a program in another language may pass them, are checked then).
 */
function checkStatements(
    v: ArgValidator,
    arg: string,
    statements: pulumi.Input<pulumi.Input<PolicyStatement>[]> | undefined,
    options: { allowIamWrites: boolean },
): pulumi.Output<PolicyStatement[]> | undefined {
    if (statements === undefined) {
        return undefined;
    }
    const checked = v.check(statements as pulumi.Input<unknown[]>, (list) => statementsProblem(arg, list, options));
    return pulumi.output(checked).apply((resolved) => {
        const problem = statementsProblem(arg, resolved, options);
        if (problem !== undefined) {
            throw v.error(problem);
        }
        return resolved as unknown as PolicyStatement[];
    });
}
