import { strict as assert } from "assert";
import fc from "fast-check";
import { parseImageReference, registryAllowed } from "../../policypack/src/engine/image-reference";

const SHA = "0123456789abcdef".repeat(4);

describe("image-reference parsing", () => {
    const cases: Array<[string, { registry: string; repository: string; tag?: string; digest?: string; implicit?: boolean }]> = [
        ["nginx", { registry: "docker.io", repository: "library/nginx", implicit: true }],
        ["nginx:1.25", { registry: "docker.io", repository: "library/nginx", tag: "1.25", implicit: true }],
        ["acme/api:v1", { registry: "docker.io", repository: "acme/api", tag: "v1", implicit: true }],
        [`nginx@sha256:${SHA}`, { registry: "docker.io", repository: "library/nginx", digest: SHA }],
        [`nginx:1.25@sha256:${SHA}`, { registry: "docker.io", repository: "library/nginx", tag: "1.25", digest: SHA }],
        ["localhost:5000/app:dev", { registry: "localhost:5000", repository: "app", tag: "dev" }],
        ["localhost/app", { registry: "localhost", repository: "app" }],
        [`registry.example.com:8443/team/app:1.0@sha256:${SHA}`, { registry: "registry.example.com:8443", repository: "team/app", tag: "1.0", digest: SHA }],
        ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:2024.1", { registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", repository: "api", tag: "2024.1" }],
        ["ghcr.io/acme/tools/migrate", { registry: "ghcr.io", repository: "acme/tools/migrate" }],
    ];
    for (const [input, expected] of cases) {
        it(`parses ${input}`, () => {
            const parsed = parseImageReference(input);
            assert.ok(parsed.ok, !parsed.ok ? parsed.reason : "");
            assert.equal(parsed.image.registry, expected.registry);
            assert.equal(parsed.image.repository, expected.repository);
            assert.equal(parsed.image.tag, expected.tag);
            assert.equal(parsed.image.digest?.hex, expected.digest);
            if (expected.implicit !== undefined) {
                assert.equal(parsed.image.implicitRegistry, expected.implicit);
            }
        });
    }

    const malformed: Array<[string, RegExp]> = [
        ["", /empty/],
        [" nginx", /whitespace/],
        ["nginx@sha256:abc", /64 lowercase hex/],
        [`nginx@sha256:${SHA.toUpperCase()}`, /64 lowercase hex/],
        [`nginx@${SHA}`, /no algorithm/],
        [`nginx@md5:${SHA}`, /not sha256 or sha512/],
        ["nginx:bad tag", /tag .* malformed/],
        ["Nginx:1", /repository .* malformed/],
        ["nginx:", /tag "" is malformed/],
        ["registry..io/app", /repository|registry/],
    ];
    for (const [input, reason] of malformed) {
        it(`rejects ${JSON.stringify(input)}`, () => {
            const parsed = parseImageReference(input);
            assert.equal(parsed.ok, false);
            assert.match((parsed as { reason: string }).reason, reason);
        });
    }

    it("round-trips generated references (property)", () => {
        const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,5})?$/);
        const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);
        const hex = fc.stringMatching(/^[a-f0-9]{64}$/);
        const host = fc.constantFrom("ghcr.io", "registry.example.com:5000", "localhost:5000", "123456789012.dkr.ecr.us-east-1.amazonaws.com");
        fc.assert(
            fc.property(host, fc.array(component, { minLength: 1, maxLength: 3 }), fc.option(tag), fc.option(hex), (h, path, t, d) => {
                const text = `${h}/${path.join("/")}${t !== null ? `:${t}` : ""}${d !== null ? `@sha256:${d}` : ""}`;
                const parsed = parseImageReference(text);
                assert.ok(parsed.ok, `${text}: ${!parsed.ok ? parsed.reason : ""}`);
                assert.equal(parsed.image.registry, h);
                assert.equal(parsed.image.repository, path.join("/"));
                assert.equal(parsed.image.tag, t ?? undefined);
                assert.equal(parsed.image.digest?.hex, d ?? undefined);
            }),
        );
    });

    it("matches registry allow-list patterns label by label", () => {
        const ecr = ["*.dkr.ecr.*.amazonaws.com"];
        assert.ok(registryAllowed("123456789012.dkr.ecr.eu-west-1.amazonaws.com", ecr));
        assert.ok(!registryAllowed("evil.com/123456789012.dkr.ecr.eu-west-1.amazonaws.com", ecr));
        assert.ok(!registryAllowed("123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.com", ecr));
        assert.ok(registryAllowed("GHCR.io", ["ghcr.io"]));
        assert.ok(!registryAllowed("docker.io", ["ghcr.io"]));
    });
});
