/**
 * Shared pieces of the component library: designation tags and labels, argument validation,
 * IAM policy documents, the resource-option rules every component follows, and the AWS context
 * (account, partition, region) that key and bucket policies need.
 *
 * Components never import from the policy pack: the designation keys below are the contract
 * between the two (docs/design.md, "Designation").
 */
import * as pulumi from "@pulumi/pulumi";

/** AWS tag keys that designate what a resource is for. The policy pack reads them. */
export const TAG_STORE = "sealed-infra:store";
export const TAG_DUTY = "sealed-infra:duty";
export const TAG_PURPOSE = "sealed-infra:purpose";

/**
 * Kubernetes label keys for the same designations. A label key may not contain ":", so the
 * Kubernetes form uses the `sealed-infra.io/` prefix (`sealed-infra.io/duty: deployer`).
 */
export const LABEL_STORE = "sealed-infra.io/store";
export const LABEL_DUTY = "sealed-infra.io/duty";
export const LABEL_PURPOSE = "sealed-infra.io/purpose";

/**
 * What an ImmutableBucket stores: `artifacts` (release artifacts) or `audit-logs` (records). The
 * value of the `sealed-infra:store` designation tag.
 */
// An `as const` object with a type of the same name: TypeScript callers write the string, and the
// package schema gets an enum (a plain union type alias is not inferred as one).
export const StoreKind = {
    /** Release artifacts (packages, bundles, manifests). */
    Artifacts: "artifacts",
    /** Audit records (CloudTrail log files). */
    AuditLogs: "audit-logs",
} as const;
export type StoreKind = (typeof StoreKind)[keyof typeof StoreKind];
export const STORE_KINDS: readonly StoreKind[] = Object.values(StoreKind);
export type Duty = "deployer" | "approver" | "auditor";

/**
 * A whole number. Same as `number` for TypeScript; the package schema types properties declared
 * with it as `integer`, so the SDKs of other languages take an integer (provider/schema/analyzer.ts).
 */
export type Integer = number;
export const PURPOSE_RELEASE_APPROVAL = "release-approval";

/** The ReleaseApproval custom resource (DutyNamespace defines it, ApprovedRelease writes it). */
export const RELEASE_APPROVAL_GROUP = "sealed-infra.io";
export const RELEASE_APPROVAL_VERSION = "v1alpha1";
export const RELEASE_APPROVAL_KIND = "ReleaseApproval";

/** Tags as the AWS provider takes them. */
export type TagsInput = pulumi.Input<Record<string, pulumi.Input<string>>>;

/**
 * An invalid component argument. Thrown while the component is constructed, so `pulumi preview`
 * fails before anything is registered, with a message naming the component and the argument.
 */
export class InvalidArgumentError extends Error {
    constructor(componentType: string, name: string, message: string) {
        super(`${componentType} "${name}": ${message}`);
        this.name = "InvalidArgumentError";
    }
}

/** A validator bound to one component instance, so every message names it the same way. */
export class ArgValidator {
    constructor(
        readonly componentType: string,
        readonly name: string,
    ) {}

    error(message: string): InvalidArgumentError {
        return new InvalidArgumentError(this.componentType, this.name, message);
    }

    /** Checks a value now when it is plain, or when it resolves when it is an Output. */
    check<T>(value: pulumi.Input<T> | undefined, validate: (v: T) => string | undefined): pulumi.Input<T> | undefined {
        if (value === undefined) {
            return undefined;
        }
        if (pulumi.Output.isInstance(value) || isPromiseLike(value)) {
            return pulumi.output(value).apply((v) => {
                const problem = validate(v as T);
                if (problem !== undefined) {
                    throw this.error(problem);
                }
                return v as T;
            }) as pulumi.Input<T>;
        }
        const problem = validate(value as T);
        if (problem !== undefined) {
            throw this.error(problem);
        }
        return value;
    }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
    return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

/** True when a value is a plain (non-Output, non-Promise) value, so it can be validated now. */
export function isPlain<T>(value: pulumi.Input<T> | undefined): value is T {
    return value !== undefined && !pulumi.Output.isInstance(value) && !isPromiseLike(value);
}

/**
 * User tags merged with the designation tags. The designation always wins; a plain user tag that
 * tries to set a designation key to another value is an error rather than silently replaced.
 */
export function designatedTags(
    v: ArgValidator,
    userTags: TagsInput | undefined,
    designation: Record<string, string>,
): pulumi.Output<Record<string, string>> {
    if (isPlain(userTags)) {
        for (const [key, value] of Object.entries(designation)) {
            const user = (userTags as Record<string, pulumi.Input<string>>)[key];
            if (isPlain(user) && user !== value) {
                throw v.error(`tags.${key} is "${user}", but this component sets ${key}=${value}; remove the tag`);
            }
        }
    }
    return pulumi.output(userTags ?? {}).apply((tags) => ({ ...(tags as Record<string, string>), ...designation }));
}

/** Kubernetes labels merged with designation labels (the designation wins, as for tags). */
export function designatedLabels(
    v: ArgValidator,
    userLabels: Record<string, string> | undefined,
    designation: Record<string, string>,
): Record<string, string> {
    for (const [key, value] of Object.entries(designation)) {
        const user = userLabels?.[key];
        if (user !== undefined && user !== value) {
            throw v.error(`labels.${key} is "${user}", but this component sets ${key}=${value}; remove the label`);
        }
    }
    return { ...(userLabels ?? {}), ...designation };
}

/** Whether a policy statement allows or denies. */
export const PolicyEffect = {
    Allow: "Allow",
    Deny: "Deny",
} as const;
export type PolicyEffect = (typeof PolicyEffect)[keyof typeof PolicyEffect];

/**
 * The principals a resource-policy statement names, by kind, each a list (IAM reads a single
 * string and a one-element list alike). Everyone (`"Principal": "*"`) is `{ AWS: ["*"] }`.
 */
export interface PolicyPrincipals {
    /** Account, role or user ARNs (or `*`, everyone). */
    AWS?: pulumi.Input<pulumi.Input<string>[]>;
    /** AWS service principals, e.g. `cloudtrail.amazonaws.com`. */
    Service?: pulumi.Input<pulumi.Input<string>[]>;
    /** SAML or OIDC identity providers (provider ARNs or domains). */
    Federated?: pulumi.Input<pulumi.Input<string>[]>;
    /** Canonical user ids (S3). */
    CanonicalUser?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * An IAM policy statement, as the components take extra statements from their callers. The fields
 * and their names are those of the IAM policy JSON; every list field is a list (IAM reads a single
 * string and a one-element list alike), so the statement has one shape in every Pulumi language.
 */
export interface PolicyStatement {
    /** Statement id. */
    Sid?: pulumi.Input<string>;
    /** `Allow` or `Deny`. */
    Effect: pulumi.Input<PolicyEffect>;
    /** Principals (resource policies only; identity-policy statements have none). */
    Principal?: pulumi.Input<PolicyPrincipals>;
    /** Every principal except these (resource policies only). */
    NotPrincipal?: pulumi.Input<PolicyPrincipals>;
    /** Actions, e.g. `s3:GetObject`; wildcards as IAM matches them. */
    Action?: pulumi.Input<pulumi.Input<string>[]>;
    /** Every action except these. */
    NotAction?: pulumi.Input<pulumi.Input<string>[]>;
    /** Resource ARNs (or `*`). */
    Resource?: pulumi.Input<pulumi.Input<string>[]>;
    /** Every resource except these. */
    NotResource?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Conditions: condition operator (e.g. `StringEquals`) to condition key (e.g. `aws:SourceArn`) to
     * the values (IAM matches any of them). Booleans and numbers are written as strings (`"true"`).
     */
    Condition?: pulumi.Input<Record<string, pulumi.Input<Record<string, pulumi.Input<pulumi.Input<string>[]>>>>>;
}

const STATEMENT_FIELDS = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"] as const;
const PRINCIPAL_FIELDS = ["AWS", "Service", "Federated", "CanonicalUser"] as const;

/**
 * A caller's statement with its fields in IAM's order, principals in PolicyPrincipals' order and
 * conditions sorted by operator and key. Programs in other languages pass objects whose key order
 * is lost on the way (a protobuf Struct has none), so without this the same statement would render
 * as a different policy document, and a stack moving between languages would see a change.
 */
export function canonicalStatement(statement: PolicyStatement): PolicyStatement {
    const s = statement as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const field of STATEMENT_FIELDS) {
        if (s[field] === undefined) {
            continue;
        }
        if ((field === "Principal" || field === "NotPrincipal") && isPlainObject(s[field])) {
            const p = s[field] as Record<string, unknown>;
            out[field] = Object.fromEntries(PRINCIPAL_FIELDS.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
        } else if (field === "Condition" && isPlainObject(s[field])) {
            out[field] = sortedKeys(s[field] as Record<string, unknown>, (values) => (isPlainObject(values) ? sortedKeys(values as Record<string, unknown>) : values));
        } else {
            out[field] = s[field];
        }
    }
    return out as unknown as PolicyStatement;
}

function isPlainObject(value: unknown): boolean {
    return value !== null && typeof value === "object" && !Array.isArray(value) && isPlain(value);
}

function sortedKeys(record: Record<string, unknown>, mapValue: (v: unknown) => unknown = (v) => v): Record<string, unknown> {
    return Object.fromEntries(
        Object.keys(record)
            .sort()
            .map((k) => [k, mapValue(record[k])]),
    );
}

/** True when a list field of a statement (possibly not known yet) contains `value`. */
export function listIncludes(list: unknown, value: string): boolean {
    return Array.isArray(list) ? list.includes(value) : list === value;
}

/** A policy document as a JSON string; nested Outputs in the statements are resolved. */
export function policyDocument(statements: pulumi.Input<unknown>[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** Resolves the `protect` option of the critical children: arg, then component option, then true. */
export function resolveProtect(argProtect: boolean | undefined, opts: pulumi.ComponentResourceOptions | undefined): boolean {
    if (argProtect !== undefined) {
        return argProtect;
    }
    return opts?.protect ?? true;
}

/** The account, partition and region the stack deploys into (from the provider's caller identity). */
export interface AwsContext {
    accountId: pulumi.Output<string>;
    partition: pulumi.Output<string>;
    region: pulumi.Output<string>;
}

/** Overrides for {@link awsContext}: useful when the caller identity cannot be queried. */
export interface AwsContextArgs {
    /** AWS account id the resources live in. Default: the provider's caller identity. */
    accountId?: pulumi.Input<string>;
    /** AWS partition (`aws`, `aws-us-gov`, `aws-cn`). Default: the provider's partition. */
    partition?: pulumi.Input<string>;
    /** AWS region. Default: the provider's region. */
    region?: pulumi.Input<string>;
}

export function awsContext(parent: pulumi.Resource, overrides: AwsContextArgs = {}): AwsContext {
    // Loaded lazily so the Kubernetes components never load the AWS SDK.
    const aws = require("@pulumi/aws") as typeof import("@pulumi/aws");
    const invokeOpts = { parent };
    return {
        accountId:
            overrides.accountId !== undefined
                ? pulumi.output(overrides.accountId)
                : aws.getCallerIdentityOutput({}, invokeOpts).accountId,
        partition:
            overrides.partition !== undefined
                ? pulumi.output(overrides.partition)
                : aws.getPartitionOutput({}, invokeOpts).partition,
        region: overrides.region !== undefined ? pulumi.output(overrides.region) : aws.getRegionOutput({}, invokeOpts).region,
    };
}

/** A principal ARN with a wildcard would grant more than the principals it seems to name. */
export function isWildcardPrincipal(arn: string): boolean {
    return arn.includes("*") || arn.includes("?");
}

const PRINCIPAL_ARN = /^arn:[a-z-]+:iam::[^:]*:(root|role\/.+|user\/.+)$/;

/**
 * Validates a list of IAM principal ARNs (roles, users, account roots): plain entries now, the
 * whole list again when it resolves. Returns the list as an Output of plain strings.
 */
export function checkPrincipalArns(
    v: ArgValidator,
    arg: string,
    list: pulumi.Input<pulumi.Input<string>[]>,
    options: { required: boolean; allowRoot?: boolean; rootProblem?: string },
): pulumi.Output<string[]> {
    const entryProblem = (arn: unknown): string | undefined => {
        if (typeof arn !== "string") {
            return `${arg} must list principal ARNs (strings), found ${JSON.stringify(arn)}`;
        }
        if (isWildcardPrincipal(arn)) {
            return `${arg} must list principal ARNs without wildcards, found "${arn}"`;
        }
        if (!PRINCIPAL_ARN.test(arn)) {
            return `${arg} entry "${arn}" is not an IAM role, user or account-root ARN`;
        }
        if (options.allowRoot === false && arn.endsWith(":root")) {
            return `${arg} entry "${arn}" is an account root, ${options.rootProblem ?? "which would include every principal of the account"}; name roles or users`;
        }
        return undefined;
    };
    const listProblem = (arns: unknown[]): string | undefined => {
        if (options.required && arns.length === 0) {
            return `${arg} must name at least one principal`;
        }
        return undefined;
    };
    if (isPlain(list)) {
        const entries = list as pulumi.Input<string>[];
        const problem = listProblem(entries) ?? entries.filter((e) => isPlain(e)).map(entryProblem).find((p) => p !== undefined);
        if (problem !== undefined) {
            throw v.error(problem);
        }
    }
    return pulumi.output(list).apply((arns) => {
        const problem = listProblem(arns) ?? arns.map(entryProblem).find((p) => p !== undefined);
        if (problem !== undefined) {
            throw v.error(problem);
        }
        return arns as string[];
    });
}

/**
 * True when a Principal element names everyone: `"*"` or `{ AWS: "*" }` in policy JSON, or
 * `{ AWS: ["*"] }` as a {@link PolicyStatement} writes it.
 */
export function principalIsEveryone(principal: unknown): boolean {
    if (principal === "*") {
        return true;
    }
    if (principal !== null && typeof principal === "object") {
        return listIncludes((principal as Record<string, unknown>).AWS, "*");
    }
    return false;
}
