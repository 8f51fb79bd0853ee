/**
 * Fixtures for the records-and-keys policy tests (s3-object-lock, s3-no-early-expiration,
 * s3-store-sealed, cloudtrail-tamper-evident): buckets, split resources joined to them the ways the
 * engine can join them, and a fully compliant store.
 */
import { TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";

export const BUCKET = "aws:s3/bucket:Bucket";
export const BUCKET_V2 = "aws:s3/bucketV2:BucketV2";
export const NATIVE_BUCKET = "aws-native:s3:Bucket";
export const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
export const LOCK_V2 = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2";
export const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
export const LIFECYCLE_V2 = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2";
export const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
export const POLICY = "aws:s3/bucketPolicy:BucketPolicy";
export const NATIVE_POLICY = "aws-native:s3:BucketPolicy";
export const TRAIL = "aws:cloudtrail/trail:Trail";
export const NATIVE_TRAIL = "aws-native:cloudtrail:Trail";

export const STORE_TAGS = { "sealed-infra:store": "artifacts" };

/** A bucket with known physical name, id and ARN (`<name>-abc1234`), tagged as an artifact store unless `tags` says otherwise. */
export function bucket(name: string, props: Record<string, unknown> = {}, type = BUCKET, tags: Record<string, string> | null = STORE_TAGS): TestResource {
    const physical = `${name}-abc1234`;
    const base: Record<string, unknown> =
        type === NATIVE_BUCKET
            ? { bucketName: physical, arn: `arn:aws:s3:::${physical}`, tags: tags ? Object.entries(tags).map(([key, value]) => ({ key, value })) : undefined }
            : { bucket: physical, id: physical, arn: `arn:aws:s3:::${physical}`, tags: tags ?? undefined };
    return { type, name, props: { ...base, ...props } };
}

export function physicalName(b: TestResource): string {
    return `${b.name}-abc1234`;
}

/**
 * A split resource for bucket `b`, joined through propertyDependencies ("deps", with the value
 * unknown as in preview), by name ("name"), or not resolvable ("unknown": no dependency, unknown value).
 */
export function child(type: string, name: string, b: TestResource, props: Record<string, unknown>, how: "deps" | "name" | "unknown" = "deps", property = "bucket"): TestResource {
    return {
        type,
        name,
        props: { [property]: how === "name" ? physicalName(b) : UNKNOWN, ...props },
        propertyDependencies: how === "deps" ? { [property]: [urnOf(b.type, b.name)] } : {},
    };
}

export function tlsDenyStatement(physical: string): Record<string, unknown> {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${physical}`, `arn:aws:s3:::${physical}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

export function tlsPolicy(physical: string, extra: Record<string, unknown>[] = []): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [...extra, tlsDenyStatement(physical)] });
}

export const ALL_BLOCKED = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };

/** A designated store that every store policy accepts: Object Lock COMPLIANCE 365 days, public access blocked, TLS-only policy. */
export function compliantStore(name: string, how: "deps" | "name" = "deps"): TestResource[] {
    const b = bucket(name, { objectLockEnabled: true });
    return [
        b,
        child(LOCK, `${name}-lock`, b, { rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } } }, how),
        child(PAB, `${name}-pab`, b, ALL_BLOCKED, how),
        child(POLICY, `${name}-policy`, b, { policy: tlsPolicy(physicalName(b)) }, how),
    ];
}
