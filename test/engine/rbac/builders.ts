/** Builders for Kubernetes RBAC test stacks. */
import type { TestResource } from "../../harness/policy-harness";

export const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";
export const K8S_ROLE = `${RBAC}:Role`;
export const K8S_CLUSTER_ROLE = `${RBAC}:ClusterRole`;
export const K8S_ROLE_BINDING = `${RBAC}:RoleBinding`;
export const K8S_CLUSTER_ROLE_BINDING = `${RBAC}:ClusterRoleBinding`;

export interface Rule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
}

export const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): Rule => ({ apiGroups, resources, verbs, ...(resourceNames ? { resourceNames } : {}) });

export const DEPLOY_RULE = rule(["apps"], ["deployments"], ["create", "update", "patch"]);
export const APPROVE_RULE = rule(["sealed-infra.io"], ["releaseapprovals"], ["create", "update"]);

export type Subject = { kind: "User" | "Group" | "ServiceAccount"; name: string; namespace?: string };
export const sa = (namespace: string, name: string): Subject => ({ kind: "ServiceAccount", name, namespace });

export function k8sRole(namespace: string, name: string, rules: Rule[]): TestResource {
    return { type: K8S_ROLE, name: `${namespace}-${name}`, props: { metadata: { name, namespace }, rules } };
}

export function clusterRole(name: string, rules: Rule[], labels?: Record<string, string>, aggregateFrom?: Record<string, string>[]): TestResource {
    return {
        type: K8S_CLUSTER_ROLE,
        name,
        props: {
            metadata: { name, ...(labels ? { labels } : {}) },
            rules,
            ...(aggregateFrom ? { aggregationRule: { clusterRoleSelectors: aggregateFrom.map((matchLabels) => ({ matchLabels })) } } : {}),
        },
    };
}

export function roleBinding(namespace: string, name: string, roleRef: { kind: "Role" | "ClusterRole"; name: string }, subjects: Subject[]): TestResource {
    return { type: K8S_ROLE_BINDING, name, props: { metadata: { name, namespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects } };
}

export function clusterRoleBinding(name: string, roleName: string, subjects: Subject[]): TestResource {
    return { type: K8S_CLUSTER_ROLE_BINDING, name, props: { metadata: { name }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName }, subjects } };
}

export function serviceAccount(namespace: string, name: string, annotations?: Record<string, string>): TestResource {
    return { type: "kubernetes:core/v1:ServiceAccount", name: `${namespace}-${name}`, props: { metadata: { name, namespace, ...(annotations ? { annotations } : {}) } } };
}

export function tokenSecret(namespace: string, saName: string, name = `${saName}-token`): TestResource {
    return {
        type: "kubernetes:core/v1:Secret",
        name,
        props: { metadata: { name, namespace, annotations: { "kubernetes.io/service-account.name": saName } }, type: "kubernetes.io/service-account-token" },
    };
}

/** A deployer service account in namespace `ci` deploying to `apps`, and an approver in `release`. */
export function baseline(): TestResource[] {
    return [
        serviceAccount("ci", "deployer"),
        serviceAccount("release", "approver"),
        k8sRole("apps", "deploy", [DEPLOY_RULE]),
        roleBinding("apps", "deployer-deploys", { kind: "Role", name: "deploy" }, [sa("ci", "deployer")]),
        k8sRole("release", "approve", [APPROVE_RULE]),
        roleBinding("release", "approver-approves", { kind: "Role", name: "approve" }, [sa("release", "approver")]),
    ];
}
