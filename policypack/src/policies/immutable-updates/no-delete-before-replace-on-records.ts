import { stackPolicy } from "../../framework/definition";
import { StoreDesignationConfig, storeDesignationOptions } from "../../engine/designation";
import { recordHolders } from "../../engine/critical-resources";
import { CLOUDTRAIL_TRAILS, S3_BUCKET, S3_BUCKETS } from "../../engine/resource-types";

type Config = StoreDesignationConfig;

export const noDeleteBeforeReplaceOnRecords = stackPolicy<Config>({
    name: "no-delete-before-replace-on-records",
    displayName: "Records are never deleted before their replacement exists",
    guarantee: "immutable-updates",
    description:
        "Designated stores and CloudTrail trails never use the `deleteBeforeReplace` option, so a replacement can never start by deleting the records or stopping the trail.",
    rule:
        "The resource option `deleteBeforeReplace` must not be true on designated stores (buckets tagged " +
        "`sealed-infra:store`, matching `designatedStoreNamePatterns`, all buckets with `designateAllBuckets`, and every " +
        "bucket a trail of the stack delivers to) or on any `aws.cloudtrail.Trail` / `aws-native:cloudtrail:Trail`. Unset " +
        "and false pass (Pulumi then creates the replacement first). When a bucket's tags are not known until the update, a " +
        "bucket with `deleteBeforeReplace` gets a \"verified at update\" note. A provider can still require delete-before-" +
        "replace for a fixed physical name; that is decided by the engine at update time and is not visible to policies, so " +
        "`critical-resources-protected` is the backstop.",
    why:
        "With `deleteBeforeReplace`, any replacement-forcing change first deletes the bucket (with `forceDestroy`, including " +
        "its objects) or the trail, and only then creates the new one: records are lost, or activity goes unrecorded, during " +
        "and after a failed update. Create-before-replace keeps the old resource until the new one exists.",
    severity: "high",
    remediationSteps:
        "Remove `deleteBeforeReplace: true` from the resource options. If the replacement needs the same physical name, give " +
        "the new resource a new name (or let Pulumi auto-name it) and migrate; never delete a record holder first.",
    config: { ...storeDesignationOptions },
    guards: [
        { types: [S3_BUCKET.current, S3_BUCKET.deprecated], paths: ['tags["sealed-infra:store"]'] },
        { types: [S3_BUCKET.native], paths: ["tags"] },
        { types: CLOUDTRAIL_TRAILS, paths: ["s3BucketName"] },
    ],
    resourceTypes: [...S3_BUCKETS, ...CLOUDTRAIL_TRAILS],
    example: {
        compliant: 'new aws.s3.Bucket("audit-logs", { ... }, { protect: true });',
        violating: 'new aws.s3.Bucket("audit-logs", { ... }, { deleteBeforeReplace: true });',
    },
    check(model, config, findings) {
        const selection = recordHolders(model, config);
        for (const { resource, reason } of selection.critical) {
            if (resource.options?.deleteBeforeReplace === true) {
                findings.violation(
                    resource,
                    `deleteBeforeReplace is true although ${reason}, so a replacement deletes it, and the records it holds or produces, before its successor exists; remove the deleteBeforeReplace option.`,
                );
            }
        }
        for (const { resource, path, condition } of selection.undetermined) {
            if (resource.options?.deleteBeforeReplace === true) {
                findings.notYetKnown(resource, path, `${condition}, it does not set deleteBeforeReplace`);
            }
        }
    },
});
