/**
 * Waivers: documented, expiring, reviewable exceptions to a policy, set by organization admins in
 * the pack's config (the `waivers` policy's `entries`), out of the deployer's reach.
 *
 * A waiver names a policy and selects findings by resource (URN, type and name globs, a tag) and
 * optionally by text in the finding; it carries a reason, an approver, a ticket and an expiry date.
 * While valid, a selected finding is still reported, as advisory, with the waiver's reason,
 * approver and expiry, so it stays visible in every preview. After its expiry date the finding is
 * mandatory again and says when the waiver expired. The `waivers` policy reports invalid entries
 * (mandatory) and entries that matched nothing (advisory) so stale exceptions get cleaned up.
 * The pack config is meant to be set once for the whole organization, so an entry whose `urn` names
 * another project or stack is not stale here: only entries that could select a finding in this
 * stack are reported as unused or expired (couldApplyToStack).
 *
 * @pulumi/policy gives each policy only its own config. The `waivers` policy runs first for every
 * resource and every stack and hands its live config accessor to this registry, which every other
 * policy's Findings consults. If the `waivers` policy is disabled, no waiver applies: fail closed.
 */
import { globMatch } from "../shared/glob";
import { tagsOf } from "./tags";
import { StackIdentity, urnPrefix } from "./stack-identity";
import { displayType } from "./display";

/**
 * The waivers policy's identity: every waiver-hygiene finding (invalid, expired or unused entries)
 * is reported under it, also when a stack policy notices its own unused waiver.
 */
export const WAIVERS_POLICY = {
    name: "waivers",
    description: "Exceptions to sealed-infra policies are documented, approved, expiring and in use.",
    severity: "medium",
} as const;

export interface WaiverEntry {
    policy: string;
    urn?: string;
    type?: string;
    name?: string;
    tag?: { key: string; value?: string };
    findingContains?: string;
    reason: string;
    ticket?: string;
    approvedBy: string;
    /** `YYYY-MM-DD`; the waiver holds through the end of that day (UTC). */
    expires: string;
}

export interface WaiverConfig {
    entries: WaiverEntry[];
    maxDays: number;
}

export const DEFAULT_MAX_WAIVER_DAYS = 90;

/** What a finding's subject offers to selectors: stack resources and resource subjects both fit. */
export interface WaivableSubject {
    urn: string;
    type: string;
    name: string;
    props?: Readonly<Record<string, unknown>>;
}

export interface Waiver extends WaiverEntry {
    index: number;
    /** Milliseconds since the epoch at which it stops applying (end of the expiry day, UTC). */
    expiresAt: number;
    /** Why the entry cannot be used; an invalid waiver never applies. */
    invalid?: string;
}

export type WaiverVerdict = { kind: "waived"; waiver: Waiver } | { kind: "expired"; waiver: Waiver };

const DAY_MS = 24 * 60 * 60 * 1000;

let clock: () => number = Date.now;

/** Tests only: fixes "now". The pack never reads the time from its environment (a deployer sets it). */
export function setWaiverClock(now: (() => number) | undefined): void {
    clock = now ?? Date.now;
}

/** What a waiver selects, one phrase per selector: `urn "..."`, `type "..."`, `tag team=ops`, ... */
export function waiverSelectors(w: WaiverEntry): string[] {
    return [
        w.urn !== undefined ? `urn "${w.urn}"` : undefined,
        w.type !== undefined ? `type "${w.type}"` : undefined,
        w.name !== undefined ? `name "${w.name}"` : undefined,
        w.tag !== undefined ? `tag ${w.tag.key}${w.tag.value !== undefined ? `=${w.tag.value}` : ""}` : undefined,
        w.findingContains !== undefined ? `finding containing "${w.findingContains}"` : undefined,
    ].filter((s): s is string => s !== undefined);
}

export function describeWaiver(w: WaiverEntry & { index?: number }): string {
    const selector = waiverSelectors(w);
    const at = w.index !== undefined ? `waivers entry ${w.index}` : "waiver";
    return `${at} (policy "${w.policy}", ${selector.join(", ")})`;
}

function parseExpiry(text: string): number | undefined {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!m) {
        return undefined;
    }
    const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    const check = new Date(start);
    if (check.getUTCFullYear() !== Number(m[1]) || check.getUTCMonth() !== Number(m[2]) - 1 || check.getUTCDate() !== Number(m[3])) {
        return undefined; // 2026-02-30 and the like
    }
    return start + DAY_MS;
}

/** Parses and validates the config; invalid entries are kept (so they can be reported) but marked. */
export function parseWaivers(config: Partial<WaiverConfig> | undefined, policyNames: readonly string[], now = clock()): Waiver[] {
    const maxDays = typeof config?.maxDays === "number" ? config.maxDays : DEFAULT_MAX_WAIVER_DAYS;
    const entries = Array.isArray(config?.entries) ? config!.entries : [];
    return entries.map((entry, index) => {
        const w: Waiver = { ...(entry as WaiverEntry), index, expiresAt: parseExpiry(String(entry?.expires)) ?? NaN };
        const problems: string[] = [];
        if (typeof entry?.policy !== "string" || !policyNames.includes(entry.policy)) {
            const close = typeof entry?.policy === "string" ? closest(entry.policy, policyNames) : undefined;
            problems.push(`names policy ${JSON.stringify(entry?.policy)}, which is not in this pack${close ? ` (did you mean "${close}"?)` : ""}`);
        }
        if (entry?.policy === WAIVERS_POLICY.name) {
            problems.push("cannot waive the waivers policy itself");
        }
        if (entry?.urn === undefined && entry?.type === undefined && entry?.name === undefined && entry?.tag === undefined) {
            problems.push("selects no resource (give urn, type, name or tag)");
        }
        if (typeof entry?.reason !== "string" || entry.reason.trim().length === 0) {
            problems.push("has no reason");
        }
        if (typeof entry?.approvedBy !== "string" || entry.approvedBy.trim().length === 0) {
            problems.push("has no approvedBy");
        }
        if (Number.isNaN(w.expiresAt)) {
            problems.push(`has expires ${JSON.stringify(entry?.expires)}, which is not a date (YYYY-MM-DD)`);
        } else {
            const days = Math.ceil((w.expiresAt - now) / DAY_MS);
            if (days > maxDays) {
                problems.push(`expires ${entry.expires}, ${days} days from now, beyond the ${maxDays}-day maximum (maxDays); grant it for at most ${maxDays} days and renew it when it runs out`);
            }
        }
        if (problems.length > 0) {
            w.invalid = problems.join("; ");
        }
        return w;
    });
}

/** The candidate within edit distance 3 of `word`, for "did you mean" hints. */
function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = 4;
    for (const c of candidates) {
        const d = editDistance(word, c);
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return best;
}

function editDistance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const cur = [i];
        for (let j = 1; j <= b.length; j++) {
            cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        prev = cur;
    }
    return prev[b.length];
}

function tagMatches(subject: WaivableSubject, tag: { key: string; value?: string }): boolean {
    if (!subject.props) {
        return false;
    }
    const tags = tagsOf({ name: subject.name, type: subject.type, props: subject.props });
    return tags.state === "known" && tag.key in tags.value && (tag.value === undefined || tags.value[tag.key] === tag.value);
}

/** True when every selector the waiver gives matches the finding. */
export function selects(w: WaiverEntry, policy: string, subject: WaivableSubject, message: string): boolean {
    return (
        w.policy === policy &&
        (w.urn === undefined || globMatch(w.urn, subject.urn)) &&
        // The type as the engine names it (aws:s3/bucket:Bucket) or as the CLI displays it (aws:s3:Bucket).
        (w.type === undefined || globMatch(w.type, subject.type) || globMatch(w.type, displayType(subject.type))) &&
        (w.name === undefined || globMatch(w.name, subject.name)) &&
        (w.tag === undefined || tagMatches(subject, w.tag)) &&
        (w.findingContains === undefined || message.includes(w.findingContains))
    );
}

/**
 * Whether a glob with `*` wildcards matches some string that starts with `prefix`: up to its first
 * `*` it must agree with the prefix; from the `*` on, anything can follow.
 */
export function globCouldMatchPrefix(pattern: string, prefix: string): boolean {
    const star = pattern.indexOf("*");
    if (star < 0) {
        return pattern.startsWith(prefix);
    }
    const head = pattern.slice(0, star);
    return prefix.startsWith(head) || head.startsWith(prefix);
}

/**
 * Whether a waiver could select a finding of this stack. Only a `urn` selector names a project and
 * stack; type, name and tag selectors apply to every stack. When the stack cannot be told (no URN),
 * every entry could apply.
 */
export function couldApplyToStack(w: WaiverEntry, identity: StackIdentity | undefined): boolean {
    if (identity === undefined || typeof w.urn !== "string") {
        return true;
    }
    return globCouldMatchPrefix(w.urn, urnPrefix(identity));
}

class WaiverRegistry {
    private accessor: (() => unknown) | undefined;
    private policyNames: () => readonly string[] = () => [];
    private cacheKey = "";
    private cached: Waiver[] = [];
    private readonly used = new Set<string>();

    /** Called by the `waivers` policy with its live config accessor (runs first, every request). */
    bind(getConfig: () => unknown, policyNames: () => readonly string[]): void {
        this.accessor = getConfig;
        this.policyNames = policyNames;
    }

    /** Forget everything (tests). */
    reset(): void {
        this.accessor = undefined;
        this.cacheKey = "";
        this.cached = [];
        this.used.clear();
    }

    waivers(): Waiver[] {
        if (!this.accessor) {
            return [];
        }
        const config = this.accessor() as Partial<WaiverConfig> | undefined;
        const key = JSON.stringify(config ?? {});
        if (key !== this.cacheKey) {
            this.cacheKey = key;
            this.cached = parseWaivers(config, this.policyNames());
        }
        return this.cached;
    }

    /** The waiver that decides a finding, if any: a valid one waives it, an expired one says so. */
    verdict(policy: string, subject: WaivableSubject, message: string): WaiverVerdict | undefined {
        const now = clock();
        let expired: Waiver | undefined;
        for (const w of this.waivers()) {
            if (w.invalid || !selects(w, policy, subject, message)) {
                continue;
            }
            this.used.add(usageKey(w));
            if (now < w.expiresAt) {
                return { kind: "waived", waiver: w };
            }
            expired = expired && expired.expiresAt > w.expiresAt ? expired : w;
        }
        return expired ? { kind: "expired", waiver: expired } : undefined;
    }

    wasUsed(w: Waiver): boolean {
        return this.used.has(usageKey(w));
    }
}

function usageKey(w: Waiver): string {
    return JSON.stringify([w.index, w.policy, w.urn, w.type, w.name, w.tag, w.findingContains, w.expires]);
}

/** One registry per pack process (the CLI starts a pack per preview or update). */
export const waiverRegistry = new WaiverRegistry();

export function isExpired(w: Waiver, now = clock()): boolean {
    return !Number.isNaN(w.expiresAt) && now >= w.expiresAt;
}

/** The line appended to a waived finding; cli/report recognises it (keep the shape stable). */
export function waivedLine(w: Waiver): string {
    return `Waived until ${w.expires} by ${w.approvedBy}${w.ticket ? ` (${w.ticket})` : ""}: ${w.reason}`;
}

export function expiredLine(w: Waiver): string {
    return `The waiver for this finding expired on ${w.expires} (approved by ${w.approvedBy}${w.ticket ? `, ${w.ticket}` : ""}); fix the finding or have the waiver renewed.`;
}
