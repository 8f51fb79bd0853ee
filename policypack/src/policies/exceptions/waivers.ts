import { stackPolicy } from "../../framework/definition";
import type { PolicyDefinition } from "../../framework/definition";
import { stackIdentity } from "../../framework/stack-identity";
import {
    couldApplyToStack,
    DEFAULT_MAX_WAIVER_DAYS,
    describeWaiver,
    isExpired,
    WaiverConfig,
    WaiverEntry,
    waiverRegistry,
    WAIVERS_POLICY,
} from "../../framework/waivers";

const GLOB = "Glob: `*` matches any run of characters.";

/** JSON Schema of one waiver entry (the engine validates config against it before Configure). */
const ENTRY_SCHEMA = {
    type: "object",
    additionalProperties: false,
    required: ["policy", "reason", "approvedBy", "expires"],
    anyOf: [{ required: ["urn"] }, { required: ["type"] }, { required: ["name"] }, { required: ["tag"] }],
    properties: {
        policy: { type: "string", minLength: 1, description: "The policy the waiver applies to (exactly one)." },
        urn: { type: "string", minLength: 1, description: `Resource URN. ${GLOB}` },
        type: { type: "string", minLength: 1, description: `Resource type token, e.g. aws:s3/bucket:Bucket. ${GLOB}` },
        name: { type: "string", minLength: 1, description: `Resource name (the Pulumi name). ${GLOB}` },
        tag: {
            type: "object",
            additionalProperties: false,
            required: ["key"],
            properties: { key: { type: "string", minLength: 1 }, value: { type: "string" } },
            description: "A tag (AWS) or label (Kubernetes) the resource carries.",
        },
        findingContains: { type: "string", minLength: 1, description: "Only findings whose message contains this text (e.g. one escalation path's principals)." },
        reason: { type: "string", minLength: 10, description: "Why the exception is acceptable, and what compensates for it." },
        ticket: { type: "string", minLength: 1, description: "Ticket or link where the exception was requested and granted." },
        approvedBy: { type: "string", minLength: 1, description: "Who granted it (not the deployer of the stack)." },
        expires: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "Last day (UTC) the waiver applies, YYYY-MM-DD." },
    },
};

/**
 * The waivers policy. It must come first in the catalogue: it runs before the other policies on
 * every resource and every stack, and hands them its config (framework/waivers.ts).
 */
export function waiversPolicy(policies: () => readonly PolicyDefinition[]) {
    const names = () => policies().map((p) => p.name);
    return stackPolicy<WaiverConfig>({
        name: WAIVERS_POLICY.name,
        displayName: "Waivers are valid, current and used",
        guarantee: "exceptions",
        description: WAIVERS_POLICY.description,
        rule:
            "Waivers live in this policy's config (`entries`), which organization admins set when they enable the pack, so a " +
            "deployer cannot waive their own violation. Each entry names one policy, selects findings by `urn`, `type`, `name` " +
            "(globs) and/or `tag`, optionally narrowed by `findingContains`, and must give `reason`, `approvedBy` and `expires` " +
            "(optional `ticket`). A selected finding is reported as advisory with the waiver's reason, approver and expiry " +
            "instead of mandatory. After the expiry date the finding is mandatory again and says when the waiver expired. " +
            "An entry naming an unknown policy, selecting nothing, or expiring more than `maxDays` from today is a mandatory " +
            "config error and does not apply; an expired entry, or one that matched no finding in the stack, is reported as " +
            "advisory so it gets cleaned up, in the stacks it could apply to: the config is set once for the organization, so " +
            "an entry whose `urn` names another project or stack is not reported as unused or expired elsewhere. Disabling " +
            "this policy disables every waiver.",
        why:
            "Without an exception mechanism teams disable whole policies, which hides every future violation too. A waiver " +
            "scoped to one finding, justified, approved by someone else and expiring, keeps the exception visible in every " +
            "preview and gives auditors one list to review.",
        severity: WAIVERS_POLICY.severity,
        remediationSteps:
            "To request a waiver, open a ticket with the finding's policy, resource URN and message, the reason and the " +
            "compensating control. An organization admin adds an entry to this policy's `entries` in the pack config and " +
            "re-enables the pack (`pulumi policy enable <org>/sealed-infra <version> --config policy-config.json`). Remove " +
            "entries reported as expired or unused.",
        config: {
            entries: {
                description: "The waivers: { policy, urn?, type?, name?, tag?, findingContains?, reason, approvedBy, ticket?, expires }.",
                default: [],
                schema: { type: "array", items: ENTRY_SCHEMA },
            },
            maxDays: {
                description: "Longest a waiver may run, counted from today to its expiry date.",
                default: DEFAULT_MAX_WAIVER_DAYS,
                schema: { type: "integer", minimum: 1, maximum: 366 },
            },
        },
        guards: [],
        resourceTypes: [],
        example: {
            compliant:
                '{ "waivers": { "entries": [ { "policy": "s3-object-lock", "name": "legacy-logs", "reason": "Migrating to the locked store in SEC-88; read-only IAM until then", "approvedBy": "security@acme.example", "ticket": "SEC-88", "expires": "2027-01-31" } ] } }',
            violating: '{ "waivers": { "entries": [ { "policy": "s3-object-lock", "name": "legacy-logs", "approvedBy": "me" } ] } }  // no reason, no expiry',
        },
        onResource(getConfig) {
            waiverRegistry.bind(getConfig, names);
        },
        check(model, _config, findings) {
            const identity = stackIdentity(model);
            for (const w of waiverRegistry.waivers()) {
                if (w.invalid) {
                    findings.stackViolation(`${describeWaiver(w)} ${w.invalid}. The waiver does not apply until it is fixed in the pack config.`);
                } else if (!couldApplyToStack(w, identity)) {
                    // An org-wide config's entry for another project or stack: its own stack reports it.
                    continue;
                } else if (isExpired(w)) {
                    findings.note(undefined, `${describeWaiver(w)} expired on ${w.expires}; its findings are mandatory again. Remove it, or renew it with a new approval.`);
                } else if (isResourcePolicy(policies(), w) && !waiverRegistry.wasUsed(w)) {
                    findings.note(undefined, `${describeWaiver(w)} matched no finding in this stack; remove it from the pack config.`);
                }
            }
        },
    });
}

/** Stack policies report their own unused waivers after they run (framework/to-pulumi.ts). */
function isResourcePolicy(policies: readonly PolicyDefinition[], w: WaiverEntry): boolean {
    return policies.find((p) => p.name === w.policy)?.kind === "resource";
}
