import { strict as assert } from "assert";
import * as path from "path";
import { pb } from "../../cli/analyzer/proto";
import { buildAnalyzerResource, encodeAnalyzeStackRequest, ResourceIndex } from "../../cli/analyzer/serialize";
import type { ResourceRecord } from "../../cli/model";
import { readStackExport } from "../../cli/sources/stack-export";
import { syntheticStack } from "../bench/stack-analysis";

/** The request as a tree of messages, encoded at once (what the engine and the CLI sent before). */
function messageBytes(resources: ResourceRecord[]): Uint8Array {
    const index = new ResourceIndex(resources);
    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList(resources.map((r) => buildAnalyzerResource(r, r.outputs, index)));
    return req.serializeBinary();
}

function encodedBytes(resources: ResourceRecord[]): Uint8Array {
    return encodeAnalyzeStackRequest(resources, (r) => r.outputs, new ResourceIndex(resources)).serializeBinary();
}

describe("AnalyzeStack request encoded one resource at a time", () => {
    const exportResources = readStackExport(path.join(__dirname, "..", "fixtures", "exports", "violating.json")).resources;
    const big: ResourceRecord = { ...syntheticStack(2)[1], urn: "urn:pulumi:dev::bench::aws:s3/bucket:Bucket::big", outputs: { blob: "x".repeat(70_000), list: Array.from({ length: 300 }, (_, i) => ({ i })) } };

    for (const [name, resources] of [
        ["a stack export with providers, secrets and components", exportResources],
        ["the synthetic bench stack", syntheticStack(400)],
        ["a resource larger than 16 KB and 64 KB (multi-byte lengths)", [big, ...syntheticStack(3)]],
        ["no resources", []],
    ] as const) {
        it(`is byte for byte the request built as messages: ${name}`, () => {
            const expected = messageBytes([...resources]);
            const actual = encodedBytes([...resources]);
            assert.equal(Buffer.compare(Buffer.from(actual), Buffer.from(expected)), 0);
            assert.equal(pb.AnalyzeStackRequest.deserializeBinary(actual).getResourcesList().length, resources.length);
        });
    }

    it("is an AnalyzeStackRequest the generated gRPC serializer accepts", () => {
        const req = encodeAnalyzeStackRequest(exportResources, (r) => r.outputs, new ResourceIndex(exportResources));
        assert.ok(req instanceof pb.AnalyzeStackRequest);
        assert.deepEqual(req.serializeBinary(), req.serializeBinary(), "serializes the same bytes when asked twice");
    });
});
