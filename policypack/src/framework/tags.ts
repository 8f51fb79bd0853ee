/**
 * Designation tags: components tag what they build (`sealed-infra:store = artifacts|audit-logs`,
 * `sealed-infra:duty = deployer|approver|auditor`, `sealed-infra:purpose = release-approval`), and
 * policies, waivers and the analyses read them here. components/common.ts holds the same names
 * (components never import the pack); test/shared-copies.test.ts proves the two equal.
 */
import { isUnknown, read, Read } from "./values";

export const TAG_STORE = "sealed-infra:store";
export const TAG_DUTY = "sealed-infra:duty";
export const TAG_PURPOSE = "sealed-infra:purpose";

/** Values of the designation tags. */
export type StoreKind = "artifacts" | "audit-logs";
export const STORE_KINDS: readonly StoreKind[] = ["artifacts", "audit-logs"];
export type Duty = "deployer" | "approver" | "auditor";
export const DUTIES: readonly Duty[] = ["deployer", "approver", "auditor"];
export const PURPOSE_RELEASE_APPROVAL = "release-approval";

/** Anything with a name and raw props (a ResourceSubject or a StackResource). */
export interface Taggable {
    name: string;
    type: string;
    props: Readonly<Record<string, unknown>>;
}

/**
 * Kubernetes label keys cannot contain ":", so on Kubernetes objects the designations are labels
 * `sealed-infra.io/<key>` (e.g. `sealed-infra.io/duty: approver`); tagsOf reports them under the
 * same `sealed-infra:<key>` names as AWS tags, so policies ask one question for both.
 */
export const K8S_LABEL_PREFIX = "sealed-infra.io/";

/**
 * Tags of an AWS resource: aws `tagsAll`/`tags` maps (tagsAll includes provider default tags),
 * aws-native `tags` lists of `{key, value}`, Kubernetes `metadata.labels`.
 */
export function tagsOf(resource: Taggable): Read<Record<string, string>> {
    const candidates = resource.type.startsWith("kubernetes:")
        ? [read(resource.props, "metadata.labels")]
        : [read(resource.props, "tagsAll"), read(resource.props, "tags")];
    const merged: Record<string, string> = {};
    let sawUnknown: Read<unknown> | undefined;
    for (const c of candidates) {
        if (c.state === "unknown") {
            sawUnknown = c;
            continue;
        }
        if (c.state !== "known") {
            continue;
        }
        if (Array.isArray(c.value)) {
            for (const entry of c.value) {
                const key = (entry as Record<string, unknown> | null)?.key;
                const value = (entry as Record<string, unknown> | null)?.value;
                if (typeof key === "string" && typeof value === "string") {
                    merged[key] = value;
                }
            }
        } else if (typeof c.value === "object") {
            for (const [key, value] of Object.entries(c.value as Record<string, unknown>)) {
                if (typeof value === "string" && !isUnknown(value)) {
                    merged[key] = value;
                    if (key.startsWith(K8S_LABEL_PREFIX) && resource.type.startsWith("kubernetes:")) {
                        merged[`sealed-infra:${key.slice(K8S_LABEL_PREFIX.length)}`] = value;
                    }
                }
            }
        }
    }
    if (Object.keys(merged).length === 0 && sawUnknown) {
        return { state: "unknown", path: sawUnknown.path };
    }
    return { state: "known", value: merged, path: "tags" };
}

/** True when the resource carries `key=value` (value optional). Unknown tags count as not carrying it. */
export function hasTag(resource: Taggable, key: string, value?: string): boolean {
    const tags = tagsOf(resource);
    if (tags.state !== "known" || !(key in tags.value)) {
        return false;
    }
    return value === undefined || tags.value[key] === value;
}
