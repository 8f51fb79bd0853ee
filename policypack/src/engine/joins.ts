/**
 * Joins between split resources (a bucket and its versioning, lock, lifecycle, policy...; a trail
 * and its bucket; a function and its code-signing config), in one place.
 *
 * A child refers to its parent through a property (`bucket`, `s3BucketName`, ...). The join uses
 * the engine's `propertyDependencies` first (exact, and available in preview when the value is
 * still unknown), then the property's value matched against the keys the parent exposes (name,
 * id, ARN). When the value is unknown and no dependency resolves it, the link is `pending`: the
 * caller must not conclude that the parent lacks the child.
 */
import { read } from "../framework/values";
import type { StackModel, StackResource } from "../sdk/stack-model";
import { CLOUDTRAIL_TRAILS, LAMBDA_CODE_SIGNING_CONFIGS, S3_BUCKETS } from "./resource-types";

export interface Link {
    targets: StackResource[];
    /** The reference is unknown until the update and could not be resolved another way. */
    pending: boolean;
}

export type KeysOf = (target: StackResource) => readonly unknown[];

/** Resources of `targetTypes` that `child.props[property]` refers to. */
export function linkedByProperty(
    model: StackModel,
    child: StackResource,
    property: string,
    targetTypes: readonly string[],
    keysOf: KeysOf,
    indexName: string,
): Link {
    const types = new Set(targetTypes);
    const viaDeps = (child.propertyDependencies[property] ?? [])
        .map((urn) => model.byUrn.get(urn))
        .filter((r): r is StackResource => r !== undefined && types.has(r.type));
    if (viaDeps.length > 0) {
        return { targets: unique(viaDeps), pending: false };
    }
    const value = read(child.props, property);
    if (value.state === "unknown") {
        return { targets: [], pending: true };
    }
    if (value.state !== "known" || (typeof value.value !== "string" && typeof value.value !== "number")) {
        return { targets: [], pending: false };
    }
    const index = model.derive(`join:${indexName}`, (m) => keyIndex(m, targetTypes, keysOf));
    return { targets: index.get(String(value.value)) ?? [], pending: false };
}

/**
 * Groups children by the parent they link to. Children whose link is pending are returned apart,
 * so a parent without children can be reported as "not yet known" rather than as a violation.
 */
export function childrenByParent(
    model: StackModel,
    childTypes: readonly string[],
    property: string,
    parentTypes: readonly string[],
    keysOf: KeysOf,
    indexName: string,
): { byParent: Map<string, StackResource[]>; pending: StackResource[]; orphans: StackResource[] } {
    return model.derive(`children:${indexName}:${property}:${childTypes.join(",")}`, (m) => {
        const byParent = new Map<string, StackResource[]>();
        const pending: StackResource[] = [];
        const orphans: StackResource[] = [];
        for (const child of m.ofTypes(childTypes)) {
            const link = linkedByProperty(m, child, property, parentTypes, keysOf, indexName);
            if (link.pending) {
                pending.push(child);
            } else if (link.targets.length === 0) {
                orphans.push(child);
            }
            for (const parent of link.targets) {
                const list = byParent.get(parent.urn) ?? [];
                list.push(child);
                byParent.set(parent.urn, list);
            }
        }
        return { byParent, pending, orphans };
    });
}

function keyIndex(model: StackModel, types: readonly string[], keysOf: KeysOf): Map<string, StackResource[]> {
    const index = new Map<string, StackResource[]>();
    for (const r of model.ofTypes(types)) {
        for (const key of new Set(keysOf(r).filter((k) => typeof k === "string" && k !== "") as string[])) {
            const list = index.get(key) ?? [];
            list.push(r);
            index.set(key, list);
        }
    }
    return index;
}

function unique(list: StackResource[]): StackResource[] {
    return [...new Map(list.map((r) => [r.urn, r])).values()];
}

/** Keys an S3 bucket is referred to by: name, id and ARN, across aws and aws-native. */
export const s3BucketKeys: KeysOf = (bucket) => [
    bucket.props.bucket,
    bucket.props.bucketName,
    bucket.props.id,
    bucket.props.arn,
];

/** Split S3 resources (lock, lifecycle, public access block, policy, ...) grouped by the bucket their `bucket` names. */
export function s3ChildrenByBucket(model: StackModel, childTypes: readonly string[]): ReturnType<typeof childrenByParent> {
    return childrenByParent(model, childTypes, "bucket", S3_BUCKETS, s3BucketKeys, "s3-bucket");
}

/** Trails grouped by the bucket they deliver to (`s3BucketName`, aws and aws-native). */
export function trailsByBucket(model: StackModel): ReturnType<typeof childrenByParent> {
    return childrenByParent(model, CLOUDTRAIL_TRAILS, "s3BucketName", S3_BUCKETS, s3BucketKeys, "s3-bucket");
}

/** Keys a Lambda code-signing config is referred to by: its ARN (aws `arn`, aws-native `codeSigningConfigArn`) and id. */
export const codeSigningConfigKeys: KeysOf = (config) => [
    config.props.arn,
    config.props.codeSigningConfigArn,
    config.props.id,
    config.props.configId,
    config.props.codeSigningConfigId,
];

/** The code-signing config(s) a Lambda function's `codeSigningConfigArn` refers to (aws and aws-native). */
export function codeSigningConfigOf(model: StackModel, fn: StackResource): Link {
    return linkedByProperty(model, fn, "codeSigningConfigArn", LAMBDA_CODE_SIGNING_CONFIGS, codeSigningConfigKeys, "lambda-code-signing-config");
}
