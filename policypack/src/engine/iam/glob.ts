/**
 * IAM wildcard patterns (`*` any run of characters, `?` exactly one) and the three questions the
 * evaluator asks of them:
 *  - match:      does a concrete string match a pattern?
 *  - intersects: can some string match both patterns? (an Allow on pattern A may reach scope B)
 *  - covers:     does every string matching B also match A? (a Deny on A provably removes scope B)
 *
 * `covers` is sound but not complete: when it says true, inclusion holds; in the rare cases it
 * cannot prove inclusion it says false, so a Deny is never credited beyond what it provably denies.
 * Actions are compared case-insensitively (callers lower-case them); ARNs case-sensitively.
 *
 * Patterns the analysis builds for values it does not know yet (a role's account before the
 * update) use SEG, a wildcard that stays within one ARN segment (no `:`), so an unknown account
 * never lines up with the resource part of another ARN.
 */

import { globMatch, GlobOptions, hasWildcard as hasWildcardUnder, SEG } from "../../shared/glob";

export { SEG };

/** IAM patterns as the analysis holds them: `*`, `?` and SEG, case-sensitive (callers lower-case actions). */
const IAM_ANALYSIS: GlobOptions = { questionMark: true, segment: true };

/** A pattern as users read it (SEG shown as `*`). */
export function displayPattern(pattern: string): string {
    return pattern.split(SEG).join("*");
}

export function hasWildcard(pattern: string): boolean {
    return hasWildcardUnder(pattern, IAM_ANALYSIS);
}

const isStar = (c: string | undefined) => c === "*" || c === SEG;

/** Whether a star-like symbol `star` may absorb the other side's symbol `other`. */
function absorbs(star: string, other: string): boolean {
    if (star === "*") {
        return true;
    }
    return other !== ":"; // SEG: anything that can be a non-colon (a literal other than ':', '?', '*', SEG)
}

/** `value` (a concrete string) matches `pattern`. */
export function globMatches(pattern: string, value: string): boolean {
    return globMatch(pattern, value, IAM_ANALYSIS);
}

/** Some string matches both `a` and `b` (both may contain wildcards). */
export function globIntersects(a: string, b: string): boolean {
    if (a === "*" || b === "*" || a === b) {
        return true;
    }
    const wa = hasWildcard(a);
    const wb = hasWildcard(b);
    if (!wa && !wb) {
        return false;
    }
    if (!wb) {
        return globMatches(a, b);
    }
    if (!wa) {
        return globMatches(b, a);
    }
    // Reachability over (i, j): a star on either side may absorb a symbol of the other side or
    // end; two single-symbol items are compatible when either is `?` or they are equal.
    return reachesEnd(a.length, b.length, (i, j, push) => {
        const ca = i < a.length ? a[i] : undefined;
        const cb = j < b.length ? b[j] : undefined;
        if (isStar(ca)) {
            push(i + 1, j);
            if (cb !== undefined && absorbs(ca!, cb)) {
                push(i, j + 1);
            }
        }
        if (isStar(cb)) {
            push(i, j + 1);
            if (ca !== undefined && absorbs(cb!, ca)) {
                push(i + 1, j);
            }
        }
        if (ca !== undefined && cb !== undefined && !isStar(ca) && !isStar(cb)) {
            if (ca === "?" || cb === "?" || ca === cb) {
                push(i + 1, j + 1);
            }
        }
    });
}

/**
 * Depth-first search over position pairs (i, j) of two patterns of lengths n and m: true when
 * (n, m) is reachable from (0, 0) through the successors `step` pushes.
 */
function reachesEnd(n: number, m: number, step: (i: number, j: number, push: (i: number, j: number) => void) => void): boolean {
    const seen = new Uint8Array((n + 1) * (m + 1));
    const stack: number[] = [0, 0];
    const push = (i: number, j: number) => {
        stack.push(i, j);
    };
    while (stack.length > 0) {
        const j = stack.pop()!;
        const i = stack.pop()!;
        const key = i * (m + 1) + j;
        if (seen[key]) {
            continue;
        }
        seen[key] = 1;
        if (i === n && j === m) {
            return true;
        }
        step(i, j, push);
    }
    return false;
}

/**
 * Every string matching `inner` matches `outer` (proved by letting `outer`'s stars absorb any
 * symbols of `inner`, and `inner`'s stars only be absorbed by `outer`'s stars; `inner`'s `?` by
 * `outer`'s `?` or `*`). Sound; not complete.
 */
export function globCovers(outer: string, inner: string): boolean {
    if (outer === "*" || outer === inner) {
        return true;
    }
    if (!hasWildcard(inner)) {
        return globMatches(outer, inner);
    }
    if (!hasWildcard(outer)) {
        return false;
    }
    return reachesEnd(outer.length, inner.length, (i, j, push) => {
        const co = i < outer.length ? outer[i] : undefined;
        const ci = j < inner.length ? inner[j] : undefined;
        if (co === "*") {
            push(i + 1, j);
            if (ci !== undefined) {
                push(i, j + 1);
            }
            return;
        }
        if (co === SEG) {
            // covers what never holds a colon: a literal other than ':', or the inner SEG
            push(i + 1, j);
            if (ci !== undefined && ci !== ":" && ci !== "*" && ci !== "?") {
                push(i, j + 1);
            }
            return;
        }
        if (co === undefined || ci === undefined || isStar(ci)) {
            return;
        }
        if (co === "?" || co === ci) {
            push(i + 1, j + 1);
        }
    });
}
