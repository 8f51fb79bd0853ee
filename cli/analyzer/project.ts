/**
 * Reads `<packDir>/PulumiPolicy.yaml` the way the engine does (sdk/go/common/workspace
 * LoadPolicyPack + PolicyPackProject): `runtime` is required and is either a string or
 * `{name, options}`; `version` (overrides the pack's own version in GetAnalyzerInfo and in every
 * diagnostic), `description` (fallback when the pack reports none) and `main` are optional.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { CheckError } from "../model";

export const POLICY_PROJECT_FILE = "PulumiPolicy.yaml";

export interface PolicyPackProject {
    /** Absolute pack directory. */
    dir: string;
    runtime: string;
    /** `runtime.options` (nodejs: `typescript`, `nodeargs`, ...). */
    runtimeOptions: Record<string, unknown>;
    version?: string;
    description?: string;
    main?: string;
}

export function loadPolicyPackProject(packDir: string): PolicyPackProject {
    const dir = path.resolve(packDir);
    let stat: fs.Stats;
    try {
        stat = fs.statSync(dir);
    } catch {
        throw new CheckError(`policy pack directory ${dir} does not exist`);
    }
    if (!stat.isDirectory()) {
        throw new CheckError(`policy pack path ${dir} is not a directory (expected a directory containing ${POLICY_PROJECT_FILE})`);
    }
    const file = path.join(dir, POLICY_PROJECT_FILE);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new CheckError(`no ${POLICY_PROJECT_FILE} in ${dir}: not a policy pack directory`);
    }
    if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1); // the engine strips a UTF-8 BOM too
    }
    let doc: unknown;
    try {
        doc = parseYaml(text);
    } catch (e) {
        throw new CheckError(`invalid ${file}: ${firstLine((e as Error).message)}`, e);
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
        throw new CheckError(`invalid ${file}: expected a mapping with at least "runtime"`);
    }
    const y = doc as Record<string, unknown>;
    let runtime: unknown = y.runtime;
    let runtimeOptions: Record<string, unknown> = {};
    if (runtime !== null && typeof runtime === "object" && !Array.isArray(runtime)) {
        const r = runtime as Record<string, unknown>;
        if (r.options !== undefined && r.options !== null) {
            if (typeof r.options !== "object" || Array.isArray(r.options)) {
                throw new CheckError(`invalid ${file}: runtime.options must be a mapping`);
            }
            runtimeOptions = r.options as Record<string, unknown>;
        }
        runtime = r.name;
    }
    if (typeof runtime !== "string" || runtime === "") {
        throw new CheckError(`invalid ${file}: "runtime" is required (e.g. runtime: nodejs)`);
    }
    const str = (key: string): string | undefined => {
        const v = y[key];
        if (v === undefined || v === null) {
            return undefined;
        }
        if (typeof v !== "string" && typeof v !== "number") {
            throw new CheckError(`invalid ${file}: "${key}" must be a string`);
        }
        return String(v);
    };
    return { dir, runtime, runtimeOptions, version: str("version"), description: str("description"), main: str("main") };
}

function firstLine(s: string): string {
    return s.split(/\r?\n/)[0];
}
