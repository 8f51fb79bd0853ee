/**
 * The evidence module of the policy pack (policypack/src/evidence), loaded at run time like
 * the release-approval engine (../approve/release-lib.ts): from the compiled pack beside the CLI, or
 * from the sources when the CLI runs from sources (tests). The duty graph and the approval verdicts
 * are then the pack's own analyses, not a copy.
 */
import * as fs from "fs";
import * as path from "path";
import type * as EvidenceLib from "../../policypack/bin/evidence";
import { CheckError } from "../model";

export type { EvidenceLib };

let loaded: typeof EvidenceLib | undefined;

export function evidenceLib(): typeof EvidenceLib {
    if (loaded) {
        return loaded;
    }
    const fromSources = __filename.endsWith(".ts");
    const root = path.resolve(__dirname, fromSources ? "../.." : "../../..");
    const dir = path.join(root, "policypack", fromSources ? "src" : "bin", "evidence");
    if (!fromSources && !fs.existsSync(path.join(dir, "index.js"))) {
        throw new CheckError(`the policy pack is not built (${dir} is missing); run \`npm run build:pack\``);
    }
    loaded = require(dir) as typeof EvidenceLib;
    return loaded;
}
