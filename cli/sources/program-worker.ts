/**
 * Child process that runs one Pulumi program under mocks and records every resource the engine
 * would hand to a policy pack. Started by ./program.ts (`node [ts-node] program-worker <request.json>`),
 * one process per program so each run gets fresh @pulumi/pulumi runtime state.
 *
 * How it mirrors a real `pulumi preview`/`up` (pulumi/pulumi sdk/nodejs/cmd/run/run.js):
 *  - the program's own @pulumi/pulumi (resolved from the program directory) is used, so mocks are
 *    installed on the instance the program's resources talk to;
 *  - ts-node is registered (transpile-only) before the program is required; cwd = program dir;
 *  - the program runs inside `runInPulumiStack`, so the root `pulumi:pulumi:Stack` resource
 *    `<project>-<stack>` is registered first and top-level resources are parented to it;
 *  - the process keeps running until the event loop drains (resources created inside `apply`
 *    callbacks are still registered), then the outstanding RPCs are awaited.
 * The resource monitor is @pulumi/pulumi's MockMonitor, subclassed so that URNs, default
 * providers, alias URNs, timeouts and property dependencies are computed as the engine computes
 * them (see ./engine.ts), and outputs are plausible (see ./plausible.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { createRequire } from "module";
import type { ResourceRecord, WireProperties, WireValue } from "../model";
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
import { applyCheck, invokeResult, PlausibleContext, providerResult } from "./plausible";
import { outputOnlyProperties } from "./sdk-schema";
import { EXPANDABLE_REMOTE_COMPONENTS, kubernetesType, remoteManifests } from "./k8s-manifests";

export interface WorkerRequest {
    /** Absolute program (project) directory; the worker's cwd. */
    programDir: string;
    /** Absolute path the program is required from (the project's `main`, or the directory). */
    main: string;
    project: string;
    stack: string;
    organization: string;
    preview: boolean;
    /** Stack config `<ns>:<key>` -> value, and the keys that are secure, for default providers. */
    config: Record<string, string>;
    secretKeys: string[];
    region: string;
    /** AWS account for plausible ARNs: the stack config's aws:allowedAccountIds[0], else 123456789012. */
    account: string;
    /**
     * Outputs of referenced stacks (`pulumi stack output --json` of each), by stack name. A
     * StackReference not listed here has unknown outputs in preview and stops an update-mode check.
     */
    stackReferences: Record<string, Record<string, unknown>>;
    /** Register ts-node before requiring the program (runtime option `typescript`, default true). */
    typescript: boolean;
    resultFile: string;
}

export type WorkerResult =
    | { ok: true; resources: ResourceRecord[]; warnings: string[] }
    | { ok: false; message: string; stack?: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const TS_NODE_INSTANCE = Symbol.for("ts-node.register.instance");

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

const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

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
function stackReferenceState(request: WorkerRequest, name: string): WireProperties {
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

class Recorder {
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

    /** Handles one RegisterResourceRequest; returns what the monitor answers. */
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
            if (req.getPlugindownloadurl()) {
                inputs = { ...inputs, pluginDownloadURL: String(req.getPlugindownloadurl()).replace(/\/+$/, "") };
            }
        }

        let provider: string | undefined = req.getProvider() || undefined;
        if (custom && !provider && !isProviderType(type) && !req.getPackageref()) {
            provider = this.defaultProvider(packageOfType(type), req.getVersion() || "", req.getPlugindownloadurl() || "");
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
        if (custom) {
            if (isProviderType(type)) {
                id = this.request.preview ? UNKNOWN : deterministicUuid(urn);
                outputs = { ...inputs };
            } else {
                inputs = applyCheck(type, urn, name, inputs);
                const result = providerResult(type, urn, name, inputs, outputOnlyProperties(this.request.programDir, type), this.contextFor(provider));
                id = result.id;
                outputs = result.outputs;
            }
            for (const key of additionalSecretOutputs) {
                if (outputs[key] !== undefined) {
                    outputs[key] = secret(outputs[key]);
                }
            }
        }

        const protect = req.getProtect();
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
        });
        if (!custom && req.getRemote?.()) {
            this.expandRemoteComponent(urn, type, name, inputs, provider);
        }
        return { urn, id: id !== undefined && id !== UNKNOWN ? id : "", object: custom ? outputs : {} };
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

    /** Plausible values follow the region of the resource's provider (explicit or default). */
    private contextFor(providerRef: string | undefined): PlausibleContext {
        const ref = providerRef ? parseProviderReference(providerRef) : undefined;
        const region = ref ? this.byUrn.get(ref.urn)?.inputs.region : undefined;
        return typeof region === "string" && region !== UNKNOWN ? { ...this.ctx, region } : this.ctx;
    }

    urnOf(parent: string | undefined, type: string, name: string): string {
        return engineUrn(this.request.stack, this.request.project, parent, type, name);
    }
}

function loadFromProgram(programDir: string): { pulumiRequire: NodeRequire } {
    let pulumiPackageJson: string;
    try {
        pulumiPackageJson = require.resolve("@pulumi/pulumi/package.json", { paths: [programDir] });
    } catch {
        throw new Error(`cannot find @pulumi/pulumi from ${programDir}; install the program's dependencies (npm install)`);
    }
    return { pulumiRequire: createRequire(pulumiPackageJson) };
}

function registerTypeScript(programDir: string): void {
    if ((process as Any)[TS_NODE_INSTANCE]) {
        return; // already registered (development runs start the worker under ts-node)
    }
    let tsNode: string;
    try {
        tsNode = require.resolve("ts-node", { paths: [programDir] });
    } catch {
        try {
            tsNode = require.resolve("ts-node");
        } catch {
            return; // JavaScript programs still run
        }
    }
    const tsconfig = path.join(programDir, "tsconfig.json");
    const hasTsconfig = fs.existsSync(tsconfig);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(tsNode).register({
        transpileOnly: true,
        skipProject: !hasTsconfig,
        project: hasTsconfig ? tsconfig : undefined,
        compilerOptions: { target: "ES2020", module: "commonjs", moduleResolution: "node", sourceMap: true },
    });
}

function errorOf(e: unknown): { message: string; stack?: string } {
    if (e instanceof Error) {
        return { message: e.message, stack: e.stack };
    }
    return { message: String(e) };
}

async function main(): Promise<void> {
    const request: WorkerRequest = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    let written = false;
    const write = (result: WorkerResult) => {
        if (!written) {
            written = true;
            fs.writeFileSync(request.resultFile, JSON.stringify(result));
        }
    };
    let firstError: { message: string; stack?: string } | undefined;
    const fail = (e: unknown) => {
        if (!firstError) {
            firstError = errorOf(e);
        }
    };
    process.on("uncaughtException", fail);
    process.on("unhandledRejection", fail);

    let settings: Any;
    let recorder: Recorder | undefined;
    let finished = false;
    process.on("beforeExit", () => {
        if (written) {
            return;
        }
        const settle = async () => {
            if (settings && !firstError) {
                await settings.waitForRPCs();
            }
        };
        settle()
            .catch(fail)
            .then(() => {
                if (firstError || !finished || !recorder) {
                    write({ ok: false, ...(firstError ?? { message: "the program stopped before it finished" }) });
                } else {
                    write({ ok: true, resources: recorder.resources, warnings: recorder.warnings });
                }
            });
    });

    try {
        process.chdir(request.programDir);
        const { pulumiRequire } = loadFromProgram(request.programDir);
        const mocks = pulumiRequire("./runtime/mocks");
        settings = pulumiRequire("./runtime/settings");
        const stackModule = pulumiRequire("./runtime/stack");
        const resproto = pulumiRequire("./proto/resource_pb");
        const structproto = pulumiRequire("google-protobuf/google/protobuf/struct_pb");
        const rec = new Recorder(request);
        recorder = rec;

        const mockCallbacks = {
            newResource: () => {
                throw new Error("unreachable: registrations are handled by the recording monitor");
            },
            call: (args: { token: string; inputs: Record<string, unknown> }) => invokeResult(args.token, args.inputs, rec.plausible),
        };

        const MockMonitor: new (m: unknown) => { invoke(req: Any, callback: Any): Promise<void> } = mocks.MockMonitor;
        class RecordingMonitor extends MockMonitor {
            registerResource(req: Any, callback: (err: unknown, resp?: unknown) => void): void {
                try {
                    const { urn, id, object } = rec.register(req);
                    const resp = new resproto.RegisterResourceResponse();
                    resp.setUrn(urn);
                    resp.setId(id);
                    resp.setObject(structproto.Struct.fromJavaScript(object));
                    callback(null, resp);
                } catch (e) {
                    callback(e);
                }
            }

            registerResourceOutputs(req: Any, callback: (err: unknown, resp?: unknown) => void): void {
                try {
                    const outputs = req.getOutputs() ? req.getOutputs().toJavaScript() : {};
                    rec.registerOutputs(req.getUrn(), outputs);
                    callback(null, {});
                } catch (e) {
                    callback(e);
                }
            }

            async readResource(req: Any, callback: (err: unknown, resp?: unknown) => void): Promise<void> {
                // `Resource.get(...)`: the engine reads the resource but neither analyzes it nor puts it in
                // the stack handed to AnalyzeStack (step_executor.go keeps reads apart from news).
                try {
                    const urn = rec.urnOf(req.getParent() || undefined, req.getType(), req.getName());
                    const inputs = req.getProperties() ? req.getProperties().toJavaScript() : {};
                    const properties = req.getType() === STACK_REFERENCE_TYPE ? stackReferenceState(request, String(req.getId())) : { ...inputs, id: req.getId() };
                    const resp = new resproto.ReadResourceResponse();
                    resp.setUrn(urn);
                    resp.setProperties(structproto.Struct.fromJavaScript(properties));
                    callback(null, resp);
                } catch (e) {
                    callback(e);
                }
            }

            async invoke(req: Any, callback: (err: unknown, resp?: unknown) => void): Promise<void> {
                try {
                    rec.noteInvoke(req.getTok(), req.getProvider(), req.getVersion?.() ?? "", req.getPlugindownloadurl?.() ?? "");
                } catch (e) {
                    callback(e);
                    return;
                }
                return super.invoke(req, callback);
            }
        }

        await mocks.setMocks(mockCallbacks, request.project, request.stack, request.preview, request.organization);
        settings.setMockOptions(new RecordingMonitor(mockCallbacks), request.project, request.stack, request.preview, request.organization);

        if (request.typescript) {
            registerTypeScript(request.programDir);
        }
        const runProgram = async () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const exported = require(request.main);
            const result = typeof exported === "function" ? exported() : exported;
            return await result;
        };
        await stackModule.runInPulumiStack(runProgram);
        finished = true;
    } catch (e) {
        fail(e);
    }
}

if (require.main === module) {
    main().catch((e) => {
        console.error(e);
        process.exitCode = 70;
    });
}
