/**
 * Container image references, parsed once, for every policy that looks at images.
 *
 * Grammar (OCI distribution / docker reference):
 *   reference  := name [":" tag] ["@" digest]
 *   name       := [registry "/"] path-component ("/" path-component)*
 *   registry   := host [":" port]     (the first component is a registry when it contains "."
 *                                      or ":", or is "localhost"; otherwise Docker Hub)
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := algorithm ":" encoded, sha256 = 64 lowercase hex, sha512 = 128 lowercase hex
 */
import { globMatch, GlobOptions } from "../shared/glob";

export interface ImageReference {
    /** Registry host with port, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com`, `localhost:5000`. */
    registry: string;
    /** True when the reference named no registry and Docker Hub is implied. */
    implicitRegistry: boolean;
    repository: string;
    tag?: string;
    digest?: { algorithm: string; hex: string };
}

export type ParsedImage = { ok: true; image: ImageReference } | { ok: false; reason: string };

export const DEFAULT_REGISTRY = "docker.io";

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?))*(?::\d+)?$|^\[[0-9A-Fa-f:]+\](?::\d+)?$/;
const ALGORITHM = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha512: 128 };

export function parseImageReference(input: string): ParsedImage {
    const text = input.trim();
    if (text === "") {
        return { ok: false, reason: "the image reference is empty" };
    }
    if (text !== input) {
        return { ok: false, reason: "the image reference has surrounding whitespace" };
    }
    let rest = text;
    let digest: ImageReference["digest"];
    const at = rest.indexOf("@");
    if (at >= 0) {
        const digestText = rest.slice(at + 1);
        rest = rest.slice(0, at);
        const colon = digestText.indexOf(":");
        if (colon <= 0) {
            return { ok: false, reason: `the digest "${digestText}" has no algorithm (expected sha256:<64 hex>)` };
        }
        const algorithm = digestText.slice(0, colon);
        const hex = digestText.slice(colon + 1);
        if (!ALGORITHM.test(algorithm)) {
            return { ok: false, reason: `the digest algorithm "${algorithm}" is malformed` };
        }
        const expected = DIGEST_LENGTHS[algorithm];
        if (expected === undefined) {
            return { ok: false, reason: `the digest algorithm "${algorithm}" is not sha256 or sha512` };
        }
        if (hex.length !== expected || !/^[a-f0-9]+$/.test(hex)) {
            return { ok: false, reason: `the ${algorithm} digest must be ${expected} lowercase hex characters, found "${hex}"` };
        }
        digest = { algorithm, hex };
    }
    // A tag is after the last ":" that comes after the last "/" (a ":" before it is a port).
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const tagColon = rest.indexOf(":", lastSlash + 1);
    if (tagColon >= 0) {
        tag = rest.slice(tagColon + 1);
        rest = rest.slice(0, tagColon);
        if (!TAG.test(tag)) {
            return { ok: false, reason: `the tag "${tag}" is malformed` };
        }
    }
    const components = rest.split("/");
    let registry = DEFAULT_REGISTRY;
    let implicitRegistry = true;
    if (components.length > 1 && (components[0].includes(".") || components[0].includes(":") || components[0] === "localhost")) {
        registry = components.shift() as string;
        implicitRegistry = false;
        if (!HOST.test(registry)) {
            return { ok: false, reason: `the registry "${registry}" is not a valid host[:port]` };
        }
    }
    if (components.length === 0 || components.some((c) => !PATH_COMPONENT.test(c))) {
        return { ok: false, reason: `the repository "${components.join("/")}" is malformed (lowercase letters, digits and . _ - separators)` };
    }
    let repository = components.join("/");
    if (implicitRegistry && components.length === 1) {
        repository = `library/${repository}`;
    }
    return { ok: true, image: { registry, implicitRegistry, repository, tag, digest } };
}

/**
 * Registry allow-list match. Patterns are hosts (with optional port) where `*` matches one or more
 * characters within a dot-separated label, e.g. `*.dkr.ecr.*.amazonaws.com`, `ghcr.io`.
 */
/** Registry hosts: `*` stays within one DNS label, case does not matter. */
const REGISTRY: GlobOptions = { star: "label", caseInsensitive: true };

export function registryAllowed(registry: string, patterns: readonly string[]): boolean {
    return patterns.some((p) => globMatch(p, registry, REGISTRY));
}
