/** Object Lock of a designated store: the default retentions it declares, wherever they are written. */
import { read, readBoolean, readString, Read } from "../../framework/values";
import { S3_BUCKET } from "../resource-types";
import type { StackModel, StackResource } from "../../sdk/stack-model";
import { storeIndex, Unresolved, sdkName, readBlocks, unresolvedRead } from "./store";

// Object Lock

export interface DefaultRetention {
    /** The resource that declares it (a lock configuration, or the bucket itself when inline). */
    on: StackResource;
    path: string;
    block: unknown;
}

export interface LockView {
    /** What enables Object Lock (for messages), or undefined when nothing does. */
    enabledBy?: string;
    /** Explicitly disabled inline (`objectLockEnabled: false`). */
    disabledInline: boolean;
    /** Linked lock configuration resources. */
    configs: StackResource[];
    /** Default retention rules found, from every source. */
    retentions: DefaultRetention[];
    unresolved: Unresolved[];
    /** A lock configuration exists whose bucket is not known until the update. */
    pending: StackResource[];
}

export function lockOf(model: StackModel, bucket: StackResource): LockView {
    const index = storeIndex(model);
    const view: LockView = { disabledInline: false, configs: index.lock.byParent.get(bucket.urn) ?? [], retentions: [], unresolved: [], pending: index.lock.pending };
    const note = (on: StackResource, r: Read<unknown>): boolean => {
        if (unresolvedRead(r)) {
            view.unresolved.push({ on, read: r });
            return true;
        }
        return false;
    };

    const enabled = readBoolean(bucket.props, "objectLockEnabled");
    if (!note(bucket, enabled) && enabled.state === "known") {
        if (enabled.value) {
            view.enabledBy = "objectLockEnabled: true";
        } else {
            view.disabledInline = true;
        }
    }
    const inline = readBlocks(bucket.props, ["objectLockConfiguration"]);
    if (!note(bucket, inline) && inline.state === "known") {
        for (const block of inline.value) {
            const status = readString(block.value, "objectLockEnabled", block.path);
            if (!note(bucket, status) && status.state === "known" && status.value === "Enabled") {
                view.enabledBy ??= `${status.path}: "Enabled"`;
            }
            // With a linked lock configuration, the bucket's (computed) inline block mirrors it.
            if (view.configs.length === 0 || bucket.type === S3_BUCKET.native) {
                collectRetentions(bucket, block.value, block.path, view, note);
            }
        }
    }
    for (const config of view.configs) {
        const status = readString(config.props, "objectLockEnabled");
        if (!note(config, status)) {
            // The split resource enables Object Lock itself ("Enabled" is its default and only value).
            if (status.state === "absent" || (status.state === "known" && status.value === "Enabled")) {
                view.enabledBy ??= `${sdkName(config.type)} "${config.name}"`;
            }
        }
        collectRetentions(config, config.props, "", view, note);
    }
    return view;
}

/** The default retentions a lock configuration resource declares on its own (its bucket may be outside the stack). */
export function retentionsOfConfig(config: StackResource): { retentions: DefaultRetention[]; unresolved: Unresolved[] } {
    const view: LockView = { disabledInline: false, configs: [config], retentions: [], unresolved: [], pending: [] };
    collectRetentions(config, config.props, "", view, (on, r) => {
        if (unresolvedRead(r)) {
            view.unresolved.push({ on, read: r });
            return true;
        }
        return false;
    });
    return { retentions: view.retentions, unresolved: view.unresolved };
}

function collectRetentions(
    on: StackResource,
    root: unknown,
    base: string,
    view: LockView,
    note: (on: StackResource, r: Read<unknown>) => boolean,
): void {
    const rules = readBlocks(root, ["rule", "rules"], base);
    if (note(on, rules) || rules.state !== "known") {
        return;
    }
    for (const rule of rules.value) {
        const retentions = readBlocks(rule.value, ["defaultRetention", "defaultRetentions"], rule.path);
        if (note(on, retentions) || retentions.state !== "known") {
            continue;
        }
        for (const r of retentions.value) {
            view.retentions.push({ on, path: r.path, block: r.value });
        }
    }
}

export const DAYS_PER_YEAR = 365;

/** A default retention's period in days (`years` counted as 365 days), with the reads behind it. */
export function retentionPeriod(r: DefaultRetention): { days: Read<number>; years: Read<number>; totalDays?: number } {
    const days = readNumberAt(r.block, "days", r.path);
    const years = readNumberAt(r.block, "years", r.path);
    let totalDays: number | undefined;
    if (days.state === "known" && days.value > 0) {
        totalDays = days.value;
    } else if (years.state === "known" && years.value > 0) {
        totalDays = years.value * DAYS_PER_YEAR;
    }
    return { days, years, totalDays };
}

function readNumberAt(root: unknown, key: string, base: string): Read<number> {
    const r = read(root, key, base);
    if (r.state !== "known") {
        return r;
    }
    if (typeof r.value === "number" && Number.isFinite(r.value)) {
        return r as Read<number>;
    }
    if (typeof r.value === "string" && /^\d+$/.test(r.value.trim())) {
        return { state: "known", value: Number(r.value), path: r.path };
    }
    return { state: "unreadable", path: r.path, reason: `expected a number, found ${JSON.stringify(r.value)}` };
}
