/**
 * Program mode gives Lambda functions the codeSha256 Lambda would report for local code, so a
 * program cannot declare one package's hash (sourceCodeHash) and deploy another unnoticed: a local
 * .zip is hashed; a directory, zipped by Pulumi at deploy time, has an unknown hash offline; code
 * in S3 has none.
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { recordProgram } from "../../cli/sources/program";
import { UNKNOWN } from "../../cli/wire";

const PROGRAM = path.resolve(__dirname, "..", "fixtures", "programs", "lambda-code");

describe("program mode: Lambda code hashes", function () {
    this.timeout(120_000);

    it("hashes local zips, leaves directory archives and S3 code unknown (never the declared sourceCodeHash)", async () => {
        const stack = await recordProgram(PROGRAM, { preview: false });
        const fn = (name: string) => stack.resources.find((r) => r.type === "aws:lambda/function:Function" && r.name === name)!;
        const expected = createHash("sha256").update(fs.readFileSync(path.join(PROGRAM, "function.zip"))).digest("base64");
        assert.equal(fn("from-zip").outputs.codeSha256, expected);
        assert.equal(fn("from-dir").outputs.codeSha256, UNKNOWN);
        assert.equal(fn("from-s3").outputs.codeSha256, UNKNOWN, "the package in S3 is not readable offline");
    });

    it("leaves every code hash unknown in preview", async () => {
        const stack = await recordProgram(PROGRAM, { preview: true });
        for (const r of stack.resources.filter((x) => x.type === "aws:lambda/function:Function")) {
            assert.equal(r.outputs.codeSha256, UNKNOWN, r.name);
        }
    });
});
