/**
 * The one glob matcher of the pack. Every pattern a user or a document writes (waiver selectors,
 * designation name patterns, break-glass principals, IAM actions and ARNs, registries, approver
 * identities) is matched here, with the options spelled out at the call site:
 *
 *  - `*` matches any run of characters (including none, `/`, `:` and newlines);
 *    with `star: "label"` it matches one or more characters other than `.` (a DNS label);
 *  - `?` matches exactly one character when `questionMark` is set (IAM), else it is literal;
 *  - `caseInsensitive` compares without case (identities, registries, IAM actions);
 *  - `segment` (IAM analysis only) treats SEG as a wildcard within one ARN segment (no `:`).
 *
 * Arguments are always `(pattern, value)`. Plain helpers, no imports: the bottom layer.
 *
 * COPY: components never import the pack, so this file is policypack/src/shared/glob.ts verbatim
 * below this paragraph; test/shared-copies.test.ts fails when the two differ.
 */

export interface GlobOptions {
    /** `?` matches one character (IAM); otherwise it is a literal `?`. */
    readonly questionMark?: boolean;
    /** Compare without case. */
    readonly caseInsensitive?: boolean;
    /** `any` (default): `*` is any run of characters; `label`: one or more characters other than `.`. */
    readonly star?: "any" | "label";
    /** The SEG symbol matches any run of characters other than `:` (patterns the IAM analysis builds). */
    readonly segment?: boolean;
}

/** Matches any run of characters other than `:` (only in patterns the IAM analysis builds). */
export const SEG = "\u0001";

/** Plain names and paths: `*` only, case-sensitive. */
export const PLAIN: GlobOptions = {};
/** IAM ARNs: `*` and `?`, case-sensitive. @public (the presets are shared by the pack and the components' copy) */
export const IAM_ARN: GlobOptions = { questionMark: true };
/** IAM actions: `*` and `?`, without case. @public (the presets are shared by the pack and the components' copy) */
export const IAM_ACTION: GlobOptions = { questionMark: true, caseInsensitive: true };

const cache = new Map<string, RegExp>();

function optionsKey(o: GlobOptions): string {
    return `${o.questionMark ? "?" : ""}${o.caseInsensitive ? "i" : ""}${o.star === "label" ? "l" : ""}${o.segment ? "s" : ""}`;
}

/** The anchored regular expression of a pattern under the given options (cached). */
export function globRegExp(pattern: string, options: GlobOptions = PLAIN): RegExp {
    const key = optionsKey(options) + "\u0000" + pattern;
    let re = cache.get(key);
    if (!re) {
        let src = "^";
        for (const ch of pattern) {
            if (ch === "*") {
                src += options.star === "label" ? "[^.]+" : "[\\s\\S]*";
            } else if (ch === "?" && options.questionMark) {
                src += "[\\s\\S]";
            } else if (ch === SEG && options.segment) {
                src += "[^:]*";
            } else {
                src += ch.replace(/[.+^${}()|[\]\\*?/-]/g, "\\$&");
            }
        }
        re = new RegExp(src + "$", options.caseInsensitive ? "i" : "");
        if (cache.size > 50_000) {
            cache.clear();
        }
        cache.set(key, re);
    }
    return re;
}

/** Whether the pattern contains a symbol that is a wildcard under the options. */
export function hasWildcard(pattern: string, options: GlobOptions = PLAIN): boolean {
    return pattern.includes("*") || (!!options.questionMark && pattern.includes("?")) || (!!options.segment && pattern.includes(SEG));
}

/** Whether `value` matches `pattern`. */
export function globMatch(pattern: string, value: string, options: GlobOptions = PLAIN): boolean {
    if (pattern === "*" && options.star !== "label") {
        return true;
    }
    if (!options.caseInsensitive && !hasWildcard(pattern, options)) {
        return pattern === value;
    }
    return globRegExp(pattern, options).test(value);
}
