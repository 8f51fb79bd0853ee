/**
 * What ./program.ts (the checker) and ./program-worker.ts (the child process that runs the
 * program) exchange: a request file in, a result file out.
 */
import type { ResourceRecord } from "../model";

export interface WorkerRequest {
    /** Absolute program (project) directory; the worker's cwd. */
    programDir: string;
    /** The project's `main` as Pulumi.yaml gives it, or "." (what the language host passes to the runner). */
    mainArg: string;
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
    | { ok: false; message: string; stack?: string; warnings?: string[] };
