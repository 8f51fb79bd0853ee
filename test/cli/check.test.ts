import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/main";

const ROOT = path.resolve(__dirname, "..", "..");
const rel = (p: string) => path.relative(ROOT, path.join(__dirname, "..", "fixtures", p));
const VIOLATING_EXPORT = rel("exports/violating.json");
const COMPLIANT_EXPORT = rel("exports/compliant.json");
const VIOLATING_PROGRAM = rel("programs/violating");
const COMPLIANT_PROGRAM = rel("programs/compliant");
const THE_THREE = ["ecr-tags-immutable", "images-pinned-by-digest", "s3-versioning-enabled"];

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

async function check(...args: string[]): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const code = await main(["check", ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: ROOT });
    return { code, stdout, stderr };
}

interface JsonViolation {
    policyName: string;
    enforcementLevel: string;
    severity: string;
    urn: string;
    resourceType: string;
    resourceName: string;
    message: string;
}

function violations(run: Run): JsonViolation[] {
    return JSON.parse(run.stdout).violations;
}

/** Exit 2: exactly one line on stderr, nothing on stdout. */
function assertUsageError(run: Run, pattern: RegExp): void {
    assert.equal(run.code, 2, `exit code; stderr: ${run.stderr}`);
    assert.equal(run.stdout, "", "nothing on stdout");
    const lines = run.stderr.split("\n");
    assert.equal(lines.length, 2, `exactly one stderr line, got:\n${run.stderr}`);
    assert.equal(lines[1], "");
    assert.match(lines[0], /^sealed-infra: /);
    assert.match(lines[0], pattern);
}

describe("sealed-infra check (end to end, through the real pack over gRPC)", function () {
    this.timeout(180_000);

    describe("stack-export mode", () => {
        it("the violating stack: exactly three mandatory violations, exit 1", async () => {
            const run = await check("--stack-export", VIOLATING_EXPORT, "--format", "json");
            assert.equal(run.code, 1, run.stderr);
            const json = JSON.parse(run.stdout);
            assert.deepEqual(json.policyPacks, [{ name: "sealed-infra", version: "0.1.0" }]);
            assert.equal(json.resources, 9);
            assert.deepEqual(json.summary, { mandatory: 3, advisory: 0, notes: 2 });
            const v = violations(run);
            assert.deepEqual(v.map((x) => x.policyName), THE_THREE);
            assert.ok(v.every((x) => x.enforcementLevel === "mandatory"));
            assert.deepEqual(v.map((x) => x.urn), [
                "urn:pulumi:prod::shop::aws:ecr/repository:Repository::images",
                "urn:pulumi:prod::shop::acme:web:App$kubernetes:apps/v1:Deployment::web",
                "urn:pulumi:prod::shop::aws:s3/bucketVersioning:BucketVersioning::data",
            ]);
            assert.match(v[0].message, /MUTABLE/);
            assert.match(v[1].message, /nginx:1\.25/);
            assert.match(v[2].message, /Suspended/);
            // What the export could not give (a pending operation, encrypted secrets) is in the report, not on stderr.
            assert.deepEqual(json.notes.map((n: { message: string }) => /pending operation|encrypted secret/.test(n.message)), [true, true]);
            assert.equal(run.stderr, "");
        });

        it("the compliant stack: no violation, exit 0", async () => {
            const run = await check("--stack-export", COMPLIANT_EXPORT, "--format", "json");
            assert.equal(run.code, 0, run.stderr);
            assert.deepEqual(violations(run), []);
            assert.deepEqual(JSON.parse(run.stdout).summary, { mandatory: 0, advisory: 0, notes: 2 });
        });

        it("text format: the CLI's pack header, each policy's description once, then its findings", async () => {
            const run = await check("--stack-export", VIOLATING_EXPORT);
            assert.equal(run.code, 1);
            const lines = run.stdout.split("\n");
            assert.equal(lines[0], "Policies:");
            assert.equal(lines[1], "    ❌ sealed-infra@v0.1.0 (local: policypack)");
            assert.match(lines[2], /^ {8}ecr-tags-immutable \[severity: high\]: ECR repositories/);
            assert.match(lines[3], /^ {10}- \[mandatory\] aws:ecr:Repository "images": /);
            assert.match(lines[4], /^ {8}images-pinned-by-digest \[severity: high\]: /);
            assert.match(lines[5], /^ {10}- \[mandatory\] kubernetes:apps\/v1:Deployment "web": /);
            assert.match(lines[6], /^ {8}s3-versioning-enabled \[severity: high\]: /);
            assert.match(lines[7], /^ {10}- \[mandatory\] aws:s3:BucketVersioning "data": /);
            assert.ok(lines.includes("Not checked offline:"));
            assert.equal(lines[lines.length - 2], "3 mandatory violations, 0 advisory violations in 9 resources analyzed; 2 notes on what was not checked");
        });

        it("an export's sourcePosition puts findings at the program's line, relative to the project named in the export", async () => {
            const dir = fs.mkdtempSync(path.join(ROOT, ".si-positions-"));
            try {
                const doc = JSON.parse(fs.readFileSync(path.join(ROOT, VIOLATING_EXPORT), "utf8"));
                for (const r of doc.deployment.resources) {
                    if (r.urn.endsWith("::images")) {
                        r.sourcePosition = "project:///infra/index.ts#6,1";
                    } else if (r.urn.endsWith("acme:web:App::web")) {
                        r.sourcePosition = "project:///infra/app.ts#3,5"; // the Deployment inside has none: its component's line
                    } else if (r.type === "aws:s3/bucketVersioning:BucketVersioning") {
                        r.sourcePosition = "project:///node_modules/x/index.js#1,1"; // a dependency's line is no place to look
                    }
                }
                fs.mkdirSync(path.join(dir, "exports"));
                fs.writeFileSync(path.join(dir, "exports", "stack.json"), JSON.stringify(doc));
                fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: shop\nruntime: nodejs\n");
                const shown = path.relative(ROOT, dir).split(path.sep).join("/");
                const run = await check("--stack-export", `${shown}/exports/stack.json`, "--format", "json");
                const v = violations(run) as Array<JsonViolation & { source?: unknown }>;
                assert.deepEqual(v.map((x) => x.source), [
                    { file: `${shown}/infra/index.ts`, line: 6, column: 1 },
                    { file: `${shown}/infra/app.ts`, line: 3, column: 5 },
                    undefined,
                ]);
                const sarif = JSON.parse((await check("--stack-export", `${shown}/exports/stack.json`, "--format", "sarif")).stdout);
                assert.deepEqual(sarif.runs[0].results[0].locations[0].physicalLocation, { artifactLocation: { uri: `${shown}/infra/index.ts` }, region: { startLine: 6, startColumn: 1 } });
                assert.deepEqual(sarif.runs[0].results[2].locations[0].physicalLocation, { artifactLocation: { uri: `${shown}/exports/stack.json` } });
                assert.match((await check("--stack-export", `${shown}/exports/stack.json`)).stdout, new RegExp(`- \\[mandatory\\] ${shown}/infra/index\\.ts:6:1: aws:ecr:Repository "images": `));
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("SARIF format", async () => {
            const run = await check("--stack-export", VIOLATING_EXPORT, "--format", "sarif");
            assert.equal(run.code, 1);
            const sarif = JSON.parse(run.stdout);
            assert.equal(sarif.version, "2.1.0");
            const r = sarif.runs[0];
            assert.equal(r.tool.driver.name, "sealed-infra");
            assert.ok(r.tool.driver.rules.length >= 3);
            assert.deepEqual(r.results.map((x: { ruleId: string }) => x.ruleId), THE_THREE);
            assert.ok(r.results.every((x: { level: string }) => x.level === "error"));
            assert.equal(r.results[0].locations[0].logicalLocations[0].fullyQualifiedName, "urn:pulumi:prod::shop::aws:ecr/repository:Repository::images");
            // Code scanning (GitHub) needs a physical location on every result: without a recorded
            // declaration (this export has none), the checked file.
            for (const x of r.results) {
                assert.equal(x.locations[0].physicalLocation.artifactLocation.uri, VIOLATING_EXPORT.split(path.sep).join("/"));
            }
        });

        it("SARIF results of a program point at the line that declared the resource", async () => {
            const run = await check(VIOLATING_PROGRAM, "--format", "sarif");
            const results = JSON.parse(run.stdout).runs[0].results;
            assert.deepEqual(
                results.map((x: { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }) => [
                    x.ruleId,
                    x.locations[0].physicalLocation.artifactLocation.uri,
                    x.locations[0].physicalLocation.region.startLine,
                ]),
                [
                    ["ecr-tags-immutable", `${VIOLATING_PROGRAM.split(path.sep).join("/")}/index.ts`, 6],
                    ["images-pinned-by-digest", `${VIOLATING_PROGRAM.split(path.sep).join("/")}/index.ts`, 8],
                    ["s3-versioning-enabled", `${VIOLATING_PROGRAM.split(path.sep).join("/")}/index.ts`, 27],
                ],
            );
        });

        it("--config disables a policy as the engine reconciles it", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "si-config-"));
            try {
                const cfg = path.join(dir, "cfg.json");
                fs.writeFileSync(cfg, JSON.stringify({ "ecr-tags-immutable": "disabled" }));
                const run = await check("--stack-export", VIOLATING_EXPORT, "--format", "json", "--config", cfg);
                assert.equal(run.code, 1);
                assert.deepEqual(violations(run).map((x) => x.policyName), THE_THREE.slice(1));

                fs.writeFileSync(cfg, "{ not json");
                assertUsageError(await check("--stack-export", VIOLATING_EXPORT, "--config", cfg), /^sealed-infra: policy pack config .* is not valid JSON/);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("program mode", () => {
        it("the violating program: the same three mandatory violations, exit 1", async () => {
            const run = await check(VIOLATING_PROGRAM, "--format", "json");
            assert.equal(run.code, 1, run.stderr);
            const v = violations(run);
            assert.deepEqual(v.map((x) => x.policyName), THE_THREE);
            assert.deepEqual(v.map((x) => x.urn), [
                "urn:pulumi:dev::check-violating::aws:ecr/repository:Repository::images",
                "urn:pulumi:dev::check-violating::kubernetes:apps/v1:Deployment::web",
                "urn:pulumi:dev::check-violating::aws:s3/bucketVersioning:BucketVersioning::data",
            ]);
            assert.equal(run.stderr, "");
        });

        it("the compliant program: no violation, exit 0", async () => {
            const run = await check(COMPLIANT_PROGRAM, "--format", "json");
            assert.equal(run.code, 0, run.stderr);
            assert.deepEqual(violations(run), []);
        });

        it("--preview: the bucket link survives the unknown id, so the same three are found", async () => {
            const run = await check(VIOLATING_PROGRAM, "--format", "json", "--preview");
            assert.equal(run.code, 1, run.stderr);
            assert.deepEqual(
                violations(run).filter((x) => x.enforcementLevel === "mandatory").map((x) => x.policyName),
                THE_THREE,
            );
        });
    });

    describe("bad input: exit 2, one stderr line, empty stdout", () => {
        it("truncated stack export", async () => {
            assertUsageError(
                await check("--stack-export", rel("exports/truncated.json")),
                /^sealed-infra: stack export test\/fixtures\/exports\/truncated\.json is not valid JSON: Unexpected end of JSON input at position 803$/,
            );
        });

        it("malformed stack export", async () => {
            assertUsageError(await check("--stack-export", rel("exports/malformed.json"), "--format", "json"), /is not valid JSON: /);
        });

        it("wrong-version stack export", async () => {
            assertUsageError(await check("--stack-export", rel("exports/wrong-version.json")), /has deployment version 1/);
        });

        it("a program that throws (stack trace only with --verbose)", async () => {
            const run = await check(rel("programs/throws"), "--format", "json");
            assertUsageError(run, /^sealed-infra: program test\/fixtures\/programs\/throws failed: boom: the deployment settings are missing \(at index\.ts:6:11\)$/);
            const verbose = await check(rel("programs/throws"), "--verbose");
            assert.equal(verbose.code, 2);
            assert.equal(verbose.stdout, "");
            assert.match(verbose.stderr, /^sealed-infra: program .* failed: boom/);
            assert.match(verbose.stderr, /at settings \(/);
        });

        it("a directory that is not a Pulumi project", async () => {
            assertUsageError(await check(rel("programs/no-project")), /failed: no Pulumi\.yaml in /);
        });

        it("a pack directory without PulumiPolicy.yaml", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "si-nopack-"));
            try {
                assertUsageError(await check("--stack-export", VIOLATING_EXPORT, "--policy-pack", dir), /PulumiPolicy\.yaml/);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("a pack that crashes at start, or prints garbage before its port", async () => {
            assertUsageError(await check("--stack-export", VIOLATING_EXPORT, "--policy-pack", rel("packs/throws-at-start")), /^sealed-infra: .+/);
            assertUsageError(await check("--stack-export", VIOLATING_EXPORT, "--policy-pack", rel("packs/garbage-stdout"), "--format", "json"), /^sealed-infra: .+/);
        });

        it("--stack that contradicts the stack export", async () => {
            assertUsageError(await check("--stack-export", VIOLATING_EXPORT, "--stack", "dev"), /--stack dev does not match the stack in .*violating\.json \(shop\/prod\)$/);
        });

        it("an unknown flag, a bad format, and both a program and an export", async () => {
            assertUsageError(await check("--bogus"), /^sealed-infra: unknown option '--bogus'/);
            assertUsageError(await check("--format", "xml"), /^sealed-infra: option '--format <format>' argument 'xml' is invalid/);
            assertUsageError(await check(VIOLATING_PROGRAM, "--stack-export", VIOLATING_EXPORT), /give either a program directory .* or --stack-export .*, not both/);
            assertUsageError(await check("a", "b"), /too many arguments/);
            let stderr = "";
            assert.equal(await main([], { stdout: () => undefined, stderr: (t) => (stderr += t) }), 2);
            assert.match(stderr, /^sealed-infra: missing command/);
            assert.equal(await main(["frobnicate"], { stdout: () => undefined, stderr: () => undefined }), 2);
        });

        /** A throwaway program beside the repository's dependencies (@pulumi/pulumi resolves from it). */
        function tempProgram(name: string, files: Record<string, string>): string {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), `si-${name}-`));
            fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\nmain: index.ts\n`);
            for (const [file, text] of Object.entries(files)) {
                fs.writeFileSync(path.join(dir, file), text);
            }
            return dir;
        }

        it("a TypeScript syntax error: the first compiler diagnostic with file:line:column", async () => {
            const dir = tempProgram("syntax", { "index.ts": 'import * as pulumi from "@pulumi/pulumi";\nconst = pulumi.getStack();\n' });
            assertUsageError(await check(dir), /failed: TypeScript error: index\.ts:2:7 TS1134 Variable declaration expected\. \(and \d+ more compiler errors\)$/);
        });

        it("a type error fails the check as it fails pulumi preview (the program is type-checked unless told otherwise)", async () => {
            const dir = tempProgram("types", {
                "index.ts": 'import * as pulumi from "@pulumi/pulumi";\nconst n: number = pulumi.getStack();\nexport const out = n;\n',
                "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, target: "es2022", module: "commonjs", skipLibCheck: true }, files: ["index.ts"] }),
            });
            const saved = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
            process.env.PULUMI_NODEJS_TRANSPILE_ONLY = "false"; // Pulumi's own switch; the test harness sets it to true
            try {
                assertUsageError(await check(dir), /failed: TypeScript error: index\.ts:2:7 TS2322 Type 'string' is not assignable to type 'number'\.$/);
            } finally {
                process.env.PULUMI_NODEJS_TRANSPILE_ONLY = saved;
            }
        });

        it("a thrown value that is not an Error is shown as it is", async () => {
            const dir = tempProgram("throws-object", { "index.ts": "throw { code: 42, reason: 'no settings' };\n" });
            assertUsageError(await check(dir), /failed: the program threw \{ code: 42, reason: 'no settings' \}$/);
        });

        it("--timeout is a hard bound on the program and every process it started", async () => {
            const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "si-timeout-")), "child.pid");
            const dir = tempProgram("hangs", {
                "index.ts": [
                    'import { spawn } from "child_process";',
                    'import * as fs from "fs";',
                    'const child = spawn("sleep", ["300"], { stdio: "inherit" });',
                    `fs.writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));`,
                    "setInterval(() => undefined, 1000);",
                    "",
                ].join("\n"),
            });
            const started = Date.now();
            assertUsageError(await check(dir, "--timeout", "15"), /failed: did not finish within 15 s \(the program and every process it started were stopped; --timeout <seconds> allows longer\)$/);
            assert.ok(Date.now() - started < 60_000, "the bound holds");
            const pid = Number(fs.readFileSync(pidFile, "utf8"));
            await new Promise((r) => setTimeout(r, 200));
            // Gone, or a zombie waiting for a container's init to reap it: either way no longer running.
            const state = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] : "gone";
            assert.ok(state === "gone" || state === "Z", `the program's child process was stopped too (state ${state})`);
            assertUsageError(await check(dir, "--timeout", "soon"), /--timeout "soon" is not a number of seconds greater than 0$/);
        });

        it("--stack takes what pulumi takes and rejects the rest", async () => {
            assertUsageError(await check(COMPLIANT_PROGRAM, "--stack", "my stack"), /--stack "my stack" is not a valid stack name: "my stack" may only contain letters, digits, hyphens, underscores and periods/);
            assertUsageError(await check(COMPLIANT_PROGRAM, "--stack", "a/b/c/d"), /--stack "a\/b\/c\/d" is not a valid stack name: it has more than three parts/);
            assertUsageError(await check(COMPLIANT_PROGRAM, "--stack", "acme/other-project/dev"), /--stack acme\/other-project\/dev names project other-project, but the program in .* is project check-compliant/);
            const run = await check(COMPLIANT_PROGRAM, "--stack", "acme/check-compliant/prod", "--format", "json");
            assert.equal(run.code, 0, run.stderr);
            assert.ok(JSON.parse(run.stdout).resources > 0);
        });

        it("a stack export whose resource type contradicts its URN", async () => {
            const doc = JSON.parse(fs.readFileSync(path.join(ROOT, COMPLIANT_EXPORT), "utf8"));
            const resource = doc.deployment.resources.find((r: { type: string }) => r.type === "aws:ecr/repository:Repository");
            resource.type = "aws:s3/bucket:Bucket";
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "si-export-")), "edited.json");
            fs.writeFileSync(file, JSON.stringify(doc));
            assertUsageError(await check("--stack-export", file), /of type aws:s3\/bucket:Bucket, which contradicts the type in its URN \(aws:ecr\/repository:Repository\)$/);
        });

        it("--help goes to stdout with exit 0", async () => {
            const run = await check("--help");
            assert.equal(run.code, 0);
            assert.match(run.stdout, /--stack-export <file>/);
            assert.equal(run.stderr, "");
        });
    });

    describe("the installed command (cli/launcher.js -> dist/cli/main.js)", () => {
        before(() => {
            // `npm test` builds dist/ before any test runs; the tests never rebuild it (others read it meanwhile).
            assert.ok(fs.existsSync(path.join(ROOT, "dist", "cli", "main.js")), "dist/ is built (npm run build)");
        });

        function launch(...args: string[]) {
            const r = spawnSync(process.execPath, [path.join(ROOT, "cli", "launcher.js"), "check", ...args], { cwd: ROOT, encoding: "utf8" });
            return { code: r.status, stdout: r.stdout, stderr: r.stderr };
        }

        it("exits 1 with the JSON report for the violating program (worker started from dist)", () => {
            const run = launch(VIOLATING_PROGRAM, "--format", "json");
            assert.equal(run.code, 1, run.stderr);
            assert.deepEqual(JSON.parse(run.stdout).violations.map((v: JsonViolation) => v.policyName), THE_THREE);
        });

        it("exits 0 for the compliant export and 2 with one line for a bad flag", () => {
            assert.equal(launch("--stack-export", COMPLIANT_EXPORT).code, 0);
            const bad = launch("--nope");
            assert.equal(bad.code, 2);
            assert.equal(bad.stdout, "");
            assert.equal(bad.stderr, "sealed-infra: unknown option '--nope'\n");
        });
    });
});
