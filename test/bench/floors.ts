/**
 * The floors every benchmark is a ratio to: @pulumi/policy packs that do (almost) nothing,
 * written under .bench/ inside the repository so they resolve the same node_modules as our pack
 * and are launched exactly the same way (run-policy-pack, cwd = pack dir).
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

function writePack(name: string, source: string): string {
    const dir = path.join(ROOT, ".bench", name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "0.0.1", main: "index.js" }, null, 2));
    fs.writeFileSync(path.join(dir, "index.js"), source);
    return dir;
}

/** An empty pack: the cost of @pulumi/policy itself (cold start, per-resource Analyze). */
export function emptyFloorPack(): string {
    return writePack(
        "floor-empty",
        `const { PolicyPack } = require("@pulumi/policy");\nnew PolicyPack("floor-empty", { enforcementLevel: "mandatory", policies: [] });\n`,
    );
}

/** One stack policy that does nothing: the cost of decoding an AnalyzeStack request once. */
export function noopStackFloorPack(): string {
    return writePack(
        "floor-stack-noop",
        `const { PolicyPack } = require("@pulumi/policy");\n` +
            `new PolicyPack("floor-stack-noop", { enforcementLevel: "mandatory", policies: [\n` +
            `  { name: "noop", description: "does nothing", validateStack: () => {} },\n]});\n`,
    );
}

export const SEALED_INFRA_PACK = path.join(ROOT, "policypack");
