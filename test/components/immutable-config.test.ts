import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ImmutableConfig, contentHash } from "../../components";
import { installMocks, record, settle, urnOf, valueOf } from "./mocks";

const CM = "kubernetes:core/v1:ConfigMap";
const SECRET = "kubernetes:core/v1:Secret";

describe("components: ImmutableConfig", () => {
    before(() => installMocks());

    it("builds an immutable ConfigMap named after a hash of its content", async () => {
        const data = { "app.yaml": "port: 8080\n", LOG_LEVEL: "info" };
        const { component, recorder } = await record(() => new ImmutableConfig("web-config", { namespace: "shop", data }));
        const cm = recorder.one(CM);
        assert.equal(cm.parent, await urnOf(component));
        assert.equal(cm.inputs.immutable, true);
        assert.deepEqual(cm.inputs.data, data);
        const hash = contentHash("ConfigMap", data);
        assert.match(hash, /^[a-f0-9]{10}$/);
        assert.equal(cm.inputs.metadata.name, `web-config-${hash}`);
        assert.equal(cm.inputs.metadata.namespace, "shop");
        assert.equal(await valueOf(component.name), `web-config-${hash}`);
        assert.equal(await valueOf(component.contentHash), hash);
        assert.equal(recorder.ofType(SECRET).length, 0);
    });

    it("changes the name when, and only when, the content changes", () => {
        const a = contentHash("ConfigMap", { a: "1", b: "2" });
        assert.equal(contentHash("ConfigMap", { b: "2", a: "1" }), a, "key order does not matter");
        assert.notEqual(contentHash("ConfigMap", { a: "1", b: "3" }), a);
        assert.notEqual(contentHash("ConfigMap", { a: "1", b: "2", c: "" }), a);
        assert.notEqual(contentHash("Secret", { a: "1", b: "2" }), a);
    });

    it("builds an immutable Secret with secret data, and a hash name that is not secret", async () => {
        const { component, recorder } = await record(
            () => new ImmutableConfig("db", { kind: "Secret", baseName: "db-credentials", data: { password: pulumi.secret("hunter2") } }),
        );
        const secret = recorder.one(SECRET);
        assert.equal(secret.inputs.immutable, true);
        assert.equal(secret.inputs.type, "Opaque");
        assert.match(secret.inputs.metadata.name, /^db-credentials-[a-f0-9]{10}$/);
        // stringData is sent as a secret (the wire form carries the secret signature).
        assert.equal(secret.inputs.stringData["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270");
        assert.equal(await (component.name as any).isSecret, false);
        const objectName = secret.inputs.metadata.name;
        assert.equal(await valueOf(component.kind), "Secret");
        assert.deepEqual(await valueOf(component.volume("creds")), { name: "creds", secret: { secretName: objectName } });
        assert.deepEqual(await valueOf(component.envFrom()), { secretRef: { name: objectName } });
    });

    describe("rejects invalid arguments at construction", () => {
        const cases: [string, () => unknown, RegExp][] = [
            ["no data", () => new ImmutableConfig("a", {} as any), /ImmutableConfig "a": data is required/],
            ["empty data", () => new ImmutableConfig("b", { data: {} }), /data must have at least one key/],
            ["a bad key", () => new ImmutableConfig("c", { data: { "a/b": "x" } }), /data key "a\/b" may only contain/],
            ["a bad base name", () => new ImmutableConfig("Bad_Name", { data: { a: "1" } }), /baseName "Bad_Name" must be a lowercase DNS label/],
            ["secretType on a ConfigMap", () => new ImmutableConfig("d", { data: { a: "1" }, secretType: "Opaque" }), /secretType is only valid with kind: "Secret"/],
            ["an unknown kind", () => new ImmutableConfig("e", { kind: "Volume" as any, data: { a: "1" } }), /kind must be "ConfigMap" or "Secret"/],
        ];
        for (const [what, build, message] of cases) {
            it(what, async () => {
                assert.throws(build, message);
                await settle();
            });
        }
    });
});
