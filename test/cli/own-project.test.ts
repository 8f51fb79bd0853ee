/**
 * sealed-infra as a team adopts it: `npm pack` this repository, install the tarball into an empty
 * project together with @pulumi/pulumi, @pulumi/aws and TypeScript (6, then 5), without ts-node, and
 * run `npx sealed-infra check .` there on a modern TypeScript program (nodenext modules, `satisfies`,
 * no package.json `main`) that uses two components and one violating plain resource. The program is
 * compiled and type-checked as Pulumi's Node.js host would, with the TypeScript tooling of that
 * project; the report must hold exactly the plain resource's finding, at its line, in an update and
 * in a preview.
 *
 * Needs the npm registry (as `npm ci` does); the packages come from npm's cache after `npm ci`.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { npm, npmEnv } from "../harness/npm";

const ROOT = path.resolve(__dirname, "..", "..");
const ROOT_PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const installed = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version as string;

const PROGRAM = `import * as aws from "@pulumi/aws";
import { ImmutableBucket, ImmutableImageRepository } from "sealed-infra";

const settings = { retentionDays: 400 } satisfies { retentionDays: number };

const artifacts = new ImmutableBucket("artifacts", {
    kind: "artifacts",
    retentionDays: settings.retentionDays,
    writerPrincipalArns: ["arn:aws:iam::123456789012:role/ci-publisher"],
});
const images = new ImmutableImageRepository("images", {
    publisherPrincipalArns: ["arn:aws:iam::123456789012:role/ci-publisher"],
});
// Written by hand, and mutable: the pack must block it.
new aws.ecr.Repository("scratch", { imageTagMutability: "MUTABLE" }, { protect: true });

export const bucket = artifacts.bucketName;
export const repositoryUrl = images.repositoryUrl;
`;

const TSCONFIG = {
    compilerOptions: { strict: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", skipLibCheck: true },
    files: ["index.ts"],
};

describe("sealed-infra installed from its tarball into a project of its own", function () {
    this.timeout(900_000);
    let tmp: string;
    let project: string;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "si-own-project-"));
        // `npm test` has built dist/ and the pack; packing must not rebuild them while other tests read them.
        assert.ok(fs.existsSync(path.join(ROOT, "dist", "cli", "main.js")) && fs.existsSync(path.join(ROOT, "policypack", "bin", "index.js")), "built");
        const out = npm(["pack", "--ignore-scripts", "--pack-destination", tmp, "--json"], ROOT);
        const tarball = path.join(tmp, JSON.parse(out.slice(out.indexOf("[")))[0].filename);
        project = path.join(tmp, "shop-infra");
        fs.mkdirSync(project);
        fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "shop-infra", private: true, version: "1.0.0" }, null, 2));
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: shop-infra\nruntime: nodejs\ndescription: A team's own program\n");
        fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
        fs.writeFileSync(path.join(project, "index.ts"), PROGRAM);
        // One or two packages at a time (many at once can stall npm 11 here).
        npm(["install", "--no-audit", "--no-fund", `@pulumi/pulumi@${installed("@pulumi/pulumi")}`, `@pulumi/aws@${installed("@pulumi/aws")}`], project);
        npm(["install", "--no-audit", "--no-fund", tarball], project);
    });

    after(() => {
        if (tmp) {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    for (const typescript of ["6", "5"]) {
        it(`npx sealed-infra check . with TypeScript ${typescript}: exactly the hand-written repository's finding`, () => {
            npm(["install", "--no-audit", "--no-fund", "--save-dev", `typescript@${typescript}`], project);
            assert.ok(!fs.existsSync(path.join(project, "node_modules", "ts-node")), "no ts-node in the project: Pulumi's own tooling compiles it");
            const version = JSON.parse(fs.readFileSync(path.join(project, "node_modules", "typescript", "package.json"), "utf8")).version;
            assert.equal(version.split(".")[0], typescript);

            const run = spawnSync("npx", ["--no-install", "sealed-infra", "check", ".", "--format", "json"], { cwd: project, env: npmEnv({ typeCheck: true }), encoding: "utf8" });
            assert.equal(run.status, 1, `exit 1 (mandatory violations); stderr: ${run.stderr}`);
            const report = JSON.parse(run.stdout);
            assert.deepEqual(report.policyPacks, [{ name: "sealed-infra", version: ROOT_PACKAGE.version }]);
            assert.deepEqual(
                report.violations.map((v: { enforcementLevel: string; policyName: string; resourceName: string }) => `${v.enforcementLevel} ${v.policyName} ${v.resourceName}`),
                ["mandatory ecr-tags-immutable scratch"],
            );
            assert.deepEqual(report.notes, []);
            assert.ok(report.resources > 10, "the components' children were recorded and checked");
            assert.deepEqual(report.violations[0].source, { file: "index.ts", line: 15, column: 1 }, "the finding is at the line that declared the repository");
        });
    }

    it("a preview of the components from the tarball is quiet: no finding and no note but the hand-written repository's", () => {
        const run = spawnSync("npx", ["--no-install", "sealed-infra", "check", ".", "--preview", "--format", "json"], { cwd: project, env: npmEnv({ typeCheck: true }), encoding: "utf8" });
        assert.equal(run.status, 1, `exit 1 (mandatory violations); stderr: ${run.stderr}`);
        const report = JSON.parse(run.stdout);
        assert.deepEqual(
            report.violations.map((v: { enforcementLevel: string; policyName: string; resourceName: string }) => `${v.enforcementLevel} ${v.policyName} ${v.resourceName}`),
            ["mandatory ecr-tags-immutable scratch"],
        );
        assert.deepEqual(report.notes, [], "every value the components' policies need is known in preview");
    });

    it("reports a type error in that project as pulumi preview would, with the first diagnostic", () => {
        fs.writeFileSync(path.join(project, "index.ts"), `${PROGRAM}\nconst port: number = "8080";\n`);
        const run = spawnSync("npx", ["--no-install", "sealed-infra", "check", "."], { cwd: project, env: npmEnv({ typeCheck: true }), encoding: "utf8" });
        assert.equal(run.status, 2);
        assert.equal(run.stdout, "");
        assert.match(run.stderr, /^sealed-infra: program \. failed: TypeScript error: index\.ts:\d+:7 TS2322 Type 'string' is not assignable to type 'number'\.\n$/);
    });
});
