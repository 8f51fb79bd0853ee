/**
 * Child process that runs one Pulumi program under mocks and records every resource the engine
 * would hand to a policy pack. Started by ./program.ts (`node program-worker.js <request.json>`),
 * one process per program so each run gets fresh @pulumi/pulumi runtime state.
 *
 * How it mirrors a real `pulumi preview`/`up`:
 *  - the program's own @pulumi/pulumi (resolved from the program directory) is used, so the mocks
 *    are installed on the instance the program's resources talk to, and the program is started by
 *    that SDK's own runner, as the language host starts it (./language-host.ts);
 *  - the resource monitor is @pulumi/pulumi's MockMonitor, subclassed so that URNs, default
 *    providers, timeouts and property dependencies are what the engine computes (./recorder.ts,
 *    ./engine.ts) and outputs are what the provider would return (./plausible.ts);
 *  - what the offline model cannot compute is unknown to the program, never absent: in update mode
 *    the monitor answers registrations the way the engine answers for a resource whose update was
 *    skipped (`Result.SKIP`), so the SDK keeps unknown values unknown and treats every output
 *    property missing from the answer as unknown; provider functions whose result cannot be
 *    derived return unknowns (./offline-invokes.ts);
 *  - the process keeps running until the event loop drains (resources created inside `apply`
 *    callbacks are still registered), then the outstanding RPCs are awaited.
 */
import * as fs from "fs";
import { createRequire } from "module";
import { describeProgramError, runLikeTheLanguageHost } from "./language-host";
import { installOfflineInvokes, OfflineInvokes } from "./offline-invokes";
import { invokeResult } from "./plausible";
import { Recorder, STACK_REFERENCE_TYPE, stackReferenceState } from "./recorder";
import type { WorkerRequest, WorkerResult } from "./worker-protocol";
import type { Untyped as Any } from "./untyped";

type Callback = (err: unknown, resp?: unknown) => void;

/**
 * An error as a gRPC call reports it: the SDK shows `details` (the engine's message) to the user,
 * so an error without it reads as an empty "Error: ".
 */
function rpcError(e: unknown): Error & { details: string; code: number } {
    const message = e instanceof Error ? e.message : String(e);
    return Object.assign(new Error(message), { details: message, code: 2 /* UNKNOWN */ });
}

/** The modules of the program's own @pulumi/pulumi that program mode works with. */
interface ProgramSdk {
    require: NodeRequire;
    mocks: Any;
    settings: Any;
    runtime: Any;
    output: Any;
    resproto: Any;
    provproto: Any;
    structproto: Any;
}

function loadProgramSdk(programDir: string): ProgramSdk {
    let pulumiPackageJson: string;
    try {
        pulumiPackageJson = require.resolve("@pulumi/pulumi/package.json", { paths: [programDir] });
    } catch {
        throw new Error(`cannot find @pulumi/pulumi from ${programDir}; install the program's dependencies (npm install)`);
    }
    const sdkRequire = createRequire(pulumiPackageJson);
    // The package first, as a program loads it: in older SDKs (3.30 and before, at least) loading
    // runtime/mocks first runs into an import cycle (StackReference extends an undefined class).
    sdkRequire("./index");
    return {
        require: sdkRequire,
        mocks: sdkRequire("./runtime/mocks"),
        settings: sdkRequire("./runtime/settings"),
        runtime: sdkRequire("./runtime"),
        output: sdkRequire("./output"),
        resproto: sdkRequire("./proto/resource_pb"),
        provproto: sdkRequire("./proto/provider_pb"),
        structproto: sdkRequire("google-protobuf/google/protobuf/struct_pb"),
    };
}

/** Installs the recording monitor on the program's SDK. */
async function installMonitor(sdk: ProgramSdk, rec: Recorder, request: WorkerRequest): Promise<void> {
    const mockCallbacks = {
        newResource: () => {
            throw new Error("unreachable: registrations are handled by the recording monitor");
        },
        // Only functions the model derives reach the monitor (./offline-invokes.ts).
        call: (args: { token: string; inputs: Record<string, unknown> }) => invokeResult(args.token, args.inputs, rec.plausible) ?? {},
    };
    const RecordingMonitor = recordingMonitorClass(sdk, rec, request);
    const dryRun = sdkDryRun(sdk, request);
    await sdk.mocks.setMocks(mockCallbacks, request.project, request.stack, dryRun, request.organization);
    sdk.settings.setMockOptions(new RecordingMonitor(mockCallbacks), request.project, request.stack, dryRun, request.organization);
}

/**
 * Whether the program's SDK runs as in a preview. An SDK without RegisterResourceResponse.result
 * (before about 3.100) turns every unknown value into `undefined` outside a preview, so in update
 * mode a value the model cannot compute would reach dependent resources as absent, an invented
 * value. Such an SDK runs as in a preview, where it keeps unknowns; what the pack receives is still
 * decided by the recorder, which knows the mode.
 */
function sdkDryRun(sdk: ProgramSdk, request: WorkerRequest): boolean {
    return request.preview || sdk.resproto.Result === undefined;
}

/**
 * The SDK's MockMonitor, subclassed so that registrations, reads and invokes go through the
 * recorder (what the engine would compute and send to the pack).
 */
function recordingMonitorClass(sdk: ProgramSdk, rec: Recorder, request: WorkerRequest): new (callbacks: unknown) => object {
    const { resproto, structproto } = sdk;
    // RegisterResourceResponse.result: SUCCESS in a preview (the SDK keeps unknowns there anyway);
    // SKIP in update mode, so the SDK keeps what the model could not compute unknown. Older SDKs
    // have no such field (see sdkDryRun).
    const registrationResult = resproto.Result === undefined ? undefined : request.preview ? resproto.Result.SUCCESS : resproto.Result.SKIP;

    const MockMonitor: new (m: unknown) => { invoke(req: Any, callback: Any): Promise<void> } = sdk.mocks.MockMonitor;
    class RecordingMonitor extends MockMonitor {
        registerResource(req: Any, callback: Callback): void {
            try {
                const { urn, id, object } = rec.register(req);
                const resp = new resproto.RegisterResourceResponse();
                resp.setUrn(urn);
                resp.setId(id);
                resp.setObject(structproto.Struct.fromJavaScript(object));
                if (registrationResult !== undefined) {
                    resp.setResult(registrationResult);
                }
                callback(null, resp);
            } catch (e) {
                callback(rpcError(e));
            }
        }

        registerResourceOutputs(req: Any, callback: Callback): void {
            try {
                rec.registerOutputs(req.getUrn(), req.getOutputs() ? req.getOutputs().toJavaScript() : {});
                callback(null, {});
            } catch (e) {
                callback(e);
            }
        }

        async readResource(req: Any, callback: Callback): Promise<void> {
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

        async invoke(req: Any, callback: Callback): Promise<void> {
            try {
                if (req.getTok() === "pulumi:pulumi:getResource") {
                    const urn = req.getArgs()?.toJavaScript()?.urn;
                    const resp = new sdk.provproto.InvokeResponse();
                    resp.setReturn(structproto.Struct.fromJavaScript(rec.registeredResource(String(urn))));
                    callback(null, resp);
                    return;
                }
                rec.noteInvoke(req.getTok(), req.getProvider(), req.getVersion?.() ?? "", req.getPlugindownloadurl?.() ?? "");
            } catch (e) {
                callback(rpcError(e));
                return;
            }
            return super.invoke(req, (err: unknown, resp?: unknown) => callback(err ? rpcError(err) : null, resp));
        }
    }

    return RecordingMonitor;
}

/** Collects the first failure and writes the result file once, when the program has settled. */
class Outcome {
    private written = false;

    get done(): boolean {
        return this.written;
    }

    private firstError: { message: string; stack?: string } | undefined;
    finished = false;

    constructor(private readonly resultFile: string) {}

    get failed(): boolean {
        return this.firstError !== undefined;
    }

    fail(e: unknown): void {
        if (!this.firstError) {
            this.firstError = describeProgramError(e);
        }
    }

    write(rec: Recorder | undefined, invokes: OfflineInvokes | undefined): void {
        if (this.written) {
            return;
        }
        this.written = true;
        const warnings = [...(rec?.warnings ?? []), ...(invokes?.notes ?? [])];
        const result: WorkerResult =
            this.firstError || !this.finished || !rec
                ? { ok: false, ...(this.firstError ?? { message: "the program stopped before it finished" }), warnings }
                : { ok: true, resources: rec.resources, warnings };
        fs.writeFileSync(this.resultFile, JSON.stringify(result));
    }
}

/** What the worker has set up so far (each piece exists once its step has run). */
interface WorkerState {
    sdk?: ProgramSdk;
    rec?: Recorder;
    invokes?: OfflineInvokes;
}

async function main(): Promise<void> {
    const request: WorkerRequest = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    const outcome = new Outcome(request.resultFile);
    const state: WorkerState = {};
    process.on("uncaughtException", (e) => outcome.fail(e));
    process.on("unhandledRejection", (e) => outcome.fail(e));
    writeResultWhenSettled(outcome, state);
    try {
        await runProgram(request, state);
        outcome.finished = true;
    } catch (e) {
        outcome.fail(e);
    }
}

/**
 * Once the event loop drains (resources created inside `apply` callbacks are registered by then),
 * awaits the outstanding RPCs and writes the result file.
 */
function writeResultWhenSettled(outcome: Outcome, state: WorkerState): void {
    process.on("beforeExit", () => {
        // Fires again each time the loop drains; once the result is written, let the process end.
        if (outcome.done) {
            return;
        }
        const settle = async () => {
            if (state.sdk && !outcome.failed) {
                // SDKs before waitForRPCs (3.0) only wait for outstanding RPCs when disconnecting; the
                // program is done, so disconnecting from the recording monitor loses nothing.
                const { settings } = state.sdk;
                await (settings.waitForRPCs ? settings.waitForRPCs() : settings.disconnect());
            }
        };
        settle()
            .catch((e) => outcome.fail(e))
            .then(() => outcome.write(state.rec, state.invokes));
    });
}

/** Loads the program's SDK, installs the recording monitor and the offline invokes, and runs the program. */
async function runProgram(request: WorkerRequest, state: WorkerState): Promise<void> {
    process.chdir(request.programDir);
    const sdk = loadProgramSdk(request.programDir);
    state.sdk = sdk;
    const recorder = new Recorder(request);
    state.rec = recorder;
    await installMonitor(sdk, recorder, request);
    state.invokes = installOfflineInvokes(
        sdk.runtime,
        sdk.output,
        (token, args) => (token.startsWith("pulumi:") ? args : invokeResult(token, args, recorder.plausible)),
        (token, opts) => recorder.noteInvoke(token, opts?.provider ? "explicit" : "", opts?.version ?? "", opts?.pluginDownloadURL ?? ""),
    );
    await runLikeTheLanguageHost(sdk.require, request.mainArg, request.typescript);
}

if (require.main === module) {
    main().catch((e) => {
        console.error(e);
        process.exitCode = 70;
    });
}
