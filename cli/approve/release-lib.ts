/**
 * The release-approval engine of the policy pack (policypack/src/engine/release), loaded at run
 * time: from the compiled pack that ships beside the CLI (policypack/bin), or from the sources when
 * the CLI itself runs from sources (tests). One definition of the canonical bytes and of signature
 * verification, shared by the pack and `sealed-infra approve`.
 */
import * as fs from "fs";
import * as path from "path";
// Types from the compiled pack (policypack/bin, built before the CLI), which ships with the CLI.
import type * as ReleaseLib from "../../policypack/bin/engine/release";
import { CheckError } from "../model";

export type { ReleaseLib };

let loaded: typeof ReleaseLib | undefined;

export function releaseLib(): typeof ReleaseLib {
    if (loaded) {
        return loaded;
    }
    const fromSources = __filename.endsWith(".ts");
    const root = path.resolve(__dirname, fromSources ? "../.." : "../../..");
    const dir = path.join(root, "policypack", fromSources ? "src" : "bin", "engine", "release");
    if (!fromSources && !fs.existsSync(path.join(dir, "index.js"))) {
        throw new CheckError(`the policy pack is not built (${dir} is missing); run \`npm run build:pack\``);
    }
    loaded = require(dir) as typeof ReleaseLib;
    return loaded;
}
