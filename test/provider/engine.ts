/**
 * The engine's side of a multi-language component, for tests: launches the component provider the
 * way the Pulumi engine launches a Node.js plugin, and plays the engine's services it dials back to.
 *
 *  - launch (pulumi-language-nodejs RunPlugin): `node <@pulumi/pulumi/cmd/run-plugin resolved from
 *    the plugin directory> <nodeargs> <plugin directory> <engine address>`, working directory the
 *    program's; the plugin prints its port on stdout's first line; then GetPluginInfo, Handshake
 *    (UNIMPLEMENTED tolerated, as the engine does), Configure, GetSchema and Construct calls.
 *  - the Engine service (Log, Get/SetRootResource) the provider's SDK talks to;
 *  - a ResourceMonitor (Construct's monitor endpoint) whose registrations are recorded by program
 *    mode's own engine model (cli/sources/recorder.ts: URNs, default providers, plausible outputs,
 *    options as the engine records them), so that the children a Construct registers can be compared
 *    with those of the same component run as a TypeScript program under mocks, and sent to the
 *    policy pack as they are.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import * as yaml from "yaml";
import type * as grpcTypes from "@grpc/grpc-js";
import type { ResourceRecord, StackSnapshot, WireProperties, WireValue } from "../../cli/model";
import { rootStackUrn } from "../../cli/sources/engine";
import { invokeResult } from "../../cli/sources/plausible";
import { Recorder } from "../../cli/sources/recorder";
import type { WorkerRequest } from "../../cli/sources/worker-protocol";

// The generated protocol code, and the grpc-js and protobuf copies it was built with.
const fromProto = createRequire(require.resolve("@pulumi/pulumi/proto/provider_pb"));
const provproto: any = fromProto("./provider_pb");
const provrpc: any = fromProto("./provider_grpc_pb");
const resproto: any = fromProto("./resource_pb");
const resrpc: any = fromProto("./resource_grpc_pb");
const engineproto: any = fromProto("./engine_pb");
const enginerpc: any = fromProto("./engine_grpc_pb");
const plugproto: any = fromProto("./plugin_pb");
const grpc: typeof grpcTypes = fromProto("@grpc/grpc-js");
const structproto: any = fromProto("google-protobuf/google/protobuf/struct_pb");
const emptyproto: any = fromProto("google-protobuf/google/protobuf/empty_pb");
type Any = any;

const LAUNCH_TIMEOUT_MS = 60_000;

/** The stack the tests deploy into (program mode's defaults, so both sides name resources alike). */
export interface TestStack {
    project: string;
    stack: string;
    organization: string;
    preview: boolean;
    region: string;
    account: string;
}

export const TEST_STACK: TestStack = {
    project: "multi-language",
    stack: "dev",
    organization: "organization",
    preview: false,
    region: "us-east-1",
    account: "123456789012",
};

function unaryCall<Res>(client: Any, method: string, request: unknown): Promise<Res> {
    return new Promise((resolve, reject) => {
        client[method](request, (err: grpcTypes.ServiceError | null, res: Res) => (err ? reject(err) : resolve(res)));
    });
}

function isUnimplemented(e: unknown): boolean {
    return typeof e === "object" && e !== null && (e as grpcTypes.ServiceError).code === grpc.status.UNIMPLEMENTED;
}

async function serve(register: (server: grpcTypes.Server) => void): Promise<{ server: grpcTypes.Server; address: string }> {
    const server = new grpc.Server();
    register(server);
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    return { server, address: `127.0.0.1:${port}` };
}

/** A unary handler that answers with `fn`'s result or its error. */
function handler(fn: (request: Any) => unknown | Promise<unknown>): grpcTypes.handleUnaryCall<Any, Any> {
    return (call, callback) => {
        Promise.resolve()
            .then(() => fn(call.request))
            .then(
                (res) => callback(null, res),
                (err) => callback({ code: grpc.status.UNKNOWN, details: err instanceof Error ? err.message : String(err) }),
            );
    };
}

/** A log line the provider's SDK sent to the engine. */
export interface EngineLog {
    severity: number;
    message: string;
    urn: string;
}

/**
 * The engine services for one deployment: an Engine server and a ResourceMonitor recording into a
 * program-mode Recorder. `getResource` (what an SDK calls to read a referenced resource) answers
 * with the state the monitor returned or the component registered.
 */
export class TestEngine {
    readonly recorder: Recorder;
    readonly logs: EngineLog[] = [];
    /** Raw (wire) state of every registered resource, as `pulumi:pulumi:getResource` returns it. */
    private readonly states = new Map<string, { urn: string; id: string; state: WireProperties }>();
    private rootUrn = "";
    private servers: grpcTypes.Server[] = [];
    engineAddress = "";
    monitorAddress = "";

    constructor(readonly stack: TestStack) {
        const request: WorkerRequest = {
            programDir: path.resolve(__dirname, "..", ".."),
            mainArg: ".",
            project: stack.project,
            stack: stack.stack,
            organization: stack.organization,
            preview: stack.preview,
            config: {},
            secretKeys: [],
            region: stack.region,
            account: stack.account,
            stackReferences: {},
            typescript: false,
            resultFile: "",
        };
        this.recorder = new Recorder(request);
    }

    async start(): Promise<this> {
        const engine = await serve((server) =>
            server.addService(enginerpc.EngineService, {
                log: handler((req) => {
                    this.logs.push({ severity: req.getSeverity(), message: req.getMessage(), urn: req.getUrn() });
                    return new emptyproto.Empty();
                }),
                getRootResource: handler(() => {
                    const res = new engineproto.GetRootResourceResponse();
                    res.setUrn(this.rootUrn);
                    return res;
                }),
                setRootResource: handler((req) => {
                    this.rootUrn = req.getUrn();
                    return new engineproto.SetRootResourceResponse();
                }),
            }),
        );
        const monitor = await serve((server) =>
            server.addService(resrpc.ResourceMonitorService, {
                // As the mock monitor (runtime/mocks.js) and so program mode: every feature but output
                // values, so that the provider's SDK serializes registrations as a program's does there.
                supportsFeature: handler((req) => {
                    const res = new resproto.SupportsFeatureResponse();
                    res.setHassupport(req.getId() !== "outputValues");
                    return res;
                }),
                registerResource: handler((req) => this.registerResource(req)),
                registerResourceOutputs: handler((req) => {
                    const outputs = (req.getOutputs()?.toJavaScript() ?? {}) as WireProperties;
                    this.recorder.registerOutputs(req.getUrn(), outputs);
                    const known = this.states.get(req.getUrn());
                    if (known) {
                        known.state = outputs;
                    }
                    return new emptyproto.Empty();
                }),
                invoke: handler((req) => this.invoke(req)),
                registerPackage: handler(() => {
                    const res = new resproto.RegisterPackageResponse();
                    res.setRef("test-package-ref");
                    return res;
                }),
            }),
        );
        this.servers = [engine.server, monitor.server];
        this.engineAddress = engine.address;
        this.monitorAddress = monitor.address;
        return this;
    }

    /** Registers the root stack resource, as the program's SDK does first; returns its URN. */
    registerRootStack(): string {
        const req = new resproto.RegisterResourceRequest();
        req.setType("pulumi:pulumi:Stack");
        req.setName(`${this.stack.project}-${this.stack.stack}`);
        req.setCustom(false);
        req.setObject(structproto.Struct.fromJavaScript({}));
        const { urn } = this.recorder.register(req);
        this.rootUrn = urn;
        this.states.set(urn, { urn, id: "", state: {} });
        return urn;
    }

    get rootStackUrn(): string {
        return this.rootUrn || rootStackUrn(this.stack.stack, this.stack.project);
    }

    private registerResource(req: Any): unknown {
        const { urn, id, object } = this.recorder.register(req);
        this.states.set(urn, { urn, id, state: object });
        const res = new resproto.RegisterResourceResponse();
        res.setUrn(urn);
        res.setId(id);
        res.setObject(structproto.Struct.fromJavaScript(object));
        // As program mode answers (cli/sources/program-worker.ts): SKIP in an update keeps what the
        // model cannot compute unknown to the program.
        res.setResult(this.stack.preview ? resproto.Result.SUCCESS : resproto.Result.SKIP);
        return res;
    }

    private invoke(req: Any): unknown {
        const token: string = req.getTok();
        const args = (req.getArgs()?.toJavaScript() ?? {}) as Record<string, unknown>;
        let result: Record<string, unknown>;
        if (token === "pulumi:pulumi:getResource") {
            const known = this.states.get(String(args.urn));
            if (known === undefined) {
                throw new Error(`unknown resource ${String(args.urn)}`);
            }
            result = known;
        } else {
            this.recorder.noteInvoke(token, req.getProvider(), req.getVersion?.() ?? "", req.getPlugindownloadurl?.() ?? "");
            result = invokeResult(token, args, this.recorder.plausible) ?? {};
        }
        const res = new provproto.InvokeResponse();
        res.setReturn(structproto.Struct.fromJavaScript(result));
        return res;
    }

    /** The recorded stack, as a source hands it to the policy pack. */
    snapshot(): StackSnapshot {
        return {
            organization: this.stack.organization,
            project: this.stack.project,
            stack: this.stack.stack,
            dryRun: this.stack.preview,
            config: {},
            tags: {},
            resources: this.recorder.resources,
        };
    }

    async close(): Promise<void> {
        await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.tryShutdown(() => resolve()))));
        this.servers = [];
    }
}

/** What a Construct call returned. */
export interface Constructed {
    urn: string;
    state: Record<string, WireValue>;
}

/** A launched component provider plugin and its ResourceProvider client. */
export class LaunchedProvider {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: Any,
        readonly stderr: () => string,
    ) {}

    /**
     * Starts the plugin in `pluginDir` as pulumi-language-nodejs RunPlugin does, with the engine at
     * `engineAddress`, from the program directory `cwd`.
     */
    static async launch(pluginDir: string, engineAddress: string, cwd: string): Promise<LaunchedProvider> {
        const manifest = yaml.parse(fs.readFileSync(path.join(pluginDir, "PulumiPlugin.yaml"), "utf8"));
        const runtime = typeof manifest.runtime === "string" ? { name: manifest.runtime, options: {} } : manifest.runtime;
        if (runtime?.name !== "nodejs") {
            throw new Error(`${pluginDir}/PulumiPlugin.yaml: runtime is ${JSON.stringify(runtime?.name)}, not nodejs`);
        }
        const nodeargs = typeof runtime.options?.nodeargs === "string" ? runtime.options.nodeargs.split(/\s+/).filter(Boolean) : [];
        // locateModule: the runner is resolved from the plugin directory.
        const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [pluginDir] });
        const env: NodeJS.ProcessEnv = { ...process.env };
        for (const k of Object.keys(env)) {
            if (k.startsWith("TS_NODE_") || k.startsWith("PULUMI_")) {
                delete env[k];
            }
        }
        if (runtime.options?.typescript !== false) {
            env.PULUMI_NODEJS_TYPESCRIPT = "true";
        }
        const child = spawn(process.execPath, [runPlugin, ...nodeargs, pluginDir, engineAddress], { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
        let stderr = "";
        child.stderr!.setEncoding("utf8");
        child.stderr!.on("data", (d: string) => (stderr += d));
        const port = await new Promise<number>((resolve, reject) => {
            let first = "";
            const timer = setTimeout(() => reject(new Error(`the plugin printed no port within ${LAUNCH_TIMEOUT_MS / 1000} s: ${stderr}`)), LAUNCH_TIMEOUT_MS);
            child.stdout!.setEncoding("utf8");
            child.stdout!.on("data", (d: string) => {
                first += d;
                const nl = first.indexOf("\n");
                if (nl >= 0) {
                    clearTimeout(timer);
                    const p = Number(first.slice(0, nl).trim());
                    if (Number.isInteger(p) && p > 0) {
                        resolve(p);
                    } else {
                        reject(new Error(`the plugin's first stdout line is not a port: ${JSON.stringify(first.slice(0, nl))}`));
                    }
                }
            });
            child.once("exit", (code, signal) => {
                clearTimeout(timer);
                reject(new Error(`the plugin exited (${signal ?? code}) before printing its port: ${stderr}`));
            });
        });
        const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (err: Error | undefined) => (err ? reject(err) : resolve())));
        return new LaunchedProvider(child, client, () => stderr);
    }

    /** The engine's first calls: GetPluginInfo, Handshake (may be unimplemented), Configure. */
    async start(): Promise<{ version: string; acceptsResources: boolean }> {
        const info = await unaryCall<Any>(this.client, "getPluginInfo", new emptyproto.Empty());
        try {
            const handshake = new provproto.ProviderHandshakeRequest();
            handshake.setEngineAddress?.("");
            await unaryCall(this.client, "handshake", handshake);
        } catch (e) {
            if (!isUnimplemented(e)) {
                throw e;
            }
        }
        const configure = new provproto.ConfigureRequest();
        configure.setAcceptsecrets(true);
        configure.setAcceptresources(true);
        configure.setVariablesMap?.({});
        configure.setArgs(structproto.Struct.fromJavaScript({}));
        const configured = await unaryCall<Any>(this.client, "configure", configure);
        void plugproto;
        return { version: info.getVersion(), acceptsResources: configured.getAcceptresources() };
    }

    async getSchema(): Promise<Record<string, Any>> {
        const req = new provproto.GetSchemaRequest();
        req.setVersion(0);
        const res = await unaryCall<Any>(this.client, "getSchema", req);
        return JSON.parse(res.getSchema());
    }

    /**
     * Construct as the engine sends it for a component a program registered: inputs in the wire
     * format, the URNs each input depends on, the parent, the monitor to register the children with.
     */
    async construct(
        engine: TestEngine,
        type: string,
        name: string,
        inputs: WireProperties,
        opts: { dependencies?: Record<string, string[]>; protect?: boolean } = {},
    ): Promise<Constructed> {
        const req = new provproto.ConstructRequest();
        req.setProject(engine.stack.project);
        req.setStack(engine.stack.stack);
        req.setOrganization(engine.stack.organization);
        req.setDryrun(engine.stack.preview);
        req.setParallel(16);
        req.setMonitorendpoint(engine.monitorAddress);
        req.setType(type);
        req.setName(name);
        req.setParent(engine.rootStackUrn);
        req.setInputs(structproto.Struct.fromJavaScript(inputs));
        const deps = req.getInputdependenciesMap();
        for (const [key, urns] of Object.entries(opts.dependencies ?? {})) {
            const d = new provproto.ConstructRequest.PropertyDependencies();
            d.setUrnsList(urns);
            deps.set(key, d);
        }
        if (opts.protect !== undefined) {
            req.setProtect(opts.protect);
        }
        const res = await unaryCall<Any>(this.client, "construct", req);
        return { urn: res.getUrn(), state: (res.getState()?.toJavaScript() ?? {}) as Record<string, WireValue> };
    }

    async close(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
            return;
        }
        const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
        try {
            process.kill(-(this.child.pid as number), "SIGTERM");
        } catch {
            // already gone
        }
        const timer = setTimeout(() => {
            try {
                process.kill(-(this.child.pid as number), "SIGKILL");
            } catch {
                // already gone
            }
        }, 3000);
        await exited;
        clearTimeout(timer);
    }
}

/** The records of a component and everything under it (by parent), in registration order. */
export function subtree(resources: ResourceRecord[], rootUrn: string): ResourceRecord[] {
    const inside = new Set([rootUrn]);
    const out: ResourceRecord[] = [];
    for (const r of resources) {
        if (r.urn === rootUrn || (r.parent !== undefined && inside.has(r.parent))) {
            inside.add(r.urn);
            out.push(r);
        }
    }
    return out;
}
