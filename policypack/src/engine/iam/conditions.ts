/**
 * Condition evaluation with three outcomes: the condition holds ("yes"), cannot hold ("no"), or
 * depends on request context the analysis does not know ("maybe"). The evaluator treats "maybe" as
 * "may allow" for Allow statements and "may not apply" for Deny statements, so uncertainty never
 * hides a permission.
 *
 * Context: lower-cased keys -> values. A key mapped to `null` is known to be absent; a key missing
 * from the context is unknown. Prefixes (e.g. `aws:principaltag/`) can be declared fully known, so
 * a tag the principal does not carry is known absent.
 */
import type { Condition } from "./document";
import { globMatches } from "./glob";

export type Tri = "yes" | "no" | "maybe";

export function and(a: Tri, b: Tri): Tri {
    if (a === "no" || b === "no") {
        return "no";
    }
    return a === "yes" && b === "yes" ? "yes" : "maybe";
}

export function or(a: Tri, b: Tri): Tri {
    if (a === "yes" || b === "yes") {
        return "yes";
    }
    return a === "no" && b === "no" ? "no" : "maybe";
}

export class Context {
    private readonly values = new Map<string, string[] | null>();
    private readonly knownPrefixes: string[] = [];

    constructor(entries?: Record<string, string | string[] | null>, knownPrefixes: string[] = []) {
        for (const [k, v] of Object.entries(entries ?? {})) {
            this.set(k, v);
        }
        this.knownPrefixes.push(...knownPrefixes.map((p) => p.toLowerCase()));
    }

    set(key: string, value: string | string[] | null): this {
        this.values.set(key.toLowerCase(), value === null ? null : Array.isArray(value) ? value : [value]);
        return this;
    }

    knowPrefix(prefix: string): this {
        this.knownPrefixes.push(prefix.toLowerCase());
        return this;
    }

    /** Values, `null` when known absent, `undefined` when unknown. */
    get(key: string): string[] | null | undefined {
        const k = key.toLowerCase();
        if (this.values.has(k)) {
            return this.values.get(k);
        }
        return this.knownPrefixes.some((p) => k.startsWith(p)) ? null : undefined;
    }

    /** A copy with more entries (the original is not changed). */
    with(entries: Record<string, string | string[] | null>): Context {
        const c = new Context(undefined, this.knownPrefixes);
        for (const [k, v] of this.values) {
            c.values.set(k, v);
        }
        for (const [k, v] of Object.entries(entries)) {
            c.set(k, v);
        }
        return c;
    }
}

const VARIABLE = /\$\{([^}]+)\}/g;

/**
 * Substitutes policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${*}`, `${?}`,
 * `${$}`, and `${key, 'default'}`). Returns undefined when a variable is unknown.
 */
export function substituteVariables(text: string, context: Context): string | undefined {
    if (!text.includes("${")) {
        return text;
    }
    let unknown = false;
    const out = text.replace(VARIABLE, (_, inner: string) => {
        const [keyPart, defaultPart] = inner.split(",").map((s) => s.trim());
        if (keyPart === "*" || keyPart === "?" || keyPart === "$") {
            return `\u0000${keyPart}`; // an escaped literal; resolved below
        }
        const v = context.get(keyPart);
        if (v === undefined) {
            unknown = true;
            return "";
        }
        if (v === null || v.length === 0) {
            if (defaultPart !== undefined && /^'.*'$/.test(defaultPart)) {
                return defaultPart.slice(1, -1);
            }
            unknown = true; // an absent variable makes the statement match nothing; treat as unknown
            return "";
        }
        return v[0];
    });
    return unknown ? undefined : out;
}

/** Replaces unknown policy variables with `*` (what an Allow might reach). */
export function widenVariables(text: string, context: Context): string {
    if (!text.includes("${")) {
        return text;
    }
    return text.replace(VARIABLE, (whole, inner: string) => {
        const key = inner.split(",")[0].trim();
        if (key === "*" || key === "?" || key === "$") {
            return key === "$" ? "$" : key;
        }
        const v = context.get(key);
        return v && v.length > 0 ? v[0] : "*";
    });
}

function parseDate(s: string): number | undefined {
    if (/^\d+(\.\d+)?$/.test(s)) {
        return Number(s) * 1000;
    }
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : t;
}

function parseNumber(s: string): number | undefined {
    const n = Number(s);
    return s.trim() !== "" && Number.isFinite(n) ? n : undefined;
}

type Matcher = (contextValue: string, conditionValue: string) => boolean | undefined;

const compareNumbers = (f: (a: number, b: number) => boolean, parse: (s: string) => number | undefined): Matcher => (c, v) => {
    const a = parse(c);
    const b = parse(v);
    return a === undefined || b === undefined ? undefined : f(a, b);
};

/** Positive base operators; `negated` ones are true when no value matches. */
const OPERATORS: Record<string, { match: Matcher; negated: boolean }> = {
    stringequals: { match: (c, v) => c === v, negated: false },
    stringnotequals: { match: (c, v) => c === v, negated: true },
    stringequalsignorecase: { match: (c, v) => c.toLowerCase() === v.toLowerCase(), negated: false },
    stringnotequalsignorecase: { match: (c, v) => c.toLowerCase() === v.toLowerCase(), negated: true },
    stringlike: { match: (c, v) => globMatches(v, c), negated: false },
    stringnotlike: { match: (c, v) => globMatches(v, c), negated: true },
    arnequals: { match: (c, v) => globMatches(v, c), negated: false },
    arnlike: { match: (c, v) => globMatches(v, c), negated: false },
    arnnotequals: { match: (c, v) => globMatches(v, c), negated: true },
    arnnotlike: { match: (c, v) => globMatches(v, c), negated: true },
    numericequals: { match: compareNumbers((a, b) => a === b, parseNumber), negated: false },
    numericnotequals: { match: compareNumbers((a, b) => a === b, parseNumber), negated: true },
    numericlessthan: { match: compareNumbers((a, b) => a < b, parseNumber), negated: false },
    numericlessthanequals: { match: compareNumbers((a, b) => a <= b, parseNumber), negated: false },
    numericgreaterthan: { match: compareNumbers((a, b) => a > b, parseNumber), negated: false },
    numericgreaterthanequals: { match: compareNumbers((a, b) => a >= b, parseNumber), negated: false },
    dateequals: { match: compareNumbers((a, b) => a === b, parseDate), negated: false },
    datenotequals: { match: compareNumbers((a, b) => a === b, parseDate), negated: true },
    datelessthan: { match: compareNumbers((a, b) => a < b, parseDate), negated: false },
    datelessthanequals: { match: compareNumbers((a, b) => a <= b, parseDate), negated: false },
    dategreaterthan: { match: compareNumbers((a, b) => a > b, parseDate), negated: false },
    dategreaterthanequals: { match: compareNumbers((a, b) => a >= b, parseDate), negated: false },
    bool: { match: (c, v) => c.toLowerCase() === v.toLowerCase(), negated: false },
    binaryequals: { match: (c, v) => c === v, negated: false },
};

/** Evaluates one condition (one operator and one key) against the context. */
export function evaluateCondition(cond: Condition, context: Context): Tri {
    const present = context.get(cond.key);
    const op = cond.operator.toLowerCase();
    if (op === "null") {
        if (present === undefined) {
            return "maybe";
        }
        const absent = present === null || present.length === 0;
        // Any listed value that agrees makes it hold (a list of "true" and "false" always holds).
        return cond.values.some((v) => (v.toLowerCase() === "true") === absent) ? "yes" : "no";
    }
    const spec = OPERATORS[op];
    if (!spec) {
        return "maybe"; // IpAddress and operators on values we never know: cannot be decided
    }
    if (present === undefined) {
        return "maybe";
    }
    if (present === null || present.length === 0) {
        if (cond.ifExists) {
            return "yes";
        }
        if (cond.set === "ForAllValues") {
            return "yes"; // vacuously true over an empty set
        }
        if (cond.set === "ForAnyValue") {
            return "no";
        }
        return spec.negated ? "yes" : "no";
    }
    // Condition values may use policy variables.
    const values: string[] = [];
    for (const v of cond.values) {
        const s = substituteVariables(v, context);
        if (s === undefined) {
            return "maybe";
        }
        values.push(s.replace(/\u0000([*?$])/g, "$1"));
    }
    const satisfies = (c: string): Tri => {
        let any: Tri = "no";
        for (const v of values) {
            const m = spec.match(c, v);
            any = or(any, m === undefined ? "maybe" : m ? "yes" : "no");
        }
        if (!spec.negated) {
            return any;
        }
        return any === "yes" ? "no" : any === "no" ? "yes" : "maybe";
    };
    if (cond.set === "ForAllValues") {
        let all: Tri = "yes";
        for (const c of present) {
            all = and(all, satisfies(c));
        }
        return all;
    }
    let some: Tri = "no";
    for (const c of present) {
        some = or(some, satisfies(c));
    }
    return some;
}

/** All conditions of a statement (AND across operators and keys). */
export function evaluateConditions(conditions: readonly Condition[], context: Context): Tri {
    let result: Tri = "yes";
    for (const c of conditions) {
        result = and(result, evaluateCondition(c, context));
        if (result === "no") {
            return "no";
        }
    }
    return result;
}
