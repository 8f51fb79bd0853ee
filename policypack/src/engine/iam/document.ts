/**
 * IAM policy documents (identity policies, permissions boundaries, trust policies, key and bucket
 * policies) parsed into normalised statements. Parsing never throws: a document is either parsed,
 * unknown until the update (it embeds a preview output), or unreadable with a reason (policies
 * fail closed on it).
 */
import { containsUnknown, isUnknown } from "../../framework/values";

export type Effect = "Allow" | "Deny";

/** Where a statement came from, for messages ("inline policy "deploy" of role "ci""). */
export interface PolicySource {
    /** e.g. `inline policy "deploy"`, `managed policy arn:aws:iam::aws:policy/AdministratorAccess`. */
    label: string;
    /** The resource that holds or attaches the document (the thing to change), when in the stack. */
    urn?: string;
}

export interface Condition {
    /** Base operator, e.g. `StringEquals`, `ArnLike`, `Bool`, `Null`, `NumericLessThan`. */
    operator: string;
    /** Lower-cased condition key, e.g. `aws:principalarn`, `iam:passedtoservice`. */
    key: string;
    /** The key as written (for messages). */
    keyAsWritten: string;
    values: string[];
    ifExists: boolean;
    set?: "ForAnyValue" | "ForAllValues";
}

export interface PrincipalSpec {
    /** `"*"` or `{"AWS": "*"}`: anyone. */
    any: boolean;
    aws: string[];
    service: string[];
    federated: string[];
    canonicalUser: string[];
}

export interface Statement {
    sid?: string;
    effect: Effect;
    /** Lower-cased action patterns; exactly one of actions/notActions is set. */
    actions?: string[];
    notActions?: string[];
    /** ARN patterns as written (may contain policy variables); absent both means "*" (resource policies). */
    resources?: string[];
    notResources?: string[];
    principals?: PrincipalSpec;
    notPrincipals?: PrincipalSpec;
    conditions: Condition[];
    source: PolicySource;
    /** Index of the statement in its document (for messages). */
    index: number;
}

export interface PolicyDocument {
    statements: Statement[];
    source: PolicySource;
}

export type ParsedDocument =
    | { state: "known"; doc: PolicyDocument }
    | { state: "unknown" }
    | { state: "unreadable"; reason: string };

function toStringList(value: unknown, what: string): string[] | string {
    if (typeof value === "string") {
        return [value];
    }
    if (Array.isArray(value)) {
        const out: string[] = [];
        for (const v of value) {
            if (typeof v !== "string") {
                return `${what} must be a string or a list of strings`;
            }
            out.push(v);
        }
        return out;
    }
    return `${what} must be a string or a list of strings`;
}

function hasUnknownDeep(value: unknown): boolean {
    if (typeof value === "string") {
        return isUnknown(value) || containsUnknown(value);
    }
    if (Array.isArray(value)) {
        return value.some(hasUnknownDeep);
    }
    if (value && typeof value === "object") {
        return Object.values(value as Record<string, unknown>).some(hasUnknownDeep);
    }
    return false;
}

/**
 * Whether a statement's Principal is everyone: `"*"` or `{ "AWS": "*" }` (also in a list). The same
 * test as components/common.ts (test/shared-copies.test.ts proves the two agree).
 */
export function principalIsEveryone(principal: unknown): boolean {
    if (principal === "*") {
        return true;
    }
    if (principal !== null && typeof principal === "object" && !Array.isArray(principal)) {
        const aws = (principal as Record<string, unknown>).AWS;
        return Array.isArray(aws) ? aws.includes("*") : aws === "*";
    }
    return false;
}

function parsePrincipal(value: unknown, what: string): PrincipalSpec | string {
    const spec: PrincipalSpec = { any: false, aws: [], service: [], federated: [], canonicalUser: [] };
    if (value === "*") {
        spec.any = true;
        return spec;
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
        return `${what} must be "*" or an object of principal types`;
    }
    for (const [kind, raw] of Object.entries(value as Record<string, unknown>)) {
        const list = toStringList(raw, `${what}.${kind}`);
        if (typeof list === "string") {
            return list;
        }
        switch (kind) {
            case "AWS":
                for (const p of list) {
                    if (p === "*") {
                        spec.any = true;
                    } else {
                        spec.aws.push(p);
                    }
                }
                break;
            case "Service":
                spec.service.push(...list.map((s) => s.toLowerCase()));
                break;
            case "Federated":
                spec.federated.push(...list);
                break;
            case "CanonicalUser":
                spec.canonicalUser.push(...list);
                break;
            default:
                return `${what} has an unknown principal type "${kind}"`;
        }
    }
    return spec;
}

const SET_PREFIXES = ["ForAnyValue:", "ForAllValues:"] as const;

function parseConditions(value: unknown, where: string): Condition[] | string {
    if (value === undefined || value === null) {
        return [];
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        return `${where}.Condition must be an object`;
    }
    const out: Condition[] = [];
    for (const [opRaw, block] of Object.entries(value as Record<string, unknown>)) {
        let op = opRaw;
        let set: Condition["set"];
        for (const prefix of SET_PREFIXES) {
            if (op.toLowerCase().startsWith(prefix.toLowerCase())) {
                set = prefix.slice(0, -1) as Condition["set"];
                op = op.slice(prefix.length);
            }
        }
        let ifExists = false;
        if (op.endsWith("IfExists")) {
            ifExists = true;
            op = op.slice(0, -"IfExists".length);
        }
        if (!block || typeof block !== "object" || Array.isArray(block)) {
            return `${where}.Condition.${opRaw} must be an object of condition keys`;
        }
        for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
            const list = Array.isArray(raw) ? raw : [raw];
            const values: string[] = [];
            for (const v of list) {
                if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
                    values.push(String(v));
                } else {
                    return `${where}.Condition.${opRaw}.${key} must be strings, numbers or booleans`;
                }
            }
            out.push({ operator: op, key: key.toLowerCase(), keyAsWritten: key, values, ifExists, set });
        }
    }
    return out;
}

/**
 * Parses a policy document given as a JSON string or as an object. `source` labels the statements.
 * `requireResource`: identity policies must have Resource or NotResource; resource policies
 * (trust, key, bucket) imply the resource they are attached to.
 */
export function parsePolicyDocument(raw: unknown, source: PolicySource, requireResource = true): ParsedDocument {
    let value = raw;
    if (typeof raw === "string") {
        if (isUnknown(raw)) {
            return { state: "unknown" };
        }
        try {
            value = JSON.parse(raw);
        } catch (e) {
            if (containsUnknown(raw)) {
                return { state: "unknown" };
            }
            return { state: "unreadable", reason: `is not valid JSON (${(e as Error).message})` };
        }
    }
    if (hasUnknownDeep(value)) {
        return { state: "unknown" };
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
        return { state: "unreadable", reason: "is not a policy document (expected an object with Statement)" };
    }
    const rawStatements = (value as Record<string, unknown>).Statement;
    if (rawStatements === undefined) {
        return { state: "unreadable", reason: "has no Statement" };
    }
    const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
    const statements: Statement[] = [];
    for (let i = 0; i < list.length; i++) {
        const parsed = parseStatement(list[i], i, source, requireResource);
        if (typeof parsed === "string") {
            return { state: "unreadable", reason: parsed };
        }
        statements.push(parsed);
    }
    return { state: "known", doc: { statements, source } };
}

function parseStatement(raw: unknown, index: number, source: PolicySource, requireResource: boolean): Statement | string {
    const where = `Statement[${index}]`;
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
        return `${where} is not an object`;
    }
    const s = raw as Record<string, unknown>;
    const effect = s.Effect;
    if (effect !== "Allow" && effect !== "Deny") {
        return `${where}.Effect must be "Allow" or "Deny" (found ${JSON.stringify(effect)})`;
    }
    const out: Statement = { effect, conditions: [], source, index };
    if (typeof s.Sid === "string") {
        out.sid = s.Sid;
    }
    if ((s.Action === undefined) === (s.NotAction === undefined)) {
        return `${where} must have exactly one of Action and NotAction`;
    }
    if (s.Action !== undefined) {
        const a = toStringList(s.Action, `${where}.Action`);
        if (typeof a === "string") {
            return a;
        }
        out.actions = a.map((x) => x.toLowerCase());
    } else {
        const a = toStringList(s.NotAction, `${where}.NotAction`);
        if (typeof a === "string") {
            return a;
        }
        out.notActions = a.map((x) => x.toLowerCase());
    }
    if (s.Resource !== undefined && s.NotResource !== undefined) {
        return `${where} has both Resource and NotResource`;
    }
    if (s.Resource !== undefined) {
        const r = toStringList(s.Resource, `${where}.Resource`);
        if (typeof r === "string") {
            return r;
        }
        out.resources = r;
    } else if (s.NotResource !== undefined) {
        const r = toStringList(s.NotResource, `${where}.NotResource`);
        if (typeof r === "string") {
            return r;
        }
        out.notResources = r;
    } else if (requireResource) {
        return `${where} has neither Resource nor NotResource`;
    }
    if (s.Principal !== undefined && s.NotPrincipal !== undefined) {
        return `${where} has both Principal and NotPrincipal`;
    }
    if (s.Principal !== undefined) {
        const p = parsePrincipal(s.Principal, `${where}.Principal`);
        if (typeof p === "string") {
            return p;
        }
        out.principals = p;
    }
    if (s.NotPrincipal !== undefined) {
        const p = parsePrincipal(s.NotPrincipal, `${where}.NotPrincipal`);
        if (typeof p === "string") {
            return p;
        }
        out.notPrincipals = p;
    }
    const conditions = parseConditions(s.Condition, where);
    if (typeof conditions === "string") {
        return conditions;
    }
    out.conditions = conditions;
    return out;
}

/** A document from statements built in code (defaults, the "any permission" of an empowered principal). */
export function documentOf(statements: Omit<Statement, "source" | "index">[], source: PolicySource): PolicyDocument {
    return { statements: statements.map((s, index) => ({ ...s, source, index })), source };
}
