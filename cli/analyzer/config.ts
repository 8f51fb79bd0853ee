/**
 * Policy-pack config reconciliation, as the engine does it before `Configure`
 * (pkg/resource/analyzer/config.go, called from pkg/engine/update.go LoadLocalPolicyPackAnalyzers):
 *
 *  1. parse the file (`parsePolicyPackConfig`): each key maps to an enforcement level string or to
 *     an object whose optional `enforcementLevel` is pulled out and whose other keys are properties;
 *     invalid levels and other value types are errors; empty entries are dropped;
 *  2. start from every policy's own level (GetAnalyzerInfo reports `policy level || pack level`)
 *     and the top-level `default`s of its configSchema properties (`createConfigWithDefaults`);
 *  3. apply the pack's initialConfig, then the file (`applyConfig`): `all` sets every policy's
 *     level first, then each key overrides level and merges its properties;
 *  4. validate every policy's properties with JSON Schema `{type: object, properties (+ an injected
 *     enforcementLevel enum), required}` (gojsonschema; errors sorted and joined with "; ").
 *
 * Where the engine is lax we are strict, on purpose (a typo must not silently weaken a guarantee):
 *  - the engine accepts unknown policy names (they are even sent in Configure) — we reject them;
 *  - the engine's schema has no `additionalProperties: false`, so unknown fields are ignored —
 *    we reject them;
 *  - the engine ignores properties given under `all` — we reject them.
 * The `all` entry itself is sent in Configure, as the engine does.
 */
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { CheckError, EnforcementLevel } from "../model";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export interface PolicyConfigInput {
    enforcementLevel?: EnforcementLevel;
    properties?: Record<string, unknown>;
}

export interface AppliedPolicyConfig {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

/** What reconciliation needs to know about each policy (from GetAnalyzerInfo). */
export interface PolicyConfigTarget {
    name: string;
    enforcementLevel: EnforcementLevel;
    configSchema?: { properties: Record<string, unknown>; required: string[] };
}

export interface ReconcileInput {
    packName: string;
    policies: readonly PolicyConfigTarget[];
    /** AnalyzerInfo.initialConfig (the pack's programmatic config), applied before the file. */
    initialConfig?: Record<string, PolicyConfigInput>;
    /** The parsed config file, or undefined when none was given. */
    config?: unknown;
}

function isLevel(v: unknown): v is EnforcementLevel {
    return typeof v === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

const LEVELS_TEXT = ENFORCEMENT_LEVELS.join(", ");

/**
 * config.go parsePolicyPackConfig, with errors that name the pack and the policy. `environments`
 * (ESC environment references, newer CLIs) cannot be resolved offline and is rejected.
 */
export function parsePolicyPackConfig(config: unknown, packName: string): Record<string, PolicyConfigInput> {
    const result: Record<string, PolicyConfigInput> = {};
    if (config === undefined || config === null) {
        return result;
    }
    if (!isPlainObject(config)) {
        throw new CheckError(`invalid config for policy pack "${packName}": expected a JSON object mapping policy names to settings, found ${kindOf(config)}`);
    }
    for (const [key, value] of Object.entries(config)) {
        const where = key === "all" ? `"all" of policy pack "${packName}"` : `policy "${key}" of policy pack "${packName}"`;
        if (key === "environments") {
            throw new CheckError(
                `invalid config for policy pack "${packName}": "environments" (Pulumi ESC environments) cannot be resolved offline; put the values in the config file itself`,
            );
        }
        if (typeof value === "string") {
            if (!isLevel(value)) {
                throw new CheckError(`invalid config for ${where}: "${value}" is not a valid enforcement level (one of ${LEVELS_TEXT})`);
            }
            result[key] = { enforcementLevel: value };
            continue;
        }
        if (!isPlainObject(value)) {
            throw new CheckError(`invalid config for ${where}: ${kindOf(value)} is not a valid value; must be an enforcement level string or an object`);
        }
        const props: Record<string, unknown> = { ...value };
        let enforcementLevel: EnforcementLevel | undefined;
        if ("enforcementLevel" in props) {
            const el = props.enforcementLevel;
            if (typeof el !== "string") {
                throw new CheckError(`invalid config for ${where}: enforcementLevel must be a string (one of ${LEVELS_TEXT}), found ${kindOf(el)}`);
            }
            if (!isLevel(el)) {
                throw new CheckError(`invalid config for ${where}: enforcementLevel "${el}" is not a valid enforcement level (one of ${LEVELS_TEXT})`);
            }
            enforcementLevel = el;
            delete props.enforcementLevel;
        }
        const hasProps = Object.keys(props).length > 0;
        if (enforcementLevel === undefined && !hasProps) {
            continue; // "Don't bother including empty configs."
        }
        result[key] = { enforcementLevel, properties: hasProps ? props : undefined };
    }
    return result;
}

/** config.go ReconcilePolicyPackConfig + our strictness; throws CheckError on any problem. */
export function reconcilePolicyPackConfig(input: ReconcileInput): Record<string, AppliedPolicyConfig> {
    const { packName, policies } = input;
    const file = parsePolicyPackConfig(input.config, packName);
    checkNames(packName, policies, file);

    // createConfigWithDefaults
    const result: Record<string, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }> = {};
    for (const p of policies) {
        let props: Record<string, unknown> | undefined;
        for (const [k, v] of Object.entries(p.configSchema?.properties ?? {})) {
            if (isPlainObject(v) && "default" in v) {
                props = props ?? {};
                props[k] = clone(v.default);
            }
        }
        result[p.name] = { enforcementLevel: p.enforcementLevel, properties: props };
    }
    if (input.initialConfig) {
        applyConfig(result, input.initialConfig);
    }
    applyConfig(result, file);

    // validatePolicyPackConfig (+ additionalProperties: false)
    const problems: string[] = [];
    for (const p of policies) {
        const errors = validatorFor(p)(result[p.name]?.properties ?? {});
        if (errors.length > 0) {
            problems.push(`invalid config for policy "${p.name}" of policy pack "${packName}": ${errors.sort().join("; ")}`);
        }
    }
    if (problems.length > 0) {
        throw new CheckError(problems.join("; "), { problems });
    }

    const applied: Record<string, AppliedPolicyConfig> = {};
    for (const [name, c] of Object.entries(result)) {
        // analyzer_plugin.go Configure rejects entries without a valid level; after the checks
        // above only `all` could lack one, and `all` always carries one.
        if (!isLevel(c.enforcementLevel)) {
            throw new CheckError(`invalid config for policy "${name}" of policy pack "${packName}": no valid enforcement level`);
        }
        applied[name] = { enforcementLevel: c.enforcementLevel, properties: c.properties ?? {} };
    }
    return applied;
}

function applyConfig(
    result: Record<string, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }>,
    toApply: Record<string, PolicyConfigInput>,
): void {
    const all = toApply.all;
    if (all && isLevel(all.enforcementLevel)) {
        for (const k of Object.keys(result)) {
            result[k] = { enforcementLevel: all.enforcementLevel, properties: result[k].properties };
        }
    }
    for (const [policy, given] of Object.entries(toApply)) {
        let enforcementLevel: EnforcementLevel | undefined;
        let properties: Record<string, unknown> | undefined;
        if (result[policy]) {
            enforcementLevel = result[policy].enforcementLevel;
            properties = result[policy].properties;
        }
        if (isLevel(given.enforcementLevel)) {
            enforcementLevel = given.enforcementLevel;
        }
        if (given.properties && Object.keys(given.properties).length > 0) {
            properties = { ...(properties ?? {}), ...given.properties };
        }
        result[policy] = { enforcementLevel, properties };
    }
}

function checkNames(packName: string, policies: readonly PolicyConfigTarget[], file: Record<string, PolicyConfigInput>): void {
    const known = policies.map((p) => p.name);
    for (const [key, entry] of Object.entries(file)) {
        if (key === "all") {
            if (entry.properties) {
                throw new CheckError(
                    `invalid config for "all" of policy pack "${packName}": "all" takes only an enforcement level, not properties (${Object.keys(entry.properties).join(", ")}); set properties per policy`,
                );
            }
            continue;
        }
        if (!known.includes(key)) {
            const hint = suggest(key, known);
            throw new CheckError(
                `invalid config for policy pack "${packName}": no policy named "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; the pack has ${known.length} policies: ${known.join(", ")}`,
            );
        }
    }
}

// ------------------------------------------------------------------------------------------------
// JSON Schema validation

const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: true });
const validators = new Map<string, (props: Record<string, unknown>) => string[]>();

/** The schema the engine validates a policy's properties against, plus additionalProperties: false. */
export function policyConfigJsonSchema(p: PolicyConfigTarget): Record<string, unknown> {
    const properties: Record<string, unknown> = { ...(p.configSchema?.properties ?? {}) };
    properties.enforcementLevel = { type: "string", enum: [...ENFORCEMENT_LEVELS] };
    const schema: Record<string, unknown> = { type: "object", properties, additionalProperties: false };
    if (p.configSchema && p.configSchema.required.length > 0) {
        schema.required = [...p.configSchema.required];
    }
    return schema;
}

function validatorFor(p: PolicyConfigTarget): (props: Record<string, unknown>) => string[] {
    const schema = policyConfigJsonSchema(p);
    const key = `${p.name}\u0000${JSON.stringify(schema)}`;
    let v = validators.get(key);
    if (!v) {
        let fn: ValidateFunction;
        try {
            fn = ajv.compile(schema);
        } catch (e) {
            throw new CheckError(`policy "${p.name}" declares an invalid configSchema: ${(e as Error).message}`, e);
        }
        const known = Object.keys(schema.properties as object).filter((k) => k !== "enforcementLevel");
        v = (props) => (fn(props) ? [] : (fn.errors ?? []).map((e) => formatAjvError(e, known)));
        validators.set(key, v);
    }
    return v;
}

function formatAjvError(e: ErrorObject, known: string[]): string {
    const at = pointerToPath(e.instancePath);
    switch (e.keyword) {
        case "required": {
            const missing = (e.params as { missingProperty: string }).missingProperty;
            return `${at ? `${at}.` : ""}${missing} is required`;
        }
        case "additionalProperties": {
            const extra = (e.params as { additionalProperty: string }).additionalProperty;
            if (at === "") {
                const hint = suggest(extra, known);
                return `unknown property "${extra}"${hint ? ` (did you mean "${hint}"?)` : ""}; known properties: ${known.length > 0 ? known.join(", ") : "none"}`;
            }
            return `${at} has unknown property "${extra}"`;
        }
        case "enum": {
            const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
            return `${at || "value"} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
        }
        default:
            return `${at || "config"} ${e.message ?? "is invalid"}`;
    }
}

function pointerToPath(pointer: string): string {
    if (pointer === "") {
        return "";
    }
    let out = "";
    for (const raw of pointer.split("/").slice(1)) {
        const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
        out += /^\d+$/.test(seg) ? `[${seg}]` : out === "" ? seg : `.${seg}`;
    }
    return out;
}

// ------------------------------------------------------------------------------------------------

function kindOf(v: unknown): string {
    if (v === null) {
        return "null";
    }
    if (Array.isArray(v)) {
        return "an array";
    }
    if (typeof v === "object") {
        return "an object";
    }
    return `${typeof v} ${JSON.stringify(v)}`;
}

function clone<T>(v: T): T {
    return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** The closest name within edit distance 3 (and less than half the word), for "did you mean". */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestD = Infinity;
    for (const c of candidates) {
        const d = editDistance(word.toLowerCase(), c.toLowerCase());
        if (d < bestD) {
            bestD = d;
            best = c;
        }
    }
    return best !== undefined && bestD <= Math.min(3, Math.ceil(word.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
    const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let prev = dp[0];
        dp[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = dp[j];
            dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return dp[b.length];
}
