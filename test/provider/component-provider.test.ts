/**
 * The components served to every Pulumi language (provider/): the plugin is launched as the Pulumi
 * engine launches a Node.js plugin and called over gRPC (./engine.ts).
 *
 * 1. GetSchema lists every component with typed inputs and outputs and their descriptions, the
 *    served schema is the one inferred from the current sources, and the plugin's version is the
 *    package's.
 * 2. Construct of each component (./cases.ts, as a program in another language would pass them)
 *    registers the same resources, with the same inputs, options and dependencies, as the
 *    TypeScript classes do in a program under mocks; a reference to an ImmutableConfig works.
 * 3. What the Constructs registered passes the whole launched policy pack: no finding at update,
 *    no mandatory one in preview.
 * 4. Protect is fail-safe, invalid arguments fail with the component's message, unknown types too.
 *
 * Needs the build (dist/provider with its schema, policypack/bin): `npm test` builds first; alone
 * run `npm run build`.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "yaml";
import { runPolicyPack } from "../../cli/analyzer/client";
import type { AnalyzerDiagnostic, PackReport, ResourceRecord, WireProperties, WireValue } from "../../cli/model";
import { recordProgram } from "../../cli/sources/program";
import { RESOURCE_REFERENCE_SIG, SIG_KEY } from "../../cli/wire";
import { catalogue } from "../../policypack/src/catalogue";
import { COMPONENT_TOKENS } from "../../provider/tokens";
import { APPROVAL_KEY_ID, APPROVER, approverPublicKeyPem, ComponentCase, componentCases, isComponentReference } from "./cases";
import { Constructed, LaunchedProvider, subtree, TEST_STACK, TestEngine, TestStack } from "./engine";

const ROOT = path.resolve(__dirname, "../..");
const PLUGIN_DIR = path.join(ROOT, "provider");
const PACK_DIR = path.join(ROOT, "policypack");
const FIXTURE = path.join(ROOT, "test/fixtures/provider-programs/components");
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

type Schema = Record<string, any>;

function tokenOf(className: string): string {
    const entry = COMPONENT_TOKENS.find((c) => c.className === className);
    assert.ok(entry, `no token for ${className}`);
    return entry.token;
}

/** A program directory for the plugin's working directory (the engine runs plugins from the program's). */
function programDir(tmp: string): string {
    const dir = path.join(tmp, "program");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${TEST_STACK.project}\nruntime: python\n`);
    return dir;
}

/** The case's args in the wire format, with component references as the engine sends them, and the URNs each arg depends on. */
function wireArgs(c: ComponentCase, urns: Map<string, string>, version: string): { inputs: WireProperties; dependencies: Record<string, string[]> } {
    const dependencies: Record<string, string[]> = {};
    const toWire = (value: unknown, key: string): WireValue => {
        if (isComponentReference(value)) {
            const urn = urns.get(value.$component);
            assert.ok(urn, `case ${c.id} refers to ${value.$component}, not constructed before it`);
            dependencies[key] = [...new Set([...(dependencies[key] ?? []), urn])];
            return { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn, packageVersion: version };
        }
        if (Array.isArray(value)) {
            return value.map((v) => toWire(v, key));
        }
        if (value !== null && typeof value === "object") {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v, key)]));
        }
        return value as WireValue;
    };
    const inputs = Object.fromEntries(Object.entries(c.args).map(([k, v]) => [k, toWire(v, k)]));
    return { inputs, dependencies };
}

/** What of a record the comparison covers: everything the engine records and sends to the pack, except the URN-independent order. */
function comparable(r: ResourceRecord): object {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent,
        provider: r.provider,
        options: r.options,
        dependencies: [...r.dependencies].sort(),
        propertyDependencies: Object.fromEntries(
            Object.keys(r.propertyDependencies)
                .sort()
                .map((k) => [k, [...r.propertyDependencies[k]].sort()]),
        ),
        inputs: r.inputs,
    };
}

/** Sorted by URN; through JSON, as program mode hands its records over (absent and undefined alike). */
function byUrn(records: ResourceRecord[]): object[] {
    return JSON.parse(JSON.stringify([...records].sort((a, b) => a.urn.localeCompare(b.urn)).map(comparable)));
}

function resourceName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

function describeFinding(d: AnalyzerDiagnostic): string {
    return `[${d.enforcementLevel}] ${d.policyName} ${resourceName(d.urn)}: ${d.message}`;
}

function assertWholePackRan(report: PackReport): void {
    const notMandatory = catalogue.map((p) => p.name).filter((name) => report.appliedConfig[name]?.enforcementLevel !== "mandatory");
    assert.deepEqual(notMandatory, [], `policies not run at mandatory: ${notMandatory.join(", ")}`);
}

/** The pack config: the approver key of the cases' ApprovedRelease. */
const PACK_CONFIG = {
    "release-approved": {
        approverKeys: [{ id: APPROVAL_KEY_ID, publicKeyPem: approverPublicKeyPem(), approver: APPROVER }],
        deployerIdentities: ["arn:aws:iam::123456789012:role/sealed-infra/duty/deployer"],
    },
};

/** Launches the plugin from `pluginDir` with a fresh engine; the caller closes both. */
async function launch(pluginDir: string, tmp: string, stack: TestStack = TEST_STACK): Promise<{ engine: TestEngine; provider: LaunchedProvider }> {
    const engine = await new TestEngine(stack).start();
    try {
        const provider = await LaunchedProvider.launch(pluginDir, engine.engineAddress, programDir(tmp));
        return { engine, provider };
    } catch (e) {
        await engine.close();
        throw e;
    }
}

/** Constructs every case in order (references to earlier ones as resource references). */
async function constructAll(provider: LaunchedProvider, engine: TestEngine, cases: ComponentCase[], version: string): Promise<Map<string, Constructed>> {
    engine.registerRootStack();
    const urns = new Map<string, string>();
    const results = new Map<string, Constructed>();
    for (const c of cases) {
        const { inputs, dependencies } = wireArgs(c, urns, version);
        const result = await provider.construct(engine, tokenOf(c.className), c.name, inputs, { dependencies });
        urns.set(c.id, result.urn);
        results.set(c.id, result);
    }
    return results;
}

describe("component provider: launched as the engine launches a Node.js plugin, called over gRPC", function () {
    this.timeout(900_000);
    let tmp: string;
    let engine: TestEngine;
    let provider: LaunchedProvider;
    let info: { version: string; acceptsResources: boolean };
    let schema: Schema;

    before(async function () {
        for (const built of ["dist/provider/main.js", "dist/provider/schema.json", "policypack/bin/index.js"]) {
            if (!fs.existsSync(path.join(ROOT, built))) {
                throw new Error(`${built} is missing: run \`npm run build\` first`);
            }
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-infra-provider-"));
        ({ engine, provider } = await launch(PLUGIN_DIR, tmp));
        info = await provider.start();
        schema = await provider.getSchema();
    });

    after(async () => {
        await provider?.close();
        await engine?.close();
        if (tmp) {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    describe("GetSchema", () => {
        it("is the package's, at the package's version, as GetPluginInfo says", () => {
            assert.equal(schema.name, "sealed-infra");
            assert.equal(schema.version, PACKAGE.version);
            assert.equal(info.version, PACKAGE.version);
            assert.equal(info.acceptsResources, true);
            assert.equal(schema.language.go.importBasePath, "github.com/sealed-infra/sealed-infra/sdk/go/sealedinfra");
            assert.deepEqual(
                schema.dependencies.map((d: any) => `${d.name}@${d.version}`).sort(),
                [
                    `aws@${require("@pulumi/aws/package.json").version}`,
                    `kubernetes@${require("@pulumi/kubernetes/package.json").version}`,
                ].sort(),
            );
        });

        it("lists every component under today's token, with a description", () => {
            assert.deepEqual(Object.keys(schema.resources).sort(), COMPONENT_TOKENS.map((c) => c.token).sort());
            for (const [token, resource] of Object.entries<any>(schema.resources)) {
                assert.equal(resource.isComponent, true, token);
                assert.ok(typeof resource.description === "string" && resource.description.length > 40, `${token} has a description`);
            }
            assert.ok(schema.resources["sealed-infra:release:ApprovedRelease"]);
            assert.ok(schema.resources["sealed-infra:kubernetes:DutyNamespace"]);
        });

        it("types every input and output, each with its description", () => {
            const untyped: string[] = [];
            const undescribed: string[] = [];
            for (const [token, resource] of Object.entries<any>(schema.resources)) {
                for (const [section, props] of [
                    ["input", resource.inputProperties],
                    ["output", resource.properties],
                ] as const) {
                    assert.ok(Object.keys(props).length > 0, `${token} has ${section}s`);
                    for (const [name, p] of Object.entries<any>(props)) {
                        if (p.type === undefined && p.$ref === undefined) {
                            untyped.push(`${token} ${section} ${name}`);
                        }
                        if (typeof p.description !== "string" || p.description.trim() === "" || p.description.includes("[object Object]")) {
                            undescribed.push(`${token} ${section} ${name}`);
                        }
                    }
                }
            }
            assert.deepEqual(untyped, []);
            assert.deepEqual(undescribed, []);
            assert.doesNotMatch(JSON.stringify(schema), /pulumi\.json#\/Any|\[object Object\]/, "nothing is typed Any, no description is garbled");
        });

        it("types ImmutableBucket's retention as an integer with its description, and its kind as an enum", () => {
            const bucket = schema.resources["sealed-infra:aws:ImmutableBucket"];
            assert.equal(bucket.inputProperties.retentionDays.type, "integer");
            assert.match(bucket.inputProperties.retentionDays.description, /^Default Object Lock retention in days, in COMPLIANCE mode/);
            assert.match(bucket.inputProperties.retentionDays.description, /At least 30 .*\sat most 36500\. Default 365/s);
            assert.equal(bucket.properties.retentionDays.type, "integer");
            assert.equal(bucket.inputProperties.kind.$ref, "#/types/sealed-infra:aws:StoreKind");
            assert.deepEqual(bucket.requiredInputs, []);
            assert.deepEqual(
                schema.types["sealed-infra:aws:StoreKind"].enum.map((e: any) => [e.name, e.value]),
                [
                    ["Artifacts", "artifacts"],
                    ["AuditLogs", "audit-logs"],
                ],
            );
            // Other SDKs' resources are references into their schemas.
            assert.equal(bucket.properties.bucket.$ref, `/aws/v${require("@pulumi/aws/package.json").version}/schema.json#/resources/aws:s3%2Fbucket:Bucket`);
        });

        it("describes nested objects, optional fields, integers and enums of the other components", () => {
            const types = schema.types;
            const duty = schema.resources["sealed-infra:aws:DutyRoles"];
            assert.deepEqual(duty.requiredInputs, ["approver", "deployer"]);
            assert.equal(duty.inputProperties.deployer.$ref, "#/types/sealed-infra:aws:DutyTrust");
            assert.deepEqual(types["sealed-infra:aws:DutyTrust"].required, ["kind"]);
            assert.equal(types["sealed-infra:aws:DutyTrust"].properties.kind.$ref, "#/types/sealed-infra:aws:TrustKind");
            assert.deepEqual(
                types["sealed-infra:aws:TrustKind"].enum.map((e: any) => e.value),
                ["github-actions", "aws-principals"],
            );
            assert.equal(duty.inputProperties.deployerStatements.items.$ref, "#/types/sealed-infra:aws:PolicyStatement");
            const statement = types["sealed-infra:aws:PolicyStatement"];
            assert.deepEqual(statement.required, ["Effect"]);
            assert.equal(statement.properties.Condition.additionalProperties.additionalProperties.items.type, "string");

            const key = schema.resources["sealed-infra:aws:ReleaseSigningKey"];
            assert.deepEqual(
                types["sealed-infra:aws:SigningKeySpec"].enum.map((e: any) => e.value),
                ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "RSA_2048", "RSA_3072", "RSA_4096"],
            );
            assert.equal(key.properties.keySpec.$ref, "#/types/sealed-infra:aws:SigningKeySpec");

            const workload = schema.resources["sealed-infra:kubernetes:ImmutableWorkload"];
            for (const name of ["replicas", "runAsUser", "runAsGroup", "fsGroup"]) {
                assert.equal(workload.inputProperties[name].type, "integer", name);
            }
            assert.equal(workload.inputProperties.containers.items.$ref, "#/types/sealed-infra:kubernetes:WorkloadContainer");
            const container = types["sealed-infra:kubernetes:WorkloadContainer"];
            assert.deepEqual(container.required, ["image", "name"]);
            const k8s = `/kubernetes/v${require("@pulumi/kubernetes/package.json").version}/schema.json`;
            assert.equal(container.properties.readinessProbe.$ref, `${k8s}#/types/kubernetes:core%2Fv1:Probe`);
            assert.equal(container.properties.env.items.$ref, `${k8s}#/types/kubernetes:core%2Fv1:EnvVar`);
            assert.equal(container.properties.netBindService.type, "boolean");
            assert.equal(types["sealed-infra:kubernetes:WorkloadConfig"].properties.config.$ref, "#/resources/sealed-infra:kubernetes:ImmutableConfig");

            const ns = schema.resources["sealed-infra:kubernetes:DutyNamespace"];
            assert.equal(ns.inputProperties.deployerRules.items.$ref, `${k8s}#/types/kubernetes:rbac.authorization.k8s.io%2Fv1:PolicyRule`);
            assert.equal(schema.resources["sealed-infra:aws:AuditTrail"].properties.bucket.$ref, "#/resources/sealed-infra:aws:ImmutableBucket");
            const release = schema.resources["sealed-infra:release:ApprovedRelease"];
            assert.deepEqual(release.requiredInputs, ["manifest", "signature"]);
            assert.equal(release.inputProperties.releaseApproval.$ref, "#/types/sealed-infra:release:ReleaseApprovalTarget");
            assert.equal(release.properties.summary.$ref, "#/types/sealed-infra:release:ManifestSummary");
        });

        it("docs/multi-language.md's YAML program uses only the schema's tokens and properties, with every required one", () => {
            const doc = fs.readFileSync(path.join(ROOT, "docs/multi-language.md"), "utf8");
            const block = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes("runtime: yaml"));
            assert.ok(block, "the doc has a YAML program");
            const program = yaml.parse(block);
            const problems: string[] = [];
            const check = (value: unknown, property: any, where: string): void => {
                if (typeof value === "string" && value.startsWith("${")) {
                    return; // an interpolation: typed by what it refers to
                }
                if (property.type === "array") {
                    (value as unknown[]).forEach((item, i) => check(item, property.items, `${where}[${i}]`));
                } else if (property.type === "object" && property.additionalProperties) {
                    Object.entries(value as object).forEach(([k, v]) => check(v, property.additionalProperties, `${where}.${k}`));
                } else if (typeof property.$ref === "string" && property.$ref.startsWith("#/types/")) {
                    const type = schema.types[decodeURIComponent(property.$ref.slice("#/types/".length))];
                    if (type.enum) {
                        if (!type.enum.some((e: any) => e.value === value)) {
                            problems.push(`${where}: ${JSON.stringify(value)} is not one of the enum's values`);
                        }
                        return;
                    }
                    checkObject(value as Record<string, unknown>, type.properties, type.required ?? [], where);
                }
            };
            const checkObject = (value: Record<string, unknown>, properties: Record<string, any>, required: string[], where: string): void => {
                for (const name of required) {
                    if (value[name] === undefined) {
                        problems.push(`${where}: required ${name} missing`);
                    }
                }
                for (const [k, v] of Object.entries(value)) {
                    if (properties[k] === undefined) {
                        problems.push(`${where}.${k} is not in the schema`);
                    } else {
                        check(v, properties[k], `${where}.${k}`);
                    }
                }
            };
            for (const [name, resource] of Object.entries<any>(program.resources)) {
                const spec = schema.resources[resource.type];
                if (spec === undefined) {
                    problems.push(`${name}: no component ${resource.type}`);
                    continue;
                }
                checkObject(resource.properties ?? {}, spec.inputProperties, spec.requiredInputs, name);
            }
            assert.deepEqual(problems, []);
        });

        it("is the schema inferred from the current component sources (the build is not stale)", async function () {
            const { inferSchema } = require("../../provider/schema") as typeof import("../../provider/schema");
            const fresh = inferSchema(ROOT, { version: PACKAGE.version, description: PACKAGE.description, license: PACKAGE.license, keywords: PACKAGE.keywords });
            assert.deepEqual(schema, JSON.parse(JSON.stringify(fresh)), "dist/provider/schema.json is stale: npm run build");
        });
    });

    describe("Construct registers what the TypeScript classes register under mocks", () => {
        const cases = componentCases();
        let constructed: Map<string, Constructed>;
        let typescript: ResourceRecord[];

        before(async () => {
            constructed = await constructAll(provider, engine, cases, info.version);
            const casesFile = path.join(tmp, "cases.json");
            fs.writeFileSync(casesFile, JSON.stringify(cases));
            const recorded = await recordProgram(FIXTURE, {
                preview: false,
                stack: TEST_STACK.stack,
                organization: TEST_STACK.organization,
                config: { [`${TEST_STACK.project}:casesFile`]: casesFile },
                displayName: "test/fixtures/provider-programs/components",
            });
            typescript = recorded.resources;
        });

        for (const c of componentCases()) {
            it(`${c.className} "${c.name}": the same resources, inputs, options and dependencies`, () => {
                const result = constructed.get(c.id);
                assert.ok(result);
                const viaProvider = subtree(engine.recorder.resources, result.urn);
                const viaTypeScript = subtree(typescript, result.urn);
                assert.ok(viaTypeScript.length > 0, `the TypeScript program registered ${result.urn}`);
                assert.equal(viaProvider[0].type, tokenOf(c.className), "the component registers under its token");
                assert.ok(viaProvider.length > 1, "the component registered children");
                assert.deepEqual(byUrn(viaProvider), byUrn(viaTypeScript));
            });
        }

        it("protects the critical children, as the TypeScript classes do (e.g. the bucket and its Object Lock)", () => {
            const artifacts = subtree(engine.recorder.resources, constructed.get("artifacts")!.urn);
            for (const type of ["aws:s3/bucket:Bucket", "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "aws:kms/key:Key"]) {
                const r = artifacts.find((x) => x.type === type);
                assert.ok(r, type);
                assert.equal(r.options.protect, true, type);
            }
            assert.equal(artifacts.find((x) => x.type === "aws:s3/bucketVersioning:BucketVersioning")?.options.protect, true);
        });

        it("returns the component's outputs as the schema declares them", () => {
            const bucket = constructed.get("packages")!.state;
            assert.equal(bucket.retentionDays, 730);
            assert.equal(bucket.kind, "artifacts");
            assert.match(String(bucket.bucketArn), /^arn:aws:s3:::/);
            // Child resources come back as resource references.
            assert.equal((bucket.bucket as Record<string, WireValue>)[SIG_KEY], RESOURCE_REFERENCE_SIG);
            const config = constructed.get("settings")!.state;
            assert.equal(config.kind, "ConfigMap");
            assert.match(String(config.name), /^settings-[a-f0-9]{10}$/);
        });

        it("mounts the referenced ImmutableConfig objects in the workload", () => {
            const deployment = subtree(engine.recorder.resources, constructed.get("web")!.urn).find((r) => r.type === "kubernetes:apps/v1:Deployment");
            const settingsMap = subtree(engine.recorder.resources, constructed.get("settings")!.urn).find((r) => r.type === "kubernetes:core/v1:ConfigMap");
            assert.ok(deployment && settingsMap);
            const pod = (deployment.inputs.spec as any).template.spec;
            assert.deepEqual(pod.volumes[1], { name: "config-0", configMap: { name: (settingsMap.inputs.metadata as any).name } });
            assert.match(JSON.stringify(pod.containers[0].envFrom), /"secretRef":\{"name":"credentials-[a-f0-9]{10}"\}/);
            assert.ok(deployment.dependencies.includes(settingsMap.urn), "the Deployment depends on the ConfigMap it mounts");
        });

        it("the resources it registered pass the whole launched pack: no finding at update", async () => {
            const report = await runPolicyPack({ packDir: PACK_DIR, snapshot: engine.snapshot(), config: PACK_CONFIG });
            assertWholePackRan(report);
            assert.ok(report.resources >= engine.recorder.resources.length);
            assert.deepEqual(report.diagnostics.map(describeFinding), []);
        });
    });

    it("in a preview too, the Constructs' resources meet no mandatory policy", async () => {
        const preview = await launch(PLUGIN_DIR, tmp, { ...TEST_STACK, preview: true });
        try {
            const { version } = await preview.provider.start();
            await constructAll(preview.provider, preview.engine, componentCases(), version);
            const report = await runPolicyPack({ packDir: PACK_DIR, snapshot: preview.engine.snapshot(), config: PACK_CONFIG });
            assertWholePackRan(report);
            const mandatory = report.diagnostics.filter((d) => d.enforcementLevel === "mandatory");
            assert.deepEqual(mandatory.map(describeFinding), []);
        } finally {
            await preview.provider.close();
            await preview.engine.close();
        }
    });

    describe("options, errors", () => {
        let side: { engine: TestEngine; provider: LaunchedProvider };
        before(async () => {
            side = await launch(PLUGIN_DIR, tmp);
            await side.provider.start();
            side.engine.registerRootStack();
        });
        after(async () => {
            await side?.provider.close();
            await side?.engine.close();
        });

        const critical = (urn: string) => subtree(side.engine.recorder.resources, urn).filter((r) => r.type === "aws:s3/bucket:Bucket" || r.type === "aws:kms/key:Key");

        it("protect: false on the component protects the children anyway (the request cannot tell it from unset); the argument unprotects them", async () => {
            const optionFalse = await side.provider.construct(side.engine, "sealed-infra:aws:ImmutableBucket", "option-false", {}, { protect: false });
            assert.deepEqual(critical(optionFalse.urn).map((r) => r.options.protect), [true, true]);
            const argFalse = await side.provider.construct(side.engine, "sealed-infra:aws:ImmutableBucket", "arg-false", { protect: false });
            assert.deepEqual(critical(argFalse.urn).map((r) => r.options.protect), [false, false]);
        });

        it("a plain argument sent with dependencies keeps them on the values it holds that are Inputs", async () => {
            // The engine sends an argument's dependencies beside it; the SDK then hands the plain
            // releaseApproval over as one Output, which the provider unwraps for the component.
            const bucket = critical(
                (await side.provider.construct(side.engine, "sealed-infra:aws:ImmutableBucket", "dependency", { protect: false })).urn,
            ).find((r) => r.type === "aws:s3/bucket:Bucket")!.urn;
            const approval = componentCases().find((c) => c.className === "ApprovedRelease")!;
            const result = await side.provider.construct(
                side.engine,
                "sealed-infra:release:ApprovedRelease",
                "with-dependency",
                { ...(approval.args as WireProperties), releaseApproval: { namespace: "shop", name: "release" } },
                { dependencies: { releaseApproval: [bucket] } },
            );
            const rendered = subtree(side.engine.recorder.resources, result.urn).find((r) => r.type === "kubernetes:sealed-infra.io/v1alpha1:ReleaseApproval");
            assert.ok(rendered, "the ReleaseApproval object is rendered");
            assert.equal((rendered.inputs.metadata as any).namespace, "shop");
            assert.ok(rendered.dependencies.includes(bucket), `depends on ${bucket}: ${rendered.dependencies.join(", ")}`);
        });

        it("invalid arguments fail the Construct with the component's message", async () => {
            await assert.rejects(
                side.provider.construct(side.engine, "sealed-infra:aws:ImmutableBucket", "short", { retentionDays: 3 }),
                /ImmutableBucket "short": retentionDays must be a whole number of days between 30 and 36500, found 3/,
            );
            await assert.rejects(
                side.provider.construct(side.engine, "sealed-infra:aws:DutyRoles", "mixed", {
                    deployer: { kind: "github-actions", repository: "acme/shop", ref: "refs/heads/main", principalArns: ["arn:aws:iam::123456789012:role/x"] },
                    approver: { kind: "aws-principals", principalArns: ["arn:aws:iam::123456789012:role/y"] },
                }),
                /DutyRoles "mixed": deployer.principalArns is for kind "aws-principals"/,
            );
        });

        it("an unknown type fails with the types it constructs", async () => {
            await assert.rejects(
                side.provider.construct(side.engine, "sealed-infra:index:ImmutableBucket", "x", {}),
                /unknown resource type sealed-infra:index:ImmutableBucket; this provider constructs sealed-infra:aws:ImmutableBucket, /,
            );
        });
    });
});
