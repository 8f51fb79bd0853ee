/**
 * What a provider SDK package says about a resource type, read from the package the program itself
 * uses. Code-generated Node.js SDKs (pulumi-aws and every other generated provider SDK) declare it
 * twice, in forms a small reader can rely on:
 *  - the resource constructor (`<module>/<file>.js`) initialises every output-only property as
 *    `resourceInputs["arn"] = undefined /*out*\/;`: the values the cloud computes, which the SDK
 *    never sends to the engine;
 *  - the class declaration (`<module>/<file>.d.ts`) types every output property as
 *    `readonly arn: pulumi.Output<string>;`. A property the provider may leave unset is typed
 *    `pulumi.Output<T | undefined>`; one typed without `undefined` always has a value after the
 *    update, chosen by the provider when the program did not set it (a computed property).
 * Program mode uses this to keep what it cannot compute unknown instead of absent.
 */
import * as fs from "fs";
import * as path from "path";

export interface ResourceSchema {
    /** Properties only the provider sets (never inputs). */
    outputOnly: readonly string[];
    /** Output properties that always have a value after the update (typed without `undefined`). */
    computed: readonly string[];
    /** Output properties the provider may leave unset (typed `T | undefined`). */
    optional: readonly string[];
}

const cache = new Map<string, ResourceSchema | undefined>();

function camel(s: string): string {
    return s.length === 0 ? s : s[0].toLowerCase() + s.slice(1);
}

/** Candidate module files, without extension, for a type token (`aws:s3/bucket:Bucket` -> `<pkg>/s3/bucket`). */
function candidateModules(packageDir: string, type: string): string[] {
    const [, moduleAndFile, typeName] = type.split(":");
    if (!moduleAndFile || !typeName) {
        return [];
    }
    const out: string[] = [];
    const slash = moduleAndFile.lastIndexOf("/");
    const module = slash >= 0 ? moduleAndFile.slice(0, slash) : moduleAndFile;
    const file = slash >= 0 ? moduleAndFile.slice(slash + 1) : camel(typeName);
    if (module === "index") {
        out.push(path.join(packageDir, file));
    }
    out.push(path.join(packageDir, module, file));
    out.push(path.join(packageDir, moduleAndFile, camel(typeName)));
    return out;
}

/**
 * The output properties a generated class declares: `readonly <name>: pulumi.Output<<type>>;`, with
 * the type's angle brackets balanced (types span lines, e.g. tag maps).
 */
export function declaredOutputs(dts: string): { name: string; optional: boolean }[] {
    const out: { name: string; optional: boolean }[] = [];
    const head = /readonly\s+(\w+)!?:\s*pulumi\.Output</g;
    for (let m = head.exec(dts); m !== null; m = head.exec(dts)) {
        let depth = 1;
        let i = head.lastIndex;
        for (; i < dts.length && depth > 0; i++) {
            const c = dts[i];
            if (c === "<") {
                depth++;
            } else if (c === ">" && dts[i - 1] !== "=") {
                depth--;
            }
        }
        const typeText = dts.slice(head.lastIndex, i - 1).trim();
        out.push({ name: m[1], optional: /\|\s*undefined$/.test(typeText) || typeText === "undefined" });
        head.lastIndex = i;
    }
    return out;
}

/** The schema of `type` from the SDK package resolvable from `fromDir` (undefined when it cannot be read). */
export function resourceSchema(fromDir: string, type: string): ResourceSchema | undefined {
    const key = `${fromDir}\0${type}`;
    if (cache.has(key)) {
        return cache.get(key);
    }
    let result: ResourceSchema | undefined;
    const pkg = type.split(":")[0];
    try {
        const packageJson = require.resolve(`@pulumi/${pkg}/package.json`, { paths: [fromDir] });
        const dir = path.dirname(packageJson);
        for (const base of candidateModules(dir, type)) {
            if (!fs.existsSync(`${base}.js`)) {
                continue;
            }
            const js = fs.readFileSync(`${base}.js`, "utf8");
            if (!js.includes(`'${type}'`) && !js.includes(`"${type}"`)) {
                continue; // not the module that declares this token
            }
            const outputOnly = new Set<string>();
            for (const m of js.matchAll(/resourceInputs\["([^"]+)"\] = undefined \/\*out\*\//g)) {
                outputOnly.add(m[1]);
            }
            const declared = fs.existsSync(`${base}.d.ts`) ? declaredOutputs(fs.readFileSync(`${base}.d.ts`, "utf8")) : [];
            result = {
                outputOnly: [...outputOnly],
                computed: declared.filter((d) => !d.optional).map((d) => d.name),
                optional: declared.filter((d) => d.optional).map((d) => d.name),
            };
            break;
        }
    } catch {
        result = undefined;
    }
    cache.set(key, result);
    return result;
}
