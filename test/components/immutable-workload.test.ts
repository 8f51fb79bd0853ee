import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ImmutableConfig, ImmutableWorkload } from "../../components";
import { forgetIntentionalFailures, installMocks, record, settle, urnOf, valueOf } from "./mocks";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const DIGEST = "sha256:" + "a".repeat(64);
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop@${DIGEST}`;

describe("components: ImmutableWorkload", () => {
    before(() => installMocks());

    it("builds a Deployment with pinned images and a locked-down runtime in every container", async () => {
        const { component, recorder } = await record(() => {
            const config = new ImmutableConfig("web-config", { data: { "app.yaml": "port: 8080" } });
            const env = new ImmutableConfig("web-env", { data: { LOG_LEVEL: "info" } });
            return new ImmutableWorkload("web", {
                namespace: "shop",
                containers: [{ name: "web", image: IMAGE, ports: [{ containerPort: 8080 }] }],
                initContainers: [{ name: "migrate", image: `ghcr.io/acme/migrate:1.2@${DIGEST}` }],
                config: [{ config, mountPath: "/etc/web" }, { config: env }],
            });
        });
        const d = recorder.one(DEPLOYMENT);
        assert.equal(d.parent, await urnOf(component));
        assert.equal(d.inputs.metadata.namespace, "shop");
        const spec = d.inputs.spec;
        assert.equal(spec.replicas, 2);
        assert.deepEqual(spec.selector.matchLabels, { "app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web" });
        const pod = spec.template.spec;
        assert.equal(pod.automountServiceAccountToken, false);
        assert.deepEqual(pod.securityContext, {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            fsGroup: 65532,
            seccompProfile: { type: "RuntimeDefault" },
        });
        const containers = [...pod.initContainers, ...pod.containers];
        assert.deepEqual(
            containers.map((c: any) => [c.name, c.image]),
            [
                ["migrate", `ghcr.io/acme/migrate:1.2@${DIGEST}`],
                ["web", IMAGE],
            ],
        );
        for (const c of containers) {
            assert.deepEqual(c.securityContext, {
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                privileged: false,
                runAsNonRoot: true,
                runAsUser: 65532,
                runAsGroup: 65532,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            });
            assert.deepEqual(c.volumeMounts, [
                { name: "writable-0", mountPath: "/tmp" },
                { name: "config-0", mountPath: "/etc/web", readOnly: true },
            ]);
            assert.deepEqual(c.envFrom, [{ configMapRef: { name: await valueOf(recorder.one("kubernetes:core/v1:ConfigMap", "web-env").inputs.metadata.name) } }]);
        }
        assert.deepEqual(pod.volumes[0], { name: "writable-0", emptyDir: {} });
        assert.match(pod.volumes[1].configMap.name, /^web-config-[a-f0-9]{10}$/);
        assert.deepEqual(await valueOf(component.images), [`ghcr.io/acme/migrate:1.2@${DIGEST}`, IMAGE]);
    });

    it("lets a container add NET_BIND_SERVICE and nothing else", async () => {
        const { recorder } = await record(
            () => new ImmutableWorkload("edge", { containers: [{ name: "proxy", image: IMAGE, netBindService: true }], writablePaths: [] }),
        );
        const c = recorder.one(DEPLOYMENT).inputs.spec.template.spec.containers[0];
        assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"], add: ["NET_BIND_SERVICE"] });
        assert.deepEqual(c.volumeMounts, []);
    });

    it("passes the component's dependsOn on to the Deployment (e.g. the namespace's ReleaseApproval)", async () => {
        const { recorder } = await record(() => {
            const approval = new k8s.apiextensions.CustomResource("release", {
                apiVersion: "sealed-infra.io/v1alpha1",
                kind: "ReleaseApproval",
                metadata: { name: "release", namespace: "shop" },
                spec: { digests: [DIGEST] },
            });
            return new ImmutableWorkload("ordered", { namespace: "shop", containers: [{ name: "web", image: IMAGE }] }, { dependsOn: [approval] });
        });
        const approval = recorder.one("kubernetes:sealed-infra.io/v1alpha1:ReleaseApproval");
        assert.ok(recorder.one(DEPLOYMENT).dependencies.includes(approval.urn), "the Deployment waits for the ReleaseApproval");
    });

    describe("rejects unsafe or invalid arguments at construction", () => {
        const container = (extra: object = {}) => ({ name: "app", image: IMAGE, ...extra });
        const cases: [string, () => unknown, RegExp][] = [
            [
                "a tag-only image, naming the container",
                () => new ImmutableWorkload("web", { containers: [container(), { name: "sidecar", image: "nginx:1.25" }] }),
                /^InvalidArgumentError: ImmutableWorkload "web": container "sidecar": image "nginx:1.25" is not pinned by digest/,
            ],
            [
                "a tag-only init container",
                () => new ImmutableWorkload("web", { containers: [container()], initContainers: [{ name: "init", image: "busybox" }] }),
                /container "init": image "busybox" is not pinned by digest/,
            ],
            [
                "a malformed digest",
                () => new ImmutableWorkload("web", { containers: [container({ image: "nginx@sha256:abc" })] }),
                /container "app": image "nginx@sha256:abc" has a malformed digest "sha256:abc"/,
            ],
            [
                "an image from a registry outside the allow-list",
                () =>
                    new ImmutableWorkload("web", {
                        containers: [container({ image: `docker.io/library/nginx@${DIGEST}` })],
                        allowedRegistries: ["123456789012.dkr.ecr.us-east-1.amazonaws.com"],
                    }),
                /container "app": image "docker.io\/library\/nginx@sha256:a+" is from registry "docker.io", not one of allowedRegistries/,
            ],
            ["no containers", () => new ImmutableWorkload("web", { containers: [] }), /containers must list at least one container/],
            ["running as root", () => new ImmutableWorkload("web", { containers: [container()], runAsUser: 0 }), /runAsUser must be a positive integer \(root is not allowed\), found 0/],
            [
                "a capability list instead of netBindService",
                () => new ImmutableWorkload("web", { containers: [container({ netBindService: ["SYS_ADMIN"] as any })] }),
                /container "app": netBindService must be true or false, found \["SYS_ADMIN"\]/,
            ],
            ["fractional replicas", () => new ImmutableWorkload("web", { containers: [container()], replicas: 1.5 }), /replicas must be a whole number, at least 0, found 1.5/],
            ["a duplicate container name", () => new ImmutableWorkload("web", { containers: [container(), container()] }), /container name "app" is used twice/],
            [
                "a mutable ConfigMap instead of an ImmutableConfig",
                () => new ImmutableWorkload("web", { containers: [container()], config: [{ config: { name: "settings" } as any }] }),
                /config\[0\].config must be an ImmutableConfig/,
            ],
            ["a relative writable path", () => new ImmutableWorkload("web", { containers: [container()], writablePaths: ["tmp"] }), /writablePaths "tmp" must be an absolute path/],
            [
                "a label that would change the selector",
                () => new ImmutableWorkload("web", { containers: [container()], labels: { "app.kubernetes.io/name": "other" } }),
                /labels.app.kubernetes.io\/name would change the pod selector/,
            ],
        ];
        for (const [what, build, message] of cases) {
            it(what, async () => {
                assert.throws(build, message);
                await settle();
            });
        }
    });

    it("checks an image given as an Output when it resolves", async () => {
        const w = new ImmutableWorkload("late", { containers: [{ name: "app", image: pulumi.output("nginx:latest") }] });
        await assert.rejects(valueOf(w.images), /ImmutableWorkload "late": container "app": image "nginx:latest" is not pinned by digest/);
        await forgetIntentionalFailures();
    });
});
