/**
 * A host process for tests of "no pack outlives its parent": launches the echo fixture pack,
 * prints the pack's pid, then either waits to be signalled ("wait") or exits without closing the
 * pack ("exit").
 */
import * as path from "path";
import { launchPolicyPack } from "../../../cli/analyzer/client";

async function main(): Promise<void> {
    const pack = await launchPolicyPack({
        packDir: path.resolve(__dirname, "../../fixtures/packs/echo"),
        stack: { organization: "o", project: "p", stack: "s", dryRun: true, config: {} },
    });
    process.stdout.write(`${pack.child.pid}\n`);
    if (process.argv[2] === "exit") {
        process.exit(0);
    }
    setInterval(() => undefined, 1000);
}

main().catch((e) => {
    process.stderr.write(`${e}\n`);
    process.exit(2);
});
