/**
 * What a provider SDK package says about a resource type, read from the package the program itself
 * uses. Code-generated Node.js SDKs (pulumi-aws and every other bridged provider) initialise each
 * output-only property in the resource constructor as `resourceInputs["arn"] = undefined /*out*\/;`.
 * Those are the properties the cloud computes, which are unknown in the preview of a new resource.
 * The SDK never sends them to the engine, so program mode reads them from the SDK module here.
 */
import * as fs from "fs";
import * as path from "path";

const cache = new Map<string, readonly string[] | undefined>();

function camel(s: string): string {
    return s.length === 0 ? s : s[0].toLowerCase() + s.slice(1);
}

/** Candidate module files for a type token (`aws:s3/bucket:Bucket` -> `<pkg>/s3/bucket.js`). */
function candidateFiles(packageDir: string, type: string): string[] {
    const [, moduleAndFile, typeName] = type.split(":");
    if (!moduleAndFile || !typeName) {
        return [];
    }
    const out: string[] = [];
    const slash = moduleAndFile.lastIndexOf("/");
    const module = slash >= 0 ? moduleAndFile.slice(0, slash) : moduleAndFile;
    const file = slash >= 0 ? moduleAndFile.slice(slash + 1) : camel(typeName);
    if (module === "index") {
        out.push(path.join(packageDir, `${file}.js`));
    }
    out.push(path.join(packageDir, module, `${file}.js`));
    out.push(path.join(packageDir, moduleAndFile, `${camel(typeName)}.js`));
    return out;
}

/** Output-only properties of `type`, from the SDK package resolvable from `fromDir` (undefined if unknown). */
export function outputOnlyProperties(fromDir: string, type: string): readonly string[] | undefined {
    const key = `${fromDir}\0${type}`;
    if (cache.has(key)) {
        return cache.get(key);
    }
    let result: string[] | undefined;
    const pkg = type.split(":")[0];
    try {
        const packageJson = require.resolve(`@pulumi/${pkg}/package.json`, { paths: [fromDir] });
        const dir = path.dirname(packageJson);
        for (const file of candidateFiles(dir, type)) {
            if (!fs.existsSync(file)) {
                continue;
            }
            const text = fs.readFileSync(file, "utf8");
            if (!text.includes(`'${type}'`) && !text.includes(`"${type}"`)) {
                continue; // not the module that declares this token
            }
            const names = new Set<string>();
            for (const m of text.matchAll(/resourceInputs\["([^"]+)"\] = undefined \/\*out\*\//g)) {
                names.add(m[1]);
            }
            result = [...names];
            break;
        }
    } catch {
        result = undefined;
    }
    cache.set(key, result);
    return result;
}
