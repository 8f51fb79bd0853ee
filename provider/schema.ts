/**
 * The package schema: Pulumi's generateSchema over the Analyzer's result (./analyzer.ts), with the
 * tokens moved from the `index` module the Analyzer knows to the package's modules (./tokens.ts):
 * each component to its own token, and each type to the module of the components that use it (to
 * `index` when components of several modules share it).
 */
import * as path from "path";
import type { AnalyzeResult } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema, PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";
import { INDEX_MODULE, analyzeComponents } from "./analyzer";
import { COMPONENT_TOKENS, PACKAGE_NAME } from "./tokens";

export interface PackageInfo {
    version: string;
    description?: string;
    license?: string;
    keywords?: string[];
}

/** The package root (provider/ in the sources, dist/provider/ when compiled). */
export function packageRoot(): string {
    const up = path.basename(path.dirname(__dirname)) === "dist" ? ["..", ".."] : [".."];
    return path.resolve(__dirname, ...up);
}

/** Infers the schema from the component sources under `root` (needs the TypeScript sources). */
export function inferSchema(root: string, info: PackageInfo): PackageSpec {
    const result = analyzeComponents({
        analysisDir: path.join(root, "provider", "analysis"),
        entry: path.join(root, "components", "index.ts"),
        componentsDir: path.join(root, "components"),
        packageName: PACKAGE_NAME,
        componentNames: COMPONENT_TOKENS.map((c) => c.className),
    });
    return schemaFromAnalysis(result, info);
}

type Json = unknown;

/** The import path of the generated Go SDK (its modules are packages below it: `.../aws`, `.../kubernetes`, `.../release`). */
export const GO_IMPORT_BASE_PATH = "github.com/sealed-infra/sealed-infra/sdk/go/sealedinfra";

/** The package schema for an analysis result. Pure: separate from the (slow) analysis for tests. */
export function schemaFromAnalysis(result: AnalyzeResult, info: PackageInfo): PackageSpec {
    const indexed = generateSchema(PACKAGE_NAME, info.version, info.description ?? "", result.components, result.typeDefinitions, result.dependencies);
    const local = (name: string) => `${PACKAGE_NAME}:${INDEX_MODULE}:${name}`;

    // Components: each to its token.
    const resourceToken = new Map<string, string>();
    for (const c of COMPONENT_TOKENS) {
        if (indexed.resources[local(c.className)] === undefined) {
            throw new Error(`the schema has no ${c.className}: is it exported from components/index.ts?`);
        }
        resourceToken.set(local(c.className), c.token);
    }
    for (const token of Object.keys(indexed.resources)) {
        if (!resourceToken.has(token)) {
            throw new Error(`component ${token} has no token in provider/tokens.ts`);
        }
    }

    // Types: to the module of the components that use them, directly or through other types.
    const typeModules = new Map<string, Set<string>>();
    const visit = (value: Json, module: string, seen: Set<string>): void => {
        for (const ref of localTypeRefs(value)) {
            if (seen.has(ref)) {
                continue;
            }
            seen.add(ref);
            typeModules.set(ref, (typeModules.get(ref) ?? new Set()).add(module));
            visit(indexed.types[ref], module, seen);
        }
    };
    for (const c of COMPONENT_TOKENS) {
        visit(indexed.resources[local(c.className)], c.module, new Set());
    }
    const typeToken = new Map<string, string>();
    for (const token of Object.keys(indexed.types)) {
        const modules = typeModules.get(token) ?? new Set<string>();
        const module = modules.size === 1 ? [...modules][0] : INDEX_MODULE;
        typeToken.set(token, `${PACKAGE_NAME}:${module}:${token.slice(local("").length)}`);
    }

    const retoken = (value: Json): Json => {
        if (Array.isArray(value)) {
            return value.map(retoken);
        }
        if (value !== null && typeof value === "object") {
            const out: Record<string, Json> = {};
            for (const [k, v] of Object.entries(value)) {
                if (k === "$ref" && typeof v === "string") {
                    out[k] = retokenRef(v, resourceToken, typeToken);
                } else {
                    out[k] = retoken(v);
                }
            }
            return out;
        }
        return value;
    };

    const resources: PackageSpec["resources"] = {};
    for (const [token, spec] of Object.entries(indexed.resources)) {
        resources[resourceToken.get(token) as string] = retoken(spec) as PackageSpec["resources"][string];
    }
    const types: PackageSpec["types"] = {};
    for (const [token, spec] of Object.entries(indexed.types)) {
        // generateSchema leaves out the descriptions of types; the Analyzer has them.
        const description = result.typeDefinitions[token.slice(local("").length)]?.description;
        types[typeToken.get(token) as string] = { ...(retoken(spec) as PackageSpec["types"][string]), ...(description ? { description } : {}) };
    }
    return {
        ...indexed,
        language: {
            ...indexed.language,
            // The Go import path of the generated SDK; `pulumi package add` maps it to the local copy
            // (a `replace` in go.mod), so it needs no repository behind it. docs/multi-language.md uses it.
            go: { ...(indexed.language?.go ?? {}), importBasePath: GO_IMPORT_BASE_PATH },
        },
        ...(info.license ? { license: info.license } : {}),
        ...(info.keywords ? { keywords: info.keywords } : {}),
        resources: sortKeys(resources),
        types: sortKeys(types),
    } as PackageSpec;
}

/** `#/types/<token>` references to this package's types in a schema fragment. */
function localTypeRefs(value: Json): string[] {
    const refs: string[] = [];
    const walk = (v: Json): void => {
        if (Array.isArray(v)) {
            v.forEach(walk);
        } else if (v !== null && typeof v === "object") {
            for (const [k, item] of Object.entries(v)) {
                if (k === "$ref" && typeof item === "string" && item.startsWith(`#/types/${PACKAGE_NAME}:`)) {
                    refs.push(decodeURIComponent(item.slice("#/types/".length)));
                } else {
                    walk(item);
                }
            }
        }
    };
    walk(value);
    return refs;
}

function retokenRef(ref: string, resourceToken: Map<string, string>, typeToken: Map<string, string>): string {
    for (const [prefix, tokens] of [
        ["#/types/", typeToken],
        ["#/resources/", resourceToken],
    ] as const) {
        if (ref.startsWith(prefix)) {
            const token = decodeURIComponent(ref.slice(prefix.length));
            const mapped = tokens.get(token);
            if (mapped === undefined) {
                // Another package's type or resource (its own schema): kept as is.
                return ref;
            }
            return `${prefix}${mapped.replace(/\//g, "%2F")}`;
        }
    }
    return ref;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
