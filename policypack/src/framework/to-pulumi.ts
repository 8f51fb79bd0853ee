/**
 * Turns sealed-infra policy definitions into @pulumi/policy policies: metadata and config schema
 * as the SDK publishes them, a cheap type filter before any work, config defaults applied,
 * raw property access, and a guarantee that no check can throw into the RPC.
 */
import type { ResourceValidationPolicy, StackValidationPolicy, ResourceValidationArgs, StackValidationArgs, ReportViolation } from "@pulumi/policy";
import { StackModel } from "../sdk/stack-model";
import { configSchemaOf, configWithDefaults, PolicyDefinition, ResourcePolicyDefinition, StackPolicyDefinition } from "./definition";
import { Findings } from "./findings";
import { rawProps } from "../sdk/raw-props";
import { couldApplyToStack, describeWaiver, isExpired, waiverRegistry } from "./waivers";
import { StackIdentity, stackIdentity } from "./stack-identity";

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
    if (def.kind === "resource") {
        return { ...base, validateResource: resourceValidation(def) };
    }
    const onResource = def.onResource;
    if (onResource) {
        // A stack policy that also sees every resource (the waivers policy): the SDK runs a policy
        // with both functions in Analyze and in AnalyzeStack.
        const validateResource = (args: ResourceValidationArgs): void => {
            onResource(() => configWithDefaults(def, args.getConfig<Record<string, unknown>>()));
        };
        return { ...base, validateResource, validateStack: stackValidation(def) };
    }
    return { ...base, validateStack: stackValidation(def) };
}

function resourceValidation(def: ResourcePolicyDefinition) {
    const types = new Set(def.resourceTypes);
    const validate = (args: ResourceValidationArgs, report: ReportViolation): void => {
        if (!types.has(args.type)) {
            return;
        }
        const findings = new Findings(report, def);
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
        const findings = new Findings(report, def);
        let identity: StackIdentity | undefined;
        try {
            const config = configWithDefaults(def, args.getConfig<Record<string, unknown>>());
            def.onResource?.(() => configWithDefaults(def, args.getConfig<Record<string, unknown>>()));
            const model = StackModel.of(args.resources);
            identity = stackIdentity(model);
            if (def.resourceTypes.length === 0 || model.hasAny(def.resourceTypes)) {
                def.check(model, config, findings);
            }
        } catch (e) {
            findings.internalError(undefined, def.name, e);
        }
        reportStaleWaivers(def.name, findings, identity);
    };
}

/**
 * A stack policy's own waivers that matched none of its findings in this run: clean them up. Only
 * the stack policy knows when its findings are complete, so it reports them, under the waivers policy;
 * entries whose `urn` names another project or stack are left to that stack.
 */
function reportStaleWaivers(policyName: string, findings: Findings, identity: StackIdentity | undefined): void {
    for (const w of waiverRegistry.waivers()) {
        if (w.policy === policyName && !w.invalid && !isExpired(w) && !waiverRegistry.wasUsed(w) && couldApplyToStack(w, identity)) {
            findings.waiverNote(`${describeWaiver(w)} matched no finding in this stack; remove it from the pack config.`);
        }
    }
}
