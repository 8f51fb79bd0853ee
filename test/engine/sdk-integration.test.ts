/**
 * The pack's two integrations with @pulumi/policy internals (sdk/sdk-memo.ts and
 * sdk/stack-channel.ts) are performance only: they must install against the SDK version we
 * ship with, and the pack must say so on stderr if a future SDK makes them fall back.
 */
import { strict as assert } from "assert";
import { analyzeWith, launchPolicyPack } from "../../cli/analyzer/client";
import { deserializationShared } from "../../policypack/src/sdk/sdk-memo";
import { stackChannelInstalled } from "../../policypack/src/sdk/stack-channel";
import { awsProvider, PACK_DIR, resource, rootStack, snapshot, urn } from "../protocol/helpers";

describe("pack integration with @pulumi/policy", function () {
    this.timeout(120_000);

    it("shares decoded properties and decodes AnalyzeStack requests once", () => {
        assert.equal(deserializationShared, true);
        assert.equal(stackChannelInstalled, true);
    });

    it("the launched pack prints no fallback note, and stack policies see the whole request", async () => {
        const pack = await launchPolicyPack({ packDir: PACK_DIR, stack: { organization: "o", project: "shop", stack: "dev", dryRun: false, config: {} } });
        try {
            const bucket = resource({ type: "aws:s3/bucket:Bucket", name: "plain", inputs: { bucket: "plain-1" } });
            const versioning = resource({
                type: "aws:s3/bucketVersioning:BucketVersioning",
                name: "plain-v",
                inputs: { bucket: "plain-1", versioningConfiguration: { status: "Suspended" } },
                propertyDependencies: { bucket: [bucket.urn] },
            });
            const report = await analyzeWith(pack, snapshot([rootStack(), awsProvider(), bucket, versioning], { dryRun: false }), undefined);
            const versioningFindings = report.diagnostics.filter((d) => d.policyName === "s3-versioning-enabled");
            assert.deepEqual(versioningFindings.map((d) => d.urn), [urn("aws:s3/bucketVersioning:BucketVersioning", "plain-v")]);
            assert.match(versioningFindings[0].message, /for bucket "plain" is "Suspended"/, "the join needs the whole stack");
            // A second request on the same pack gets its own stack, not the first one's.
            const second = await analyzeWith(pack, snapshot([rootStack(), awsProvider()], { dryRun: false }), undefined);
            assert.deepEqual(second.diagnostics.filter((d) => d.policyName === "s3-versioning-enabled"), []);
        } finally {
            await pack.close();
        }
        assert.ok(!pack.logs.some((l) => /does not allow sharing decoded resources/.test(l.line)), pack.logs.map((l) => l.line).join("\n"));
    });
});
