/**
 * What the offline model cannot know, it must not invent: values a provider or the cloud computes
 * (a build's image digest, an ARN the provider assigns, a generated key pair name, data sources)
 * stay unknown in update mode as in preview; findings that rest on them are advisories saying they
 * could not be verified offline, never mandatory and never silent; components rendered by tools at
 * deploy time are notes in every report format. Also: ES-module programs run, and a report larger
 * than a pipe's buffer arrives whole through a pipe.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as path from "path";
import { main } from "../../cli/main";

const ROOT = path.resolve(__dirname, "..", "..");
const PROGRAMS = path.join(__dirname, "..", "fixtures", "programs");

interface Violation {
    policyName: string;
    enforcementLevel: string;
    resourceName: string;
    message: string;
}

interface JsonRun {
    code: number;
    violations: Violation[];
    notes: string[];
    stderr: string;
}

async function checkJson(program: string, ...flags: string[]): Promise<JsonRun> {
    let stdout = "";
    let stderr = "";
    const code = await main(["check", path.join(PROGRAMS, program), "--format", "json", ...flags], {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        cwd: ROOT,
    });
    assert.notEqual(code, 2, `the check failed to run: ${stderr}`);
    const report = JSON.parse(stdout);
    assert.equal(report.summary.notes, report.notes.length);
    return { code, violations: report.violations, notes: report.notes.map((n: { message: string }) => n.message), stderr };
}

const line = (v: Violation) => `${v.enforcementLevel} ${v.policyName} ${v.resourceName}`;

describe("program mode: what the offline model cannot compute", function () {
    this.timeout(180_000);

    for (const mode of ["update", "preview"] as const) {
        describe(`in ${mode} mode`, () => {
            let run: JsonRun;
            before(async () => {
                run = await checkJson("offline-gaps", ...(mode === "preview" ? ["--preview"] : []));
            });

            it("blocks only what the program states (the literal key pair name), nothing resting on unknown values", () => {
                assert.deepEqual(run.violations.filter((v) => v.enforcementLevel === "mandatory").map(line), ["mandatory ec2-immutable-hosts host-with-literal-key"]);
                assert.equal(run.code, 1);
            });

            it("says what it could not verify, on the resources that depend on unknown values", () => {
                const advisories = run.violations.filter((v) => v.enforcementLevel === "advisory");
                const expected = [
                    ["images-pinned-by-digest", "app", "containerDefinitions"], // the image digest of a build
                    ["ec2-immutable-hosts", "host", "keyName"], // the generated key pair name
                    ["duties-separated", "reader-parameter", "policy"], // a policy on an ARN the provider assigns
                    ["no-duty-escalation", "reader-parameter", "policy"],
                    ["no-standing-admin", "reader-parameter", "policy"],
                ];
                for (const [policy, resource, property] of expected) {
                    const found = advisories.find((v) => v.policyName === policy && v.resourceName === resource);
                    assert.ok(found, `no advisory of ${policy} on ${resource}; have:\n${advisories.map(line).join("\n")}`);
                    const wording = mode === "preview" ? /is not known until the update, so it will be verified at update/ : /is not known offline .*, so it could not be verified that .*; pulumi preview with the pack checks it/;
                    assert.match(found.message, new RegExp(`"${resource}": ${property} `));
                    assert.match(found.message, wording);
                }
            });

            it("notes each data source whose result is unknown offline, and the program does not crash on indexing them", () => {
                assert.deepEqual(
                    run.notes.map((n) => /data source (\S+) reads the cloud at deploy time/.exec(n)?.[1]).sort(),
                    ["aws:ec2/getSubnets:getSubnets", "aws:organizations/getOrganization:getOrganization"],
                );
            });
        });
    }

    it("derives what can be derived: a data source's known result is used, not noted", async () => {
        // getPartition is derived offline; the ES-module program tags its repository with it.
        const run = await checkJson("esm-js");
        assert.deepEqual(run.notes, []);
    });
});

describe("program mode: ES-module programs run as Pulumi runs them", function () {
    this.timeout(180_000);

    for (const program of ["esm-js", "esm-ts"]) {
        it(`${program}: package.json "type": "module", top-level await, exactly the repository's findings`, async () => {
            const run = await checkJson(program);
            assert.deepEqual(run.violations.map(line).sort(), ["mandatory critical-resources-protected images", "mandatory ecr-tags-immutable images"]);
            assert.equal(run.code, 1);
        });
    }
});

describe("program mode: components rendered at deploy time are never a silent pass", function () {
    this.timeout(180_000);
    const EXPECTED = [
        /^kubernetes:helm\.sh\/v3:Chart "ingress" renders its Helm chart with `helm template` at deploy time; its resources are not checked offline/,
        /^kubernetes:kustomize:Directory "web" renders its kustomization with `kustomize build` at deploy time; its resources are not checked offline/,
        /^kubernetes:helm\.sh\/v4:Chart "monitoring" is a remote component whose resources its provider creates at deploy time; they are not checked offline/,
        /^kubernetes:kustomize\/v2:Directory "web-v2" is a remote component/,
        /^kubernetes:helm\.sh\/v3:Release "cache" installs a Helm chart whose objects are not Pulumi resources/,
    ];

    const assertAllNoted = (notes: string[]) => {
        assert.equal(notes.length, EXPECTED.length, notes.join("\n"));
        for (const pattern of EXPECTED) {
            assert.ok(notes.some((n) => pattern.test(n)), `no note matches ${pattern}:\n${notes.join("\n")}`);
        }
    };

    it("JSON: a notes array, and no finding claimed", async () => {
        const run = await checkJson("k8s-rendered");
        assertAllNoted(run.notes);
        assert.equal(run.code, 0);
    });

    it("SARIF: tool execution notifications at warning level", async () => {
        let stdout = "";
        const code = await main(["check", path.join(PROGRAMS, "k8s-rendered"), "--format", "sarif"], { stdout: (t) => (stdout += t), stderr: () => undefined, cwd: ROOT });
        assert.equal(code, 0);
        const sarif = JSON.parse(stdout);
        const notifications = sarif.runs[0].invocations[0].toolExecutionNotifications as Array<{ level: string; message: { text: string } }>;
        assert.ok(notifications.every((n) => n.level === "warning"));
        assertAllNoted(notifications.map((n) => n.message.text));
    });

    it("text: no bare ✅, the notes listed under the pack's section", async () => {
        let stdout = "";
        const code = await main(["check", path.join(PROGRAMS, "k8s-rendered")], { stdout: (t) => (stdout += t), stderr: () => undefined, cwd: ROOT });
        assert.equal(code, 0);
        assert.doesNotMatch(stdout, /✅/);
        assert.match(stdout, /⚠️ sealed-infra@v/);
        assert.match(stdout, /\nNot checked offline:\n {4}- /);
        assert.match(stdout, /in \d+ resources analyzed; 5 notes on what was not checked\n$/);
    });
});

describe("the installed command writes whole reports through a pipe", function () {
    this.timeout(180_000);

    it("a SARIF report of more than 64 KiB arrives complete and parses", async () => {
        const child = spawn(process.execPath, [path.join(ROOT, "cli", "launcher.js"), "check", "examples/violations", "--format", "sarif"], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        const chunks: Buffer[] = [];
        // A slow reader: the pipe fills up and the writer must wait for it.
        child.stdout.on("data", (d: Buffer) => {
            chunks.push(d);
            child.stdout.pause();
            setTimeout(() => child.stdout.resume(), 5);
        });
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        const text = Buffer.concat(chunks).toString("utf8");
        assert.equal(code, 1);
        assert.ok(text.length > 64 * 1024, `the report is ${text.length} bytes; this test needs one above a pipe's 64 KiB`);
        const sarif = JSON.parse(text);
        assert.ok(sarif.runs[0].results.length > 50);
    });
});
