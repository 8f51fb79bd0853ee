#!/usr/bin/env node
/**
 * Measures `sealed-infra check` on programs nobody here wrote (not part of `npm test`; the corpus is
 * not in this repository). Give it a directory whose subdirectories are Pulumi Node.js programs,
 * e.g. an export of public example programs:
 *
 *   node test/corpus/run-corpus.js <corpus-dir> [--only <regex>] [--json results.json] [--skip-install]
 *
 * For each program it installs the program's own dependencies (`npm install`, as its README says),
 * gives it a stack config as a user would (aws:region, and a placeholder for every key the source
 * `require`s), then runs the installed checker of this repository in update mode and with
 * `--preview`. It prints one row per program: whether the check ran (exit 0 or 1) or failed (exit 2,
 * with its one error line), the mandatory findings by policy, advisories and notes. Review the
 * mandatory findings by hand: any that rests on a value the offline model made up is a bug.
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const YAML = require("yaml");

const ROOT = path.resolve(__dirname, "..", "..");
const LAUNCHER = path.join(ROOT, "cli", "launcher.js");

function parseArgs(argv) {
    const opts = { dir: undefined, only: undefined, json: undefined, install: true, timeout: 300 };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--only") opts.only = new RegExp(argv[++i]);
        else if (a === "--json") opts.json = argv[++i];
        else if (a === "--skip-install") opts.install = false;
        else if (a === "--timeout") opts.timeout = Number(argv[++i]);
        else if (!opts.dir) opts.dir = a;
        else throw new Error(`unexpected argument ${a}`);
    }
    if (!opts.dir) {
        throw new Error("usage: run-corpus.js <corpus-dir> [--only <regex>] [--json out.json] [--skip-install] [--timeout s]");
    }
    return opts;
}

/** Keys a program requires from its stack config (`config.require("x")`, `requireSecret`, `requireNumber`...). */
function requiredConfig(dir) {
    const keys = new Set();
    const walk = (d) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            if (e.name === "node_modules" || e.name.startsWith(".")) continue;
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else if (/\.(ts|js|mjs)$/.test(e.name)) {
                const text = fs.readFileSync(p, "utf8");
                for (const m of text.matchAll(/\.require(Secret|Number|Boolean|Object)?(?:<[^>]*>)?\(\s*["'`]([\w.:-]+)["'`]/g)) {
                    keys.add(JSON.stringify([m[2], m[1] || ""]));
                }
            }
        }
    };
    walk(dir);
    return [...keys].map((k) => JSON.parse(k));
}

function placeholder(kind, key) {
    switch (kind) {
        case "Number":
            return 1;
        case "Boolean":
            return false;
        case "Object":
            return {};
        default:
            return `corpus-${key.replace(/[^A-Za-z0-9]/g, "-").toLowerCase()}`;
    }
}

/**
 * Gives the dev stack a value for aws:region and every key the program requires, as a user must
 * before running it; a stack file the program ships keeps its values (keys it lacks, e.g. ones its
 * ESC environment would provide, are added).
 */
function writeStackConfig(dir, project) {
    const file = path.join(dir, "Pulumi.dev.yaml");
    const doc = fs.existsSync(file) ? YAML.parse(fs.readFileSync(file, "utf8")) || {} : {};
    const config = doc.config || {};
    const has = (full) => Object.keys(config).some((k) => (k.includes(":") ? k : `${project}:${k}`) === full);
    const add = (full, value) => {
        if (!has(full)) config[full] = value;
    };
    add("aws:region", "us-east-1");
    for (const [key, kind] of requiredConfig(dir)) {
        add(key.includes(":") ? key : `${project}:${key}`, placeholder(kind, key));
    }
    fs.writeFileSync(file, YAML.stringify({ ...doc, config }));
}

function projectName(dir) {
    const text = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
    return (/^name:\s*(.+)$/m.exec(text) || [])[1]?.trim().replace(/^["']|["']$/g, "");
}

function check(dir, extra, timeout) {
    const r = spawnSync(process.execPath, [LAUNCHER, "check", ".", "--format", "json", "--timeout", String(timeout), ...extra], {
        cwd: dir,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        timeout: (timeout + 60) * 1000,
    });
    const out = { code: r.status, error: r.stderr.split("\n")[0] };
    if (r.status === 0 || r.status === 1) {
        const report = JSON.parse(r.stdout);
        out.mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => ({ policy: v.policyName, resource: v.resourceName, type: v.resourceType, message: v.message }));
        out.advisory = report.summary.advisory;
        out.notes = report.notes.map((n) => n.message);
        out.resources = report.resources;
    }
    return out;
}

function main() {
    const opts = parseArgs(process.argv.slice(2));
    const programs = fs
        .readdirSync(opts.dir)
        .filter((d) => fs.existsSync(path.join(opts.dir, d, "Pulumi.yaml")))
        .filter((d) => !opts.only || opts.only.test(d))
        .sort();
    const results = [];
    for (const name of programs) {
        const dir = path.resolve(opts.dir, name);
        const row = { program: name };
        try {
            if (opts.install && fs.existsSync(path.join(dir, "package.json")) && !fs.existsSync(path.join(dir, "node_modules"))) {
                const install = (extra) => spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...extra], { cwd: dir, encoding: "utf8", timeout: 600_000 });
                let npm = install([]);
                if (npm.status !== 0 && fs.existsSync(path.join(dir, "package-lock.json"))) {
                    // A registry (or mirror) without a locked version: resolve package.json's ranges instead.
                    row.lockIgnored = true;
                    npm = install(["--no-package-lock"]);
                }
                if (npm.status !== 0) {
                    row.install = (npm.stderr || "").split("\n").find((l) => l.trim()) || `npm exited ${npm.status}`;
                }
            }
            writeStackConfig(dir, projectName(dir));
            row.update = check(dir, [], opts.timeout);
            row.preview = check(dir, ["--preview"], opts.timeout);
        } catch (e) {
            row.harness = String(e && e.message);
        }
        results.push(row);
        const cell = (r) => (!r ? "-" : r.code === 2 || r.code === null ? `FAIL: ${r.error}` : `exit ${r.code}, ${r.resources} res, ${r.mandatory.length} mandatory, ${r.advisory} advisory, ${r.notes.length} notes`);
        process.stdout.write(
            `${name}${row.lockIgnored ? " (installed without its package-lock)" : ""}\n  update:  ${cell(row.update)}\n  preview: ${cell(row.preview)}\n${row.install ? `  install: ${row.install}\n` : ""}`,
        );
        for (const m of row.update?.mandatory ?? []) {
            process.stdout.write(`    mandatory ${m.policy} ${m.resource}: ${m.message.slice(0, 160)}\n`);
        }
    }
    const ran = (r) => r && (r.code === 0 || r.code === 1);
    const both = results.filter((r) => ran(r.update) && ran(r.preview)).length;
    process.stdout.write(`\n${both}/${results.length} programs ran in both modes (${((100 * both) / Math.max(results.length, 1)).toFixed(1)}%)\n`);
    if (opts.json) {
        fs.writeFileSync(opts.json, JSON.stringify(results, null, 2));
    }
}

main();
