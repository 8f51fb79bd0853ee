/**
 * Designated S3 stores (artifact and audit-log buckets) and what protects them: Object Lock,
 * lifecycle rules, public access blocks and bucket policies, read from the split @pulumi/aws v7
 * resources (and their deprecated `…V2` aliases), from the legacy inline fields of the bucket, and
 * from aws-native's inline configuration. Shared by s3-object-lock, s3-no-early-expiration,
 * s3-store-sealed and cloudtrail-tamper-evident, so each split resource is joined to its bucket
 * once per AnalyzeStack (engine/joins.ts) and every policy reads the same sources the same way.
 *
 * Nothing here reports: readers return what they found plus the values they could not resolve
 * (unknown in preview, or unreadable), and each policy decides what that means for its guarantee.
 */
import { containsUnknown, read, readArray, readBoolean, readString, Read } from "../framework/values";
import { storeDesignation, StoreDesignationConfig } from "./designation";
import { principalIsEveryone } from "./iam/document";
import { globMatch, IAM_ARN } from "../shared/glob";
import { s3ChildrenByBucket, trailsByBucket } from "./joins";
import {
    S3_ACCOUNT_PUBLIC_ACCESS_BLOCK,
    S3_BUCKET,
    S3_BUCKET_LIFECYCLE,
    S3_BUCKET_OBJECT_LOCK,
    S3_BUCKET_POLICIES,
    S3_BUCKET_POLICY,
    S3_BUCKET_PUBLIC_ACCESS_BLOCK,
    S3_BUCKETS,
} from "./resource-types";
import type { StackModel, StackResource } from "../sdk/stack-model";

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

function unresolvedRead(r: Read<unknown>): r is Unresolved["read"] {
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

// ---------------------------------------------------------------------------------------------
// Object Lock

export interface DefaultRetention {
    /** The resource that declares it (a lock configuration, or the bucket itself when inline). */
    on: StackResource;
    path: string;
    block: unknown;
}

export interface LockView {
    /** What enables Object Lock (for messages), or undefined when nothing does. */
    enabledBy?: string;
    /** Explicitly disabled inline (`objectLockEnabled: false`). */
    disabledInline: boolean;
    /** Linked lock configuration resources. */
    configs: StackResource[];
    /** Default retention rules found, from every source. */
    retentions: DefaultRetention[];
    unresolved: Unresolved[];
    /** A lock configuration exists whose bucket is not known until the update. */
    pending: StackResource[];
}

export function lockOf(model: StackModel, bucket: StackResource): LockView {
    const index = storeIndex(model);
    const view: LockView = { disabledInline: false, configs: index.lock.byParent.get(bucket.urn) ?? [], retentions: [], unresolved: [], pending: index.lock.pending };
    const note = (on: StackResource, r: Read<unknown>): boolean => {
        if (unresolvedRead(r)) {
            view.unresolved.push({ on, read: r });
            return true;
        }
        return false;
    };

    const enabled = readBoolean(bucket.props, "objectLockEnabled");
    if (!note(bucket, enabled) && enabled.state === "known") {
        if (enabled.value) {
            view.enabledBy = "objectLockEnabled: true";
        } else {
            view.disabledInline = true;
        }
    }
    const inline = readBlocks(bucket.props, ["objectLockConfiguration"]);
    if (!note(bucket, inline) && inline.state === "known") {
        for (const block of inline.value) {
            const status = readString(block.value, "objectLockEnabled", block.path);
            if (!note(bucket, status) && status.state === "known" && status.value === "Enabled") {
                view.enabledBy ??= `${status.path}: "Enabled"`;
            }
            // With a linked lock configuration, the bucket's (computed) inline block mirrors it.
            if (view.configs.length === 0 || bucket.type === S3_BUCKET.native) {
                collectRetentions(bucket, block.value, block.path, view, note);
            }
        }
    }
    for (const config of view.configs) {
        const status = readString(config.props, "objectLockEnabled");
        if (!note(config, status)) {
            // The split resource enables Object Lock itself ("Enabled" is its default and only value).
            if (status.state === "absent" || (status.state === "known" && status.value === "Enabled")) {
                view.enabledBy ??= `${sdkName(config.type)} "${config.name}"`;
            }
        }
        collectRetentions(config, config.props, "", view, note);
    }
    return view;
}

/** The default retentions a lock configuration resource declares on its own (its bucket may be outside the stack). */
export function retentionsOfConfig(config: StackResource): { retentions: DefaultRetention[]; unresolved: Unresolved[] } {
    const view: LockView = { disabledInline: false, configs: [config], retentions: [], unresolved: [], pending: [] };
    collectRetentions(config, config.props, "", view, (on, r) => {
        if (unresolvedRead(r)) {
            view.unresolved.push({ on, read: r });
            return true;
        }
        return false;
    });
    return { retentions: view.retentions, unresolved: view.unresolved };
}

function collectRetentions(
    on: StackResource,
    root: unknown,
    base: string,
    view: LockView,
    note: (on: StackResource, r: Read<unknown>) => boolean,
): void {
    const rules = readBlocks(root, ["rule", "rules"], base);
    if (note(on, rules) || rules.state !== "known") {
        return;
    }
    for (const rule of rules.value) {
        const retentions = readBlocks(rule.value, ["defaultRetention", "defaultRetentions"], rule.path);
        if (note(on, retentions) || retentions.state !== "known") {
            continue;
        }
        for (const r of retentions.value) {
            view.retentions.push({ on, path: r.path, block: r.value });
        }
    }
}

export const DAYS_PER_YEAR = 365;

/** A default retention's period in days (`years` counted as 365 days), with the reads behind it. */
export function retentionPeriod(r: DefaultRetention): { days: Read<number>; years: Read<number>; totalDays?: number } {
    const days = readNumberAt(r.block, "days", r.path);
    const years = readNumberAt(r.block, "years", r.path);
    let totalDays: number | undefined;
    if (days.state === "known" && days.value > 0) {
        totalDays = days.value;
    } else if (years.state === "known" && years.value > 0) {
        totalDays = years.value * DAYS_PER_YEAR;
    }
    return { days, years, totalDays };
}

function readNumberAt(root: unknown, key: string, base: string): Read<number> {
    const r = read(root, key, base);
    if (r.state !== "known") {
        return r;
    }
    if (typeof r.value === "number" && Number.isFinite(r.value)) {
        return r as Read<number>;
    }
    if (typeof r.value === "string" && /^\d+$/.test(r.value.trim())) {
        return { state: "known", value: Number(r.value), path: r.path };
    }
    return { state: "unreadable", path: r.path, reason: `expected a number, found ${JSON.stringify(r.value)}` };
}

// ---------------------------------------------------------------------------------------------
// Lifecycle rules

export interface LifecycleRule {
    /** The resource that declares the rule (a lifecycle configuration, or the bucket inline). */
    on: StackResource;
    path: string;
    rule: unknown;
}

export interface LifecycleView {
    rules: LifecycleRule[];
    unresolved: Unresolved[];
    pending: StackResource[];
}

/** Every lifecycle rule that applies to the bucket: split resources, legacy `lifecycleRules`, aws-native inline. */
export function lifecycleOf(model: StackModel, bucket: StackResource): LifecycleView {
    const index = storeIndex(model);
    const view: LifecycleView = { rules: [], unresolved: [], pending: index.lifecycle.pending };
    const add = (on: StackResource, list: Read<unknown[]>) => {
        if (unresolvedRead(list)) {
            view.unresolved.push({ on, read: list });
            return;
        }
        if (list.state !== "known") {
            return;
        }
        list.value.forEach((_, i) => {
            const item = read(list.value, [i], list.path);
            if (unresolvedRead(item)) {
                view.unresolved.push({ on, read: item });
            } else if (item.state === "known") {
                view.rules.push({ on, path: item.path, rule: item.value });
            }
        });
    };
    const configs = index.lifecycle.byParent.get(bucket.urn) ?? [];
    for (const config of configs) {
        add(config, readArray(config.props, "rules"));
    }
    if (bucket.type === S3_BUCKET.native) {
        add(bucket, readArray(bucket.props, "lifecycleConfiguration.rules"));
    } else if (configs.length === 0) {
        // With a linked lifecycle configuration, the bucket's computed `lifecycleRules` mirror it.
        add(bucket, readArray(bucket.props, "lifecycleRules"));
    }
    return view;
}

/** Lifecycle rules of a split lifecycle configuration on its own (its bucket is outside the stack or pending). */
export function lifecycleRulesOfConfig(config: StackResource): LifecycleView {
    const view: LifecycleView = { rules: [], unresolved: [], pending: [] };
    const list = readArray(config.props, "rules");
    if (unresolvedRead(list)) {
        view.unresolved.push({ on: config, read: list });
    } else if (list.state === "known") {
        list.value.forEach((_, i) => {
            const item = read(list.value, [i], list.path);
            if (unresolvedRead(item)) {
                view.unresolved.push({ on: config, read: item });
            } else if (item.state === "known") {
                view.rules.push({ on: config, path: item.path, rule: item.value });
            }
        });
    }
    return view;
}

// ---------------------------------------------------------------------------------------------
// Public access blocks

export const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export interface PublicAccessSource {
    on: StackResource;
    /** Path of the block inside `on.props` ("" for a BucketPublicAccessBlock resource). */
    base: string;
    block: unknown;
    accountWide: boolean;
}

export interface PublicAccessView {
    sources: PublicAccessSource[];
    unresolved: Unresolved[];
    pending: StackResource[];
}

export function publicAccessOf(model: StackModel, bucket: StackResource): PublicAccessView {
    const index = storeIndex(model);
    const view: PublicAccessView = { sources: [], unresolved: [], pending: index.publicAccessBlock.pending };
    for (const pab of index.publicAccessBlock.byParent.get(bucket.urn) ?? []) {
        view.sources.push({ on: pab, base: "", block: pab.props, accountWide: false });
    }
    if (bucket.type === S3_BUCKET.native) {
        const inline = read(bucket.props, "publicAccessBlockConfiguration");
        if (unresolvedRead(inline)) {
            view.unresolved.push({ on: bucket, read: inline });
        } else if (inline.state === "known") {
            view.sources.push({ on: bucket, base: inline.path, block: inline.value, accountWide: false });
        }
    }
    for (const account of model.ofTypes(S3_ACCOUNT_PUBLIC_ACCESS_BLOCK)) {
        view.sources.push({ on: account, base: "", block: account.props, accountWide: true });
    }
    return view;
}

// ---------------------------------------------------------------------------------------------
// Bucket policies

export interface PolicySource {
    on: StackResource;
    /** Property holding the document: `policy` (aws) or `policyDocument` (aws-native). */
    path: string;
}

export interface PolicyView {
    sources: PolicySource[];
    pending: StackResource[];
}

export function bucketPoliciesOf(model: StackModel, bucket: StackResource): PolicyView {
    const index = storeIndex(model);
    const view: PolicyView = { sources: [], pending: index.policy.pending };
    for (const p of index.policy.byParent.get(bucket.urn) ?? []) {
        view.sources.push({ on: p, path: p.type === S3_BUCKET_POLICY.native ? "policyDocument" : "policy" });
    }
    if (bucket.type !== S3_BUCKET.native && view.sources.length === 0) {
        // Legacy inline `policy`; outputs report "" when there is none, and mirror a linked
        // BucketPolicy when there is one (so it is read only without one).
        const inline = read(bucket.props, "policy");
        if (inline.state !== "absent" && !(inline.state === "known" && inline.value === "")) {
            view.sources.push({ on: bucket, path: "policy" });
        }
    }
    return view;
}

// ---------------------------------------------------------------------------------------------
// "Deny requests that do not use TLS": a focused statement matcher for bucket policies. It
// recognises the one statement shape that denies every S3 action to everyone on the bucket and its
// objects whenever `aws:SecureTransport` is false; anything narrower does not count.

export type TlsVerdict = { ok: true; sid?: string } | { ok: false; reason: string };

const SECURE_TRANSPORT = "aws:securetransport";

export function deniesInsecureTransport(document: unknown, bucketName?: string): TlsVerdict {
    if (document === null || typeof document !== "object" || Array.isArray(document)) {
        return { ok: false, reason: "the policy is not a JSON object" };
    }
    const raw = (document as Record<string, unknown>).Statement;
    const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    let nearMiss: string | undefined;
    for (let i = 0; i < statements.length; i++) {
        const s = statements[i];
        const sid = s !== null && typeof s === "object" && typeof (s as Record<string, unknown>).Sid === "string" ? String((s as Record<string, unknown>).Sid) : undefined;
        const problem = tlsStatementProblem(s, bucketName);
        if (problem === undefined) {
            return { ok: true, sid };
        }
        if (problem.mentionsTls && nearMiss === undefined) {
            nearMiss = `Statement[${i}]${sid !== undefined ? ` ("${sid}")` : ""} tests aws:SecureTransport but ${problem.reason}`;
        }
    }
    return { ok: false, reason: nearMiss ?? "no statement denies requests with aws:SecureTransport false" };
}

function asList(value: unknown): unknown[] {
    return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function tlsStatementProblem(statement: unknown, bucketName?: string): { reason: string; mentionsTls: boolean } | undefined {
    if (statement === null || typeof statement !== "object" || Array.isArray(statement)) {
        return { reason: "is not an object", mentionsTls: false };
    }
    const s = statement as Record<string, unknown>;
    const condition = secureTransportCondition(s.Condition);
    const mentionsTls = condition !== "absent";
    const problem = (reason: string) => ({ reason, mentionsTls });
    if (s.Effect !== "Deny") {
        return problem(`its Effect is ${JSON.stringify(s.Effect)}, not "Deny"`);
    }
    if (condition === "absent") {
        return problem("it has no aws:SecureTransport condition");
    }
    if (condition !== "ok") {
        return problem(condition);
    }
    if (s.NotPrincipal !== undefined) {
        return problem("it uses NotPrincipal, so it does not apply to everyone");
    }
    if (!principalIsEveryone(s.Principal)) {
        return problem(`its Principal is ${JSON.stringify(s.Principal)}, not "*"`);
    }
    if (s.NotAction !== undefined) {
        return problem("it uses NotAction, so some actions are not denied");
    }
    const actions = asList(s.Action).filter((a): a is string => typeof a === "string").map((a) => a.toLowerCase());
    if (!actions.some((a) => a === "*" || a === "s3:*")) {
        return problem(`it denies only ${JSON.stringify(s.Action)}, not "s3:*"`);
    }
    if (s.NotResource !== undefined) {
        return problem("it uses NotResource, so some resources are not covered");
    }
    const resources = asList(s.Resource).filter((r): r is string => typeof r === "string");
    const covers = coverage(resources, bucketName);
    if (!covers.bucket || !covers.objects) {
        const missing = [!covers.bucket ? "the bucket" : "", !covers.objects ? "its objects (<bucket ARN>/*)" : ""].filter(Boolean).join(" and ");
        return problem(`its Resource ${JSON.stringify(s.Resource)} does not cover ${missing}`);
    }
    return undefined;
}

/** "ok", "absent" (no SecureTransport test), or why the condition is not exactly `aws:SecureTransport = false`. */
function secureTransportCondition(condition: unknown): string {
    if (condition === null || typeof condition !== "object" || Array.isArray(condition)) {
        return "absent";
    }
    const entries = Object.entries(condition as Record<string, unknown>);
    const tls = entries.find(([, block]) => block !== null && typeof block === "object" && Object.keys(block as object).some((k) => k.toLowerCase() === SECURE_TRANSPORT));
    if (!tls) {
        return "absent";
    }
    const [operator, block] = tls as [string, Record<string, unknown>];
    if (operator !== "Bool" && operator !== "BoolIfExists") {
        return `it uses the operator ${operator} instead of Bool`;
    }
    if (entries.length !== 1 || Object.keys(block).length !== 1) {
        return "it adds further conditions, so it denies only some insecure requests";
    }
    const values = asList(Object.values(block)[0]).map((v) => String(v).toLowerCase());
    if (values.length !== 1 || values[0] !== "false") {
        return `it tests aws:SecureTransport = ${JSON.stringify(Object.values(block)[0])} instead of false`;
    }
    return "ok";
}

/** Whether resource patterns cover the bucket ARN and its object ARNs. */
function coverage(patterns: readonly string[], bucketName?: string): { bucket: boolean; objects: boolean } {
    let bucket = false;
    let objects = false;
    for (const p of patterns) {
        if (p === "*") {
            return { bucket: true, objects: true };
        }
        const m = /^arn:[^:]+:s3:::(.*)$/.exec(p);
        if (!m) {
            continue;
        }
        const rest = m[1];
        if (bucketName !== undefined) {
            bucket ||= globMatch(rest, bucketName, IAM_ARN);
            objects ||= globMatch(rest, `${bucketName}/any/key`, IAM_ARN) && globMatch(rest, `${bucketName}/k`, IAM_ARN);
        } else {
            // Bucket name unknown: judge the shape (AWS rejects resources of other buckets anyway).
            bucket ||= !rest.includes("/");
            objects ||= /\/\*$/.test(rest) || (!rest.includes("/") && rest.endsWith("*"));
        }
    }
    return { bucket, objects };
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
