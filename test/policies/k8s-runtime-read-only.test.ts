import { strict as assert } from "assert";
import { k8sRuntimeReadOnly } from "../../policypack/src/policies/immutable-artifacts/k8s-runtime-read-only";
import { K8S_WORKLOADS } from "../../policypack/src/engine/resource-types";
import { UNREADABLE_SECRET } from "../../policypack/src/framework/values";
import { advisory, mandatory, runResourcePolicy, UNKNOWN, urnOf } from "../harness/policy-harness";

const SAFE = { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false };
const IMAGE = `ghcr.io/acme/api@sha256:${"a".repeat(64)}`;
const container = (name: string, securityContext?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    name,
    image: IMAGE,
    ...(securityContext ? { securityContext } : {}),
    ...extra,
});

function workload(type: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: "w", namespace: "apps" }): Record<string, unknown> {
    if (type.includes("core/v1:Pod")) {
        return type.includes("PodTemplate") ? { metadata, template: { spec } } : { metadata, spec };
    }
    if (type.includes("CronJob")) {
        return { metadata, spec: { jobTemplate: { spec: { template: { spec } } } } };
    }
    return { metadata, spec: { template: { spec } } };
}

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const DEPLOYMENT_PATCH = "kubernetes:apps/v1:DeploymentPatch";

describe("k8s-runtime-read-only", () => {
    describe("every workload kind, API version and Patch variant", () => {
        for (const type of K8S_WORKLOADS) {
            it(`${type}: safe containers pass, an unsafe one fails at its pod spec path`, () => {
                assert.deepEqual(runResourcePolicy(k8sRuntimeReadOnly, { type, name: "w", props: workload(type, { containers: [container("app", SAFE)] }) }), []);
                const found = mandatory(
                    runResourcePolicy(k8sRuntimeReadOnly, { type, name: "w", props: workload(type, { containers: [container("app", { ...SAFE, readOnlyRootFilesystem: false })] }) }),
                );
                assert.equal(found.length, 1, type);
                assert.equal(found[0].urn, urnOf(type, "w"));
                assert.match(found[0].message, /spec\.containers\[0\] \(container "app"\)(?: in this patch)?: .*containers\[0\]\.securityContext\.readOnlyRootFilesystem is false/);
            });
        }
    });

    it("treats unset settings as the unsafe defaults, in one message per container naming each property and the fix", () => {
        const found = runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "api", props: workload(DEPLOYMENT, { containers: [container("api")] }) });
        assert.equal(found.length, 1);
        assert.equal(found[0].enforcementLevel, "mandatory");
        const m = found[0].message;
        assert.match(m, /^Every Kubernetes container runs with a read-only root filesystem.*\nkubernetes:apps\/v1:Deployment "api": spec\.template\.spec\.containers\[0\] \(container "api"\): /);
        assert.match(m, /spec\.template\.spec\.containers\[0\]\.securityContext\.readOnlyRootFilesystem is unset \(defaults to false: the root filesystem is writable\)/);
        assert.match(m, /spec\.template\.spec\.containers\[0\]\.securityContext\.allowPrivilegeEscalation is unset \(defaults to true/);
        assert.match(m, /set spec\.template\.spec\.containers\[0\]\.securityContext: \{ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false \}/);
    });

    it("flags privileged: true even when the other settings are safe", () => {
        const found = mandatory(runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "d", props: workload(DEPLOYMENT, { containers: [container("app", { ...SAFE, privileged: true })] }) }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /securityContext\.privileged is true \(full access to the node\), .*; remove spec\.template\.spec\.containers\[0\]\.securityContext\.privileged\.$/);
        assert.doesNotMatch(found[0].message, /set spec\.template/);
        assert.deepEqual(runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "d", props: workload(DEPLOYMENT, { containers: [container("app", { ...SAFE, privileged: false })] }) }), []);
    });

    it("checks init and ephemeral containers, and the CronJob's jobTemplate", () => {
        const spec = {
            containers: [container("app", SAFE)],
            initContainers: [container("migrate")],
            ephemeralContainers: [container("debug", { ...SAFE, allowPrivilegeEscalation: true })],
        };
        const found = mandatory(runResourcePolicy(k8sRuntimeReadOnly, { type: "kubernetes:batch/v1:CronJob", name: "nightly", props: workload("kubernetes:batch/v1:CronJob", spec) }));
        assert.equal(found.length, 2);
        assert.match(found[0].message, /spec\.jobTemplate\.spec\.template\.spec\.initContainers\[0\] \(container "migrate"\)/);
        assert.match(found[1].message, /ephemeralContainers\[0\] \(container "debug"\): .*allowPrivilegeEscalation is true/);
    });

    it("does not accept the settings on the pod-level securityContext, and says why", () => {
        const spec = { securityContext: { readOnlyRootFilesystem: true, runAsNonRoot: true }, containers: [container("app", { allowPrivilegeEscalation: false })] };
        const found = mandatory(runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "d", props: workload(DEPLOYMENT, spec) }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /readOnlyRootFilesystem is unset .*\(spec\.template\.spec\.securityContext\.readOnlyRootFilesystem has no effect: the pod-level securityContext has no such field\)/);
        assert.doesNotMatch(found[0].message, /allowPrivilegeEscalation is/);
    });

    describe("Patch variants", () => {
        it("skips patches that do not touch the pod spec, and container entries without an image that set nothing unsafe", () => {
            assert.deepEqual(runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT_PATCH, name: "p", props: { metadata: { name: "api" }, spec: { replicas: 3 } } }), []);
            const resourcesOnly = { containers: [{ name: "app", resources: { limits: { cpu: "1" } } }] };
            assert.deepEqual(runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT_PATCH, name: "p", props: workload(DEPLOYMENT, resourcesOnly) }), []);
        });

        it("flags explicit unsafe values in any entry", () => {
            const spec = { containers: [{ name: "app", securityContext: { privileged: true } }] };
            const found = mandatory(runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT_PATCH, name: "p", props: workload(DEPLOYMENT, spec) }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /containers\[0\] \(container "app"\) in this patch: .*privileged is true/);
            assert.doesNotMatch(found[0].message, /readOnlyRootFilesystem is unset/);
        });

        it("holds an entry that sets an image to the full rule (it defines what runs)", () => {
            const found = mandatory(runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT_PATCH, name: "p", props: workload(DEPLOYMENT, { containers: [container("app")] }) }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /readOnlyRootFilesystem is unset/);
        });
    });

    describe("Windows pods", () => {
        const windows = (containers: unknown[], extra: Record<string, unknown> = {}) => workload(DEPLOYMENT, { os: { name: "windows" }, containers, ...extra });

        it("fails by default: the fields cannot be set on Windows", () => {
            const found = mandatory(runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "win", props: windows([container("app")]) }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /spec\.template\.spec\.os\.name is "windows": .*allowWindowsPods: true/);
        });

        it("with allowWindowsPods, passes unless a container or the pod is HostProcess", () => {
            const config = { config: { allowWindowsPods: true } };
            assert.deepEqual(runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "win", props: windows([container("app")]) }, config), []);
            const host = mandatory(
                runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "win", props: windows([container("app", { windowsOptions: { hostProcess: true } })]) }, config),
            );
            assert.equal(host.length, 1);
            assert.match(host[0].message, /containers\[0\]\.securityContext\.windowsOptions\.hostProcess is true/);
            const podLevel = mandatory(
                runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "win", props: windows([container("app")], { securityContext: { windowsOptions: { hostProcess: true } } }) }, config),
            );
            assert.equal(podLevel.length, 1);
            assert.match(podLevel[0].message, /spec\.template\.spec\.securityContext\.windowsOptions\.hostProcess is true/);
        });
    });

    it("skips workloads in exempt namespaces (none by default)", () => {
        const props = workload("kubernetes:apps/v1:DaemonSet", { containers: [container("cni", { privileged: true })] }, { name: "cni", namespace: "kube-system" });
        assert.equal(mandatory(runResourcePolicy(k8sRuntimeReadOnly, { type: "kubernetes:apps/v1:DaemonSet", name: "cni", props })).length, 1);
        assert.deepEqual(runResourcePolicy(k8sRuntimeReadOnly, { type: "kubernetes:apps/v1:DaemonSet", name: "cni", props }, { config: { exemptNamespaces: ["kube-*"] } }), []);
    });

    it("gives 'verified at update' advisories for unknown values in preview, and fails closed at update", () => {
        const props = workload(DEPLOYMENT, { containers: [container("app", { readOnlyRootFilesystem: UNKNOWN, allowPrivilegeEscalation: false })] });
        const preview = runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "u", props });
        assert.equal(mandatory(preview).length, 0);
        assert.equal(advisory(preview).length, 1);
        assert.match(advisory(preview)[0].message, /containers\[0\]\.securityContext\.readOnlyRootFilesystem is not known until the update, so it will be verified at update/);
        assert.equal(advisory(preview)[0].urn, urnOf(DEPLOYMENT, "u"));
        const update = runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "u", props }, { preview: false });
        assert.equal(mandatory(update).length, 1);
        // A whole container list unknown (e.g. computed in preview).
        const unknownList = runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "l", props: workload(DEPLOYMENT, { containers: UNKNOWN }) });
        assert.equal(advisory(unknownList).length, 1);
        assert.match(advisory(unknownList)[0].message, /spec\.template\.spec\.containers is not known until the update/);
    });

    it("an unknown namespace defers the verdict only when namespaces are exempted", () => {
        const props = workload(DEPLOYMENT, { containers: [container("app")] }, { name: "w", namespace: UNKNOWN });
        assert.equal(mandatory(runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "w", props })).length, 1);
        const exempting = runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "w", props }, { config: { exemptNamespaces: ["ops"] } });
        assert.equal(mandatory(exempting).length, 0);
        assert.match(advisory(exempting)[0].message, /metadata\.namespace is not known until the update/);
    });

    it("fails closed on unreadable values", () => {
        const wrong = mandatory(runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "w", props: workload(DEPLOYMENT, { containers: [container("app", { ...SAFE, privileged: "maybe" })] }) }));
        assert.equal(wrong.length, 1);
        assert.match(wrong[0].message, /cannot verify .*privileged could not be read: expected true or false, found "maybe"/);
        const secret = mandatory(runResourcePolicy(k8sRuntimeReadOnly, { type: DEPLOYMENT, name: "s", props: workload(DEPLOYMENT, { containers: [container("app", UNREADABLE_SECRET as unknown as Record<string, unknown>)] }) }));
        assert.equal(secret.length, 1);
        assert.match(secret[0].message, /securityContext .*--show-secrets/);
    });

    it("declares precise guards, so ignoreChanges on spec.replicas stays possible", () => {
        const paths = k8sRuntimeReadOnly.guards.flatMap((g) => (g.types.includes(DEPLOYMENT) ? g.paths : []));
        assert.ok(paths.includes("spec.template.spec.containers[*].securityContext"));
        assert.ok(paths.includes("spec.template.spec.initContainers[*].securityContext"));
        assert.ok(!paths.includes("spec"));
        const cron = k8sRuntimeReadOnly.guards.flatMap((g) => (g.types.includes("kubernetes:batch/v1:CronJobPatch") ? g.paths : []));
        assert.ok(cron.includes("spec.jobTemplate.spec.template.spec.ephemeralContainers[*].securityContext"));
    });
});
