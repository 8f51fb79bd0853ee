/**
 * The plugin's program: what `@pulumi/pulumi/cmd/run-plugin` runs when the Pulumi engine starts the
 * plugin (provider/PulumiPlugin.yaml, runtime nodejs; provider/index.js loads this file). It serves
 * the component provider on a local port and prints the port on stdout's first line, which is how
 * the engine finds it. The arguments are the engine's (its address first).
 *
 * The module exports nothing: run-plugin would host any exported ComponentResource class itself,
 * with Pulumi's `index`-module provider, instead of this one.
 */
import { main } from "@pulumi/pulumi/provider";
import { loadProvider } from "./provider";

main(loadProvider(), process.argv.slice(2)).catch((e: unknown) => {
    console.error(`sealed-infra component provider: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
});
