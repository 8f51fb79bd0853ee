// Entry of the sealed-infra component provider plugin (PulumiPlugin.yaml beside it). The provider is
// compiled into the package's dist/provider by `npm run build`; it resolves @pulumi/pulumi and the
// cloud SDKs from the enclosing package, like the components do.
"use strict";
const fs = require("fs");
const path = require("path");

const compiled = path.join(__dirname, "..", "dist", "provider", "main.js");
if (!fs.existsSync(compiled)) {
    console.error(`sealed-infra component provider: ${compiled} is missing; build the sealed-infra package (npm run build)`);
    process.exit(1);
}
require(compiled);
