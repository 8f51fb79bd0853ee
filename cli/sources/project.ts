/**
 * A Pulumi project directory as program mode needs it: Pulumi.yaml (name, runtime, main,
 * description, stackConfigDir, project-level config) and the stack's Pulumi.<stack>.yaml config.
 *
 * Config is turned into what the Node.js language host gives a program in PULUMI_CONFIG
 * (pulumi/pulumi pkg/resource/config: keys `<namespace>:<name>`, a key without a namespace belongs
 * to the project; strings as they are, numbers and booleans as their text, objects and arrays as
 * JSON). `secure:` values are encrypted with the stack's secrets provider, which is not available
 * offline: they get the UNREADABLE_SECRET placeholder, are listed as secret keys (so
 * `config.requireSecret` still yields a secret), and are reported as unreadable.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { CheckError } from "../model";
import { UNREADABLE_SECRET } from "../wire";

/** Stack used when `--stack` is not given (the name `pulumi stack init` suggests first). */
export const DEFAULT_STACK = "dev";
/** Organization used offline (the Pulumi DIY backend's fixed organization name). */
export const DEFAULT_ORGANIZATION = "organization";

/** A `--stack` value as Pulumi accepts it: `<stack>`, `<org>/<stack>` or `<org>/<project>/<stack>`. */
export interface StackSelection {
    stack: string;
    organization?: string;
    project?: string;
}

/** Stack, project and organization names: letters, digits, `-`, `_` and `.` (pulumi tokens). */
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Parses `--stack` the way Pulumi does; rejects what Pulumi would reject. */
export function parseStackSelection(value: string): StackSelection {
    const parts = value.split("/");
    const bad = (why: string) =>
        new CheckError(`--stack ${JSON.stringify(value)} is not a valid stack name: ${why} (use <stack>, <org>/<stack> or <org>/<project>/<stack>, e.g. acme/payments/prod)`);
    if (parts.length > 3) {
        throw bad("it has more than three parts");
    }
    for (const part of parts) {
        if (part === "") {
            throw bad("a part is empty");
        }
        if (!NAME.test(part)) {
            throw bad(`${JSON.stringify(part)} may only contain letters, digits, hyphens, underscores and periods (at most 100)`);
        }
    }
    if (parts.length === 1) {
        return { stack: parts[0] };
    }
    if (parts.length === 2) {
        return { organization: parts[0], stack: parts[1] };
    }
    return { organization: parts[0], project: parts[1], stack: parts[2] };
}

export interface PulumiProject {
    dir: string;
    name: string;
    runtime: string;
    description?: string;
    /** Absolute path of the entry point Pulumi.yaml names (a file, or a directory with a trailing separator). */
    main: string;
    /** `main` as Pulumi.yaml gives it, or "." when unset: what the language host passes to the program runner. */
    mainArg: string;
    stackConfigDir: string;
    /** `runtime.options.typescript` (default true): register ts-node before requiring the program. */
    typescript: boolean;
}

export interface StackConfig {
    /** `<namespace>:<key>` -> value as the program sees it. */
    values: Record<string, string>;
    /** Keys whose value is secure (secret). */
    secretKeys: string[];
    /** Keys whose secure value could not be decrypted offline. */
    unreadable: string[];
    /** The stack config file read, if any. */
    file?: string;
    /**
     * The Pulumi ESC environments the stack config imports (`environment:`). Opening them needs
     * Pulumi Cloud, so offline the config values they provide (`pulumiConfig`) are unset.
     */
    environments: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function readYaml(file: string, what: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new CheckError(`cannot read ${what} ${file}: ${(e as Error).message}`, e);
    }
    try {
        return parseYaml(text.replace(/^\uFEFF/, ""));
    } catch (e) {
        throw new CheckError(`invalid ${what} ${file}: ${String((e as Error).message).split("\n")[0]}`, e);
    }
}

export function loadPulumiProject(programDir: string): PulumiProject {
    const dir = path.resolve(programDir);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new CheckError(`program directory ${programDir} does not exist`);
    }
    const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!file) {
        throw new CheckError(`no Pulumi.yaml in ${programDir}: not a Pulumi project directory`);
    }
    const doc = readYaml(file, "project file");
    if (!isObject(doc)) {
        throw new CheckError(`invalid project file ${file}: expected a mapping`);
    }
    const name = doc.name;
    if (typeof name !== "string" || name === "") {
        throw new CheckError(`invalid project file ${file}: missing project name`);
    }
    const runtime = isObject(doc.runtime) ? doc.runtime.name : doc.runtime;
    const runtimeOptions = isObject(doc.runtime) && isObject(doc.runtime.options) ? doc.runtime.options : {};
    if (runtime !== "nodejs") {
        throw new CheckError(`project ${name} (${file}) has runtime ${JSON.stringify(runtime ?? null)}; sealed-infra check runs nodejs programs only`);
    }
    let main = dir + path.sep;
    let mainArg = ".";
    if (typeof doc.main === "string" && doc.main !== "") {
        mainArg = doc.main;
        const target = path.resolve(dir, doc.main);
        if (!fs.existsSync(target)) {
            throw new CheckError(`project ${name}: main ${doc.main} does not exist in ${programDir}`);
        }
        main = fs.statSync(target).isDirectory() ? target + path.sep : target;
    }
    const stackConfigDir = typeof doc.stackConfigDir === "string" ? path.resolve(dir, doc.stackConfigDir) : dir;
    return {
        dir,
        name,
        runtime,
        description: typeof doc.description === "string" ? doc.description : undefined,
        main,
        mainArg,
        stackConfigDir,
        typescript: runtimeOptions.typescript !== false,
    };
}

function configText(value: unknown): string {
    if (typeof value === "string") {
        return value;
    }
    if (typeof value === "number" || typeof value === "boolean") {
        return String(value);
    }
    return JSON.stringify(value);
}

/** Replaces `{secure: ...}` anywhere in a value; returns whether any was found. */
function stripSecure(value: unknown): { value: unknown; secure: boolean } {
    if (isObject(value)) {
        if (Object.keys(value).length === 1 && typeof value.secure === "string") {
            return { value: UNREADABLE_SECRET, secure: true };
        }
        let secure = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            const r = stripSecure(v);
            out[k] = r.value;
            secure = secure || r.secure;
        }
        return { value: out, secure };
    }
    if (Array.isArray(value)) {
        let secure = false;
        const out = value.map((v) => {
            const r = stripSecure(v);
            secure = secure || r.secure;
            return r.value;
        });
        return { value: out, secure };
    }
    return { value, secure: false };
}

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * Project-level config defaults from Pulumi.yaml (`config: { key: value | {default, value, type} }`)
 * overlaid with the stack's Pulumi.<stack>.yaml `config:` section, then `overrides`.
 */
export function loadStackConfig(project: PulumiProject, stack: string, overrides: Record<string, string> = {}): StackConfig {
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const unreadable = new Set<string>();
    const put = (rawKey: string, raw: unknown) => {
        const key = qualify(project.name, rawKey);
        const r = stripSecure(raw);
        values[key] = configText(r.value);
        if (r.secure) {
            secretKeys.add(key);
            unreadable.add(key);
        } else {
            secretKeys.delete(key);
            unreadable.delete(key);
        }
    };

    const projectFile = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(project.dir, f)).find((f) => fs.existsSync(f));
    const projectDoc = projectFile ? readYaml(projectFile, "project file") : undefined;
    if (isObject(projectDoc) && isObject(projectDoc.config)) {
        for (const [k, v] of Object.entries(projectDoc.config)) {
            if (isObject(v) && ("default" in v || "value" in v || "type" in v)) {
                const d = "value" in v ? v.value : v.default;
                if (d !== undefined) {
                    put(k, d);
                }
            } else if (v !== undefined) {
                put(k, v);
            }
        }
    }

    let environments: string[] = [];
    let file: string | undefined = ["yaml", "yml"]
        .map((ext) => path.join(project.stackConfigDir, `Pulumi.${stack}.${ext}`))
        .find((f) => fs.existsSync(f));
    if (file) {
        const doc = readYaml(file, "stack config file");
        if (doc !== null && doc !== undefined && !isObject(doc)) {
            throw new CheckError(`invalid stack config file ${file}: expected a mapping`);
        }
        const config = isObject(doc) ? doc.config : undefined;
        if (config !== undefined && config !== null && !isObject(config)) {
            throw new CheckError(`invalid stack config file ${file}: config must be a mapping`);
        }
        for (const [k, v] of Object.entries(config ?? {})) {
            put(k, v);
        }
        environments = importedEnvironments(isObject(doc) ? doc.environment : undefined);
    } else {
        file = undefined;
    }
    for (const [k, v] of Object.entries(overrides)) {
        put(k, v);
    }
    return { values, secretKeys: [...secretKeys].sort(), unreadable: [...unreadable].sort(), file, environments };
}

/**
 * The environment names of a stack config's `environment:`: a list of names, or an inline
 * environment definition whose `imports` lists them (its own `values` are then unreadable too, so an
 * inline definition without imports still counts, as "inline").
 */
function importedEnvironments(environment: unknown): string[] {
    const names = (list: unknown) => (Array.isArray(list) ? list.filter((n): n is string => typeof n === "string" && n !== "") : []);
    if (Array.isArray(environment)) {
        return names(environment);
    }
    if (isObject(environment)) {
        const imported = names(environment.imports);
        return imported.length > 0 ? imported : ["inline"];
    }
    return [];
}
