import { stackPolicy } from "../../framework/definition";
import { keyDesignationOptions, StoreDesignationConfig, storeDesignationOptions } from "../../engine/designation";
import { criticalResources, KeySelectionConfig } from "../../engine/critical-resources";
import {
    CLOUDTRAIL_TRAILS,
    ECR_REPOSITORY,
    KMS_KEYS,
    S3_BUCKET,
    S3_BUCKET_OBJECT_LOCK,
    S3_BUCKET_POLICIES,
    S3_BUCKET_PUBLIC_ACCESS_BLOCK,
    S3_BUCKET_VERSIONING,
    S3_BUCKETS,
} from "../../engine/resource-types";
import type { StackResource } from "../../sdk/stack-model";

type Config = StoreDesignationConfig & KeySelectionConfig;

const FIX =
    "set the resource option { protect: true } (then deleting or replacing it takes a separate, reviewable change that first removes the protection)";

export const criticalResourcesProtected = stackPolicy<Config>({
    name: "critical-resources-protected",
    displayName: "Critical resources are protected from deletion",
    guarantee: "immutable-updates",
    description:
        "Designated stores, the resources that lock, version and seal them, trails, KMS keys and ECR repositories have the Pulumi `protect` option, so no update or destroy can delete them as a side effect.",
    rule:
        "`protect: true` (the resource option; children inherit it from a protected component) is required on: designated " +
        "stores (buckets tagged `sealed-infra:store`, matching `designatedStoreNamePatterns`, all buckets with " +
        "`designateAllBuckets`, and every bucket a trail of the stack delivers to); their linked Object Lock, versioning, " +
        "public access block and bucket policy resources (joined to the bucket through property dependencies on `bucket`, " +
        "else by name, id or ARN; a split resource whose bucket is outside the stack when its `bucket` matches the " +
        "designation patterns); every CloudTrail trail (aws and aws-native); every KMS key (`aws.kms.Key`, External, Replica " +
        "and ReplicaExternal keys, aws-native keys), or with `applyToAllKeys: false` only keys tagged " +
        "`sealed-infra:purpose` or `sealed-infra:store` or matching `designatedKeyNamePatterns`; and every ECR repository " +
        "(aws and aws-native). When a bucket's tags are not known until the update, it and its parts get a " +
        "\"verified at update\" note. The violation is reported on the unprotected resource.",
    why:
        "Without `protect`, deleting a line of code, renaming a resource or a replacement-forcing change makes `pulumi up` " +
        "delete the store, trail, key or registry, and with them the records and artifacts the audit depends on, in the same " +
        "run that the deployer started. With `protect`, deletion needs an explicit prior change (`protect: false`) that the " +
        "approver sees in review.",
    severity: "high",
    remediationSteps:
        "Add `{ protect: true }` to the resource options (sealed-infra's ImmutableBucket, AuditTrail, ReleaseSigningKey and " +
        "ImmutableImageRepository do this by default), or set it on the parent component so children inherit it. To retire " +
        "one of these resources, first merge a change that sets `protect: false`, then one that removes it.",
    config: {
        ...storeDesignationOptions,
        ...keyDesignationOptions,
    },
    guards: [
        { types: [S3_BUCKET.current, S3_BUCKET.deprecated], paths: ['tags["sealed-infra:store"]', "bucket"] },
        { types: [S3_BUCKET.native], paths: ["tags", "bucketName"] },
        { types: [...S3_BUCKET_OBJECT_LOCK, ...S3_BUCKET_VERSIONING, ...S3_BUCKET_PUBLIC_ACCESS_BLOCK, ...S3_BUCKET_POLICIES], paths: ["bucket"] },
        { types: CLOUDTRAIL_TRAILS, paths: ["s3BucketName"] },
    ],
    resourceTypes: [
        ...S3_BUCKETS,
        ...S3_BUCKET_OBJECT_LOCK,
        ...S3_BUCKET_VERSIONING,
        ...S3_BUCKET_PUBLIC_ACCESS_BLOCK,
        ...S3_BUCKET_POLICIES,
        ...CLOUDTRAIL_TRAILS,
        ...KMS_KEYS,
        ...ECR_REPOSITORY,
    ],
    example: {
        compliant: 'new aws.cloudtrail.Trail("audit", { ... }, { protect: true });',
        violating: 'new aws.kms.Key("approvals", { enableKeyRotation: true }); // no protect',
    },
    check(model, config, findings) {
        const selection = criticalResources(model, config);
        for (const { resource, reason } of selection.critical) {
            if (!isProtected(resource)) {
                findings.violation(
                    resource,
                    `protect is ${describeProtect(resource)} although ${reason}, so removing or renaming it in code, or a change that forces replacement, deletes it in the same update; ${FIX}.`,
                );
            }
        }
        for (const { resource, path, condition } of selection.undetermined) {
            if (!isProtected(resource)) {
                findings.notYetKnown(resource, path, `${condition}, it has protect: true`);
            }
        }
    },
});

function isProtected(resource: StackResource): boolean {
    return resource.options?.protect === true;
}

function describeProtect(resource: StackResource): string {
    return resource.options?.protect === false ? "false" : "unset (false)";
}
