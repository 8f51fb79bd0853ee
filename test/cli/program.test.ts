import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CheckError, ResourceRecord } from "../../cli/model";
import { RecordedStack, recordProgram } from "../../cli/sources/program";
import { SECRET_SIG, SIG_KEY, UNKNOWN, UNREADABLE_SECRET } from "../../cli/wire";

const PROGRAMS = path.join(__dirname, "..", "fixtures", "programs");
const P = "urn:pulumi:dev::check-recording::";
const STACK = `${P}pulumi:pulumi:Stack::check-recording-dev`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function find(s: RecordedStack, urn: string): ResourceRecord {
    const r = s.resources.find((x) => x.urn === urn);
    assert.ok(r, `no resource ${urn}; have:\n${s.resources.map((x) => x.urn).join("\n")}`);
    return r;
}

describe("cli/sources/program: recording a program under mocks", function () {
    this.timeout(120_000);
    let update: RecordedStack;
    let preview: RecordedStack;
    before(async () => {
        const dir = path.join(PROGRAMS, "recording");
        [update, preview] = await Promise.all([recordProgram(dir, { preview: false }), recordProgram(dir, { preview: true })]);
    });

    it("registers the root stack first and parents top-level resources to it", () => {
        assert.equal(update.project, "check-recording");
        assert.equal(update.stack, "dev");
        assert.equal(update.organization, "organization");
        assert.equal(update.dryRun, false);
        const root = update.resources[0];
        assert.equal(root.urn, STACK);
        assert.equal(root.type, "pulumi:pulumi:Stack");
        assert.equal(root.custom, false);
        assert.equal(root.parent, undefined);
        const role = find(update, `${P}aws:iam/role:Role::deployer`);
        assert.equal(role.parent, STACK);
        assert.equal(role.options.parent, STACK);
        assert.deepEqual(update.tags, {
            "pulumi:project": "check-recording",
            "pulumi:runtime": "nodejs",
            "pulumi:description": "Test fixture for program-mode recording (options, parents, dependencies, providers, config).",
        });
    });

    it("computes URNs with the parent's full type chain, as the engine does", () => {
        const outer = find(update, `${P}acme:nested:Outer::outer`);
        const inner = find(update, `${P}acme:nested:Outer$acme:storage:Store::outer-inner`);
        const bucket = find(update, `${P}acme:nested:Outer$acme:storage:Store$aws:s3/bucket:Bucket::outer-inner-bucket`);
        assert.equal(inner.parent, outer.urn);
        assert.equal(bucket.parent, inner.urn);
        assert.equal(outer.custom, false);
        assert.deepEqual(inner.inputs, { purpose: "nested" }, "component inputs are the args given to super()");
        assert.equal(typeof inner.outputs.bucketName, "string", "component outputs are what it registered");
    });

    it("synthesizes the default provider, registers it before its first resource, and refers to it", () => {
        const providerUrn = `${P}pulumi:providers:aws::default_7_48_0`;
        const provider = find(update, providerUrn);
        assert.equal(provider.custom, true);
        assert.match(provider.id!, UUID);
        assert.deepEqual(provider.inputs, { region: "eu-west-1", version: "7.48.0" }, "stack config of the aws namespace + version");
        const firstAws = update.resources.findIndex((r) => r.type.startsWith("aws:"));
        assert.ok(update.resources.findIndex((r) => r.urn === providerUrn) < firstAws);
        const bucket = find(update, `${P}acme:storage:Store$aws:s3/bucket:Bucket::artifacts-bucket`);
        assert.equal(bucket.provider, `${providerUrn}::${provider.id}`);
        assert.equal(find(update, `${P}acme:storage:Store::artifacts`).provider, undefined, "components have no provider");
        assert.equal(update.resources.filter((r) => r.type === "pulumi:providers:aws" && r.name.startsWith("default")).length, 1);
    });

    it("keeps an explicit provider, with the version the engine records", () => {
        const west = find(update, `${P}pulumi:providers:aws::west`);
        assert.equal(west.inputs.region, "us-west-2");
        assert.equal(west.inputs.version, "7.48.0");
        const key = find(update, `${P}aws:kms/key:Key::key`);
        assert.equal(key.provider, `${west.urn}::${west.id}`);
        assert.match(String(key.outputs.arn), /^arn:aws:kms:us-west-2:123456789012:key\/[0-9a-f-]{36}$/, "the ARN follows the provider's region");
    });

    it("records resource options as the engine sends them to analyzers", () => {
        const key = find(update, `${P}aws:kms/key:Key::key`);
        assert.equal(key.options.protect, true);
        assert.deepEqual(key.options.ignoreChanges, ["description"]);
        assert.equal(key.options.deleteBeforeReplace, true);
        assert.deepEqual(key.options.customTimeouts, { createSeconds: 300, updateSeconds: 0, deleteSeconds: 5400 });
        assert.deepEqual(key.options.additionalSecretOutputs, ["keyId"]);
        assert.deepEqual(key.outputs.keyId, { [SIG_KEY]: SECRET_SIG, value: key.id }, "additional secret outputs are secret");
        assert.deepEqual(key.options.aliases, [], "a first deployment matches no alias, so the engine sends none");
        assert.deepEqual([...key.dependencies].sort(), [
            `${P}acme:storage:Store$aws:s3/bucket:Bucket::artifacts-bucket`,
            `${P}acme:storage:Store$aws:s3/bucketVersioning:BucketVersioning::artifacts-versioning`,
        ], "dependsOn a component means its resources");

        const versioning = find(update, `${P}acme:storage:Store$aws:s3/bucketVersioning:BucketVersioning::artifacts-versioning`);
        assert.equal(versioning.options.deleteBeforeReplace, false, "set to false is defined");
        const role = find(update, `${P}aws:iam/role:Role::deployer`);
        assert.equal(role.options.deleteBeforeReplace, undefined, "unset is undefined");
        assert.equal(role.options.protect, false);
    });

    it("records dependencies and property dependencies", () => {
        const bucketUrn = `${P}acme:storage:Store$aws:s3/bucket:Bucket::artifacts-bucket`;
        const versioning = find(update, `${P}acme:storage:Store$aws:s3/bucketVersioning:BucketVersioning::artifacts-versioning`);
        assert.deepEqual(versioning.dependencies, [bucketUrn]);
        assert.deepEqual(versioning.propertyDependencies, { bucket: [bucketUrn], versioningConfiguration: [] });
        const attachment = find(update, `${P}aws:iam/rolePolicyAttachment:RolePolicyAttachment::deployer`);
        assert.deepEqual(attachment.propertyDependencies, {
            policyArn: [`${P}aws:iam/policy:Policy::deployer`],
            role: [`${P}aws:iam/role:Role::deployer`],
        });
    });

    it("gives plausible physical names, ids and ARNs so references resolve", () => {
        const bucket = find(update, `${P}acme:storage:Store$aws:s3/bucket:Bucket::artifacts-bucket`);
        assert.match(String(bucket.inputs.bucket), /^artifacts-bucket-[0-9a-f]{7}$/, "auto-named by Check, so an input");
        assert.equal(bucket.id, bucket.inputs.bucket);
        assert.equal(bucket.outputs.id, bucket.id, "bridged providers return the id among outputs");
        assert.equal(bucket.outputs.arn, `arn:aws:s3:::${bucket.inputs.bucket}`);
        const versioning = find(update, `${P}acme:storage:Store$aws:s3/bucketVersioning:BucketVersioning::artifacts-versioning`);
        assert.equal(versioning.inputs.bucket, bucket.id);

        const role = find(update, `${P}aws:iam/role:Role::deployer`);
        assert.match(String(role.outputs.arn), /^arn:aws:iam::123456789012:role\/deployer-[0-9a-f]{7}$/, "IAM is global: no region");
        const policy = find(update, `${P}aws:iam/policy:Policy::deployer`);
        assert.match(String(policy.outputs.arn), /^arn:aws:iam::123456789012:policy\/deployer-[0-9a-f]{7}$/);
        const doc = JSON.parse(String(policy.inputs.policy));
        assert.equal(doc.Statement[0].Resource, `${bucket.outputs.arn}/*`, "getPolicyDocument renders statements");

        const attachment = find(update, `${P}aws:iam/rolePolicyAttachment:RolePolicyAttachment::deployer`);
        assert.equal(attachment.inputs.role, role.id, "a resource reference reaches the analyzer as the id");
        assert.equal(attachment.inputs.policyArn, policy.outputs.arn);
    });

    it("reads stack config, with secure values as unreadable secrets", () => {
        assert.equal(update.config["aws:region"], "eu-west-1");
        assert.equal(update.config["check-recording:replicas"], "3");
        assert.equal(update.config["check-recording:settings"], '{"tier":"gold"}');
        assert.equal(update.config["check-recording:greeting"], "hello", "project-level default");
        assert.equal(update.config["check-recording:dbPassword"], UNREADABLE_SECRET);
        assert.ok(update.warnings.some((w) => w.includes("check-recording:dbPassword")), update.warnings.join("\n"));
        const password = find(update, `${P}aws:ssm/parameter:Parameter::password`);
        assert.deepEqual(password.inputs.value, { [SIG_KEY]: SECRET_SIG, value: UNREADABLE_SECRET });
        assert.deepEqual(update.resources[0].outputs, {
            bucketArn: find(update, `${P}acme:storage:Store$aws:s3/bucket:Bucket::artifacts-bucket`).outputs.arn,
            replicas: 3,
            tier: "gold",
            greeting: "hello",
        });
    });

    it("says that config from imported ESC environments was unset, only for a stack that imports them", async () => {
        const esc = await recordProgram(path.join(PROGRAMS, "recording"), { preview: false, stack: "esc" });
        assert.ok(
            esc.warnings.includes(
                "the stack config imports Pulumi ESC environments acme/platform-dev, acme/check-recording-dev, which cannot be opened offline; config values from there were unset for the program",
            ),
            esc.warnings.join("\n"),
        );
        assert.ok(!update.warnings.some((w) => w.includes("ESC")), update.warnings.join("\n"));
    });

    it("records resources created inside apply, after invokes", () => {
        const param = find(update, `${P}aws:ssm/parameter:Parameter::key-arn`);
        assert.equal(param.inputs.description, "account 123456789012");
        assert.deepEqual(param.inputs.value, { [SIG_KEY]: SECRET_SIG, value: find(update, `${P}aws:kms/key:Key::key`).outputs.arn });
    });

    it("preview: ids, ARNs and inputs computed from them are unknown; names assigned by Check are known", () => {
        assert.equal(preview.dryRun, true);
        const provider = find(preview, `${P}pulumi:providers:aws::default_7_48_0`);
        assert.equal(provider.id, UNKNOWN);
        const bucketUrn = `${P}acme:storage:Store$aws:s3/bucket:Bucket::artifacts-bucket`;
        const bucket = find(preview, bucketUrn);
        assert.equal(bucket.provider, `${provider.urn}::${UNKNOWN}`);
        assert.equal(bucket.id, UNKNOWN);
        assert.equal(bucket.outputs.id, UNKNOWN);
        assert.equal(bucket.outputs.arn, UNKNOWN);
        assert.equal(bucket.outputs.bucketDomainName, UNKNOWN);
        assert.equal(bucket.inputs.bucket, find(update, bucketUrn).inputs.bucket, "the same auto-name in preview and update");
        const versioning = find(preview, `${P}acme:storage:Store$aws:s3/bucketVersioning:BucketVersioning::artifacts-versioning`);
        assert.equal(versioning.inputs.bucket, UNKNOWN);
        assert.deepEqual(versioning.propertyDependencies.bucket, [bucketUrn], "the link survives the unknown value");
        assert.deepEqual(versioning.inputs.versioningConfiguration, { status: "Enabled" });
        assert.equal(find(preview, `${P}aws:iam/policy:Policy::deployer`).inputs.policy, UNKNOWN);
        assert.equal(find(preview, `${P}aws:iam/rolePolicyAttachment:RolePolicyAttachment::deployer`).inputs.role, UNKNOWN);
        assert.equal(preview.resources.find((r) => r.name === "key-arn"), undefined, "an apply on an unknown does not run in preview");
        assert.equal(preview.resources[0].outputs.bucketArn, UNKNOWN);
        const urns = (s: RecordedStack) => s.resources.map((r) => r.urn).filter((u) => !u.endsWith("::key-arn")).sort();
        assert.deepEqual(urns(preview), urns(update), "the same resources otherwise");
    });

    it("runs a JavaScript program from Pulumi.yaml `main`, calling an exported function for the stack outputs", async () => {
        const s = await recordProgram(path.join(PROGRAMS, "js-main"), { preview: false, stack: "ci" });
        const J = "urn:pulumi:ci::check-js-main::";
        assert.equal(s.stack, "ci");
        const logs = find(s, `${J}aws:cloudwatch/logGroup:LogGroup::app`);
        assert.match(String(logs.inputs.name), /^app-[0-9a-f]{7}$/);
        assert.deepEqual(logs.inputs.tags, { owner: "123456789012" }, "getCallerIdentity answered plausibly");
        assert.equal(logs.outputs.arn, `arn:aws:logs:us-east-1:123456789012:log-group:${logs.inputs.name}`);
        assert.deepEqual(find(s, `${J}pulumi:pulumi:Stack::check-js-main-ci`).outputs, { logGroup: logs.inputs.name, account: "123456789012" });
        // The invoke made the engine register the default provider before the log group needed it.
        const providerAt = s.resources.findIndex((r) => r.urn === `${J}pulumi:providers:aws::default_7_48_0`);
        assert.ok(providerAt >= 0 && providerAt < s.resources.indexOf(logs));
    });

    describe("failures are one-line CheckErrors", () => {
        it("another stack has other config (Pulumi.<stack>.yaml)", async () => {
            try {
                await recordProgram(path.join(PROGRAMS, "recording"), { preview: false, stack: "staging", displayName: "rec" });
                assert.fail("expected a failure");
            } catch (e) {
                assert.ok(e instanceof CheckError);
                assert.match(e.message, /^program rec failed: Missing required configuration variable 'check-recording:team'$/);
            }
        });

        it("a config variable missing from a stack that imports ESC environments names them and how to go on", async () => {
            try {
                await recordProgram(path.join(PROGRAMS, "recording"), { preview: false, stack: "esc-missing", displayName: "rec" });
                assert.fail("expected a failure");
            } catch (e) {
                assert.ok(e instanceof CheckError);
                assert.equal(
                    e.message,
                    "program rec failed: Missing required configuration variable 'check-recording:team'; the stack config imports Pulumi ESC " +
                        "environment acme/platform-dev, which cannot be opened offline: for the check, give check-recording:team a value " +
                        "under config: in Pulumi.esc-missing.yaml, or run pulumi preview with the pack",
                );
            }
        });

        async function failure(dir: string, display?: string): Promise<CheckError> {
            try {
                await recordProgram(dir, { preview: false, displayName: display });
            } catch (e) {
                assert.ok(e instanceof CheckError, `expected a CheckError, got ${e}`);
                assert.ok(!e.message.includes("\n"), e.message);
                return e;
            }
            assert.fail("expected a failure");
        }

        it("a program that throws keeps its stack in the detail", async () => {
            const e = await failure(path.join(PROGRAMS, "throws"), "programs/throws");
            assert.equal(e.message, "program programs/throws failed: boom: the deployment settings are missing (at index.ts:6:11)");
            assert.match(String((e.detail as { stack?: string }).stack), /at settings \(/);
        });

        it("a directory without Pulumi.yaml", async () => {
            const e = await failure(path.join(PROGRAMS, "no-project"), "programs/no-project");
            assert.match(e.message, /^program programs\/no-project failed: no Pulumi\.yaml in /);
        });

        it("a project that is not nodejs, or a missing directory", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "si-python-"));
            try {
                fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: py\nruntime: python\n");
                const e = await failure(dir, "py");
                assert.match(e.message, /^program py failed: project py .* has runtime "python"; sealed-infra check runs nodejs programs only$/);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
            const missing = await failure(path.join(PROGRAMS, "does-not-exist"), "nowhere");
            assert.match(missing.message, /^program nowhere failed: program directory .* does not exist$/);
        });
    });
});
