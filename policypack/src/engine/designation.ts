/**
 * Which resources a guarantee applies to. Components tag what they build
 * (`sealed-infra:store = artifacts|audit-logs`, `sealed-infra:duty = deployer|approver|auditor`,
 * `sealed-infra:purpose = release-approval`); config can designate more resources by name pattern,
 * or apply a rule to every resource of its type.
 *
 * Policies that act on designated resources share the config options below, so every such policy
 * is configured the same way.
 */
import type { ConfigOption } from "../framework/definition";
import { read } from "../framework/values";
import { globMatch } from "../shared/glob";
import { STORE_KINDS, StoreKind, Taggable, tagsOf, TAG_PURPOSE, TAG_STORE } from "../framework/tags";




export interface StoreDesignationConfig {
    /** Glob patterns (`*` any run of characters) on the Pulumi name or the physical bucket name. */
    designatedStoreNamePatterns: string[];
    /** Treat every bucket as a designated store. */
    designateAllBuckets: boolean;
}

export const storeDesignationOptions: { [K in keyof StoreDesignationConfig]: ConfigOption<StoreDesignationConfig[K]> } = {
    designatedStoreNamePatterns: {
        description:
            "Buckets to treat as designated stores (artifacts or audit logs) besides those tagged `sealed-infra:store`: glob patterns (`*` matches any characters) on the Pulumi resource name or the bucket name.",
        default: [],
        schema: { type: "array", items: { type: "string", minLength: 1 } },
    },
    designateAllBuckets: {
        description: "Apply the store guarantees to every bucket in the stack.",
        default: false,
        schema: { type: "boolean" },
    },
};




export type StoreDesignation =
    | { designated: true; kind: StoreKind | "configured"; reason: string }
    | { designated: false }
    | { designated: "unknown"; path: string };

/** Whether a bucket is a designated store, and why (for messages). */
export function storeDesignation(bucket: Taggable, config: StoreDesignationConfig): StoreDesignation {
    if (config.designateAllBuckets) {
        return { designated: true, kind: "configured", reason: "designateAllBuckets is set" };
    }
    const tags = tagsOf(bucket);
    if (tags.state === "known") {
        const kind = tags.value[TAG_STORE];
        if (kind !== undefined) {
            return {
                designated: true,
                kind: (STORE_KINDS as readonly string[]).includes(kind) ? (kind as StoreKind) : "configured",
                reason: `it is tagged ${TAG_STORE}=${kind}`,
            };
        }
    }
    const names = [bucket.name, read(bucket.props, "bucket"), read(bucket.props, "bucketName")]
        .map((n) => (typeof n === "string" ? n : n.state === "known" && typeof n.value === "string" ? n.value : undefined))
        .filter((n): n is string => n !== undefined);
    const pattern = config.designatedStoreNamePatterns.find((p) => names.some((n) => globMatch(p, n)));
    if (pattern !== undefined) {
        return { designated: true, kind: "configured", reason: `its name matches designatedStoreNamePatterns "${pattern}"` };
    }
    if (tags.state === "unknown") {
        return { designated: "unknown", path: tags.path };
    }
    return { designated: false };
}

/**
 * Designation of other resources than buckets (audit log groups, approval and log keys): a tag,
 * a glob pattern on the Pulumi name or on one of the physical-name properties, or "all".
 */
export interface DesignationRule {
    /** `[key, value]` pairs; a value of undefined matches any value of the key. */
    tags: ReadonlyArray<readonly [string, string | undefined]>;
    patterns: readonly string[];
    /** Properties holding the physical name (`name`, `logGroupName`, ...). */
    nameProperties: readonly string[];
    /** When set, every resource is designated, with this reason. */
    all?: string;
}

export type Designation = { designated: true; reason: string } | { designated: false } | { designated: "unknown"; path: string };

export function designationOf(resource: Taggable, rule: DesignationRule): Designation {
    if (rule.all !== undefined) {
        return { designated: true, reason: rule.all };
    }
    const tags = tagsOf(resource);
    if (tags.state === "known") {
        for (const [key, value] of rule.tags) {
            const found = tags.value[key];
            if (found !== undefined && (value === undefined || found === value)) {
                return { designated: true, reason: `it is tagged ${key}=${found}` };
            }
        }
    }
    const names = [resource.name, ...rule.nameProperties.map((p) => read(resource.props, p))]
        .map((n) => (typeof n === "string" ? n : n.state === "known" && typeof n.value === "string" ? n.value : undefined))
        .filter((n): n is string => n !== undefined);
    const pattern = rule.patterns.find((p) => names.some((n) => globMatch(p, n)));
    if (pattern !== undefined) {
        return { designated: true, reason: `its name matches the pattern "${pattern}"` };
    }
    if (tags.state === "unknown") {
        return { designated: "unknown", path: tags.path };
    }
    return { designated: false };
}

/**
 * Tags that designate a KMS key as an approval or log key (any value): components tag release
 * approval keys `sealed-infra:purpose=release-approval` and store keys `sealed-infra:store=<kind>`.
 */
export const KEY_DESIGNATION_TAGS: ReadonlyArray<readonly [string, string | undefined]> = [
    [TAG_PURPOSE, undefined],
    [TAG_STORE, undefined],
];

/** Config options of policies that apply to all KMS keys or only to designated ones. */
export const keyDesignationOptions = {
    applyToAllKeys: {
        description:
            "Apply to every KMS key. When false, only designated keys: tagged `sealed-infra:purpose` (e.g. release-approval) or `sealed-infra:store`, or matching designatedKeyNamePatterns.",
        default: true,
        schema: { type: "boolean" },
    } as ConfigOption<boolean>,
    designatedKeyNamePatterns: {
        description: "Glob patterns (`*` any characters) on the Pulumi name of the keys to include when applyToAllKeys is false.",
        default: [] as string[],
        schema: { type: "array", items: { type: "string", minLength: 1 } },
    } as ConfigOption<string[]>,
};
