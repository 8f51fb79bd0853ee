import { strict as assert } from "assert";
import { AuditTrail } from "../../components";
import { ACCOUNT, REGION, installMocks, json, record, settle, urnOf, valueOf } from "./mocks";

const TRAIL = "aws:cloudtrail/trail:Trail";
const KEY = "aws:kms/key:Key";
const BUCKET = "aws:s3/bucket:Bucket";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/org-audit`;

describe("components: AuditTrail", () => {
    before(() => installMocks());

    it("builds a multi-region, validated, KMS-encrypted trail into a locked audit-log bucket only it can write", async () => {
        const { component, recorder } = await record(() => new AuditTrail("org-audit", { retentionDays: 2555 }));
        const parent = await urnOf(component);
        const bucketComponent = await urnOf(component.bucket);

        const trail = recorder.one(TRAIL);
        assert.equal(trail.parent, parent);
        assert.equal(trail.protect, true);
        assert.equal(trail.inputs.name, "org-audit");
        assert.equal(trail.inputs.isMultiRegionTrail, true);
        assert.equal(trail.inputs.includeGlobalServiceEvents, true);
        assert.equal(trail.inputs.enableLogFileValidation, true);
        assert.equal(trail.inputs.enableLogging, true);
        assert.equal(trail.inputs.kmsKeyId, await valueOf(component.kmsKeyArn));
        assert.equal(trail.inputs.s3BucketName, "org-audit-logs-bucket");
        assert.deepEqual(trail.inputs.tags, { "sealed-infra:store": "audit-logs" });
        assert.ok(trail.dependencies.includes(recorder.one(BUCKET_POLICY).urn), "the trail waits for the bucket policy");
        assert.equal(recorder.ofType(LOG_GROUP).length, 0, "no log group unless asked");

        // The bucket is an ImmutableBucket child, designated audit-logs, with the requested retention.
        assert.equal(recorder.one("sealed-infra:aws:ImmutableBucket").parent, parent);
        const bucket = recorder.one(BUCKET);
        assert.equal(bucket.parent, bucketComponent);
        assert.equal(bucket.protect, true);
        assert.deepEqual(bucket.inputs.tags, { "sealed-infra:store": "audit-logs" });
        assert.equal(recorder.one(LOCK).inputs.rule.defaultRetention.days, 2555);
        assert.equal(recorder.one(LOCK).inputs.rule.defaultRetention.mode, "COMPLIANCE");

        const statements = json(recorder.one(BUCKET_POLICY).inputs.policy).Statement;
        assert.deepEqual(
            statements.map((s: any) => s.Sid),
            ["DenyInsecureTransport", "AllowCloudTrailAclCheck", "AllowCloudTrailWrite", "DenyWritesExceptTrail"],
        );
        assert.deepEqual(statements[1].Resource, ["arn:aws:s3:::org-audit-logs-bucket"]);
        assert.deepEqual(statements[2].Condition, {
            StringEquals: { "aws:SourceArn": [TRAIL_ARN], "s3:x-amz-acl": ["bucket-owner-full-control"] },
        });
        assert.deepEqual(statements[2].Resource, ["arn:aws:s3:::org-audit-logs-bucket/AWSLogs/*"]);
        // Whoever IAM lets s3:PutObject, only requests made by this trail can add objects (versions).
        assert.deepEqual(statements[3], {
            Sid: "DenyWritesExceptTrail",
            Effect: "Deny",
            Principal: { AWS: ["*"] },
            Action: ["s3:PutObject"],
            Resource: ["arn:aws:s3:::org-audit-logs-bucket/*"],
            Condition: { StringNotEquals: { "aws:SourceArn": [TRAIL_ARN] } },
        });

        // One key: the trail's, also encrypting the bucket; rotation on, protected, CloudTrail scoped to this trail.
        const key = recorder.one(KEY);
        assert.equal(key.parent, parent);
        assert.equal(key.protect, true);
        assert.equal(key.inputs.enableKeyRotation, true);
        const keyPolicy = json(key.inputs.policy).Statement;
        assert.deepEqual(
            keyPolicy.map((s: any) => s.Sid),
            ["EnableIamPolicies", "AllowCloudTrailEncrypt", "AllowCloudTrailDescribe"],
        );
        assert.equal(keyPolicy[0].Principal.AWS, `arn:aws:iam::${ACCOUNT}:root`);
        assert.equal(keyPolicy[1].Condition.StringEquals["aws:SourceArn"], TRAIL_ARN);
        assert.equal(
            recorder.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules[0]
                .applyServerSideEncryptionByDefault.kmsMasterKeyId,
            await valueOf(component.kmsKeyArn),
        );
        assert.equal(await valueOf(component.trailArn), TRAIL_ARN);
    });

    it("optionally delivers to a never-expiring, encrypted, skip-destroy log group through a scoped role", async () => {
        const { component, recorder } = await record(() => new AuditTrail("cw", { trailName: "cw-trail", cloudWatchLogs: true }));
        const group = recorder.one(LOG_GROUP);
        assert.equal(group.parent, await urnOf(component));
        assert.equal(group.protect, true);
        assert.equal(group.inputs.name, "/aws/cloudtrail/cw-trail");
        assert.equal(group.inputs.retentionInDays, undefined, "no expiry");
        assert.equal(group.inputs.skipDestroy, true);
        assert.equal(group.inputs.kmsKeyId, await valueOf(component.kmsKeyArn));
        assert.deepEqual(group.inputs.tags, { "sealed-infra:store": "audit-logs" });

        const trail = recorder.one(TRAIL);
        assert.equal(trail.inputs.cloudWatchLogsGroupArn, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/cloudtrail/cw-trail:*`);
        const role = recorder.one(ROLE);
        assert.equal(trail.inputs.cloudWatchLogsRoleArn, `arn:aws:iam::${ACCOUNT}:role/cw-cloudwatch-x1`);
        // CloudTrail sends no aws:SourceArn when it assumes this role (confused-deputy conditions do
        // not apply to the CloudWatch Logs delivery role), so the trust has no condition.
        assert.deepEqual(json(role.inputs.assumeRolePolicy).Statement, [
            { Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "sts:AssumeRole" },
        ]);
        const rolePolicy = recorder.one(ROLE_POLICY);
        const permissions = json(rolePolicy.inputs.policy).Statement[0];
        assert.deepEqual(permissions.Action, ["logs:CreateLogStream", "logs:PutLogEvents"]);
        assert.equal(permissions.Resource, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/cloudtrail/cw-trail:log-stream:*`);
        // CloudTrail validates delivery when the trail is created: the role's permissions come first.
        assert.ok(trail.dependencies.includes(rolePolicy.urn), "the trail waits for the CloudWatch Logs role policy");
        assert.equal(component.cloudWatchLogsRolePolicy !== undefined, true);
        const keyPolicy = json(recorder.one(KEY).inputs.policy).Statement;
        assert.equal(keyPolicy[3].Sid, "AllowCloudWatchLogs");
        assert.deepEqual(keyPolicy[3].Principal, { Service: `logs.${REGION}.amazonaws.com` });
    });

    it("uses the account, partition and region overrides instead of querying the provider", async () => {
        const { recorder } = await record(
            () => new AuditTrail("gov", { accountId: "111122223333", partition: "aws-us-gov", region: "us-gov-west-1", protect: false }),
        );
        assert.equal(recorder.invokes.length, 0);
        const keyPolicy = json(recorder.one(KEY).inputs.policy).Statement;
        assert.equal(keyPolicy[0].Principal.AWS, "arn:aws-us-gov:iam::111122223333:root");
        assert.ok(recorder.resources.filter((r) => r.custom).every((r) => r.protect === false));
    });

    it("rejects an invalid trail name", async () => {
        assert.throws(() => new AuditTrail("t", { trailName: "no spaces allowed" }), /AuditTrail "t": trailName "no spaces allowed" is not a valid trail name/);
        await settle();
    });
});
