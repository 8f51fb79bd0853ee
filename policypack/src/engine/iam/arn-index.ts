/**
 * Finds the targets (roles, users, functions...) whose ARN an IAM resource pattern may reach,
 * without comparing every actor with every target: exact ARNs by hash lookup, `prefix*` patterns
 * by binary search over the sorted ARNs. Targets whose own ARN is still a pattern (unknown until
 * the update) are always candidates. Callers confirm each candidate with the evaluator.
 */
import { globIntersects, hasWildcard, SEG } from "./glob";

export class ArnIndex<T> {
    private readonly exact = new Map<string, T[]>();
    private readonly sorted: { arn: string; item: T }[] = [];
    private readonly wild: { arn: string; item: T }[] = [];
    readonly all: T[] = [];

    constructor(entries: Iterable<[string, T]>) {
        for (const [arn, item] of entries) {
            this.all.push(item);
            if (hasWildcard(arn)) {
                this.wild.push({ arn, item });
                continue;
            }
            const list = this.exact.get(arn) ?? [];
            list.push(item);
            this.exact.set(arn, list);
            this.sorted.push({ arn, item });
        }
        this.sorted.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
    }

    /** Targets any of the patterns may reach; `"all"` when a pattern cannot be indexed (NotResource). */
    query(patterns: readonly string[] | "all"): T[] {
        if (patterns === "all") {
            return this.all;
        }
        const out = new Set<T>();
        for (const p of patterns) {
            if (p === "*") {
                return this.all;
            }
            if (!hasWildcard(p)) {
                this.exact.get(p)?.forEach((t) => out.add(t));
            } else {
                const first = Math.min(...["*", "?", SEG].map((c) => (p.indexOf(c) < 0 ? p.length : p.indexOf(c))));
                const prefix = p.slice(0, first);
                for (let i = this.lowerBound(prefix); i < this.sorted.length && this.sorted[i].arn.startsWith(prefix); i++) {
                    if (globIntersects(p, this.sorted[i].arn)) {
                        out.add(this.sorted[i].item);
                    }
                }
            }
            for (const w of this.wild) {
                if (globIntersects(p, w.arn)) {
                    out.add(w.item);
                }
            }
        }
        return [...out];
    }

    private lowerBound(prefix: string): number {
        let lo = 0;
        let hi = this.sorted.length;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (this.sorted[mid].arn < prefix) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
