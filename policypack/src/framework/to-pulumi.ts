/**
 * Turns sealed-infra policy definitions into @pulumi/policy policies: metadata and config schema
 * as the SDK publishes them, a cheap type filter before any work, config defaults applied,
 * raw property access, and a guarantee that no check can throw into the RPC.
 */
import type { ResourceValidationPolicy, StackValidationPolicy, ResourceValidationArgs, StackValidationArgs, ReportViolation } from "@pulumi/policy";
import { StackModel } from "../engine/stack-model";
import { configSchemaOf, configWithDefaults, PolicyDefinition, ResourcePolicyDefinition, StackPolicyDefinition } from "./definition";
import { Findings } from "./findings";
import { rawProps } from "./values";

export function toPulumiPolicy(def: PolicyDefinition): ResourceValidationPolicy | StackValidationPolicy {
    const base = {
        name: def.name,
        displayName: def.displayName,
        description: def.description,
        severity: def.severity,
        remediationSteps: def.remediationSteps,
        configSchema: configSchemaOf(def),
        tags: [def.guarantee],
    };
    return def.kind === "resource"
        ? { ...base, validateResource: resourceValidation(def) }
        : { ...base, validateStack: stackValidation(def) };
}

function resourceValidation(def: ResourcePolicyDefinition) {
    const types = new Set(def.resourceTypes);
    const validate = (args: ResourceValidationArgs, report: ReportViolation): void => {
        if (!types.has(args.type)) {
            return;
        }
        const findings = new Findings(report);
        const subject = { urn: args.urn, type: args.type, name: args.name, props: rawProps(args.props), options: args.opts };
        try {
            def.check(subject, configWithDefaults(def, args.getConfig<Record<string, unknown>>()), findings);
        } catch (e) {
            findings.internalError(subject, def.name, e);
        }
    };
    if (types.size === 1) {
        // The SDK skips a policy for other types without deserializing anything when the
        // validation function carries the single type it applies to.
        (validate as unknown as { __pulumiType: string }).__pulumiType = def.resourceTypes[0];
    }
    return validate;
}

function stackValidation(def: StackPolicyDefinition) {
    return (args: StackValidationArgs, report: ReportViolation): void => {
        const findings = new Findings(report);
        try {
            const model = StackModel.of(args.resources);
            if (def.resourceTypes.length > 0 && !model.hasAny(def.resourceTypes)) {
                return;
            }
            def.check(model, configWithDefaults(def, args.getConfig<Record<string, unknown>>()), findings);
        } catch (e) {
            findings.internalError(undefined, def.name, e);
        }
    };
}
