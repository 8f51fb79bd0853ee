/**
 * Engine-side computations a source must reproduce exactly, because the Pulumi engine (not the
 * language SDK) performs them before anything reaches an analyzer:
 *
 *  - URNs. pulumi/pulumi pkg/resource/deploy/deployment.go generateURN + sdk/go/common/resource/urn
 *    New: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, where the qualified type is the
 *    parent's *full* qualified type chain joined with `$`, except that a parent of type
 *    `pulumi:pulumi:Stack` (the root stack) adds nothing. (The Node SDK's MockMonitor keeps only
 *    the last segment of the parent type and does not skip the root stack, so we never use it.)
 *  - Alias URNs. pkg/resource/deploy/step_generator.go collapseAliasToUrn + sdk/go/common/resource
 *    alias.go CreateURN: unset name/type/project/stack default to the resource's own; the parent
 *    defaults to the resource's parent; `noParent` or a root-stack parent means no parent; with a
 *    parent the URN is `<parent URN up to its last "::">$<type>::<name>`.
 *  - Default providers. pkg/resource/deploy/default_providers.go + providers/provider.go
 *    DefaultName: type `pulumi:providers:<pkg>`, name `default` or
 *    `default_<major>_<minor>_<patch>[_<pre>...][_<build>...][_<download URL as QName>]`, no parent,
 *    inputs = the stack config of the package's namespace (key without namespace, secure values
 *    as secrets) plus `version`; id = a fresh UUID on update, the unknown sentinel in preview
 *    (providers/registry.go Create). A resource refers to it as `<urn>::<id>`.
 *  - Custom timeouts arrive as Go duration strings and are kept as seconds (float).
 */
import { createHash } from "crypto";
import { isValidUrn, urnQualifiedType, urnStackProject, urnType } from "../urn";
export { isValidUrn, urnQualifiedType, urnStackProject, urnType };

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
export const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

/** The URN the engine generates for a resource (deployment.go generateURN). */
export function engineUrn(stack: string, project: string, parentUrn: string | undefined, type: string, name: string): string {
    let qualified = type;
    if (parentUrn) {
        const parentType = urnQualifiedType(parentUrn);
        if (parentType !== ROOT_STACK_TYPE) {
            qualified = `${parentType}$${type}`;
        }
    }
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

export function rootStackUrn(stack: string, project: string): string {
    return engineUrn(stack, project, undefined, ROOT_STACK_TYPE, `${project}-${stack}`);
}

/** providers/provider.go DefaultName. */
export function defaultProviderName(version: string | undefined, pluginDownloadUrl?: string): string {
    let name = "default";
    const v = version ? parseSemver(version) : undefined;
    if (v) {
        name += `_${v.major}_${v.minor}_${v.patch}`;
        for (const pre of v.pre) {
            name += `_${pre}`;
        }
        for (const build of v.build) {
            name += `_${build}`;
        }
    }
    if (pluginDownloadUrl) {
        name += `_${intoQName(pluginDownloadUrl.replace(/\/+$/, ""))}`;
    }
    return name;
}

/** The package a type token belongs to (`aws:s3/bucket:Bucket` -> `aws`). */
export function packageOfType(type: string): string {
    return type.split(":")[0];
}

export function providerType(pkg: string): string {
    return `${PROVIDER_TYPE_PREFIX}${pkg}`;
}

export function isProviderType(type: string): boolean {
    return type.startsWith(PROVIDER_TYPE_PREFIX);
}

/** `<urn>::<id>` -> parts (the id is after the last `::`). */
export function parseProviderReference(ref: string): { urn: string; id: string } | undefined {
    const at = ref.lastIndexOf("::");
    if (at <= 0) {
        return undefined;
    }
    return { urn: ref.slice(0, at), id: ref.slice(at + 2) };
}

/** A deterministic UUID (v4 layout) derived from a seed, standing in for the engine's random one. */
export function deterministicUuid(seed: string): string {
    const h = createHash("sha256").update(seed).digest("hex");
    const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Hex characters derived from a seed (stands in for the providers' random suffixes). */
export function deterministicHex(seed: string, length: number): string {
    let out = "";
    let counter = 0;
    while (out.length < length) {
        out += createHash("sha256").update(`${seed}#${counter++}`).digest("hex");
    }
    return out.slice(0, length);
}

/**
 * Go's time.ParseDuration, returning seconds. The engine parses custom timeouts with it
 * (pkg/resource/deploy/source_eval.go) and keeps seconds. Throws on malformed input.
 */
export function parseGoDurationSeconds(text: string): number {
    const units: Record<string, number> = {
        ns: 1e-9,
        us: 1e-6,
        "µs": 1e-6,
        "μs": 1e-6,
        ms: 1e-3,
        s: 1,
        m: 60,
        h: 3600,
    };
    let s = text;
    let sign = 1;
    if (s.startsWith("-") || s.startsWith("+")) {
        sign = s[0] === "-" ? -1 : 1;
        s = s.slice(1);
    }
    if (s === "0") {
        return 0;
    }
    if (s === "") {
        throw new Error(`invalid duration "${text}"`);
    }
    let total = 0;
    const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
    while (s.length > 0) {
        const m = re.exec(s);
        if (!m) {
            throw new Error(`invalid duration "${text}"`);
        }
        total += parseFloat(m[1]) * units[m[2]];
        s = s.slice(m[0].length);
    }
    return sign * total;
}

interface Semver {
    major: number;
    minor: number;
    patch: number;
    pre: string[];
    build: string[];
}

function parseSemver(version: string): Semver | undefined {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(version.trim());
    if (!m) {
        return undefined;
    }
    return {
        major: Number(m[1]),
        minor: Number(m[2]),
        patch: Number(m[3]),
        pre: m[4] ? m[4].split(".") : [],
        build: m[5] ? m[5].split(".") : [],
    };
}

/** tokens.IntoQName: `/`-separated segments, empty ones dropped, illegal characters become `_`. */
function intoQName(s: string): string {
    const segments = s
        .split("/")
        .filter((seg) => seg !== "")
        .map((seg) => seg.replace(/[^A-Za-z0-9_.-]/g, "_"));
    return segments.length > 0 ? segments.join("/") : "_";
}

