import { strict as assert } from "assert";
import { kmsKeysProtected } from "../../policypack/src/policies/immutable-artifacts/kms-keys-protected";
import { UNREADABLE_SECRET } from "../../policypack/src/framework/values";
import { advisory, mandatory, runResourcePolicy, UNKNOWN, urnOf } from "../harness/policy-harness";

const KEY = "aws:kms/key:Key";
const EXTERNAL = "aws:kms/externalKey:ExternalKey";
const REPLICA = "aws:kms/replicaKey:ReplicaKey";
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
const NATIVE = "aws-native:kms:Key";
const NATIVE_REPLICA = "aws-native:kms:ReplicaKey";

const ROOT_POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "Root", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" }],
});

describe("kms-keys-protected", () => {
    it("passes a rotating symmetric key with the default deletion window", () => {
        assert.deepEqual(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props: { enableKeyRotation: true } }), []);
        assert.deepEqual(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props: { enableKeyRotation: true, deletionWindowInDays: 30, policy: ROOT_POLICY, rotationPeriodInDays: 180 } }), []);
        assert.deepEqual(runResourcePolicy(kmsKeysProtected, { type: NATIVE, name: "n", props: { enableKeyRotation: true, keyPolicy: JSON.parse(ROOT_POLICY) } }), []);
    });

    it("treats unset enableKeyRotation as false on symmetric encryption keys", () => {
        const found = runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props: {} });
        assert.equal(found.length, 1);
        assert.equal(found[0].enforcementLevel, "mandatory");
        assert.equal(found[0].urn, urnOf(KEY, "k"));
        assert.match(found[0].message, /aws:kms:Key "k": enableKeyRotation is unset \(false\) on a symmetric encryption key, .*set enableKeyRotation: true\./);
        assert.equal(mandatory(runResourcePolicy(kmsKeysProtected, { type: NATIVE, name: "n", props: { enableKeyRotation: false } })).length, 1);
    });

    it("does not require rotation where AWS cannot rotate automatically", () => {
        const cases = [
            { type: KEY, props: { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" } },
            { type: KEY, props: { customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" } },
            { type: KEY, props: { customKeyStoreId: "cks-1234567890abcdef0" } },
            { type: NATIVE, props: { keySpec: "RSA_4096", keyUsage: "SIGN_VERIFY" } },
            { type: NATIVE, props: { origin: "EXTERNAL" } },
            { type: EXTERNAL, props: {} },
            { type: REPLICA, props: {} },
            { type: NATIVE_REPLICA, props: {} },
        ];
        for (const c of cases) {
            assert.deepEqual(runResourcePolicy(kmsKeysProtected, { type: c.type, name: "k", props: c.props }), [], JSON.stringify(c));
        }
    });

    it("reports a long rotation period", () => {
        const found = mandatory(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props: { enableKeyRotation: true, rotationPeriodInDays: 730 } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /rotationPeriodInDays is 730, longer than maxRotationPeriodDays \(365\)/);
        assert.deepEqual(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props: { enableKeyRotation: true, rotationPeriodInDays: 730 } }, { config: { maxRotationPeriodDays: 730 } }), []);
    });

    it("reports a short deletion window on every key type (deletionWindowInDays / pendingWindowInDays)", () => {
        for (const [type, prop] of [
            [KEY, "deletionWindowInDays"],
            [EXTERNAL, "deletionWindowInDays"],
            [REPLICA, "deletionWindowInDays"],
            [NATIVE, "pendingWindowInDays"],
            [NATIVE_REPLICA, "pendingWindowInDays"],
        ]) {
            const found = mandatory(runResourcePolicy(kmsKeysProtected, { type, name: "k", props: { enableKeyRotation: true, [prop]: 7 } }));
            assert.equal(found.length, 1, type);
            assert.match(found[0].message, new RegExp(`${prop} is 7, so a scheduled deletion destroys the key.* \\(minimum 30\\); set ${prop}: 30`));
        }
        assert.deepEqual(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props: { enableKeyRotation: true, deletionWindowInDays: 14 } }, { config: { minDeletionWindowDays: 14 } }), []);
    });

    it("never accepts bypassPolicyLockoutSafetyCheck, also on KeyPolicy resources", () => {
        const found = mandatory(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props: { enableKeyRotation: true, bypassPolicyLockoutSafetyCheck: true } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /bypassPolicyLockoutSafetyCheck is true/);
        const kp = mandatory(runResourcePolicy(kmsKeysProtected, { type: KEY_POLICY, name: "kp", props: { keyId: "k", policy: ROOT_POLICY, bypassPolicyLockoutSafetyCheck: true } }));
        assert.equal(kp.length, 1);
        assert.equal(kp[0].urn, urnOf(KEY_POLICY, "kp"));
        assert.deepEqual(runResourcePolicy(kmsKeysProtected, { type: KEY_POLICY, name: "kp", props: { keyId: "k", policy: ROOT_POLICY, bypassPolicyLockoutSafetyCheck: false } }), []);
    });

    it("rejects unconditioned wildcard principals in key policies, accepts conditioned ones", () => {
        const open = JSON.stringify({ Statement: [{ Sid: "Open", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }] });
        const found = mandatory(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props: { enableKeyRotation: true, policy: open } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /policy.Statement\[0\] \("Open"\) allows "kms:Decrypt" to Principal "\*" without a Condition/);
        const conditioned = JSON.stringify({
            Statement: { Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": "111122223333" } } },
        });
        assert.deepEqual(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props: { enableKeyRotation: true, policy: conditioned } }), []);
        const notPrincipal = { Statement: [{ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::1:root" }, Action: "kms:*", Resource: "*" }] };
        assert.equal(mandatory(runResourcePolicy(kmsKeysProtected, { type: NATIVE, name: "n", props: { enableKeyRotation: true, keyPolicy: notPrincipal } })).length, 1);
    });

    it("fails closed on an invalid key policy or an undecryptable secret", () => {
        const found = mandatory(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props: { enableKeyRotation: true, policy: "{ oops" } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /aws:kms:Key "k": cannot verify that the key policy grants nothing to an unconditioned wildcard principal: policy is not valid JSON/);
        const notDoc = mandatory(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props: { enableKeyRotation: true, policy: "[1]" } }));
        assert.equal(notDoc.length, 1);
        assert.match(notDoc[0].message, /policy is not a JSON policy document/);
        const secret = mandatory(runResourcePolicy(kmsKeysProtected, { type: KEY_POLICY, name: "kp", props: { keyId: "k", policy: UNREADABLE_SECRET } }));
        assert.equal(secret.length, 1);
        assert.match(secret[0].message, /secret whose plaintext was not provided/);
    });

    it("is advisory for unknown values in preview and mandatory at update", () => {
        const props = { enableKeyRotation: UNKNOWN, deletionWindowInDays: UNKNOWN, policy: UNKNOWN };
        const preview = runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props });
        assert.deepEqual(preview.map((f) => f.enforcementLevel), ["advisory", "advisory", "advisory"]);
        assert.match(preview[0].message, /enableKeyRotation is not known until the update, so it will be verified at update/);
        const update = runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props }, { preview: false });
        assert.deepEqual(update.map((f) => f.enforcementLevel), ["mandatory", "mandatory", "mandatory"]);
        // a key spec unknown in preview: cannot tell whether rotation applies
        assert.deepEqual(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "k", props: { customerMasterKeySpec: UNKNOWN } }).map((f) => f.enforcementLevel), ["advisory"]);
    });

    it("checks only designated keys when applyToAllKeys is false", () => {
        const config = { applyToAllKeys: false, designatedKeyNamePatterns: ["approval-*"] };
        assert.deepEqual(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "scratch", props: {} }, { config }), []);
        assert.equal(mandatory(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "approval-key", props: {} }, { config })).length, 1);
        assert.equal(mandatory(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "x", props: { tags: { "sealed-infra:purpose": "release-approval" } } }, { config })).length, 1);
        assert.equal(
            mandatory(runResourcePolicy(kmsKeysProtected, { type: NATIVE, name: "x", props: { tags: [{ key: "sealed-infra:store", value: "audit-logs" }] } }, { config })).length,
            1,
        );
        assert.equal(advisory(runResourcePolicy(kmsKeysProtected, { type: KEY, name: "x", props: { tags: UNKNOWN } }, { config })).length, 1);
    });
});
