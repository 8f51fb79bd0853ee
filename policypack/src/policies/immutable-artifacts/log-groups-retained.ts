import { resourcePolicy, ResourceSubject } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { describe, readBoolean, readNumber, readString } from "../../framework/values";
import { designationOf } from "../../engine/designation";
import { TAG_PURPOSE, TAG_STORE } from "../../framework/tags";
import { LOG_GROUP, LOG_GROUPS } from "../../engine/resource-types";

interface Config {
    minRetentionDays: number;
    requireKmsEncryption: boolean;
    auditLogGroupNamePatterns: string[];
    treatAllLogGroupsAsAudit: boolean;
    requireDeletionProtection: boolean;
}

const AUDIT = "audit-logs";

export const logGroupsRetained = resourcePolicy<Config>({
    name: "log-groups-retained",
    displayName: "CloudWatch log groups are retained and encrypted",
    guarantee: "immutable-artifacts",
    description:
        "CloudWatch log groups never expire or keep events at least minRetentionDays, are encrypted with a customer-managed KMS key, and audit log groups survive the stack.",
    rule:
        "Every `aws.cloudwatch.LogGroup` and `aws-native:logs:LogGroup`: `retentionInDays` unset or 0 (never expire), or at " +
        "least `minRetentionDays`; not `logGroupClass: \"DELIVERY\"` (AWS fixes its retention at 2 days); with " +
        "`requireKmsEncryption`, a non-empty `kmsKeyId`. Audit log groups (tagged `sealed-infra:store=audit-logs` or " +
        "`sealed-infra:purpose=audit-logs`, or whose Pulumi name or `name`/`logGroupName` matches " +
        "`auditLogGroupNamePatterns`, or all with `treatAllLogGroupsAsAudit`) must also outlive the stack: " +
        "`skipDestroy: true` in aws; in aws-native, which has no skipDestroy, `deletionProtectionEnabled: true` or the " +
        "`protect` resource option. With `requireDeletionProtection`, audit groups must also set " +
        "`deletionProtectionEnabled: true`.",
    why:
        "A log group with a short retention deletes its own evidence on a schedule, and one deleted with the stack takes " +
        "the audit history of everything the stack did with it. Without a customer-managed key, anyone with logs:GetLogEvents " +
        "reads the records and nobody can revoke that access centrally.",
    severity: "medium",
    remediationSteps:
        "Leave `retentionInDays` unset (never expire) or set it to at least 365; set `kmsKeyId` to a customer-managed key whose " +
        "policy allows `logs.<region>.amazonaws.com`; on audit log groups set `skipDestroy: true` (and " +
        "`deletionProtectionEnabled: true` where required). Tag audit groups `sealed-infra:store=audit-logs`.",
    config: {
        minRetentionDays: {
            description: "Minimum retention in days for log groups that expire events (0 / unset, never expire, always passes).",
            default: 365,
            schema: { type: "integer", minimum: 1, maximum: 3653 },
        },
        requireKmsEncryption: {
            description: "Require a customer-managed KMS key (`kmsKeyId`) on every log group.",
            default: true,
            schema: { type: "boolean" },
        },
        auditLogGroupNamePatterns: {
            description: "Glob patterns (`*` any characters) on the Pulumi name or the log group name that mark audit log groups, besides the tags.",
            default: ["*cloudtrail*", "*audit*"],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
        treatAllLogGroupsAsAudit: {
            description: "Treat every log group as an audit log group.",
            default: false,
            schema: { type: "boolean" },
        },
        requireDeletionProtection: {
            description: "Also require `deletionProtectionEnabled: true` on audit log groups (the API then refuses to delete them).",
            default: false,
            schema: { type: "boolean" },
        },
    },
    guards: [
        { types: [LOG_GROUP.aws], paths: ["retentionInDays", "logGroupClass", "kmsKeyId", "skipDestroy", "deletionProtectionEnabled"] },
        { types: [LOG_GROUP.native], paths: ["retentionInDays", "logGroupClass", "kmsKeyId", "deletionProtectionEnabled"] },
    ],
    resourceTypes: [...LOG_GROUPS],
    example: {
        compliant: 'new aws.cloudwatch.LogGroup("audit", { kmsKeyId: key.arn, skipDestroy: true, tags: { "sealed-infra:store": "audit-logs" } });',
        violating: 'new aws.cloudwatch.LogGroup("audit", { retentionInDays: 7 });',
    },
    check(group, config, findings) {
        checkRetention(group, config, findings);
        if (config.requireKmsEncryption) {
            const key = readString(group.props, "kmsKeyId");
            if (!findings.unresolved(group, key, "the log group is encrypted with a customer-managed KMS key") && (key.state !== "known" || key.value.trim() === "")) {
                findings.violation(
                    group,
                    `kmsKeyId is ${key.state === "known" ? '""' : "unset"}, so its events are readable by anyone with logs:GetLogEvents and the encryption cannot be revoked; set kmsKeyId to a customer-managed KMS key's ARN.`,
                );
            }
        }
        checkAuditGroup(group, config, findings);
    },
});

function checkRetention(group: ResourceSubject, config: Config, findings: Findings): void {
    const cls = readString(group.props, "logGroupClass");
    if (findings.unresolved(group, cls, "the log group class keeps events")) {
        return;
    }
    if (cls.state === "known" && cls.value.toUpperCase() === "DELIVERY") {
        findings.violation(
            group,
            `logGroupClass is "DELIVERY", whose retention AWS fixes at 2 days, so its events are deleted after two days; use logGroupClass "STANDARD" (or "INFREQUENT_ACCESS") with a retention of at least ${config.minRetentionDays} days or none.`,
        );
        return;
    }
    const retention = readNumber(group.props, "retentionInDays");
    if (findings.unresolved(group, retention, `retentionInDays is 0 (never expire) or at least ${config.minRetentionDays}`)) {
        return;
    }
    if (retention.state === "known" && retention.value > 0 && retention.value < config.minRetentionDays) {
        findings.violation(
            group,
            `retentionInDays is ${describe(retention.value)}, so CloudWatch deletes its events after ${retention.value} days, below minRetentionDays (${config.minRetentionDays}); remove retentionInDays (never expire) or set it to at least ${config.minRetentionDays}.`,
        );
    }
}

function checkAuditGroup(group: ResourceSubject, config: Config, findings: Findings): void {
    const d = designationOf(group, {
        tags: [
            [TAG_STORE, AUDIT],
            [TAG_PURPOSE, AUDIT],
        ],
        patterns: config.auditLogGroupNamePatterns,
        nameProperties: ["name", "logGroupName"],
        all: config.treatAllLogGroupsAsAudit ? "treatAllLogGroupsAsAudit is set" : undefined,
    });
    if (d.designated === "unknown") {
        findings.notYetKnown(group, d.path, "if this is an audit log group, it outlives the stack (skipDestroy or deletion protection)");
        return;
    }
    if (d.designated !== true) {
        return;
    }
    const native = group.type === LOG_GROUP.native;
    const protection = readBoolean(group.props, "deletionProtectionEnabled");
    if (findings.unresolved(group, protection, "the audit log group has deletion protection")) {
        return;
    }
    const protectedByApi = protection.state === "known" && protection.value;
    if (native) {
        if (!protectedByApi && !group.options?.protect) {
            findings.violation(
                group,
                `is an audit log group (${d.reason}) but deletionProtectionEnabled is ${protection.state === "known" ? "false" : "unset"} and the resource is not protected, so removing it from the program deletes the audit history; set deletionProtectionEnabled: true (aws-native has no skipDestroy).`,
            );
            return;
        }
    } else {
        const skip = readBoolean(group.props, "skipDestroy");
        if (findings.unresolved(group, skip, "the audit log group sets skipDestroy")) {
            return;
        }
        if (!(skip.state === "known" && skip.value)) {
            findings.violation(
                group,
                `is an audit log group (${d.reason}) but skipDestroy is ${skip.state === "known" ? "false" : "unset (false)"}, so \`pulumi destroy\` or removing it from the program deletes the audit history; set skipDestroy: true.`,
            );
        }
    }
    if (config.requireDeletionProtection && !protectedByApi) {
        findings.violation(
            group,
            `is an audit log group (${d.reason}) but deletionProtectionEnabled is ${protection.state === "known" ? "false" : "unset (false)"} while this policy requires deletion protection; set deletionProtectionEnabled: true.`,
        );
    }
}
