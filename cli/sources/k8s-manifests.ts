/**
 * Kubernetes manifests in program mode. The Kubernetes provider turns YAML into resources: for the
 * v1 `yaml.ConfigFile`/`ConfigGroup` through the `kubernetes:yaml:decode` invoke (the SDK then
 * registers each object), for the v2 ones inside the provider (remote components, whose children
 * never reach mocks). Both are reproduced here so their workloads are checked offline.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";

export type KubeObject = Record<string, unknown> & { apiVersion?: unknown; kind?: unknown; metadata?: Record<string, unknown> };

/** All objects of a multi-document YAML text; `kind: ...List` objects are flattened to their items. */
export function decodeManifests(text: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length > 0) {
            throw new Error(`invalid YAML manifest: ${doc.errors[0].message}`);
        }
        const value = doc.toJS();
        if (value !== null && value !== undefined) {
            out.push(...flattenLists(value));
        }
    }
    return out;
}

function flattenLists(value: unknown): KubeObject[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return [];
    }
    const obj = value as KubeObject;
    if (typeof obj.kind === "string" && obj.kind.endsWith("List") && Array.isArray(obj.items)) {
        return (obj.items as unknown[]).flatMap(flattenLists);
    }
    return [obj];
}

/** `apps/v1` + `Deployment` -> `kubernetes:apps/v1:Deployment`; the core group is `core/v1`. */
export function kubernetesType(obj: KubeObject): string | undefined {
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
        return undefined;
    }
    const apiVersion = obj.apiVersion.includes("/") ? obj.apiVersion : `core/${obj.apiVersion}`;
    return `kubernetes:${apiVersion}:${obj.kind}`;
}

/** The remote components whose manifests can be expanded offline. */
export const EXPANDABLE_REMOTE_COMPONENTS: ReadonlySet<string> = new Set(["kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml/v2:ConfigFile"]);

/**
 * The objects a v2 ConfigGroup/ConfigFile stands for, from its inputs (`objs`, `yaml`, `files`,
 * `file`; files relative to the program directory). What cannot be read offline (URLs, globs) is
 * returned as `unreadable` so the caller can say so.
 */
export function remoteManifests(inputs: Record<string, unknown>, programDir: string): { objects: KubeObject[]; unreadable: string[] } {
    const objects: KubeObject[] = [];
    const unreadable: string[] = [];
    for (const o of Array.isArray(inputs.objs) ? inputs.objs : []) {
        objects.push(...flattenLists(o));
    }
    for (const text of Array.isArray(inputs.yaml) ? inputs.yaml : typeof inputs.yaml === "string" ? [inputs.yaml] : []) {
        if (typeof text === "string") {
            objects.push(...decodeManifests(text));
        }
    }
    const files = [...(Array.isArray(inputs.files) ? inputs.files : []), ...(typeof inputs.file === "string" ? [inputs.file] : [])];
    for (const file of files) {
        if (typeof file !== "string" || /^[a-z]+:\/\//i.test(file) || /[*?[]/.test(file)) {
            unreadable.push(String(file));
            continue;
        }
        objects.push(...decodeManifests(fs.readFileSync(path.resolve(programDir, file), "utf8")));
    }
    return { objects, unreadable };
}
