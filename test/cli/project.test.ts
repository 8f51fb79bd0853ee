import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadPulumiProject, loadStackConfig } from "../../cli/sources/project";

/** Which Pulumi ESC environments a stack config imports, in each form Pulumi accepts. */
describe("cli/sources/project: ESC environments of a stack config", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-infra-project-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: envs\nruntime: nodejs\n");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const environmentsOf = (stackFile: string | undefined): string[] => {
        const stack = `s${Math.random().toString(36).slice(2, 8)}`;
        if (stackFile !== undefined) {
            fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stackFile);
        }
        return loadStackConfig(loadPulumiProject(dir), stack).environments;
    };

    it("reads a list of environment names, in order", () => {
        assert.deepEqual(environmentsOf("environment:\n  - acme/common\n  - acme/dev\nconfig:\n  envs:a: b\n"), ["acme/common", "acme/dev"]);
    });

    it("reads the imports of an inline environment, and counts one without imports as inline", () => {
        assert.deepEqual(environmentsOf("environment:\n  imports:\n    - acme/dev\n  values:\n    x: 1\n"), ["acme/dev"]);
        assert.deepEqual(environmentsOf("environment:\n  values:\n    pulumiConfig:\n      envs:a: b\n"), ["inline"]);
    });

    it("has none without environment:, or without a stack config file", () => {
        assert.deepEqual(environmentsOf("config:\n  envs:a: b\n"), []);
        assert.deepEqual(environmentsOf(undefined), []);
    });
});
