/**
 * Property paths as Pulumi's `ignoreChanges` writes them, and whether an ignored path hides a path
 * that a policy guards.
 *
 * Syntax (the engine's property-path grammar, which `ignoreChanges` entries are parsed with):
 *   path     := element { element }
 *   element  := name | "." name | "[" index "]" | "[" quoted "]" | "[*]"
 *   name     := any characters up to the next "." or "["  (so `*`, `a-b`, `a/b`, `a:b` are names)
 *   index    := decimal digits
 *   quoted   := '"' { '\"' | any character but '"' } '"'   (keys with dots: `tags["a.b"]`)
 * The key `*` (written `*`, `.*`, `[*]` or `["*"]`) is a wildcard: it stands for every key of an
 * object and every element of a list at its level, so `*` alone ignores every property.
 * A path may not start or end with "." (the engine rejects it); `a.[0]` is tolerated as `a[0]`.
 *
 * Two paths overlap when, on their common length, every pair of elements is equal (same kind:
 * a list index never equals an object key, as in the engine) or one of them is the wildcard. An
 * ignored path that overlaps a guarded one either hides the whole guarded value (it is a prefix of
 * it) or part of it (it is deeper), or some of the list elements it guards: in each case changes to
 * a value the guarantee depends on would not reach the cloud, so the policy's verdict would be about
 * a value the program no longer controls.
 */

export const WILDCARD = "*";

export type PropertyPathElement = string | number;

export type ParsedPropertyPath = { ok: true; elements: PropertyPathElement[] } | { ok: false; reason: string };

export function parsePropertyPath(path: string): ParsedPropertyPath {
    if (typeof path !== "string") {
        return { ok: false, reason: "it is not a string" };
    }
    if (path === "") {
        return { ok: false, reason: "it is empty" };
    }
    if (path.startsWith(".")) {
        return { ok: false, reason: "it starts with '.'" };
    }
    const elements: PropertyPathElement[] = [];
    let i = 0;
    while (i < path.length) {
        const c = path[i];
        if (c === ".") {
            i++;
            if (i >= path.length) {
                return { ok: false, reason: "it ends with '.'" };
            }
            continue;
        }
        if (c === "[") {
            if (path[i + 1] === '"') {
                let key = "";
                let j = i + 2;
                let closed = false;
                while (j < path.length) {
                    if (path[j] === '"') {
                        closed = true;
                        j++;
                        break;
                    }
                    if (path[j] === "\\" && path[j + 1] === '"') {
                        key += '"';
                        j += 2;
                        continue;
                    }
                    key += path[j];
                    j++;
                }
                if (!closed) {
                    return { ok: false, reason: "a quoted key has no closing quote" };
                }
                if (path[j] !== "]") {
                    return { ok: false, reason: "a quoted key is not followed by ']'" };
                }
                elements.push(key);
                i = j + 1;
                continue;
            }
            const close = path.indexOf("]", i);
            if (close < 0) {
                return { ok: false, reason: "a '[' has no closing ']'" };
            }
            const inner = path.slice(i + 1, close);
            if (inner === WILDCARD) {
                elements.push(WILDCARD);
            } else if (/^[+-]?\d+$/.test(inner)) {
                const index = Number(inner);
                if (index < 0) {
                    return { ok: false, reason: `the list index [${inner}] is negative` };
                }
                elements.push(index);
            } else {
                return { ok: false, reason: `[${inner}] is neither a list index, [*], nor a quoted key` };
            }
            i = close + 1;
            continue;
        }
        let j = i;
        while (j < path.length && path[j] !== "." && path[j] !== "[") {
            j++;
        }
        elements.push(path.slice(i, j));
        i = j;
    }
    return { ok: true, elements };
}

/**
 * Canonical form: `spec.template.spec.containers[*].securityContext`, `tags["sealed-infra:store"]`.
 * Re-parses to the same elements, except for a key ending in a backslash, which the engine's
 * quoting cannot express (it reads `\"` as an escaped quote).
 */
export function formatPropertyPath(elements: readonly PropertyPathElement[]): string {
    let out = "";
    for (const e of elements) {
        if (typeof e === "number") {
            out += `[${e}]`;
        } else if (e === WILDCARD) {
            out += out === "" ? "*" : "[*]";
        } else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(e)) {
            out += out === "" ? e : `.${e}`;
        } else {
            out += `["${e.replace(/"/g, '\\"')}"]`;
        }
    }
    return out;
}

function elementsMatch(a: PropertyPathElement, b: PropertyPathElement): boolean {
    return a === WILDCARD || b === WILDCARD || a === b;
}

/** True when the two paths overlap (see the module comment). */
export function pathsOverlap(a: readonly PropertyPathElement[], b: readonly PropertyPathElement[]): boolean {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
        if (!elementsMatch(a[i], b[i])) {
            return false;
        }
    }
    return true;
}

/** True when `outer` covers all of `inner` (outer is a prefix of inner, wildcards in outer matching anything). */
export function pathContains(outer: readonly PropertyPathElement[], inner: readonly PropertyPathElement[]): boolean {
    if (inner.length < outer.length) {
        return false;
    }
    return outer.every((e, i) => e === WILDCARD || e === inner[i]);
}

/** One guarded path of one policy, as the catalogue declares it. */
export interface GuardEntry {
    policy: string;
    path: string;
    elements: PropertyPathElement[];
}

export interface GuardSource {
    name: string;
    guards: ReadonlyArray<{ types: readonly string[]; paths: readonly string[] }>;
}

export interface GuardIndex {
    /** Guarded paths per resource type token. */
    byType: ReadonlyMap<string, readonly GuardEntry[]>;
    /** Declarations that do not parse (a bug in a policy; a test keeps this empty). */
    invalid: ReadonlyArray<{ policy: string; path: string; reason: string }>;
}

/** Indexes the guards that policies declare, by resource type. */
export function indexGuards(sources: readonly GuardSource[]): GuardIndex {
    const byType = new Map<string, GuardEntry[]>();
    const invalid: Array<{ policy: string; path: string; reason: string }> = [];
    for (const source of sources) {
        for (const guard of source.guards) {
            for (const path of guard.paths) {
                const parsed = parsePropertyPath(path);
                if (!parsed.ok) {
                    invalid.push({ policy: source.name, path, reason: parsed.reason });
                    continue;
                }
                for (const type of guard.types) {
                    const list = byType.get(type) ?? [];
                    if (!list.some((g) => g.policy === source.name && g.path === path)) {
                        list.push({ policy: source.name, path, elements: parsed.elements });
                    }
                    byType.set(type, list);
                }
            }
        }
    }
    return { byType, invalid };
}
