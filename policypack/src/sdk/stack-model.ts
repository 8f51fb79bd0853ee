/**
 * The stack as every stack policy sees it, built once per AnalyzeStack and shared.
 *
 * @pulumi/policy calls each stack policy with its own copy of the resource list. Building indexes,
 * joins and the IAM/RBAC graphs per policy would multiply the cost of a large stack by the number
 * of policies, so the model is built once per request: from the request itself
 * (sdk/stack-channel.ts), or, where that is not installed (unit tests), memoised on the identity
 * of the deserialized property objects (which sdk/sdk-memo.ts shares across policies). Anything
 * expensive that policies derive from it is memoised on the model with `derive`.
 */
import type { PolicyResource } from "@pulumi/policy";
import { rawProps } from "./raw-props";
import { analyzeStackResources } from "./stack-channel";
import type { StackResource } from "./stack-resource";

export type { StackResource };


export class StackModel {
    readonly byUrn = new Map<string, StackResource>();
    private readonly byType = new Map<string, StackResource[]>();
    private readonly derived = new Map<string, unknown>();

    constructor(readonly resources: readonly StackResource[]) {
        for (const r of resources) {
            this.byUrn.set(r.urn, r);
            let list = this.byType.get(r.type);
            if (!list) {
                list = [];
                this.byType.set(r.type, list);
            }
            list.push(r);
        }
    }

    /** Resources of any of the given types, in stack order per type. */
    ofTypes(types: Iterable<string>): StackResource[] {
        const out: StackResource[] = [];
        for (const t of types) {
            const list = this.byType.get(t);
            if (list) {
                out.push(...list);
            }
        }
        return out;
    }

    hasAny(types: Iterable<string>): boolean {
        for (const t of types) {
            if (this.byType.has(t)) {
                return true;
            }
        }
        return false;
    }

    /** Memoises an analysis of this model (an index, a join, a permission graph) under `key`. */
    derive<T>(key: string, build: (model: StackModel) => T): T {
        if (this.derived.has(key)) {
            return this.derived.get(key) as T;
        }
        const value = build(this);
        this.derived.set(key, value);
        return value;
    }

    /** Builds the model from plain records (tests, benchmarks). */
    static fromRecords(resources: readonly StackResource[]): StackModel {
        return new StackModel(resources);
    }

    /**
     * The model for one AnalyzeStack request, shared by all stack policies of that request: from the
     * request itself when sdk/stack-channel.ts holds it, else from the SDK's resource copies.
     */
    static of(resources: readonly PolicyResource[]): StackModel {
        const inRequest = analyzeStackResources();
        if (inRequest) {
            let model = requestCache.get(inRequest);
            if (!model) {
                model = new StackModel(inRequest);
                requestCache.set(inRequest, model);
            }
            return model;
        }
        const first = resources.length > 0 ? rawProps(resources[0].props) : undefined;
        const last = resources.length > 0 ? rawProps(resources[resources.length - 1].props) : undefined;
        if (first && last) {
            const cached = cache.get(first);
            if (cached && cached.count === resources.length && cached.last === last) {
                return cached.model;
            }
        }
        const model = new StackModel(resources.map(toStackResource));
        if (first && last) {
            cache.set(first, { count: resources.length, last, model });
        }
        return model;
    }
}

const cache = new WeakMap<object, { count: number; last: object; model: StackModel }>();
const requestCache = new WeakMap<readonly StackResource[], StackModel>();

function toStackResource(r: PolicyResource): StackResource {
    const propertyDependencies: Record<string, string[]> = {};
    for (const [key, deps] of Object.entries(r.propertyDependencies ?? {})) {
        propertyDependencies[key] = deps.map((d) => d.urn);
    }
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        props: rawProps(r.props),
        options: r.opts,
        parent: r.parent?.urn ?? r.opts?.parent,
        dependencies: (r.dependencies ?? []).map((d) => d.urn),
        propertyDependencies,
    };
}
