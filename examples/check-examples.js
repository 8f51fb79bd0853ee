#!/usr/bin/env node
/**
 * `npm run check`: runs `sealed-infra check` on every example program and prints each report.
 * Each example has an expected verdict: the compliant ones must pass, `violations` must be
 * blocked (exit 1: mandatory violations). This command succeeds when every example gets the
 * verdict it is meant to get, so a broken pack, a broken example or a broken checker all fail it.
 */
const fs = require("fs");
const path = require("path");

const { main } = require("../dist/cli/main.js");

// `sealed-infra check` compiles programs as Pulumi's Node.js host does, type-checking them (about
// half a minute per program here). `npm test` type-checks the examples with tsc already, so this
// demo only transpiles them, with the variable Pulumi's host itself honours; set it to "false" to
// see the full compile.
if (process.env.PULUMI_NODEJS_TRANSPILE_ONLY === undefined) {
    process.env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
}

/** Examples that exist to be blocked by the pack. */
const EXPECTED_BLOCKED = new Set(["violations"]);

async function run() {
    const dirs = fs
        .readdirSync(__dirname)
        .filter((d) => fs.existsSync(path.join(__dirname, d, "Pulumi.yaml")))
        .sort((a, b) => Number(EXPECTED_BLOCKED.has(a)) - Number(EXPECTED_BLOCKED.has(b)) || a.localeCompare(b));
    const outcomes = [];
    for (const dir of dirs) {
        const shown = path.join("examples", dir);
        const blocked = EXPECTED_BLOCKED.has(dir);
        process.stdout.write(`\n=== ${shown} (expected: ${blocked ? "blocked by mandatory violations" : "compliant"}) ===\n`);
        // An example that needs pack config (e.g. approver keys) ships it as policy-config.json.
        const config = path.join(__dirname, dir, "policy-config.json");
        const configArgs = fs.existsSync(config) ? ["--config", config] : [];
        const code = await main(["check", path.join(__dirname, dir), ...configArgs], {
            stdout: (t) => process.stdout.write(t),
            stderr: (t) => process.stderr.write(t),
        });
        const ok = blocked ? code === 1 : code === 0;
        const got = code === 0 ? "passed" : code === 1 ? "blocked" : "failed to run (exit 2)";
        outcomes.push({ shown, ok, line: `${ok ? "ok  " : "FAIL"} ${shown}: ${got}${ok ? (blocked ? ", as intended" : "") : `, expected ${blocked ? "blocked" : "passed"}`}` });
    }
    process.stdout.write(`\nExamples:\n${outcomes.map((o) => `  ${o.line}`).join("\n")}\n`);
    return outcomes.every((o) => o.ok) ? 0 : 1;
}

run().then(
    (code) => process.exit(code),
    (e) => {
        console.error(`check-examples: ${e && e.stack ? e.stack : e}`);
        process.exit(2);
    },
);
