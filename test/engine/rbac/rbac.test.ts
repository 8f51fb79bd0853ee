import { strict as assert } from "assert";
import { StackModel, StackResource } from "../../../policypack/src/sdk/stack-model";
import { findGrant, RbacModel } from "../../../policypack/src/engine/rbac/model";
import { noDutyEscalation } from "../../../policypack/src/policies/separated-duties/no-duty-escalation";
import { dutiesSeparated } from "../../../policypack/src/policies/separated-duties/duties-separated";
import { mandatory, runStackPolicy, TestResource, urnOf } from "../../harness/policy-harness";
import { allow, DEPLOY, role, roleArn, ROLE, trustService } from "../duties/builders";
import {
    APPROVE_RULE, baseline, clusterRole, clusterRoleBinding, DEPLOY_RULE, K8S_CLUSTER_ROLE_BINDING, K8S_ROLE_BINDING, k8sRole, roleBinding, rule, sa,
    serviceAccount, tokenSecret,
} from "./builders";

function model(resources: TestResource[]): RbacModel {
    const records: StackResource[] = resources.map((r) => ({
        urn: urnOf(r.type, r.name),
        type: r.type,
        name: r.name,
        props: r.props ?? {},
        options: {} as StackResource["options"],
        dependencies: [],
        propertyDependencies: {},
    }));
    return new RbacModel(StackModel.fromRecords(records));
}

describe("RBAC model", () => {
    it("binds subjects to Roles in their namespace and ClusterRoles everywhere", () => {
        const m = model([...baseline(), clusterRoleBinding("viewers", "view", [{ kind: "Group", name: "devs" }])]);
        const deployer = m.grantsOf(m.subjects.get("k8s:ServiceAccount:ci/deployer")!);
        assert.ok(findGrant(deployer, { apiGroup: "apps", resource: "deployments", verb: "create", namespace: "apps" }));
        assert.equal(findGrant(deployer, { apiGroup: "apps", resource: "deployments", verb: "create", namespace: "release" }), undefined);
        const devs = m.grantsOf(m.subjects.get("k8s:Group:devs")!);
        assert.ok(findGrant(devs, { apiGroup: "", resource: "pods", verb: "list", namespace: "anything" }));
        assert.equal(findGrant(devs, { apiGroup: "", resource: "secrets", verb: "get" }), undefined, "view does not read secrets");
    });

    it("expands aggregated ClusterRoles, incl. the built-in admin/edit through aggregate-to labels", () => {
        const m = model([
            clusterRole("approvals-edit", [APPROVE_RULE], { "rbac.authorization.k8s.io/aggregate-to-edit": "true" }),
            clusterRole("combined", [], undefined, [{ team: "x" }]),
            clusterRole("part", [DEPLOY_RULE], { team: "x" }),
            clusterRoleBinding("admins", "admin", [{ kind: "User", name: "alice" }]),
            clusterRoleBinding("combined", "combined", [{ kind: "User", name: "bob" }]),
        ]);
        const alice = m.grantsOf(m.subjects.get("k8s:User:alice")!);
        assert.ok(findGrant(alice, { apiGroup: "sealed-infra.io", resource: "releaseapprovals", verb: "create" }), "edit aggregates into admin");
        const bob = m.grantsOf(m.subjects.get("k8s:User:bob")!);
        assert.ok(findGrant(bob, { apiGroup: "apps", resource: "deployments", verb: "create" }));
    });

    it("matches subresources, wildcards and resourceNames", () => {
        const m = model([
            k8sRole("ns", "r", [rule([""], ["pods/*"], ["get"]), rule([""], ["serviceaccounts"], ["impersonate"], ["one"])]),
            roleBinding("ns", "b", { kind: "Role", name: "r" }, [{ kind: "User", name: "u" }]),
        ]);
        const g = m.grantsOf(m.subjects.get("k8s:User:u")!);
        assert.ok(findGrant(g, { apiGroup: "", resource: "pods/exec", verb: "get", namespace: "ns" }));
        assert.ok(findGrant(g, { apiGroup: "", resource: "serviceaccounts", verb: "impersonate", namespace: "ns", resourceName: "one" }));
        assert.equal(findGrant(g, { apiGroup: "", resource: "serviceaccounts", verb: "impersonate", namespace: "ns", resourceName: "two" }), undefined);
    });

    it("gives service accounts the grants of system:serviceaccounts groups", () => {
        const m = model([serviceAccount("a", "x"), clusterRoleBinding("all-sa", "edit", [{ kind: "Group", name: "system:serviceaccounts" }])]);
        assert.ok(findGrant(m.grantsOf(m.subjects.get("k8s:ServiceAccount:a/x")!), { apiGroup: "apps", resource: "deployments", verb: "create" }));
    });
});

interface K8sPrimitive {
    name: string;
    extra: TestResource[];
    path: string;
    urn: string;
}

const PRIMITIVES: K8sPrimitive[] = [
    {
        name: "impersonate service accounts",
        extra: [clusterRole("impersonator", [rule([""], ["serviceaccounts"], ["impersonate"])]), clusterRoleBinding("deployer-impersonates", "impersonator", [sa("ci", "deployer")])],
        path: "ServiceAccount ci/deployer -[impersonate serviceaccounts]-> ServiceAccount release/approver -> approve: create releaseapprovals.sealed-infra.io in namespace release",
        urn: urnOf(K8S_CLUSTER_ROLE_BINDING, "deployer-impersonates"),
    },
    {
        name: "bind roles + create rolebindings",
        extra: [k8sRole("release", "binder", [rule(["rbac.authorization.k8s.io"], ["roles"], ["bind"]), rule(["rbac.authorization.k8s.io"], ["rolebindings"], ["create"])]), roleBinding("release", "deployer-binds", { kind: "Role", name: "binder" }, [sa("ci", "deployer")])],
        path: "ServiceAccount ci/deployer -[bind roles + create rolebindings]-> any role in namespace release (in namespace release) -> approve",
        urn: urnOf(K8S_ROLE_BINDING, "deployer-binds"),
    },
    {
        name: "escalate + update roles",
        extra: [k8sRole("release", "escalator", [rule(["rbac.authorization.k8s.io"], ["roles"], ["escalate", "update"])]), roleBinding("release", "deployer-escalates", { kind: "Role", name: "escalator" }, [sa("ci", "deployer")])],
        path: "ServiceAccount ci/deployer -[escalate + update roles]-> any role in namespace release",
        urn: urnOf(K8S_ROLE_BINDING, "deployer-escalates"),
    },
    {
        name: "create pods in the approver's namespace",
        extra: [k8sRole("release", "pods", [rule([""], ["pods"], ["create"])]), roleBinding("release", "deployer-pods", { kind: "Role", name: "pods" }, [sa("ci", "deployer")])],
        path: "ServiceAccount ci/deployer -[create pods in namespace release]-> ServiceAccount release/approver (runs as ServiceAccount release/approver) -> approve",
        urn: urnOf(K8S_ROLE_BINDING, "deployer-pods"),
    },
    {
        name: "read the approver's token secret",
        extra: [tokenSecret("release", "approver"), k8sRole("release", "secrets", [rule([""], ["secrets"], ["get"])]), roleBinding("release", "deployer-secrets", { kind: "Role", name: "secrets" }, [sa("ci", "deployer")])],
        path: "ServiceAccount ci/deployer -[get secrets in namespace release]-> ServiceAccount release/approver (reads the token of ServiceAccount release/approver) -> approve",
        urn: urnOf(K8S_ROLE_BINDING, "deployer-secrets"),
    },
    {
        name: "exec into a pod that runs as the approver",
        extra: [
            { type: "kubernetes:apps/v1:Deployment", name: "approval-bot", props: { metadata: { name: "approval-bot", namespace: "release" }, spec: { template: { spec: { serviceAccountName: "approver", containers: [{ name: "bot", image: "x" }] } } } } },
            k8sRole("release", "exec", [rule([""], ["pods/exec"], ["create"])]),
            roleBinding("release", "deployer-exec", { kind: "Role", name: "exec" }, [sa("ci", "deployer")]),
        ],
        path: "ServiceAccount ci/deployer -[create pods/exec in namespace release]-> ServiceAccount release/approver (pods run as ServiceAccount release/approver) -> approve",
        urn: urnOf(K8S_ROLE_BINDING, "deployer-exec"),
    },
    {
        name: "get nodes/proxy (the kubelet API runs commands in any pod on the node)",
        extra: [
            { type: "kubernetes:apps/v1:Deployment", name: "approval-bot", props: { metadata: { name: "approval-bot", namespace: "release" }, spec: { template: { spec: { serviceAccountName: "approver", containers: [{ name: "bot", image: "x" }] } } } } },
            clusterRole("node-proxy", [rule([""], ["nodes/proxy"], ["get"])]),
            clusterRoleBinding("deployer-node-proxy", "node-proxy", [sa("ci", "deployer")]),
        ],
        path: "ServiceAccount ci/deployer -[get nodes/proxy (kubelet API)]-> ServiceAccount release/approver (runs commands in pods of ServiceAccount release/approver) -> approve",
        urn: urnOf(K8S_CLUSTER_ROLE_BINDING, "deployer-node-proxy"),
    },
    {
        name: "create service account tokens (TokenRequest)",
        extra: [k8sRole("release", "tokens", [rule([""], ["serviceaccounts/token"], ["create"])]), roleBinding("release", "deployer-tokens", { kind: "Role", name: "tokens" }, [sa("ci", "deployer")])],
        path: "ServiceAccount ci/deployer -[create serviceaccounts/token in namespace release]-> ServiceAccount release/approver (a token of ServiceAccount release/approver) -> approve",
        urn: urnOf(K8S_ROLE_BINDING, "deployer-tokens"),
    },
];

describe("Kubernetes escalation (no-duty-escalation)", () => {
    it("reports nothing for the separated baseline", () => {
        assert.deepEqual(runStackPolicy(noDutyEscalation, baseline()), []);
        assert.deepEqual(runStackPolicy(dutiesSeparated, baseline()), []);
    });

    for (const p of PRIMITIVES) {
        it(p.name, () => {
            const found = runStackPolicy(noDutyEscalation, [...baseline(), ...p.extra]);
            assert.equal(found.length, 1, JSON.stringify(found, null, 1));
            assert.equal(found[0].enforcementLevel, "mandatory");
            assert.equal(found[0].urn, p.urn);
            assert.ok(found[0].message.includes(p.path), `path "${p.path}" not in:\n${found[0].message}`);
        });
    }

    it("nodes/proxy: a namespaced grant, a verb other than get/create, or no workload of the approver gives no edge", () => {
        const bot = { type: "kubernetes:apps/v1:Deployment", name: "approval-bot", props: { metadata: { name: "approval-bot", namespace: "release" }, spec: { template: { spec: { serviceAccountName: "approver", containers: [{ name: "bot", image: "x" }] } } } } };
        const proxyRole = (verbs: string[]) => clusterRole("node-proxy", [rule([""], ["nodes/proxy"], verbs)]);
        const clusterWide = [clusterRoleBinding("deployer-node-proxy", "node-proxy", [sa("ci", "deployer")])];
        const inNamespace = [roleBinding("release", "deployer-node-proxy", { kind: "ClusterRole", name: "node-proxy" }, [sa("ci", "deployer")])];
        assert.deepEqual(runStackPolicy(noDutyEscalation, [...baseline(), bot, proxyRole(["get"]), ...inNamespace]), []);
        assert.deepEqual(runStackPolicy(noDutyEscalation, [...baseline(), bot, proxyRole(["list", "watch"]), ...clusterWide]), []);
        assert.deepEqual(runStackPolicy(noDutyEscalation, [...baseline(), proxyRole(["get"]), ...clusterWide]), []);
        const found = runStackPolicy(noDutyEscalation, [...baseline(), bot, proxyRole(["create"]), ...clusterWide]);
        assert.equal(found.length, 1);
        assert.ok(found[0].message.includes("-[create nodes/proxy (kubelet API)]-> ServiceAccount release/approver"), found[0].message);
    });

    it("resourceNames that exclude the approver remove the impersonation edge", () => {
        const extra = [clusterRole("impersonator", [rule([""], ["serviceaccounts"], ["impersonate"], ["someone-else"])]), clusterRoleBinding("deployer-impersonates", "impersonator", [sa("ci", "deployer")])];
        assert.deepEqual(runStackPolicy(noDutyEscalation, [...baseline(), ...extra]), []);
    });

    it("direct conflicts in Kubernetes are duties-separated, reported on the binding", () => {
        const stack = [...baseline(), k8sRole("apps", "approve", [APPROVE_RULE]), roleBinding("apps", "deployer-approves", { kind: "Role", name: "approve" }, [sa("ci", "deployer")])];
        const found = mandatory(runStackPolicy(dutiesSeparated, stack));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(K8S_ROLE_BINDING, "deployer-approves"));
        assert.match(found[0].message, /ServiceAccount ci\/deployer \(bound here\) holds conflicting duties deploy \(create deployments\.apps in namespace apps via Role deploy/);
    });

    it("an IAM role mapped into Kubernetes by an EKS access entry reaches the Kubernetes approver group", () => {
        const stack: TestResource[] = [
            ...baseline(),
            role("deployer", { policies: [[DEPLOY]] }),
            roleBinding("release", "approvers", { kind: "Role", name: "approve" }, [{ kind: "Group", name: "release-approvers" }]),
            { type: "aws:eks/accessEntry:AccessEntry", name: "deployer-entry", props: { principalArn: roleArn("deployer"), kubernetesGroups: ["release-approvers"] } },
        ];
        const found = runStackPolicy(noDutyEscalation, stack);
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urnOf(ROLE, "deployer"));
        assert.ok(found[0].message.includes(`deployer -[EKS access entry "deployer-entry"]-> Group release-approvers -> approve`), found[0].message);
    });

    it("a service account annotated with an IAM role (IRSA) acts as that role", () => {
        const stack: TestResource[] = [
            ...baseline(),
            role("approver", { policies: [[allow("codepipeline:PutApprovalResult")]], trust: [trustService("lambda.amazonaws.com")] }),
            serviceAccount("apps", "web", { "eks.amazonaws.com/role-arn": roleArn("approver") }),
            k8sRole("apps", "web-runs", [rule([""], ["pods"], ["create"])]),
            roleBinding("apps", "deployer-pods", { kind: "Role", name: "web-runs" }, [sa("ci", "deployer")]),
        ];
        const found = runStackPolicy(noDutyEscalation, stack);
        const deployer = found.find((f) => f.urn === urnOf(K8S_ROLE_BINDING, "deployer-pods"));
        assert.ok(deployer, JSON.stringify(found, null, 1));
        assert.ok(deployer!.message.includes("-[IRSA (eks.amazonaws.com/role-arn)]-> approver"), deployer!.message);
    });
});
