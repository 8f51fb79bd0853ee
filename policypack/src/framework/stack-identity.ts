/**
 * Which project and stack a check runs for, as the stack's own URNs name them
 * (`urn:pulumi:<stack>::<project>::...`). The pack reads it from the resources, never from the
 * environment: a deployer sets the environment.
 */
import type { StackModel } from "../sdk/stack-model";

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface StackIdentity {
    project: string;
    stack: string;
}

/** `urn:pulumi:<stack>::<project>::...` of the root stack (or any resource) -> project and stack. */
export function stackIdentity(model: StackModel): StackIdentity | undefined {
    const urn = model.ofTypes([ROOT_STACK_TYPE])[0]?.urn ?? model.resources[0]?.urn;
    if (!urn || !urn.startsWith("urn:pulumi:")) {
        return undefined;
    }
    const parts = urn.slice("urn:pulumi:".length).split("::");
    return parts.length >= 4 && parts[0] !== "" && parts[1] !== "" ? { stack: parts[0], project: parts[1] } : undefined;
}

/** The prefix every URN of the stack starts with. */
export function urnPrefix(identity: StackIdentity): string {
    return `urn:pulumi:${identity.stack}::${identity.project}::`;
}
