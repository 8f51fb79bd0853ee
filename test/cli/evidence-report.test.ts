/**
 * `sealed-infra report`: a self-contained evidence report (HTML or Markdown) with the stack, the
 * pack version and config digest, each guarantee's status (per policy and per resource), the
 * findings, the duty graph, the waivers and approvals, the notes and the time it was produced.
 * Stack exports keep these fast; test/browser/report.test.ts renders example programs in Chromium.
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/main";
import { canonicalJson } from "../../cli/evidence/collect";
import { escapeHtml } from "../../cli/evidence/html";
import { mdCell } from "../../cli/evidence/markdown";

const EXPORTS = path.join(__dirname, "..", "fixtures", "exports");
const VIOLATING = path.join(EXPORTS, "violating.json");
const COMPLIANT = path.join(EXPORTS, "compliant.json");

async function run(...args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** A pack config with one waiver of the violating export's ECR finding (text that needs escaping). */
function waiverConfig(dir: string): string {
    const file = path.join(dir, "waiver-config.json");
    fs.writeFileSync(
        file,
        JSON.stringify({
            waivers: {
                entries: [
                    {
                        policy: "ecr-tags-immutable",
                        name: "images",
                        reason: 'Legacy <repo> "images" | migrating & cutting over',
                        approvedBy: "security@acme.example",
                        ticket: "SEC-42",
                        expires: inDays(30),
                    },
                ],
            },
        }),
    );
    return file;
}

/** Every URL an HTML document would load or link to. */
function externalReferences(html: string): string[] {
    return [...html.matchAll(/\b(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*((?:https?:)?\/\/[^"' >]+)/gi), ...html.matchAll(/url\(\s*["']?((?:https?:)?\/\/[^)"']+)/gi), ...html.matchAll(/@import\s+["']?((?:https?:)?\/\/[^"';]+)/gi)].map((m) => m[1]);
}

describe("sealed-infra report", function () {
    this.timeout(120_000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-infra-report-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes a self-contained HTML report of a blocked stack: guarantees, resources, findings, graph, waivers, notes, digest, date", async () => {
        const out = path.join(dir, "violating.html");
        const config = waiverConfig(dir);
        const before = Date.now();
        const r = await run("report", "--stack-export", VIOLATING, "--config", config, "--out", out);
        assert.equal(r.stderr, "");
        assert.equal(r.code, 1, "blocked like check");
        assert.match(r.stdout, /violating\.html: blocked \(2 mandatory, 1 advisory, 2 notes; 1 waivers, 0 approvals\)\n$/);
        const html = fs.readFileSync(out, "utf8");

        // Self-contained: nothing to fetch, nothing to run.
        assert.deepEqual(externalReferences(html), []);
        assert.doesNotMatch(html, /<script|<link|<iframe|<img/i);
        assert.match(html, /<style>[^<]+<\/style>/);
        assert.match(html, /^<!DOCTYPE html>/);

        // What was checked, with what, when.
        assert.match(html, /<code>organization\/shop\/prod<\/code>|shop\/prod/);
        assert.match(html, /Pack config SHA-256<\/td><td><code>[0-9a-f]{64}<\/code>/);
        const produced = Date.parse(/<time datetime="([^"]+)">/.exec(html)![1]);
        assert.ok(produced >= before - 1000 && produced <= Date.now() + 1000);
        assert.match(html, /Policy pack<\/td><td>sealed-infra [0-9.]+/);

        // Each guarantee with its status, each policy with its status.
        for (const g of ["immutable-artifacts", "immutable-updates", "separated-duties", "exceptions"]) {
            assert.match(html, new RegExp(`data-guarantee-status="${g}">[^<]+: <span class="status s-(passed|violated|advisory|waived)">`), g);
        }
        assert.match(html, /data-guarantee-status="immutable-artifacts">[^<]+: <span class="status s-violated">violated/);
        assert.match(html, /data-policy-status="ecr-tags-immutable"><span class="status s-waived">waived/);
        assert.match(html, /data-policy-status="s3-versioning-enabled"><span class="status s-violated">violated/);
        assert.match(html, /data-policy-status="duties-separated"><span class="status s-passed">passed/);
        // Per resource: the waived repository and the violating bucket versioning.
        const resources = /<table id="resources">([\s\S]*?)<\/table>/.exec(html)![1];
        const headers = [.../<thead>([\s\S]*?)<\/thead>/.exec(resources)![1].matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1]);
        const column = headers.indexOf("Immutable artifacts and records");
        const cells = (type: string, name: string) =>
            [...new RegExp(`<tr><td><code>${type.replace(/\//g, "\\/")}</code></td><td>${name}</td>(.*)</tr>`).exec(resources)![1].matchAll(/s-([a-z-]+)"/g)].map((m) => m[1]);
        assert.equal(cells("aws:ecr/repository:Repository", "images")[column - 2], "waived");
        assert.equal(cells("aws:s3/bucketVersioning:BucketVersioning", "data")[column - 2], "violated");
        assert.deepEqual(cells("aws:s3/bucket:Bucket", "data"), ["passed", "passed", "passed", "passed"]);

        // The waiver in force, escaped, with the finding it waived.
        const waivers = /<table id="waivers">([\s\S]*?)<\/table>/.exec(html)![1];
        assert.ok(waivers.includes(escapeHtml('Legacy <repo> "images" | migrating & cutting over')), waivers);
        assert.match(waivers, /security@acme\.example<\/td><td>SEC-42<\/td><td>\d{4}-\d{2}-\d{2}<\/td><td><span class="status s-in-force">in force<\/span><\/td><td>1<\/td>/);
        assert.ok(!html.includes("<repo>"), "config text is escaped");

        // The graph is drawn inline; approvals and notes sections say what they hold.
        assert.match(html, /<figure id="graph" class="graph">\s*<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        assert.doesNotMatch(html, /<!--/);
        assert.match(html, /<p id="approvals" class="muted">The stack carries no release approvals\.<\/p>/);
        assert.equal((/<ul id="notes" class="notes">([\s\S]*?)<\/ul>/.exec(html)![1].match(/<li>/g) ?? []).length, 2);
    });

    it("lists every waiver with the state the pack gives it: in force, expired (its finding is mandatory again), invalid (with why)", async () => {
        const config = path.join(dir, "three-waivers.json");
        const entry = { approvedBy: "security@acme.example", ticket: "SEC-7", reason: "temporary exception for the migration" };
        fs.writeFileSync(
            config,
            JSON.stringify({
                waivers: {
                    entries: [
                        { ...entry, policy: "ecr-tags-immutable", name: "images", expires: inDays(10) },
                        { ...entry, policy: "s3-versioning-enabled", name: "data", expires: inDays(-3) },
                        { ...entry, policy: "images-pinned-by-digest", name: "web", expires: inDays(400) },
                    ],
                },
            }),
        );
        const out = path.join(dir, "three-waivers.html");
        assert.equal((await run("report", "--stack-export", VIOLATING, "--config", config, "--out", out)).code, 1);
        const rows = [.../<table id="waivers">([\s\S]*?)<\/table>/.exec(fs.readFileSync(out, "utf8"))![1].matchAll(/<tr><td><code>([^<]+)<\/code><\/td>(.*)<\/tr>/g)].map((m) => ({
            policy: m[1],
            state: /class="status s-([a-z-]+)"/.exec(m[2])![1],
            applied: /<td>(\d+)<\/td>$/.exec(m[2])![1],
            row: m[2],
        }));
        assert.deepEqual(
            rows.map((r) => [r.policy, r.state, r.applied]),
            [
                ["ecr-tags-immutable", "in-force", "1"],
                ["s3-versioning-enabled", "expired", "0"],
                ["images-pinned-by-digest", "invalid", "0"],
            ],
        );
        assert.match(rows[2].row, /beyond the 90-day maximum \(maxDays\)/);
    });

    it("digests the effective pack config: another config, another digest; the same config, the same digest", async () => {
        const digest = async (...extra: string[]) => {
            const out = path.join(dir, `d${Math.random().toString(36).slice(2)}.html`);
            await run("report", "--stack-export", VIOLATING, "--out", out, ...extra);
            return /Pack config SHA-256<\/td><td><code>([0-9a-f]{64})<\/code>/.exec(fs.readFileSync(out, "utf8"))![1];
        };
        const plain = await digest();
        assert.equal(await digest(), plain);
        assert.notEqual(await digest("--config", waiverConfig(dir)), plain);
        // Canonical JSON: key order does not change it.
        assert.equal(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] }), canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }));
        assert.equal(createHash("sha256").update(canonicalJson({})).digest("hex").length, 64);
    });

    it("writes Markdown when --out ends in .md: tables and the graph in a mermaid block", async () => {
        const out = path.join(dir, "violating.md");
        const r = await run("report", "--stack-export", VIOLATING, "--config", waiverConfig(dir), "--out", out);
        assert.equal(r.code, 1);
        const md = fs.readFileSync(out, "utf8");
        assert.match(md, /^# Evidence report: /);
        assert.match(md, /\n```mermaid\nflowchart LR\n[\s\S]*?\n```\n/);
        assert.match(md, /\| Pack config SHA-256 \| [0-9a-f]{64} \|/);
        assert.match(md, /\| Immutable artifacts and records \| ecr-tags-immutable \| mandatory \| high \| \*\*waived\*\* \| 1 \|/);
        assert.ok(md.includes(mdCell('Legacy <repo> "images" | migrating & cutting over')));
        assert.ok(md.includes("\\|"), "pipes in cells are escaped");
        assert.match(md, /## Not verified\n\n- /);
        // --format wins over the extension.
        const forced = path.join(dir, "forced.txt");
        assert.equal((await run("report", "--stack-export", COMPLIANT, "--format", "markdown", "--out", forced)).code, 0);
        assert.match(fs.readFileSync(forced, "utf8"), /^# Evidence report: /);
    });

    it("exits 0 for a compliant stack, with every guarantee passed", async () => {
        const out = path.join(dir, "compliant.html");
        const r = await run("report", "--stack-export", COMPLIANT, "--out", out);
        assert.equal(r.code, 0, r.stderr);
        const html = fs.readFileSync(out, "utf8");
        assert.match(html, /Verdict<\/td><td><span class="status s-passed">passed/);
        assert.doesNotMatch(html, /data-guarantee-status="[^"]+">[^<]+: <span class="status s-violated">/);
    });

    describe("usage errors: one line, exit code 2, nothing written", () => {
        const cases: [string, string[], RegExp][] = [
            ["no --out", ["report", "--stack-export", VIOLATING], /^sealed-infra: missing --out <file>: the report is written to a file, e\.g\. --out evidence\.html \(or evidence\.md\)\n$/],
            ["an --out whose extension names no format", ["report", "--stack-export", VIOLATING, "--out", "REPORT.txt"], /^sealed-infra: cannot tell the report format from --out REPORT\.txt: name it \.html or \.md, or give --format html\|markdown\n$/],
            ["an unknown --format", ["report", "--stack-export", VIOLATING, "--format", "pdf", "--out", "REPORT.pdf"], /^sealed-infra: option '--format <format>' argument 'pdf' is invalid\. Allowed choices are html, markdown\.\n$/],
            ["a missing directory", ["report", "--stack-export", VIOLATING, "--out", "no-such-dir/r.html"], /^sealed-infra: cannot write .*no-such-dir\/r\.html: the directory .*no-such-dir does not exist\n$/],
            ["a missing stack export", ["report", "--stack-export", "nope.json", "--out", "REPORT.html"], /^sealed-infra: .*nope\.json/],
        ];
        for (const [name, args, message] of cases) {
            it(name, async () => {
                const cwd = fs.mkdtempSync(path.join(dir, "cwd-"));
                let stdout = "";
                let stderr = "";
                const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd });
                assert.equal(code, 2);
                assert.equal(stdout, "");
                assert.match(stderr, message);
                assert.deepEqual(fs.readdirSync(cwd), []);
            });
        }
    });
});
