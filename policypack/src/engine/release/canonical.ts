/**
 * Canonical bytes of a release manifest: the exact bytes an approver signs and the pack verifies.
 *
 * The canonical form is the JSON Canonicalization Scheme (RFC 8785) restricted to the values a
 * manifest may hold (objects, arrays and strings; no numbers, booleans or null), encoded as UTF-8:
 *
 *  - no whitespace anywhere outside strings, no byte order mark, no trailing newline;
 *  - object members sorted by key, comparing keys as sequences of UTF-16 code units (every key of a
 *    manifest is ASCII, so this is plain byte order);
 *  - array elements in their given order (a manifest lists artifacts sorted by digest, see
 *    ./manifest.ts, so one set of artifacts has exactly one canonical manifest);
 *  - strings in double quotes, escaping exactly: `"` as `\"`, `\` as `\\`, U+0008 `\b`, U+0009 `\t`,
 *    U+000A `\n`, U+000C `\f`, U+000D `\r`, every other code point below U+0020 as `\u00xx` (lowercase
 *    hex); everything else, including `/`, non-ASCII characters, U+2028 and U+2029, is written as its
 *    UTF-8 bytes. Strings must be well-formed Unicode (no lone surrogates).
 *
 * This is what `JSON.stringify` produces for such values once object keys are sorted, and what RFC
 * 8785 libraries produce. A valid manifest has no control characters in any string (./manifest.ts),
 * so only `"` and `\` are ever escaped, and `jq -cjS . manifest.json` prints the same bytes too.
 */

export type CanonicalValue = string | CanonicalValue[] | { [key: string]: CanonicalValue };

/** Why a value has no canonical form, or undefined. `at` is a JSON-path-like location for messages. */
export function canonicalProblem(value: unknown, at = "$"): string | undefined {
    if (typeof value === "string") {
        return isWellFormed(value) ? undefined : `${at} contains a lone surrogate (not well-formed Unicode)`;
    }
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            const p = canonicalProblem(value[i], `${at}[${i}]`);
            if (p) {
                return p;
            }
        }
        return undefined;
    }
    if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            if (!isWellFormed(k)) {
                return `${at} has a key with a lone surrogate`;
            }
            const p = canonicalProblem(v, `${at}.${k}`);
            if (p) {
                return p;
            }
        }
        return undefined;
    }
    return `${at} is ${value === null ? "null" : typeof value}; a manifest holds only strings, lists and objects`;
}

/** The canonical JSON text of `value` (throws on values that have none: check canonicalProblem first). */
export function canonicalJson(value: unknown): string {
    const problem = canonicalProblem(value);
    if (problem) {
        throw new Error(`no canonical form: ${problem}`);
    }
    return encode(value as CanonicalValue);
}

function encode(value: CanonicalValue): string {
    if (typeof value === "string") {
        return JSON.stringify(value);
    }
    if (Array.isArray(value)) {
        return `[${value.map(encode).join(",")}]`;
    }
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(value[k])}`).join(",")}}`;
}

/** The canonical bytes (UTF-8 of canonicalJson). */
export function canonicalBytes(value: unknown): Buffer {
    return Buffer.from(canonicalJson(value), "utf8");
}

function isWellFormed(s: string): boolean {
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff) {
            const next = s.charCodeAt(i + 1);
            if (!(next >= 0xdc00 && next <= 0xdfff)) {
                return false;
            }
            i++;
        } else if (c >= 0xdc00 && c <= 0xdfff) {
            return false;
        }
    }
    return true;
}
