import { resourcePolicy, ResourceSubject } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { describe, readBoolean, readJson, readNumber, readString } from "../../framework/values";
import { designationOf } from "../../engine/designation";
import { TAG_PURPOSE, TAG_STORE } from "../../framework/tags";
import { KMS_KEY, KMS_KEY_POLICY, KMS_KEYS } from "../../engine/resource-types";

interface Config {
    minDeletionWindowDays: number;
    maxRotationPeriodDays: number;
    applyToAllKeys: boolean;
    designatedKeyNamePatterns: string[];
}

const NATIVE_TYPES: ReadonlySet<string> = new Set([KMS_KEY.native, KMS_KEY.nativeReplica]);

export const kmsKeysProtected = resourcePolicy<Config>({
    name: "kms-keys-protected",
    displayName: "KMS keys rotate, cannot be deleted quickly, and keep their lockout safety check",
    guarantee: "immutable-artifacts",
    description:
        "KMS keys rotate automatically (symmetric keys), keep a deletion window of at least 30 days, never bypass the key policy lockout safety check, and grant nothing to an unconditioned wildcard principal.",
    rule:
        "Checks `aws.kms.Key`, `ExternalKey`, `ReplicaKey`, `ReplicaExternalKey`, `aws.kms.KeyPolicy`, `aws-native:kms:Key` " +
        "and `aws-native:kms:ReplicaKey` (all keys with `applyToAllKeys`, the default; otherwise only keys tagged " +
        "`sealed-infra:purpose` or `sealed-infra:store` with any value, or whose Pulumi name matches " +
        "`designatedKeyNamePatterns`; a `KeyPolicy` is always checked). (1) Rotation: a key that AWS can rotate " +
        "automatically (`aws.kms.Key` or `aws-native:kms:Key` with key spec `SYMMETRIC_DEFAULT` and usage `ENCRYPT_DECRYPT`, " +
        "both the defaults, key material from AWS KMS, not in a custom key store) must set `enableKeyRotation: true` (unset " +
        "is false), and a set `rotationPeriodInDays` must not exceed `maxRotationPeriodDays`. (2) Deletion window: " +
        "`deletionWindowInDays` (aws) / `pendingWindowInDays` (aws-native) at least `minDeletionWindowDays`; unset is 30. " +
        "(3) `bypassPolicyLockoutSafetyCheck` is never true. (4) The key policy (`policy`, aws-native `keyPolicy`), when set, " +
        "is valid JSON and has no Allow statement for Principal `*` (or NotPrincipal) without a Condition.",
    why:
        "Approval signatures and log encryption are only as durable as their keys. A key scheduled for deletion with a " +
        "7-day window can destroy every record it encrypts before anyone notices; bypassing the lockout check lets a " +
        "deployer write a key policy that locks the auditors out; a key policy open to `*` lets any AWS account use the key; " +
        "and unrotated key material stays exposed for the key's whole life.",
    severity: "high",
    remediationSteps:
        "Set `enableKeyRotation: true` on symmetric encryption keys, leave `deletionWindowInDays` unset or set it to 30, " +
        "remove `bypassPolicyLockoutSafetyCheck`, and scope key policy statements to named principals or add conditions such " +
        "as `kms:CallerAccount` or `aws:PrincipalOrgID`.",
    config: {
        minDeletionWindowDays: {
            description: "Minimum waiting period, in days, before a key scheduled for deletion is deleted (AWS allows 7 to 30).",
            default: 30,
            schema: { type: "integer", minimum: 7, maximum: 30 },
        },
        maxRotationPeriodDays: {
            description: "Longest accepted automatic rotation period, in days (AWS allows 90 to 2560; its default is 365).",
            default: 365,
            schema: { type: "integer", minimum: 90, maximum: 2560 },
        },
        applyToAllKeys: {
            description:
                "Check every KMS key. When false, only designated keys: tagged `sealed-infra:purpose` (e.g. release-approval) or `sealed-infra:store`, or matching designatedKeyNamePatterns.",
            default: true,
            schema: { type: "boolean" },
        },
        designatedKeyNamePatterns: {
            description: "Glob patterns (`*` any characters) on the Pulumi name of keys to check when applyToAllKeys is false.",
            default: [],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
    },
    guards: [
        {
            types: [KMS_KEY.aws],
            paths: ["enableKeyRotation", "rotationPeriodInDays", "deletionWindowInDays", "bypassPolicyLockoutSafetyCheck", "policy", "customerMasterKeySpec", "keyUsage"],
        },
        { types: [KMS_KEY.external, KMS_KEY.replica, KMS_KEY.replicaExternal], paths: ["deletionWindowInDays", "bypassPolicyLockoutSafetyCheck", "policy"] },
        { types: KMS_KEY_POLICY, paths: ["bypassPolicyLockoutSafetyCheck", "policy"] },
        {
            types: [KMS_KEY.native],
            paths: ["enableKeyRotation", "rotationPeriodInDays", "pendingWindowInDays", "bypassPolicyLockoutSafetyCheck", "keyPolicy", "keySpec", "keyUsage", "origin"],
        },
        { types: [KMS_KEY.nativeReplica], paths: ["pendingWindowInDays", "keyPolicy"] },
    ],
    resourceTypes: [...KMS_KEYS, ...KMS_KEY_POLICY],
    example: {
        compliant: 'new aws.kms.Key("approvals", { enableKeyRotation: true, deletionWindowInDays: 30 });',
        violating: 'new aws.kms.Key("approvals", { deletionWindowInDays: 7, bypassPolicyLockoutSafetyCheck: true });',
    },
    check(key, config, findings) {
        const isPolicy = (KMS_KEY_POLICY as readonly string[]).includes(key.type);
        if (!isPolicy && !config.applyToAllKeys) {
            const d = designationOf(key, {
                tags: [
                    [TAG_PURPOSE, undefined],
                    [TAG_STORE, undefined],
                ],
                patterns: config.designatedKeyNamePatterns,
                nameProperties: [],
            });
            if (d.designated === "unknown") {
                findings.notYetKnown(key, d.path, "if this is a designated key (tagged sealed-infra:purpose or sealed-infra:store), it is protected");
                return;
            }
            if (d.designated === false) {
                return;
            }
        }
        if (key.type === KMS_KEY.aws || key.type === KMS_KEY.native) {
            checkRotation(key, config, findings);
        }
        if (!isPolicy) {
            checkDeletionWindow(key, config, findings);
        }
        if (key.type !== KMS_KEY.nativeReplica) {
            const bypass = readBoolean(key.props, "bypassPolicyLockoutSafetyCheck");
            if (!findings.unresolved(key, bypass, "bypassPolicyLockoutSafetyCheck is not true") && bypass.state === "known" && bypass.value) {
                findings.violation(
                    key,
                    "bypassPolicyLockoutSafetyCheck is true, so a key policy that locks out every administrator (and the auditors) is accepted; remove bypassPolicyLockoutSafetyCheck.",
                );
            }
        }
        checkKeyPolicy(key, NATIVE_TYPES.has(key.type) ? "keyPolicy" : "policy", findings);
    },
});

function checkRotation(key: ResourceSubject, config: Config, findings: Findings): void {
    const native = key.type === KMS_KEY.native;
    const what = "the key rotates automatically";
    const spec = readString(key.props, native ? "keySpec" : "customerMasterKeySpec");
    const usage = readString(key.props, "keyUsage");
    const origin = native ? readString(key.props, "origin") : undefined;
    const store = native ? undefined : readString(key.props, "customKeyStoreId");
    for (const r of [spec, usage, origin, store]) {
        if (r && findings.unresolved(key, r, what)) {
            return;
        }
    }
    const known = (r: typeof spec | undefined) => (r && r.state === "known" && r.value !== "" ? r.value : undefined);
    const rotatable =
        (known(spec) ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT" &&
        (known(usage) ?? "ENCRYPT_DECRYPT") === "ENCRYPT_DECRYPT" &&
        (known(origin) ?? "AWS_KMS") === "AWS_KMS" &&
        known(store) === undefined;
    if (!rotatable) {
        return; // asymmetric, HMAC, imported or custom-store keys cannot rotate automatically
    }
    const enabled = readBoolean(key.props, "enableKeyRotation");
    if (findings.unresolved(key, enabled, what)) {
        return;
    }
    if (!(enabled.state === "known" && enabled.value)) {
        findings.violation(
            key,
            `enableKeyRotation is ${enabled.state === "known" ? "false" : "unset (false)"} on a symmetric encryption key, so the same key material protects every record for the key's whole life; set enableKeyRotation: true.`,
        );
        return;
    }
    const period = readNumber(key.props, "rotationPeriodInDays");
    if (findings.unresolved(key, period, `the key rotates at least every ${config.maxRotationPeriodDays} days`)) {
        return;
    }
    if (period.state === "known" && period.value > config.maxRotationPeriodDays) {
        findings.violation(
            key,
            `rotationPeriodInDays is ${period.value}, longer than maxRotationPeriodDays (${config.maxRotationPeriodDays}); set rotationPeriodInDays to ${config.maxRotationPeriodDays} or less (or remove it: AWS rotates yearly).`,
        );
    }
}

function checkDeletionWindow(key: ResourceSubject, config: Config, findings: Findings): void {
    const path = NATIVE_TYPES.has(key.type) ? "pendingWindowInDays" : "deletionWindowInDays";
    const window = readNumber(key.props, path);
    if (findings.unresolved(key, window, `${path} is at least ${config.minDeletionWindowDays}`)) {
        return;
    }
    if (window.state === "known" && window.value < config.minDeletionWindowDays) {
        findings.violation(
            key,
            `${path} is ${describe(window.value)}, so a scheduled deletion destroys the key, and everything encrypted or signed with it, after only ${window.value} days (minimum ${config.minDeletionWindowDays}); set ${path}: 30 or remove it (30 is the default).`,
        );
    }
}

function checkKeyPolicy(key: ResourceSubject, path: string, findings: Findings): void {
    const what = "the key policy grants nothing to an unconditioned wildcard principal";
    const doc = readJson(key.props, path);
    if (findings.unresolved(key, doc, what)) {
        return;
    }
    if (doc.state !== "known") {
        return; // the default key policy: the account's IAM policies decide
    }
    if (doc.value === null || typeof doc.value !== "object" || Array.isArray(doc.value)) {
        findings.unreadable(key, path, "is not a JSON policy document", what);
        return;
    }
    const raw = (doc.value as Record<string, unknown>).Statement;
    const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    statements.forEach((s, i) => {
        if (s === null || typeof s !== "object" || Array.isArray(s)) {
            findings.unreadable(key, `${path}.Statement[${i}]`, "is not a statement object", what);
            return;
        }
        const st = s as Record<string, unknown>;
        if (st.Effect !== "Allow") {
            return;
        }
        const condition = st.Condition;
        const conditioned = condition !== null && typeof condition === "object" && Object.keys(condition).length > 0;
        if (conditioned) {
            return;
        }
        const principal = st.Principal;
        const everyone =
            principal === "*" ||
            (principal !== null && typeof principal === "object" && !Array.isArray(principal) && ([] as unknown[]).concat((principal as Record<string, unknown>).AWS ?? []).includes("*"));
        if (everyone || st.NotPrincipal !== undefined) {
            const sid = typeof st.Sid === "string" ? ` ("${st.Sid}")` : "";
            findings.violation(
                key,
                `${path}.Statement[${i}]${sid} allows ${describe(st.Action ?? st.NotAction)} to ${st.NotPrincipal !== undefined ? "everyone except NotPrincipal" : 'Principal "*"'} without a Condition, so any AWS account can use or manage the key; name the principals or add a condition such as kms:CallerAccount or aws:PrincipalOrgID.`,
            );
        }
    });
}
