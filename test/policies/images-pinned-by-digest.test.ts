import { strict as assert } from "assert";
import { imagesPinnedByDigest } from "../../policypack/src/policies/immutable-artifacts/images-pinned-by-digest";
import { K8S_WORKLOADS } from "../../policypack/src/engine/resource-types";
import { advisory, mandatory, runResourcePolicy, UNKNOWN } from "../harness/policy-harness";

const SHA = "c0ffee".padEnd(64, "0");
const PINNED = `ghcr.io/acme/api:1.4.2@sha256:${SHA}`;
const pod = (containers: unknown[], extra: Record<string, unknown> = {}) => ({ containers, ...extra });

function workload(type: string, spec: Record<string, unknown>): Record<string, unknown> {
    if (type.includes("core/v1:Pod")) {
        return type.includes("PodTemplate") ? { template: { spec } } : { spec };
    }
    if (type.includes("CronJob")) {
        return { spec: { jobTemplate: { spec: { template: { spec } } } } };
    }
    return { spec: { template: { spec } } };
}

describe("images-pinned-by-digest", () => {
    describe("Kubernetes workloads (every kind and API version, and Patch variants)", () => {
        for (const type of K8S_WORKLOADS) {
            it(`${type}: pinned passes, tag-only fails at its pod spec path`, () => {
                assert.deepEqual(runResourcePolicy(imagesPinnedByDigest, { type, name: "w", props: workload(type, pod([{ name: "app", image: PINNED }])) }), []);
                const found = mandatory(runResourcePolicy(imagesPinnedByDigest, { type, name: "w", props: workload(type, pod([{ name: "app", image: "nginx:1.25" }])) }));
                assert.equal(found.length, 1, type);
                assert.match(found[0].message, /containers\[0\] \(container "app"\) image "nginx:1.25" .* is not pinned by digest/);
                assert.match(found[0].message, /nginx:1.25@sha256:<digest>/);
            });
        }
    });

    it("checks init and ephemeral containers, naming each", () => {
        const spec = pod([{ name: "app", image: PINNED }], {
            initContainers: [{ name: "migrate", image: "ghcr.io/acme/migrate:latest" }],
            ephemeralContainers: [{ name: "debug", image: "busybox" }],
        });
        const found = mandatory(runResourcePolicy(imagesPinnedByDigest, { type: "kubernetes:apps/v1:Deployment", name: "api", props: workload("kubernetes:apps/v1:Deployment", spec) }));
        assert.equal(found.length, 2);
        assert.match(found[0].message, /spec\.template\.spec\.initContainers\[0\] \(container "migrate"\)/);
        assert.match(found[1].message, /spec\.template\.spec\.ephemeralContainers\[0\] \(container "debug"\) image "busybox"/);
    });

    it("checks the CronJob's jobTemplate", () => {
        const found = mandatory(runResourcePolicy(imagesPinnedByDigest, { type: "kubernetes:batch/v1:CronJob", name: "nightly", props: workload("kubernetes:batch/v1:CronJob", pod([{ name: "job", image: "acme/job:1" }])) }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]/);
    });

    it("does not require an image in a Patch that leaves it unchanged, but does in a full object", () => {
        const noImage = pod([{ name: "app", resources: { limits: { cpu: "1" } } }]);
        assert.deepEqual(runResourcePolicy(imagesPinnedByDigest, { type: "kubernetes:apps/v1:DeploymentPatch", name: "p", props: workload("kubernetes:apps/v1:Deployment", noImage) }), []);
        assert.deepEqual(runResourcePolicy(imagesPinnedByDigest, { type: "kubernetes:apps/v1:DeploymentPatch", name: "p", props: { metadata: { labels: { a: "b" } } } }), []);
        const full = mandatory(runResourcePolicy(imagesPinnedByDigest, { type: "kubernetes:apps/v1:Deployment", name: "d", props: workload("kubernetes:apps/v1:Deployment", noImage) }));
        assert.equal(full.length, 1);
        assert.match(full[0].message, /has no image/);
    });

    it("reports malformed digests as invalid references", () => {
        const found = mandatory(runResourcePolicy(imagesPinnedByDigest, { type: "kubernetes:core/v1:Pod", name: "p", props: { spec: pod([{ name: "a", image: "nginx@sha256:1234" }]) } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /is not a valid image reference: the sha256 digest must be 64 lowercase hex/);
    });

    it("accepts registries with ports and tag+digest references", () => {
        const image = `localhost:5000/team/app:dev@sha256:${SHA}`;
        assert.deepEqual(runResourcePolicy(imagesPinnedByDigest, { type: "kubernetes:core/v1:Pod", name: "p", props: { spec: pod([{ name: "a", image }]) } }), []);
    });

    it("enforces the registry allow-list when configured", () => {
        const props = { spec: pod([{ name: "a", image: `nginx@sha256:${SHA}` }, { name: "b", image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:${SHA}` }]) };
        const config = { allowedRegistries: ["*.dkr.ecr.*.amazonaws.com"] };
        const found = mandatory(runResourcePolicy(imagesPinnedByDigest, { type: "kubernetes:core/v1:Pod", name: "p", props }, { config }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /registry "docker.io" \(implied Docker Hub\), which is not in allowedRegistries/);
    });

    it("gives advisory notes for unknown images and container lists in preview", () => {
        const unknownImage = runResourcePolicy(imagesPinnedByDigest, { type: "kubernetes:core/v1:Pod", name: "p", props: { spec: pod([{ name: "a", image: UNKNOWN }]) } });
        assert.equal(mandatory(unknownImage).length, 0);
        assert.equal(advisory(unknownImage).length, 1);
        assert.match(advisory(unknownImage)[0].message, /spec\.containers\[0\]\.image is not known until the update, so it will be verified at update/);
        const unknownList = runResourcePolicy(imagesPinnedByDigest, { type: "kubernetes:core/v1:Pod", name: "p", props: { spec: { containers: UNKNOWN } } });
        assert.equal(advisory(unknownList).length, 1);
        assert.equal(mandatory(unknownList).length, 0);
    });

    describe("ECS task definitions", () => {
        const TD = "aws:ecs/taskDefinition:TaskDefinition";
        it("parses the containerDefinitions JSON string", () => {
            const defs = JSON.stringify([{ name: "api", image: PINNED }, { name: "sidecar", image: "public.ecr.aws/aws-observability/aws-otel-collector:latest" }]);
            const found = mandatory(runResourcePolicy(imagesPinnedByDigest, { type: TD, name: "td", props: { containerDefinitions: defs } }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /containerDefinitions\[1\] \(container "sidecar"\)/);
        });
        it("fails closed on invalid JSON", () => {
            const found = mandatory(runResourcePolicy(imagesPinnedByDigest, { type: TD, name: "td", props: { containerDefinitions: '[{"name": "api", ' } }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /cannot verify .* containerDefinitions is not valid JSON/);
        });
        it("fails closed when the JSON is not a list", () => {
            const found = mandatory(runResourcePolicy(imagesPinnedByDigest, { type: TD, name: "td", props: { containerDefinitions: '{"image": "x"}' } }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /is not a list of container definitions/);
        });
        it("reads aws-native's structured list", () => {
            const found = mandatory(runResourcePolicy(imagesPinnedByDigest, { type: "aws-native:ecs:TaskDefinition", name: "td", props: { containerDefinitions: [{ name: "a", image: "nginx" }] } }));
            assert.equal(found.length, 1);
        });
        it("is advisory when the document is unknown in preview", () => {
            const found = runResourcePolicy(imagesPinnedByDigest, { type: TD, name: "td", props: { containerDefinitions: UNKNOWN } });
            assert.deepEqual(found.map((f) => f.enforcementLevel), ["advisory"]);
        });
    });

    describe("Lambda functions", () => {
        const FN = "aws:lambda/function:Function";
        it("checks image functions and ignores zip functions", () => {
            assert.deepEqual(runResourcePolicy(imagesPinnedByDigest, { type: FN, name: "f", props: { packageType: "Zip", runtime: "nodejs20.x" } }), []);
            assert.deepEqual(runResourcePolicy(imagesPinnedByDigest, { type: FN, name: "f", props: { packageType: "Image", imageUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/fn@sha256:${SHA}` } }), []);
            const found = mandatory(runResourcePolicy(imagesPinnedByDigest, { type: FN, name: "f", props: { packageType: "Image", imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/fn:latest" } }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /aws:lambda:Function "f": the function image .* \(imageUri\) is not pinned by digest/);
        });
        it("requires an image for packageType Image", () => {
            const found = mandatory(runResourcePolicy(imagesPinnedByDigest, { type: FN, name: "f", props: { packageType: "Image" } }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /has no image \(imageUri is unset\)/);
        });
        it("reads aws-native code.imageUri", () => {
            const found = mandatory(runResourcePolicy(imagesPinnedByDigest, { type: "aws-native:lambda:Function", name: "f", props: { packageType: "Image", code: { imageUri: "repo/fn:1" } } }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /code\.imageUri/);
        });
    });
});
