import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { catalogue } from "../policypack/src/catalogue";
import { generatedDocs, renderCatalogue, renderPolicyPage } from "../policypack/scripts/generate-docs";
import { COMPONENTS_DOC, PackageSchema, SCHEMA_FILE, generatedComponentsDoc } from "../scripts/generate-component-docs";

const root = path.resolve(__dirname, "..");

describe("generated documentation", () => {
    it("every generated file is current: README's table, policypack/README.md, docs/policies (run `npm run docs`)", () => {
        const files = generatedDocs(fs.readFileSync(path.join(root, "README.md"), "utf8"));
        for (const [file, text] of files) {
            const onDisk = fs.existsSync(path.join(root, file)) ? fs.readFileSync(path.join(root, file), "utf8") : "(missing)";
            assert.equal(onDisk, text, `${file} is stale: run npm run docs`);
        }
        const pages = fs.readdirSync(path.join(root, "docs", "policies")).map((f) => `docs/policies/${f}`);
        assert.deepEqual(pages.filter((p) => !files.has(p)), [], "pages of policies that are not in the catalogue");
    });

    it("documents every policy on its page with its config defaults, and lists it in the catalogue table", () => {
        const table = renderCatalogue();
        for (const def of catalogue) {
            assert.ok(table.includes(`[\`${def.name}\`](docs/policies/${def.name}.md)`), def.name);
            const page = renderPolicyPage(def);
            for (const heading of ["## What it guarantees", "## Rule", "## Why", "## How to fix", "## Config"]) {
                assert.ok(page.includes(heading), `${def.name}: ${heading}`);
            }
            for (const [key, option] of Object.entries(def.config) as [string, { default: unknown }][]) {
                assert.ok(page.includes(`| \`${key}\` |`) && page.includes(JSON.stringify(option.default)), `${def.name}.${key}`);
            }
        }
    });

    it("every policy has complete metadata", () => {
        const names = new Set<string>();
        for (const def of catalogue) {
            assert.match(def.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, def.name);
            assert.ok(!names.has(def.name), `duplicate ${def.name}`);
            names.add(def.name);
            for (const field of ["displayName", "description", "rule", "why", "remediationSteps"] as const) {
                assert.ok(def[field] && def[field].length > 20, `${def.name}.${field}`);
            }
            if (def.guarantee !== "exceptions") {
                assert.ok(def.resourceTypes.length > 0, `${def.name}.resourceTypes`);
                assert.ok(def.guards.length > 0, `${def.name}.guards`);
            }
            for (const [key, option] of Object.entries(def.config) as [string, { description: string; schema: object }][]) {
                assert.ok(option.description.length > 10, `${def.name}.${key} description`);
                assert.ok(Object.keys(option.schema).length > 0, `${def.name}.${key} schema`);
            }
        }
    });
});

describe("component reference (docs/components.md)", () => {
    it("lists every component of the package in README's components table, with its type token", () => {
        const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as PackageSchema;
        const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
        for (const token of Object.keys(schema.resources)) {
            const name = token.split(":").pop();
            assert.ok(readme.includes(`| \`${name}\` | \`${token}\` |`), `README.md's components table has no row for ${token}`);
        }
    });

    it("is current with the components' doc comments (run `npm run docs`)", () => {
        const onDisk = fs.readFileSync(COMPONENTS_DOC, "utf8");
        assert.equal(onDisk, generatedComponentsDoc(), "docs/components.md is stale: run npm run docs");
    });

    it("describes every component, argument, output and type: a missing or cut description is a doc comment to fix", () => {
        const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as PackageSchema;
        const missing: string[] = [];
        // A description cut short (JSDoc reads `@word` as a tag and drops the rest) ends mid-sentence.
        const check = (where: string, text: string | undefined) => {
            if (!text || !/[.)`:!]$/.test(text.trim())) {
                missing.push(`${where}: ${JSON.stringify((text ?? "").slice(-50))}`);
            }
        };
        type Described = { description?: string; properties?: Record<string, { description?: string }>; inputProperties?: Record<string, { description?: string }> };
        const all = { ...schema.resources, ...schema.types } as Record<string, Described>;
        for (const [token, spec] of Object.entries(all)) {
            check(token, spec.description);
            for (const [name, prop] of Object.entries({ ...(spec.inputProperties ?? {}), ...(spec.properties ?? {}) })) {
                check(`${token}.${name}`, prop.description);
            }
        }
        assert.deepEqual(missing, []);
    });
});
