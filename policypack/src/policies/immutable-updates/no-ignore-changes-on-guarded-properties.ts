/**
 * `ignoreChanges` never hides a property that a guarantee depends on.
 *
 * The guarded paths are not listed here: every policy declares its own (`guards`), and this
 * policy reads them from the catalogue it is registered in. The catalogue imports this module, so
 * the module cannot import the catalogue (a cycle that would leave it undefined at load time):
 * it is a factory that receives a function returning the policies, and reads that list only when
 * first asked for its resource types or when it first checks a resource, after the catalogue is
 * complete. A policy added to the catalogue later is covered without touching this file.
 */
import type { ConfigOption, PolicyDefinition, ResourcePolicyDefinition, ResourceSubject } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { describe } from "../../framework/values";
import { globMatch } from "../../shared/glob";
import { formatPropertyPath, GuardEntry, GuardIndex, indexGuards, parsePropertyPath, pathsOverlap } from "../../engine/guarded-paths";

export const NO_IGNORE_CHANGES_NAME = "no-ignore-changes-on-guarded-properties";

export interface AllowedIgnoreChange {
    /** Type token, glob pattern (`*` any characters). */
    type: string;
    /** An ignoreChanges entry, compared after normalising its syntax (`a["b"]` equals `a.b`). */
    path: string;
}

interface Config {
    allowedIgnoreChanges: AllowedIgnoreChange[];
}

const allowedIgnoreChangesOption: ConfigOption<AllowedIgnoreChange[]> = {
    description:
        'Accepted exceptions: `{ "type": "<type token, glob>", "path": "<ignoreChanges entry>" }`, e.g. a property a controller outside Pulumi owns. Empty by default.',
    default: [],
    schema: {
        type: "array",
        items: {
            type: "object",
            properties: { type: { type: "string", minLength: 1 }, path: { type: "string", minLength: 1 } },
            required: ["type", "path"],
            additionalProperties: false,
        },
    },
};

/**
 * Builds the policy over the guards of `policies()` (all policies of the catalogue; its own entry
 * is skipped). `policies` is called lazily, once.
 */
export function noIgnoreChangesOnGuardedProperties(policies: () => readonly PolicyDefinition[]): ResourcePolicyDefinition<Config> {
    let index: GuardIndex | undefined;
    let types: string[] | undefined;
    const guardIndex = (): GuardIndex => (index ??= indexGuards(policies().filter((p) => p && p.name !== NO_IGNORE_CHANGES_NAME)));
    const guardedTypes = (): string[] => (types ??= [...guardIndex().byType.keys()].sort());

    return {
        kind: "resource",
        name: NO_IGNORE_CHANGES_NAME,
        displayName: "ignoreChanges never hides a guarded property",
        guarantee: "immutable-updates",
        description:
            "No resource's `ignoreChanges` option covers a property that a sealed-infra guarantee depends on, so what the policies verify is what the program deploys.",
        rule:
            "For each resource, every `ignoreChanges` entry is parsed with Pulumi's property-path syntax (`a.b`, `a[0]`, " +
            '`a["key.with.dots"]`, and the wildcard `*`, `.*`, `[*]` or `["*"]`, which matches every key or element at its ' +
            "level; `*` alone ignores everything) and compared with the paths that the other policies of the pack declare as " +
            "guarded for the resource's type. An entry fails when it overlaps a guarded path: it covers it (`spec` covers " +
            "`spec.template.spec.containers[*].securityContext`), lies inside it (`policies.untrustedArtifactOnDeployment` " +
            "inside `policies`), or selects some of the guarded list elements (`items[0].immutable` inside " +
            "`items[*].immutable`). A list index never matches an object key. An entry that does not parse fails (the engine " +
            "would reject it too). Entries listed in `allowedIgnoreChanges` for the resource's type pass. The guarded paths " +
            "come from every policy's `guards` declaration (listed per policy in this catalogue), so new policies are covered " +
            "automatically.",
        why:
            "`ignoreChanges` makes Pulumi keep the old value of a property whatever the program says. Ignoring a guarded " +
            "property lets the deployed value drift from the reviewed code with no diff and no policy verdict on the change: " +
            "e.g. ignoring `imageTagMutability` or a container's `securityContext` silently keeps whatever someone set by hand.",
        severity: "high",
        remediationSteps:
            "Remove the entry from `ignoreChanges`, or narrow it to a sibling property that no guarantee depends on (for example " +
            "`spec.replicas` instead of `spec`). If a controller outside Pulumi must own the property, record the exception in " +
            "this policy's `allowedIgnoreChanges` config, where the approver reviews it.",
        config: { allowedIgnoreChanges: allowedIgnoreChangesOption },
        /** It reads only resource options; it declares the types it checks and no property of its own. */
        get guards() {
            return [{ types: guardedTypes(), paths: [] }];
        },
        get resourceTypes() {
            return guardedTypes();
        },
        example: {
            compliant: 'new k8s.apps.v1.Deployment("api", { ... }, { ignoreChanges: ["spec.replicas"] });',
            violating: 'new aws.ecr.Repository("images", { imageTagMutability: "IMMUTABLE" }, { ignoreChanges: ["imageTagMutability"] });',
        },
        check(resource, config, findings) {
            checkIgnoreChanges(resource, guardIndex(), config, findings);
        },
    };
}

function checkIgnoreChanges(resource: ResourceSubject, index: GuardIndex, config: Config, findings: Findings): void {
    const entries: unknown = resource.options?.ignoreChanges;
    if (entries === undefined || entries === null) {
        return;
    }
    if (!Array.isArray(entries)) {
        findings.unreadable(resource, "ignoreChanges", `is ${describe(entries)}, not a list of property paths`, "ignoreChanges hides no guarded property");
        return;
    }
    const guards = index.byType.get(resource.type) ?? [];
    for (const entry of entries) {
        if (typeof entry !== "string") {
            findings.unreadable(resource, "ignoreChanges", `has the entry ${describe(entry)}, which is not a property path`, "ignoreChanges hides no guarded property");
            continue;
        }
        const parsed = parsePropertyPath(entry);
        if (!parsed.ok) {
            findings.violation(
                resource,
                `cannot verify that ignoreChanges hides no guarded property: the ignoreChanges entry "${entry}" is not a valid property path (${parsed.reason}); fix or remove it.`,
            );
            continue;
        }
        const normalised = formatPropertyPath(parsed.elements);
        if (isAllowed(resource.type, normalised, config)) {
            continue;
        }
        const hit = guards.filter((g) => pathsOverlap(parsed.elements, g.elements));
        if (hit.length === 0) {
            continue;
        }
        findings.violation(
            resource,
            `the ignoreChanges entry "${entry}" hides changes to guarded properties (${describeHits(hit)}), so the deployed value can drift from the reviewed code unseen; ` +
                `remove "${entry}" from ignoreChanges or narrow it to properties no guarantee depends on (or record a reviewed exception in this policy's allowedIgnoreChanges).`,
        );
    }
}

function isAllowed(type: string, normalised: string, config: Config): boolean {
    return (config.allowedIgnoreChanges ?? []).some((a) => {
        if (!a || typeof a.type !== "string" || typeof a.path !== "string" || !globMatch(a.type, type)) {
            return false;
        }
        const p = parsePropertyPath(a.path);
        return p.ok && formatPropertyPath(p.elements) === normalised;
    });
}

/** `k8s-runtime-read-only: spec.template.spec.containers[*].securityContext; images-pinned-by-digest: spec.template`. */
function describeHits(hits: readonly GuardEntry[]): string {
    const byPolicy = new Map<string, string[]>();
    for (const h of hits) {
        const list = byPolicy.get(h.policy) ?? [];
        list.push(h.path);
        byPolicy.set(h.policy, list);
    }
    return [...byPolicy].map(([policy, paths]) => `${policy}: ${paths.join(", ")}`).join("; ");
}
