/**
 * What the offline model cannot know, it must not invent: values a provider or the cloud computes
 * (a build's image digest, an ARN the provider assigns, a generated key pair name, data sources)
 * stay unknown in update mode as in preview; what rests on them is a note per resource saying it
 * could not be verified offline, never a mandatory finding and never silent; components rendered by tools at
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

            it("says what it could not verify, once per resource that depends on unknown values, among the notes", () => {
                const expected: Array<[string, string, string[]]> = [
                    ["app", "containerDefinitions", ["images-pinned-by-digest"]], // the image digest of a build
                    ["host", "keyName", ["ec2-immutable-hosts"]], // the generated key pair name
                    ["reader-parameter", "policy", ["duties-separated", "no-duty-escalation", "no-standing-admin"]], // a policy on an ARN the provider assigns
                ];
                const wording =
                    mode === "preview"
                        ? / not known until the update; .* at update\.$/
                        : / not known offline \(set by the cloud, or not computable offline\); .* in pulumi preview with the pack, at update at the latest\.$/;
                for (const [resource, property, policies] of expected) {
                    const notes = run.notes.filter((n) => n.includes(`"${resource}" (`));
                    assert.equal(notes.length, 1, `one note on ${resource}; have:\n${run.notes.join("\n")}`);
                    assert.match(notes[0], new RegExp(`"${resource}" \\(test/fixtures/programs/offline-gaps/index\\.ts:\\d+:\\d+\\): ${property} (is|are) `));
                    assert.match(notes[0], wording);
                    for (const policy of policies) {
                        assert.ok(notes[0].includes(policy), `${policy} in ${notes[0]}`);
                    }
                }
                assert.deepEqual(run.violations.filter((v) => v.enforcementLevel === "advisory").map(line), [], "none of them is a finding");
            });

            it("notes each data source whose result is unknown offline, and the program does not crash on indexing them", () => {
                assert.deepEqual(
                    run.notes
                        .map((n) => /data source (\S+) reads the cloud at deploy time/.exec(n)?.[1])
                        .filter((source) => source !== undefined)
                        .sort(),
                    ["aws:ec2/getSubnets:getSubnets", "aws:organizations/getOrganization:getOrganization", "aws:ssm/getParameter:getParameter"],
                );
                // Every other note is on a value not known (the test above): nothing else.
                assert.deepEqual(run.notes.filter((n) => !/data source \S+ reads the cloud/.test(n) && !/ (is|are) not known /.test(n)), []);
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
