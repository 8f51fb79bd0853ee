import { strict as assert } from "assert";
import { catalogue } from "../../policypack/src/catalogue";
import { resourcePolicy, PolicyDefinition } from "../../policypack/src/framework/definition";
import {
    NO_IGNORE_CHANGES_NAME,
    noIgnoreChangesOnGuardedProperties,
} from "../../policypack/src/policies/immutable-updates/no-ignore-changes-on-guarded-properties";
import { k8sRuntimeReadOnly } from "../../policypack/src/policies/immutable-artifacts/k8s-runtime-read-only";
import { mandatory, runResourcePolicy, urnOf } from "../harness/policy-harness";

const REPO = "aws:ecr/repository:Repository";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CM_LIST = "kubernetes:core/v1:ConfigMapList";
const BUCKET = "aws:s3/bucket:Bucket";

const policy = catalogue.find((p) => p.name === NO_IGNORE_CHANGES_NAME)!;

const run = (type: string, ignoreChanges: unknown, config?: Record<string, unknown>) =>
    runResourcePolicy(policy, { type, name: "r", props: {}, options: { ignoreChanges: ignoreChanges as string[] } }, { config });

describe("no-ignore-changes-on-guarded-properties", () => {
    it("is registered in the catalogue and covers the types every other policy guards", () => {
        assert.ok(policy);
        for (const def of catalogue) {
            for (const guard of def.guards) {
                if (def.name !== NO_IGNORE_CHANGES_NAME && guard.paths.length > 0) {
                    for (const type of guard.types) {
                        assert.ok(policy.resourceTypes.includes(type), `${def.name}: ${type}`);
                    }
                }
            }
        }
    });

    it("passes resources without ignoreChanges, or ignoring only unguarded properties", () => {
        assert.deepEqual(run(REPO, []), []);
        assert.deepEqual(run(REPO, ["tags", "encryptionConfigurations"]), []);
        assert.deepEqual(run(DEPLOYMENT, ['metadata.annotations["kubectl.kubernetes.io/restartedAt"]']), []);
    });

    it("the whole catalogue leaves spec.replicas (HPA-managed) ignorable but not a container's image", () => {
        assert.deepEqual(run(DEPLOYMENT, ["spec.replicas"]), []);
        const image = mandatory(run(DEPLOYMENT, ["spec.template.spec.containers[0].image"]));
        assert.equal(image.length, 1);
        assert.match(image[0].message, /images-pinned-by-digest: spec\.template\.spec\.containers\[\*\]\.image/);
    });

    it("refuses ignoreChanges on an ECS service's taskDefinition (it decides which images run)", () => {
        const found = mandatory(run("aws:ecs/service:Service", ["taskDefinition"]));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /images-pinned-by-digest: taskDefinition/);
        assert.deepEqual(run("aws:ecs/service:Service", ["desiredCount"]), []);
    });

    it("k8s-runtime-read-only's guards leave spec.replicas (HPA-managed) ignorable", () => {
        const runtimeOnly = noIgnoreChangesOnGuardedProperties(() => [k8sRuntimeReadOnly]);
        const opts = { ignoreChanges: ["spec.replicas"] };
        assert.deepEqual(runResourcePolicy(runtimeOnly, { type: DEPLOYMENT, name: "r", props: {}, options: opts }), []);
        assert.equal(mandatory(runResourcePolicy(runtimeOnly, { type: DEPLOYMENT, name: "r", props: {}, options: { ignoreChanges: ["spec.template.spec"] } })).length, 1);
    });

    it("refuses an entry equal to a guarded path, naming the policy, the guarded path and the fix, on the resource's URN", () => {
        const found = run(REPO, ["imageTagMutability"]);
        assert.equal(found.length, 1);
        assert.equal(found[0].enforcementLevel, "mandatory");
        assert.equal(found[0].urn, urnOf(REPO, "r"));
        assert.match(
            found[0].message,
            /\naws:ecr:Repository "r": the ignoreChanges entry "imageTagMutability" hides changes to guarded properties \(ecr-tags-immutable: imageTagMutability\)/,
        );
        assert.match(found[0].message, /remove "imageTagMutability" from ignoreChanges/);
    });

    it("refuses covering entries, deeper entries and wildcards", () => {
        // `spec.template` covers the runtime and image guards of a Deployment.
        const covering = mandatory(run(DEPLOYMENT, ["spec.template"]));
        assert.equal(covering.length, 1);
        assert.match(covering[0].message, /k8s-runtime-read-only: spec\.template\.spec\.containers\[\*\]\.securityContext/);
        assert.match(covering[0].message, /images-pinned-by-digest: [^;]*spec\.template/);
        // A single container's securityContext field is inside the guarded `containers[*].securityContext`.
        const deeper = mandatory(run(DEPLOYMENT, ["spec.template.spec.containers[0].securityContext.privileged"]));
        assert.equal(deeper.length, 1);
        assert.match(deeper[0].message, /k8s-runtime-read-only/);
        // Wildcards in every spelling.
        for (const entry of ["*", "spec.template.spec.containers[*]", 'spec.template.spec["containers"]["*"].securityContext', "spec.*.spec"]) {
            assert.equal(mandatory(run(DEPLOYMENT, [entry])).length, 1, entry);
        }
        // Selecting one item of a guarded list.
        const item = mandatory(run(CM_LIST, ["items[2]"]));
        assert.equal(item.length, 1);
        assert.match(item[0].message, /k8s-config-immutable: items\[\*\]\.immutable/);
    });

    it("understands quoted keys: the designation tag is guarded, other tags are not", () => {
        assert.deepEqual(run(BUCKET, ['tags["team"]', "tags.owner"]), []);
        const found = mandatory(run(BUCKET, ['tags["sealed-infra:store"]']));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /critical-resources-protected: tags\["sealed-infra:store"\]/);
        assert.equal(mandatory(run(BUCKET, ["tags"])).length, 1);
    });

    it("reports each offending entry separately", () => {
        const found = mandatory(run(REPO, ["imageTagMutability", "tags", "imageTagMutabilityExclusionFilters[0]"]));
        assert.equal(found.length, 2);
        assert.match(found[0].message, /"imageTagMutability"/);
        assert.match(found[1].message, /"imageTagMutabilityExclusionFilters\[0\]"/);
    });

    it("fails closed on entries that are not valid property paths", () => {
        const found = mandatory(run(REPO, ["tags[", "imageTagMutability."]));
        assert.equal(found.length, 2);
        assert.match(found[0].message, /cannot verify that ignoreChanges hides no guarded property: the ignoreChanges entry "tags\[" is not a valid property path \(a '\[' has no closing '\]'\)/);
        assert.match(found[1].message, /ends with '\.'/);
    });

    it("accepts reviewed exceptions from config, comparing paths in canonical form and types by glob", () => {
        const config = { allowedIgnoreChanges: [{ type: "aws:ecr/*", path: 'imageTagMutability' }, { type: DEPLOYMENT, path: 'spec["template"]' }] };
        assert.deepEqual(run(REPO, ["imageTagMutability"], config), []);
        assert.deepEqual(run(DEPLOYMENT, ["spec.template"], config), []);
        assert.equal(mandatory(run("kubernetes:apps/v1:StatefulSet", ["spec.template"], config)).length, 1);
    });

    it("ignores types no policy guards", () => {
        assert.deepEqual(run("aws:ec2/vpc:Vpc", ["*"]), []);
    });

    it("derives its guards from the list it is given, so a policy added later is covered", () => {
        const later = resourcePolicy<Record<string, never>>({
            name: "later-policy",
            displayName: "A policy added after this one",
            guarantee: "immutable-artifacts",
            description: "test",
            rule: "test",
            why: "test",
            severity: "low",
            remediationSteps: "test",
            config: {},
            guards: [{ types: ["test:index:Thing"], paths: ['settings["x.y"]'] }],
            resourceTypes: ["test:index:Thing"],
            check() {},
        });
        const list: PolicyDefinition[] = [];
        const derived = noIgnoreChangesOnGuardedProperties(() => list);
        list.push(derived, later); // registered before the list is complete, read lazily
        assert.deepEqual(derived.resourceTypes, ["test:index:Thing"]);
        const found = mandatory(runResourcePolicy(derived, { type: "test:index:Thing", name: "t", props: {}, options: { ignoreChanges: ["settings"] } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /later-policy: settings\["x\.y"\]/);
        assert.deepEqual(runResourcePolicy(derived, { type: "test:index:Thing", name: "t", props: {}, options: { ignoreChanges: ["settings.x"] } }), []);
    });
});
