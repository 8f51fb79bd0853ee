/**
 * The engine's side of program mode: what the Pulumi engine records for each resource a program
 * registers (URN, default provider, inputs after Check, outputs, options, dependencies), as it
 * would hand them to a policy pack. ./program-worker.ts connects it to the program's SDK.
 */
import type { ResourceRecord, WireProperties, WireValue } from "../model";
import type { WorkerRequest } from "./worker-protocol";
import { RESOURCE_REFERENCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN } from "../wire";
import {
    defaultProviderName,
    deterministicUuid,
    engineUrn,
    isProviderType,
    packageOfType,
    parseGoDurationSeconds,
    parseProviderReference,
    providerType,
} from "./engine";
import { applyCheck, PlausibleContext, providerResult } from "./plausible";
import { resourceSchema } from "./sdk-schema";
import { EXPANDABLE_REMOTE_COMPONENTS, kubernetesType, remoteManifests } from "./k8s-manifests";
import { engineSourcePosition } from "./source-position";
import type { Untyped as Any } from "./untyped";




function isObject(v: unknown): v is Record<string, WireValue> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Resource references downgraded as the engine does for analyzers (MarshalOptions KeepResources
 * false, sdk/go/common/resource/plugin/rpc.go): a custom resource becomes its id (the unknown
 * sentinel when the id is not known), a component its URN.
 */
export function downgradeReferences(value: WireValue): WireValue {
    if (Array.isArray(value)) {
        return value.map(downgradeReferences);
    }
    if (isObject(value)) {
        if (value[SIG_KEY] === RESOURCE_REFERENCE_SIG) {
            if (Object.prototype.hasOwnProperty.call(value, "id")) {
                const id = value.id;
                return typeof id === "string" && id !== "" ? id : UNKNOWN;
            }
            return typeof value.urn === "string" ? value.urn : UNKNOWN;
        }
        const out: Record<string, WireValue> = {};
        for (const [k, v] of Object.entries(value)) {
            out[k] = downgradeReferences(v);
        }
        return out;
    }
    return value;
}

function secret(value: WireValue): WireValue {
    if (isObject(value) && value[SIG_KEY] === SECRET_SIG) {
        return value;
    }
    return { [SIG_KEY]: SECRET_SIG, value };
}

/** The account an AWS provider works in (see Recorder.contextFor); `fallback` when it says nothing. */
export function providerAccount(inputs: WireProperties, fallback: string | undefined): string | undefined {
    const parse = (v: WireValue | undefined): WireValue | undefined => {
        if (typeof v === "string" && /^[[{]/.test(v.trim())) {
            try {
                return JSON.parse(v) as WireValue; // provider config values arrive as JSON text
            } catch {
                return v;
            }
        }
        return v;
    };
    const allowed = parse(inputs.allowedAccountIds);
    if (Array.isArray(allowed) && allowed.length > 0) {
        return typeof allowed[0] === "string" && allowed[0] !== UNKNOWN ? allowed[0] : undefined;
    }
    const assumed = parse(inputs.assumeRoles) ?? parse(inputs.assumeRole);
    const first = Array.isArray(assumed) ? assumed[0] : assumed;
    if (first !== undefined && first !== null) {
        const arn = typeof first === "object" && !Array.isArray(first) ? first.roleArn : first;
        const m = typeof arn === "string" ? /^arn:[^:]+:iam::(\d{12}):/.exec(arn) : null;
        return m ? m[1] : undefined;
    }
    return fallback;
}

/** A Helm release the provider installs with Helm: its objects never become Pulumi resources. */
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

export const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

/** The options of a resource the engine registers itself (no program options set). */
function defaultOptions(parent?: string): ResourceRecord["options"] {
    return {
        protect: false,
        ignoreChanges: [],
        deleteBeforeReplace: undefined,
        additionalSecretOutputs: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        ...(parent !== undefined ? { parent } : {}),
    };
}

/**
 * What the engine reads for a StackReference: the referenced stack's outputs. Offline they come from
 * `--stack-reference <name>=<file>`; without them they are unknown, which only a preview can express
 * (in an update the SDK turns unknowns into undefined and the program would fail obscurely).
 */
export function stackReferenceState(request: WorkerRequest, name: string): WireProperties {
    const outputs = request.stackReferences[name];
    if (outputs !== undefined) {
        return { name, outputs: outputs as WireValue, secretOutputNames: [] };
    }
    if (request.preview) {
        return { name, outputs: UNKNOWN, secretOutputNames: [] };
    }
    throw new Error(
        `StackReference "${name}": its outputs are not available offline; pass --stack-reference ${name}=<file> ` +
            `(the output of \`pulumi stack output --json --show-secrets --stack ${name}\`), or check with --preview to treat them as unknown`,
    );
}

export class Recorder {
    readonly resources: ResourceRecord[] = [];
    /** What the recording could not reproduce (shown as notes by `sealed-infra check`). */
    readonly warnings: string[] = [];
    private readonly byUrn = new Map<string, ResourceRecord>();
    private readonly defaultProviders = new Map<string, string>();
    private readonly ctx: PlausibleContext;

    constructor(private readonly request: WorkerRequest) {
        this.ctx = { region: request.region, account: request.account, preview: request.preview };
    }

    get plausible(): PlausibleContext {
        return this.ctx;
    }

    private add(record: ResourceRecord): void {
        if (this.byUrn.has(record.urn)) {
            // The engine rejects a second registration of the same URN.
            throw new Error(`Duplicate resource URN '${record.urn}'; try giving it a unique name`);
        }
        this.byUrn.set(record.urn, record);
        this.resources.push(record);
    }

    /** The reference `<urn>::<id>` of the default provider for a package, registering it on first use. */
    defaultProvider(pkg: string, version: string, pluginDownloadUrl: string): string {
        const key = `${pkg}-${version}-${pluginDownloadUrl}`;
        const existing = this.defaultProviders.get(key);
        if (existing) {
            return existing;
        }
        const { stack, project, preview } = this.request;
        const type = providerType(pkg);
        const name = defaultProviderName(version || undefined, pluginDownloadUrl || undefined);
        const urn = engineUrn(stack, project, undefined, type, name);
        const inputs: WireProperties = {};
        const secretKeys = new Set(this.request.secretKeys);
        for (const [k, v] of Object.entries(this.request.config)) {
            const colon = k.indexOf(":");
            if (colon < 0 || k.slice(0, colon) !== pkg) {
                continue;
            }
            inputs[k.slice(colon + 1)] = secretKeys.has(k) ? secret(v) : v;
        }
        if (version) {
            inputs.version = version;
        }
        if (pluginDownloadUrl) {
            inputs.pluginDownloadURL = pluginDownloadUrl.replace(/\/+$/, "");
        }
        const id = preview ? UNKNOWN : deterministicUuid(urn);
        this.add({
            urn,
            type,
            name,
            custom: true,
            id,
            inputs,
            outputs: { ...inputs },
            dependencies: [],
            propertyDependencies: {},
            options: defaultOptions(),
        });
        const ref = `${urn}::${id}`;
        this.defaultProviders.set(key, ref);
        return ref;
    }

    /**
     * Handles one RegisterResourceRequest; returns what the monitor answers. Output properties missing
     * from `object` are unknown to the program: the monitor answers as the engine does for a resource
     * whose update was skipped (see ./program-worker.ts), so they never become a made-up absence.
     */
    register(req: Any): { urn: string; id: string; object: WireProperties } {
        const { stack, project } = this.request;
        const type: string = req.getType();
        const name: string = req.getName();
        const custom: boolean = req.getCustom();
        const parent: string | undefined = req.getParent() || undefined;
        const urn = engineUrn(stack, project, parent, type, name);

        const object: Record<string, WireValue> = req.getObject() ? (req.getObject().toJavaScript() as Record<string, WireValue>) : {};
        let inputs = downgradeReferences(object) as WireProperties;
        if (isProviderType(type)) {
            // source_eval.go RegisterResource: the engine records the requested version/URL in provider inputs.
            if (req.getVersion()) {
                inputs = { ...inputs, version: req.getVersion() };
            }
            // pluginDownloadURL: SDKs from about 3.5 (optional calls below mark fields older SDKs lack).
            if (req.getPlugindownloadurl?.()) {
                inputs = { ...inputs, pluginDownloadURL: String(req.getPlugindownloadurl()).replace(/\/+$/, "") };
            }
        }

        let provider: string | undefined = req.getProvider() || undefined;
        // A parameterized package's resources name their provider by package reference (SDKs from
        // about 3.130; older SDKs have no such field).
        if (custom && !provider && !isProviderType(type) && !req.getPackageref?.()) {
            provider = this.defaultProvider(packageOfType(type), req.getVersion() || "", req.getPlugindownloadurl?.() || "");
        }

        const dependencies: string[] = [...new Set<string>(req.getDependenciesList())];
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps: Any, key: string) => {
            propertyDependencies[key] = [...new Set<string>(deps.getUrnsList())];
        });
        for (const key of Object.keys(object)) {
            propertyDependencies[key] = propertyDependencies[key] ?? [];
        }

        // The engine sends analyzers only the alias that matched a resource of the previous state
        // (step_generator.go, State.GetAliases). Program mode models a first deployment: none.
        const aliases: string[] = [];

        const timeouts = req.getCustomtimeouts();
        const seconds = (v: string | undefined): number => {
            if (!v) {
                return 0;
            }
            try {
                return parseGoDurationSeconds(v);
            } catch {
                // source_eval.go generateTimeoutInSeconds fails the registration.
                throw new Error(`unable to parse customTimeout Value ${v}`);
            }
        };
        const customTimeouts = {
            createSeconds: seconds(timeouts?.getCreate()),
            updateSeconds: seconds(timeouts?.getUpdate()),
            deleteSeconds: seconds(timeouts?.getDelete()),
        };
        const additionalSecretOutputs: string[] = req.getAdditionalsecretoutputsList();

        let id: string | undefined;
        let outputs: WireProperties = {};
        // What the program sees: the outputs, plus the optional properties the provider leaves unset
        // as known and empty (null); anything else the monitor does not return is unknown (see register's caller).
        let seen: WireProperties = {};
        if (custom) {
            if (isProviderType(type)) {
                id = this.request.preview ? UNKNOWN : deterministicUuid(urn);
                outputs = { ...inputs };
            } else {
                inputs = applyCheck(type, urn, name, inputs);
                const result = providerResult(type, urn, name, inputs, resourceSchema(this.request.programDir, type), this.contextFor(provider));
                id = result.id;
                outputs = result.outputs;
                seen = Object.fromEntries(result.optionalUnset.map((k) => [k, null]));
            }
            for (const key of additionalSecretOutputs) {
                if (outputs[key] !== undefined) {
                    outputs[key] = secret(outputs[key]);
                }
            }
        }

        const protect = req.getProtect();
        const sourcePosition = this.sourcePositionOf(req);
        this.add({
            urn,
            type,
            name,
            custom,
            id,
            inputs,
            outputs,
            parent,
            dependencies,
            propertyDependencies,
            options: {
                protect: protect === true,
                ignoreChanges: [...req.getIgnorechangesList()],
                deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
                additionalSecretOutputs: [...additionalSecretOutputs],
                aliases,
                customTimeouts,
                parent,
            },
            provider,
            ...(sourcePosition !== undefined ? { sourcePosition } : {}),
        });
        if (!custom && req.getRemote?.()) {
            this.expandRemoteComponent(urn, type, name, inputs, provider);
        }
        if (type === HELM_RELEASE) {
            this.warnings.push(
                `${type} "${name}" installs a Helm chart whose objects are not Pulumi resources: neither this check nor pulumi preview with the pack sees them (a helm.sh/v4 Chart registers each object, so the pack checks them)`,
            );
        }
        return { urn, id: id !== undefined && id !== UNKNOWN ? id : "", object: custom ? { ...seen, ...outputs } : {} };
    }

    /**
     * A remote component's children are registered by its provider, which mocks do not run. The
     * Kubernetes YAML components are expanded here from their manifests; any other remote component
     * is noted, so a check never passes silently over resources it could not see.
     */
    private expandRemoteComponent(urn: string, type: string, name: string, inputs: WireProperties, provider: string | undefined): void {
        if (!EXPANDABLE_REMOTE_COMPONENTS.has(type)) {
            this.warnings.push(
                `${type} "${name}" is a remote component whose resources its provider creates at deploy time; they are not checked offline (pulumi preview with the pack checks them)`,
            );
            return;
        }
        const { objects, unreadable } = remoteManifests(inputs as Record<string, unknown>, this.request.programDir);
        for (const file of unreadable) {
            this.warnings.push(`${type} "${name}": manifest ${file} cannot be read offline (URL or glob); its resources are not checked`);
        }
        const prefix = typeof inputs.resourcePrefix === "string" ? inputs.resourcePrefix : name;
        const kubernetesProvider = provider ?? this.defaultProvider("kubernetes", "", "");
        for (const obj of objects) {
            const childType = kubernetesType(obj);
            const md = (obj.metadata ?? {}) as Record<string, unknown>;
            if (!childType || typeof md.name !== "string") {
                this.warnings.push(`${type} "${name}": a manifest object without apiVersion, kind or metadata.name is not checked`);
                continue;
            }
            const ns = typeof md.namespace === "string" ? `${md.namespace}/` : "";
            const childName = `${prefix}:${ns}${md.name}`;
            const childUrn = engineUrn(this.request.stack, this.request.project, urn, childType, childName);
            const childInputs = obj as WireProperties;
            const result = providerResult(childType, childUrn, childName, childInputs, undefined, this.ctx);
            this.add({
                urn: childUrn,
                type: childType,
                name: childName,
                custom: true,
                id: result.id,
                inputs: childInputs,
                outputs: result.outputs,
                parent: urn,
                dependencies: [],
                propertyDependencies: {},
                options: defaultOptions(urn),
                provider: kubernetesProvider,
            });
        }
    }

    /** The source position the SDK sent (SDKs before 3.1xx send none), as the engine records it. */
    private sourcePositionOf(req: Any): string | undefined {
        const pos = typeof req.getSourceposition === "function" ? req.getSourceposition() : undefined;
        if (!pos) {
            return undefined;
        }
        return engineSourcePosition(this.request.programDir, pos.getUri(), pos.getLine(), pos.getColumn());
    }

    /** RegisterResourceOutputs: a component's (or the root stack's) outputs. */
    registerOutputs(urn: string, outputs: WireProperties): void {
        const record = this.byUrn.get(urn);
        if (record) {
            record.outputs = downgradeReferences(outputs) as WireProperties;
        }
    }

    /** The engine registers a default provider for an invoke's package too (unless one was given). */
    noteInvoke(token: string, provider: string, version: string, pluginDownloadUrl: string): void {
        if (!provider && !token.startsWith("pulumi:")) {
            this.defaultProvider(packageOfType(token), version, pluginDownloadUrl);
        }
    }

    /**
     * Plausible values follow the resource's provider: its region, and its account. An explicit AWS
     * provider that names its account (`allowedAccountIds`) or assumes a role (`assumeRole(s)`) works
     * in that account; when the role's ARN is not known, neither is the account, and every value that
     * contains it stays unknown rather than falling back to the stack's account.
     */
    private contextFor(providerRef: string | undefined): PlausibleContext {
        const ref = providerRef ? parseProviderReference(providerRef) : undefined;
        const inputs = ref ? this.byUrn.get(ref.urn)?.inputs : undefined;
        if (!inputs) {
            return this.ctx;
        }
        const region = typeof inputs.region === "string" && inputs.region !== UNKNOWN ? inputs.region : this.ctx.region;
        return { ...this.ctx, region, account: providerAccount(inputs, this.ctx.account) };
    }

    /**
     * `pulumi:pulumi:getResource`: the SDK asks the engine for a registered resource when it
     * deserializes a reference to one (e.g. in a remote component's outputs). The engine answers
     * with its URN, id and outputs.
     */
    registeredResource(urn: string): { urn: string; id: string | null; state: WireProperties } {
        const record = this.byUrn.get(urn);
        if (!record) {
            throw new Error(`the program refers to resource ${urn}, which it has not registered`);
        }
        return { urn, id: record.id !== undefined && record.id !== UNKNOWN ? record.id : null, state: record.outputs };
    }

    urnOf(parent: string | undefined, type: string, name: string): string {
        return engineUrn(this.request.stack, this.request.project, parent, type, name);
    }
}
