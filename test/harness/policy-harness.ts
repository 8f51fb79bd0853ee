/**
 * Runs sealed-infra policy definitions the way @pulumi/policy does, without a process or gRPC:
 * through toPulumiPolicy (type filter, config defaults, fail-closed wrapper), with properties
 * wrapped in the SDK's own unknown-checking proxy and reported through a ReportViolation that
 * behaves like the SDK's. Protocol-level behaviour is covered separately in test/protocol.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
// The SDK's own proxy (internal: its .d.ts hides it, so it is required untyped).
export const unknownCheckingProxy: <T>(value: T) => T = require("@pulumi/policy/proxy").unknownCheckingProxy;
import type { PolicyDefinition } from "../../policypack/src/framework/definition";
import type { StackResource } from "../../policypack/src/sdk/stack-model";
import { toPulumiPolicy } from "../../policypack/src/framework/to-pulumi";
import { setWaiverClock, waiverRegistry } from "../../policypack/src/framework/waivers";

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface Finding {
    enforcementLevel: "mandatory" | "advisory";
    message: string;
    urn?: string;
    /** The policy the diagnostic is filed under (a diagnostic object may name another one). */
    policyName: string;
}

export interface TestResource {
    type: string;
    name: string;
    props?: Record<string, unknown>;
    urn?: string;
    options?: Partial<PolicyResource["opts"]>;
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface RunOptions {
    config?: Record<string, unknown>;
    /** Simulates `pulumi preview` (default) or `pulumi up` (false). */
    preview?: boolean;
}

export function urnOf(type: string, name: string, parentType?: string): string {
    const qualified = parentType ? `${parentType}$${type}` : type;
    return `urn:pulumi:dev::test-project::${qualified}::${name}`;
}

function optionsOf(r: TestResource): PolicyResource["opts"] {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        additionalSecretOutputs: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        ...r.options,
    };
}

function withPreview<T>(preview: boolean | undefined, fn: () => T): T {
    const saved = process.env.PULUMI_NODEJS_DRY_RUN;
    process.env.PULUMI_NODEJS_DRY_RUN = preview === false ? "false" : "true";
    try {
        return fn();
    } finally {
        if (saved === undefined) {
            delete process.env.PULUMI_NODEJS_DRY_RUN;
        } else {
            process.env.PULUMI_NODEJS_DRY_RUN = saved;
        }
    }
}

/** A ReportViolation with the SDK's semantics (string form: description + "\n" + message). */
function reporter(def: PolicyDefinition, out: Finding[], level: "mandatory" | "advisory" = "mandatory") {
    return (message: unknown, urn?: string) => {
        if (typeof message === "object" && message !== null) {
            const d = message as { message: string; urn?: string; enforcementLevel?: "mandatory" | "advisory"; name?: string };
            out.push({ enforcementLevel: d.enforcementLevel ?? level, message: d.message, urn: d.urn, policyName: d.name ?? def.name });
        } else {
            out.push({ enforcementLevel: level, message: message ? `${def.description}\n${message}` : def.description, urn, policyName: def.name });
        }
    };
}

export function runResourcePolicy(def: PolicyDefinition, resource: TestResource, opts: RunOptions = {}): Finding[] {
    if (def.kind !== "resource") {
        throw new Error(`${def.name} is a stack policy; use runStackPolicy`);
    }
    const policy = toPulumiPolicy(def) as ResourceValidationPolicy;
    const out: Finding[] = [];
    const urn = resource.urn ?? urnOf(resource.type, resource.name);
    const validate = policy.validateResource as (args: unknown, report: unknown) => void;
    withPreview(opts.preview, () =>
        validate(
            {
                type: resource.type,
                name: resource.name,
                urn,
                props: unknownCheckingProxy(resource.props ?? {}),
                opts: optionsOf(resource),
                stackTags: new Map(),
                getConfig: () => opts.config ?? {},
                isType: () => false,
                asType: () => undefined,
                notApplicable: () => {
                    throw new Error("notApplicable");
                },
            },
            reporter(def, out),
        ),
    );
    return out;
}

export function runStackPolicy(def: PolicyDefinition, resources: TestResource[], opts: RunOptions = {}): Finding[] {
    if (def.kind !== "stack") {
        throw new Error(`${def.name} is a resource policy; use runResourcePolicy`);
    }
    const policy = toPulumiPolicy(def) as StackValidationPolicy;
    const out: Finding[] = [];
    const built: PolicyResource[] = resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn ?? urnOf(r.type, r.name),
        props: unknownCheckingProxy(r.props ?? {}),
        opts: optionsOf(r),
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    })) as unknown as PolicyResource[];
    const byUrn = new Map(built.map((r) => [r.urn, r]));
    resources.forEach((r, i) => {
        const b = built[i] as { parent?: PolicyResource; dependencies: PolicyResource[]; propertyDependencies: Record<string, PolicyResource[]> };
        if (r.parent && byUrn.get(r.parent)) {
            b.parent = byUrn.get(r.parent);
        }
        b.dependencies = (r.dependencies ?? []).map((u) => byUrn.get(u)).filter((x): x is PolicyResource => !!x);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
            b.propertyDependencies[k] = urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => !!x);
        }
    });
    withPreview(opts.preview, () =>
        (policy.validateStack as (args: unknown, report: unknown) => void)(
            { resources: built, stackTags: new Map(), getConfig: () => opts.config ?? {}, notApplicable: () => undefined },
            reporter(def, out),
        ),
    );
    return out;
}

export function mandatory(findings: Finding[]): Finding[] {
    return findings.filter((f) => f.enforcementLevel === "mandatory");
}

export function advisory(findings: Finding[]): Finding[] {
    return findings.filter((f) => f.enforcementLevel === "advisory");
}

/**
 * Runs `fn` with waivers configured as the `waivers` policy would hand them over, and "now" fixed
 * (default 2026-11-27T12:00Z). Policy names are checked against `policyNames`.
 */
export function withWaivers<T>(
    config: { entries: unknown[]; maxDays?: number },
    policyNames: readonly string[],
    fn: () => T,
    now = Date.UTC(2026, 10, 27, 12),
): T {
    waiverRegistry.reset();
    setWaiverClock(() => now);
    waiverRegistry.bind(() => ({ maxDays: 90, ...config }), () => policyNames);
    try {
        return fn();
    } finally {
        waiverRegistry.reset();
        setWaiverClock(undefined);
    }
}

/** Test resources as the stack model's records (what the engine sends to AnalyzeStack). */
export function stackRecords(resources: TestResource[]): StackResource[] {
    return resources.map((r) => ({
        urn: r.urn ?? urnOf(r.type, r.name),
        type: r.type,
        name: r.name,
        props: r.props ?? {},
        options: {} as StackResource["options"],
        dependencies: [],
        propertyDependencies: r.propertyDependencies ?? {},
    }));
}
