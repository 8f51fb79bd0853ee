import { stackPolicy } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { describe, read, readArray, readBoolean, readString, Read } from "../../framework/values";
import { globMatch } from "../../shared/glob";
import { linkedByProperty, s3BucketKeys } from "../../engine/joins";
import { lockOf } from "../../engine/s3/object-lock";
import { storeIndex } from "../../engine/s3/store";
import { CLOUDTRAIL_TRAIL, CLOUDTRAIL_TRAILS, S3_BUCKET, S3_BUCKETS } from "../../engine/resource-types";
import type { StackModel, StackResource } from "../../sdk/stack-model";

interface Config {
    externalLockedBuckets: string[];
}

const COMPLIANCE = "COMPLIANCE";

export const cloudtrailTamperEvident = stackPolicy<Config>({
    name: "cloudtrail-tamper-evident",
    displayName: "CloudTrail trails are complete and tamper-evident",
    guarantee: "immutable-artifacts",
    description:
        "CloudTrail trails keep logging, validate log files, cover all regions and global services, record management events, are KMS-encrypted, and deliver to a locked store.",
    rule:
        "Every `aws.cloudtrail.Trail` and `aws-native:cloudtrail:Trail` must: set `enableLogFileValidation: true` (unset is " +
        "false); set `isMultiRegionTrail: true` (unset is false); not set `includeGlobalServiceEvents: false` (unset is true); " +
        "set `kmsKeyId`; keep logging (`enableLogging` not false in aws, `isLogging: true` in aws-native); and record all " +
        "management events: with `eventSelectors`, at least one selector with `includeManagementEvents` not false, " +
        "`readWriteType` `All` or `WriteOnly` (unset is All) and no `excludeManagementEventSources`; with " +
        "`advancedEventSelectors`, at least one selector whose field selectors are `eventCategory` equals `Management` and " +
        "at most `readOnly` equals `false`. Its `s3BucketName` must name a bucket of the stack (joined through property " +
        "dependencies, else by name, id or ARN) that has Object Lock enabled with a default retention in COMPLIANCE mode " +
        "(the retention period itself is `s3-object-lock`'s, which treats every trail's bucket as an audit-log store), or " +
        "match a pattern in `externalLockedBuckets`. A lock problem is reported on the bucket or its lock configuration, " +
        "everything else on the trail.",
    why:
        "The trail is the record of who changed what. Without digest validation a log file can be edited without trace; a " +
        "single-region trail or one without global events misses activity in other regions and in IAM; a stopped trail or a " +
        "read-only selector records nothing useful; and a trail that writes to a bucket its readers can delete from is only as " +
        "trustworthy as the least careful administrator.",
    severity: "critical",
    remediationSteps:
        "Set `enableLogFileValidation: true`, `isMultiRegionTrail: true`, `includeGlobalServiceEvents: true` and `kmsKeyId` " +
        "(a customer-managed key whose policy lets cloudtrail.amazonaws.com encrypt), remove selectors that drop management " +
        "events, and deliver to a bucket with Object Lock in COMPLIANCE mode (sealed-infra's `ImmutableBucket` with " +
        '`kind: "audit-logs"`). For an organisation log-archive bucket in another account, list it in `externalLockedBuckets`.',
    config: {
        externalLockedBuckets: {
            description:
                "Bucket names (glob patterns, `*` matches any characters) outside the stack that are known to be locked stores, e.g. an organisation's log-archive bucket. Trails may deliver to them.",
            default: [],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
    },
    guards: [
        {
            types: CLOUDTRAIL_TRAILS,
            paths: [
                "enableLogFileValidation",
                "isMultiRegionTrail",
                "includeGlobalServiceEvents",
                "kmsKeyId",
                "enableLogging",
                "isLogging",
                "eventSelectors",
                "advancedEventSelectors",
                "s3BucketName",
            ],
        },
    ],
    resourceTypes: [...CLOUDTRAIL_TRAILS],
    example: {
        compliant:
            'new aws.cloudtrail.Trail("audit", { s3BucketName: auditLogs.bucket, kmsKeyId: key.arn, enableLogFileValidation: true,\n' +
            "    isMultiRegionTrail: true, includeGlobalServiceEvents: true });",
        violating: 'new aws.cloudtrail.Trail("audit", { s3BucketName: plainBucket.bucket }); // no validation, one region, no KMS, unlocked bucket',
    },
    check(model, config, findings) {
        for (const trail of model.ofTypes(CLOUDTRAIL_TRAILS)) {
            checkSettings(trail, findings);
            checkManagementEvents(trail, findings);
            checkDestinationExists(model, trail, config, findings);
        }
        // Each destination bucket once, naming every trail that writes to it.
        const index = storeIndex(model);
        for (const bucket of model.ofTypes(S3_BUCKETS)) {
            const trails = index.trails.byParent.get(bucket.urn);
            if (trails && trails.length > 0) {
                checkLocked(model, bucket, trails, findings);
            }
        }
    },
});

function checkSettings(trail: StackResource, findings: Findings): void {
    const requireTrue = (path: string, unsetMeans: boolean, consequence: string, fix: string) => {
        const r = readBoolean(trail.props, path);
        if (findings.unresolved(trail, r, `${path} is true`)) {
            return;
        }
        const value = r.state === "known" ? r.value : unsetMeans;
        if (!value) {
            const found = r.state === "known" ? "false" : `unset (defaults to ${unsetMeans})`;
            findings.violation(trail, `${path} is ${found}, ${consequence}; ${fix}.`);
        }
    };
    requireTrue("enableLogFileValidation", false, "so log files can be altered or deleted without the digest chain showing it", "set enableLogFileValidation: true");
    requireTrue("isMultiRegionTrail", false, "so activity in other regions is not recorded", "set isMultiRegionTrail: true");
    requireTrue(
        "includeGlobalServiceEvents",
        true,
        "so changes to IAM, STS and other global services are not recorded",
        "set includeGlobalServiceEvents: true (or remove the setting)",
    );
    if (trail.type === CLOUDTRAIL_TRAIL.native) {
        requireTrue("isLogging", false, "so the trail records nothing", "set isLogging: true");
    } else {
        requireTrue("enableLogging", true, "so the trail is stopped and records nothing", "set enableLogging: true (or remove the setting)");
    }
    const key = readString(trail.props, "kmsKeyId");
    if (findings.unresolved(trail, key, "kmsKeyId names a KMS key")) {
        return;
    }
    if (key.state !== "known" || key.value.trim() === "") {
        findings.violation(
            trail,
            `kmsKeyId is ${key.state === "known" ? '""' : "unset"}, so log files are encrypted only with S3-managed keys and anyone who can read the bucket can read them; set kmsKeyId to a customer-managed KMS key's ARN.`,
        );
    }
}

function checkManagementEvents(trail: StackResource, findings: Findings): void {
    const what = "the trail records all management (write) events";
    const advanced = readArray(trail.props, "advancedEventSelectors");
    if (findings.unresolved(trail, advanced, what)) {
        return;
    }
    if (advanced.state === "known" && advanced.value.length > 0) {
        if (!advanced.value.some((s, i) => advancedCoversManagement(s, `${advanced.path}[${i}]`))) {
            findings.violation(
                trail,
                `advancedEventSelectors has no selector for all management events (found ${describe(advanced.value)}), so control-plane changes go unrecorded; ` +
                    'add { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }.',
            );
        }
        return;
    }
    const basic = readArray(trail.props, "eventSelectors");
    if (findings.unresolved(trail, basic, what)) {
        return;
    }
    if (basic.state !== "known" || basic.value.length === 0) {
        return; // no selectors: CloudTrail records all management events
    }
    const problems: string[] = [];
    for (let i = 0; i < basic.value.length; i++) {
        const at = `${basic.path}[${i}]`;
        const include = readBoolean(basic.value[i], "includeManagementEvents", at);
        const rw = readString(basic.value[i], "readWriteType", at);
        const excluded = readArray(basic.value[i], "excludeManagementEventSources", at);
        for (const r of [include, rw, excluded] as Read<unknown>[]) {
            if (findings.unresolved(trail, r, what)) {
                return;
            }
        }
        const includes = include.state !== "known" || include.value;
        const rwValue = rw.state === "known" ? rw.value : "All";
        const exclusions = excluded.state === "known" ? excluded.value : [];
        if (includes && (rwValue === "All" || rwValue === "WriteOnly") && exclusions.length === 0) {
            return;
        }
        problems.push(
            !includes
                ? `${include.path} is false`
                : exclusions.length > 0
                  ? `${excluded.path} is ${describe(exclusions)}`
                  : `${rw.path} is ${describe(rwValue)}`,
        );
    }
    findings.violation(
        trail,
        `no event selector records all management write events (${problems.join("; ")}), so control-plane changes go unrecorded; ` +
            'set includeManagementEvents: true and readWriteType: "All" on a selector, without excludeManagementEventSources.',
    );
}

function advancedCoversManagement(selector: unknown, at: string): boolean {
    const fields = read(selector, "fieldSelectors", at);
    if (fields.state !== "known" || !Array.isArray(fields.value)) {
        return false;
    }
    let management = false;
    for (const f of fields.value) {
        const field = typeof (f as Record<string, unknown>)?.field === "string" ? ((f as Record<string, unknown>).field as string) : "";
        const entry = f as Record<string, unknown>;
        const equals = Array.isArray(entry.equals) ? entry.equals : [];
        const others = ["notEquals", "startsWiths", "notStartsWiths", "endsWiths", "notEndsWiths", "startsWith", "notStartsWith", "endsWith", "notEndsWith"].some(
            (k) => Array.isArray(entry[k]) && (entry[k] as unknown[]).length > 0,
        );
        if (field === "eventCategory" && !others && equals.length === 1 && equals[0] === "Management") {
            management = true;
        } else if (field === "readOnly" && !others && equals.length === 1 && String(equals[0]) === "false") {
            // write events only: still records every change
        } else {
            return false;
        }
    }
    return management;
}

function checkDestinationExists(model: StackModel, trail: StackResource, config: Config, findings: Findings): void {
    const what = "the trail delivers to a locked store";
    const link = linkedByProperty(model, trail, "s3BucketName", S3_BUCKETS, s3BucketKeys, "s3-bucket");
    if (link.targets.length > 0) {
        return; // checked per bucket in checkLocked
    }
    if (link.pending) {
        findings.notYetKnown(trail, "s3BucketName", what);
        return;
    }
    const name = readString(trail.props, "s3BucketName");
    if (findings.unresolved(trail, name, what)) {
        return;
    }
    if (name.state !== "known" || name.value === "") {
        findings.violation(trail, "s3BucketName is unset, so the trail has no store to deliver to; set s3BucketName to a bucket with Object Lock in COMPLIANCE mode.");
        return;
    }
    if (config.externalLockedBuckets.some((p) => globMatch(p, name.value))) {
        return;
    }
    findings.violation(
        trail,
        `s3BucketName is "${name.value}", a bucket outside this stack, so it cannot be verified that the store is locked; deliver to a bucket of this stack with Object Lock in COMPLIANCE mode, ` +
            `or, if "${name.value}" is a locked log-archive bucket managed elsewhere, add it to this policy's externalLockedBuckets.`,
    );
}

function checkLocked(model: StackModel, bucket: StackResource, trails: StackResource[], findings: Findings): void {
    const who = `${trails.length > 1 ? "trails" : "trail"} ${trails.map((t) => `"${t.name}"`).join(", ")}`;
    const delivers = trails.length > 1 ? "deliver" : "delivers";
    const what = `store "${bucket.name}", where ${who} ${delivers}, has Object Lock in ${COMPLIANCE} mode`;
    const lock = lockOf(model, bucket);
    if (lock.unresolved.length > 0) {
        for (const u of lock.unresolved) {
            findings.unresolved(u.on, u.read, what);
        }
        return;
    }
    const native = bucket.type === S3_BUCKET.native;
    if (lock.enabledBy === undefined) {
        if (lock.pending.length > 0) {
            findings.notYetKnown(bucket, `bucket of ${lock.pending.map((c) => `"${c.name}"`).join(", ")}`, what);
            return;
        }
        findings.violation(
            bucket,
            `${who} ${delivers} audit logs here, but Object Lock is not enabled on this bucket, so the logs can be deleted; ` +
                (native
                    ? 'set objectLockEnabled: true and objectLockConfiguration: { objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } } }.'
                    : 'set objectLockEnabled: true and add an aws.s3.BucketObjectLockConfiguration with rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } }.'),
        );
        return;
    }
    if (lock.retentions.length === 0) {
        findings.violation(
            lock.configs[0] ?? bucket,
            `${who} ${delivers} audit logs to store "${bucket.name}", whose Object Lock has no default retention, so log files are not locked; set rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } }.`,
        );
        return;
    }
    for (const r of lock.retentions) {
        const mode = readString(r.block, "mode", r.path);
        if (findings.unresolved(r.on, mode, what)) {
            continue;
        }
        if (mode.state !== "known" || mode.value !== COMPLIANCE) {
            findings.violation(
                r.on,
                `${mode.path} is ${mode.state === "known" ? describe(mode.value) : "unset"} on the store where ${who} ${delivers} audit logs, so the logs are not locked against deletion; set mode: "${COMPLIANCE}".`,
            );
        }
    }
}
