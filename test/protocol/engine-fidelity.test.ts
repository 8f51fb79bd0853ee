/**
 * What exactly reaches a pack: the echo fixture pack (test/fixtures/packs/echo) reports back the
 * environment, stack tags, names, options, provider and properties it received in Analyze and
 * AnalyzeStack, so these tests pin the client to the engine's behaviour (see cli/analyzer/*.ts for
 * the pulumi/pulumi sources each rule comes from).
 */
import { strict as assert } from "assert";
import * as path from "path";
import { analyzeWith, DetailedPackReport, launchPolicyPack, LaunchedPack, runPolicyPack } from "../../cli/analyzer/client";
import type { ResourceRecord, StackSnapshot } from "../../cli/model";
import { ASSET_SIG, OUTPUT_VALUE_SIG, RESOURCE_REFERENCE_SIG, SIG_KEY } from "../../cli/wire";
import {
    AWS_PROVIDER_URN,
    awsProvider,
    FIXTURES,
    noProcessLeft,
    rejectsWithCheckError,
    resource,
    ROOT_STACK_URN,
    rootStack,
    secret,
    snapshot,
    UNKNOWN,
    urn,
} from "./helpers";

const ECHO = path.join(FIXTURES, "echo");
const ECR = "aws:ecr/repository:Repository";
const KMS_KEY_URN = urn("aws:kms/key:Key", "images-key");
const COMPONENT_URN = urn("acme:index:Registry", "registry");
const REPO_URN = urn(ECR, "images", "acme:index:Registry");

interface Echo {
    env: Record<string, unknown>;
    stackTags: Record<string, string>;
    urn: string;
    type: string;
    name: string;
    props: Record<string, unknown>;
    opts: Record<string, unknown>;
    provider: { urn: string; type: string; name: string; props: Record<string, unknown> } | null;
}

interface StackEcho {
    resources: Array<{
        urn: string;
        type: string;
        name: string;
        props: Record<string, unknown>;
        opts: Record<string, unknown>;
        parent: string | null;
        dependencies: string[];
        propertyDependencies: Record<string, string[]>;
        provider: { urn: string; name: string } | null;
    }>;
}

function stackFixture(): ResourceRecord[] {
    const component = resource({ type: "acme:index:Registry", name: "registry", custom: false, inputs: { team: "payments" } });
    const key = resource({ type: "aws:kms/key:Key", name: "images-key", id: "key-123", inputs: { description: "images" } });
    const repo = resource({
        type: ECR,
        name: "images",
        parentType: "acme:index:Registry",
        parent: COMPONENT_URN,
        inputs: {
            name: "images",
            imageTagMutability: "MUTABLE",
            __defaults: ["name"],
            nothing: null,
            tags: secret({ team: "payments" }),
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: UNKNOWN }],
            kmsKeyRef: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: KMS_KEY_URN, id: "key-123", packageVersion: "7.0.0" },
            componentRef: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: COMPONENT_URN },
            pendingRef: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: KMS_KEY_URN, id: "" },
            knownSecretOutput: { [SIG_KEY]: OUTPUT_VALUE_SIG, value: "v", secret: true, dependencies: [KMS_KEY_URN] },
            unknownOutput: { [SIG_KEY]: OUTPUT_VALUE_SIG, dependencies: [KMS_KEY_URN] },
            policyFile: { [SIG_KEY]: ASSET_SIG, path: "./policy.json" },
        },
        outputs: { name: "images", imageTagMutability: "MUTABLE", arn: "arn:aws:ecr:eu-west-1:123456789012:repository/images", __meta: "x" },
        dependencies: [COMPONENT_URN, KMS_KEY_URN],
        propertyDependencies: { encryptionConfigurations: [KMS_KEY_URN], name: [] },
        options: {
            protect: true,
            ignoreChanges: ["tags"],
            deleteBeforeReplace: true,
            aliases: [urn(ECR, "old-images")],
            customTimeouts: { createSeconds: 60, updateSeconds: 0, deleteSeconds: 120 },
            additionalSecretOutputs: ["repositoryUrl"],
        },
    });
    const orphan = resource({
        type: "aws:s3/bucket:Bucket",
        name: "orphan",
        inputs: {},
        provider: `${urn("pulumi:providers:aws", "gone")}::gone-id`,
    });
    return [rootStack(), awsProvider({ region: "eu-west-1", version: "7.0.0", __internal: "hidden" }), component, key, repo, orphan];
}

function stackSnapshot(overrides: Partial<StackSnapshot> = {}): StackSnapshot {
    return snapshot(stackFixture(), {
        config: { "aws:region": "eu-west-1", "shop:tier": "gold" },
        tags: { "pulumi:project": "shop", team: "payments" },
        ...overrides,
    });
}

function echoes(report: DetailedPackReport): Map<string, Echo> {
    const out = new Map<string, Echo>();
    for (const d of report.diagnostics.filter((x) => x.policyName === "echo-resource")) {
        const e = JSON.parse(d.message) as Echo;
        assert.equal(d.urn, e.urn, "Analyze diagnostics are attributed to the analyzed resource");
        out.set(e.urn, e);
    }
    return out;
}

function stackEcho(report: DetailedPackReport): StackEcho {
    const d = report.diagnostics.filter((x) => x.policyName === "echo-stack" && x.message.startsWith("{"));
    assert.equal(d.length, 1);
    return JSON.parse(d[0].message) as StackEcho;
}

describe("protocol: engine fidelity (echo pack)", function () {
    this.timeout(120_000);

    let report: DetailedPackReport;
    before(async () => {
        report = (await noProcessLeft(1, () => runPolicyPack({ packDir: ECHO, snapshot: stackSnapshot() }))) as DetailedPackReport;
    });

    it("launches like the CLI: cwd, argv, PULUMI_NODEJS_* and PULUMI_CONFIG in the environment", () => {
        const e = echoes(report).get(ROOT_STACK_URN)!;
        assert.deepEqual(e.env, {
            organization: "acme",
            project: "shop",
            stack: "dev",
            dryRun: "true",
            config: JSON.stringify({ "aws:region": "eu-west-1", "shop:tier": "gold" }),
            typescript: "true",
            cwd: ECHO,
            argv: [],
        });
    });

    it("ConfigureStack delivers the stack tags", () => {
        assert.deepEqual(echoes(report).get(REPO_URN)!.stackTags, { "pulumi:project": "shop", team: "payments" });
    });

    it("GetAnalyzerInfo: the PulumiPolicy.yaml version wins (also in diagnostics), policies sorted by name", () => {
        assert.equal(report.pack.name, "echo-pack");
        assert.equal(report.pack.version, "2.3.4");
        assert.equal(report.pack.description, "Echo pack for protocol tests (reports what it receives)");
        assert.deepEqual(report.pack.policies.map((p) => p.name), ["echo-resource", "echo-stack", "force-immutable", "schema-policy"]);
        assert.ok(report.diagnostics.length > 0);
        for (const d of report.diagnostics) {
            assert.equal(d.policyPackName, "echo-pack");
            assert.equal(d.policyPackVersion, "2.3.4");
        }
        assert.deepEqual(report.pack.policies.map((p) => p.policyType), ["resource", "stack", "resource", "resource"]);
    });

    it("every registered resource is analyzed, the root stack and components included, in order", () => {
        const order = report.diagnostics.filter((d) => d.policyName === "echo-resource").map((d) => d.urn);
        assert.deepEqual(order, stackFixture().map((r) => r.urn));
        assert.equal(report.resources, 6);
    });

    it("Analyze gets the URN's name, the options and the provider's inputs (internal keys dropped)", () => {
        const e = echoes(report).get(REPO_URN)!;
        assert.equal(e.name, "images");
        assert.equal(e.type, ECR);
        assert.deepEqual(e.opts, {
            protect: true,
            ignoreChanges: ["tags"],
            aliases: [urn(ECR, "old-images")],
            customTimeouts: { createSeconds: 60, updateSeconds: 0, deleteSeconds: 120 },
            additionalSecretOutputs: ["repositoryUrl"],
            deleteBeforeReplace: true,
            parent: COMPONENT_URN,
        });
        assert.deepEqual(e.provider, { urn: AWS_PROVIDER_URN, type: "pulumi:providers:aws", name: "default_7_0_0", props: { region: "eu-west-1", version: "7.0.0" } });
        const root = echoes(report).get(ROOT_STACK_URN)!;
        assert.equal(root.provider, null, "components have no provider");
        assert.equal("deleteBeforeReplace" in root.opts, false, "deleteBeforeReplaceDefined is false when unset");
        assert.equal(echoes(report).get(urn("aws:s3/bucket:Bucket", "orphan"))!.provider, null, "a provider missing from the snapshot is not sent");
    });

    it("Analyze properties are marshalled like the engine's MarshalOptions", () => {
        assert.deepEqual(echoes(report).get(REPO_URN)!.props, {
            name: "images",
            imageTagMutability: "MUTABLE",
            nothing: null, // nulls kept
            tags: { team: "payments" }, // secret unwrapped by the SDK
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: UNKNOWN }], // unknown sentinel kept
            kmsKeyRef: "key-123", // resource reference -> id
            componentRef: COMPONENT_URN, // reference without id -> URN
            pendingRef: UNKNOWN, // reference with unknown id -> unknown
            knownSecretOutput: "v", // output value flattened (secret unwrapped by the SDK)
            unknownOutput: UNKNOWN,
            policyFile: { $kind: "FileAsset" },
            // __defaults dropped (SkipInternalKeys)
        });
    });

    it("AnalyzeStack gets outputs, parent, dependencies and non-empty propertyDependencies", () => {
        const repo = stackEcho(report).resources.find((r) => r.urn === REPO_URN)!;
        assert.deepEqual(repo.props, { name: "images", imageTagMutability: "MUTABLE", arn: "arn:aws:ecr:eu-west-1:123456789012:repository/images" });
        assert.equal(repo.parent, COMPONENT_URN);
        assert.deepEqual(repo.dependencies, [COMPONENT_URN, KMS_KEY_URN]);
        assert.deepEqual(repo.propertyDependencies, { encryptionConfigurations: [KMS_KEY_URN] });
        assert.deepEqual(repo.provider, { urn: AWS_PROVIDER_URN, name: "default_7_0_0" });
        assert.equal(stackEcho(report).resources.length, 6);
    });

    it("stack diagnostics keep a URN only when it names a resource of the stack", () => {
        const stackDiags = report.diagnostics.filter((d) => d.policyName === "echo-stack");
        assert.deepEqual(
            stackDiags.map((d) => [d.message.startsWith("{") ? "echo" : d.message, d.urn]),
            [
                ["echo", ""],
                ["attributed to a repository", REPO_URN],
                ["attributed to a resource not in the stack", ""],
            ],
        );
    });

    it("initialConfig is applied before the file, schema defaults first (and its missing level reads as advisory, as in the engine)", () => {
        assert.deepEqual(report.appliedConfig["schema-policy"], { enforcementLevel: "advisory", properties: { mode: "a", limit: 7 } });
        const seen = report.diagnostics.filter((d) => d.policyName === "schema-policy").map((d) => JSON.parse(d.message));
        assert.deepEqual(seen, [{ mode: "a", limit: 7 }]);
        assert.deepEqual(report.appliedConfig["echo-resource"], { enforcementLevel: "advisory", properties: {} });
    });

    describe("one launch, several configs", () => {
        let pack: LaunchedPack;
        before(async () => {
            pack = await launchPolicyPack({
                packDir: ECHO,
                stack: { organization: "acme", project: "shop", stack: "dev", dryRun: true, config: {} },
            });
        });
        after(async () => pack?.close());

        it("file properties merge over initialConfig and defaults, and reach the policy", async () => {
            const r = await analyzeWith(pack, stackSnapshot(), { "schema-policy": { limit: 9, names: ["x"] } });
            assert.deepEqual(r.appliedConfig["schema-policy"].properties, { mode: "a", limit: 9, names: ["x"] });
            const seen = r.diagnostics.filter((d) => d.policyName === "schema-policy").map((d) => JSON.parse(d.message));
            assert.deepEqual(seen, [{ mode: "a", limit: 9, names: ["x"] }]);
        });

        it("schema violations name policy and field", async () => {
            await rejectsWithCheckError(
                analyzeWith(pack, stackSnapshot(), { "schema-policy": { mode: "c" } }),
                /^invalid config for policy "schema-policy" of policy pack "echo-pack": mode must be one of "a", "b"$/,
            );
            await rejectsWithCheckError(
                analyzeWith(pack, stackSnapshot(), { "schema-policy": { limit: 0, names: "x" } }),
                /^invalid config for policy "schema-policy" of policy pack "echo-pack": limit must be >= 1; names must be array$/,
            );
        });

        it("Remediate runs before Analyze; remediated inputs go to Analyze and into the outputs sent to AnalyzeStack", async () => {
            const r = await analyzeWith(pack, stackSnapshot(), { "force-immutable": "remediate" });
            assert.deepEqual(r.remediations.map((x) => [x.policyName, x.urn, x.properties.imageTagMutability]), [["force-immutable", REPO_URN, "IMMUTABLE"]]);
            assert.deepEqual(r.remediations[0].properties.__defaults, ["name"], "Remediate receives internal keys (SkipInternalKeys false)");
            assert.equal(echoes(r).get(REPO_URN)!.props.imageTagMutability, "IMMUTABLE");
            assert.equal("__defaults" in echoes(r).get(REPO_URN)!.props, false);
            const repo = stackEcho(r).resources.find((x) => x.urn === REPO_URN)!;
            assert.equal(repo.props.imageTagMutability, "IMMUTABLE");
            assert.equal(repo.props.arn, "arn:aws:ecr:eu-west-1:123456789012:repository/images");
        });

        it("a policy that throws fails the run with one line naming the call, policy and error", async () => {
            const s = stackSnapshot();
            s.resources.push(resource({ type: "acme:index:Thing", name: "thrower", inputs: { throwInAnalyze: true } }));
            await rejectsWithCheckError(
                analyzeWith(pack, s, undefined),
                /echo: Analyze\(urn:pulumi:dev::shop::acme:index:Thing::thrower\) failed: /,
                /policy 'echo-resource' from policy pack 'echo-pack@v1\.0\.0'/,
                /Error: echo: asked to throw in Analyze$/,
            );
        });

        it("rejects a value the pack could not decode instead of crashing the RPC", async () => {
            const s = stackSnapshot();
            s.resources.push(resource({ type: "acme:index:Thing", name: "odd", inputs: { blob: { [SIG_KEY]: "4dabf18193072939515e22adb2983bad", value: "x" } } }));
            await rejectsWithCheckError(analyzeWith(pack, s, undefined), /property blob of urn:pulumi:dev::shop::acme:index:Thing::odd: unrecognized special value signature/);
        });
    });
});
