/**
 * The real sealed-infra pack (policypack/bin), launched the way the Pulumi CLI launches it and
 * driven over gRPC by the analyzer client: verdicts, enforcement levels from config, config
 * validation, preview unknowns and secrets as the engine sends them.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { analyzeWith, launchPolicyPack, LaunchedPack, runPolicyPack } from "../../cli/analyzer/client";
import type { AnalyzerDiagnostic, PackReport, ResourceRecord } from "../../cli/model";
import {
    awsProvider,
    ecrRepository,
    noProcessLeft,
    PACK_DIR,
    rejectsWithCheckError,
    resource,
    rootStack,
    secret,
    snapshot,
    UNKNOWN,
    urn,
} from "./helpers";

const PACK_VERSION: string = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")).version;
const ECR = "aws:ecr/repository:Repository";

function requireBuiltPack(): void {
    if (!fs.existsSync(path.join(PACK_DIR, "bin", "index.js"))) {
        throw new Error("policypack/bin/index.js is missing: run `npm run build:pack` first");
    }
}

function diagsFor(report: PackReport, policyName: string): AnalyzerDiagnostic[] {
    return report.diagnostics.filter((d) => d.policyName === policyName);
}

function stackWith(...resources: ResourceRecord[]): ResourceRecord[] {
    return [rootStack(), awsProvider(), ...resources];
}

describe("protocol: sealed-infra pack over gRPC", function () {
    this.timeout(120_000);
    before(requireBuiltPack);

    it("reports a MUTABLE ECR repository as a MANDATORY violation with pack name, version and URN (runPolicyPack)", async () => {
        const report = await noProcessLeft(1, () =>
            runPolicyPack({
                packDir: PACK_DIR,
                snapshot: snapshot(stackWith(ecrRepository("images", "MUTABLE"), ecrRepository("releases", "IMMUTABLE"))),
                packSource: "local: policypack",
            }),
        );
        assert.equal(report.pack.name, "sealed-infra");
        assert.equal(report.pack.version, PACK_VERSION);
        assert.equal(report.packSource, "local: policypack");
        assert.equal(report.resources, 4);
        // Other catalogue policies may also speak about these resources; this one must say exactly this.
        const ecr = diagsFor(report, "ecr-tags-immutable");
        assert.deepEqual(
            ecr.map((d) => [d.policyName, d.enforcementLevel, d.urn]),
            [["ecr-tags-immutable", "mandatory", urn(ECR, "images")]],
        );
        const d = ecr[0];
        assert.equal(d.policyPackName, "sealed-infra");
        assert.equal(d.policyPackVersion, PACK_VERSION);
        assert.equal(d.severity, "high");
        assert.match(d.description, /ECR repositories keep image tags immutable/);
        assert.match(d.message, /aws:ecr:Repository "images": imageTagMutability is "MUTABLE"/);
        // Every policy is configured, with its level and its schema defaults.
        assert.deepEqual(Object.keys(report.appliedConfig).sort(), report.pack.policies.map((p) => p.name).sort());
        assert.deepEqual(report.appliedConfig["ecr-tags-immutable"], { enforcementLevel: "mandatory", properties: { allowExclusionFilters: false } });
        assert.deepEqual(report.appliedConfig["images-pinned-by-digest"], { enforcementLevel: "mandatory", properties: { allowedRegistries: [] } });
        const ecrInfo = report.pack.policies.find((p) => p.name === "ecr-tags-immutable")!;
        assert.equal(ecrInfo.policyType, "resource");
        assert.equal(ecrInfo.severity, "high");
        assert.match(ecrInfo.remediationSteps, /IMMUTABLE/);
        assert.deepEqual(ecrInfo.configSchema?.required, []);
        assert.equal((ecrInfo.configSchema?.properties.allowExclusionFilters as { type: string }).type, "boolean");
    });

    describe("one preview launch, several analyses", () => {
        let pack: LaunchedPack;
        const analyze = (resources: ResourceRecord[], config?: unknown) =>
            analyzeWith(pack, snapshot(stackWith(...resources)), config, "local: policypack");

        before(async () => {
            requireBuiltPack();
            pack = await launchPolicyPack({
                packDir: PACK_DIR,
                stack: { organization: "acme", project: "shop", stack: "dev", dryRun: true, config: {} },
            });
        });
        after(async () => {
            await pack?.close();
            assert.equal(pack.exitStatus() !== undefined, true, "the pack process has ended");
        });

        it('{"ecr-tags-immutable": "disabled"} disables the policy', async () => {
            const report = await analyze([ecrRepository("images", "MUTABLE")], { "ecr-tags-immutable": "disabled" });
            assert.deepEqual(diagsFor(report, "ecr-tags-immutable"), []);
            assert.equal(report.appliedConfig["ecr-tags-immutable"].enforcementLevel, "disabled");
            assert.equal(report.pack.policies.find((p) => p.name === "ecr-tags-immutable")!.enforcementLevel, "disabled");
        });

        it('{"all": "advisory"} downgrades the violation to ADVISORY; a per-policy level wins over "all"', async () => {
            const advisory = await analyze([ecrRepository("images", "MUTABLE")], { all: "advisory" });
            assert.deepEqual(
                diagsFor(advisory, "ecr-tags-immutable").map((d) => [d.policyName, d.enforcementLevel, d.urn]),
                [["ecr-tags-immutable", "advisory", urn(ECR, "images")]],
            );
            assert.deepEqual(advisory.diagnostics.filter((d) => d.enforcementLevel !== "advisory"), [], "no policy stays mandatory");
            assert.deepEqual(advisory.appliedConfig.all, { enforcementLevel: "advisory", properties: {} }, "the engine sends `all` too");

            const mixed = await analyze([ecrRepository("images", "MUTABLE")], { all: "advisory", "ecr-tags-immutable": { enforcementLevel: "mandatory" } });
            assert.deepEqual(diagsFor(mixed, "ecr-tags-immutable").map((d) => d.enforcementLevel), ["mandatory"]);
            assert.equal(mixed.appliedConfig["images-pinned-by-digest"].enforcementLevel, "advisory");
        });

        it("rejects an invalid config value, naming pack, policy and field", async () => {
            await rejectsWithCheckError(
                analyze([ecrRepository("images", "MUTABLE")], { "images-pinned-by-digest": { allowedRegistries: "x" } }),
                /^invalid config for policy "images-pinned-by-digest" of policy pack "sealed-infra": allowedRegistries must be array$/,
            );
            await rejectsWithCheckError(
                analyze([], { "images-pinned-by-digest": { allowedRegistries: [""] } }),
                /policy "images-pinned-by-digest" of policy pack "sealed-infra": allowedRegistries\[0\] must NOT have fewer than 1 characters/,
            );
            await rejectsWithCheckError(
                analyze([], { "ecr-tags-immutable": "strict" }),
                /policy "ecr-tags-immutable" of policy pack "sealed-infra": "strict" is not a valid enforcement level/,
            );
        });

        it("rejects an unknown policy name and an unknown field (the engine would ignore both)", async () => {
            await rejectsWithCheckError(
                analyze([], { "ecr-tag-immutable": "disabled" }),
                /^invalid config for policy pack "sealed-infra": no policy named "ecr-tag-immutable" \(did you mean "ecr-tags-immutable"\?\)/,
            );
            await rejectsWithCheckError(
                analyze([], { "ecr-tags-immutable": { allowExclusionFilter: true } }),
                /policy "ecr-tags-immutable" of policy pack "sealed-infra": unknown property "allowExclusionFilter" \(did you mean "allowExclusionFilters"\?\)/,
            );
        });

        it("config properties reach the policy (allowExclusionFilters)", async () => {
            const repo = ecrRepository("images", "IMMUTABLE_WITH_EXCLUSION");
            assert.deepEqual(diagsFor(await analyze([repo]), "ecr-tags-immutable").map((d) => d.enforcementLevel), ["mandatory"]);
            assert.deepEqual(diagsFor(await analyze([repo], { "ecr-tags-immutable": { allowExclusionFilters: true } }), "ecr-tags-immutable"), []);
        });

        it("an unknown imageTagMutability in preview yields an ADVISORY note on the resource, never a silent pass", async () => {
            const report = await analyze([ecrRepository("images", UNKNOWN)]);
            const ds = diagsFor(report, "ecr-tags-immutable");
            assert.deepEqual(ds.map((d) => [d.enforcementLevel, d.urn]), [["advisory", urn(ECR, "images")]]);
            assert.match(ds[0].message, /imageTagMutability is not known until the update/);
        });

        it("a secret-wrapped value is checked as its plain value", async () => {
            const mutable = diagsFor(await analyze([ecrRepository("images", secret("MUTABLE"))]), "ecr-tags-immutable");
            assert.deepEqual(mutable.map((d) => [d.enforcementLevel, d.urn]), [["mandatory", urn(ECR, "images")]]);
            assert.match(mutable[0].message, /imageTagMutability is "MUTABLE"/);
            assert.deepEqual(diagsFor(await analyze([ecrRepository("images", secret("IMMUTABLE"))]), "ecr-tags-immutable"), []);
        });

        it("an unset imageTagMutability is MUTABLE", async () => {
            const ds = diagsFor(await analyze([ecrRepository("images")]), "ecr-tags-immutable");
            assert.deepEqual(ds.map((d) => d.enforcementLevel), ["mandatory"]);
            assert.match(ds[0].message, /unset \(AWS defaults to "MUTABLE"\)/);
        });

        it("a stack policy sees the linked versioning resource through AnalyzeStack (outputs + propertyDependencies)", async () => {
            const bucket = resource({ type: "aws:s3/bucket:Bucket", name: "artifacts", id: "artifacts-1a2b", inputs: { bucket: "artifacts-1a2b" } });
            const versioning = (status: string) =>
                resource({
                    type: "aws:s3/bucketVersioning:BucketVersioning",
                    name: "artifacts",
                    inputs: { bucket: "artifacts-1a2b", versioningConfiguration: { status } },
                    dependencies: [bucket.urn],
                    propertyDependencies: { bucket: [bucket.urn] },
                });
            const suspended = diagsFor(await analyze([bucket, versioning("Suspended")]), "s3-versioning-enabled");
            assert.equal(suspended.length, 1);
            assert.equal(suspended[0].enforcementLevel, "mandatory");
            assert.ok([bucket.urn, versioning("x").urn].includes(suspended[0].urn), suspended[0].urn);
            assert.match(suspended[0].message, /Suspended/);
            assert.deepEqual(diagsFor(await analyze([bucket, versioning("Enabled")]), "s3-versioning-enabled"), []);
        });
    });

    it("at update (dryRun false) an unknown value fails closed as a MANDATORY violation", async () => {
        const report = await noProcessLeft(1, () =>
            runPolicyPack({ packDir: PACK_DIR, snapshot: snapshot(stackWith(ecrRepository("images", UNKNOWN)), { dryRun: false }) }),
        );
        const ds = diagsFor(report, "ecr-tags-immutable");
        assert.deepEqual(ds.map((d) => [d.enforcementLevel, d.urn]), [["mandatory", urn(ECR, "images")]]);
        assert.match(ds[0].message, /still unknown during the update/);
    });

    it("an invalid config is rejected by runPolicyPack and the pack process is stopped", async () => {
        await noProcessLeft(1, () =>
            rejectsWithCheckError(
                runPolicyPack({
                    packDir: PACK_DIR,
                    snapshot: snapshot(stackWith(ecrRepository("images", "MUTABLE"))),
                    config: { "images-pinned-by-digest": { allowedRegistries: "x" } },
                }),
                /^invalid config for policy "images-pinned-by-digest" of policy pack "sealed-infra": allowedRegistries must be array$/,
            ),
        );
    });
});
