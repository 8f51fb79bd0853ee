import { strict as assert } from "assert";
import { k8sConfigImmutable } from "../../policypack/src/policies/immutable-artifacts/k8s-config-immutable";
import { UNREADABLE_SECRET } from "../../policypack/src/framework/values";
import { advisory, mandatory, runResourcePolicy, UNKNOWN, urnOf } from "../harness/policy-harness";

const CM = "kubernetes:core/v1:ConfigMap";
const CM_PATCH = "kubernetes:core/v1:ConfigMapPatch";
const CM_LIST = "kubernetes:core/v1:ConfigMapList";
const SECRET = "kubernetes:core/v1:Secret";
const SECRET_PATCH = "kubernetes:core/v1:SecretPatch";
const SECRET_LIST = "kubernetes:core/v1:SecretList";

const meta = (namespace?: string) => ({ metadata: { name: "app-config", ...(namespace ? { namespace } : {}) } });

describe("k8s-config-immutable", () => {
    it("passes ConfigMaps and Secrets with immutable: true (also the string form)", () => {
        for (const type of [CM, SECRET]) {
            assert.deepEqual(runResourcePolicy(k8sConfigImmutable, { type, name: "c", props: { ...meta("apps"), immutable: true, data: { a: "b" } } }), []);
            assert.deepEqual(runResourcePolicy(k8sConfigImmutable, { type, name: "c", props: { ...meta("apps"), immutable: "true" } }), []);
        }
    });

    it("treats an unset immutable as mutable, reporting on the resource's URN with the fix", () => {
        const found = runResourcePolicy(k8sConfigImmutable, { type: CM, name: "app", props: { ...meta("apps"), data: { a: "b" } } });
        assert.equal(found.length, 1);
        assert.equal(found[0].enforcementLevel, "mandatory");
        assert.equal(found[0].urn, urnOf(CM, "app"));
        assert.match(found[0].message, /^Kubernetes ConfigMaps and Secrets set `immutable: true`.*\nkubernetes:core\/v1:ConfigMap "app": immutable is unset \(Kubernetes defaults to mutable\)/);
        assert.match(found[0].message, /set immutable: true and give the ConfigMap a content-derived name/);
    });

    it("flags immutable: false on Secrets", () => {
        const found = mandatory(runResourcePolicy(k8sConfigImmutable, { type: SECRET, name: "db", props: { ...meta("apps"), immutable: false, stringData: { p: "x" } } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /kubernetes:core\/v1:Secret "db": immutable is false, so the Secret can be edited in place/);
    });

    it("exempts the default namespaces and configured glob patterns; unset namespace means default", () => {
        assert.deepEqual(runResourcePolicy(k8sConfigImmutable, { type: CM, name: "aws-auth", props: { ...meta("kube-system"), data: {} } }), []);
        assert.equal(mandatory(runResourcePolicy(k8sConfigImmutable, { type: CM, name: "c", props: { ...meta(), data: {} } })).length, 1);
        const cfg = { config: { exemptNamespaces: ["default", "team-*"] } };
        assert.deepEqual(runResourcePolicy(k8sConfigImmutable, { type: CM, name: "c", props: { ...meta(), data: {} } }, cfg), []);
        assert.deepEqual(runResourcePolicy(k8sConfigImmutable, { type: CM, name: "c", props: { ...meta("team-a"), data: {} } }, cfg), []);
        // Overriding the list drops the defaults.
        assert.equal(mandatory(runResourcePolicy(k8sConfigImmutable, { type: CM, name: "c", props: { ...meta("kube-system") } }, cfg)).length, 1);
    });

    it("exempts service-account token Secrets by default, other types only when configured", () => {
        const token = { ...meta("apps"), type: "kubernetes.io/service-account-token" };
        assert.deepEqual(runResourcePolicy(k8sConfigImmutable, { type: SECRET, name: "t", props: token }), []);
        const tls = { ...meta("apps"), type: "kubernetes.io/tls" };
        assert.equal(mandatory(runResourcePolicy(k8sConfigImmutable, { type: SECRET, name: "tls", props: tls })).length, 1);
        assert.deepEqual(runResourcePolicy(k8sConfigImmutable, { type: SECRET, name: "tls", props: tls }, { config: { exemptSecretTypes: ["kubernetes.io/tls"] } }), []);
        // The Secret type exemption does not apply to ConfigMaps.
        assert.equal(mandatory(runResourcePolicy(k8sConfigImmutable, { type: CM, name: "c", props: token })).length, 1);
    });

    describe("Patch variants", () => {
        it("passes a metadata-only patch (allowed on immutable objects) and a patch that sets immutable: true", () => {
            for (const type of [CM_PATCH, SECRET_PATCH]) {
                assert.deepEqual(runResourcePolicy(k8sConfigImmutable, { type, name: "p", props: { metadata: { name: "c", namespace: "apps", labels: { a: "b" } } } }), []);
                assert.deepEqual(runResourcePolicy(k8sConfigImmutable, { type, name: "p", props: { ...meta("apps"), immutable: true, data: { a: "b" } } }), []);
            }
        });

        it("flags a patch that sets immutable: false", () => {
            const found = mandatory(runResourcePolicy(k8sConfigImmutable, { type: CM_PATCH, name: "p", props: { ...meta("apps"), immutable: false } }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /ConfigMapPatch "p": immutable is false, so the patch makes the ConfigMap editable in place/);
        });

        it("flags a patch that changes content without immutable: true", () => {
            const found = mandatory(runResourcePolicy(k8sConfigImmutable, { type: SECRET_PATCH, name: "p", props: { ...meta("apps"), stringData: { password: "x" } } }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /the patch changes stringData of an existing Secret without setting immutable: true/);
        });

        it("exempts patches in exempt namespaces", () => {
            assert.deepEqual(runResourcePolicy(k8sConfigImmutable, { type: CM_PATCH, name: "p", props: { ...meta("kube-system"), data: { mapRoles: "..." } } }), []);
        });
    });

    it("checks every item of ConfigMapList and SecretList, naming the item", () => {
        const list = {
            items: [
                { ...meta("apps"), immutable: true },
                { metadata: { name: "second", namespace: "apps" }, data: {} },
            ],
        };
        for (const type of [CM_LIST, SECRET_LIST]) {
            const found = mandatory(runResourcePolicy(k8sConfigImmutable, { type, name: "l", props: list }));
            assert.equal(found.length, 1, type);
            assert.match(found[0].message, /items\[1\]\.immutable is unset .* so items\[1\] \((ConfigMap|Secret) "second"\) can be edited in place/);
        }
    });

    it("gives a 'verified at update' advisory for an unknown immutable in preview, and fails closed at update", () => {
        const props = { ...meta("apps"), immutable: UNKNOWN };
        const preview = runResourcePolicy(k8sConfigImmutable, { type: CM, name: "u", props });
        assert.equal(mandatory(preview).length, 0);
        assert.equal(advisory(preview).length, 1);
        assert.match(advisory(preview)[0].message, /immutable is not known until the update, so it will be verified at update that the ConfigMap sets immutable: true/);
        assert.equal(advisory(preview)[0].urn, urnOf(CM, "u"));
        assert.equal(mandatory(runResourcePolicy(k8sConfigImmutable, { type: CM, name: "u", props }, { preview: false })).length, 1);
    });

    it("an unknown namespace of a mutable object is not yet known (it may be exempt)", () => {
        const found = runResourcePolicy(k8sConfigImmutable, { type: CM, name: "n", props: { metadata: { name: "c", namespace: UNKNOWN } } });
        assert.equal(mandatory(found).length, 0);
        assert.equal(advisory(found).length, 1);
        assert.match(advisory(found)[0].message, /metadata\.namespace is not known until the update/);
    });

    it("fails closed on an unreadable immutable (wrong type or an unreadable secret)", () => {
        const wrong = mandatory(runResourcePolicy(k8sConfigImmutable, { type: CM, name: "w", props: { ...meta("apps"), immutable: "yes" } }));
        assert.equal(wrong.length, 1);
        assert.match(wrong[0].message, /cannot verify that the ConfigMap sets immutable: true: immutable could not be read: expected true or false, found "yes"/);
        const secret = mandatory(runResourcePolicy(k8sConfigImmutable, { type: SECRET, name: "s", props: { ...meta("apps"), immutable: UNREADABLE_SECRET } }));
        assert.equal(secret.length, 1);
        assert.match(secret[0].message, /--show-secrets/);
    });

    it("ignores other kinds", () => {
        assert.deepEqual(runResourcePolicy(k8sConfigImmutable, { type: "kubernetes:core/v1:Namespace", name: "n", props: {} }), []);
    });
});
