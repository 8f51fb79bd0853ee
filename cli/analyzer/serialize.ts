/**
 * ResourceRecord -> analyzer request messages, as the engine builds them.
 *
 * pkg/resource/plugin/analyzer_plugin.go marshals Analyze, AnalyzeStack and provider properties
 * with MarshalOptions{KeepUnknowns, KeepSecrets, SkipInternalKeys} and Remediate properties with
 * SkipInternalKeys false. With sdk/go/common/resource/plugin/rpc.go that means:
 *  - top-level keys starting with "__" (e.g. `__defaults`, `__meta`) are dropped, except for Remediate;
 *  - nulls are kept (SkipNulls is false);
 *  - unknowns stay as their typed sentinel strings;
 *  - secrets stay `{sig: secret, value}`;
 *  - resource references are downgraded (KeepResources false): to the referenced id when the
 *    reference has one (an unknown or empty id becomes the unknown string sentinel), else to the URN;
 *  - output values are flattened (KeepOutputValues false): a known one to its value, an unknown
 *    one to the unknown sentinel, wrapped as a secret when the output was secret.
 * Request fields (step_generator.go analyzeAll / AnalyzeResources, analyze_snapshot.go): the name
 * is the URN's name part; the provider is the provider resource found through the resource's
 * `<urn>::<id>` provider reference, sent with its *inputs*; options carry protect, ignoreChanges,
 * deleteBeforeReplace(+Defined), additionalSecretOutputs, alias URNs, customTimeouts (read = 0)
 * and parent; AnalyzerResource adds parent, dependencies and propertyDependencies (properties
 * without dependencies are skipped).
 */
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type { JavaScriptValue, Struct } from "google-protobuf/google/protobuf/struct_pb";
import { CheckError, ResourceRecord, WireProperties, WireValue } from "../model";
import {
    ARCHIVE_SIG,
    ASSET_SIG,
    OUTPUT_VALUE_SIG,
    RESOURCE_REFERENCE_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
} from "../wire";
import { pb, structPb } from "./proto";
import { urnName } from "../urn";

/** The typed unknown sentinels of rpc.go (all are "unknown" to the receiver). */
export const UNKNOWN_SENTINELS: readonly string[] = [
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // bool
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    UNKNOWN, // string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
];
const UNKNOWN_SET = new Set(UNKNOWN_SENTINELS);

export interface MarshalOptions {
    /** Drop top-level keys starting with "__" (true for Analyze/AnalyzeStack/provider, false for Remediate). */
    skipInternalKeys: boolean;
}

/** Where a value sits, for error messages. */
interface Ctx {
    urn: string;
    path: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Marshals a property map the way MarshalProperties does (see the module comment). */
export function marshalProperties(props: WireProperties | undefined, opts: MarshalOptions, urn = ""): Record<string, WireValue> {
    const out: Record<string, WireValue> = {};
    if (!props) {
        return out;
    }
    for (const key of Object.keys(props)) {
        if (opts.skipInternalKeys && key.startsWith("__")) {
            continue;
        }
        const v = marshalValue(props[key], { urn, path: key });
        if (v !== undefined) {
            out[key] = v;
        }
    }
    return out;
}

function marshalValue(v: unknown, ctx: Ctx): WireValue | undefined {
    if (v === undefined) {
        return undefined; // not representable on the wire; a missing key
    }
    if (v === null || typeof v === "boolean" || typeof v === "string") {
        return v;
    }
    if (typeof v === "number") {
        if (!Number.isFinite(v)) {
            throw new CheckError(`cannot send ${describeAt(ctx)}: ${v} is not a finite number`);
        }
        return v;
    }
    if (Array.isArray(v)) {
        // rpc.go drops elements that marshal to nothing; undefined becomes null like JSON.
        return v.map((e, i) => {
            const m = marshalValue(e, { urn: ctx.urn, path: `${ctx.path}[${i}]` });
            return m === undefined ? null : m;
        });
    }
    if (!isObject(v)) {
        throw new CheckError(`cannot send ${describeAt(ctx)}: unsupported ${typeof v} value`);
    }
    const sig = v[SIG_KEY];
    if (sig === undefined) {
        const out: Record<string, WireValue> = {};
        for (const k of Object.keys(v)) {
            const m = marshalValue(v[k], { urn: ctx.urn, path: `${ctx.path}.${k}` });
            if (m !== undefined) {
                out[k] = m;
            }
        }
        return out;
    }
    switch (sig) {
        case SECRET_SIG: {
            const inner = marshalValue(v.value, ctx);
            return { [SIG_KEY]: SECRET_SIG, value: inner === undefined ? null : inner };
        }
        case ASSET_SIG:
        case ARCHIVE_SIG: {
            const out: Record<string, WireValue> = {};
            for (const k of Object.keys(v)) {
                const m = k === SIG_KEY ? (sig as string) : marshalValue(v[k], { urn: ctx.urn, path: `${ctx.path}.${k}` });
                if (m !== undefined) {
                    out[k] = m;
                }
            }
            return out;
        }
        case RESOURCE_REFERENCE_SIG: {
            if (typeof v.urn !== "string") {
                throw new CheckError(`cannot send ${describeAt(ctx)}: malformed resource reference (no urn)`);
            }
            if ("id" in v) {
                const id = flattenOutput(v.id, ctx);
                if (id === undefined || id === null || id === "" || (typeof id === "string" && UNKNOWN_SET.has(id))) {
                    return UNKNOWN;
                }
                if (typeof id !== "string") {
                    throw new CheckError(`cannot send ${describeAt(ctx)}: malformed resource reference (id is not a string)`);
                }
                return id;
            }
            return v.urn;
        }
        case OUTPUT_VALUE_SIG: {
            const value = "value" in v ? marshalValue(v.value, ctx) : UNKNOWN;
            const result = value === undefined ? UNKNOWN : value;
            return v.secret === true ? { [SIG_KEY]: SECRET_SIG, value: result } : result;
        }
        default:
            throw new CheckError(`cannot send ${describeAt(ctx)}: unrecognized special value signature ${JSON.stringify(sig)}`);
    }
}

/** An id inside a resource reference may itself be an output value (rpc.go accepts that). */
function flattenOutput(v: unknown, ctx: Ctx): unknown {
    if (isObject(v) && v[SIG_KEY] === OUTPUT_VALUE_SIG) {
        return "value" in v ? marshalValue(v.value, ctx) : undefined;
    }
    return v;
}

function describeAt(ctx: Ctx): string {
    return ctx.urn ? `property ${ctx.path} of ${ctx.urn}` : `property ${ctx.path}`;
}

export function toStruct(props: Record<string, WireValue>): Struct {
    return structPb.Struct.fromJavaScript(props as Record<string, JavaScriptValue>);
}

// ------------------------------------------------------------------------------------------------

/** `<urn>::<id>` -> urn (providers.ParseReference splits at the last "::"). */
export function providerUrnOf(reference: string): string | undefined {
    const sep = reference.lastIndexOf("::");
    if (sep < 0) {
        return undefined;
    }
    const urn = reference.slice(0, sep);
    return urn.startsWith("urn:pulumi:") ? urn : undefined;
}

export class ResourceIndex {
    private readonly byUrn = new Map<string, ResourceRecord>();

    constructor(resources: readonly ResourceRecord[]) {
        for (const r of resources) {
            this.byUrn.set(r.urn, r);
        }
    }

    get(urn: string): ResourceRecord | undefined {
        return this.byUrn.get(urn);
    }

    /**
     * The provider resource of `r`. Like `pulumi policy analyze` (analyze_snapshot.go) a
     * reference to a provider that is not in the snapshot sends no provider.
     */
    providerOf(r: ResourceRecord): ResourceRecord | undefined {
        if (!r.provider) {
            return undefined;
        }
        const urn = providerUrnOf(r.provider);
        if (urn === undefined) {
            throw new CheckError(`resource ${r.urn} has a malformed provider reference ${JSON.stringify(r.provider)} (expected <provider urn>::<provider id>)`);
        }
        return this.byUrn.get(urn);
    }
}

export function marshalOptions(r: ResourceRecord): analyzerPbTypes.AnalyzerResourceOptions {
    const o = r.options;
    const opts = new pb.AnalyzerResourceOptions();
    opts.setProtect(!!o.protect);
    opts.setIgnorechangesList([...(o.ignoreChanges ?? [])]);
    opts.setDeletebeforereplace(o.deleteBeforeReplace === true);
    opts.setDeletebeforereplacedefined(o.deleteBeforeReplace !== undefined);
    opts.setAdditionalsecretoutputsList([...(o.additionalSecretOutputs ?? [])]);
    opts.setAliasesList([...(o.aliases ?? [])]);
    const t = new pb.AnalyzerResourceOptions.CustomTimeouts();
    t.setCreate(o.customTimeouts?.createSeconds ?? 0);
    t.setUpdate(o.customTimeouts?.updateSeconds ?? 0);
    t.setDelete(o.customTimeouts?.deleteSeconds ?? 0);
    t.setRead(0);
    opts.setCustomtimeouts(t);
    opts.setParent(o.parent ?? "");
    return opts;
}

export function marshalProvider(provider: ResourceRecord | undefined): analyzerPbTypes.AnalyzerProviderResource | undefined {
    if (!provider) {
        return undefined;
    }
    const p = new pb.AnalyzerProviderResource();
    p.setUrn(provider.urn);
    p.setType(provider.type);
    p.setName(urnName(provider.urn) || provider.name);
    p.setProperties(toStruct(marshalProperties(provider.inputs, { skipInternalKeys: true }, provider.urn)));
    return p;
}

/**
 * The AnalyzeRequest for Analyze (`skipInternalKeys` true) or Remediate (false), with `inputs`
 * (possibly already remediated) as properties.
 */
export function buildAnalyzeRequest(
    r: ResourceRecord,
    inputs: WireProperties,
    index: ResourceIndex,
    forRemediate: boolean,
): analyzerPbTypes.AnalyzeRequest {
    const req = new pb.AnalyzeRequest();
    req.setUrn(r.urn);
    req.setType(r.type);
    req.setName(urnName(r.urn) || r.name);
    req.setProperties(toStruct(marshalProperties(inputs, { skipInternalKeys: !forRemediate }, r.urn)));
    req.setOptions(marshalOptions(r));
    const provider = marshalProvider(index.providerOf(r));
    if (provider) {
        req.setProvider(provider);
    }
    return req;
}

/** The AnalyzerResource for AnalyzeStack, with `outputs` as properties. */
export function buildAnalyzerResource(r: ResourceRecord, outputs: WireProperties, index: ResourceIndex): analyzerPbTypes.AnalyzerResource {
    const res = new pb.AnalyzerResource();
    res.setUrn(r.urn);
    res.setType(r.type);
    res.setName(urnName(r.urn) || r.name);
    res.setProperties(toStruct(marshalProperties(outputs, { skipInternalKeys: true }, r.urn)));
    res.setOptions(marshalOptions(r));
    const provider = marshalProvider(index.providerOf(r));
    if (provider) {
        res.setProvider(provider);
    }
    res.setParent(r.parent ?? "");
    res.setDependenciesList([...(r.dependencies ?? [])]);
    const deps = res.getPropertydependenciesMap();
    for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
        if (!urns || urns.length === 0) {
            continue;
        }
        const d = new pb.AnalyzerPropertyDependencies();
        d.setUrnsList([...urns]);
        deps.set(key, d);
    }
    return res;
}

/** Struct -> plain wire JSON (remediated properties come back this way). */
export function fromStruct(s: { toJavaScript(): Record<string, unknown> } | undefined): WireProperties {
    return (s ? s.toJavaScript() : {}) as WireProperties;
}

/**
 * The AnalyzeStackRequest of a whole stack, encoded one resource at a time: each AnalyzerResource
 * message is built, encoded to bytes and dropped, so the request never exists as a tree of
 * message objects (at 50k resources that tree is ten times the size of its bytes, and encoding it
 * at once doubles that again). On the wire it is the same request: field 1 (`resources`), one
 * length-delimited entry per resource, in order. The generated gRPC serializer calls
 * serializeBinary() once; the bytes are joined then and the pieces released.
 */
export function encodeAnalyzeStackRequest(resources: readonly ResourceRecord[], outputsOf: (r: ResourceRecord, i: number) => WireProperties, index: ResourceIndex): analyzerPbTypes.AnalyzeStackRequest {
    const req = new EncodedAnalyzeStackRequest();
    resources.forEach((r, i) => req.addEncoded(buildAnalyzerResource(r, outputsOf(r, i), index).serializeBinary()));
    return req;
}

class EncodedAnalyzeStackRequest extends pb.AnalyzeStackRequest {
    private pieces: Uint8Array[] = [];
    private size = 0;
    private joined?: Uint8Array;

    addEncoded(resource: Uint8Array): void {
        const head = fieldHeader(1, resource.length);
        this.pieces.push(head, resource);
        this.size += head.length + resource.length;
    }

    override serializeBinary(): Uint8Array {
        if (!this.joined) {
            const out = new Uint8Array(this.size);
            let at = 0;
            for (const p of this.pieces) {
                out.set(p, at);
                at += p.length;
            }
            this.joined = out;
            this.pieces = [];
        }
        return this.joined;
    }
}

/** Tag (field number, wire type 2: length-delimited) and the length, both as protobuf varints. */
function fieldHeader(field: number, length: number): Uint8Array {
    const bytes: number[] = [(field << 3) | 2];
    let n = length;
    while (n > 0x7f) {
        bytes.push((n & 0x7f) | 0x80);
        n = Math.floor(n / 128);
    }
    bytes.push(n);
    return Uint8Array.from(bytes);
}
