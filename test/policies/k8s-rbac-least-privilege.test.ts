import { strict as assert } from "assert";
import { k8sRbacLeastPrivilege } from "../../policypack/src/policies/separated-duties/k8s-rbac-least-privilege";
import { advisory, mandatory, runResourcePolicy, UNKNOWN, urnOf } from "../harness/policy-harness";
import { clusterRole, clusterRoleBinding, DEPLOY_RULE, K8S_CLUSTER_ROLE, K8S_CLUSTER_ROLE_BINDING, K8S_ROLE, k8sRole, roleBinding, rule, sa } from "../engine/rbac/builders";

describe("k8s-rbac-least-privilege", () => {
    it("passes concrete verbs on concrete resources", () => {
        assert.deepEqual(runResourcePolicy(k8sRbacLeastPrivilege, k8sRole("apps", "deploy", [DEPLOY_RULE])), []);
        assert.deepEqual(runResourcePolicy(k8sRbacLeastPrivilege, roleBinding("apps", "b", { kind: "ClusterRole", name: "edit" }, [sa("ci", "deployer")])), []);
    });

    for (const verb of ["escalate", "bind", "impersonate"]) {
        it(`flags the ${verb} verb`, () => {
            const found = runResourcePolicy(k8sRbacLeastPrivilege, clusterRole("r", [rule(["rbac.authorization.k8s.io"], ["clusterroles"], ["get", verb])]));
            assert.equal(found.length, 1);
            assert.equal(found[0].enforcementLevel, "mandatory");
            assert.equal(found[0].urn, urnOf(K8S_CLUSTER_ROLE, "r"));
            assert.match(found[0].message, new RegExp(`rules\\[0\\]\\.verbs grants "${verb}"`));
        });
    }

    it("flags * verbs on * resources and on roles", () => {
        const all = runResourcePolicy(k8sRbacLeastPrivilege, k8sRole("ns", "all", [rule(["*"], ["*"], ["*"])]));
        assert.equal(all.length, 1);
        assert.match(all[0].message, /rules\[0\] grants "\*" verbs on \["\*"\] \(everything\)/);
        const roles = runResourcePolicy(k8sRbacLeastPrivilege, k8sRole("ns", "roles", [rule(["rbac.authorization.k8s.io"], ["roles"], ["*"])]));
        assert.match(roles[0].message, /includes escalate, bind or impersonate/);
        assert.deepEqual(runResourcePolicy(k8sRbacLeastPrivilege, k8sRole("ns", "cm", [rule([""], ["configmaps"], ["*"])])), []);
    });

    it('names the API group of "*" verbs on "*" resources instead of calling it everything', () => {
        const metrics = runResourcePolicy(k8sRbacLeastPrivilege, clusterRole("metrics", [rule(["external.metrics.k8s.io"], ["*"], ["*"])]));
        assert.equal(metrics.length, 1);
        assert.match(metrics[0].message, /rules\[0\] grants "\*" verbs on \["\*"\] in API group "external\.metrics\.k8s\.io"; list the verbs/);
        assert.doesNotMatch(metrics[0].message, /everything|escalate/);
        const core = runResourcePolicy(k8sRbacLeastPrivilege, k8sRole("ns", "core", [rule([""], ["*"], ["*"])]));
        assert.match(core[0].message, /on \["\*"\] in API group "" \(core\), which includes escalate, bind or impersonate/);
        const two = runResourcePolicy(k8sRbacLeastPrivilege, k8sRole("ns", "two", [rule(["apps", "batch"], ["*"], ["*"])]));
        assert.match(two[0].message, /on \["\*"\] in API groups "apps", "batch"; list/);
    });

    it('"roles" in an API group other than RBAC is not an escalation resource', () => {
        assert.deepEqual(runResourcePolicy(k8sRbacLeastPrivilege, k8sRole("ns", "custom", [rule(["iam.example.com"], ["roles"], ["*"])])), []);
        assert.equal(runResourcePolicy(k8sRbacLeastPrivilege, k8sRole("ns", "rbac", [rule(["rbac.authorization.k8s.io"], ["roles"], ["*"])])).length, 1);
        assert.equal(runResourcePolicy(k8sRbacLeastPrivilege, k8sRole("ns", "any", [rule(["*"], ["roles"], ["*"])])).length, 1);
    });

    it("exempts allow-listed roles", () => {
        assert.deepEqual(runResourcePolicy(k8sRbacLeastPrivilege, k8sRole("ns", "platform-admin", [rule(["*"], ["*"], ["*"])]), { config: { allowedRoles: ["platform-*"] } }), []);
    });

    it("flags binding cluster-admin unless every subject is allow-listed", () => {
        const binding = clusterRoleBinding("admins", "cluster-admin", [{ kind: "Group", name: "oncall" }]);
        const found = runResourcePolicy(k8sRbacLeastPrivilege, binding);
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(K8S_CLUSTER_ROLE_BINDING, "admins"));
        assert.match(found[0].message, /roleRef binds the cluster-admin ClusterRole to Group:oncall/);
        assert.deepEqual(runResourcePolicy(k8sRbacLeastPrivilege, binding, { config: { allowedSubjects: ["Group:oncall"] } }), []);
    });

    it("always flags anonymous, unauthenticated and system:masters subjects", () => {
        const binding = clusterRoleBinding("anon", "view", [{ kind: "User", name: "system:anonymous" }, { kind: "Group", name: "system:unauthenticated" }, { kind: "Group", name: "system:masters" }]);
        const found = runResourcePolicy(k8sRbacLeastPrivilege, binding, { config: { allowedSubjects: ["*"] } });
        assert.equal(found.length, 3);
        assert.match(found[0].message, /subjects\[0\] binds User:system:anonymous \(unauthenticated requests\)/);
        assert.match(found[2].message, /Group:system:masters \(a group that bypasses RBAC altogether\)/);
    });

    it("flags system:anonymous and system:unauthenticated whatever the subject kind, even when allow-listed for cluster-admin", () => {
        const binding = clusterRoleBinding("anon2", "cluster-admin", [{ kind: "Group", name: "system:anonymous" }, { kind: "User", name: "system:unauthenticated" }]);
        const found = runResourcePolicy(k8sRbacLeastPrivilege, binding, { config: { allowedSubjects: ["*"] } });
        assert.equal(found.length, 2);
        assert.match(found[0].message, /subjects\[0\] binds Group:system:anonymous \(unauthenticated requests\) to ClusterRole "cluster-admin"; remove this subject/);
        assert.match(found[1].message, /subjects\[1\] binds User:system:unauthenticated \(unauthenticated requests\)/);
        // Other system: names are ordinary subjects; system:masters is special only as a Group.
        assert.deepEqual(runResourcePolicy(k8sRbacLeastPrivilege, clusterRoleBinding("nodes", "view", [{ kind: "Group", name: "system:nodes" }, { kind: "User", name: "system:masters" }])), []);
    });

    it("verifies unknown rules at update", () => {
        const role = { type: K8S_ROLE, name: "u", props: { metadata: { name: "u", namespace: "ns" }, rules: UNKNOWN } };
        const preview = runResourcePolicy(k8sRbacLeastPrivilege, role);
        assert.equal(advisory(preview).length, 1);
        assert.match(advisory(preview)[0].message, /rules is not known until the update/);
        assert.equal(mandatory(runResourcePolicy(k8sRbacLeastPrivilege, role, { preview: false })).length, 1);
    });
});
