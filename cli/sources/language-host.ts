/**
 * Running a program the way pulumi-language-nodejs does, and saying in one line why it failed.
 *
 * The language host starts `node <@pulumi/pulumi>/cmd/run <flags> <main>`; the runner's `run()`
 * picks the entry point (Pulumi.yaml `main`, else package.json `exports`/`main`, else the
 * directory's index), registers the TypeScript tooling the project has (its own `typescript` and
 * `ts-node`, else the versions @pulumi/pulumi ships), honours the program's tsconfig and
 * type-checks (unless the tsconfig says `noCheck` or PULUMI_NODEJS_TRANSPILE_ONLY=true), loads ES
 * modules with `import()` (with ts-node's ESM hooks for TypeScript ES modules), and runs the program
 * inside the root stack resource. Program mode calls that same `run()` of the program's own
 * @pulumi/pulumi, after installing its mocks on that instance, so a program compiles and runs
 * offline exactly as under `pulumi preview`.
 */
import Module from "module";
import * as path from "path";
import { inspect } from "util";
import type { Untyped as Any } from "./untyped";


/** Exit code the runner uses after it printed a user-actionable message (cmd/run/index.js). */
const EXITED_AFTER_LOGGING_USER_ACTIONABLE_MESSAGE = 32;

/**
 * The runner prints an uncaught error with `util.inspect(err, { colors: true })`. Node.js 20 marks
 * node_modules paths in coloured stacks with a loop that never ends on source-mapped frames such as
 * `node_modules/@pulumi/output.ts` (a scope without a package name), so a program that fails inside
 * an `apply` would hang until the timeout. Program mode prints the error itself; the runner gets
 * the plain stack.
 */
function quietErrorMessages(pulumiRequire: NodeRequire): void {
    try {
        const errors = pulumiRequire("./cmd/run/error.js");
        if (typeof errors?.defaultErrorMessage === "function") {
            errors.defaultErrorMessage = (err: Any) =>
                typeof err?.stack === "string" ? err.stack : typeof err?.message === "string" ? err.message : inspect(err, { depth: 3 });
        }
    } catch {
        // an SDK without this module prints errors its own way
    }
}

/** The runner's `run()` from the program's @pulumi/pulumi, or undefined when that SDK has none. */
function loadRunner(pulumiRequire: NodeRequire): Any {
    try {
        // cmd/run/run.js requires its folder's index, which is the runner's command line: it parses
        // process.argv and exits without --monitor. run.js reads one constant from it, so the index
        // is provided without its command line.
        const index = pulumiRequire.resolve("./cmd/run/index.js");
        if (!require.cache[index]) {
            const stub = new Module(index);
            stub.filename = index;
            stub.loaded = true;
            stub.exports = { nodeJSProcessExitedAfterLoggingUserActionableMessage: EXITED_AFTER_LOGGING_USER_ACTIONABLE_MESSAGE };
            require.cache[index] = stub;
        }
        const runner = pulumiRequire("./cmd/run/run.js");
        quietErrorMessages(pulumiRequire);
        return typeof runner?.run === "function" ? runner : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Runs the program through its own SDK's runner. `main` is Pulumi.yaml's `main` or "." (the
 * language host's argument), `typescript` the project's runtime option (default true).
 */
export async function runLikeTheLanguageHost(pulumiRequire: NodeRequire, main: string, typescript: boolean): Promise<void> {
    const runner = loadRunner(pulumiRequire);
    if (!runner) {
        throw new Error(
            "the program's @pulumi/pulumi has no Node.js program runner (cmd/run/run.js); sealed-infra check needs @pulumi/pulumi 3 (npm install @pulumi/pulumi@3)",
        );
    }
    // What the language host puts in the program's environment (pulumi-language-nodejs).
    process.env.PULUMI_NODEJS_TYPESCRIPT = typescript ? "true" : "false";
    // What the runner's command line does before run(): connect to V8's inspector, which function
    // serialization (closures given to aws.lambda.CallbackFunction, @pulumi/eks) needs.
    try {
        await pulumiRequire("./runtime/closure/v8Hooks").isInitializedAsync();
    } catch {
        // an SDK without it cannot serialize functions under the real runner either
    }
    await runner.run(
        { _: [main] },
        () => undefined, // programStarted
        () => undefined, // reportLoggedError
        () => false, // isErrorReported
    );
}

/** A compiler diagnostic as ts-node prints it: `index.ts(9,7): error TS2322: Type ...`. */
const TS_DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): (?:error|warning) (TS\d+): (.*)$/;

/** One line saying why the program failed; the full detail goes to `stack` (shown with --verbose). */
/** The first compiler diagnostic of a ts-node failure, as `TypeScript error: file:line:col TSxxxx message`. */
function compilerError(text: string): { message: string; stack: string } {
    const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/Unable to compile TypeScript/.test(l));
    const diagnostics = lines.filter((l) => TS_DIAGNOSTIC.test(l));
    const first = diagnostics[0] ?? lines[0];
    const m = first ? TS_DIAGNOSTIC.exec(first) : null;
    const where = m ? `${m[1]}:${m[2]}:${m[3]} ${m[4]} ${m[5]}` : (first ?? text);
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more compiler error${diagnostics.length > 2 ? "s" : ""})` : "";
    return { message: `TypeScript error: ${where}${more}`, stack: text };
}

export function describeProgramError(e: unknown): { message: string; stack?: string } {
    if (e instanceof Error) {
        const text = String((e as Any).diagnosticText ?? e.message);
        if (e.name === "TSError" || /Unable to compile TypeScript/.test(e.message)) {
            return compilerError(text);
        }
        const at = programFrame(e);
        return { message: `${e.name && e.name !== "Error" ? `${e.name}: ` : ""}${e.message}${at ? ` (at ${at})` : ""}`, stack: e.stack };
    }
    // ts-node's ES-module loader hands compiler errors over as plain values, not TSErrors: a string,
    // or, from the loader's thread, an object that only knows how to print itself (no prototype,
    // just util.inspect.custom).
    const textOf = (v: Any): string | undefined =>
        typeof v === "string"
            ? v
            : typeof v?.diagnosticText === "string"
              ? v.diagnosticText
              : typeof v?.message === "string"
                ? v.message
                : typeof v === "object" && v !== null
                  ? inspect(v, { depth: 0, breakLength: Infinity })
                  : undefined;
    const diagnosticText = textOf(e);
    if (diagnosticText !== undefined && diagnosticText.split("\n").some((l: string) => TS_DIAGNOSTIC.test(l.trim()))) {
        return compilerError(diagnosticText);
    }
    return { message: `the program threw ${inspect(e, { depth: 3, breakLength: Infinity })}` };
}

/**
 * The checker's own code, whose frames are not the program's: compiled (dist/) and, through source
 * maps, its sources (cli/).
 */
const PACKAGE_ROOT = path.basename(path.resolve(__dirname, "..", "..")) === "dist" ? path.resolve(__dirname, "..", "..", "..") : path.resolve(__dirname, "..", "..");
const CHECKER_DIRS = ["dist", "cli"].map((d) => path.join(PACKAGE_ROOT, d) + path.sep);

/** The first stack frame in the program's own code (not in node_modules or Node.js internals). */
function programFrame(e: Error): string | undefined {
    for (const line of (e.stack ?? "").split("\n").slice(1)) {
        // `at fn (/abs/file.ts:1:2)` or `at /abs/file.ts:1:2`; never `node:internal/...` (whose tail looks absolute).
        const m = /(?:^at |\()((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/.exec(line.trim());
        if (m && !m[1].includes("/node_modules/") && !CHECKER_DIRS.some((d) => m[1].replace(/^file:\/\//, "").startsWith(d))) {
            const file = m[1].replace(/^file:\/\//, "");
            const rel = file.startsWith(process.cwd() + "/") ? file.slice(process.cwd().length + 1) : file;
            return `${rel}:${m[2]}:${m[3]}`;
        }
    }
    return undefined;
}
