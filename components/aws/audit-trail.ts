import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgValidator, AwsContextArgs, Integer, TAG_STORE, TagsInput, awsContext, designatedTags, policyDocument, resolveProtect } from "../common";
import { BUCKET_ARN_PLACEHOLDER, ImmutableBucket } from "./immutable-bucket";
import { createManagedKey } from "./keys";

const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/;

export interface AuditTrailArgs extends AwsContextArgs {
    /**
     * Physical trail name (3–128 letters, digits, `.`, `_`, `-`). Default: the resource name. Known
     * before deployment so the bucket and key policies can name the trail as the only writer.
     */
    trailName?: string;
    /** Name of the audit-log bucket the component creates. Default: auto-named. */
    bucketName?: pulumi.Input<string>;
    /** Object Lock retention of the log files, in days (see `ImmutableBucket.retentionDays`). Default 365. */
    retentionDays?: pulumi.Input<Integer>;
    /**
     * Also deliver events to a CloudWatch Logs group that never expires, is encrypted with the trail
     * key and is kept on destroy (`skipDestroy`). Default `false`.
     */
    cloudWatchLogs?: boolean;
    /** Name of the CloudWatch Logs group. Default `/aws/cloudtrail/<trailName>`. */
    logGroupName?: string;
    /**
     * Log every account of the AWS Organization (the stack must run in the management or delegated
     * administrator account). Default `false`.
     */
    isOrganizationTrail?: pulumi.Input<boolean>;
    /** Tags for every resource; the records carry `sealed-infra:store=audit-logs`. */
    tags?: TagsInput;
    /** Pulumi `protect` for the trail, its bucket, key and log group. Default `true` (or the component's `protect` option). */
    protect?: boolean;
}

/**
 * A tamper-evident CloudTrail trail: every region, global service events, log-file validation,
 * SSE-KMS with its own customer key, delivering into an audit-log `ImmutableBucket` (Object Lock in
 * COMPLIANCE mode) whose policy lets only this trail write; optionally also into a CloudWatch Logs
 * group that never expires.
 */
export class AuditTrail extends pulumi.ComponentResource {
    /** The CloudTrail trail. */
    readonly trail: aws.cloudtrail.Trail;
    /** The audit-log store the trail writes into. */
    readonly bucket: ImmutableBucket;
    /** Key encrypting the log files (and the log group). */
    readonly kmsKey: aws.kms.Key;
    /** The CloudWatch Logs group, with `cloudWatchLogs`. */
    readonly logGroup?: aws.cloudwatch.LogGroup;
    /** Role CloudTrail assumes to write to the log group. */
    readonly cloudWatchLogsRole?: aws.iam.Role;
    /** The role's permission to create streams and put events in the log group. */
    readonly cloudWatchLogsRolePolicy?: aws.iam.RolePolicy;
    /** The trail ARN. */
    readonly trailArn: pulumi.Output<string>;
    /** The physical trail name. */
    readonly trailName: string;
    /** The name of the audit-log bucket. */
    readonly bucketName: pulumi.Output<string>;
    /** The ARN of the key encrypting the log files. */
    readonly kmsKeyArn: pulumi.Output<string>;
    /** The ARN of the CloudWatch Logs group, with `cloudWatchLogs`. */
    readonly logGroupArn?: pulumi.Output<string>;

    constructor(name: string, args: AuditTrailArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("sealed-infra:aws:AuditTrail", name, {}, opts);
        const v = new ArgValidator("AuditTrail", name);
        const trailName = args.trailName ?? name;
        if (!TRAIL_NAME.test(trailName)) {
            throw v.error(
                `trailName "${trailName}" is not a valid trail name (3-128 letters, digits, ".", "_" or "-", starting with a letter or digit)`,
            );
        }
        const logGroupName = args.logGroupName ?? `/aws/cloudtrail/${trailName}`;
        const protect = resolveProtect(args.protect, opts);
        const tags = designatedTags(v, args.tags, { [TAG_STORE]: "audit-logs" });
        const ctx = awsContext(this, args);
        const trailArn = pulumi.interpolate`arn:${ctx.partition}:cloudtrail:${ctx.region}:${ctx.accountId}:trail/${trailName}`;
        const cloudWatchLogs = args.cloudWatchLogs ?? false;
        const logGroupArnOf = (group: aws.cloudwatch.LogGroup) =>
            pulumi.interpolate`arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:${group.name}`;

        const keyStatements: pulumi.Input<unknown>[] = [
            {
                Sid: "EnableIamPolicies",
                Effect: "Allow",
                Principal: { AWS: pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "AllowCloudTrailEncrypt",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:GenerateDataKey*",
                Resource: "*",
                Condition: {
                    StringEquals: { "aws:SourceArn": trailArn },
                    StringLike: {
                        "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.interpolate`arn:${ctx.partition}:cloudtrail:*:${ctx.accountId}:trail/*`,
                    },
                },
            },
            {
                Sid: "AllowCloudTrailDescribe",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:DescribeKey",
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceArn": trailArn } },
            },
        ];
        if (cloudWatchLogs) {
            keyStatements.push({
                Sid: "AllowCloudWatchLogs",
                Effect: "Allow",
                Principal: { Service: pulumi.interpolate`logs.${ctx.region}.amazonaws.com` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: {
                    ArnEquals: {
                        "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:${logGroupName}`,
                    },
                },
            });
        }
        this.kmsKey = createManagedKey(this, `${name}-key`, {
            description: `sealed-infra AuditTrail ${trailName} log encryption key`,
            tags,
            protect,
            policy: policyDocument(keyStatements),
        });

        // The trail is the only writer; its statements join the bucket's TLS-only policy.
        this.bucket = new ImmutableBucket(
            `${name}-logs`,
            {
                kind: "audit-logs",
                bucketName: args.bucketName,
                retentionDays: args.retentionDays,
                kmsKeyArn: this.kmsKey.arn,
                partition: ctx.partition,
                tags: args.tags,
                protect,
                policyStatements: [
                    {
                        Sid: "AllowCloudTrailAclCheck",
                        Effect: "Allow",
                        Principal: { Service: ["cloudtrail.amazonaws.com"] },
                        Action: ["s3:GetBucketAcl"],
                        Resource: [BUCKET_ARN_PLACEHOLDER],
                        Condition: { StringEquals: { "aws:SourceArn": [trailArn] } },
                    },
                    {
                        Sid: "AllowCloudTrailWrite",
                        Effect: "Allow",
                        Principal: { Service: ["cloudtrail.amazonaws.com"] },
                        Action: ["s3:PutObject"],
                        Resource: [`${BUCKET_ARN_PLACEHOLDER}/AWSLogs/*`],
                        Condition: { StringEquals: { "aws:SourceArn": [trailArn], "s3:x-amz-acl": ["bucket-owner-full-control"] } },
                    },
                    {
                        // Object Lock keeps every version, but anyone allowed s3:PutObject by IAM could
                        // still add a new current version beside a log file. Only requests made by this
                        // trail carry its ARN as aws:SourceArn; every other write is denied, whoever asks.
                        Sid: "DenyWritesExceptTrail",
                        Effect: "Deny",
                        Principal: { AWS: ["*"] },
                        Action: ["s3:PutObject"],
                        Resource: [`${BUCKET_ARN_PLACEHOLDER}/*`],
                        Condition: { StringNotEquals: { "aws:SourceArn": [trailArn] } },
                    },
                ],
            },
            { parent: this },
        );

        if (cloudWatchLogs) {
            this.logGroup = new aws.cloudwatch.LogGroup(
                `${name}-events`,
                {
                    name: logGroupName,
                    // No retentionInDays: events never expire.
                    kmsKeyId: this.kmsKey.arn,
                    skipDestroy: true,
                    tags,
                },
                { parent: this, protect },
            );
            this.cloudWatchLogsRole = new aws.iam.Role(
                `${name}-cloudwatch`,
                {
                    description: `Lets CloudTrail trail ${trailName} deliver events to ${logGroupName}`,
                    // No aws:SourceArn/SourceAccount condition: CloudTrail does not send them when it
                    // assumes this role, and AWS documents confused-deputy prevention as not applicable
                    // to the CloudWatch Logs delivery role, so such a condition would stop delivery.
                    assumeRolePolicy: policyDocument([
                        {
                            Effect: "Allow",
                            Principal: { Service: "cloudtrail.amazonaws.com" },
                            Action: "sts:AssumeRole",
                        },
                    ]),
                    tags: args.tags,
                },
                { parent: this },
            );
            this.cloudWatchLogsRolePolicy = new aws.iam.RolePolicy(
                `${name}-cloudwatch`,
                {
                    role: this.cloudWatchLogsRole.name,
                    policy: policyDocument([
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                            // From the group's name (known at plan time, unlike its ARN): previews show the policy whole.
                            Resource: pulumi.interpolate`${logGroupArnOf(this.logGroup)}:log-stream:*`,
                        },
                    ]),
                },
                { parent: this },
            );
            this.logGroupArn = logGroupArnOf(this.logGroup);
        }

        this.trail = new aws.cloudtrail.Trail(
            name,
            {
                name: trailName,
                s3BucketName: this.bucket.bucketName,
                kmsKeyId: this.kmsKey.arn,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                enableLogging: true,
                isOrganizationTrail: args.isOrganizationTrail,
                cloudWatchLogsGroupArn: this.logGroup ? pulumi.interpolate`${logGroupArnOf(this.logGroup)}:*` : undefined,
                cloudWatchLogsRoleArn: this.cloudWatchLogsRole?.arn,
                tags,
            },
            // CloudTrail checks at create/update that it can write to the bucket and, with CloudWatch
            // Logs, that the role may deliver: wait for the bucket policy and the role's policy.
            { parent: this, protect, dependsOn: [this.bucket, ...(this.cloudWatchLogsRolePolicy ? [this.cloudWatchLogsRolePolicy] : [])] },
        );

        this.trailArn = this.trail.arn;
        this.trailName = trailName;
        this.bucketName = this.bucket.bucketName;
        this.kmsKeyArn = this.kmsKey.arn;
        this.registerOutputs({
            trailArn: this.trailArn,
            trailName: this.trailName,
            bucketName: this.bucketName,
            kmsKeyArn: this.kmsKeyArn,
            logGroupArn: this.logGroupArn,
        });
    }
}
