/**
 * The stack as the pack's stack policies see it in AnalyzeStack: each resource's outputs (in
 * preview: inputs plus unknowns) with secrets unwrapped, as @pulumi/policy's deserializer gives
 * them. Unknown values stay the engine's sentinel string (the pack's value reads recognise it);
 * assets and archives stay their wire objects (no duty or approval analysis reads them).
 */
import type { ResourceRecord, WireValue } from "../model";
import { SECRET_SIG, SIG_KEY } from "../wire";
import type { EvidenceLib } from "./pack-lib";

function unwrap(value: WireValue): unknown {
    if (Array.isArray(value)) {
        return value.map(unwrap);
    }
    if (value !== null && typeof value === "object") {
        if (value[SIG_KEY] === SECRET_SIG) {
            return unwrap(value.value ?? null);
        }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            out[k] = unwrap(v);
        }
        return out;
    }
    return value;
}

export function stackResources(records: readonly ResourceRecord[]): EvidenceLib.StackResource[] {
    const known = new Set(records.map((r) => r.urn));
    return records.map((r) => {
        const propertyDependencies: Record<string, string[]> = {};
        for (const [k, deps] of Object.entries(r.propertyDependencies)) {
            propertyDependencies[k] = deps.filter((u) => known.has(u));
        }
        const { parent, ...options } = r.options;
        return {
            urn: r.urn,
            type: r.type,
            name: r.name,
            props: unwrap(r.outputs as WireValue) as Record<string, unknown>,
            options: { ...options, ...(parent ? { parent } : {}) } as EvidenceLib.StackResource["options"],
            parent: r.parent ?? parent,
            dependencies: r.dependencies.filter((u) => known.has(u)),
            propertyDependencies,
        };
    });
}
