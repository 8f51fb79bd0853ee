/**
 * The plugin works from the package as npm installs it, not only from this repository: the files
 * `npm pack` would ship (no TypeScript sources, no test files) are laid out as
 * `node_modules/sealed-infra` of a program, with the dependencies installed beside it, and the
 * plugin is launched from `node_modules/sealed-infra/provider` (what `pulumi package add` is given).
 *
 * Needs the build (dist/): `npm test` builds first; alone run `npm run build`.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LaunchedProvider, subtree, TEST_STACK, TestEngine } from "./engine";

const ROOT = path.resolve(__dirname, "../..");

/** The paths `npm pack` would put in the tarball (the package's `files`, package.json, README...). */
function packedFiles(): string[] {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path);
}

describe("component provider: from the packed package, as npm installs it", function () {
    this.timeout(300_000);
    let tmp: string;
    let files: string[];
    let pluginDir: string;

    before(function () {
        if (!fs.existsSync(path.join(ROOT, "dist/provider/schema.json"))) {
            throw new Error("dist/provider/schema.json is missing: run `npm run build` first");
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-infra-packed-"));
        files = packedFiles();
        const modules = path.join(tmp, "program", "node_modules");
        const installed = path.join(modules, "sealed-infra");
        for (const file of files) {
            fs.mkdirSync(path.dirname(path.join(installed, file)), { recursive: true });
            fs.copyFileSync(path.join(ROOT, file), path.join(installed, file));
        }
        // The dependencies, hoisted beside the package as npm installs them.
        for (const entry of fs.readdirSync(path.join(ROOT, "node_modules"))) {
            if (entry !== ".bin" && !entry.startsWith("sealed-infra")) {
                fs.symlinkSync(path.join(ROOT, "node_modules", entry), path.join(modules, entry), "dir");
            }
        }
        fs.writeFileSync(path.join(tmp, "program", "Pulumi.yaml"), `name: ${TEST_STACK.project}\nruntime: yaml\n`);
        pluginDir = path.join(installed, "provider");
    });

    after(() => {
        if (tmp) {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    it("ships the plugin directory and the compiled provider with its schema, and no TypeScript sources", () => {
        for (const file of ["provider/PulumiPlugin.yaml", "provider/package.json", "provider/index.js", "dist/provider/main.js", "dist/provider/schema.json"]) {
            assert.ok(files.includes(file), `${file} is in the package`);
        }
        assert.deepEqual(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), []);
    });

    it("serves the schema and constructs a component", async () => {
        const engine = await new TestEngine(TEST_STACK).start();
        let provider: LaunchedProvider | undefined;
        try {
            provider = await LaunchedProvider.launch(pluginDir, engine.engineAddress, path.join(tmp, "program"));
            const { version } = await provider.start();
            const schema = await provider.getSchema();
            assert.equal(version, JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
            assert.deepEqual(schema, JSON.parse(fs.readFileSync(path.join(ROOT, "dist/provider/schema.json"), "utf8")));
            engine.registerRootStack();
            const result = await provider.construct(engine, "sealed-infra:aws:ImmutableBucket", "artifacts", { kind: "artifacts", retentionDays: 400 });
            const types = subtree(engine.recorder.resources, result.urn).map((r) => r.type);
            assert.deepEqual(types.sort(), [
                "aws:kms/key:Key",
                "aws:s3/bucket:Bucket",
                "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
                "aws:s3/bucketPolicy:BucketPolicy",
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "aws:s3/bucketVersioning:BucketVersioning",
                "sealed-infra:aws:ImmutableBucket",
            ]);
            assert.equal(result.state.retentionDays, 400);
        } finally {
            await provider?.close();
            await engine.close();
        }
    });
});
