/**
 * Makes @pulumi/policy deserialize each resource's properties once per request, not once per
 * policy.
 *
 * The SDK decodes a resource's protobuf Struct into JavaScript for every policy it runs: once per
 * resource policy in Analyze, and the whole stack once per stack policy in AnalyzeStack (about
 * 1.6 s per policy at 20k resources). Policies here only read property values, never write them,
 * so the decoded object can be shared: this wraps the SDK's `deserializeProperties` with a cache
 * keyed by the Struct instance, which google-protobuf keeps stable for the life of a request.
 * If a future SDK changes this internal shape, the wrapper is simply not installed: the pack stays
 * correct and only loses the saving (a test reports whether it is active).
 */
interface DeserializeModule {
    deserializeProperties: (struct: unknown, proxySecrets: boolean) => unknown;
    __sealedInfraMemo?: boolean;
}

function install(): boolean {
    let mod: DeserializeModule;
    try {
        mod = require("@pulumi/policy/deserialize");
    } catch {
        return false;
    }
    if (!mod || typeof mod.deserializeProperties !== "function") {
        return false;
    }
    if (mod.__sealedInfraMemo) {
        return true;
    }
    const original = mod.deserializeProperties;
    const cache = new WeakMap<object, unknown>();
    mod.deserializeProperties = function memoisedDeserializeProperties(struct: unknown, proxySecrets: boolean) {
        // Remediation wraps secrets in proxies that policies may write through: never share those.
        if (proxySecrets || struct === null || typeof struct !== "object") {
            return original(struct, proxySecrets);
        }
        let value = cache.get(struct);
        if (value === undefined) {
            value = original(struct, false);
            cache.set(struct, value);
        }
        return value;
    };
    mod.__sealedInfraMemo = true;
    return true;
}

export const deserializationShared: boolean = install();
