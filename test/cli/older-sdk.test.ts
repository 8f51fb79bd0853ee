/**
 * Programs pin their own @pulumi/pulumi, often years old (a package-lock from a tutorial), and program
 * mode runs the program through that SDK. Older SDKs lack parts of what the worker uses:
 * RegisterResourceResponse.result (before about 3.100; such an SDK turns every unknown into
 * `undefined` outside a preview), RegisterResourceRequest.packageRef (before about 3.130) and
 * pluginDownloadURL, settings.waitForRPCs, and a load order without an import cycle (3.0). Each is
 * installed from the registry into a project of its own and must give the same report as today's SDK:
 * exactly the plain resource's finding, and a value the model cannot compute stays unknown (a note),
 * never absent (which the pack would block as "has no image").
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { npm, npmEnv } from "../harness/npm";

const LAUNCHER = path.resolve(__dirname, "..", "..", "cli", "launcher.js");

/** JavaScript, so the test does not depend on the TypeScript an old SDK ships. */
const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");

/** Declared as generated provider SDKs declare resources, without installing the provider package. */
class Resource extends pulumi.CustomResource {
    constructor(type, name, args, opts) {
        super(type, name, args, opts);
    }
}

// Mutable tags: the pack must block it.
new Resource("aws:ecr/repository:Repository", "scratch", { imageTagMutability: "MUTABLE" }, { protect: true });
// Its compliant twin.
new Resource("aws:ecr/repository:Repository", "releases", { imageTagMutability: "IMMUTABLE" }, { protect: true });

// A digest known only once the image is built and pushed: offline the task's image is unknown.
const image = new Resource("docker:index/image:Image", "app", { imageName: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.0", repoDigest: undefined });
new Resource("aws:ecs/taskDefinition:TaskDefinition", "app", {
    family: "app",
    containerDefinitions: image.repoDigest.apply((digest) =>
        JSON.stringify([{ name: "app", image: digest, essential: true, readonlyRootFilesystem: true }]),
    ),
});
`;

interface Report {
    violations: { policyName: string; enforcementLevel: string; resourceName: string; message: string }[];
    notes: { message: string }[];
}

/** What each SDK lacks, checked on the installed copy so the test keeps its meaning. */
const SDKS = [
    { version: "3.0.0", result: false, packageRef: false, waitForRPCs: false },
    { version: "3.121.0", result: true, packageRef: false, waitForRPCs: true },
];

describe("program mode with the program's own, older @pulumi/pulumi", function () {
    this.timeout(600_000);
    let tmp: string;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-infra-older-sdk-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    for (const sdk of SDKS) {
        describe(`@pulumi/pulumi ${sdk.version}`, () => {
            let project: string;

            before(() => {
                project = path.join(tmp, `sdk-${sdk.version}`);
                fs.mkdirSync(project);
                fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "older-sdk", main: "index.js" }));
                fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: older-sdk\nruntime: nodejs\n");
                fs.writeFileSync(path.join(project, "index.js"), PROGRAM);
                npm(["install", "--no-audit", "--no-fund", `@pulumi/pulumi@${sdk.version}`], project);
            });

            it("is the SDK this case is about", () => {
                const proto = require(require.resolve("@pulumi/pulumi/proto/resource_pb", { paths: [project] }));
                assert.equal(proto.Result !== undefined, sdk.result, "RegisterResourceResponse.result");
                assert.equal(typeof proto.RegisterResourceRequest.prototype.getPackageref === "function", sdk.packageRef, "packageRef");
                const settings = require(require.resolve("@pulumi/pulumi/runtime/settings", { paths: [project] }));
                assert.equal(typeof settings.waitForRPCs === "function", sdk.waitForRPCs, "waitForRPCs");
            });

            for (const mode of [[], ["--preview"]]) {
                it(`reports exactly the plain resource's finding and keeps the built image unknown${mode.length ? " (--preview)" : ""}`, () => {
                    const run = spawnSync(process.execPath, [LAUNCHER, "check", project, "--format", "json", ...mode], { env: npmEnv(), encoding: "utf8" });
                    assert.equal(run.status, 1, run.stderr);
                    const report = JSON.parse(run.stdout) as Report;
                    assert.deepEqual(
                        report.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policyName} ${v.resourceName}`),
                        ["ecr-tags-immutable scratch"],
                        run.stdout,
                    );
                    const task = report.notes.filter((n) => n.message.startsWith('aws:ecs:TaskDefinition "app"'));
                    assert.equal(task.length, 1, JSON.stringify(report.notes));
                    assert.match(task[0].message, /containerDefinitions is not known (offline|until the update)/);
                });
            }
        });
    }
});
