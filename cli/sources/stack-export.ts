/**
 * Stack-export mode: reads a `pulumi stack export` file and returns the stack as the engine
 * analyzes a snapshot (`pulumi policy analyze`, pkg/resource/deploy/analyze_snapshot.go).
 *
 * Format (pulumi/pulumi sdk/go/common/apitype/core.go): an UntypedDeployment
 * `{version, features?, deployment}`; `deployment` is a DeploymentV3 `{manifest, secrets_providers?,
 * resources?, pending_operations?, metadata?}`; each ResourceV3 has urn, custom, delete?, id?, type,
 * inputs?, outputs?, parent?, protect?, dependencies?, provider?, propertyDependencies?, aliases?
 * (URNs), customTimeouts? ({create, update, delete, read} in seconds), additionalSecretOutputs?,
 * ignoreChanges?, sourcePosition? (where the program declared it), ... Version 4 is the same document with a `features` list; the CLI refuses
 * features it does not know (pkg/resource/stack/deployment.go supportedFeatures), and so do we.
 *
 * Values (pkg/resource/stack/deployment.go DeserializePropertyValue): secrets are
 * `{sig, plaintext: "<JSON>"}` (export --show-secrets) or `{sig, ciphertext}`; the first becomes
 * `{sig, value: <parsed>}`, the second `{sig, value: UNREADABLE_SECRET}` because the stack's
 * secrets provider is not available offline. Floats that JSON cannot carry and byte strings have
 * their own signatures and are decoded. Resource references are downgraded to the id (or URN) as
 * the engine does for analyzers. Resources marked `delete: true` (left over from a replacement)
 * and pending operations are not analyzed, as in AnalyzeSnapshot.
 */
import * as fs from "fs";
import { CheckError, ResourceRecord, WireProperties, WireValue } from "../model";
import { ARCHIVE_SIG, ASSET_SIG, RESOURCE_REFERENCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN, UNREADABLE_SECRET } from "../wire";
import { isValidUrn, ROOT_STACK_TYPE, urnStackProject, urnType } from "./engine";
import { DEFAULT_ORGANIZATION } from "./project";
import type { SourcedStack } from "./source";

/** pkg/resource/stack/deployment.go floatSignature and sdk/go/common/resource/sig ByteString. */
const FLOAT_SIG = "8ad145fe-0d11-4827-bfd7-1abcbf086f5c";
const BYTE_STRING_SIG = "803fd3297a5875dc03ca845dda5d2a98";

/** Features a version-4 deployment may declare (pkg/resource/stack/deployment.go supportedFeatures). */
const SUPPORTED_FEATURES = new Set([
    "refreshBeforeUpdate",
    "views",
    "hooks",
    "taint",
    "replaceWith",
    "snippets-prototype",
    "extensionParameterization",
    "byteString",
]);

export interface ReadStackExportOptions {
    /** Analyze with preview semantics (PULUMI_NODEJS_DRY_RUN=true); values in an export are all known. */
    preview?: boolean;
    organization?: string;
    /** Stack config to send in ConfigureStack (an export carries none). */
    config?: Record<string, string>;
    /** How to name the file in messages (default: the path as given). */
    displayName?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
    if (v === null) {
        return "null";
    }
    if (Array.isArray(v)) {
        return "an array";
    }
    return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}

/** A malformed value deep inside a property map; the path to it is prepended level by level as it propagates. */
class ValueProblem extends Error {
    constructor(
        readonly problem: (at: string) => string,
        public path = "",
    ) {
        super("malformed value");
    }

    /** An error thrown under the child at `step` (`.key` or `[i]`), with the step added to its path. */
    static at(step: string, e: unknown): unknown {
        if (e instanceof ValueProblem) {
            e.path = step + e.path;
        }
        return e;
    }
}

class ExportReader {
    unreadableSecrets = 0;

    constructor(private readonly file: string) {}

    error(problem: string, detail?: unknown): CheckError {
        return new CheckError(`stack export ${this.file} ${problem}`, detail);
    }

    /**
     * A property value as the engine would send it to an analyzer. Converts the parsed JSON in
     * place (plain objects and arrays are kept, only special values are replaced), so a large
     * export is not held twice; the path for a message is only put together when a value is
     * malformed (ValueProblem collects it on the way out).
     */
    value(v: unknown, where: string): WireValue {
        try {
            return this.convert(v);
        } catch (e) {
            if (e instanceof ValueProblem) {
                throw this.error(e.problem(`${where}${e.path}`));
            }
            throw e;
        }
    }

    private convert(v: unknown): WireValue {
        if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string") {
            return v;
        }
        if (Array.isArray(v)) {
            for (let i = 0; i < v.length; i++) {
                const e = v[i];
                if (e !== null && typeof e === "object") {
                    let c: WireValue;
                    try {
                        c = this.convert(e);
                    } catch (err) {
                        throw ValueProblem.at(`[${i}]`, err);
                    }
                    if (c !== e) {
                        v[i] = c;
                    }
                } else if (typeof e !== "boolean" && typeof e !== "number" && typeof e !== "string" && e !== null) {
                    throw new ValueProblem((at) => `has an unsupported value at ${at}`, `[${i}]`);
                }
            }
            return v as WireValue[];
        }
        if (!isObject(v)) {
            throw new ValueProblem((at) => `has an unsupported value at ${at}`);
        }
        if (!(SIG_KEY in v)) {
            for (const k of Object.keys(v)) {
                const e = v[k];
                if (e !== null && typeof e === "object") {
                    let c: WireValue;
                    try {
                        c = this.convert(e);
                    } catch (err) {
                        throw ValueProblem.at(`.${k}`, err);
                    }
                    if (c !== e) {
                        v[k] = c;
                    }
                } else if (typeof e !== "boolean" && typeof e !== "number" && typeof e !== "string" && e !== null) {
                    throw new ValueProblem((at) => `has an unsupported value at ${at}`, `.${k}`);
                }
            }
            return v as { [key: string]: WireValue };
        }
        const sig = v[SIG_KEY];
        switch (sig) {
            case SECRET_SIG: {
                const cipher = v.ciphertext;
                const plain = v.plaintext;
                const hasCipher = typeof cipher === "string" && cipher !== "";
                const hasPlain = typeof plain === "string" && plain !== "";
                if (hasCipher === hasPlain) {
                    throw new ValueProblem((at) => `has a malformed secret at ${at}: exactly one of ciphertext or plaintext must be set`);
                }
                if (hasCipher) {
                    this.unreadableSecrets++;
                    return { [SIG_KEY]: SECRET_SIG, value: UNREADABLE_SECRET };
                }
                let parsed: unknown;
                try {
                    parsed = JSON.parse(plain as string);
                } catch (e) {
                    throw new ValueProblem((at) => `has a malformed secret at ${at}: plaintext is not JSON (${(e as Error).message})`);
                }
                return { [SIG_KEY]: SECRET_SIG, value: this.convert(parsed) };
            }
            case ASSET_SIG:
            case ARCHIVE_SIG:
                return v as { [key: string]: WireValue };
            case RESOURCE_REFERENCE_SIG: {
                if (typeof v.urn !== "string") {
                    throw new ValueProblem((at) => `has a malformed resource reference at ${at}: missing urn`);
                }
                if (!("id" in v)) {
                    return v.urn;
                }
                let id = v.id;
                if (isObject(id)) {
                    // An old CLI bug serialized the id as a PropertyValue `{V: ...}` (DeserializePropertyValue).
                    id = id.V === undefined || id.V === null ? undefined : id.V;
                    if (id === undefined) {
                        return v.urn;
                    }
                }
                return typeof id === "string" && id !== "" ? id : UNKNOWN;
            }
            case FLOAT_SIG: {
                if (typeof v.value !== "string" || !/^[0-9a-fA-F]{1,16}$/.test(v.value)) {
                    throw new ValueProblem((at) => `has a malformed float at ${at}`);
                }
                const buf = Buffer.alloc(8);
                buf.writeBigUInt64BE(BigInt(`0x${v.value}`));
                return buf.readDoubleBE(0);
            }
            case BYTE_STRING_SIG: {
                if (typeof v.value !== "string") {
                    throw new ValueProblem((at) => `has a malformed byte string at ${at}`);
                }
                return Buffer.from(v.value, "base64").toString("utf8");
            }
            default:
                throw new ValueProblem((at) => `has an unrecognized signature ${JSON.stringify(sig)} at ${at}`);
        }
    }

    properties(v: unknown, where: string): WireProperties {
        if (v === undefined || v === null) {
            return {};
        }
        if (!isObject(v)) {
            throw this.error(`has ${where} that is ${describe(v)}, expected an object`);
        }
        return this.value(v, where) as WireProperties;
    }

    stringList(v: unknown, where: string): string[] {
        if (v === undefined || v === null) {
            return [];
        }
        if (!Array.isArray(v) || v.some((e) => typeof e !== "string")) {
            throw this.error(`has ${where} that is not a list of strings`);
        }
        return v as string[];
    }

    optionalString(v: unknown, where: string): string | undefined {
        if (v === undefined || v === null || v === "") {
            return undefined;
        }
        if (typeof v !== "string") {
            throw this.error(`has ${where} that is ${describe(v)}, expected a string`);
        }
        return v;
    }

    optionalBool(v: unknown, where: string): boolean | undefined {
        if (v === undefined || v === null) {
            return undefined;
        }
        if (typeof v !== "boolean") {
            throw this.error(`has ${where} that is ${describe(v)}, expected true or false`);
        }
        return v;
    }

    seconds(v: unknown, where: string): number {
        if (v === undefined || v === null) {
            return 0;
        }
        if (typeof v !== "number" || !Number.isFinite(v)) {
            throw this.error(`has ${where} that is ${describe(v)}, expected seconds`);
        }
        return v;
    }

    resource(raw: unknown, i: number): ResourceRecord | undefined {
        const at = `resources[${i}]`;
        if (!isObject(raw)) {
            throw this.error(`has ${at} that is ${describe(raw)}, expected a resource object`);
        }
        if (!isValidUrn(raw.urn)) {
            throw this.error(`has ${at} without a valid urn`);
        }
        const urn = raw.urn;
        const where = `${at} (${urn})`;
        if (typeof raw.type !== "string" || raw.type === "") {
            throw this.error(`has ${where} without a type`);
        }
        if (urnType(urn) !== raw.type) {
            // The engine derives the URN from the type; a contradiction means an edited or corrupt export.
            throw this.error(`has ${where} of type ${raw.type}, which contradicts the type in its URN (${urnType(urn)})`);
        }
        if (raw.delete === true) {
            return undefined; // pending deletion after a replacement: not analyzed
        }
        const custom = this.optionalBool(raw.custom, `${where}.custom`) ?? false;
        const name = urn.split("::").slice(3).join("::");
        const propertyDependencies: Record<string, string[]> = {};
        if (raw.propertyDependencies !== undefined && raw.propertyDependencies !== null) {
            if (!isObject(raw.propertyDependencies)) {
                throw this.error(`has ${where}.propertyDependencies that is ${describe(raw.propertyDependencies)}, expected an object`);
            }
            for (const [k, deps] of Object.entries(raw.propertyDependencies)) {
                propertyDependencies[k] = this.stringList(deps, `${where}.propertyDependencies.${k}`);
            }
        }
        let timeouts: Record<string, unknown> = {};
        if (raw.customTimeouts !== undefined && raw.customTimeouts !== null) {
            if (!isObject(raw.customTimeouts)) {
                throw this.error(`has ${where}.customTimeouts that is ${describe(raw.customTimeouts)}, expected an object`);
            }
            timeouts = raw.customTimeouts;
        }
        const parent = this.optionalString(raw.parent, `${where}.parent`);
        const id = raw.id === undefined || raw.id === null || raw.id === "" ? undefined : raw.id;
        if (id !== undefined && typeof id !== "string") {
            throw this.error(`has ${where}.id that is ${describe(id)}, expected a string`);
        }
        return {
            urn,
            type: raw.type,
            name,
            custom,
            id,
            inputs: this.properties(raw.inputs, `${where}.inputs`),
            outputs: this.properties(raw.outputs, `${where}.outputs`),
            parent,
            dependencies: this.stringList(raw.dependencies, `${where}.dependencies`),
            propertyDependencies,
            options: {
                protect: this.optionalBool(raw.protect, `${where}.protect`) ?? false,
                ignoreChanges: this.stringList(raw.ignoreChanges, `${where}.ignoreChanges`),
                // ResourceV3 has no deleteBeforeReplace; analyze_snapshot.go sends it undefined.
                deleteBeforeReplace: this.optionalBool(raw.deleteBeforeReplace, `${where}.deleteBeforeReplace`),
                additionalSecretOutputs: this.stringList(raw.additionalSecretOutputs, `${where}.additionalSecretOutputs`),
                aliases: this.stringList(raw.aliases, `${where}.aliases`),
                customTimeouts: {
                    createSeconds: this.seconds(timeouts.create, `${where}.customTimeouts.create`),
                    updateSeconds: this.seconds(timeouts.update, `${where}.customTimeouts.update`),
                    deleteSeconds: this.seconds(timeouts.delete, `${where}.customTimeouts.delete`),
                },
                parent,
            },
            provider: this.optionalString(raw.provider, `${where}.provider`),
            // Kept as the engine wrote it; ./source-position.ts reads it (a malformed one is ignored there).
            ...(typeof raw.sourcePosition === "string" && raw.sourcePosition !== "" ? { sourcePosition: raw.sourcePosition } : {}),
        };
    }
}

/** JSON.parse with the position in the message (V8 omits it for truncated input). */
function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch (e) {
        let message = (e as Error).message;
        if (!/position \d+/.test(message)) {
            message += ` at position ${text.length}`;
        }
        throw new SyntaxError(message);
    }
}

export function readStackExport(file: string, opts: ReadStackExportOptions = {}): SourcedStack {
    const shown = opts.displayName ?? file;
    const reader = new ExportReader(shown);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw reader.error(code === "ENOENT" ? "does not exist" : `cannot be read: ${(e as Error).message}`, e);
    }
    if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
    }
    if (text.trim() === "") {
        throw reader.error("is empty");
    }
    let doc: unknown;
    try {
        doc = parseJson(text);
    } catch (e) {
        throw reader.error(`is not valid JSON: ${(e as Error).message}`, e);
    }
    text = ""; // the parsed document is all that is needed from here on

    if (!isObject(doc)) {
        throw reader.error(`is not a \`pulumi stack export\` file: expected a JSON object, found ${describe(doc)}`);
    }
    if (!("deployment" in doc) && ("resources" in doc || "manifest" in doc)) {
        throw reader.error("holds a bare deployment; expected the output of `pulumi stack export` ({version, deployment})");
    }
    if (doc.version === undefined) {
        throw reader.error("has no version; expected the output of `pulumi stack export` (version 3)");
    }
    if (doc.version !== 3 && doc.version !== 4) {
        throw reader.error(`has deployment version ${JSON.stringify(doc.version)}; only version 3 (and 4) exports are supported`);
    }
    if (doc.version === 4) {
        const features = doc.features === undefined ? [] : doc.features;
        if (!Array.isArray(features) || features.some((f) => typeof f !== "string")) {
            throw reader.error("has a malformed features list");
        }
        const unsupported = (features as string[]).filter((f) => !SUPPORTED_FEATURES.has(f));
        if (unsupported.length > 0) {
            throw reader.error(`needs support for the following features: ${unsupported.join(", ")}`);
        }
    }
    const deployment = doc.deployment;
    if (!isObject(deployment)) {
        throw reader.error(`has ${deployment === undefined ? "no deployment" : `a deployment that is ${describe(deployment)}`}`);
    }
    const rawResources = deployment.resources ?? [];
    if (!Array.isArray(rawResources)) {
        throw reader.error(`has deployment.resources that is ${describe(rawResources)}, expected a list`);
    }
    const resources: ResourceRecord[] = [];
    const seen = new Set<string>();
    rawResources.forEach((raw, i) => {
        const r = reader.resource(raw, i);
        if (r) {
            if (seen.has(r.urn)) {
                throw reader.error(`has two live resources with the URN ${r.urn}`);
            }
            seen.add(r.urn);
            resources.push(r);
        }
    });

    const root = resources.find((r) => r.type === ROOT_STACK_TYPE && !r.parent) ?? resources[0];
    const ids = root ? urnStackProject(root.urn) : undefined;
    const warnings: string[] = [];
    const pending = deployment.pending_operations;
    if (Array.isArray(pending) && pending.length > 0) {
        warnings.push(`${shown} lists ${pending.length} pending operation(s); they are not analyzed`);
    }
    if (reader.unreadableSecrets > 0) {
        warnings.push(
            `${shown} holds ${reader.unreadableSecrets} encrypted secret value(s) (exported without --show-secrets); ` +
                `policies that need them report them as unverifiable`,
        );
    }
    const project = ids?.project ?? "";
    return {
        organization: opts.organization ?? DEFAULT_ORGANIZATION,
        project,
        stack: ids?.stack ?? "",
        dryRun: opts.preview ?? false,
        config: { ...(opts.config ?? {}) },
        tags: project ? { "pulumi:project": project } : {},
        resources,
        warnings,
    };
}
