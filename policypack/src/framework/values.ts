/**
 * Reading resource properties without ever throwing and without a false pass.
 *
 * @pulumi/policy hands policies a proxy that throws when an unknown value is read, which would
 * abort a whole stack policy at the first unknown. Policies here read the raw values instead and
 * get back a tagged `Read` that says whether the value is known, absent, unknown until the update,
 * or present but unreadable (a wrong type, invalid JSON, a secret we were not given). Each policy
 * decides what each state means; the Findings reporter turns "unknown" into an advisory note in
 * preview and "unreadable" into a mandatory violation (fail closed).
 */

/** The sentinels the engine sends for values not known until the update (all value kinds). */
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (the engine's generic unknown)
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/**
 * The value that `sealed-infra check` sends for a secret it could not decrypt (a stack export made
 * without `--show-secrets`). Keep in sync with cli/wire.ts (a test checks they are equal).
 */
export const UNREADABLE_SECRET = "[sealed-infra:unreadable-secret]";

export function isUnknown(value: unknown): boolean {
    return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}


export type Read<T> =
    | { readonly state: "known"; readonly value: T; readonly path: string }
    | { readonly state: "absent"; readonly path: string }
    | { readonly state: "unknown"; readonly path: string }
    | { readonly state: "unreadable"; readonly path: string; readonly reason: string };

export type PathSegment = string | number;

/** Display form of a property path: `spec.template.spec.containers[0].image`. */
export function formatPath(segments: readonly PathSegment[]): string {
    let out = "";
    for (const s of segments) {
        if (typeof s === "number") {
            out += `[${s}]`;
        } else {
            out += out === "" ? s : `.${s}`;
        }
    }
    return out;
}

/** Parsed string paths: policies read the same few paths on every resource of a large stack. */
const parsedPaths = new Map<string, readonly PathSegment[]>();

function parsePath(path: string | readonly PathSegment[]): readonly PathSegment[] {
    if (typeof path !== "string") {
        return path;
    }
    let parsed = parsedPaths.get(path);
    if (!parsed) {
        parsed = splitPath(path);
        if (parsedPaths.size > 10_000) {
            parsedPaths.clear();
        }
        parsedPaths.set(path, parsed);
    }
    return parsed;
}

function splitPath(path: string): readonly PathSegment[] {
    const out: PathSegment[] = [];
    for (const part of path.split(".")) {
        const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
        if (!m) {
            out.push(part);
            continue;
        }
        if (m[1] !== "") {
            out.push(m[1]);
        }
        for (const idx of m[2].matchAll(/\[(\d+)\]/g)) {
            out.push(Number(idx[1]));
        }
    }
    return out;
}

/**
 * Reads `path` below `root`. Absent means undefined or null anywhere on the path; unknown means an
 * unknown sentinel anywhere on the path; stepping into a non-object is unreadable.
 */
export function read(root: unknown, path: string | readonly PathSegment[], base = ""): Read<unknown> {
    const segments = parsePath(path);
    const shown = (upTo: number) => joinPath(base, formatPath(segments.slice(0, upTo)));
    let cur: unknown = root;
    for (let i = 0; i < segments.length; i++) {
        if (isUnknown(cur)) {
            return { state: "unknown", path: shown(i) };
        }
        if (cur === undefined || cur === null) {
            return { state: "absent", path: shown(segments.length) };
        }
        if (cur === UNREADABLE_SECRET) {
            return { state: "unreadable", path: shown(i), reason: unreadableSecretReason };
        }
        const seg = segments[i];
        if (typeof seg === "number") {
            if (!Array.isArray(cur)) {
                return { state: "unreadable", path: shown(i), reason: `expected a list, found ${describe(cur)}` };
            }
            cur = cur[seg];
        } else {
            if (typeof cur !== "object" || Array.isArray(cur)) {
                return { state: "unreadable", path: shown(i), reason: `expected an object, found ${describe(cur)}` };
            }
            cur = Object.prototype.hasOwnProperty.call(cur, seg) ? (cur as Record<string, unknown>)[seg] : undefined;
        }
    }
    const full = shown(segments.length);
    if (isUnknown(cur)) {
        return { state: "unknown", path: full };
    }
    if (cur === undefined || cur === null) {
        return { state: "absent", path: full };
    }
    if (cur === UNREADABLE_SECRET) {
        return { state: "unreadable", path: full, reason: unreadableSecretReason };
    }
    return { state: "known", value: cur, path: full };
}

const unreadableSecretReason =
    "it is a secret whose plaintext was not provided (export the stack with --show-secrets)";

function joinPath(base: string, rest: string): string {
    if (base === "") {
        return rest;
    }
    if (rest === "") {
        return base;
    }
    return rest.startsWith("[") ? base + rest : `${base}.${rest}`;
}

export function readString(root: unknown, path: string | readonly PathSegment[], base = ""): Read<string> {
    const r = read(root, path, base);
    if (r.state === "known" && typeof r.value !== "string") {
        return { state: "unreadable", path: r.path, reason: `expected a string, found ${describe(r.value)}` };
    }
    return r as Read<string>;
}

export function readBoolean(root: unknown, path: string | readonly PathSegment[], base = ""): Read<boolean> {
    const r = read(root, path, base);
    if (r.state === "known") {
        if (typeof r.value === "boolean") {
            return r as Read<boolean>;
        }
        // Providers accept "true"/"false" strings for booleans; so do we.
        if (r.value === "true" || r.value === "false") {
            return { state: "known", value: r.value === "true", path: r.path };
        }
        return { state: "unreadable", path: r.path, reason: `expected true or false, found ${describe(r.value)}` };
    }
    return r;
}

export function readNumber(root: unknown, path: string | readonly PathSegment[], base = ""): Read<number> {
    const r = read(root, path, base);
    if (r.state === "known") {
        if (typeof r.value === "number" && Number.isFinite(r.value)) {
            return r as Read<number>;
        }
        if (typeof r.value === "string" && /^-?\d+(\.\d+)?$/.test(r.value.trim())) {
            return { state: "known", value: Number(r.value), path: r.path };
        }
        return { state: "unreadable", path: r.path, reason: `expected a number, found ${describe(r.value)}` };
    }
    return r;
}

export function readArray(root: unknown, path: string | readonly PathSegment[], base = ""): Read<unknown[]> {
    const r = read(root, path, base);
    if (r.state === "known" && !Array.isArray(r.value)) {
        return { state: "unreadable", path: r.path, reason: `expected a list, found ${describe(r.value)}` };
    }
    return r as Read<unknown[]>;
}

export function readObject(root: unknown, path: string | readonly PathSegment[], base = ""): Read<Record<string, unknown>> {
    const r = read(root, path, base);
    if (r.state === "known" && (typeof r.value !== "object" || Array.isArray(r.value))) {
        return { state: "unreadable", path: r.path, reason: `expected an object, found ${describe(r.value)}` };
    }
    return r as Read<Record<string, unknown>>;
}

/**
 * Reads a property that holds a JSON document, either as a string (IAM policies, ECS container
 * definitions) or already as structured data. Invalid JSON is unreadable: policies fail closed.
 */
export function readJson(root: unknown, path: string | readonly PathSegment[], base = ""): Read<unknown> {
    const r = read(root, path, base);
    if (r.state !== "known" || typeof r.value !== "string") {
        return r;
    }
    try {
        return { state: "known", value: JSON.parse(r.value), path: r.path };
    } catch (e) {
        // A string that embeds an unknown (interpolation of a preview output) cannot be parsed yet.
        if (containsUnknown(r.value)) {
            return { state: "unknown", path: r.path };
        }
        return { state: "unreadable", path: r.path, reason: `is not valid JSON (${(e as Error).message})` };
    }
}

/** True when a string has an unknown sentinel embedded in it (string interpolation in preview). */
export function containsUnknown(value: string): boolean {
    for (const s of UNKNOWN_SENTINELS) {
        if (value.includes(s)) {
            return true;
        }
    }
    return false;
}

/** Short display of a found value for messages: strings quoted, long values cut. */
export function describe(value: unknown): string {
    if (value === undefined) {
        return "unset";
    }
    if (isUnknown(value)) {
        return "unknown until the update";
    }
    let text: string;
    try {
        text = JSON.stringify(value) ?? String(value);
    } catch {
        text = String(value);
    }
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
