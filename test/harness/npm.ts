/**
 * npm as a user runs it, for the tests that install packages into a project of their own (the
 * published tarball, a program's own SDK). Needs the npm registry, as `npm ci` does; packages come
 * from npm's cache after `npm ci`.
 */
import { execFileSync } from "child_process";

/**
 * The environment without the variables of an enclosing `npm test` (which would redirect prefix or
 * workspace). `typeCheck` also drops the harness's PULUMI_NODEJS_TRANSPILE_ONLY, so programs are
 * type-checked as Pulumi's Node.js host does by default.
 */
export function npmEnv(options: { typeCheck?: boolean } = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
        const lower = k.toLowerCase();
        if (lower.startsWith("npm_") && !["npm_config_cache", "npm_config_registry", "npm_config_userconfig"].includes(lower)) {
            continue;
        }
        env[k] = v;
    }
    if (options.typeCheck) {
        delete env.PULUMI_NODEJS_TRANSPILE_ONLY;
    }
    return env;
}

/** Runs npm in `cwd` and returns its stdout; throws with npm's output when it fails. */
export function npm(args: string[], cwd: string, options: { typeCheck?: boolean } = {}): string {
    return execFileSync("npm", args, { cwd, env: npmEnv(options), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
}
