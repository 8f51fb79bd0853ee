#!/usr/bin/env node
// Entry point of the `sealed-infra` command: runs the compiled CLI (dist/cli/main.js, built by
// `npm run build:lib`) and exits with its code (0 no mandatory violation, 1 mandatory violations,
// 2 usage or program error).
"use strict";

let cli;
try {
    cli = require("../dist/cli/main.js");
} catch (e) {
    if (e && e.code === "MODULE_NOT_FOUND" && String(e.message).includes("dist/cli/main.js")) {
        process.stderr.write("sealed-infra: the CLI is not built; run `npm run build:lib` in the sealed-infra package\n");
        process.exit(2);
    }
    throw e;
}

/**
 * Exits once everything written to stdout and stderr has been handed to the operating system. A
 * pipe takes at most 64 KiB at a time, and process.exit() drops what is still queued; the exit
 * code must come from here (open pack connections may keep the event loop alive), so wait for the
 * write callbacks first.
 */
function exitWhenWritten(code) {
    let pending = 2;
    const done = () => {
        pending -= 1;
        if (pending === 0) {
            process.exit(code);
        }
    };
    process.stdout.write("", done);
    process.stderr.write("", done);
}

cli.main(process.argv.slice(2)).then(
    (code) => exitWhenWritten(code),
    (e) => {
        process.stderr.write(`sealed-infra: internal error: ${(e && e.message) || e}\n`);
        exitWhenWritten(2);
    },
);
