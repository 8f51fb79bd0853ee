/**
 * The component provider: serves the package schema and constructs the components for programs in
 * every Pulumi language. Hosted by `@pulumi/pulumi/provider`'s `main` (./main.ts), which speaks the
 * ResourceProvider gRPC protocol, deserializes Construct requests and dials back to the engine's
 * resource monitor, where the component registers its children exactly as it does in a TypeScript
 * program.
 *
 * Pulumi's own ComponentProvider only knows `index` tokens; this one maps each token of
 * ./tokens.ts to its class, and adapts what a Construct request carries to what the classes take:
 *  - `protect`: the request's resource options cannot tell "not set" from `false`, and the
 *    components protect their critical children unless told otherwise, so only `protect: true`
 *    is passed on; `protect: false` on the component unprotects nothing (the `protect` argument does).
 *  - plain inputs (schema `plain`): when they arrive as an Output (the engine wraps values that
 *    have dependencies), the plain value is awaited and the values the schema declares as Inputs
 *    inside it are given back those dependencies.
 *  - references to an ImmutableConfig (ImmutableWorkload's `config`) become ImmutableConfig
 *    instances that read the referenced component's state (./references.ts).
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import type { ConstructResult, Provider } from "@pulumi/pulumi/provider";
import * as components from "../components";
import { SCHEMA_FILE } from "./files";
import { registerReferences } from "./references";
import { componentByToken, COMPONENT_TOKENS, PACKAGE_NAME } from "./tokens";

/** A schema property or type, as far as the provider reads it. */
interface SchemaProperty {
    type?: string;
    $ref?: string;
    plain?: boolean;
    items?: SchemaProperty;
    additionalProperties?: SchemaProperty;
}

interface SchemaSpec {
    version: string;
    resources: Record<string, { inputProperties?: Record<string, SchemaProperty>; properties?: Record<string, SchemaProperty> }>;
    types: Record<string, { properties?: Record<string, SchemaProperty> }>;
}

type ComponentClass = new (name: string, args: never, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;

export class SealedInfraProvider implements Provider {
    readonly version: string;
    private readonly spec: SchemaSpec;

    constructor(readonly schemaText: string) {
        this.spec = JSON.parse(schemaText) as SchemaSpec;
        this.version = this.spec.version;
        for (const c of COMPONENT_TOKENS) {
            if (typeof (components as Record<string, unknown>)[c.className] !== "function") {
                throw new Error(`components/index.ts exports no class ${c.className}`);
            }
            if (this.spec.resources[c.token] === undefined) {
                throw new Error(`the schema has no ${c.token}; rebuild it (npm run build)`);
            }
        }
        registerReferences(PACKAGE_NAME, this.version);
    }

    async getSchema(): Promise<string> {
        return this.schemaText;
    }

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<ConstructResult> {
        const entry = componentByToken(type);
        if (entry === undefined) {
            throw new Error(`unknown resource type ${type}; this provider constructs ${COMPONENT_TOKENS.map((c) => c.token).join(", ")}`);
        }
        const resource = this.spec.resources[type];
        const args = await plainInputs(inputs, resource.inputProperties ?? {}, this.spec);
        const opts: pulumi.ComponentResourceOptions = { ...options, protect: options.protect === true ? true : undefined };
        const Component = (components as unknown as Record<string, ComponentClass>)[entry.className];
        const instance = new Component(name, args as never, opts) as unknown as Record<string, unknown> & pulumi.ComponentResource;
        const state: pulumi.Inputs = {};
        for (const key of Object.keys(resource.properties ?? {})) {
            state[key] = instance[key] as pulumi.Input<unknown>;
        }
        return { urn: instance.urn, state };
    }
}

/** The provider with the schema the build wrote next to it. */
export function loadProvider(schemaFile: string = SCHEMA_FILE): SealedInfraProvider {
    if (!fs.existsSync(schemaFile)) {
        throw new Error(`${schemaFile} is missing: build the package (npm run build) to infer the schema`);
    }
    return new SealedInfraProvider(fs.readFileSync(schemaFile, "utf8"));
}

/**
 * The inputs with every top-level plain input that arrived as an Output replaced by its value, in
 * which the values the schema declares as Inputs carry the Output's dependencies again.
 */
export async function plainInputs(inputs: pulumi.Inputs, properties: Record<string, SchemaProperty>, spec: SchemaSpec): Promise<pulumi.Inputs> {
    const out: pulumi.Inputs = { ...inputs };
    for (const [key, value] of Object.entries(inputs)) {
        const property = properties[key];
        if (property?.plain !== true || !pulumi.Output.isInstance(value)) {
            continue;
        }
        if (!(await isKnown(value))) {
            // A plain argument is read when the component is built; a preview cannot guess it.
            throw new Error(`argument ${key} is not known yet (it depends on a value computed during the update), but the component needs it when it is constructed`);
        }
        const resolved = await outputValue(value);
        out[key] = rewrapInputs(resolved, property, spec, value);
    }
    return out;
}

// Output.promise() and Output.isKnown are internal but stable (the SDK's own serializer uses them).
/** The value of an Output (undefined when it is not known, as in a preview). */
function outputValue(value: pulumi.Output<unknown>): Promise<unknown> {
    return (value as unknown as { promise(): Promise<unknown> }).promise();
}

function isKnown(value: pulumi.Output<unknown>): Promise<boolean> {
    return (value as unknown as { isKnown: Promise<boolean> }).isKnown;
}

/** Walks a plain value along its schema; Input-typed parts become Outputs depending on `source`. */
function rewrapInputs(value: unknown, property: SchemaProperty, spec: SchemaSpec, source: pulumi.Output<unknown>): unknown {
    if (value === undefined || value === null) {
        return value;
    }
    if (property.plain !== true) {
        // Same value, same dependencies (and secretness) as the Output it came in.
        return source.apply(() => value);
    }
    if (Array.isArray(value) && property.items !== undefined) {
        return value.map((item) => rewrapInputs(item, property.items as SchemaProperty, spec, source));
    }
    if (typeof value !== "object" || pulumi.Resource.isInstance(value)) {
        return value;
    }
    const record = value as Record<string, unknown>;
    if (property.additionalProperties !== undefined) {
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, rewrapInputs(v, property.additionalProperties as SchemaProperty, spec, source)]));
    }
    const typeName = property.$ref?.startsWith("#/types/") ? decodeURIComponent(property.$ref.slice("#/types/".length)) : undefined;
    const typeProperties = typeName !== undefined ? spec.types[typeName]?.properties : undefined;
    if (typeProperties === undefined) {
        return value;
    }
    return Object.fromEntries(
        Object.entries(record).map(([k, v]) => [k, typeProperties[k] !== undefined ? rewrapInputs(v, typeProperties[k], spec, source) : v]),
    );
}
