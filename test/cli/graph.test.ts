/**
 * `sealed-infra graph`: the duty graph as plain data from the pack's analysis, condensed, and drawn
 * as Mermaid, DOT and SVG. Every path no-duty-escalation prints for the escalation corpus must be
 * drawn as edges (red), labels must be escaped, and a 5,000-role dense-trust stack must give a
 * small picture quickly.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { main } from "../../cli/main";
import { evidenceLib } from "../../cli/evidence/pack-lib";
import { condense, groupLabel } from "../../cli/evidence/condense";
import { mermaidText, renderMermaid } from "../../cli/evidence/mermaid";
import { dotString, renderDot } from "../../cli/evidence/dot";
import { renderSvg } from "../../cli/evidence/svg";
import type { DutyConfig } from "../../policypack/src/engine/duties/duties";
import { noDutyEscalation } from "../../policypack/src/policies/separated-duties/no-duty-escalation";
import { runStackPolicy, stackRecords, TestResource, urnOf } from "../harness/policy-harness";
import { denseTrustStack, toStackModel } from "../bench/stack-analysis";
import { allow, APPROVE, DEPLOY, role, roleArn, trustArn } from "../engine/duties/builders";
import { PRIMITIVES } from "../policies/escalation-corpus";

const lib = evidenceLib();

function model(resources: TestResource[]) {
    return lib.stackModel(stackRecords(resources));
}

const defaults = (): DutyConfig =>
    Object.fromEntries(Object.entries(lib.dutyConfigOptions).map(([k, o]) => [k, (o as { default: unknown }).default])) as unknown as DutyConfig;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The Mermaid edge lines of a drawing, with their index (linkStyle counts edges in order). */
function mermaidEdges(text: string): { index: number; line: string }[] {
    return text
        .split("\n")
        .filter((l) => /^\s+\w+ (==>|-\.->)\|/.test(l))
        .map((line, index) => ({ index, line: line.trim() }));
}

describe("sealed-infra graph", () => {
    describe("the escalation corpus: every path no-duty-escalation prints is drawn as red edges, in Mermaid and DOT", () => {
        for (const p of PRIMITIVES) {
            it(p.name, () => {
                const stack = model(p.stack);
                const evidence = lib.dutyGraphEvidence(stack, defaults());
                const start = p.urn ?? urnOf("aws:iam/role:Role", "deployer");
                const conflicts = evidence.conflicts.filter((c) => c.principal === start && c.kind === "reaches");
                assert.ok(conflicts.length >= 1, JSON.stringify(evidence.conflicts, null, 1));
                assert.ok(conflicts.some((c) => c.duties.join(" and ") === "deploy and approve"));
                // The evidence's paths are the ones the policy prints.
                const [finding] = runStackPolicy(noDutyEscalation, p.stack, { preview: false });
                const short = (id: string) => evidence.nodes.find((n) => n.id === id)!.short;
                for (const path of conflicts.flatMap((c) => c.paths)) {
                    const text = `${short(start)}${path.steps.map((s) => ` -[${s.label}]-> ${short(s.to)}${s.note ? ` (${s.note})` : ""}`).join("")} -> ${path.duty}: ${path.witness}`;
                    assert.ok(finding.message.includes(text), `${text}\nnot in\n${finding.message}`);
                }
                const steps = conflicts.flatMap((c) => c.paths.flatMap((x) => x.steps));
                assert.ok(steps.length > 0, "an escalation has at least one step");
                assert.ok(steps.map((s) => `-[${s.label}]->`).some((s) => p.path.includes(s)), `the corpus path ${p.path} has one of the steps`);

                const drawn = condense(evidence);
                const mermaid = renderMermaid(drawn);
                const dot = renderDot(drawn);
                const edges = mermaidEdges(mermaid);
                const red = new Set((/linkStyle ([\d,]+) stroke:#b3261e/.exec(mermaid)?.[1] ?? "").split(",").map(Number));
                for (const s of steps) {
                    const from = drawn.drawnIdOf.get(s.from)!;
                    const to = drawn.drawnIdOf.get(s.to)!;
                    assert.ok(from && to, `both ends of ${s.label} are drawn`);
                    const edge = edges.find((e) => e.line.startsWith(`${from} ==>|`) && e.line.endsWith(`| ${to}`) && e.line.includes(mermaidText(s.label)));
                    assert.ok(edge, `Mermaid edge ${from} -[${s.label}]-> ${to} missing in\n${mermaid}`);
                    assert.ok(red.has(edge.index), `Mermaid edge ${edge.line} is on the path but not highlighted`);
                    const dotEdge = new RegExp(`^    ${from} -> ${to} \\[label="[^\\n]*${escapeRe(dotString(s.label).slice(1, -1))}[^\\n]*color="#b3261e"`, "m");
                    assert.match(dot, dotEdge, `DOT edge ${from} -> ${to} (${s.label}) missing or not red`);
                }
                // The deployer is drawn as conflicting.
                assert.match(mermaid, new RegExp(`class [\\w,]*\\b${drawn.drawnIdOf.get(start)}\\b[\\w,]* conflict`));
            });
        }
    });

    it("draws a principal that holds nothing and reaches nothing without conflict colours", () => {
        const evidence = lib.dutyGraphEvidence(model([role("reader", { policies: [[allow("s3:GetObject")]] })]), defaults());
        const mermaid = renderMermaid(condense(evidence));
        assert.match(mermaid, /p0\["role #34;reader#34;"\]/);
        assert.doesNotMatch(mermaid, /class p0 conflict/);
        assert.doesNotMatch(mermaid, /linkStyle/);
    });

    it("escapes labels: quotes, brackets, pipes and HTML in a principal's name stay text in Mermaid, DOT and SVG", async () => {
        const nasty = 'x"]-->|<b>&#evil</b>|[\\';
        const evidence = lib.dutyGraphEvidence(
            model([
                role("deployer", { policies: [[DEPLOY]] }),
                { ...role("approver", { policies: [[APPROVE]], trust: [trustArn(roleArn("deployer"))] }), name: "approver" },
                { type: "aws:iam/role:Role", name: "weird", props: { name: nasty, arn: roleArn("weird"), assumeRolePolicy: JSON.stringify({ Statement: [] }), inlinePolicies: [] } },
            ]),
            defaults(),
        );
        const drawn = condense(evidence);
        const mermaid = renderMermaid(drawn);
        const line = mermaid.split("\n").find((l) => l.includes("evil"))!;
        // Inside the quoted label nothing Mermaid reads as syntax is left: no quote, bracket, pipe or angle bracket.
        const label = /^\s+\w+\["(.*)"\]$/.exec(line)![1];
        assert.doesNotMatch(label, /["[\]|<>]/);
        assert.ok(label.includes("#34;") && label.includes("#60;b#62;") && label.includes("#124;"));
        const dot = renderDot(drawn);
        assert.ok(dot.includes(`label="role \\"x\\\\"]-->|<b>&#evil</b>|[\\\\\\\\\\""`) || dot.includes(dotString(`role "${nasty}"`).slice(0, -1)), dot);
        const svg = await renderSvg(dot);
        assert.ok(svg.includes("&lt;b&gt;&amp;#evil&lt;/b&gt;"), "the SVG text is escaped");
        assert.ok(!svg.includes("<b>&#evil"), "no raw HTML from a name in the SVG");
    });

    it("condenses a 5,000-role dense-trust stack into a bounded picture in seconds", async function () {
        this.timeout(120_000);
        const stack = lib.stackModel(toStackModel(denseTrustStack(5000)).resources);
        const started = process.hrtime.bigint();
        const evidence = lib.dutyGraphEvidence(stack, defaults());
        const drawn = condense(evidence, { maxNodes: 40 });
        const svg = await renderSvg(renderDot(drawn));
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        assert.ok(evidence.nodes.length >= 5000, `${evidence.nodes.length} nodes in the analysis`);
        const principals = drawn.nodes.filter((n) => n.kind !== "duty");
        assert.ok(principals.length <= 40, `${principals.length} principal nodes drawn`);
        assert.ok(drawn.edges.length <= 60, `${drawn.edges.length} edges drawn`);
        // Every role is in some drawn node, and the counts add up.
        const roles = evidence.nodes.filter((n) => n.principalKind === "role").length;
        assert.equal(principals.filter((n) => n.principalKind === "role").reduce((s, n) => s + n.count, 0), roles);
        assert.ok(principals.some((n) => /^4900 roles: dense-\*$/.test(n.label)), principals.map((n) => n.label).join(" | "));
        // The conflicting deployers are still drawn red.
        assert.ok(principals.some((n) => n.conflict === "reaches"));
        assert.ok(svg.length < 200_000, `${svg.length} bytes of SVG`);
        assert.ok(seconds < 60, `took ${seconds.toFixed(1)} s`);
    });

    it("names groups by their common prefix, or their first names", () => {
        assert.equal(groupLabel(["role", "role", "role", "role"], ["app-a", "app-b", "app-c", "app-d"]), "4 roles: app-*");
        assert.equal(groupLabel(["role", "role"], ["b", "a"]), "2 roles: a, b");
        assert.equal(groupLabel(["role", "user", "role", "role"], ["x1", "y", "z", "w"]), "4 principals: w, x1, …");
    });

    describe("the command", () => {
        const exportFile = path.join(__dirname, "..", "fixtures", "exports", "violating.json");
        const run = async (...args: string[]) => {
            let stdout = "";
            let stderr = "";
            const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
            return { code, stdout, stderr };
        };

        it("draws a stack export as Mermaid (default), DOT and SVG, and exits like check", async function () {
            this.timeout(120_000);
            const mermaid = await run("graph", "--stack-export", exportFile);
            assert.equal(mermaid.stderr, "");
            assert.match(mermaid.stdout, /^flowchart LR\n/);
            const check = await run("check", "--stack-export", exportFile, "--format", "json");
            assert.equal(mermaid.code, check.code);
            const dot = await run("graph", "--stack-export", exportFile, "--format", "dot");
            assert.match(dot.stdout, /^digraph "[^"]*" \{/);
            const svg = await run("graph", "--stack-export", exportFile, "--format", "svg");
            assert.match(svg.stdout, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
            assert.match(svg.stdout, /<\/svg>\n$/);
            const json = JSON.parse((await run("graph", "--stack-export", exportFile, "--format", "json")).stdout);
            assert.ok(Array.isArray(json.nodes) && Array.isArray(json.edges) && Array.isArray(json.conflicts));
        });

        it("refuses an unknown format with one line and exit code 2", async () => {
            const r = await run("graph", "--stack-export", exportFile, "--format", "png");
            assert.equal(r.code, 2);
            assert.equal(r.stdout, "");
            assert.match(r.stderr, /^sealed-infra: option '--format <format>' argument 'png' is invalid\. Allowed choices are mermaid, dot, svg, json\.\n$/);
        });

        it("refuses a bad --max-nodes", async () => {
            const r = await run("graph", "--stack-export", exportFile, "--max-nodes", "0");
            assert.equal(r.code, 2);
            assert.match(r.stderr, /^sealed-infra: --max-nodes "0" is not a whole number of nodes greater than 0\n$/);
        });
    });
});
