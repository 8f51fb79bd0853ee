/**
 * The policy layer's shape, checked rather than hoped for: every file under
 * policypack/src/policies/<guarantee>/ defines exactly one policy (or is its folder's shared
 * helper), named after the file, declaring the guarantee of its folder, registered in the
 * catalogue, with a test file of the same name, and documented on its generated page.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { catalogue } from "../policypack/src/catalogue";
import type { PolicyDefinition } from "../policypack/src/framework/definition";
import { GUARANTEE_TITLES } from "../policypack/src/framework/definition";

const ROOT = path.resolve(__dirname, "..");
const POLICIES = path.join(ROOT, "policypack", "src", "policies");
/** Files that hold what the policies of a folder share, not a policy. */
const SHARED_HELPERS = new Set(["separated-duties/common.ts"]);

function isDefinition(value: unknown): value is PolicyDefinition {
    const v = value as Partial<PolicyDefinition> | undefined;
    return typeof v === "object" && v !== null && typeof v.name === "string" && typeof v.guarantee === "string" && (v.kind === "resource" || v.kind === "stack");
}

/** What a policy module exports: definitions directly, or a factory of one (the waivers policy takes the catalogue). */
function definitionsOf(module: Record<string, unknown>): PolicyDefinition[] {
    const out: PolicyDefinition[] = [];
    for (const value of Object.values(module)) {
        if (isDefinition(value)) {
            out.push(value);
        } else if (typeof value === "function" && value.length === 1) {
            try {
                const made = (value as (c: () => readonly PolicyDefinition[]) => unknown)(() => catalogue);
                if (isDefinition(made)) {
                    out.push(made);
                }
            } catch {
                // not a factory
            }
        }
    }
    return out;
}

describe("policy catalogue conformance", () => {
    const folders = fs.readdirSync(POLICIES).filter((d) => fs.statSync(path.join(POLICIES, d)).isDirectory());
    const files = folders.flatMap((folder) => fs.readdirSync(path.join(POLICIES, folder)).filter((f) => f.endsWith(".ts")).map((f) => `${folder}/${f}`));

    it("every policy folder is a guarantee", () => {
        assert.deepEqual(folders.filter((f) => !(f in GUARANTEE_TITLES)), []);
    });

    for (const file of files.filter((f) => !SHARED_HELPERS.has(f))) {
        it(`${file}: one definition, named after the file, in its guarantee's folder, registered, tested, documented`, () => {
            const defs = definitionsOf(require(path.join(POLICIES, file)));
            assert.equal(defs.length, 1, `${file} exports ${defs.length} policy definitions`);
            const [def] = defs;
            const [folder, base] = file.split("/");
            assert.equal(def.name, base.replace(/\.ts$/, ""), "policy name = file name");
            assert.equal(def.guarantee, folder, "guarantee = folder");
            assert.ok(catalogue.some((c) => c.name === def.name), "registered in policypack/src/catalogue.ts");
            assert.ok(fs.existsSync(path.join(ROOT, "test", "policies", `${def.name}.test.ts`)), `test/policies/${def.name}.test.ts`);
            assert.ok(fs.existsSync(path.join(ROOT, "docs", "policies", `${def.name}.md`)), `docs/policies/${def.name}.md (npm run docs)`);
        });
    }

    it("the catalogue holds exactly the policies of the files, once each", () => {
        const fromFiles = files
            .filter((f) => !SHARED_HELPERS.has(f))
            .map((f) => f.split("/")[1].replace(/\.ts$/, ""))
            .sort();
        assert.deepEqual(catalogue.map((c) => c.name).sort(), fromFiles);
    });

    it("the shared helpers define no policy", () => {
        for (const file of SHARED_HELPERS) {
            assert.deepEqual(definitionsOf(require(path.join(POLICIES, file))), [], file);
        }
    });
});
