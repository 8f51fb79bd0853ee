/**
 * The evidence report as an auditor sees it: rendered by a real headless Chromium (playwright-core
 * driving the system browser), for the deliberately violating example (with a waiver in the pack
 * config and the approval key of the approved example, so its self-signed approval is judged) and
 * for the compliant approved-release example (with its valid release approval). Screenshots go to
 * test/browser/.screenshots/ (gitignored; SEALED_INFRA_SCREENSHOTS=<dir> to put them elsewhere).
 *
 * Chromium is required: `apt-get install chromium`, or set SEALED_INFRA_CHROMIUM to a Chromium or
 * Chrome executable. Without it this test fails; it never skips.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chromium, Browser } from "playwright-core";
import { main } from "../../cli/main";

const ROOT = path.resolve(__dirname, "..", "..");
const EXAMPLES = path.join(ROOT, "examples");
const SHOTS = process.env.SEALED_INFRA_SCREENSHOTS ?? path.join(__dirname, ".screenshots");

export function chromiumExecutable(): string {
    const exe = process.env.SEALED_INFRA_CHROMIUM ?? "/usr/bin/chromium";
    let ok = false;
    try {
        fs.accessSync(exe, fs.constants.X_OK);
        ok = fs.statSync(exe).isFile();
    } catch {
        ok = false;
    }
    if (!ok) {
        throw new Error(
            `Chromium not found at ${exe}: the evidence report test renders the report in a real browser. ` +
                "Install it (Debian/Ubuntu: `apt-get install chromium`) or set SEALED_INFRA_CHROMIUM to a Chromium or Chrome executable.",
        );
    }
    return exe;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

interface PageFacts {
    verdict: string;
    guarantees: { guarantee: string; status: string }[];
    policyStatuses: number;
    policyRows: number;
    svgNodes: string[];
    svgPrincipalNodes: number;
    graphBox: { width: number; height: number } | null;
    holders: { kind: string; label: string }[];
    waiverRows: string[][];
    approvalRows: string[][];
    notes: number;
    badgeColour: string;
}

describe("evidence report in a headless browser", function () {
    this.timeout(300_000);
    let browser: Browser;
    let dir: string;

    before(async () => {
        const executablePath = chromiumExecutable();
        fs.mkdirSync(SHOTS, { recursive: true });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-infra-browser-"));
        browser = await chromium.launch({
            executablePath,
            args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    });
    after(async () => {
        await browser?.close();
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    async function report(example: string, config: unknown, name: string): Promise<{ file: string; code: number }> {
        const configFile = path.join(dir, `${name}-config.json`);
        fs.writeFileSync(configFile, JSON.stringify(config));
        const file = path.join(dir, `${name}.html`);
        let stderr = "";
        const code = await main(["report", path.join(EXAMPLES, example), "--config", configFile, "--out", file], { stdout: () => undefined, stderr: (t) => (stderr += t) });
        assert.ok(code === 0 || code === 1, `report failed (${code}): ${stderr}`);
        return { file, code };
    }

    async function open(file: string, name: string): Promise<PageFacts> {
        const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, offline: true });
        const page = await context.newPage();
        const requests: string[] = [];
        page.on("request", (r) => requests.push(r.url()));
        await page.goto(`file://${file}`, { waitUntil: "load" });
        const facts = (await page.evaluate(() => {
            // Runs in the page; the test compiles without the DOM library, so its globals are untyped here.
            const document = (globalThis as any).document;
            const getComputedStyle = (globalThis as any).getComputedStyle;
            const text = (el: any) => String(el?.textContent ?? "").trim();
            const rows = (id: string) => [...document.querySelectorAll(`#${id} tbody tr`)].map((tr: any) => [...tr.querySelectorAll("td")].map((td: any) => text(td)));
            const graph = document.querySelector("#graph svg");
            const box = graph?.getBoundingClientRect();
            const badge = document.querySelector("#facts .status");
            return {
                verdict: text(badge),
                guarantees: [...document.querySelectorAll("[data-guarantee-status]")].map((li: any) => ({ guarantee: li.getAttribute("data-guarantee-status")!, status: text(li.querySelector(".status")) })),
                policyStatuses: document.querySelectorAll("#guarantees [data-policy-status] .status").length,
                policyRows: document.querySelectorAll("#guarantees tbody tr").length,
                svgNodes: [...document.querySelectorAll("#graph svg g.node")].map((g: any) => [...g.querySelectorAll("text")].map((t: any) => t.textContent).join("\n")),
                svgPrincipalNodes: document.querySelectorAll("#graph svg g.node.principal").length,
                graphBox: box ? { width: box.width, height: box.height } : null,
                holders: [...document.querySelectorAll("#holders [data-node-kind]")].map((s: any) => ({ kind: s.getAttribute("data-node-kind")!, label: text(s) })),
                waiverRows: rows("waivers"),
                approvalRows: rows("approvals"),
                notes: document.querySelectorAll("#notes li").length,
                badgeColour: badge ? getComputedStyle(badge).backgroundColor : "",
            };
        })) as PageFacts;
        const full = path.join(SHOTS, `${name}.png`);
        await page.screenshot({ path: full, fullPage: true });
        // The graph at its natural size (the figure scrolls when the graph is wider than the page).
        const width = await page.locator("#graph svg").evaluate((svg) => Math.ceil((svg as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width));
        await page.setViewportSize({ width: Math.max(1400, width + 200), height: 1000 });
        await page.addStyleTag({ content: "main{max-width:none}.graph{overflow:visible}" });
        await page.locator("#graph svg").screenshot({ path: path.join(SHOTS, `${name}-graph.png`) });
        assert.ok(fs.statSync(full).size > 20_000, `${full} is a real picture`);
        // Nothing but the file itself was loaded: the report is self-contained.
        assert.deepEqual(requests.filter((u) => !u.startsWith("file://") && !u.startsWith("data:")), []);
        await context.close();
        return facts;
    }

    function checkCommon(facts: PageFacts): void {
        // Each guarantee has its status, each policy row too.
        assert.deepEqual(facts.guarantees.map((g) => g.guarantee).sort(), ["exceptions", "immutable-artifacts", "immutable-updates", "separated-duties"]);
        for (const g of facts.guarantees) {
            assert.match(g.status, /^(passed|violated|waived|advisory|disabled)$/, `${g.guarantee}: ${g.status}`);
        }
        assert.ok(facts.policyRows >= 20, `${facts.policyRows} policy rows`);
        assert.equal(facts.policyStatuses, facts.policyRows);
        // The graph is drawn, with its principal nodes: every principal of the duty holders table is a node of the SVG.
        assert.ok(facts.graphBox && facts.graphBox.width > 100 && facts.graphBox.height > 100, JSON.stringify(facts.graphBox));
        assert.ok(facts.svgPrincipalNodes > 0);
        const principals = facts.holders.filter((h) => h.kind === "aws" || h.kind === "k8s");
        assert.ok(principals.length > 0, "the example has duty holders");
        for (const h of principals) {
            assert.ok(
                facts.svgNodes.some((n) => n.split("\n")[0] === h.label),
                `principal ${h.label} is not a node of the graph: ${facts.svgNodes.map((n) => n.split("\n")[0]).join(" | ")}`,
            );
        }
        assert.notEqual(facts.badgeColour, "rgba(0, 0, 0, 0)", "the inline CSS applied");
    }

    it("renders the violations example: blocked, conflicts drawn, the waiver in force and the self-signed approval judged invalid", async () => {
        const approved = JSON.parse(fs.readFileSync(path.join(EXAMPLES, "approved-release", "policy-config.json"), "utf8"));
        const config = {
            ...approved,
            waivers: {
                entries: [
                    {
                        policy: "ecr-tags-immutable",
                        name: "mutable-images",
                        reason: 'Legacy <repo> "mutable-images" until the migration & cut-over',
                        approvedBy: "security@acme.example",
                        ticket: "SEC-42",
                        expires: inDays(30),
                    },
                ],
            },
        };
        const { file, code } = await report("violations", config, "violations");
        assert.equal(code, 1);
        const facts = await open(file, "violations");
        assert.equal(facts.verdict, "blocked");
        checkCommon(facts);
        assert.equal(facts.guarantees.find((g) => g.guarantee === "separated-duties")!.status, "violated");
        for (const name of ['role "deployer"', 'role "ci-all-powerful"', 'role "ops-admin"', "Group developers"]) {
            assert.ok(facts.svgNodes.some((n) => n.startsWith(name)), `${name} drawn`);
        }
        assert.equal(facts.waiverRows.length, 1);
        assert.deepEqual(facts.waiverRows[0].slice(0, 5), ["ecr-tags-immutable", 'name "mutable-images"', 'Legacy <repo> "mutable-images" until the migration & cut-over', "security@acme.example", "SEC-42"]);
        assert.equal(facts.waiverRows[0][6], "in force");
        assert.equal(facts.waiverRows[0][7], "1");
        assert.equal(facts.approvalRows.length, 1);
        assert.equal(facts.approvalRows[0][0], "self-approved-release");
        assert.equal(facts.approvalRows[0][1], "invalid");
        assert.match(facts.approvalRows[0][8], /ci-deployer/);
        assert.ok(facts.notes >= 1, "the violations example has parts the check cannot see");
    });

    it("renders the approved-release example: passed, its release approval verified", async () => {
        const config = JSON.parse(fs.readFileSync(path.join(EXAMPLES, "approved-release", "policy-config.json"), "utf8"));
        const { file, code } = await report("approved-release", config, "approved-release");
        assert.equal(code, 0);
        const facts = await open(file, "approved-release");
        assert.equal(facts.verdict, "passed");
        checkCommon(facts);
        for (const g of facts.guarantees) {
            assert.notEqual(g.status, "violated", g.guarantee);
        }
        assert.equal(facts.approvalRows.length, 1);
        assert.equal(facts.approvalRows[0][1], "valid");
        assert.equal(facts.approvalRows[0][2], "release-manager@acme.example");
        assert.match(facts.approvalRows[0][7], /^sha256:[0-9a-f]{64}/);
        assert.equal(facts.approvalRows[0][8], "");
    });
});
