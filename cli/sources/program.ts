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
import { DEFAULT_ORGANIZATION, DEFAULT_STACK, loadPulumiProject, loadStackConfig } from "./project";
import type { WorkerRequest, WorkerResult } from "./program-worker";

export interface RecordProgramOptions {
    /** Preview semantics: values not known until the update are unknown. */
    preview: boolean;
    stack?: string;
    organization?: string;
    /** Extra config `<ns>:<key>` (or project-relative `<key>`) -> value, over the stack's file. */
    config?: Record<string, string>;
    /** Kill the program after this long (default 120 s). */
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

function workerCommand(): { file: string; execArgv: string[] } {
    const compiled = path.join(__dirname, "program-worker.js");
    if (fs.existsSync(compiled) && __filename.endsWith(".js")) {
        return { file: compiled, execArgv: [] };
    }
    // Running from sources (tests, ts-node): start the worker under ts-node too.
    return {
        file: path.join(__dirname, "program-worker.ts"),
        execArgv: ["-r", require.resolve("ts-node/register/transpile-only")],
    };
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
    const stack = opts.stack ?? DEFAULT_STACK;
    try {
        project = loadPulumiProject(programDir);
        config = loadStackConfig(project, stack, opts.config ?? {});
    } catch (e) {
        if (e instanceof CheckError) {
            throw failed(e.message, e.detail ?? e);
        }
        throw e;
    }
    const organization = opts.organization ?? DEFAULT_ORGANIZATION;
    const region = config.values["aws:region"] ?? DEFAULT_REGION;

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-infra-program-"));
    try {
        const request: WorkerRequest = {
            programDir: project.dir,
            main: project.main,
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

        const { file, execArgv } = workerCommand();
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
        const child = spawn(process.execPath, [...execArgv, file, requestFile], {
            cwd: project.dir,
            env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        const timeoutMs = opts.timeoutMs ?? DEFAULT_PROGRAM_TIMEOUT_MS;
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
        }, timeoutMs);
        const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
            child.on("error", reject);
            child.on("close", (code, signal) => resolve({ code, signal }));
        }).finally(() => clearTimeout(timer));

        if (timedOut) {
            throw failed(`did not finish within ${Math.round(timeoutMs / 1000)} s`, { output });
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
            throw failed(firstLine(result.message), { stack: result.stack, output });
        }
        const warnings = [
            ...config.unreadable.map((k) => `config ${k} is a secure value that cannot be decrypted offline; the program saw a placeholder`),
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
