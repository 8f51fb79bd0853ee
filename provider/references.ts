/**
 * References to this package's components in Construct inputs. A program in another language passes
 * an ImmutableConfig to ImmutableWorkload (`config: [{ config: settings }]`); the engine sends it as
 * a resource reference, which the SDK turns into an instance through the resource module registered
 * here: an ImmutableConfig built with `opts.urn`, which registers nothing and reads the referenced
 * component's state (components/kubernetes/immutable-config.ts). Only components that other
 * components take as arguments are listed; a reference to another one stays its URN, and the
 * component receiving it rejects it with its own message.
 */
import * as pulumi from "@pulumi/pulumi";
import { ImmutableConfig } from "../components";
import { COMPONENT_TOKENS } from "./tokens";

const REFERENCEABLE: Record<string, (name: string, urn: string) => pulumi.Resource> = {
    ImmutableConfig: (name, urn) => new ImmutableConfig(name, undefined as never, { urn }),
};

let registered = false;

/** Registers the resource modules (once per process). */
export function registerReferences(packageName: string, version: string): void {
    if (registered) {
        return;
    }
    registered = true;
    for (const module of new Set(COMPONENT_TOKENS.filter((c) => REFERENCEABLE[c.className]).map((c) => c.module))) {
        pulumi.runtime.registerResourceModule(packageName, module, {
            version,
            construct(name: string, type: string, urn: string): pulumi.Resource {
                const entry = COMPONENT_TOKENS.find((c) => c.token === type);
                const make = entry ? REFERENCEABLE[entry.className] : undefined;
                if (make === undefined) {
                    throw new Error(`a reference to ${type} "${name}" cannot be passed to this package's components`);
                }
                return make(name, urn);
            },
        });
    }
}
