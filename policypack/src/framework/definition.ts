/**
 * What a sealed-infra policy is: its documentation and metadata (which the README catalogue is
 * generated from), its config options with defaults, the property paths it guards, and a small
 * pure check. ./to-pulumi.ts turns a definition into an @pulumi/policy policy.
 */
import type { PolicyResourceOptions } from "@pulumi/policy";
import type { StackModel } from "../sdk/stack-model";
import type { Findings } from "./findings";

export type Severity = "low" | "medium" | "high" | "critical";

/** The three guarantees of the catalogue; policies are grouped by them in folders and docs. */
export type Guarantee = "immutable-artifacts" | "immutable-updates" | "separated-duties" | "exceptions";

export const GUARANTEE_TITLES: Record<Guarantee, string> = {
    "immutable-artifacts": "Immutable artifacts and records",
    "immutable-updates": "Immutable updates (Pulumi resource options)",
    "separated-duties": "Separated duties",
    exceptions: "Exceptions (waivers)",
};

/** One config option: a JSON Schema fragment plus its documented default. */
export interface ConfigOption<T = unknown> {
    description: string;
    default: T;
    /** JSON Schema for the value (type, enum, minimum, items, ...), without description/default. */
    schema: Record<string, unknown>;
}

export type ConfigOptions<C> = { [K in keyof C]: ConfigOption<C[K]> };

/**
 * Property paths a policy depends on, per resource type. `no-ignore-changes-on-guarded-properties`
 * reads these, so a guarantee cannot be bypassed by `ignoreChanges` on what it checks.
 * Paths use the same syntax as Pulumi's ignoreChanges (`a.b`, `a[0].b`, `a[*].b`).
 */
export interface GuardedProperties {
    types: readonly string[];
    paths: readonly string[];
}

export interface PolicyDocs<C> {
    /** Policy name as users write it in config: kebab-case, stable. */
    name: string;
    /** Short title shown in dashboards. */
    displayName: string;
    guarantee: Guarantee;
    /** One sentence: what the policy guarantees. Printed above every violation message. */
    description: string;
    /** The exact rule, precise enough to predict every verdict (README). */
    rule: string;
    /** Why an auditor cares (README). */
    why: string;
    severity: Severity;
    /** What to change to comply (README and the pack's metadata). */
    remediationSteps: string;
    config: ConfigOptions<C>;
    guards: readonly GuardedProperties[];
    /** Compliant and violating snippets for the README. */
    example?: { compliant: string; violating: string };
}

/** A resource as a per-resource policy sees it: raw values (see framework/values.ts). */
export interface ResourceSubject {
    urn: string;
    type: string;
    name: string;
    props: Readonly<Record<string, unknown>>;
    options: PolicyResourceOptions;
}

export interface ResourcePolicyDefinition<C = Record<string, unknown>> extends PolicyDocs<C> {
    kind: "resource";
    /** The resource types the policy checks; every other type is skipped before any work. */
    resourceTypes: readonly string[];
    check(resource: ResourceSubject, config: C, findings: Findings): void;
}

export interface StackPolicyDefinition<C = Record<string, unknown>> extends PolicyDocs<C> {
    kind: "stack";
    /** Types the policy is about (docs, and a cheap skip when the stack has none of them). */
    resourceTypes: readonly string[];
    check(model: StackModel, config: C, findings: Findings): void;
    /**
     * Also called for every resource in Analyze, before the other policies (only the waivers
     * policy needs this: it is how its config reaches every other policy).
     */
    onResource?(getConfig: () => C): void;
}

export type PolicyDefinition<C = unknown> = ResourcePolicyDefinition<C> | StackPolicyDefinition<C>;

/** Identity helpers that keep the config type flowing from `config` into `check`. */
export function resourcePolicy<C>(def: Omit<ResourcePolicyDefinition<C>, "kind">): ResourcePolicyDefinition<C> {
    return { kind: "resource", ...def };
}

export function stackPolicy<C>(def: Omit<StackPolicyDefinition<C>, "kind">): StackPolicyDefinition<C> {
    return { kind: "stack", ...def };
}

/** Defaults from the definition, overlaid with what the engine sent (it applies defaults too). */
export function configWithDefaults<C>(def: PolicyDocs<C>, sent: Record<string, unknown> | undefined): C {
    const out: Record<string, unknown> = {};
    for (const [key, option] of Object.entries(def.config) as [string, ConfigOption][]) {
        out[key] = option.default;
    }
    for (const [key, value] of Object.entries(sent ?? {})) {
        if (key !== "enforcementLevel" && value !== undefined && value !== null) {
            out[key] = value;
        }
    }
    return out as C;
}

/** The configSchema @pulumi/policy publishes: each option's schema with description and default. */
export function configSchemaOf(def: PolicyDocs<unknown>): { properties: Record<string, object> } {
    const properties: Record<string, object> = {};
    for (const [key, option] of Object.entries(def.config) as [string, ConfigOption][]) {
        properties[key] = { ...option.schema, description: option.description, default: option.default };
    }
    return { properties };
}
