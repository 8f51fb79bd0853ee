import { stackPolicy } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { describe, readString } from "../../framework/values";
import { StoreDesignationConfig, storeDesignationOptions } from "../../engine/designation";
import { DefaultRetention, lockOf, retentionPeriod, retentionsOfConfig } from "../../engine/s3/object-lock";
import { designatedStores, externalStoreReason, storeIndex } from "../../engine/s3/store";
import { S3_BUCKET, S3_BUCKET_OBJECT_LOCK, S3_BUCKETS } from "../../engine/resource-types";
import type { StackModel, StackResource } from "../../sdk/stack-model";

interface Config extends StoreDesignationConfig {
    minRetentionDays: number;
    allowGovernanceMode: boolean;
}

const COMPLIANCE = "COMPLIANCE";
const GOVERNANCE = "GOVERNANCE";

export const s3ObjectLock = stackPolicy<Config>({
    name: "s3-object-lock",
    displayName: "Designated stores are locked (S3 Object Lock, COMPLIANCE)",
    guarantee: "immutable-artifacts",
    description:
        "Designated stores (artifact and audit-log buckets) have S3 Object Lock with a default COMPLIANCE retention, so no one, not even the root user, can delete or overwrite a stored version before the retention ends.",
    rule:
        "Applies to designated stores: buckets (`aws.s3.Bucket`, the deprecated `aws.s3.BucketV2`, `aws-native:s3:Bucket`) " +
        "tagged `sealed-infra:store`, matching `designatedStoreNamePatterns`, every bucket with `designateAllBuckets`, and " +
        "every bucket a CloudTrail trail of the stack delivers to. Object Lock must be enabled: `objectLockEnabled: true` on " +
        "the bucket, the legacy inline `objectLockConfiguration.objectLockEnabled: \"Enabled\"`, or a linked " +
        "`aws.s3.BucketObjectLockConfiguration` (or the deprecated `…V2`; linked through property dependencies on `bucket`, " +
        "else by bucket name, id or ARN). Every default retention that applies (from the linked resource; the legacy inline " +
        "`objectLockConfiguration.rule(s).defaultRetention(s)` when no lock resource is linked, since the provider's outputs " +
        "mirror the linked one there; aws-native `objectLockConfiguration.rule.defaultRetention`) " +
        "must have `mode: \"COMPLIANCE\"` (GOVERNANCE only with `allowGovernanceMode`) and a period (`days`, or `years` counted " +
        "as 365 days) of at least `minRetentionDays`. No default retention at all fails: objects written without their own " +
        "retention would not be locked. A lock configuration whose bucket is outside the stack is checked when its `bucket` " +
        "matches the designation patterns.",
    why:
        "Versioning keeps old versions, but anyone with s3:DeleteObjectVersion can still remove them. Object Lock in " +
        "COMPLIANCE mode makes each version undeletable and unmodifiable until its retention date for every principal, " +
        "including the account root, so released artifacts and audit logs survive a compromised deployer or administrator. " +
        "GOVERNANCE mode can be bypassed by anyone granted s3:BypassGovernanceRetention.",
    severity: "high",
    remediationSteps:
        "Create the bucket with `objectLockEnabled: true` and add " +
        '`new aws.s3.BucketObjectLockConfiguration(name, { bucket: bucket.bucket, rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } } })` ' +
        "(aws-native: `objectLockEnabled: true` and `objectLockConfiguration: { objectLockEnabled: \"Enabled\", rule: { defaultRetention: { mode: \"COMPLIANCE\", days: 365 } } }`). " +
        "Object Lock needs versioning; on an existing bucket it can be enabled by the lock configuration resource once versioning is on. " +
        "COMPLIANCE retention cannot be shortened later, so start with the retention your auditors require. sealed-infra's `ImmutableBucket` does all of this.",
    config: {
        minRetentionDays: {
            description: "Minimum default retention, in days (a retention in years counts 365 days per year).",
            default: 365,
            schema: { type: "integer", minimum: 1, maximum: 36500 },
        },
        allowGovernanceMode: {
            description: "Accept GOVERNANCE mode (principals with s3:BypassGovernanceRetention can then delete locked versions).",
            default: false,
            schema: { type: "boolean" },
        },
        ...storeDesignationOptions,
    },
    guards: [
        { types: [S3_BUCKET.current, S3_BUCKET.deprecated], paths: ["objectLockEnabled", "objectLockConfiguration"] },
        { types: [S3_BUCKET.native], paths: ["objectLockEnabled", "objectLockConfiguration"] },
        { types: S3_BUCKET_OBJECT_LOCK, paths: ["bucket", "objectLockEnabled", "rule"] },
    ],
    resourceTypes: [...S3_BUCKETS, ...S3_BUCKET_OBJECT_LOCK],
    example: {
        compliant:
            'const b = new aws.s3.Bucket("artifacts", { objectLockEnabled: true, tags: { "sealed-infra:store": "artifacts" } });\n' +
            'new aws.s3.BucketObjectLockConfiguration("artifacts", { bucket: b.bucket, rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } } });',
        violating: 'new aws.s3.Bucket("artifacts", { tags: { "sealed-infra:store": "artifacts" } }); // no Object Lock',
    },
    check(model, config, findings) {
        const selection = designatedStores(model, config);
        for (const { bucket, path } of selection.undetermined) {
            findings.notYetKnown(bucket, path, `if this bucket is a designated store (tagged sealed-infra:store), it has Object Lock with a COMPLIANCE default retention of at least ${config.minRetentionDays} days`);
        }
        for (const store of selection.stores) {
            checkStore(model, store.bucket, store.reason, config, findings);
        }
        for (const orphan of storeIndex(model).lock.orphans) {
            const reason = externalStoreReason(orphan, config);
            if (reason !== undefined) {
                checkExternalConfig(orphan, reason, config, findings);
            }
        }
    },
});

function retentionFix(config: Config): string {
    return `{ mode: "${COMPLIANCE}", days: ${config.minRetentionDays} }`;
}

function checkStore(model: StackModel, bucket: StackResource, reason: string, config: Config, findings: Findings): void {
    const why = `it is a designated store (${reason})`;
    const what = `designated store "${bucket.name}" has Object Lock with a ${COMPLIANCE} default retention of at least ${config.minRetentionDays} days`;
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
        const found = lock.disabledInline ? "objectLockEnabled is false" : "objectLockEnabled is unset";
        const fix = native
            ? `set objectLockEnabled: true and objectLockConfiguration: { objectLockEnabled: "Enabled", rule: { defaultRetention: ${retentionFix(config)} } }`
            : `set objectLockEnabled: true on the bucket and add new aws.s3.BucketObjectLockConfiguration("${bucket.name}", { bucket: <bucket>.bucket, rule: { defaultRetention: ${retentionFix(config)} } })`;
        findings.violation(
            bucket,
            `Object Lock is not enabled (${found}${native ? "" : " and no aws.s3.BucketObjectLockConfiguration refers to this bucket"}) although ${why}, so any stored version can be deleted by whoever holds s3:DeleteObjectVersion; ${fix}.`,
        );
        return;
    }
    if (lock.retentions.length === 0) {
        const target = lock.configs[0] ?? bucket;
        const where = target === bucket ? (native ? "objectLockConfiguration.rule" : "a linked aws.s3.BucketObjectLockConfiguration") : "rule";
        findings.violation(
            target,
            `Object Lock is enabled (${lock.enabledBy}) for store "${bucket.name}" but no default retention is set, so objects uploaded without their own retention are not locked at all; ` +
                `set ${where}: { defaultRetention: ${retentionFix(config)} }.`,
        );
        return;
    }
    for (const r of lock.retentions) {
        checkRetention(r, bucket.name, config, findings);
    }
}

function checkRetention(r: DefaultRetention, storeName: string, config: Config, findings: Findings): void {
    const forStore = r.on.name === storeName && S3_BUCKETS.includes(r.on.type as (typeof S3_BUCKETS)[number]) ? "" : ` for store "${storeName}"`;
    const what = `the default retention${forStore} is ${COMPLIANCE} for at least ${config.minRetentionDays} days`;
    const mode = readString(r.block, "mode", r.path);
    if (findings.unresolved(r.on, mode, what)) {
        return;
    }
    const period = retentionPeriod(r);
    if (findings.unresolved(r.on, period.days, what) || findings.unresolved(r.on, period.years, what)) {
        return;
    }
    const modeValue = mode.state === "known" ? mode.value : undefined;
    if (modeValue !== COMPLIANCE && !(modeValue === GOVERNANCE && config.allowGovernanceMode)) {
        const consequence =
            modeValue === GOVERNANCE
                ? "so anyone granted s3:BypassGovernanceRetention can delete locked versions early"
                : "so the retention does not lock anything";
        findings.violation(
            r.on,
            `${mode.path}${forStore} is ${modeValue === undefined ? "unset" : describe(modeValue)}, ${consequence}; set mode: "${COMPLIANCE}".`,
        );
    }
    if (period.totalDays === undefined) {
        findings.violation(
            r.on,
            `${r.path}${forStore} sets neither days nor years, so no retention period applies; set days: ${config.minRetentionDays} (or years).`,
        );
    } else if (period.totalDays < config.minRetentionDays) {
        const found = period.days.state === "known" && period.days.value > 0 ? `${period.days.path} is ${period.days.value}` : `${period.years.path} is ${describe(period.years.state === "known" ? period.years.value : undefined)} (${period.totalDays} days)`;
        findings.violation(
            r.on,
            `${found}${forStore}, below minRetentionDays (${config.minRetentionDays}), so versions can be deleted too early; set days: ${config.minRetentionDays} or more.`,
        );
    }
}

function checkExternalConfig(lockConfig: StackResource, reason: string, config: Config, findings: Findings): void {
    // A lock configuration for a bucket managed elsewhere: its own rule must still comply.
    const bucketName = readString(lockConfig.props, "bucket");
    const storeName = bucketName.state === "known" ? bucketName.value : lockConfig.name;
    const what = `the default retention of designated store "${storeName}" is ${COMPLIANCE} for at least ${config.minRetentionDays} days`;
    const found = retentionsOfConfig(lockConfig);
    if (found.unresolved.length > 0) {
        for (const u of found.unresolved) {
            findings.unresolved(u.on, u.read, what);
        }
        return;
    }
    if (found.retentions.length === 0) {
        findings.violation(
            lockConfig,
            `rule is unset, so its bucket "${storeName}", a designated store (${reason}), locks nothing uploaded without its own retention; set rule: { defaultRetention: ${retentionFix(config)} }.`,
        );
        return;
    }
    for (const r of found.retentions) {
        checkRetention(r, storeName, config, findings);
    }
}
