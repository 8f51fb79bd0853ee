import { stackPolicy } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { describe, read, readBoolean, readString, Read } from "../../framework/values";
import { StoreDesignationConfig, storeDesignationOptions } from "../../engine/designation";
import { LifecycleRule, LifecycleView, lifecycleOf, lifecycleRulesOfConfig } from "../../engine/s3/lifecycle";
import { lockOf, retentionPeriod } from "../../engine/s3/object-lock";
import { designatedStores, externalStoreReason, readBlocks, storeIndex } from "../../engine/s3/store";
import { S3_BUCKET, S3_BUCKET_LIFECYCLE, S3_BUCKETS } from "../../engine/resource-types";
import type { StackModel, StackResource } from "../../sdk/stack-model";

interface Config extends StoreDesignationConfig {
    minRetentionDays: number;
}

export const s3NoEarlyExpiration = stackPolicy<Config>({
    name: "s3-no-early-expiration",
    displayName: "No lifecycle rule deletes records early",
    guarantee: "immutable-artifacts",
    description:
        "No lifecycle rule on a designated store expires current or noncurrent object versions before the retention period ends.",
    rule:
        "For every designated store (see `s3-object-lock`: tagged `sealed-infra:store`, matching `designatedStoreNamePatterns`, " +
        "`designateAllBuckets`, or written to by a CloudTrail trail of the stack), the retention period is the larger of " +
        "`minRetentionDays` and the bucket's Object Lock default retention. Every enabled lifecycle rule that applies to the " +
        "bucket, from a linked `aws.s3.BucketLifecycleConfiguration` (or the deprecated `…V2`), the legacy inline " +
        "`lifecycleRules` of `aws.s3.Bucket`/`BucketV2` (read only when no configuration is linked: the provider's outputs " +
        "mirror a linked one there), or aws-native `lifecycleConfiguration.rules`, must not: expire " +
        "current versions after fewer days than the retention period (`expiration.days`, `expirations[].days`, " +
        "`expirationInDays`); expire them on a fixed date (`expiration.date`, `expirationDate`), which removes objects of " +
        "any age; or delete noncurrent versions after fewer days (`noncurrentVersionExpiration.noncurrentDays`, legacy " +
        "`noncurrentVersionExpiration(s).days`, `noncurrentVersionExpirationInDays`). A rule counts whatever its filter or " +
        "prefix (it still deletes the records it matches); a rule without a status counts as enabled; a rule with status " +
        "`Disabled` or `enabled: false` is ignored. Transitions, delete-marker cleanup and aborting incomplete uploads are " +
        "allowed. A day count of 0 means unset.",
    why:
        "A lifecycle rule is a scheduled delete that runs with S3's own authority: a seven-day noncurrent expiration on a " +
        "log bucket quietly erases the history that versioning was meant to keep, and nobody has to call DeleteObject for it " +
        "to happen.",
    severity: "high",
    remediationSteps:
        "Remove expiration actions from lifecycle rules of designated stores, or raise them to at least the retention period " +
        "(e.g. `noncurrentVersionExpiration: { noncurrentDays: 365 }`). Move old versions to cheaper storage with " +
        "`transitions`/`noncurrentVersionTransitions` instead of deleting them.",
    config: {
        minRetentionDays: {
            description: "Minimum age, in days, before a lifecycle rule may expire a version of a designated store (a longer Object Lock default retention raises it).",
            default: 365,
            schema: { type: "integer", minimum: 1, maximum: 36500 },
        },
        ...storeDesignationOptions,
    },
    guards: [
        { types: S3_BUCKET_LIFECYCLE, paths: ["bucket", "rules"] },
        { types: [S3_BUCKET.current, S3_BUCKET.deprecated], paths: ["lifecycleRules"] },
        { types: [S3_BUCKET.native], paths: ["lifecycleConfiguration"] },
    ],
    resourceTypes: [...S3_BUCKETS, ...S3_BUCKET_LIFECYCLE],
    example: {
        compliant:
            'new aws.s3.BucketLifecycleConfiguration("logs", { bucket: logs.bucket, rules: [{ id: "archive", status: "Enabled",\n' +
            '    noncurrentVersionTransitions: [{ noncurrentDays: 30, storageClass: "GLACIER" }] }] });',
        violating:
            'new aws.s3.BucketLifecycleConfiguration("logs", { bucket: logs.bucket, rules: [{ id: "cleanup", status: "Enabled",\n' +
            "    noncurrentVersionExpiration: { noncurrentDays: 7 } }] });",
    },
    check(model, config, findings) {
        const selection = designatedStores(model, config);
        for (const { bucket, path } of selection.undetermined) {
            findings.notYetKnown(bucket, path, `if this bucket is a designated store, no lifecycle rule expires versions before ${config.minRetentionDays} days`);
        }
        for (const store of selection.stores) {
            checkStore(model, store.bucket, store.reason, config, findings);
        }
        const index = storeIndex(model);
        for (const orphan of index.lifecycle.orphans) {
            const reason = externalStoreReason(orphan, config);
            if (reason !== undefined) {
                const name = readString(orphan.props, "bucket");
                checkRules(lifecycleRulesOfConfig(orphan), name.state === "known" ? name.value : orphan.name, reason, config.minRetentionDays, "minRetentionDays", findings);
            }
        }
        for (const pending of index.lifecycle.pending) {
            // Its bucket is not known until the update: if it deletes early, say so without concluding.
            const early = earlyDeletions(lifecycleRulesOfConfig(pending), config.minRetentionDays);
            if (early.length > 0) {
                findings.notYetKnown(
                    pending,
                    "bucket",
                    `its bucket is not a designated store, since ${early[0].path} deletes versions before ${config.minRetentionDays} days`,
                );
            }
        }
    },
});

function checkStore(model: StackModel, bucket: StackResource, reason: string, config: Config, findings: Findings): void {
    // The retention period: minRetentionDays, raised by a longer Object Lock default retention.
    let horizon = config.minRetentionDays;
    let horizonSource = "minRetentionDays";
    const lock = lockOf(model, bucket);
    if (lock.enabledBy !== undefined) {
        for (const r of lock.retentions) {
            const days = retentionPeriod(r).totalDays;
            if (days !== undefined && days > horizon) {
                horizon = days;
                horizonSource = `the Object Lock default retention (${r.path})`;
            }
        }
    }
    // A lifecycle configuration whose bucket is unknown until the update is reported where it is (see check).
    checkRules(lifecycleOf(model, bucket), bucket.name, reason, horizon, horizonSource, findings);
}

interface Deletion {
    on: StackResource;
    /** Path of the offending field, e.g. `rules[0].noncurrentVersionExpiration.noncurrentDays`. */
    path: string;
    rulePath: string;
    ruleId?: string;
    kind: "current-days" | "current-date" | "noncurrent-days";
    value: number | string;
}

/** Unknown or unreadable values met while reading rules. */
interface Blocked {
    on: StackResource;
    read: Extract<Read<unknown>, { state: "unknown" | "unreadable" }>;
}

function checkRules(
    view: LifecycleView,
    storeName: string,
    reason: string,
    horizon: number,
    horizonSource: string,
    findings: Findings,
): void {
    const what = `no lifecycle rule of designated store "${storeName}" expires versions before ${horizon} days`;
    for (const u of view.unresolved) {
        findings.unresolved(u.on, u.read, what);
    }
    const blocked: Blocked[] = [];
    const deletions: Deletion[] = [];
    for (const rule of view.rules) {
        collectDeletions(rule, horizon, deletions, blocked);
    }
    for (const b of blocked) {
        findings.unresolved(b.on, b.read, what);
    }
    for (const d of deletions) {
        const rule = d.ruleId !== undefined ? ` (rule "${d.ruleId}")` : "";
        const forStore = S3_BUCKETS.includes(d.on.type as (typeof S3_BUCKETS)[number]) ? "" : ` of store "${storeName}"`;
        const retention = `the ${horizon}-day retention (${horizonSource})`;
        let text: string;
        switch (d.kind) {
            case "current-days":
                text =
                    `${d.path} is ${d.value}${rule}${forStore}, so current versions expire after ${d.value} days, before ${retention} ends; ` +
                    `remove the expiration from the rule or set it to at least ${horizon} days.`;
                break;
            case "current-date":
                text =
                    `${d.path} is ${describe(d.value)}${rule}${forStore}, which expires every current object on that date whatever its age; ` +
                    `remove the date and, if needed, expire by age of at least ${horizon} days.`;
                break;
            default:
                text =
                    `${d.path} is ${d.value}${rule}${forStore}, so replaced and deleted versions are removed for good after ${d.value} days, before ${retention} ends; ` +
                    `remove the noncurrent version expiration or set it to at least ${horizon} days (use noncurrentVersionTransitions to save cost).`;
        }
        findings.violation(d.on, `${text} (The bucket is a designated store: ${reason}.)`);
    }
}

/** Expirations in one rule that delete before `horizon` days, or that cannot be verified. */
function collectDeletions(r: LifecycleRule, horizon: number, out: Deletion[], blocked: Blocked[]): void {
    const block = (x: Read<unknown>): boolean => {
        if (x.state === "unknown" || x.state === "unreadable") {
            blocked.push({ on: r.on, read: x });
            return true;
        }
        return false;
    };
    // Enabled? `status` ("Enabled"/"Disabled") in the split and aws-native forms, `enabled` in the legacy form.
    const status = readString(r.rule, "status", r.path);
    if (block(status)) {
        return;
    }
    if (status.state === "known" && status.value.toLowerCase() === "disabled") {
        return;
    }
    if (status.state === "absent") {
        const enabled = readBoolean(r.rule, "enabled", r.path);
        if (block(enabled)) {
            return;
        }
        if (enabled.state === "known" && !enabled.value) {
            return;
        }
    }
    const id = readString(r.rule, "id", r.path);
    const ruleId = id.state === "known" && id.value !== "" ? id.value : undefined;
    const base = { on: r.on, rulePath: r.path, ruleId };
    const days = (root: unknown, key: string, at: string, kind: Deletion["kind"]) => {
        const v = read(root, key, at);
        if (block(v) || v.state !== "known") {
            return;
        }
        const n = typeof v.value === "number" ? v.value : typeof v.value === "string" && /^\d+$/.test(v.value) ? Number(v.value) : NaN;
        if (Number.isNaN(n)) {
            block({ state: "unreadable", path: v.path, reason: `expected a number of days, found ${describe(v.value)}` });
            return;
        }
        if (n > 0 && n < horizon) {
            out.push({ ...base, path: v.path, kind, value: n });
        }
    };
    const date = (root: unknown, key: string, at: string) => {
        const v = read(root, key, at);
        if (block(v) || v.state !== "known") {
            return;
        }
        if (v.value !== "") {
            out.push({ ...base, path: v.path, kind: "current-date", value: typeof v.value === "string" ? v.value : describe(v.value) });
        }
    };
    const expirations = readBlocks(r.rule, ["expiration", "expirations"], r.path);
    if (!block(expirations) && expirations.state === "known") {
        for (const e of expirations.value) {
            days(e.value, "days", e.path, "current-days");
            date(e.value, "date", e.path);
        }
    }
    days(r.rule, "expirationInDays", r.path, "current-days");
    date(r.rule, "expirationDate", r.path);
    const noncurrent = readBlocks(r.rule, ["noncurrentVersionExpiration", "noncurrentVersionExpirations"], r.path);
    if (!block(noncurrent) && noncurrent.state === "known") {
        for (const n of noncurrent.value) {
            days(n.value, "noncurrentDays", n.path, "noncurrent-days");
            days(n.value, "days", n.path, "noncurrent-days");
        }
    }
    days(r.rule, "noncurrentVersionExpirationInDays", r.path, "noncurrent-days");
}

/** Early deletions of a view, ignoring values that cannot be read (for pending resources). */
function earlyDeletions(view: LifecycleView, horizon: number): Deletion[] {
    const out: Deletion[] = [];
    for (const rule of view.rules) {
        collectDeletions(rule, horizon, out, []);
    }
    return out;
}
