/**
 * Shared builders for protocol tests: stack snapshots in wire format, and checks that no launched
 * pack process outlives a test.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { launchHistory } from "../../cli/analyzer/client";
import type { ResourceRecord, StackSnapshot, WireProperties, WireValue } from "../../cli/model";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../../cli/wire";

export { UNKNOWN };

export const ROOT = path.resolve(__dirname, "../..");
export const PACK_DIR = path.join(ROOT, "policypack");
export const FIXTURES = path.join(ROOT, "test/fixtures/packs");

export const STACK = "dev";
export const PROJECT = "shop";

export function urn(type: string, name: string, parentType?: string): string {
    return `urn:pulumi:${STACK}::${PROJECT}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

export const ROOT_STACK_URN = urn("pulumi:pulumi:Stack", `${PROJECT}-${STACK}`);
export const AWS_PROVIDER_URN = urn("pulumi:providers:aws", "default_7_0_0");
export const AWS_PROVIDER_ID = "04b1ff24-provider-id";

export function secret(value: WireValue): WireValue {
    return { [SIG_KEY]: SECRET_SIG, value };
}

export interface ResourceSpec {
    type: string;
    name: string;
    inputs?: WireProperties;
    outputs?: WireProperties;
    custom?: boolean;
    id?: string;
    parent?: string;
    provider?: string | null;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    options?: Partial<ResourceRecord["options"]>;
    parentType?: string;
}

export function resource(spec: ResourceSpec): ResourceRecord {
    const custom = spec.custom ?? !spec.type.startsWith("pulumi:pulumi:");
    const isProvider = spec.type.startsWith("pulumi:providers:");
    const inputs = spec.inputs ?? {};
    return {
        urn: urn(spec.type, spec.name, spec.parentType),
        type: spec.type,
        name: spec.name,
        custom,
        id: custom ? (spec.id ?? `${spec.name}-id`) : undefined,
        inputs,
        outputs: spec.outputs ?? { ...inputs },
        parent: spec.parent ?? (spec.type === "pulumi:pulumi:Stack" ? undefined : ROOT_STACK_URN),
        dependencies: spec.dependencies ?? [],
        propertyDependencies: spec.propertyDependencies ?? {},
        options: {
            protect: false,
            ignoreChanges: [],
            additionalSecretOutputs: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            parent: spec.parent ?? (spec.type === "pulumi:pulumi:Stack" ? undefined : ROOT_STACK_URN),
            ...spec.options,
        },
        provider:
            spec.provider === null || !custom || isProvider ? undefined : (spec.provider ?? `${AWS_PROVIDER_URN}::${AWS_PROVIDER_ID}`),
    };
}

export function rootStack(): ResourceRecord {
    return resource({ type: "pulumi:pulumi:Stack", name: `${PROJECT}-${STACK}` });
}

export function awsProvider(inputs: WireProperties = { region: "eu-west-1", version: "7.0.0" }): ResourceRecord {
    return resource({ type: "pulumi:providers:aws", name: "default_7_0_0", id: AWS_PROVIDER_ID, inputs });
}

export function ecrRepository(name: string, imageTagMutability?: WireValue, extra: Partial<ResourceSpec> = {}): ResourceRecord {
    const inputs: WireProperties = { name, forceDelete: false };
    if (imageTagMutability !== undefined) {
        inputs.imageTagMutability = imageTagMutability;
    }
    return resource({ type: "aws:ecr/repository:Repository", name, inputs, ...extra });
}

export function snapshot(resources: ResourceRecord[], overrides: Partial<StackSnapshot> = {}): StackSnapshot {
    return {
        organization: "acme",
        project: PROJECT,
        stack: STACK,
        dryRun: true,
        config: { "aws:region": "eu-west-1" },
        tags: {},
        resources,
        ...overrides,
    };
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

/**
 * Runs `fn` and asserts that every pack process it launched has ended when it settles;
 * `launches` is how many processes `fn` is expected to start.
 */
export async function noProcessLeft<T>(launches: number, fn: () => Promise<T>): Promise<T> {
    const before = new Set(launchHistory());
    try {
        return await fn();
    } finally {
        const launched = launchHistory().filter((p) => !before.has(p));
        assert.equal(launched.length, launches, `expected ${launches} pack launch(es), saw ${launched.length}`);
        const running = launched.filter(alive);
        assert.deepEqual(running, [], `pack processes still running: ${running.join(", ")}`);
    }
}

/** Expects `promise` to reject with a CheckError whose message is one line and matches `re`. */
export async function rejectsWithCheckError(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<Error> {
    let error: unknown;
    try {
        await promise;
    } catch (e) {
        error = e;
    }
    assert.ok(error, "expected a CheckError, but the call succeeded");
    const err = error as Error;
    assert.equal(err.name, "CheckError", `expected a CheckError, got ${err.name}: ${err.message}`);
    assert.ok(!err.message.includes("\n"), `CheckError message must be one line, got:\n${err.message}`);
    for (const re of patterns) {
        assert.match(err.message, re);
    }
    return err;
}
