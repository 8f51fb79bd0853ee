import { strict as assert } from "assert";
import { logGroupsRetained } from "../../policypack/src/policies/immutable-artifacts/log-groups-retained";
import { UNREADABLE_SECRET } from "../../policypack/src/framework/values";
import { advisory, mandatory, runResourcePolicy, UNKNOWN, urnOf } from "../harness/policy-harness";

const GROUP = "aws:cloudwatch/logGroup:LogGroup";
const NATIVE = "aws-native:logs:LogGroup";
const KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("log-groups-retained", () => {
    it("passes never-expiring and long-retained encrypted groups", () => {
        assert.deepEqual(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "app", props: { kmsKeyId: KEY } }), []);
        assert.deepEqual(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "app", props: { kmsKeyId: KEY, retentionInDays: 0 } }), []);
        assert.deepEqual(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "app", props: { kmsKeyId: KEY, retentionInDays: 400 } }), []);
        assert.deepEqual(runResourcePolicy(logGroupsRetained, { type: NATIVE, name: "app", props: { kmsKeyId: KEY, retentionInDays: 3653 } }), []);
    });

    it("reports a short retention with value, minimum and fix", () => {
        const found = runResourcePolicy(logGroupsRetained, { type: GROUP, name: "app", props: { kmsKeyId: KEY, retentionInDays: 7 } });
        assert.equal(found.length, 1);
        assert.equal(found[0].enforcementLevel, "mandatory");
        assert.equal(found[0].urn, urnOf(GROUP, "app"));
        assert.match(found[0].message, /aws:cloudwatch:LogGroup "app": retentionInDays is 7, so CloudWatch deletes its events after 7 days, below minRetentionDays \(365\); remove retentionInDays \(never expire\) or set it to at least 365\./);
        assert.deepEqual(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "app", props: { kmsKeyId: KEY, retentionInDays: 7 } }, { config: { minRetentionDays: 7 } }), []);
    });

    it("rejects the DELIVERY class, whose retention AWS fixes at 2 days", () => {
        const found = mandatory(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "app", props: { kmsKeyId: KEY, logGroupClass: "DELIVERY" } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /logGroupClass is "DELIVERY", whose retention AWS fixes at 2 days/);
    });

    it("requires a KMS key unless configured otherwise", () => {
        const found = mandatory(runResourcePolicy(logGroupsRetained, { type: NATIVE, name: "app", props: {} }));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(NATIVE, "app"));
        assert.match(found[0].message, /aws-native:logs:LogGroup "app": kmsKeyId is unset/);
        assert.deepEqual(runResourcePolicy(logGroupsRetained, { type: NATIVE, name: "app", props: {} }, { config: { requireKmsEncryption: false } }), []);
    });

    it("requires skipDestroy on audit groups (tag, name pattern, physical name, all)", () => {
        const tagged = mandatory(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "trail-logs", props: { kmsKeyId: KEY, tags: { "sealed-infra:store": "audit-logs" } } }));
        assert.equal(tagged.length, 1);
        assert.match(tagged[0].message, /is an audit log group \(it is tagged sealed-infra:store=audit-logs\) but skipDestroy is unset \(false\), .*set skipDestroy: true\./);
        assert.deepEqual(
            runResourcePolicy(logGroupsRetained, { type: GROUP, name: "trail-logs", props: { kmsKeyId: KEY, skipDestroy: true, tags: { "sealed-infra:store": "audit-logs" } } }),
            [],
        );
        // default patterns: *cloudtrail* and *audit*, on the Pulumi name or the group's name
        assert.equal(mandatory(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "org-audit", props: { kmsKeyId: KEY } })).length, 1);
        const physical = mandatory(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "lg", props: { kmsKeyId: KEY, name: "/aws/cloudtrail/org" } }));
        assert.equal(physical.length, 1);
        assert.match(physical[0].message, /its name matches the pattern "\*cloudtrail\*"/);
        assert.deepEqual(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "org-audit", props: { kmsKeyId: KEY } }, { config: { auditLogGroupNamePatterns: [] } }), []);
        const all = mandatory(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "app", props: { kmsKeyId: KEY } }, { config: { treatAllLogGroupsAsAudit: true } }));
        assert.equal(all.length, 1);
        assert.match(all[0].message, /treatAllLogGroupsAsAudit is set/);
    });

    it("requires deletion protection (or protect) on aws-native audit groups, which have no skipDestroy", () => {
        const tags = [{ key: "sealed-infra:store", value: "audit-logs" }];
        const found = mandatory(runResourcePolicy(logGroupsRetained, { type: NATIVE, name: "ng", props: { kmsKeyId: KEY, tags } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /deletionProtectionEnabled is unset and the resource is not protected/);
        assert.deepEqual(runResourcePolicy(logGroupsRetained, { type: NATIVE, name: "ng", props: { kmsKeyId: KEY, tags, deletionProtectionEnabled: true } }), []);
        assert.deepEqual(runResourcePolicy(logGroupsRetained, { type: NATIVE, name: "ng", props: { kmsKeyId: KEY, tags }, options: { protect: true } }), []);
    });

    it("requires deletion protection on audit groups when configured", () => {
        const props = { kmsKeyId: KEY, skipDestroy: true, tags: { "sealed-infra:purpose": "audit-logs" } };
        const found = mandatory(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "a", props }, { config: { requireDeletionProtection: true } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /deletionProtectionEnabled is unset \(false\) while this policy requires deletion protection/);
        assert.deepEqual(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "a", props: { ...props, deletionProtectionEnabled: true } }, { config: { requireDeletionProtection: true } }), []);
    });

    it("is advisory for unknown values in preview and mandatory at update", () => {
        const preview = runResourcePolicy(logGroupsRetained, { type: GROUP, name: "app", props: { kmsKeyId: UNKNOWN, retentionInDays: UNKNOWN } });
        assert.deepEqual(preview.map((f) => f.enforcementLevel), ["advisory", "advisory"]);
        assert.match(preview[0].message, /retentionInDays is not known until the update/);
        assert.match(preview[1].message, /kmsKeyId is not known until the update/);
        const update = runResourcePolicy(logGroupsRetained, { type: GROUP, name: "app", props: { kmsKeyId: KEY, retentionInDays: UNKNOWN } }, { preview: false });
        assert.deepEqual(update.map((f) => f.enforcementLevel), ["mandatory"]);
        const tags = runResourcePolicy(logGroupsRetained, { type: GROUP, name: "app", props: { kmsKeyId: KEY, tags: UNKNOWN } });
        assert.deepEqual(advisory(tags).length, 1);
        assert.match(tags[0].message, /if this is an audit log group/);
    });

    it("fails closed on malformed values and undecryptable secrets; reads plain secret values", () => {
        const found = mandatory(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "app", props: { kmsKeyId: UNREADABLE_SECRET, retentionInDays: "forever" } }));
        assert.equal(found.length, 2);
        assert.match(found[0].message, /cannot verify .*retentionInDays .*expected a number/);
        assert.match(found[1].message, /cannot verify .*kmsKeyId .*secret/);
        assert.deepEqual(runResourcePolicy(logGroupsRetained, { type: GROUP, name: "app", props: { kmsKeyId: KEY, retentionInDays: "365" } }), []);
    });

    it("ignores other types", () => {
        assert.deepEqual(runResourcePolicy(logGroupsRetained, { type: "aws:cloudwatch/logStream:LogStream", name: "s", props: {} }), []);
    });
});
