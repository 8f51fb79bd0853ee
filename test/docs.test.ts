import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { catalogue } from "../policypack/src/catalogue";
import { END, renderCatalogue, renderPackReadme, START } from "../policypack/scripts/generate-docs";

const root = path.resolve(__dirname, "..");

describe("generated documentation", () => {
    it("README.md's policy catalogue is current (run `npm run docs`)", () => {
        const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf(START) + START.length + 1, readme.indexOf(END));
        assert.equal(section, renderCatalogue());
    });

    it("policypack/README.md is current (run `npm run docs`)", () => {
        assert.equal(fs.readFileSync(path.join(root, "policypack", "README.md"), "utf8"), renderPackReadme(renderCatalogue()));
    });

    it("documents every policy with its config defaults", () => {
        const rendered = renderCatalogue();
        for (const def of catalogue) {
            assert.ok(rendered.includes(`#### \`${def.name}\``), def.name);
            for (const key of Object.keys(def.config)) {
                assert.ok(rendered.includes(`\`${key}\``), `${def.name}.${key}`);
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
