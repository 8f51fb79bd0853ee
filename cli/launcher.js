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

cli.main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
        process.stderr.write(`sealed-infra: internal error: ${(e && e.message) || e}\n`);
        process.exit(2);
    },
);
