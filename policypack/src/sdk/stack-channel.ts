/**
 * AnalyzeStack in one pass.
 *
 * @pulumi/policy runs each stack policy over its own copy of the stack: for every policy it walks
 * every resource of the request and builds a resource object, options, dependency lists and a
 * proxy. With a dozen stack policies at 20k resources that bookkeeping (and the garbage it makes)
 * costs more than the analyses themselves. sealed-infra's stack policies all read one shared
 * StackModel instead, so the SDK's copies are pure overhead.
 *
 * This module wraps the SDK's AnalyzeStack handler when the SDK registers it with gRPC: the full
 * resource list of the request is kept here, decoded once (with the SDK's own deserializer) into
 * the StackModel, and the SDK's handler is handed a request that lists no resources. Everything
 * else stays the SDK's: which policies run, enforcement levels from config, getConfig, how
 * diagnostics are reported and answered. If the SDK or gRPC ever change shape, the wrapper is not
 * installed and the policies fall back to the SDK's resource copies: slower, never wrong.
 */
import * as path from "path";
import type { PolicyResourceOptions } from "@pulumi/policy";
import type { StackResource } from "./stack-resource";

/** The parts of pulumirpc.AnalyzerResource (analyzer_pb) that stack policies read. */
interface AnalyzerResourceMessage {
    getType(): string;
    getUrn(): string;
    getName(): string;
    getProperties(): unknown;
    getOptions(): AnalyzerResourceOptionsMessage | undefined;
    getParent(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}

interface AnalyzerResourceOptionsMessage {
    getProtect(): boolean;
    getIgnorechangesList(): string[];
    getAliasesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getDeletebeforereplace(): boolean;
    getDeletebeforereplacedefined(): boolean;
    getParent(): string;
    getCustomtimeouts(): { getCreate(): number; getUpdate(): number; getDelete(): number } | undefined;
}

interface InFlight {
    resources: AnalyzerResourceMessage[];
    decoded?: StackResource[];
}

let inFlight: InFlight | undefined;

type Deserialize = (struct: unknown, proxySecrets: boolean) => Record<string, unknown>;

/**
 * The resources of the AnalyzeStack request being processed, decoded once; undefined outside an
 * AnalyzeStack request or when the wrapper is not installed. The returned array is the same
 * object for every policy of one request (callers memoise on it).
 */
export function analyzeStackResources(): StackResource[] | undefined {
    if (!inFlight) {
        return undefined;
    }
    inFlight.decoded ??= decodeAll(inFlight.resources);
    return inFlight.decoded;
}

function decodeAll(messages: AnalyzerResourceMessage[]): StackResource[] {
    const deserialize: Deserialize = require("@pulumi/policy/deserialize").deserializeProperties;
    const known = new Set(messages.map((m) => m.getUrn()));
    return messages.map((m) => {
        const propertyDependencies: Record<string, string[]> = {};
        m.getPropertydependenciesMap().forEach((deps, key) => {
            // As the SDK does: only dependencies on resources of this stack are kept.
            propertyDependencies[key] = deps.getUrnsList().filter((u) => known.has(u));
        });
        const options = optionsOf(m.getOptions());
        return {
            urn: m.getUrn(),
            type: m.getType(),
            name: m.getName(),
            props: deserialize(m.getProperties(), false),
            options,
            parent: m.getParent() || options.parent,
            dependencies: m.getDependenciesList().filter((u) => known.has(u)),
            propertyDependencies,
        };
    });
}

/** The SDK's getResourceOptions (server.js), for the same option values. */
function optionsOf(opts: AnalyzerResourceOptionsMessage | undefined): PolicyResourceOptions {
    const timeouts = opts?.getCustomtimeouts();
    const result: PolicyResourceOptions = {
        protect: opts?.getProtect() ?? false,
        ignoreChanges: opts?.getIgnorechangesList() ?? [],
        aliases: opts?.getAliasesList() ?? [],
        customTimeouts: {
            createSeconds: timeouts?.getCreate() ?? 0,
            updateSeconds: timeouts?.getUpdate() ?? 0,
            deleteSeconds: timeouts?.getDelete() ?? 0,
        },
        additionalSecretOutputs: opts?.getAdditionalsecretoutputsList() ?? [],
    };
    if (opts?.getDeletebeforereplacedefined()) {
        result.deleteBeforeReplace = opts.getDeletebeforereplace();
    }
    if (opts?.getParent()) {
        result.parent = opts.getParent();
    }
    return result;
}

type Handler = (call: { request: unknown }, callback: (err: unknown, response?: unknown) => void) => unknown;

function install(): boolean {
    let grpc: { Server?: { prototype?: { addService?: (service: unknown, impl: Record<string, unknown>) => void } } };
    try {
        const sdkDir = path.dirname(require.resolve("@pulumi/policy/package.json"));
        // The very module instance the SDK serves with.
        grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
    } catch {
        return false;
    }
    const server = grpc?.Server?.prototype;
    if (!server || typeof server.addService !== "function") {
        return false;
    }
    const addService = server.addService;
    server.addService = function (this: unknown, service: unknown, implementation: Record<string, unknown>) {
        const sdkAnalyzeStack = implementation?.analyzeStack as Handler | undefined;
        if (typeof sdkAnalyzeStack === "function" && (service as Record<string, unknown>)?.analyzeStack) {
            // One AnalyzeStack at a time (the engine sends one per run), so the in-flight stack is unambiguous.
            let queue: Promise<void> = Promise.resolve();
            const analyzeStack: Handler = function (this: unknown, call, callback) {
                queue = queue.then(
                    () =>
                        new Promise<void>((release) => {
                            let finished = false;
                            const done = (err: unknown, response?: unknown) => {
                                if (finished) {
                                    return;
                                }
                                finished = true;
                                inFlight = undefined;
                                release();
                                callback(err, response);
                            };
                            try {
                                const request = call.request as { getResourcesList(): AnalyzerResourceMessage[] };
                                inFlight = { resources: request.getResourcesList() };
                                call.request = { getResourcesList: () => [] };
                                const result = sdkAnalyzeStack.call(this, call, done);
                                Promise.resolve(result).catch(done);
                            } catch (e) {
                                done(e);
                            }
                        }),
                );
            };
            implementation = { ...implementation, analyzeStack };
        }
        return addService.call(this, service, implementation);
    };
    return true;
}

/** True when AnalyzeStack requests are decoded once for all stack policies. */
export const stackChannelInstalled: boolean = install();
