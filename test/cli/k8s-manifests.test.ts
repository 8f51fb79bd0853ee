/**
 * Kubernetes manifests in program mode: v1 yaml.ConfigGroup (the provider's decode invoke) and the
 * v2 ConfigGroup/ConfigFile remote components are expanded into the workloads they create, so
 * their images and bindings are checked; a Helm chart, which only the provider can render, is
 * reported as not checked offline rather than passed silently.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { main } from "../../cli/main";
import { recordProgram } from "../../cli/sources/program";

const ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(ROOT, "test", "fixtures", "programs", "k8s-manifests");

describe("program mode: Kubernetes manifests", function () {
    this.timeout(120_000);

    it("records the objects of v1 and v2 YAML components as child resources", async () => {
        const stack = await recordProgram(PROGRAM, { preview: false });
        const deployments = stack.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment");
        assert.deepEqual(deployments.map((d) => d.name).sort(), ["file:from-file", "shop/web-v1", "v2:shop/web-v2"]);
        const v2 = deployments.find((d) => d.name === "v2:shop/web-v2")!;
        assert.equal(v2.parent, stack.resources.find((r) => r.type === "kubernetes:yaml/v2:ConfigGroup")!.urn);
        assert.match(v2.urn, /::kubernetes:yaml\/v2:ConfigGroup\$kubernetes:apps\/v1:Deployment::v2:shop\/web-v2$/);
        assert.equal((v2.inputs.spec as any).template.spec.containers[0].image, "nginx:1.25");
        assert.ok(v2.provider?.includes("pulumi:providers:kubernetes"));
        // List items are flattened into their objects.
        assert.equal(stack.resources.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").length, 2);
        assert.deepEqual(stack.warnings.filter((w) => /helm\.sh\/v4:Chart "nginx" is a remote component/.test(w)).length, 1);
    });

    it("checks them: tag-only images and a cluster-admin binding are blocked, the Helm chart is noted", async () => {
        let stdout = "";
        let stderr = "";
        const code = await main(["check", PROGRAM, "--format", "json"], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
        assert.equal(code, 1);
        const violations: Array<{ policyName: string; resourceName: string; enforcementLevel: string }> = JSON.parse(stdout).violations;
        const images = violations.filter((v) => v.policyName === "images-pinned-by-digest").map((v) => v.resourceName).sort();
        assert.deepEqual(images, ["file:from-file", "shop/web-v1", "v2:shop/web-v2"]);
        const rbac = violations.filter((v) => v.policyName === "k8s-rbac-least-privilege").map((v) => v.resourceName).sort();
        assert.deepEqual(rbac, ["everyone-admin-v1", "v2:everyone-admin-v2"]);
        assert.match(JSON.parse(stdout).notes.map((n: { message: string }) => n.message).join("\n"), /kubernetes:helm\.sh\/v4:Chart "nginx" is a remote component whose resources its provider creates at deploy time; they are not checked offline/);
        assert.equal(stderr, "", "notes are part of the report");
    });
});
