/**
 * Runs one policy pack over one stack, speaking to it exactly as the Pulumi engine does:
 *
 *   launch (./launch.ts) → Handshake (UNIMPLEMENTED tolerated) → ConfigureStack → GetAnalyzerInfo
 *   → reconcile config (./config.ts) → Configure → for every resource in registration order:
 *   Remediate then Analyze (remediated properties replace the inputs) → AnalyzeStack (outputs)
 *   → Cancel (UNIMPLEMENTED tolerated) → stop the process.
 *
 * Engine behaviour mirrored (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go,
 * pkg/resource/deploy/step_generator.go, pkg/resource/deploy/analyze_snapshot.go):
 *  - GetAnalyzerInfo: policies sorted by name; `version` from PulumiPolicy.yaml wins over the
 *    pack's; the yaml `description` is the fallback; a pack that does not support config and is
 *    given a config file is an error; Configure is skipped when there is nothing to send.
 *  - diagnostics: the pack version is replaced by the yaml version when set; a diagnostic without
 *    severity takes its policy's; REMEDIATE is reported as MANDATORY; Analyze diagnostics are
 *    attributed to the analyzed resource; AnalyzeStack diagnostics to their URN when it names a
 *    resource of the stack (otherwise they are stack-level: urn "").
 *  - a remediation with a diagnostic is reported as an ADVISORY diagnostic on the resource.
 */
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import {
    AnalyzerDiagnostic,
    AnalyzerInfoRecord,
    CheckError,
    EnforcementLevel,
    PackReport,
    PolicyInfoRecord,
    ResourceRecord,
    Severity,
    StackSnapshot,
    WireProperties,
} from "../model";
import { PolicyConfigInput, reconcilePolicyPackConfig } from "./config";
import { ENGINE_ADDRESS, launchPolicyPack, LaunchedPack, PackLogLine } from "./launch";
import { emptyPb, pb, structPb } from "./proto";
import { buildAnalyzeRequest, encodeAnalyzeStackRequest, fromStruct, ResourceIndex } from "./serialize";

export { launchHistory, launchPolicyPack, livePackPids } from "./launch";
export type { LaunchedPack, PackLogLine } from "./launch";

export interface RunPackOptions {
    packDir: string; // directory containing PulumiPolicy.yaml
    snapshot: StackSnapshot; // resources in wire format + stack identity + dryRun + stack config/tags
    config?: unknown; // parsed policy-pack config file (the --policy-pack-config JSON), optional
    timeoutMs?: number; // launch timeout (default 30 s)
    packSource?: string; // display, e.g. "local: policypack"
    /**
     * The stack comes from the offline model (`sealed-infra check`): tell the pack, so that a value
     * the model cannot compute is an advisory "not known offline" instead of an unknown at update
     * (which the pack fails closed on). Tests of engine fidelity leave it unset.
     */
    offline?: boolean;
}

/** The variable `sealed-infra check` sets for the pack (the pack's framework/findings.ts reads it). */
const OFFLINE_CHECK_ENV = "SEALED_INFRA_OFFLINE_CHECK";

/** A remediation the pack applied (or would apply) to a resource's inputs. */
export interface RemediationRecord {
    urn: string;
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    /** The full remediated inputs (wire format). */
    properties: WireProperties;
}

/** What runPolicyPack actually returns: the PackReport plus details for --verbose and tests. */
export interface DetailedPackReport extends PackReport {
    remediations: RemediationRecord[];
    /** Pack output after the port line (stdout) and its stderr. */
    logs: PackLogLine[];
}

// ------------------------------------------------------------------------------------------------
// Enum mapping (analyzer.proto; docs/design.md "The pack under the Pulumi CLI")

const LEVEL_BY_NUMBER: Record<number, EnforcementLevel> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };
const LEVEL_NUMBER: Record<EnforcementLevel, number> = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 };
const SEVERITY_BY_NUMBER: Record<number, Severity> = { 0: "", 1: "low", 2: "medium", 3: "high", 4: "critical" };
const POLICY_TYPE_BY_NUMBER: Record<number, PolicyInfoRecord["policyType"]> = { 0: "unknown", 1: "resource", 2: "stack" };

export function enforcementLevelOf(n: number): EnforcementLevel {
    const l = LEVEL_BY_NUMBER[n];
    if (!l) {
        throw new CheckError(`policy pack sent an invalid enforcement level ${n}`);
    }
    return l;
}

export function enforcementLevelNumber(l: EnforcementLevel): number {
    return LEVEL_NUMBER[l];
}

// ------------------------------------------------------------------------------------------------

/** GetAnalyzerInfo as the engine reads it (analyzer_plugin.go GetAnalyzerInfo). */
export interface AnalyzerInfoDetails {
    info: AnalyzerInfoRecord;
    initialConfig: Record<string, PolicyConfigInput>;
}

export function readAnalyzerInfo(resp: analyzerPbTypes.AnalyzerInfo, yamlVersion?: string, yamlDescription?: string): AnalyzerInfoDetails {
    const policies: PolicyInfoRecord[] = resp.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        const record: PolicyInfoRecord = {
            name: p.getName(),
            displayName: p.getDisplayname(),
            description: p.getDescription(),
            enforcementLevel: enforcementLevelOf(p.getEnforcementlevel()),
            severity: SEVERITY_BY_NUMBER[p.getSeverity()] ?? "",
            remediationSteps: p.getRemediationSteps(),
            policyType: POLICY_TYPE_BY_NUMBER[p.getPolicyType()] ?? "unknown",
        };
        if (schema) {
            record.configSchema = {
                properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
                required: schema.getRequiredList(),
            };
        }
        return record;
    });
    policies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const initialConfig: Record<string, PolicyConfigInput> = {};
    resp.getInitialconfigMap().forEach((v: analyzerPbTypes.PolicyConfig, k: string) => {
        const props = v.getProperties()?.toJavaScript() as Record<string, unknown> | undefined;
        initialConfig[k] = {
            enforcementLevel: enforcementLevelOf(v.getEnforcementlevel()),
            properties: props && Object.keys(props).length > 0 ? props : undefined,
        };
    });
    return {
        info: {
            name: resp.getName(),
            version: yamlVersion || resp.getVersion(),
            displayName: resp.getDisplayname(),
            description: resp.getDescription() || yamlDescription || "",
            supportsConfig: resp.getSupportsconfig(),
            policies,
        },
        initialConfig,
    };
}

function toDiagnostic(
    d: analyzerPbTypes.AnalyzeDiagnostic,
    urn: string,
    packVersionOverride: string | undefined,
    severityOf: Map<string, Severity>,
): AnalyzerDiagnostic {
    let level = enforcementLevelOf(d.getEnforcementlevel());
    if (level === "remediate") {
        level = "mandatory"; // the engine's downgrade of a violation at remediate level
    }
    let severity = SEVERITY_BY_NUMBER[d.getSeverity()] ?? "";
    if (severity === "") {
        severity = severityOf.get(d.getPolicyname()) ?? "";
    }
    return {
        policyName: d.getPolicyname(),
        policyPackName: d.getPolicypackname(),
        policyPackVersion: packVersionOverride || d.getPolicypackversion(),
        description: d.getDescription(),
        message: d.getMessage(),
        enforcementLevel: level,
        urn,
        severity,
    };
}

function sameJson(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Handshake + ConfigureStack + GetAnalyzerInfo + config reconciliation + Configure on a launched
 * pack: everything before the first Analyze.
 */
export async function preparePack(
    pack: LaunchedPack,
    snapshot: Pick<StackSnapshot, "organization" | "project" | "stack" | "dryRun" | "config" | "tags">,
    config: unknown,
): Promise<{ details: AnalyzerInfoDetails; applied: PackReport["appliedConfig"] }> {
    const dir = pack.project.dir;

    const hs = new pb.AnalyzerHandshakeRequest();
    hs.setEngineAddress(ENGINE_ADDRESS);
    hs.setRootDirectory(dir);
    hs.setProgramDirectory(dir);
    await pack.callOptional("handshake", hs, "Handshake");

    const cs = new pb.AnalyzerStackConfigureRequest();
    cs.setStack(snapshot.stack);
    cs.setProject(snapshot.project);
    cs.setOrganization(snapshot.organization);
    cs.setDryRun(snapshot.dryRun);
    const cfg = cs.getConfigMap();
    for (const [k, v] of Object.entries(snapshot.config ?? {})) {
        cfg.set(k, v);
    }
    const tags = cs.getTagsMap();
    for (const [k, v] of Object.entries(snapshot.tags ?? {})) {
        tags.set(k, v);
    }
    await pack.callOptional("configureStack", cs, "ConfigureStack");

    const infoResp = await pack.call<analyzerPbTypes.AnalyzerInfo>("getAnalyzerInfo", new emptyPb.Empty(), "GetAnalyzerInfo");
    const details = readAnalyzerInfo(infoResp, pack.project.version, pack.project.description);
    const info = details.info;

    let applied: PackReport["appliedConfig"] = {};
    if (!info.supportsConfig) {
        if (config !== undefined && config !== null) {
            throw new CheckError(`policy pack "${info.name}" in ${dir} does not support config, but a config file was given`);
        }
        return { details, applied };
    }
    applied = reconcilePolicyPackConfig({
        packName: info.name,
        policies: info.policies,
        initialConfig: details.initialConfig,
        config,
    });
    if (Object.keys(applied).length > 0) {
        const req = new pb.ConfigureAnalyzerRequest();
        const map = req.getPolicyconfigMap();
        for (const [name, c] of Object.entries(applied)) {
            const pc = new pb.PolicyConfig();
            pc.setEnforcementlevel(enforcementLevelNumber(c.enforcementLevel) as analyzerPbTypes.EnforcementLevel);
            pc.setProperties(structPb.Struct.fromJavaScript(c.properties as Parameters<typeof structPb.Struct.fromJavaScript>[0]));
            map.set(name, pc);
        }
        await pack.call("configure", req, "Configure");
        // The engine updates its cached info with the configured levels.
        for (const p of info.policies) {
            const c = applied[p.name];
            if (c) {
                p.enforcementLevel = c.enforcementLevel;
            }
        }
    }
    return { details, applied };
}

/**
 * How many resources are in flight at once (each one runs Remediate then Analyze, in that order).
 * The engine sends them one registration at a time; results do not depend on the interleaving
 * (@pulumi/policy keeps no per-resource state; policies must not depend on call order) and are
 * reported in registration order. Measured at 20k resources: 27 s sequential, 18 s at 4, 14 s at
 * 16 for the per-resource phase.
 */
const RESOURCE_CONCURRENCY = 16;

export async function runPolicyPack(opts: RunPackOptions): Promise<PackReport> {
    const { snapshot } = opts;
    const pack = await launchPolicyPack({
        packDir: opts.packDir,
        stack: {
            organization: snapshot.organization,
            project: snapshot.project,
            stack: snapshot.stack,
            dryRun: snapshot.dryRun,
            config: snapshot.config ?? {},
        },
        timeoutMs: opts.timeoutMs,
        extraEnv: opts.offline ? { [OFFLINE_CHECK_ENV]: "true" } : undefined,
    });
    try {
        const report = await analyzeWith(pack, snapshot, opts.config, opts.packSource ?? `local: ${opts.packDir}`);
        await pack.close(); // flushes the last log lines
        report.logs = pack.logs.slice();
        return report;
    } finally {
        await pack.close();
    }
}

/** The whole analysis on an already launched pack (the pack is not closed). */
export async function analyzeWith(
    pack: LaunchedPack,
    snapshot: StackSnapshot,
    config: unknown,
    packSource?: string,
): Promise<DetailedPackReport> {
    const { details, applied } = await preparePack(pack, snapshot, config);
    const info = details.info;
    const yamlVersion = pack.project.version;
    const severityOf = new Map(info.policies.filter((p) => p.severity !== "").map((p) => [p.name, p.severity]));
    const index = new ResourceIndex(snapshot.resources);
    const resources = snapshot.resources;

    const perResource: AnalyzerDiagnostic[][] = new Array(resources.length);
    const remediations: RemediationRecord[][] = new Array(resources.length);
    const finalInputs: WireProperties[] = new Array(resources.length);

    const analyzeOne = async (i: number): Promise<void> => {
        const r = resources[i];
        const diags: AnalyzerDiagnostic[] = [];
        const applied: RemediationRecord[] = [];
        let inputs = r.inputs ?? {};

        const remReq = buildAnalyzeRequest(r, inputs, index, true);
        const remResp = await pack.callOptional<analyzerPbTypes.RemediateResponse>("remediate", remReq, `Remediate(${r.urn})`);
        for (const rem of remResp?.getRemediationsList() ?? []) {
            const version = yamlVersion || rem.getPolicypackversion();
            if (rem.getDiagnostic() !== "") {
                diags.push({
                    policyName: rem.getPolicyname(),
                    policyPackName: rem.getPolicypackname(),
                    policyPackVersion: version,
                    description: rem.getDescription(),
                    message: rem.getDiagnostic(),
                    enforcementLevel: "advisory",
                    urn: r.urn,
                    severity: "",
                });
            } else if (rem.hasProperties()) {
                inputs = fromStruct(rem.getProperties());
                applied.push({
                    urn: r.urn,
                    policyName: rem.getPolicyname(),
                    policyPackName: rem.getPolicypackname(),
                    policyPackVersion: version,
                    description: rem.getDescription(),
                    properties: inputs,
                });
            }
        }

        const req = buildAnalyzeRequest(r, inputs, index, false);
        const resp = await pack.call<analyzerPbTypes.AnalyzeResponse>("analyze", req, `Analyze(${r.urn})`);
        for (const d of resp.getDiagnosticsList()) {
            diags.push(toDiagnostic(d, r.urn, yamlVersion, severityOf));
        }
        perResource[i] = diags;
        remediations[i] = applied;
        finalInputs[i] = inputs;
    };

    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < resources.length) {
            const i = next++;
            try {
                await analyzeOne(i);
            } catch (e) {
                failed = true;
                throw e;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(RESOURCE_CONCURRENCY, resources.length) }, worker));

    // AnalyzeStack: outputs. A remediation changes what the provider is given, so the changed
    // top-level inputs are carried into the outputs sent here (the provider echoes inputs).
    const stackReq = encodeAnalyzeStackRequest(resources, (r, i) => outputsAfterRemediation(r, finalInputs[i]), index);
    const stackResp = await pack.call<analyzerPbTypes.AnalyzeResponse>("analyzeStack", stackReq, "AnalyzeStack");
    const stackDiags = stackResp
        .getDiagnosticsList()
        .map((d) => toDiagnostic(d, index.get(d.getUrn()) ? d.getUrn() : "", yamlVersion, severityOf));

    return {
        pack: info,
        packSource: packSource ?? `local: ${pack.project.dir}`,
        appliedConfig: applied,
        diagnostics: [...perResource.flat(), ...stackDiags],
        resources: resources.length,
        remediations: remediations.flat(),
        logs: pack.logs.slice(),
    };
}

function outputsAfterRemediation(r: ResourceRecord, inputs: WireProperties): WireProperties {
    const original = r.inputs ?? {};
    const outputs = r.outputs ?? {};
    if (inputs === original) {
        return outputs;
    }
    const result: WireProperties = { ...outputs };
    for (const key of new Set([...Object.keys(original), ...Object.keys(inputs)])) {
        if (sameJson(original[key], inputs[key])) {
            continue;
        }
        if (key in inputs) {
            result[key] = inputs[key];
        } else {
            delete result[key];
        }
    }
    return result;
}
