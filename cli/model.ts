/**
 * The data that flows through `sealed-infra check`:
 *   a source (program under mocks, or a stack export) produces ResourceRecords,
 *   the analyzer client sends them to a launched policy pack exactly as the Pulumi engine would,
 *   and a reporter prints the resulting AnalyzerDiagnostics.
 *
 * Property values in a ResourceRecord are held in the Pulumi *wire format* — the plain JSON that
 * the engine puts into a protobuf Struct for the analyzer (see ./wire.ts): secrets are
 * `{[SIG_KEY]: SECRET_SIG, value}`, assets and archives carry their signatures, values that are
 * not known yet are the unknown sentinel string, and resource references have already been
 * downgraded to the referenced resource's id (or URN for components). A source is responsible
 * for producing exactly what the engine would send; the client only wraps it in a Struct.
 */

export type WireValue =
    | null
    | boolean
    | number
    | string
    | WireValue[]
    | { [key: string]: WireValue };

export type WireProperties = Record<string, WireValue>;

/** Custom timeouts in seconds, as the engine sends them (0 = not set). */
export interface CustomTimeoutsRecord {
    createSeconds: number;
    updateSeconds: number;
    deleteSeconds: number;
}

/** The resource options the engine sends to analyzers (AnalyzerResourceOptions). */
export interface ResourceOptionsRecord {
    protect: boolean;
    ignoreChanges: string[];
    /** Undefined when the program did not set it (deleteBeforeReplaceDefined = false). */
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs: string[];
    /** Alias URNs. */
    aliases: string[];
    customTimeouts: CustomTimeoutsRecord;
    parent?: string;
}

export interface ResourceRecord {
    urn: string;
    /** Type token, e.g. `aws:ecr/repository:Repository`. */
    type: string;
    name: string;
    /** false for component resources and the root stack. */
    custom: boolean;
    /** Provider-assigned id; undefined for components or when not yet known. */
    id?: string;
    /** Inputs after the provider's Check, as sent to Analyze. */
    inputs: WireProperties;
    /** Outputs (in preview: inputs plus unknowns), as sent to AnalyzeStack. */
    outputs: WireProperties;
    parent?: string;
    dependencies: string[];
    /** Property name -> URNs the property's value came from. */
    propertyDependencies: Record<string, string[]>;
    options: ResourceOptionsRecord;
    /** Provider reference `<provider urn>::<provider id>`, as the engine keeps it. */
    provider?: string;
    /**
     * Where the program registered the resource, as the engine keeps it in state:
     * `project:///<path relative to the project directory>#<line>[,<column>]`
     * (./sources/source-position.ts). Absent for resources the engine registers itself.
     */
    sourcePosition?: string;
}

/** A whole stack as a source produced it. */
export interface StackSnapshot {
    organization: string;
    project: string;
    stack: string;
    /** True when values not known until the update are sent as unknowns (preview semantics). */
    dryRun: boolean;
    /** Decrypted stack config, `<namespace>:<key>` -> string, as sent in ConfigureStack. */
    config: Record<string, string>;
    /** Stack tags, as sent in ConfigureStack. */
    tags: Record<string, string>;
    /** Resources in registration order (providers and the root stack included). */
    resources: ResourceRecord[];
}

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export type Severity = "" | "low" | "medium" | "high" | "critical";

/** A place in a source file, for reports: the path relative to the working directory, POSIX separators. */
export interface SourceLocation {
    file: string;
    /** 1-based. */
    line: number;
    /** 1-based; absent when the position did not give one. */
    column?: number;
}

/** One AnalyzeDiagnostic as it came back from the pack. */
export interface AnalyzerDiagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    message: string;
    enforcementLevel: EnforcementLevel;
    /** Empty for stack-level findings without a resource. */
    urn: string;
    severity: Severity;
    /** Where the program declared the resource (set by `sealed-infra check` from the URN, when known). */
    source?: SourceLocation;
}

export interface PolicyInfoRecord {
    name: string;
    displayName: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    severity: Severity;
    remediationSteps: string;
    policyType: "resource" | "stack" | "unknown";
    /** JSON Schema `properties` of the policy's config, as the pack declared it. */
    configSchema?: { properties: Record<string, unknown>; required: string[] };
}

export interface AnalyzerInfoRecord {
    name: string;
    version: string;
    displayName: string;
    description: string;
    supportsConfig: boolean;
    policies: PolicyInfoRecord[];
    /** Pack-wide default enforcement level (the first policy's default, as the engine sees it). */
}

/** The result of running one pack over one stack. */
export interface PackReport {
    pack: AnalyzerInfoRecord;
    /** Where the pack came from, for display (`local: policypack`). */
    packSource: string;
    /** Config actually sent in Configure, per policy (after reconciliation). */
    appliedConfig: Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }>;
    diagnostics: AnalyzerDiagnostic[];
    /** Number of resources analysed. */
    resources: number;
}

/** A failure that `sealed-infra check` reports as one line and exit code 2. */
export class CheckError extends Error {
    constructor(message: string, readonly detail?: unknown) {
        super(message);
        this.name = "CheckError";
    }
}
