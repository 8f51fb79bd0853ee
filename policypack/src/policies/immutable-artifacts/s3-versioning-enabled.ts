import { stackPolicy } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { describe, read, readArray, readBoolean, readString } from "../../framework/values";
import { childrenByParent, s3BucketKeys } from "../../engine/joins";
import { S3_BUCKET, S3_BUCKET_VERSIONING, S3_BUCKETS } from "../../engine/resource-types";
import type { StackResource } from "../../sdk/stack-model";

interface Config {
    requireMfaDelete: boolean;
}

const ENABLED = "Enabled";

export const s3VersioningEnabled = stackPolicy<Config>({
    name: "s3-versioning-enabled",
    displayName: "S3 buckets keep every version",
    guarantee: "immutable-artifacts",
    description: "Every S3 bucket has versioning Enabled, so no object can be silently overwritten or deleted.",
    rule:
        "Each bucket (`aws.s3.Bucket`, the deprecated `aws.s3.BucketV2`, `aws-native:s3:Bucket`) must have versioning " +
        "`Enabled`, from a linked `aws.s3.BucketVersioning` (or the deprecated `BucketVersioningV2`) or from the " +
        "bucket's own legacy inline block (`versioning.enabled`, `versionings[].enabled`, or aws-native " +
        "`versioningConfiguration.status`); with a linked resource the bucket's inline value is ignored, because the " +
        "provider mirrors the linked resource into it. A versioning resource is linked to its bucket through the engine's " +
        "property dependencies on `bucket`, else by matching `bucket` to the bucket's name, id or ARN. " +
        "`Suspended`, `Disabled`, `enabled: false`, or no versioning at all fail. With `requireMfaDelete`, MFA delete must also be `Enabled`.",
    why:
        "Without versioning a single PUT or DELETE destroys the previous object for good: artifacts can be swapped " +
        "under their names and records erased, with nothing left to audit. Versioning is also the prerequisite of " +
        "S3 Object Lock.",
    severity: "high",
    remediationSteps:
        'Add `new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } })` ' +
        "for each bucket (or use sealed-infra's `ImmutableBucket`). Remove legacy inline `versioning` blocks: they fight a linked resource on every update. " +
        "Versioning can be suspended later but never removed, so enabling it is always safe.",
    config: {
        requireMfaDelete: {
            description: "Also require MFA delete (versioning changes and version deletion need the root user's MFA).",
            default: false,
            schema: { type: "boolean" },
        },
    },
    guards: [
        { types: S3_BUCKET_VERSIONING, paths: ["versioningConfiguration", "bucket"] },
        { types: [S3_BUCKET.current], paths: ["versioning"] },
        { types: [S3_BUCKET.deprecated], paths: ["versionings", "versioning"] },
        { types: [S3_BUCKET.native], paths: ["versioningConfiguration"] },
    ],
    resourceTypes: [...S3_BUCKETS, ...S3_BUCKET_VERSIONING],
    example: {
        compliant:
            'const b = new aws.s3.Bucket("artifacts");\n' +
            'new aws.s3.BucketVersioning("artifacts", { bucket: b.id, versioningConfiguration: { status: "Enabled" } });',
        violating: 'new aws.s3.BucketVersioning("artifacts", { bucket: b.id, versioningConfiguration: { status: "Suspended" } });',
    },
    check(model, config, findings) {
        const links = childrenByParent(model, S3_BUCKET_VERSIONING, "bucket", S3_BUCKETS, s3BucketKeys, "s3-bucket");
        for (const bucket of model.ofTypes(S3_BUCKETS)) {
            checkBucket(bucket, links.byParent.get(bucket.urn) ?? [], links.pending, config, findings);
        }
        for (const orphan of links.orphans) {
            // A versioning resource for a bucket outside this stack: still verify what it sets.
            checkVersioningResource(orphan, config, findings);
        }
    },
});

type Inline = { state: "enabled" | "disabled" | "absent" } | { state: "unresolved" };

function checkBucket(
    bucket: StackResource,
    linked: StackResource[],
    pending: StackResource[],
    config: Config,
    findings: Findings,
): void {
    if (linked.length > 0) {
        // The provider mirrors a linked versioning resource into the bucket's computed inline
        // `versioning` output, so with a linked resource the inline value says nothing new.
        for (const v of linked) {
            checkVersioningResource(v, config, findings, bucket);
        }
        return;
    }
    const inline = readInline(bucket, config, findings);
    if (inline.state === "unresolved" || inline.state === "enabled") {
        return;
    }
    if (inline.state === "disabled") {
        findings.violation(bucket, `versioning is disabled inline; enable it with a linked aws.s3.BucketVersioning (status: "${ENABLED}") and remove the inline block.`);
        return;
    }
    if (pending.length > 0) {
        findings.notYetKnown(
            bucket,
            `bucket of ${pending.map((v) => `"${v.name}"`).join(", ")}`,
            `this bucket has a versioning resource with status "${ENABLED}"`,
        );
        return;
    }
    findings.violation(
        bucket,
        `has no versioning (no aws.s3.BucketVersioning refers to it and no inline versioning is set), so objects can be overwritten or deleted for good; ` +
            `add new aws.s3.BucketVersioning("${bucket.name}", { bucket: <bucket>.id, versioningConfiguration: { status: "${ENABLED}" } }).`,
    );
}

/** Reads a bucket's legacy inline versioning, in whichever form its type has. */
function readInline(bucket: StackResource, config: Config, findings: Findings): Inline {
    const what = "the bucket's inline versioning is enabled";
    if (bucket.type === S3_BUCKET.native) {
        const status = readString(bucket.props, "versioningConfiguration.status");
        if (findings.unresolved(bucket, status, what)) {
            return { state: "unresolved" };
        }
        if (status.state === "absent") {
            return { state: "absent" };
        }
        if (status.value !== ENABLED) {
            findings.violation(bucket, `versioningConfiguration.status is ${describe(status.value)}; set it to "${ENABLED}".`);
            return { state: "unresolved" };
        }
        return { state: "enabled" };
    }
    // aws Bucket: `versioning` object; deprecated BucketV2: `versionings` list (and outputs of either).
    const candidates = [read(bucket.props, "versioning")];
    const list = readArray(bucket.props, "versionings");
    if (list.state === "known") {
        list.value.forEach((_, i) => candidates.push(read(bucket.props, ["versionings", i])));
    } else if (list.state !== "absent") {
        candidates.push(list);
    }
    let state: Inline["state"] = "absent";
    for (const c of candidates) {
        if (findings.unresolved(bucket, c, what)) {
            return { state: "unresolved" };
        }
        if (c.state !== "known") {
            continue;
        }
        const enabled = readBoolean(c.value, "enabled", c.path);
        if (findings.unresolved(bucket, enabled, what)) {
            return { state: "unresolved" };
        }
        if (enabled.state === "absent") {
            continue; // an empty block does not configure versioning
        }
        if (!enabled.value) {
            return { state: "disabled" };
        }
        if (config.requireMfaDelete) {
            const mfa = readBoolean(c.value, "mfaDelete", c.path);
            if (mfa.state !== "known" || !mfa.value) {
                findings.violation(bucket, `${c.path}.mfaDelete is ${mfa.state === "known" ? describe(mfa.value) : "unset"} while this policy requires MFA delete; set mfaDelete: true.`);
            }
        }
        state = "enabled";
    }
    return { state };
}

function checkVersioningResource(v: StackResource, config: Config, findings: Findings, bucket?: StackResource): void {
    const forBucket = bucket ? ` for bucket "${bucket.name}"` : "";
    const status = readString(v.props, "versioningConfiguration.status");
    if (findings.unresolved(v, status, `versioning${forBucket} is "${ENABLED}"`)) {
        return;
    }
    if (status.state !== "known" || status.value !== ENABLED) {
        const found = status.state === "known" ? `"${status.value}"` : "unset";
        findings.violation(
            v,
            `versioningConfiguration.status${forBucket} is ${found}, so new writes replace objects without keeping the old versions; set versioningConfiguration.status: "${ENABLED}".`,
        );
        return;
    }
    if (config.requireMfaDelete) {
        const mfa = readString(v.props, "versioningConfiguration.mfaDelete");
        if (findings.unresolved(v, mfa, `MFA delete${forBucket} is "${ENABLED}"`)) {
            return;
        }
        if (mfa.state !== "known" || mfa.value !== ENABLED) {
            findings.violation(
                v,
                `versioningConfiguration.mfaDelete${forBucket} is ${mfa.state === "known" ? `"${mfa.value}"` : "unset"} while this policy requires MFA delete; set mfaDelete: "${ENABLED}" (needs the root user's MFA device and the \`mfa\` argument).`,
            );
        }
    }
}
