/**
 * The duty model: a duty is a set of permissions (AWS actions optionally scoped to resources, and
 * Kubernetes RBAC rules); some pairs of duties conflict. Defaults follow docs/design.md "Duty model";
 * config can replace or extend both the duties and the conflicts. The components' action lists
 * (components/aws/duties.ts) are the same actions; test/duty-lists.test.ts proves it, since
 * neither side may import the other.
 *
 * AWS resource scopes are ARN patterns or designation tokens resolved against the stack:
 *   `designated:store`                 designated S3 stores (bucket and objects)
 *   `designated:release-approval-key`  KMS keys tagged sealed-infra:purpose=release-approval
 *   `designated:log-key`               KMS keys that encrypt trails and log groups
 *   `designated:audit-log-group`       log groups tagged sealed-infra:store|purpose=audit-logs, named like
 *                                      `auditLogGroupNamePatterns`, or receiving a trail
 * A token resolves to the ARNs of those resources (a pattern of their type while unknown), plus
 * the ARN patterns config lists under `designatedResourceArns` for resources in other stacks.
 */
import type { ConfigOption } from "../../framework/definition";
import { read } from "../../framework/values";
import { StoreDesignationConfig, storeDesignation, storeDesignationOptions } from "../designation";
import { hasTag, PURPOSE_RELEASE_APPROVAL, TAG_PURPOSE, TAG_STORE } from "../../framework/tags";
import { globMatch } from "../../shared/glob";
import { S3_BUCKETS } from "../resource-types";
import type { StackModel } from "../../sdk/stack-model";
import { expandActionPattern } from "../iam/catalogue";
import { hasWildcard, SEG } from "../iam/glob";

const UNKNOWN_KEY = `arn:aws:kms:${SEG}:${SEG}:key/${SEG}`;
import { KMS_KEY } from "../iam/types";

export interface AwsDutyPermission {
    /** Actions (wildcards allowed; expanded against the action catalogue). */
    actions: string[];
    /** ARN patterns or designation tokens; default `["*"]`. */
    resources?: string[];
}

export interface K8sDutyPermission {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    /** Limit to these namespaces (default: any). */
    namespaces?: string[];
}

export interface DutyDefinition {
    description: string;
    aws?: AwsDutyPermission[];
    kubernetes?: K8sDutyPermission[];
}

export type DutyMap = Record<string, DutyDefinition>;

const K8S_WRITE = ["create", "update", "patch", "delete"];

export const DEFAULT_DUTIES: DutyMap = {
    deploy: {
        description: "change running infrastructure",
        aws: [
            {
                actions: [
                    "cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:DeleteStack", "cloudformation:CreateChangeSet",
                    "cloudformation:ExecuteChangeSet", "cloudformation:CreateStackSet", "cloudformation:UpdateStackSet",
                    "cloudformation:CreateStackInstances", "cloudformation:UpdateStackInstances",
                    "ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition",
                    "ecs:RunTask", "ecs:StartTask",
                    "lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PublishVersion",
                    "lambda:CreateAlias", "lambda:UpdateAlias", "lambda:DeleteAlias", "lambda:DeleteFunction",
                    "codedeploy:CreateDeployment",
                    "ec2:RunInstances", "ec2:TerminateInstances", "ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion",
                    "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplate",
                    "autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup", "autoscaling:DeleteAutoScalingGroup",
                    "autoscaling:StartInstanceRefresh",
                ],
            },
        ],
        kubernetes: [
            {
                apiGroups: ["", "apps", "batch", "extensions"],
                resources: ["pods", "deployments", "statefulsets", "daemonsets", "replicasets", "replicationcontrollers", "jobs", "cronjobs"],
                verbs: K8S_WRITE,
            },
        ],
    },
    approve: {
        description: "approve a release",
        aws: [
            {
                actions: [
                    "codepipeline:PutApprovalResult",
                    "codecommit:UpdatePullRequestApprovalState", "codecommit:OverridePullRequestApprovalRules",
                    "codecommit:UpdatePullRequestApprovalRuleContent",
                    "signer:StartSigningJob", "signer:SignPayload",
                ],
            },
            { actions: ["kms:Sign"], resources: ["designated:release-approval-key"] },
        ],
        kubernetes: [{ apiGroups: ["sealed-infra.io"], resources: ["releaseapprovals"], verbs: K8S_WRITE }],
    },
    "audit-admin": {
        description: "weaken the records",
        aws: [
            {
                actions: [
                    "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors", "cloudtrail:PutInsightSelectors",
                    "cloudtrail:DeleteEventDataStore", "cloudtrail:UpdateEventDataStore",
                ],
            },
            {
                actions: ["logs:DeleteLogGroup", "logs:DeleteLogStream", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey"],
                resources: ["designated:audit-log-group"],
            },
            {
                actions: [
                    "s3:PutBucketObjectLockConfiguration", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
                    "s3:PutBucketVersioning", "s3:BypassGovernanceRetention", "s3:PutObjectLegalHold", "s3:DeleteBucket",
                ],
                resources: ["designated:store"],
            },
        ],
    },
    "key-admin": {
        description: "control approval and log keys",
        aws: [
            {
                actions: [
                    "kms:PutKeyPolicy", "kms:CreateGrant", "kms:RevokeGrant", "kms:RetireGrant", "kms:DisableKey", "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion", "kms:DisableKeyRotation", "kms:DeleteImportedKeyMaterial", "kms:UpdateAlias", "kms:DeleteAlias",
                ],
                resources: ["designated:release-approval-key", "designated:log-key"],
            },
        ],
    },
};

export const DEFAULT_CONFLICTS: [string, string][] = [
    ["deploy", "approve"],
    ["deploy", "audit-admin"],
    ["deploy", "key-admin"],
    ["approve", "audit-admin"],
];

/** Config shared by the duty policies (each policy documents it in its own `config`). */
export interface DutyConfig extends StoreDesignationConfig {
    duties: DutyMap;
    replaceDefaultDuties: boolean;
    conflicts: [string, string][];
    replaceDefaultConflicts: boolean;
    breakGlassPrincipals: string[];
    designatedResourceArns: Record<string, string[]>;
    auditLogGroupNamePatterns: string[];
}

const dutySchema = {
    type: "object",
    additionalProperties: {
        type: "object",
        required: ["description"],
        properties: {
            description: { type: "string" },
            aws: {
                type: "array",
                items: {
                    type: "object",
                    required: ["actions"],
                    properties: { actions: { type: "array", items: { type: "string" } }, resources: { type: "array", items: { type: "string" } } },
                },
            },
            kubernetes: {
                type: "array",
                items: {
                    type: "object",
                    required: ["apiGroups", "resources", "verbs"],
                    properties: {
                        apiGroups: { type: "array", items: { type: "string" } },
                        resources: { type: "array", items: { type: "string" } },
                        verbs: { type: "array", items: { type: "string" } },
                        namespaces: { type: "array", items: { type: "string" } },
                    },
                },
            },
        },
    },
};

export const dutyConfigOptions: { [K in keyof DutyConfig]: ConfigOption<DutyConfig[K]> } = {
    duties: {
        description:
            "Extra duties, or replacements for default duties of the same name (`deploy`, `approve`, `audit-admin`, `key-admin`): " +
            "`{ name: { description, aws: [{ actions, resources? }], kubernetes: [{ apiGroups, resources, verbs, namespaces? }] } }`. " +
            "AWS actions may use wildcards (expanded against the action catalogue); resources are ARN patterns or `designated:store`, " +
            "`designated:release-approval-key`, `designated:log-key`, `designated:audit-log-group`.",
        default: {},
        schema: dutySchema,
    },
    replaceDefaultDuties: {
        description: "Use only the duties in `duties` (default: they extend and override the built-in duties).",
        default: false,
        schema: { type: "boolean" },
    },
    conflicts: {
        description:
            "Extra pairs of conflicting duties (default conflicts: deploy×approve, deploy×audit-admin, deploy×key-admin, approve×audit-admin).",
        default: [],
        schema: { type: "array", items: { type: "array", items: { type: "string" }, minItems: 2, maxItems: 2 } },
    },
    replaceDefaultConflicts: {
        description: "Use only the pairs in `conflicts` (default: they extend the built-in conflicts).",
        default: false,
        schema: { type: "boolean" },
    },
    breakGlassPrincipals: {
        description:
            "Break-glass principals exempt from this policy: glob patterns (`*` any characters) on the Pulumi resource name, the IAM name or ARN, " +
            "or a Kubernetes subject (`User:alice`, `Group:oncall`, `ServiceAccount:ns/name`). Escalation *to* them is still reported.",
        default: [],
        schema: { type: "array", items: { type: "string", minLength: 1 } },
    },
    designatedResourceArns: {
        description:
            "ARN patterns of designated resources outside this stack, per token: `{ \"store\": [...], \"release-approval-key\": [...], \"log-key\": [...], \"audit-log-group\": [...] }`.",
        default: {},
        schema: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
    },
    auditLogGroupNamePatterns: {
        description:
            "Glob patterns (`*` any characters) on the Pulumi name or the log group name of audit log groups (whose deletion or retention change is `audit-admin`), besides those tagged `sealed-infra:store` or `sealed-infra:purpose` = `audit-logs` and those a trail writes to.",
        default: ["*cloudtrail*", "*audit*"],
        schema: { type: "array", items: { type: "string", minLength: 1 } },
    },
    ...storeDesignationOptions,
};

export interface ResolvedAwsCheck {
    /** Lower-case concrete action. */
    action: string;
    /** The action as the duty spells it (for messages). */
    display: string;
    /** ARN patterns the duty covers for this action (any of them). */
    scopes: string[];
}

export interface ResolvedDuty {
    name: string;
    description: string;
    bit: number;
    aws: ResolvedAwsCheck[];
    /** Services (lower-case) of the AWS checks, for cheap pre-filtering. */
    services: Set<string>;
    kubernetes: K8sDutyPermission[];
}

export interface ResolvedDuties {
    duties: ResolvedDuty[];
    byName: Map<string, ResolvedDuty>;
    /** Pairs of bit masks that conflict, with names. */
    conflicts: { a: ResolvedDuty; b: ResolvedDuty }[];
    /** Config problems (an unknown duty in a conflict, an action pattern that matches nothing). */
    warnings: string[];
}

function designatedArns(stack: StackModel, token: string, config: DutyConfig): string[] {
    const out = [...(config.designatedResourceArns[token] ?? [])];
    const arnOf = (props: Readonly<Record<string, unknown>>, fallback: string) => {
        const v = read(props, "arn");
        return v.state === "known" && typeof v.value === "string" ? v.value : fallback;
    };
    if (token === "store") {
        for (const b of stack.ofTypes(S3_BUCKETS)) {
            const d = storeDesignation(b, config);
            if (d.designated === false) {
                continue;
            }
            const name = read(b.props, b.type.startsWith("aws-native:") ? "bucketName" : "bucket");
            const arn = name.state === "known" && typeof name.value === "string" ? `arn:aws:s3:::${name.value}` : arnOf(b.props, `arn:aws:s3:::${SEG}`);
            out.push(arn, `${arn}/*`);
        }
    } else if (token === "release-approval-key") {
        for (const k of stack.ofTypes([KMS_KEY.aws, KMS_KEY.native, KMS_KEY.replica])) {
            if (hasTag(k, TAG_PURPOSE, PURPOSE_RELEASE_APPROVAL)) {
                out.push(arnOf(k.props, UNKNOWN_KEY));
            }
        }
    } else if (token === "audit-log-group") {
        const fromTrails = new Set<string>();
        for (const trail of stack.ofTypes(["aws:cloudtrail/trail:Trail", "aws-native:cloudtrail:Trail"])) {
            for (const urn of trail.propertyDependencies.cloudWatchLogsGroupArn ?? trail.propertyDependencies.cloudWatchLogsLogGroupArn ?? []) {
                fromTrails.add(urn);
            }
        }
        for (const g of stack.ofTypes(["aws:cloudwatch/logGroup:LogGroup", "aws-native:logs:LogGroup"])) {
            const name = read(g.props, g.type.startsWith("aws-native:") ? "logGroupName" : "name");
            const physical = name.state === "known" && typeof name.value === "string" ? name.value : undefined;
            const audit =
                fromTrails.has(g.urn) ||
                hasTag(g, TAG_STORE, "audit-logs") ||
                hasTag(g, TAG_PURPOSE, "audit-logs") ||
                config.auditLogGroupNamePatterns.some((p) => globMatch(p, g.name) || (physical !== undefined && globMatch(p, physical)));
            if (audit) {
                // The group (whose ARN ends in ":*") and its streams; SEG keeps each within its segment.
                const base = `arn:aws:logs:${SEG}:${SEG}:log-group:${physical ?? SEG}`;
                out.push(base, `${base}:${SEG}`, `${base}:log-stream:${SEG}`);
            }
        }
    } else if (token === "log-key") {
        const keys = new Set<string>();
        for (const holder of stack.ofTypes(["aws:cloudtrail/trail:Trail", "aws:cloudwatch/logGroup:LogGroup", "aws-native:cloudtrail:Trail", "aws-native:logs:LogGroup"])) {
            for (const urn of holder.propertyDependencies.kmsKeyId ?? []) {
                keys.add(urn);
            }
        }
        for (const urn of keys) {
            const k = stack.byUrn.get(urn);
            if (k && (k.type === KMS_KEY.aws || k.type === KMS_KEY.native || k.type === KMS_KEY.replica)) {
                out.push(arnOf(k.props, UNKNOWN_KEY));
            }
        }
    }
    return [...new Set(out)];
}

/** Duties and conflicts after config, with designation tokens resolved against the stack. */
export function resolveDuties(stack: StackModel, config: DutyConfig): ResolvedDuties {
    const defs: DutyMap = config.replaceDefaultDuties ? { ...config.duties } : { ...DEFAULT_DUTIES, ...config.duties };
    const warnings: string[] = [];
    const duties: ResolvedDuty[] = [];
    const byName = new Map<string, ResolvedDuty>();
    const tokenCache = new Map<string, string[]>();
    Object.entries(defs).forEach(([name, def], bit) => {
        if (bit >= 31) {
            warnings.push(`duty "${name}" ignored: at most 31 duties are supported`);
            return;
        }
        const checks = new Map<string, Set<string>>();
        const display = new Map<string, string>();
        for (const perm of def.aws ?? []) {
            const scopes: string[] = [];
            for (const r of perm.resources ?? ["*"]) {
                if (r.startsWith("designated:")) {
                    const token = r.slice("designated:".length);
                    if (!tokenCache.has(token)) {
                        tokenCache.set(token, designatedArns(stack, token, config));
                    }
                    scopes.push(...tokenCache.get(token)!);
                } else {
                    scopes.push(r);
                }
            }
            if (scopes.length === 0) {
                continue; // nothing designated in this stack: the permission covers nothing here
            }
            for (const pattern of perm.actions) {
                const actions = hasWildcard(pattern) ? expandActionPattern(pattern) : [pattern.toLowerCase()];
                if (!hasWildcard(pattern)) {
                    display.set(pattern.toLowerCase(), pattern);
                }
                if (actions.length === 0) {
                    warnings.push(`duty "${name}": action pattern "${pattern}" matches no known action`);
                }
                for (const a of actions) {
                    const set = checks.get(a) ?? new Set<string>();
                    scopes.forEach((s) => set.add(s));
                    checks.set(a, set);
                }
            }
        }
        const aws = [...checks].map(([action, scopes]) => ({ action, display: display.get(action) ?? action, scopes: [...scopes] }));
        const duty: ResolvedDuty = {
            name,
            description: def.description,
            bit,
            aws,
            services: new Set(aws.map((c) => c.action.slice(0, c.action.indexOf(":")))),
            kubernetes: def.kubernetes ?? [],
        };
        duties.push(duty);
        byName.set(name, duty);
    });
    const pairs = config.replaceDefaultConflicts ? config.conflicts : [...DEFAULT_CONFLICTS, ...config.conflicts];
    const conflicts: ResolvedDuties["conflicts"] = [];
    const seen = new Set<string>();
    for (const pair of pairs) {
        const [a, b] = pair.map((n) => byName.get(n));
        if (!a || !b) {
            warnings.push(`conflict ${JSON.stringify(pair)} names an undefined duty`);
            continue;
        }
        const key = [a.name, b.name].sort().join("\u0000");
        if (a !== b && !seen.has(key)) {
            seen.add(key);
            conflicts.push({ a, b });
        }
    }
    return { duties, byName, conflicts, warnings };
}

/** Whether a name/ARN/URN/subject matches the break-glass patterns. */
export function isBreakGlass(candidates: readonly string[], patterns: readonly string[]): string | undefined {
    return patterns.find((p) => candidates.some((c) => globMatch(p, c)));
}
