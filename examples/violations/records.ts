import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// Records and keys: every resource below breaks s3-object-lock, s3-no-early-expiration,
// s3-store-sealed, cloudtrail-tamper-evident, log-groups-retained or kms-keys-protected.

const artifactStore = { "sealed-infra:store": "artifacts" };
const auditStore = { "sealed-infra:store": "audit-logs" };

// s3-object-lock: a designated artifact store without Object Lock ...
const unlocked = new aws.s3.Bucket("unlocked-artifacts", { tags: artifactStore });
new aws.s3.BucketVersioning("unlocked-artifacts", { bucket: unlocked.id, versioningConfiguration: { status: "Enabled" } });

// ... and one locked in GOVERNANCE mode (bypassable) for only 30 days.
const governance = new aws.s3.Bucket("governance-artifacts", { objectLockEnabled: true, tags: artifactStore });
new aws.s3.BucketVersioning("governance-artifacts", { bucket: governance.id, versioningConfiguration: { status: "Enabled" } });
new aws.s3.BucketObjectLockConfiguration("governance-artifacts", {
    bucket: governance.id,
    rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } },
});

// s3-no-early-expiration: a lifecycle rule that deletes old versions of the store after 7 days.
new aws.s3.BucketLifecycleConfiguration("governance-artifacts-cleanup", {
    bucket: governance.id,
    rules: [{ id: "cleanup", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 7 } }],
});

// s3-store-sealed: public access only partly blocked, and a bucket policy without the TLS-only deny.
new aws.s3.BucketPublicAccessBlock("governance-artifacts", { bucket: governance.id, blockPublicAcls: true });
new aws.s3.BucketPolicy("governance-artifacts", {
    bucket: governance.id,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadReleases",
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::123456789012:root" },
                Action: "s3:GetObject",
                Resource: pulumi.interpolate`${governance.arn}/*`,
            },
        ],
    }),
});

// cloudtrail-tamper-evident: a trail with every default left unsafe (no log file validation, one
// region, no KMS key), delivering to a bucket without Object Lock.
const trailBucket = new aws.s3.Bucket("plain-trail-logs", { tags: auditStore });
new aws.cloudtrail.Trail("unvalidated-trail", { s3BucketName: trailBucket.bucket });

// log-groups-retained: events deleted after a week, no KMS key; an audit group that `pulumi destroy` deletes.
new aws.cloudwatch.LogGroup("short-lived-logs", { retentionInDays: 7 });
new aws.cloudwatch.LogGroup("audit-events", { retentionInDays: 3653, tags: auditStore });

// kms-keys-protected: no rotation, a 7-day deletion window, and the lockout safety check bypassed.
new aws.kms.Key("fragile-key", {
    description: "deliberately unprotected key",
    deletionWindowInDays: 7,
    bypassPolicyLockoutSafetyCheck: true,
});
