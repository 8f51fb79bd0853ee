/**
 * Launches a Node.js policy pack exactly as the Pulumi CLI does and connects to it.
 *
 * What the CLI does (pulumi/pulumi sources, CLI 3.2xx):
 *  - pkg/resource/plugin/analyzer_plugin.go NewPolicyAnalyzer loads `<packDir>/PulumiPolicy.yaml`
 *    and, since the nodejs language plugin is present, runs the pack through the language host's
 *    RunPlugin (kind "analyzer") with args [engineAddress].
 *  - sdk/nodejs/cmd/pulumi-language-nodejs/main.go RunPlugin: resolves
 *    `@pulumi/pulumi/cmd/run-policy-pack` with `require.resolve` from the pack directory, runs
 *    `node <run-policy-pack> [nodeargs...] <engineAddress> <packDir>` with cwd = pack dir, env =
 *    engine env + PULUMI_NODEJS_TYPESCRIPT=true (runtime option `typescript`, default true) +
 *    PULUMI_NODEJS_ORGANIZATION/PROJECT/STACK/DRY_RUN and PULUMI_CONFIG (JSON of the stack config)
 *    taken from ConfigureStack, each only when non-empty (sdk/policy_proxy.go answers Handshake and
 *    waits for ConfigureStack before spawning, then forwards ConfigureStack to the pack).
 *  - sdk/go/common/resource/plugin/plugin.go: the first stdout line is the port (trimmed, 1..65535,
 *    else "wrote an invalid port"); later stdout/stderr lines become diagnostics; the gRPC
 *    connection must become ready within 10 s (pluginRPCConnectionTimeout).
 * The engine has no timeout for the port line; ours (`timeoutMs`) keeps `check` from hanging.
 */
import { ChildProcess, spawn } from "child_process";
import { CheckError } from "../model";
import { loadPolicyPackProject, PolicyPackProject } from "./project";
import { AnalyzerClient, emptyPb, grpc, isServiceError, isUnimplemented, newAnalyzerClient, unary } from "./proto";

export const RUN_POLICY_PACK = "@pulumi/pulumi/cmd/run-policy-pack";
export const DEFAULT_LAUNCH_TIMEOUT_MS = 30_000;
/** sdk/go/common/resource/plugin/plugin.go pluginRPCConnectionTimeout. */
export const DIAL_TIMEOUT_MS = 10_000;
/** The engine address argument; run-policy-pack discards it (cmd/run-policy-pack/index.ts). */
export const ENGINE_ADDRESS = "127.0.0.1:0";

export interface StackIdentity {
    organization: string;
    project: string;
    stack: string;
    dryRun: boolean;
    /** Decrypted stack config, `<namespace>:<key>` -> value. */
    config: Record<string, string>;
}

export interface LaunchOptions {
    packDir: string;
    stack: StackIdentity;
    /** Spawn to port line (default 30 s). */
    timeoutMs?: number;
    /** Extra environment for the pack (tests); applied after the engine's variables. */
    extraEnv?: Record<string, string | undefined>;
}

export type RpcMethod = Parameters<typeof unary>[1];

export interface PackLogLine {
    stream: "stdout" | "stderr";
    line: string;
}

export interface LaunchedPack {
    project: PolicyPackProject;
    client: AnalyzerClient;
    child: ChildProcess;
    /** `node` argv as spawned (without the node binary). */
    argv: string[];
    /** The variables the engine adds to its own environment. */
    engineEnv: Record<string, string>;
    address: string;
    /** stdout lines after the port line, and all stderr lines, in arrival order (bounded). */
    logs: PackLogLine[];
    /** All stderr text so far (bounded to the last 1 MB). */
    stderr(): string;
    /** Exit status once the process has ended. */
    exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
    /** One unary RPC; any failure becomes a one-line CheckError naming `what`. */
    call<Res>(method: RpcMethod, request: unknown, what: string): Promise<Res>;
    /** Like `call`, but an UNIMPLEMENTED method resolves to undefined (as the engine tolerates it). */
    callOptional<Res>(method: RpcMethod, request: unknown, what: string): Promise<Res | undefined>;
    /** Cancel (tolerated if unimplemented), close the channel, stop the process. Idempotent. */
    close(): Promise<void>;
}

const MAX_LOG_LINES = 2000;
const MAX_STDERR_CHARS = 1024 * 1024;

// ------------------------------------------------------------------------------------------------
// Children are never left behind: every launched process is tracked and killed when we exit
// normally (process "exit") or are told to stop by a signal. A Ctrl-C in a terminal reaches the
// pack anyway (same process group); a SIGINT/SIGTERM/SIGHUP sent to us alone is relayed by
// killing the packs first and then re-raising the signal, but only while a pack is running and
// only if nobody else listens for it, so the host process keeps its own signal behaviour.
const live = new Set<ChildProcess>();
const history: number[] = [];
const RELAYED_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
let exitHookInstalled = false;

function killAllNow(): void {
    for (const c of live) {
        try {
            c.kill("SIGKILL");
        } catch {
            // already gone
        }
    }
}

function onSignal(signal: NodeJS.Signals): void {
    killAllNow();
    uninstallSignalRelays();
    if (process.listenerCount(signal) === 0) {
        process.kill(process.pid, signal); // default behaviour: terminate with this signal
    }
}

const relays = new Map<NodeJS.Signals, () => void>();
function installSignalRelays(): void {
    for (const sig of RELAYED_SIGNALS) {
        if (!relays.has(sig) && process.listenerCount(sig) === 0) {
            const fn = () => onSignal(sig);
            relays.set(sig, fn);
            process.once(sig, fn);
        }
    }
}

function uninstallSignalRelays(): void {
    for (const [sig, fn] of relays) {
        process.removeListener(sig, fn);
    }
    relays.clear();
}

function track(child: ChildProcess): void {
    live.add(child);
    if (child.pid !== undefined) {
        history.push(child.pid);
        if (history.length > 100) {
            history.shift();
        }
    }
    const forget = () => {
        live.delete(child);
        if (live.size === 0) {
            uninstallSignalRelays();
        }
    };
    child.once("exit", forget);
    child.once("error", () => {
        if (child.pid === undefined) {
            forget(); // never started: no exit event will follow
        }
    });
    installSignalRelays();
    if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.once("exit", killAllNow);
    }
}

/** Pids of the last 100 launched packs, oldest first (tests check that none is left running). */
export function launchHistory(): number[] {
    return history.slice();
}

/** Pids of launched packs still running (tests assert nothing is left behind). */
export function livePackPids(): number[] {
    return [...live].filter((c) => c.exitCode === null && c.signalCode === null).map((c) => c.pid!);
}

// ------------------------------------------------------------------------------------------------

/** The variables RunPlugin adds to the engine's environment for a nodejs policy pack. */
export function engineEnvFor(project: PolicyPackProject, stack: StackIdentity): Record<string, string> {
    const env: Record<string, string> = {};
    if (project.runtimeOptions.typescript !== false) {
        env.PULUMI_NODEJS_TYPESCRIPT = "true";
    }
    if (typeof project.runtimeOptions.tsconfig === "string" && project.runtimeOptions.tsconfig !== "") {
        env.PULUMI_NODEJS_TSCONFIG_PATH = project.runtimeOptions.tsconfig;
    }
    const maybe = (k: string, v: string) => {
        if (v !== "") {
            env[k] = v;
        }
    };
    maybe("PULUMI_NODEJS_ORGANIZATION", stack.organization);
    maybe("PULUMI_NODEJS_PROJECT", stack.project);
    maybe("PULUMI_NODEJS_STACK", stack.stack);
    maybe("PULUMI_NODEJS_DRY_RUN", String(stack.dryRun));
    // A protobuf map arrives in Go as nil when empty, and RunPlugin then sets no PULUMI_CONFIG.
    if (Object.keys(stack.config).length > 0) {
        env.PULUMI_CONFIG = JSON.stringify(stack.config);
    }
    return env;
}

const MANAGED_ENV = [
    "PULUMI_NODEJS_TYPESCRIPT",
    "PULUMI_NODEJS_TSCONFIG_PATH",
    "PULUMI_NODEJS_ORGANIZATION",
    "PULUMI_NODEJS_PROJECT",
    "PULUMI_NODEJS_STACK",
    "PULUMI_NODEJS_DRY_RUN",
    "PULUMI_CONFIG",
];

/** Resolves run-policy-pack from the pack directory, as the language host's locateModule does. */
export function resolveRunPolicyPack(packDir: string): string {
    try {
        return require.resolve(RUN_POLICY_PACK, { paths: [packDir] });
    } catch {
        throw new CheckError(
            `cannot start policy pack in ${packDir}: ${RUN_POLICY_PACK} is not resolvable from there; ` +
                `it looks like the policy pack's dependencies are not installed (run npm install in ${packDir})`,
        );
    }
}

/** Splits `nodeargs` like a shell would (quotes, backslash escapes). */
export function splitArgs(s: string): string[] {
    const out: string[] = [];
    let cur = "";
    let quote: string | undefined;
    let has = false;
    for (let i = 0; i < s.length; i++) {
        const ch = s[i];
        if (quote) {
            if (ch === quote) {
                quote = undefined;
            } else if (ch === "\\" && quote === '"' && i + 1 < s.length) {
                cur += s[++i];
            } else {
                cur += ch;
            }
        } else if (ch === '"' || ch === "'") {
            quote = ch;
            has = true;
        } else if (ch === "\\" && i + 1 < s.length) {
            cur += s[++i];
            has = true;
        } else if (/\s/.test(ch)) {
            if (has) {
                out.push(cur);
            }
            cur = "";
            has = false;
        } else {
            cur += ch;
            has = true;
        }
    }
    if (has) {
        out.push(cur);
    }
    return out;
}

// ------------------------------------------------------------------------------------------------
// Picking the line of a pack's output that says what went wrong.

const ANSI = /\x1b\[[0-9;]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

export function stripAnsi(s: string): string {
    return s.replace(ANSI, "");
}

/** The most telling line of some stderr (or gRPC error details) text, or undefined. */
export function relevantLine(text: string): string | undefined {
    const lines = stripAnsi(text)
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== "");
    if (lines.length === 0) {
        return undefined;
    }
    const patterns = [
        /error TS\d+:/,
        /^(?:Uncaught )?(?:[A-Za-z_$][\w$.]*)?(?:Error|Exception)(?: \[[\w-]+\])?: \S/,
        /Cannot find module/,
        /^(?:[A-Za-z_$][\w$.]*)?(?:Error|Exception)\b/,
        /^error: /i,
    ];
    for (const p of patterns) {
        const hit = lines.find((l) => p.test(l) && !/^at\s/.test(l));
        if (hit) {
            return clip(hit);
        }
    }
    return clip(lines[lines.length - 1]);
}

function clip(s: string, max = 300): string {
    return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function parsePort(line: string): number | undefined {
    // plugin.go parsePort: strip .NET progress escapes, trim whitespace, Atoi, 1..65535.
    const s = line.replace(/\x1b\]9;4;[03];\x1b\\/g, "").trim();
    if (!/^[+-]?\d+$/.test(s)) {
        return undefined;
    }
    const port = Number(s);
    return port > 0 && port <= 65535 ? port : undefined;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
    return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

// ------------------------------------------------------------------------------------------------

/**
 * Launches a policy pack the way the Pulumi CLI does and connects to it: resolve the command, spawn
 * the process, read the port it prints first, dial it, and hand back the RPC handle.
 */
export async function launchPolicyPack(opts: LaunchOptions): Promise<LaunchedPack> {
    const command = packCommand(opts);
    const proc = new PackProcess(command);
    const port = await proc.readPort(opts.timeoutMs ?? DEFAULT_LAUNCH_TIMEOUT_MS);
    const address = `127.0.0.1:${port}`;
    const client = await connect(proc, address, port);
    return packHandle(command, proc, client, address);
}

interface PackCommand {
    project: PolicyPackProject;
    dir: string;
    argv: string[];
    engineEnv: Record<string, string>;
    env: Record<string, string | undefined>;
}

/** What the CLI runs: `node <run-policy-pack> [nodeargs] <engine> <packDir>` in the engine's environment. */
function packCommand(opts: LaunchOptions): PackCommand {
    const project = loadPolicyPackProject(opts.packDir);
    const dir = project.dir;
    if (project.runtime !== "nodejs") {
        throw new CheckError(
            `policy pack in ${dir} has runtime "${project.runtime}"; only nodejs policy packs can be run offline`,
        );
    }
    const runPolicyPack = resolveRunPolicyPack(dir);
    const nodeargs = typeof project.runtimeOptions.nodeargs === "string" ? splitArgs(project.runtimeOptions.nodeargs) : [];
    const argv = [runPolicyPack, ...nodeargs, ENGINE_ADDRESS, dir];

    const engineEnv = engineEnvFor(project, opts.stack);
    const env: Record<string, string | undefined> = { ...process.env };
    for (const k of MANAGED_ENV) {
        delete env[k];
    }
    delete env.SEALED_INFRA_OFFLINE_CHECK; // only the offline check sets it (RunPackOptions.offline)
    Object.assign(env, engineEnv, opts.extraEnv ?? {});
    return { project, dir, argv, engineEnv, env };
}

type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

/** Splits a stream into non-blank lines for the pack's log. */
function lineSplitter(push: (line: string) => void) {
    let pending = "";
    return {
        push(chunk: string) {
            pending += chunk;
            let nl: number;
            while ((nl = pending.indexOf("\n")) >= 0) {
                const line = pending.slice(0, nl).replace(/\r$/, "");
                pending = pending.slice(nl + 1);
                if (line.trim() !== "") {
                    push(line);
                }
            }
        },
        flush() {
            if (pending.trim() !== "") {
                push(pending);
            }
            pending = "";
        },
    };
}

/** The spawned pack: its output (logs, bounded stderr), its exit, and how to stop it. */
class PackProcess {
    readonly child: ChildProcess;
    readonly logs: PackLogLine[] = [];
    readonly where: string;
    stderrText = "";
    exit: ExitStatus | undefined;
    spawnError: Error | undefined;
    readonly exited: Promise<void>;
    readonly errLines = lineSplitter((line) => this.pushLog("stderr", line));
    readonly outLines = lineSplitter((line) => this.pushLog("stdout", line));

    constructor(command: PackCommand) {
        this.where = `policy pack in ${command.dir}`;
        const child = spawn(process.execPath, command.argv, { cwd: command.dir, env: command.env, stdio: ["pipe", "pipe", "pipe"] });
        this.child = child;
        track(child);
        this.exited = new Promise<void>((resolve) => {
            child.once("exit", (code, signal) => {
                this.exit = { code, signal };
                resolve();
            });
            child.once("error", () => {
                this.exit = this.exit ?? { code: null, signal: null };
                resolve();
            });
        });
        child.stderr!.setEncoding("utf8");
        child.stderr!.on("data", (chunk: string) => {
            this.stderrText += chunk;
            if (this.stderrText.length > MAX_STDERR_CHARS) {
                this.stderrText = this.stderrText.slice(this.stderrText.length - MAX_STDERR_CHARS);
            }
            this.errLines.push(chunk);
        });
        child.stderr!.on("end", () => this.errLines.flush());
        child.stdin!.on("error", () => undefined); // EPIPE when the pack dies
        child.once("error", (e) => (this.spawnError = e));
    }

    private pushLog(stream: PackLogLine["stream"], line: string): void {
        this.logs.push({ stream, line });
        if (this.logs.length > MAX_LOG_LINES) {
            this.logs.splice(0, this.logs.length - MAX_LOG_LINES);
        }
    }

    /** A message with the pack's most relevant stderr line appended. */
    withStderr(msg: string): string {
        const line = relevantLine(this.stderrText);
        return line ? `${msg}: ${line}` : msg;
    }

    /** SIGTERM, then SIGKILL after 2 s; resolves once it has exited. */
    async kill(): Promise<void> {
        if (this.exit) {
            return;
        }
        try {
            this.child.kill("SIGTERM");
        } catch {
            // gone
        }
        const timer = setTimeout(() => {
            try {
                this.child.kill("SIGKILL");
            } catch {
                // gone
            }
        }, 2000);
        await this.exited;
        clearTimeout(timer);
    }

    /** The port from the first stdout line; later stdout goes to the log. Kills the pack on failure. */
    async readPort(timeoutMs: number): Promise<number> {
        try {
            return await this.firstLinePort(timeoutMs);
        } catch (e) {
            await this.kill();
            throw e;
        }
    }

    private firstLinePort(timeoutMs: number): Promise<number> {
        const { child, outLines } = this;
        return new Promise<number>((resolve, reject) => {
            let first = "";
            let done = false;
            child.stdout!.setEncoding("utf8");
            const finish = (f: () => void) => {
                if (!done) {
                    done = true;
                    clearTimeout(timer);
                    f();
                }
            };
            const timer = setTimeout(() => finish(() => reject(this.portTimeoutError(timeoutMs, first))), timeoutMs);
            child.stdout!.on("data", (chunk: string) => {
                if (done) {
                    outLines.push(chunk);
                    return;
                }
                first += chunk;
                const nl = first.indexOf("\n");
                if (nl >= 0) {
                    finish(() => {
                        outLines.push(first.slice(nl + 1));
                        const port = parsePort(first.slice(0, nl));
                        if (port === undefined) reject(this.invalidPortError(first.slice(0, nl), first));
                        else resolve(port);
                    });
                }
            });
            child.stdout!.on("end", () => {
                if (done) {
                    outLines.flush();
                    return;
                }
                // stdout closed before a full line: wait for the exit status, then report it.
                void this.exited.then(() => finish(() => reject(this.noPortError(first))));
            });
        });
    }

    private portTimeoutError(timeoutMs: number, stdout: string): CheckError {
        const msg = `${this.where} did not print its port within ${formatSeconds(timeoutMs)}`;
        return new CheckError(this.withStderr(msg), { stderr: this.stderrText, stdout });
    }

    private invalidPortError(line: string, stdout: string): CheckError {
        return new CheckError(
            `${this.where} wrote an invalid port to stdout: ${JSON.stringify(clip(stripAnsi(line).trim(), 120))} ` +
                `(its first stdout line must be the port; a pack must not print to stdout while loading)`,
            { stderr: this.stderrText, stdout },
        );
    }

    /** The pack closed stdout (usually by exiting) before a whole first line. */
    private noPortError(stdout: string): CheckError {
        const exit = this.exit;
        const how = this.spawnError
            ? `could not be started (${this.spawnError.message})`
            : exit
              ? describeExit(exit.code, exit.signal)
              : "closed its stdout";
        const partial = stdout.trim() !== "" ? ` (stdout: ${JSON.stringify(clip(stripAnsi(stdout).trim(), 120))})` : "";
        return new CheckError(this.withStderr(`${this.where} ${how} before printing its port${partial}`), { stderr: this.stderrText, stdout, exit });
    }

    /** A failed RPC as one line: the exit if the pack died (waiting briefly for it), else the gRPC error. */
    async rpcFailure(e: unknown, what: string): Promise<CheckError> {
        if (isServiceError(e) && e.code === grpc.status.UNAVAILABLE && !this.exit) {
            // The connection may drop just before the exit event: give it a moment.
            await Promise.race([this.exited, new Promise((r) => setTimeout(r, 300))]);
        }
        if (this.exit) {
            return new CheckError(this.withStderr(`${this.where} ${describeExit(this.exit.code, this.exit.signal)} during ${what}`), {
                error: e,
                stderr: this.stderrText,
            });
        }
        return new CheckError(`${this.where}: ${what} failed: ${grpcErrorSummary(e)}`, { error: e, stderr: this.stderrText });
    }
}

/** Dials the printed port; kills the pack when it cannot be reached. */
async function connect(proc: PackProcess, address: string, port: number): Promise<AnalyzerClient> {
    const client = newAnalyzerClient(address);
    try {
        await new Promise<void>((resolve, reject) => {
            client.waitForReady(Date.now() + DIAL_TIMEOUT_MS, (err) => (err ? reject(err) : resolve()));
        });
    } catch (e) {
        client.close();
        await proc.kill();
        throw new CheckError(proc.withStderr(`${proc.where} printed port ${port} but could not be reached there within ${formatSeconds(DIAL_TIMEOUT_MS)}`), e);
    }
    return client;
}

/** The handle callers use: RPCs with one-line failures, and an idempotent close. */
function packHandle(command: PackCommand, proc: PackProcess, client: AnalyzerClient, address: string): LaunchedPack {
    let closed = false;
    return {
        project: command.project,
        client,
        child: proc.child,
        argv: command.argv,
        engineEnv: command.engineEnv,
        address,
        logs: proc.logs,
        stderr: () => proc.stderrText,
        exitStatus: () => proc.exit,
        async call<Res>(method: RpcMethod, request: unknown, what: string): Promise<Res> {
            try {
                return await unary<unknown, Res>(client, method, request);
            } catch (e) {
                throw await proc.rpcFailure(e, what);
            }
        },
        async callOptional<Res>(method: RpcMethod, request: unknown, what: string): Promise<Res | undefined> {
            try {
                return await unary<unknown, Res>(client, method, request);
            } catch (e) {
                if (isUnimplemented(e)) {
                    return undefined;
                }
                throw await proc.rpcFailure(e, what);
            }
        },
        async close() {
            if (closed) {
                return proc.exited;
            }
            closed = true;
            if (!proc.exit) {
                try {
                    // analyzer_plugin.go Cancel: Unimplemented is fine (the Node SDK has no Cancel).
                    await unary(client, "cancel", new emptyPb.Empty(), 2000);
                } catch {
                    // tolerated
                }
            }
            client.close();
            await proc.kill();
            proc.errLines.flush();
            proc.outLines.flush();
        },
    };
}

/** One line from a gRPC error: its details' first line plus the line naming the actual error. */
export function grpcErrorSummary(e: unknown): string {
    if (!isServiceError(e)) {
        return e instanceof Error ? e.message.split("\n")[0] : String(e);
    }
    const details = stripAnsi(e.details || e.message || "");
    const lines = details.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
    const status = grpc.status[e.code] ?? String(e.code);
    if (lines.length === 0) {
        return status;
    }
    let head = lines[0];
    if (head.endsWith(":") && lines.length > 1) {
        const cause = relevantLine(lines.slice(1).join("\n"));
        if (cause) {
            head = `${head} ${cause}`;
        }
    }
    return clip(head, 500);
}

function formatSeconds(ms: number): string {
    return `${+(ms / 1000).toFixed(2)} s`;
}

