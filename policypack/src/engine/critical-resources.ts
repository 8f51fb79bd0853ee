/**
 * The resources whose loss would destroy records or the ability to verify them, as the Pulumi
 * resource-option policies (critical-resources-protected, no-delete-before-replace-on-records) see
 * them: designated stores (engine/s3/store.ts designation, incl. every bucket a trail delivers to),
 * the split resources that lock, version and seal those stores, trails, KMS keys and ECR
 * repositories. Each comes with the reason it is critical, for messages.
 */
import { designationOf, KEY_DESIGNATION_TAGS, StoreDesignationConfig } from "./designation";
import { s3ChildrenByBucket } from "./joins";
import { designatedStores, externalStoreReason, sdkName, storeIndex } from "./s3/store";
import { CLOUDTRAIL_TRAILS, ECR_REPOSITORY, KMS_KEYS, S3_BUCKET_VERSIONING } from "./resource-types";
import type { StackModel, StackResource } from "../sdk/stack-model";

export interface Critical {
    resource: StackResource;
    /** Why it is critical: `it is a designated store (it is tagged sealed-infra:store=artifacts)`. */
    reason: string;
}

export interface Undetermined {
    resource: StackResource;
    /** The property whose value decides, unknown until the update. */
    path: string;
    /** What would make it critical. */
    condition: string;
}

export interface CriticalSelection {
    critical: Critical[];
    undetermined: Undetermined[];
}

export interface KeySelectionConfig {
    applyToAllKeys: boolean;
    designatedKeyNamePatterns: string[];
}

/** Designated stores and the trails of the stack. */
export function recordHolders(model: StackModel, config: StoreDesignationConfig): CriticalSelection {
    const out: CriticalSelection = { critical: [], undetermined: [] };
    const stores = designatedStores(model, config);
    for (const s of stores.stores) {
        out.critical.push({ resource: s.bucket, reason: `it is a designated store (${s.reason})` });
    }
    for (const u of stores.undetermined) {
        out.undetermined.push({ resource: u.bucket, path: u.path, condition: "if this bucket is a designated store (tagged sealed-infra:store)" });
    }
    for (const trail of model.ofTypes(CLOUDTRAIL_TRAILS)) {
        out.critical.push({ resource: trail, reason: "it is a CloudTrail trail (the record of every change)" });
    }
    return out;
}

/** Split resources that lock, version and seal a designated store (deleting them removes that protection). */
export const STORE_PROTECTION_PARTS = ["lock", "versioning", "publicAccessBlock", "policy"] as const;

/** Everything critical-resources-protected requires `protect: true` on. */
export function criticalResources(model: StackModel, config: StoreDesignationConfig & KeySelectionConfig): CriticalSelection {
    return model.derive(`critical-resources:${JSON.stringify(config)}`, (m) => {
        const out = recordHolders(m, config);
        const index = storeIndex(m);
        const parts = {
            lock: index.lock,
            versioning: s3ChildrenByBucket(m, S3_BUCKET_VERSIONING),
            publicAccessBlock: index.publicAccessBlock,
            policy: index.policy,
        };
        const stores = designatedStores(m, config);
        const undeterminedBuckets = new Set(stores.undetermined.map((u) => u.bucket.urn));
        for (const part of STORE_PROTECTION_PARTS) {
            const children = parts[part];
            for (const store of stores.stores) {
                for (const child of children.byParent.get(store.bucket.urn) ?? []) {
                    out.critical.push({ resource: child, reason: `it configures designated store "${store.bucket.name}" (${store.reason})` });
                }
            }
            for (const bucketUrn of undeterminedBuckets) {
                const bucket = m.byUrn.get(bucketUrn);
                for (const child of children.byParent.get(bucketUrn) ?? []) {
                    out.undetermined.push({
                        resource: child,
                        path: stores.undetermined.find((u) => u.bucket.urn === bucketUrn)?.path ?? "tags",
                        condition: `if bucket "${bucket?.name}" is a designated store`,
                    });
                }
            }
            for (const child of children.pending) {
                out.undetermined.push({ resource: child, path: "bucket", condition: `if the bucket this ${sdkName(child.type)} configures is a designated store` });
            }
            for (const child of children.orphans) {
                const reason = externalStoreReason(child, config);
                if (reason !== undefined) {
                    out.critical.push({ resource: child, reason: `it configures a designated store outside the stack (${reason})` });
                }
            }
        }
        for (const key of m.ofTypes(KMS_KEYS)) {
            if (config.applyToAllKeys) {
                out.critical.push({ resource: key, reason: "it is a KMS key (applyToAllKeys is set): losing it makes everything it encrypted or signed unverifiable" });
                continue;
            }
            const d = designationOf(key, { tags: KEY_DESIGNATION_TAGS, patterns: config.designatedKeyNamePatterns, nameProperties: [] });
            if (d.designated === true) {
                out.critical.push({ resource: key, reason: `it is a designated key (${d.reason})` });
            } else if (d.designated === "unknown") {
                out.undetermined.push({ resource: key, path: d.path, condition: "if this key is designated (tagged sealed-infra:purpose or sealed-infra:store)" });
            }
        }
        for (const repo of m.ofTypes(ECR_REPOSITORY)) {
            out.critical.push({ resource: repo, reason: "it is an ECR repository: deleting it deletes every released image with it" });
        }
        return dedupe(out);
    });
}

function dedupe(selection: CriticalSelection): CriticalSelection {
    const seen = new Set<string>();
    const critical = selection.critical.filter((c) => (seen.has(c.resource.urn) ? false : (seen.add(c.resource.urn), true)));
    const undetermined = selection.undetermined.filter((u) => (seen.has(u.resource.urn) ? false : (seen.add(u.resource.urn), true)));
    return { critical, undetermined };
}
