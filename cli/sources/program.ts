/**
 * Program mode: runs a Pulumi TypeScript/JavaScript program under mocks and returns the stack the
 * engine would analyze. The program runs in a child process (./program-worker.ts) so that every
 * program gets fresh @pulumi/pulumi runtime state and cannot disturb the checker.
 *
 * Defaults: stack "dev" (DEFAULT_STACK), organization "organization" (DEFAULT_ORGANIZATION, what the
 * Pulumi DIY backend uses), AWS region from `aws:region` in the stack config else us-east-1.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CheckError } from "../model";
import type { SourcedStack } from "./source";
import { DEFAULT_REGION, PLAUSIBLE_ACCOUNT } from "./plausible";
import { DEFAULT_ORGANIZATION, DEFAULT_STACK, loadPulumiProject, loadStackConfig, parseStackSelection } from "./project";
import type { StackConfig } from "./project";
import type { WorkerRequest, WorkerResult } from "./worker-protocol";

export interface RecordProgramOptions {
    /** Preview semantics: values not known until the update are unknown. */
    preview: boolean;
    /** `<stack>`, `<org>/<stack>` or `<org>/<project>/<stack>`, as `pulumi --stack` takes it (default dev). */
    stack?: string;
    organization?: string;
    /** Extra config `<ns>:<key>` (or project-relative `<key>`) -> value, over the stack's file. */
    config?: Record<string, string>;
    /** Stop the program, and every process it started, after this long (default 120 s). */
    timeoutMs?: number;
    /** How to name the program in messages (default: programDir as given). */
    displayName?: string;
    /** Outputs of referenced stacks by stack name (`pulumi stack output --json` of each). */
    stackReferences?: Record<string, Record<string, unknown>>;
}

/** A recorded stack plus what the source could not reproduce (for the reporter to mention). */
export interface RecordedStack extends SourcedStack {
    /** What the program printed (stdout and stderr), for --verbose. */
    programOutput: string;
}

export const DEFAULT_PROGRAM_TIMEOUT_MS = 120_000;

/** The AWS account plausible ARNs use: the first of `aws:allowedAccountIds`, else PLAUSIBLE_ACCOUNT. */
export function accountOf(config: Record<string, string>): string {
    const raw = config["aws:allowedAccountIds"];
    if (raw !== undefined) {
        try {
            const ids = JSON.parse(raw);
            const first = Array.isArray(ids) ? ids[0] : ids;
            if (typeof first === "string" || typeof first === "number") {
                return String(first);
            }
        } catch {
            // a plain string
            if (/^\d{12}$/.test(raw.trim())) {
                return raw.trim();
            }
        }
    }
    return PLAUSIBLE_ACCOUNT;
}

/**
 * The compiled worker, also when the checker itself runs from sources (tests): the worker must start
 * as plain Node.js, because the program's runner registers the program's own TypeScript tooling and
 * a second ts-node registered before it would compile the program with other settings.
 */
function workerFile(): string {
    const compiled = __filename.endsWith(".js")
        ? path.join(__dirname, "program-worker.js")
        : path.resolve(__dirname, "..", "..", "dist", "cli", "sources", "program-worker.js");
    if (!fs.existsSync(compiled)) {
        throw new CheckError(`the program runner ${compiled} is not built; run npm run build:lib in the sealed-infra package`);
    }
    return compiled;
}

function formatSeconds(ms: number): string {
    return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * Runs the worker in its own process group and waits for it to exit, at most `timeoutMs`: on
 * timeout the whole group is killed, so nothing the program started (a build, a watcher) keeps
 * running. The exit, not the closing of its output pipes, ends the wait: a grandchild that keeps
 * the pipes open cannot hold the check; it is killed with the group.
 */
async function runBounded(
    file: string,
    requestFile: string,
    cwd: string,
    env: NodeJS.ProcessEnv,
    timeoutMs: number,
): Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; output: string; timedOut: boolean }> {
    const child = spawn(process.execPath, [file, requestFile], { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const killGroup = () => {
        try {
            if (child.pid !== undefined) {
                process.kill(-child.pid, "SIGKILL");
            }
        } catch {
            // the group is already gone
        }
    };
    let timedOut = false;
    const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
    }, timeoutMs);
    try {
        const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
            child.on("error", reject);
            child.on("exit", (code, signal) => resolve({ code, signal }));
        });
        // Let the pipes deliver what the worker wrote, without waiting on processes it left behind.
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { exit, output, timedOut };
    } finally {
        clearTimeout(timer);
        killGroup();
        child.stdout.destroy();
        child.stderr.destroy();
    }
}

function describeEnvironments(environments: string[]): string {
    return `Pulumi ESC environment${environments.length > 1 ? "s" : ""} ${environments.join(", ")}`;
}

/**
 * A missing config variable in a stack that imports ESC environments most likely comes from one of
 * them: say so, and how to go on offline.
 */
function environmentHint(message: string, config: StackConfig): string {
    const key = /^Missing required configuration variable '([^']+)'/.exec(message)?.[1];
    if (!key || config.environments.length === 0) {
        return "";
    }
    return (
        `; the stack config imports ${describeEnvironments(config.environments)}, which cannot be opened offline: ` +
        `for the check, give ${key} a value under config: in ${path.basename(config.file ?? "Pulumi.<stack>.yaml")}, or run pulumi preview with the pack`
    );
}

function firstLine(s: string): string {
    const line = s.split("\n").find((l) => l.trim() !== "") ?? s;
    return line.trim();
}

export async function recordProgram(programDir: string, opts: RecordProgramOptions): Promise<RecordedStack> {
    const shown = opts.displayName ?? programDir;
    const failed = (message: string, detail?: unknown): CheckError => new CheckError(`program ${shown} failed: ${message}`, detail);

    let project;
    let config;
    const selection = parseStackSelection(opts.stack ?? DEFAULT_STACK);
    const stack = selection.stack;
    try {
        project = loadPulumiProject(programDir);
        config = loadStackConfig(project, stack, opts.config ?? {});
    } catch (e) {
        if (e instanceof CheckError) {
            throw failed(e.message, e.detail ?? e);
        }
        throw e;
    }
    if (selection.project !== undefined && selection.project !== project.name) {
        throw new CheckError(`--stack ${opts.stack} names project ${selection.project}, but the program in ${shown} is project ${project.name}`);
    }
    const organization = opts.organization ?? selection.organization ?? DEFAULT_ORGANIZATION;
    const region = config.values["aws:region"] ?? DEFAULT_REGION;

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-infra-program-"));
    try {
        const request: WorkerRequest = {
            programDir: project.dir,
            mainArg: project.mainArg,
            project: project.name,
            stack,
            organization,
            preview: opts.preview,
            config: config.values,
            secretKeys: config.secretKeys,
            region,
            account: accountOf(config.values),
            stackReferences: opts.stackReferences ?? {},
            typescript: project.typescript,
            resultFile: path.join(tmp, "result.json"),
        };
        const requestFile = path.join(tmp, "request.json");
        fs.writeFileSync(requestFile, JSON.stringify(request));

        const file = workerFile();
        const env: NodeJS.ProcessEnv = {
            ...process.env,
            // What the Node.js language host gives a program (pulumi-language-nodejs).
            PULUMI_CONFIG: JSON.stringify(config.values),
            PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(config.secretKeys),
            PULUMI_NODEJS_PROJECT: project.name,
            PULUMI_NODEJS_STACK: stack,
            PULUMI_NODEJS_ORGANIZATION: organization,
            PULUMI_NODEJS_DRY_RUN: opts.preview ? "true" : "false",
        };
        // Keep the checker's own ts-node settings from leaking into the program's compilation.
        for (const k of Object.keys(env)) {
            if (k.startsWith("TS_NODE_")) {
                delete env[k];
            }
        }
        const timeoutMs = opts.timeoutMs ?? DEFAULT_PROGRAM_TIMEOUT_MS;
        const { exit, output, timedOut } = await runBounded(file, requestFile, project.dir, env, timeoutMs);
        if (timedOut) {
            throw failed(`did not finish within ${formatSeconds(timeoutMs)} (the program and every process it started were stopped; --timeout <seconds> allows longer)`, { output });
        }
        const resultFile = request.resultFile;
        if (!fs.existsSync(resultFile)) {
            const why = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
            const said = firstLine(output);
            throw failed(`the program ${why} before it finished${said ? `: ${said}` : ""}`, { output });
        }
        let result: WorkerResult;
        try {
            result = JSON.parse(fs.readFileSync(resultFile, "utf8"));
        } catch (e) {
            throw failed(`could not read the recorded resources: ${(e as Error).message}`, { output });
        }
        if (!result.ok) {
            // A crash after a data source returned unknown values is likely the offline model's doing: say which.
            const gaps = (result.warnings ?? []).filter((w) => w.startsWith("data source "));
            const named = gaps.map((g) => /^data source (\S+)/.exec(g)?.[1]).filter((t): t is string => t !== undefined);
            const hint =
                named.length > 0
                    ? `; the program used the result of ${named.slice(0, 2).join(" and ")}${named.length > 2 ? ` and ${named.length - 2} more` : ""}, which the offline check cannot know (it reads the cloud): if the crash comes from there, run pulumi preview with the pack`
                    : "";
            throw failed(`${firstLine(result.message)}${hint}${environmentHint(result.message, config)}`, { stack: result.stack, output });
        }
        const warnings = [
            ...config.unreadable.map((k) => `config ${k} is a secure value that cannot be decrypted offline; the program saw a placeholder`),
            ...(config.environments.length > 0
                ? [`the stack config imports ${describeEnvironments(config.environments)}, which cannot be opened offline; config values from there were unset for the program`]
                : []),
            ...(result.warnings ?? []),
        ];
        const snapshot: RecordedStack = {
            organization,
            project: project.name,
            stack,
            dryRun: opts.preview,
            config: { ...config.values },
            tags: {
                "pulumi:project": project.name,
                "pulumi:runtime": project.runtime,
                ...(project.description !== undefined ? { "pulumi:description": project.description } : {}),
                ...configTags(config.values),
            },
            resources: result.resources,
            warnings,
            programOutput: output,
        };
        return snapshot;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/** `pulumi:tags` config adds stack tags (pkg/backend/stack.go GetEnvironmentTagsForCurrentStack). */
function configTags(config: Record<string, string>): Record<string, string> {
    const raw = config["pulumi:tags"];
    if (raw === undefined) {
        return {};
    }
    try {
        const parsed = JSON.parse(raw);
        const out: Record<string, string> = {};
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
            for (const [k, v] of Object.entries(parsed)) {
                if (typeof v === "string") {
                    out[k] = v;
                }
            }
        }
        return out;
    } catch {
        return {};
    }
}
