import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CheckError } from "../../cli/model";
import { readStackExport } from "../../cli/sources/stack-export";
import { RESOURCE_REFERENCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN, UNREADABLE_SECRET } from "../../cli/wire";

const FIXTURES = path.join(__dirname, "..", "fixtures", "exports");
const fixture = (name: string) => path.join(FIXTURES, name);
const S = "urn:pulumi:prod::shop::";

function withExport(doc: unknown, fn: (file: string) => void): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "si-export-"));
    try {
        const file = path.join(dir, "stack.json");
        fs.writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc));
        fn(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function oneResource(extra: Record<string, unknown>): unknown {
    return {
        version: 3,
        deployment: {
            manifest: { time: "2026-11-20T10:15:02Z", magic: "", version: "v3.200.0" },
            resources: [
                { urn: `${S}pulumi:pulumi:Stack::shop-prod`, custom: false, type: "pulumi:pulumi:Stack" },
                { urn: `${S}aws:s3/bucket:Bucket::b`, custom: true, type: "aws:s3/bucket:Bucket", id: "b-1", ...extra },
            ],
        },
    };
}

function errorOf(fn: () => unknown): CheckError {
    try {
        fn();
    } catch (e) {
        assert.ok(e instanceof CheckError, `expected a CheckError, got ${e}`);
        return e;
    }
    assert.fail("expected an error");
}

describe("cli/sources/stack-export: reading `pulumi stack export` files", () => {
    const snapshot = readStackExport(fixture("violating.json"));
    const byUrn = new Map(snapshot.resources.map((r) => [r.urn, r]));

    it("takes project and stack from the URNs and analyzes every live resource in order", () => {
        assert.equal(snapshot.project, "shop");
        assert.equal(snapshot.stack, "prod");
        assert.equal(snapshot.organization, "organization");
        assert.equal(snapshot.dryRun, false);
        assert.deepEqual(snapshot.tags, { "pulumi:project": "shop" });
        assert.deepEqual(
            snapshot.resources.map((r) => r.urn.split("::").slice(2).join("::")),
            [
                "pulumi:pulumi:Stack::shop-prod",
                "pulumi:providers:aws::default_7_48_0",
                "aws:ecr/repository:Repository::images",
                "acme:web:App::web",
                "pulumi:providers:kubernetes::default_4_34_2",
                "acme:web:App$kubernetes:apps/v1:Deployment::web",
                "aws:s3/bucket:Bucket::data",
                "aws:s3/bucketVersioning:BucketVersioning::data",
                "aws:ssm/parameter:Parameter::db-password",
            ],
        );
    });

    it("skips resources pending deletion and reports pending operations", () => {
        const buckets = snapshot.resources.filter((r) => r.urn === `${S}aws:s3/bucket:Bucket::data`);
        assert.equal(buckets.length, 1);
        assert.equal(buckets[0].id, "data-4c1e9b7", "the live bucket, not the one pending deletion");
        assert.ok(snapshot.warnings.some((w) => /1 pending operation\(s\); they are not analyzed/.test(w)), snapshot.warnings.join("\n"));
    });

    it("keeps inputs and outputs apart, with the resource's options, provider and dependencies", () => {
        const ecr = byUrn.get(`${S}aws:ecr/repository:Repository::images`)!;
        assert.equal(ecr.inputs.imageTagMutability, "MUTABLE");
        assert.equal(ecr.outputs.repositoryUrl, "123456789012.dkr.ecr.us-east-1.amazonaws.com/images-5d3c2a1");
        assert.equal(ecr.options.protect, true);
        assert.equal(ecr.options.deleteBeforeReplace, undefined, "ResourceV3 has no deleteBeforeReplace");
        assert.equal(ecr.parent, `${S}pulumi:pulumi:Stack::shop-prod`);
        assert.equal(ecr.options.parent, ecr.parent);
        assert.equal(ecr.provider, `${S}pulumi:providers:aws::default_7_48_0::6b0ec1f5-0b0f-4d4e-9b9a-3c2f0e6f9d11`);
        assert.deepEqual(ecr.propertyDependencies, { imageTagMutability: [] });

        const versioning = byUrn.get(`${S}aws:s3/bucketVersioning:BucketVersioning::data`)!;
        assert.deepEqual(versioning.propertyDependencies, { bucket: [`${S}aws:s3/bucket:Bucket::data`], versioningConfiguration: [] });
        assert.deepEqual(versioning.dependencies, [`${S}aws:s3/bucket:Bucket::data`]);
        assert.equal((versioning.inputs.versioningConfiguration as Record<string, unknown>).status, "Suspended");

        const bucket = byUrn.get(`${S}aws:s3/bucket:Bucket::data`)!;
        assert.deepEqual(bucket.options.aliases, [`${S}aws:s3/bucketV2:BucketV2::data`]);
        const deployment = byUrn.get(`${S}acme:web:App$kubernetes:apps/v1:Deployment::web`)!;
        assert.equal(deployment.parent, `${S}acme:web:App::web`);
        assert.equal(byUrn.get(`${S}acme:web:App::web`)!.custom, false);
    });

    it("turns ciphertext secrets into unreadable secrets and says so", () => {
        const param = byUrn.get(`${S}aws:ssm/parameter:Parameter::db-password`)!;
        assert.deepEqual(param.inputs.value, { [SIG_KEY]: SECRET_SIG, value: UNREADABLE_SECRET });
        assert.deepEqual(param.outputs.value, { [SIG_KEY]: SECRET_SIG, value: UNREADABLE_SECRET });
        assert.deepEqual(param.options.additionalSecretOutputs, ["value"]);
        assert.ok(snapshot.warnings.some((w) => /2 encrypted secret value\(s\)/.test(w)), snapshot.warnings.join("\n"));
    });

    it("decodes --show-secrets plaintext, resource references, floats and byte strings", () => {
        withExport(
            oneResource({
                inputs: {
                    password: { [SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify({ user: "admin", pw: "hunter2" }) },
                    role: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: `${S}aws:iam/role:Role::r`, id: "r-123", packageVersion: "7.48.0" },
                    pending: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: `${S}aws:iam/role:Role::p`, id: "" },
                    component: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: `${S}acme:x:C::c` },
                    ratio: { [SIG_KEY]: "8ad145fe-0d11-4827-bfd7-1abcbf086f5c", value: "3ff8000000000000" },
                    bytes: { [SIG_KEY]: "803fd3297a5875dc03ca845dda5d2a98", value: Buffer.from("héllo").toString("base64") },
                },
                customTimeouts: { create: 300, delete: 5400 },
                ignoreChanges: ["tags"],
                deleteBeforeReplace: true,
            }),
            (file) => {
                const r = readStackExport(file, { preview: true }).resources[1];
                assert.deepEqual(r.inputs.password, { [SIG_KEY]: SECRET_SIG, value: { user: "admin", pw: "hunter2" } });
                assert.equal(r.inputs.role, "r-123");
                assert.equal(r.inputs.pending, UNKNOWN);
                assert.equal(r.inputs.component, `${S}acme:x:C::c`);
                assert.equal(r.inputs.ratio, 1.5);
                assert.equal(r.inputs.bytes, "héllo");
                assert.deepEqual(r.options.customTimeouts, { createSeconds: 300, updateSeconds: 0, deleteSeconds: 5400 });
                assert.deepEqual(r.options.ignoreChanges, ["tags"]);
                assert.equal(r.options.deleteBeforeReplace, true);
                assert.deepEqual(r.outputs, {});
            },
        );
        withExport(oneResource({}), (file) => assert.equal(readStackExport(file, { preview: true }).dryRun, true));
    });

    describe("refuses what it cannot read, naming the file and the problem", () => {
        it("truncated file", () => {
            const e = errorOf(() => readStackExport(fixture("truncated.json"), { displayName: "x.json" }));
            assert.equal(e.message, "stack export x.json is not valid JSON: Unexpected end of JSON input at position 803");
        });

        it("malformed JSON", () => {
            const e = errorOf(() => readStackExport(fixture("malformed.json"), { displayName: "m.json" }));
            assert.match(e.message, /^stack export m\.json is not valid JSON: .*position \d+/);
            assert.ok(!e.message.includes("\n"));
        });

        it("wrong version", () => {
            const e = errorOf(() => readStackExport(fixture("wrong-version.json"), { displayName: "v.json" }));
            assert.equal(e.message, "stack export v.json has deployment version 1; only version 3 (and 4) exports are supported");
        });

        it("missing file", () => {
            const e = errorOf(() => readStackExport(fixture("nope.json"), { displayName: "nope.json" }));
            assert.equal(e.message, "stack export nope.json does not exist");
        });

        it("a bare deployment, a resource without a URN, a malformed secret, an unknown signature, an unknown feature", () => {
            withExport({ manifest: {}, resources: [] }, (f) => assert.match(errorOf(() => readStackExport(f)).message, /holds a bare deployment/));
            withExport({ version: 3, deployment: { resources: [{ type: "aws:s3/bucket:Bucket" }] } }, (f) =>
                assert.match(errorOf(() => readStackExport(f)).message, /has resources\[0\] without a valid urn$/),
            );
            withExport(oneResource({ inputs: { x: { [SIG_KEY]: SECRET_SIG } } }), (f) =>
                assert.match(errorOf(() => readStackExport(f)).message, /malformed secret at resources\[1\] \(.*Bucket::b\)\.inputs\.x/),
            );
            withExport(oneResource({ outputs: { x: { [SIG_KEY]: "feedface" } } }), (f) =>
                assert.match(errorOf(() => readStackExport(f)).message, /unrecognized signature "feedface" at resources\[1\]/),
            );
            // The path is exact however deep the value sits: in lists, objects, and inside a secret's plaintext.
            withExport(oneResource({ outputs: { tags: [{ a: 1 }, { b: [0, { [SIG_KEY]: "feedface" }] }] } }), (f) =>
                assert.match(errorOf(() => readStackExport(f)).message, /unrecognized signature "feedface" at resources\[1\] \(.*Bucket::b\)\.outputs\.tags\[1\]\.b\[1\]$/),
            );
            withExport(oneResource({ inputs: { s: { [SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify({ inner: [{ [SIG_KEY]: "feedface" }] }) } } }), (f) =>
                assert.match(errorOf(() => readStackExport(f)).message, /unrecognized signature "feedface" at resources\[1\] \(.*Bucket::b\)\.inputs\.s\.inner\[0\]$/),
            );
            withExport(oneResource({ dependencies: "x" }), (f) => assert.match(errorOf(() => readStackExport(f)).message, /dependencies that is not a list of strings/));
            withExport({ version: 4, features: ["teleportation"], deployment: {} }, (f) =>
                assert.match(errorOf(() => readStackExport(f)).message, /needs support for the following features: teleportation$/),
            );
            withExport({ version: 4, features: ["refreshBeforeUpdate"], deployment: {} }, (f) => assert.equal(readStackExport(f).resources.length, 0));
            withExport("", (f) => assert.match(errorOf(() => readStackExport(f)).message, /is empty$/));
        });
    });
});
