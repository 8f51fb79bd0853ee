import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ArgValidator,
    Integer,
    canonicalStatement,
    PolicyStatement,
    STORE_KINDS,
    StoreKind,
    TAG_DUTY,
    TAG_STORE,
    TagsInput,
    checkPrincipalArns,
    designatedTags,
    isPlain,
    policyDocument,
    principalIsEveryone,
    resolveProtect,
} from "../common";
import { createManagedKey } from "./keys";

/**
 * Who may write an artifact store by default: roles under the DutyRoles path (`/sealed-infra/duty/`,
 * any account and partition; a bucket policy grants no other account anything) that also carry
 * `sealed-infra:duty=deployer`.
 */
export const DEFAULT_ARTIFACT_WRITER_ARN = "arn:*:iam::*:role/sealed-infra/duty/*";

/** The shortest default Object Lock retention ImmutableBucket accepts. */
export const MIN_RETENTION_DAYS = 30;
/** Default Object Lock retention: one year. */
export const DEFAULT_RETENTION_DAYS = 365;
/** The longest retention S3 accepts (100 years). */
export const MAX_RETENTION_DAYS = 36500;

export type PolicyStatementsInput = pulumi.Input<pulumi.Input<PolicyStatement>[]>;

/**
 * Stands for the bucket's own ARN in `policyStatements` (e.g. `{bucketArn}/AWSLogs/*`): the bucket
 * may be auto-named, so its ARN is not known when the statements are written.
 */
export const BUCKET_ARN_PLACEHOLDER = "{bucketArn}";

export interface ImmutableBucketArgs {
    /**
     * What the bucket stores: `"artifacts"` (release artifacts) or `"audit-logs"` (records). Sets the
     * `sealed-infra:store` designation tag that the policy pack uses to apply the store guarantees.
     * Default `"artifacts"`.
     */
    kind?: StoreKind;
    /** Physical bucket name. Default: auto-named from the resource name. */
    bucketName?: pulumi.Input<string>;
    /**
     * Default Object Lock retention in days, in COMPLIANCE mode: no one, not even the account root,
     * can delete or overwrite an object version before it ends. At least 30 (`MIN_RETENTION_DAYS`),
     * at most 36500. Default 365. Raise it, never lower it: S3 keeps existing versions locked for the
     * retention they were written with.
     */
    retentionDays?: pulumi.Input<Integer>;
    /**
     * ARN of a customer-managed KMS key for SSE-KMS default encryption. Default: a new symmetric key
     * with rotation on and a 30-day deletion window, created as a child of this component.
     */
    kmsKeyArn?: pulumi.Input<string>;
    /**
     * AWS partition (`aws`, `aws-us-gov`, `aws-cn`) of the bucket's ARN in its policy. Default: the
     * provider's partition.
     */
    partition?: pulumi.Input<string>;
    /**
     * Extra statements appended to the bucket policy after the TLS-only deny (e.g. letting CloudTrail
     * write). `{bucketArn}` in any of their strings stands for the bucket's ARN (`BUCKET_ARN_PLACEHOLDER`),
     * e.g. `Resource: ["{bucketArn}/AWSLogs/*"]`. An `Allow` to everyone (`AWS: ["*"]`) without a
     * condition is rejected; a `Deny` can only add restrictions. Default: none.
     */
    policyStatements?: PolicyStatementsInput;
    /**
     * Role or user ARNs (no wildcards, no account roots) that may write objects. The bucket policy
     * denies `s3:PutObject` to every other principal (`aws:PrincipalArn`), whatever their IAM policies
     * allow, so no one else can add a new current version beside a released artifact.
     *
     * Default for `kind: "artifacts"`: the deployer roles of `DutyRoles` (roles under
     * `/sealed-infra/duty/` tagged `sealed-infra:duty=deployer`; the deployer cannot create roles
     * there or change their tags). Default for `kind: "audit-logs"`: no writer statement, because
     * services write audit logs; restrict the writer with a Deny in `policyStatements` keyed on
     * `aws:SourceArn`, as `AuditTrail` does.
     */
    writerPrincipalArns?: pulumi.Input<pulumi.Input<string>[]>;
    /** Tags for every resource of the component; the `sealed-infra:store` tag cannot be overridden. */
    tags?: TagsInput;
    /**
     * Pulumi `protect` for the bucket, its versioning, Object Lock, encryption, public-access block,
     * policy and key. Default `true` (or the component's own `protect` option when set); set `false`
     * only for throwaway stacks. Object Lock still keeps locked versions when the stack is destroyed.
     */
    protect?: boolean;
}

/**
 * An S3 bucket that cannot lose or change what it stores: versioning, Object Lock in COMPLIANCE
 * mode with a default retention, SSE-KMS with a customer key, all public access blocked, owner-
 * enforced object ownership, a policy that denies non-TLS requests, and the `sealed-infra:store`
 * designation tag. Built from the split S3 resources of the AWS provider v7.
 */
export class ImmutableBucket extends pulumi.ComponentResource {
    /** The bucket. */
    readonly bucket: aws.s3.Bucket;
    /** The physical bucket name. */
    readonly bucketName: pulumi.Output<string>;
    /** The bucket ARN. */
    readonly bucketArn: pulumi.Output<string>;
    /** The KMS key encrypting the objects (created here unless `kmsKeyArn` was given). */
    readonly kmsKeyArn: pulumi.Output<string>;
    /** The key created by the component, if any. */
    readonly kmsKey?: aws.kms.Key;
    /** What the bucket stores (`sealed-infra:store` tag value). */
    readonly kind: StoreKind;
    /** Default Object Lock retention in days. */
    readonly retentionDays: pulumi.Output<Integer>;
    /** Versioning, enabled (kept on destroy: S3 refuses to suspend it on an Object Lock bucket). */
    readonly versioning: aws.s3.BucketVersioning;
    /** The Object Lock configuration: COMPLIANCE mode, `retentionDays`. */
    readonly objectLock: aws.s3.BucketObjectLockConfiguration;
    /** SSE-KMS default encryption with the bucket key. */
    readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration;
    /** All four public-access blocks on. */
    readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
    /** Object ownership `BucketOwnerEnforced` (no ACLs). */
    readonly ownershipControls: aws.s3.BucketOwnershipControls;
    /** The bucket policy: TLS only, the writer denies, and `policyStatements`. */
    readonly policy: aws.s3.BucketPolicy;

    constructor(name: string, args: ImmutableBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("sealed-infra:aws:ImmutableBucket", name, {}, opts);
        const v = new ArgValidator("ImmutableBucket", name);

        const kind = args.kind ?? "artifacts";
        if (!STORE_KINDS.includes(kind)) {
            throw v.error(`kind must be one of ${STORE_KINDS.map((k) => `"${k}"`).join(", ")}, found "${String(kind)}"`);
        }
        const retention = v.check(args.retentionDays ?? DEFAULT_RETENTION_DAYS, (days) =>
            Number.isInteger(days) && days >= MIN_RETENTION_DAYS && days <= MAX_RETENTION_DAYS
                ? undefined
                : `retentionDays must be a whole number of days between ${MIN_RETENTION_DAYS} and ${MAX_RETENTION_DAYS}, found ${days}`,
        ) as pulumi.Input<number>;
        const writers =
            args.writerPrincipalArns !== undefined
                ? checkPrincipalArns(v, "writerPrincipalArns", args.writerPrincipalArns, { required: true, allowRoot: false })
                : undefined;
        const protect = resolveProtect(args.protect, opts);
        const tags = designatedTags(v, args.tags, { [TAG_STORE]: kind });
        const critical = { parent: this, protect };

        if (args.kmsKeyArn === undefined) {
            this.kmsKey = createManagedKey(this, `${name}-key`, {
                description: `sealed-infra ImmutableBucket ${name} (${kind}) encryption key`,
                tags,
                protect,
            });
        }
        this.kmsKeyArn = this.kmsKey ? this.kmsKey.arn : pulumi.output(args.kmsKeyArn as pulumi.Input<string>);

        this.bucket = new aws.s3.Bucket(
            name,
            {
                bucket: args.bucketName,
                objectLockEnabled: true,
                forceDestroy: false,
                tags,
            },
            critical,
        );
        const bucketId = this.bucket.id;

        this.versioning = new aws.s3.BucketVersioning(
            `${name}-versioning`,
            { bucket: bucketId, versioningConfiguration: { status: "Enabled" } },
            // Deleting this resource would suspend versioning, which S3 refuses on an Object Lock
            // bucket; on destroy Pulumi forgets it instead (versioning stays on with the bucket).
            { ...critical, retainOnDelete: true },
        );
        this.objectLock = new aws.s3.BucketObjectLockConfiguration(
            `${name}-object-lock`,
            {
                bucket: bucketId,
                objectLockEnabled: "Enabled",
                rule: { defaultRetention: { mode: "COMPLIANCE", days: retention } },
            },
            { ...critical, dependsOn: [this.versioning] },
        );
        this.encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucketId,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.kmsKeyArn },
                        bucketKeyEnabled: true,
                    },
                ],
            },
            critical,
        );
        this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            {
                bucket: bucketId,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            critical,
        );
        this.ownershipControls = new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } },
            critical,
        );
        // The ARN from the bucket's name, which the provider assigns at plan time: known in a preview,
        // so the pack verifies the policy below in every preview (bucket.arn is known only after create).
        const partition = args.partition !== undefined ? pulumi.output(args.partition) : aws.getPartitionOutput({}, { parent: this }).partition;
        const arn = pulumi.interpolate`arn:${partition}:s3:::${this.bucket.bucket}`;
        const objects = pulumi.interpolate`${arn}/*`;
        const writerStatements: pulumi.Input<unknown>[] = [];
        if (writers !== undefined) {
            writerStatements.push({
                Sid: "DenyWritesExceptWriters",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:PutObject",
                Resource: objects,
                Condition: { ArnNotLike: { "aws:PrincipalArn": writers } },
            });
        } else if (kind === "artifacts") {
            // Two statements, because a Deny's conditions are ANDed: deny unless the caller is a role
            // under the duty path AND tagged as the deployer.
            writerStatements.push(
                {
                    Sid: "DenyWritesExceptDutyRoles",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:PutObject",
                    Resource: objects,
                    Condition: { ArnNotLike: { "aws:PrincipalArn": DEFAULT_ARTIFACT_WRITER_ARN } },
                },
                {
                    Sid: "DenyWritesExceptDeployer",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:PutObject",
                    Resource: objects,
                    Condition: { StringNotEquals: { [`aws:PrincipalTag/${TAG_DUTY}`]: "deployer" } },
                },
            );
        }
        // Checked now when plain (so preview fails early), and again once every value has resolved.
        const extraStatements = pulumi
            .all([pulumi.output(checkStatements(v, args.policyStatements)), arn])
            .apply(([list, bucketArn]) => {
                const problem = statementsProblem(list as PolicyStatement[]);
                if (problem !== undefined) {
                    throw v.error(problem);
                }
                return (list as PolicyStatement[]).map((s) => canonicalStatement(withBucketArn(s, bucketArn)));
            });
        this.policy = new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucketId,
                policy: pulumi.output(extraStatements).apply((extra) =>
                    policyDocument([
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [arn, objects],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                        ...writerStatements,
                        ...extra,
                    ]),
                ),
            },
            { ...critical, dependsOn: [this.publicAccessBlock, this.ownershipControls] },
        );

        this.kind = kind;
        this.bucketName = this.bucket.bucket;
        this.bucketArn = arn;
        this.retentionDays = pulumi.output(retention);
        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            kmsKeyArn: this.kmsKeyArn,
            kind: this.kind,
            retentionDays: this.retentionDays,
        });
    }
}

/** A statement with every `{bucketArn}` in its strings replaced by the bucket's ARN. */
export function withBucketArn<T>(value: T, bucketArn: string): T {
    if (typeof value === "string") {
        return value.split(BUCKET_ARN_PLACEHOLDER).join(bucketArn) as T;
    }
    if (Array.isArray(value)) {
        return value.map((item) => withBucketArn(item, bucketArn)) as T;
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, withBucketArn(item, bucketArn)])) as T;
    }
    return value;
}

/** Why extra bucket-policy statements would open the bucket, or undefined. Statements not known yet pass. */
function statementsProblem(list: unknown[]): string | undefined {
    if (!Array.isArray(list)) {
        return "policyStatements must be a list of statements";
    }
    for (const [i, s] of list.entries()) {
        if (!isPlain(s)) {
            continue;
        }
        const st = s as PolicyStatement;
        if (st === null || typeof st !== "object" || (isPlain(st.Effect) && st.Effect !== "Allow" && st.Effect !== "Deny")) {
            return `policyStatements[${i}] must be a statement with Effect "Allow" or "Deny"`;
        }
        if (st.Effect === "Allow" && (principalIsEveryone(st.Principal) || st.NotPrincipal !== undefined) && st.Condition === undefined) {
            return `policyStatements[${i}]${st.Sid ? ` ("${st.Sid}")` : ""} allows everyone without a condition; name the principals or add a condition`;
        }
    }
    return undefined;
}

/** Rejects extra bucket-policy statements that would open the bucket (plain ones now, the rest when they resolve). */
function checkStatements(
    v: ArgValidator,
    statements: pulumi.Input<pulumi.Input<PolicyStatement>[]> | undefined,
): pulumi.Input<pulumi.Input<PolicyStatement>[]> {
    if (statements === undefined) {
        return [];
    }
    return v.check(statements as pulumi.Input<PolicyStatement[]>, statementsProblem) as pulumi.Input<pulumi.Input<PolicyStatement>[]>;
}
