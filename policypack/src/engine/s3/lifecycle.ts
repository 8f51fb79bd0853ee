/** Lifecycle rules that apply to a designated store: split resources, legacy `lifecycleRules`, aws-native inline. */
import { read, readArray, Read } from "../../framework/values";
import { S3_BUCKET } from "../resource-types";
import type { StackModel, StackResource } from "../../sdk/stack-model";
import { storeIndex, Unresolved, unresolvedRead } from "./store";

// Lifecycle rules

export interface LifecycleRule {
    /** The resource that declares the rule (a lifecycle configuration, or the bucket inline). */
    on: StackResource;
    path: string;
    rule: unknown;
}

export interface LifecycleView {
    rules: LifecycleRule[];
    unresolved: Unresolved[];
    pending: StackResource[];
}

/** Every lifecycle rule that applies to the bucket: split resources, legacy `lifecycleRules`, aws-native inline. */
export function lifecycleOf(model: StackModel, bucket: StackResource): LifecycleView {
    const index = storeIndex(model);
    const view: LifecycleView = { rules: [], unresolved: [], pending: index.lifecycle.pending };
    const add = (on: StackResource, list: Read<unknown[]>) => {
        if (unresolvedRead(list)) {
            view.unresolved.push({ on, read: list });
            return;
        }
        if (list.state !== "known") {
            return;
        }
        list.value.forEach((_, i) => {
            const item = read(list.value, [i], list.path);
            if (unresolvedRead(item)) {
                view.unresolved.push({ on, read: item });
            } else if (item.state === "known") {
                view.rules.push({ on, path: item.path, rule: item.value });
            }
        });
    };
    const configs = index.lifecycle.byParent.get(bucket.urn) ?? [];
    for (const config of configs) {
        add(config, readArray(config.props, "rules"));
    }
    if (bucket.type === S3_BUCKET.native) {
        add(bucket, readArray(bucket.props, "lifecycleConfiguration.rules"));
    } else if (configs.length === 0) {
        // With a linked lifecycle configuration, the bucket's computed `lifecycleRules` mirror it.
        add(bucket, readArray(bucket.props, "lifecycleRules"));
    }
    return view;
}

/** Lifecycle rules of a split lifecycle configuration on its own (its bucket is outside the stack or pending). */
export function lifecycleRulesOfConfig(config: StackResource): LifecycleView {
    const view: LifecycleView = { rules: [], unresolved: [], pending: [] };
    const list = readArray(config.props, "rules");
    if (unresolvedRead(list)) {
        view.unresolved.push({ on: config, read: list });
    } else if (list.state === "known") {
        list.value.forEach((_, i) => {
            const item = read(list.value, [i], list.path);
            if (unresolvedRead(item)) {
                view.unresolved.push({ on: config, read: item });
            } else if (item.state === "known") {
                view.rules.push({ on: config, path: item.path, rule: item.value });
            }
        });
    }
    return view;
}
