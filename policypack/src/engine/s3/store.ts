/**
 * Designated S3 stores (artifact and audit-log buckets) and what protects them: Object Lock,
 * lifecycle rules, public access blocks and bucket policies, read from the split @pulumi/aws v7
 * resources (and their deprecated `…V2` aliases), from the legacy inline fields of the bucket, and
 * from aws-native's inline configuration. Shared by s3-object-lock, s3-no-early-expiration,
 * s3-store-sealed and cloudtrail-tamper-evident, so each split resource is joined to its bucket
 * once per AnalyzeStack (engine/joins.ts) and every policy reads the same sources the same way.
 *
 * This module: the index of split resources per bucket, which buckets are designated stores, and
 * the readers the others share; object-lock.ts, lifecycle.ts, public-access.ts and bucket-policy.ts
 * read one protection each.
 *
 * Nothing here reports: readers return what they found plus the values they could not resolve
 * (unknown in preview, or unreadable), and each policy decides what that means for its guarantee.
 */
import { containsUnknown, read, readString, Read } from "../../framework/values";
import { storeDesignation, StoreDesignationConfig } from "../designation";
import { globMatch } from "../../shared/glob";
import { s3ChildrenByBucket, trailsByBucket } from "../joins";
import { S3_BUCKET_LIFECYCLE, S3_BUCKET_OBJECT_LOCK, S3_BUCKET_POLICIES, S3_BUCKET_PUBLIC_ACCESS_BLOCK, S3_BUCKETS } from "../resource-types";
import type { StackModel, StackResource } from "../../sdk/stack-model";

type Children = ReturnType<typeof s3ChildrenByBucket>;

/** Split resources and trails joined to their buckets, built once per stack. */
export interface StoreIndex {
    lock: Children;
    lifecycle: Children;
    publicAccessBlock: Children;
    policy: Children;
    trails: Children;
}

export function storeIndex(model: StackModel): StoreIndex {
    return model.derive("s3-store:index", (m) => ({
        lock: s3ChildrenByBucket(m, S3_BUCKET_OBJECT_LOCK),
        lifecycle: s3ChildrenByBucket(m, S3_BUCKET_LIFECYCLE),
        publicAccessBlock: s3ChildrenByBucket(m, S3_BUCKET_PUBLIC_ACCESS_BLOCK),
        policy: s3ChildrenByBucket(m, S3_BUCKET_POLICIES),
        trails: trailsByBucket(m),
    }));
}

/** A value that stops a verdict: unknown until the update, or present but unreadable. */
export interface Unresolved {
    on: StackResource;
    read: Extract<Read<unknown>, { state: "unknown" | "unreadable" }>;
}

export function unresolvedRead(r: Read<unknown>): r is Unresolved["read"] {
    return r.state === "unknown" || r.state === "unreadable";
}

// ---------------------------------------------------------------------------------------------
// Designation

export interface DesignatedStore {
    bucket: StackResource;
    /** Why it is designated, for messages: `it is tagged sealed-infra:store=artifacts`. */
    reason: string;
}

export interface StoreSelection {
    stores: DesignatedStore[];
    /** Buckets whose tags are unknown in preview, so whether they are stores is not yet known. */
    undetermined: Array<{ bucket: StackResource; path: string }>;
}

/**
 * The designated stores of the stack: tagged `sealed-infra:store`, matched by
 * `designatedStoreNamePatterns`, all buckets with `designateAllBuckets`, and every bucket a
 * CloudTrail trail of the stack delivers to (an audit-log store by what it holds).
 */
export function designatedStores(model: StackModel, config: StoreDesignationConfig): StoreSelection {
    const index = storeIndex(model);
    const out: StoreSelection = { stores: [], undetermined: [] };
    for (const bucket of model.ofTypes(S3_BUCKETS)) {
        const d = storeDesignation(bucket, config);
        if (d.designated === true) {
            out.stores.push({ bucket, reason: d.reason });
            continue;
        }
        const trails = index.trails.byParent.get(bucket.urn) ?? [];
        if (trails.length > 0) {
            out.stores.push({ bucket, reason: `CloudTrail trail ${trails.map((t) => `"${t.name}"`).join(", ")} delivers its logs to it` });
        } else if (d.designated === "unknown") {
            out.undetermined.push({ bucket, path: d.path });
        }
    }
    return out;
}

/**
 * For a split resource whose bucket is not in the stack: the reason its bucket counts as a
 * designated store (config patterns on the `bucket` name, or `designateAllBuckets`), or undefined.
 */
export function externalStoreReason(child: StackResource, config: StoreDesignationConfig): string | undefined {
    if (config.designateAllBuckets) {
        return "designateAllBuckets is set";
    }
    const name = readString(child.props, "bucket");
    if (name.state !== "known") {
        return undefined;
    }
    const pattern = config.designatedStoreNamePatterns.find((p) => globMatch(p, name.value));
    return pattern === undefined ? undefined : `its bucket "${name.value}" matches designatedStoreNamePatterns "${pattern}"`;
}

/** The bucket's physical name when known (`bucket` in aws, `bucketName` in aws-native). */
export function bucketNameOf(bucket: StackResource): string | undefined {
    for (const key of ["bucket", "bucketName"]) {
        const r = readString(bucket.props, key);
        if (r.state === "known" && r.value !== "") {
            return r.value;
        }
    }
    return undefined;
}

/** How a split resource type is written in a program: `aws.s3.BucketObjectLockConfiguration`. */
export function sdkName(type: string): string {
    const [pkg, module, member] = type.split(":");
    if (pkg === "aws-native") {
        return `aws-native:${module}:${member}`;
    }
    const mod = (module ?? "").split("/")[0];
    return `${pkg}.${mod}.${member}`;
}

// ---------------------------------------------------------------------------------------------
// Blocks that are one object in some schemas and a list in others

export interface Block {
    value: unknown;
    path: string;
}

/**
 * Reads a nested block that providers model either as an object or as a list: the v7
 * `aws.s3.Bucket` flattens single-item blocks (`objectLockConfiguration.rule.defaultRetention`),
 * the deprecated `BucketV2` keeps lists (`rules[].defaultRetentions[]`). The first of `names` that
 * is present is read; absent means none of them is set.
 */
export function readBlocks(root: unknown, names: readonly string[], base = ""): Read<Block[]> {
    let r: Read<unknown> = { state: "absent", path: base ? `${base}.${names[0]}` : names[0] };
    for (const name of names) {
        r = read(root, name, base);
        if (r.state !== "absent") {
            break;
        }
    }
    if (r.state !== "known") {
        return r as Read<Block[]>;
    }
    if (Array.isArray(r.value)) {
        const blocks: Block[] = [];
        for (let i = 0; i < r.value.length; i++) {
            const item = read(r.value, [i], r.path);
            if (item.state === "unknown" || item.state === "unreadable") {
                return item;
            }
            if (item.state === "known") {
                blocks.push({ value: item.value, path: item.path });
            }
        }
        return { state: "known", value: blocks, path: r.path };
    }
    if (typeof r.value === "object") {
        return { state: "known", value: [{ value: r.value, path: r.path }], path: r.path };
    }
    return { state: "unreadable", path: r.path, reason: `expected an object or a list, found ${JSON.stringify(r.value)}` };
}

/** True when an unknown sentinel occurs anywhere inside a (parsed) value. */
export function containsUnknownDeep(value: unknown, depth = 0): boolean {
    if (depth > 32) {
        return false;
    }
    if (typeof value === "string") {
        return containsUnknown(value);
    }
    if (Array.isArray(value)) {
        return value.some((v) => containsUnknownDeep(v, depth + 1));
    }
    if (value !== null && typeof value === "object") {
        return Object.values(value as Record<string, unknown>).some((v) => containsUnknownDeep(v, depth + 1));
    }
    return false;
}
