import { strict as assert } from "assert";
import * as path from "path";
import { inspect } from "util";
import { describeProgramError } from "../../cli/sources/language-host";

/** The one line a user reads when their program fails, from each shape a failure arrives in. */
describe("cli/sources/language-host: describing a program's failure", () => {
    const diagnostics = "s3Helpers.ts(17,21): error TS2564: Property 'policy' has no initializer.\nindex.ts(3,1): error TS2304: Cannot find name 'x'.";

    it("reads compiler errors from a TSError, a string and the loader thread's print-only object alike", () => {
        const tsError = Object.assign(new Error(`⨯ Unable to compile TypeScript:\n${diagnostics}`), { name: "TSError", diagnosticText: diagnostics });
        // What ts-node's ES-module loader hands over from its thread: no prototype, only a way to print itself.
        const printOnly = Object.create(null) as Record<symbol, unknown>;
        printOnly[inspect.custom] = () => diagnostics;
        for (const thrown of [tsError, diagnostics, printOnly]) {
            assert.equal(
                describeProgramError(thrown).message,
                "TypeScript error: s3Helpers.ts:17:21 TS2564 Property 'policy' has no initializer. (and 1 more compiler error)",
                inspect(thrown),
            );
        }
    });

    it("shows any other thrown value as it is, without crashing on values that cannot become text", () => {
        assert.equal(describeProgramError("boom").message, "the program threw 'boom'");
        assert.equal(describeProgramError(Object.create(null)).message, "the program threw [Object: null prototype] {}");
        assert.match(describeProgramError(new RangeError("too far")).message, /^RangeError: too far/);
    });

    it("points at the program's own frame, never at Node.js internals or installed packages", () => {
        const error = (stack: string[]) => Object.assign(new Error("cannot find x"), { stack: ["Error: cannot find x", ...stack].join("\n") });
        const internal = "    at Module._resolveFilename (node:internal/modules/cjs/loader:1521:14)";
        const installed = "    at Object.<anonymous> (/home/u/app/node_modules/@pulumi/pulumi/index.js:3:9)";
        assert.equal(describeProgramError(error([internal, installed])).message, "cannot find x");
        // The checker's own frames, compiled or source-mapped, are not the program's either.
        const own = ["dist/cli/sources/program-worker.js:80:9", "cli/sources/program-worker.ts:95:92"].map((f) => `    at installMonitor (${path.resolve(__dirname, "..", "..", f)})`);
        assert.equal(describeProgramError(error([...own, "    at /home/u/app/index.ts:3:1"])).message, "cannot find x (at /home/u/app/index.ts:3:1)");
        assert.equal(describeProgramError(error([internal, installed, "    at /home/u/app/index.ts:12:5"])).message, "cannot find x (at /home/u/app/index.ts:12:5)");
        assert.equal(describeProgramError(error([internal, "    at main (file:///home/u/app/index.mts:4:1)"])).message, "cannot find x (at /home/u/app/index.mts:4:1)");
    });
});
