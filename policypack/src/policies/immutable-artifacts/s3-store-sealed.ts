import { stackPolicy } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { readBoolean, readJson, readString } from "../../framework/values";
import { StoreDesignationConfig, storeDesignationOptions } from "../../engine/designation";
import { bucketPoliciesOf, deniesInsecureTransport } from "../../engine/s3/bucket-policy";
import { PUBLIC_ACCESS_FLAGS, PublicAccessSource, publicAccessOf } from "../../engine/s3/public-access";
import { bucketNameOf, containsUnknownDeep, designatedStores, externalStoreReason, storeIndex } from "../../engine/s3/store";
import {
    S3_ACCOUNT_PUBLIC_ACCESS_BLOCK,
    S3_BUCKET,
    S3_BUCKET_POLICIES,
    S3_BUCKET_POLICY,
    S3_BUCKET_PUBLIC_ACCESS_BLOCK,
    S3_BUCKETS,
} from "../../engine/resource-types";
import type { StackModel, StackResource } from "../../sdk/stack-model";

interface Config extends StoreDesignationConfig {
    acceptAccountPublicAccessBlock: boolean;
}

const TLS_STATEMENT =
    '{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["<bucket ARN>", "<bucket ARN>/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }';

export const s3StoreSealed = stackPolicy<Config>({
    name: "s3-store-sealed",
    displayName: "Designated stores are sealed (no public access, TLS only)",
    guarantee: "immutable-artifacts",
    description: "Designated stores block all public access and deny every request that does not use TLS.",
    rule:
        "For every designated store (see `s3-object-lock`), two things must hold. (1) Public access is blocked: a linked " +
        "`aws.s3.BucketPublicAccessBlock` (joined through property dependencies on `bucket`, else by bucket name, id or ARN), " +
        "aws-native's inline `publicAccessBlockConfiguration`, or (with `acceptAccountPublicAccessBlock`) an " +
        "`aws.s3.AccountPublicAccessBlock` in the stack sets all four of `blockPublicAcls`, `blockPublicPolicy`, " +
        "`ignorePublicAcls` and `restrictPublicBuckets` to true; an unset flag is false. (2) Every bucket policy that applies " +
        "(linked `aws.s3.BucketPolicy` `policy`, `aws-native:s3:BucketPolicy` `policyDocument`, the legacy inline `policy` of " +
        "the bucket, read only when no BucketPolicy is linked since the provider's outputs mirror it), and at least one, contains a statement with `Effect: Deny`, `Principal: \"*\"`, `Action` `s3:*` (or " +
        "`*`), a `Resource` covering both the bucket ARN and its objects (`<arn>/*`), and exactly the condition " +
        "`Bool`/`BoolIfExists` `aws:SecureTransport` = false. NotPrincipal, NotAction, NotResource or extra conditions make " +
        "the statement narrower and do not count. A policy that is not valid JSON fails.",
    why:
        "Records are only evidence while nobody outside the organisation can read or plant them, and while credentials and " +
        "objects never cross the network in clear text. S3 blocks public access on new buckets by default, but that " +
        "default lives outside the program and one API call removes it; declaring the block and the TLS deny in the stack " +
        "makes both reviewed, versioned and re-applied on every update.",
    severity: "high",
    remediationSteps:
        "Add `new aws.s3.BucketPublicAccessBlock(name, { bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, " +
        "ignorePublicAcls: true, restrictPublicBuckets: true })` (aws-native: `publicAccessBlockConfiguration` with the same four " +
        `flags) and a bucket policy containing ${TLS_STATEMENT}. sealed-infra's \`ImmutableBucket\` adds both.`,
    config: {
        acceptAccountPublicAccessBlock: {
            description: "Accept an `aws.s3.AccountPublicAccessBlock` with all four flags set, in the same stack, instead of a per-bucket block.",
            default: true,
            schema: { type: "boolean" },
        },
        ...storeDesignationOptions,
    },
    guards: [
        { types: S3_BUCKET_PUBLIC_ACCESS_BLOCK, paths: ["bucket", ...PUBLIC_ACCESS_FLAGS] },
        { types: S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, paths: [...PUBLIC_ACCESS_FLAGS] },
        { types: [S3_BUCKET_POLICY.aws], paths: ["bucket", "policy"] },
        { types: [S3_BUCKET_POLICY.native], paths: ["bucket", "policyDocument"] },
        { types: [S3_BUCKET.current, S3_BUCKET.deprecated], paths: ["policy"] },
        { types: [S3_BUCKET.native], paths: ["publicAccessBlockConfiguration"] },
    ],
    resourceTypes: [...S3_BUCKETS, ...S3_BUCKET_PUBLIC_ACCESS_BLOCK, ...S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, ...S3_BUCKET_POLICIES],
    example: {
        compliant:
            'new aws.s3.BucketPublicAccessBlock("logs", { bucket: logs.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });\n' +
            'new aws.s3.BucketPolicy("logs", { bucket: logs.bucket, policy: /* Deny s3:* to "*" when aws:SecureTransport is false */ });',
        violating: 'new aws.s3.BucketPublicAccessBlock("logs", { bucket: logs.bucket, blockPublicAcls: true }); // three flags unset; no TLS deny',
    },
    check(model, config, findings) {
        const selection = designatedStores(model, config);
        for (const { bucket, path } of selection.undetermined) {
            findings.notYetKnown(bucket, path, "if this bucket is a designated store, it blocks public access and denies requests without TLS");
        }
        for (const store of selection.stores) {
            checkPublicAccess(model, store.bucket, store.reason, config, findings);
            checkTls(model, store.bucket, store.reason, findings);
        }
        const index = storeIndex(model);
        for (const orphan of index.publicAccessBlock.orphans) {
            const reason = externalStoreReason(orphan, config);
            if (reason !== undefined) {
                checkBlock({ on: orphan, base: "", block: orphan.props, accountWide: false }, externalName(orphan), reason, findings);
            }
        }
        for (const orphan of index.policy.orphans) {
            const reason = externalStoreReason(orphan, config);
            if (reason !== undefined) {
                const name = readString(orphan.props, "bucket");
                checkPolicy(orphan, orphan.type === S3_BUCKET_POLICY.native ? "policyDocument" : "policy", externalName(orphan), name.state === "known" ? name.value : undefined, reason, findings);
            }
        }
    },
});

function externalName(child: StackResource): string {
    const name = readString(child.props, "bucket");
    return name.state === "known" ? name.value : child.name;
}

function checkPublicAccess(model: StackModel, bucket: StackResource, reason: string, config: Config, findings: Findings): void {
    const what = `designated store "${bucket.name}" blocks all public access`;
    const view = publicAccessOf(model, bucket);
    for (const u of view.unresolved) {
        findings.unresolved(u.on, u.read, what);
    }
    if (view.unresolved.length > 0) {
        return;
    }
    const sources = view.sources.filter((s) => !s.accountWide || config.acceptAccountPublicAccessBlock);
    if (sources.length === 0) {
        if (view.pending.length > 0) {
            findings.notYetKnown(bucket, `bucket of ${view.pending.map((p) => `"${p.name}"`).join(", ")}`, what);
            return;
        }
        const fix =
            bucket.type === S3_BUCKET.native
                ? "set publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }"
                : `add new aws.s3.BucketPublicAccessBlock("${bucket.name}", { bucket: <bucket>.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true })`;
        findings.violation(
            bucket,
            `has no public access block (no aws.s3.BucketPublicAccessBlock refers to it${bucket.type === S3_BUCKET.native ? " and publicAccessBlockConfiguration is unset" : ""}) although it is a designated store (${reason}), so a bucket policy or ACL can make its records public; ${fix}.`,
        );
        return;
    }
    // S3 applies the most restrictive of the account-wide and the bucket's block, flag by flag, so a
    // sealed account-wide block seals the bucket. Two blocks on the same bucket replace each other
    // (the last one applied wins, in no order Pulumi guarantees), so every bucket-level block must be sealed.
    const verdicts = sources.map((s) => ({ source: s, result: blockState(s) }));
    if (verdicts.some((v) => v.source.accountWide && v.result.state === "sealed")) {
        return;
    }
    const bucketLevel = verdicts.filter((v) => !v.source.accountWide);
    for (const v of bucketLevel.length > 0 ? bucketLevel : verdicts) {
        if (v.result.state !== "sealed") {
            checkBlock(v.source, bucket.name, reason, findings, v.result);
        }
    }
}

type BlockState = { state: "sealed" } | { state: "open"; missing: string[] } | { state: "unresolved" };

function blockState(source: PublicAccessSource): BlockState {
    const missing: string[] = [];
    for (const flag of PUBLIC_ACCESS_FLAGS) {
        const r = readBoolean(source.block, flag, source.base);
        if (r.state === "unknown" || r.state === "unreadable") {
            return { state: "unresolved" };
        }
        if (r.state !== "known" || !r.value) {
            missing.push(`${r.path} is ${r.state === "known" ? "false" : "unset (false)"}`);
        }
    }
    return missing.length === 0 ? { state: "sealed" } : { state: "open", missing };
}

function checkBlock(source: PublicAccessSource, storeName: string, reason: string, findings: Findings, state = blockState(source)): void {
    const what = `designated store "${storeName}" blocks all public access`;
    if (state.state === "unresolved") {
        for (const flag of PUBLIC_ACCESS_FLAGS) {
            if (findings.unresolved(source.on, readBoolean(source.block, flag, source.base), what)) {
                return;
            }
        }
        return;
    }
    if (state.state === "open") {
        const forStore = S3_BUCKETS.includes(source.on.type as (typeof S3_BUCKETS)[number]) ? "" : ` for ${source.accountWide ? "the account of " : ""}store "${storeName}"`;
        findings.violation(
            source.on,
            `${state.missing.join(", ")}${forStore}, so public ACLs or policies can expose a designated store (${reason}); set all four of ${PUBLIC_ACCESS_FLAGS.join(", ")} to true.`,
        );
    }
}

function checkTls(model: StackModel, bucket: StackResource, reason: string, findings: Findings): void {
    const view = bucketPoliciesOf(model, bucket);
    if (view.sources.length === 0) {
        if (view.pending.length > 0) {
            findings.notYetKnown(bucket, `bucket of ${view.pending.map((p) => `"${p.name}"`).join(", ")}`, `designated store "${bucket.name}" denies requests without TLS`);
            return;
        }
        const fix = bucket.type === S3_BUCKET.native ? "add an aws-native:s3:BucketPolicy" : "add an aws.s3.BucketPolicy";
        findings.violation(
            bucket,
            `has no bucket policy although it is a designated store (${reason}), so requests over plain HTTP are accepted; ${fix} for this bucket with the statement ${TLS_STATEMENT}.`,
        );
        return;
    }
    const name = bucketNameOf(bucket);
    for (const source of view.sources) {
        checkPolicy(source.on, source.path, bucket.name, name, reason, findings);
    }
}

function checkPolicy(on: StackResource, path: string, storeName: string, bucketName: string | undefined, reason: string, findings: Findings): void {
    const forStore = S3_BUCKETS.includes(on.type as (typeof S3_BUCKETS)[number]) ? "" : ` for store "${storeName}"`;
    const what = `the bucket policy${forStore} denies every request without TLS`;
    const doc = readJson(on.props, path);
    if (findings.unresolved(on, doc, what)) {
        return;
    }
    if (doc.state !== "known") {
        findings.violation(on, `${path} is unset${forStore}, so requests over plain HTTP are accepted; set ${path} to a policy with the statement ${TLS_STATEMENT}.`);
        return;
    }
    const verdict = deniesInsecureTransport(doc.value, bucketName);
    if (verdict.ok) {
        return;
    }
    if (containsUnknownDeep(doc.value)) {
        // Parts of the document (an ARN, a condition) are not known yet.
        findings.notYetKnown(on, path, what);
        return;
    }
    findings.violation(
        on,
        `${path}${forStore} does not deny requests without TLS (${verdict.reason}), although the bucket is a designated store (${reason}); add the statement ${TLS_STATEMENT}.`,
    );
}
