/**
 * The Kubernetes RBAC model of a stack: subjects (User, Group, ServiceAccount), Roles and
 * ClusterRoles (aggregation expanded, the built-in admin/edit/view/cluster-admin known), their
 * RoleBindings and ClusterRoleBindings, and what each subject may do where. Built once per
 * AnalyzeStack through `rbacModel(model)`.
 *
 * Evaluation is over-approximating in the same direction as the IAM evaluator: a rule that may
 * grant counts; unknown values are recorded as problems so policies report them.
 */
import { isUnknown, read, readArray, readObject, readString } from "../../framework/values";
import { K8S_POD_SPEC_LOCATIONS, isPatchType } from "../resource-types";
import type { StackModel, StackResource } from "../../sdk/stack-model";

const RBAC_VERSIONS = ["v1", "v1beta1", "v1alpha1"];
const typesOf = (kind: string) => RBAC_VERSIONS.flatMap((v) => [`kubernetes:rbac.authorization.k8s.io/${v}:${kind}`, `kubernetes:rbac.authorization.k8s.io/${v}:${kind}Patch`]);

export const K8S_ROLES = typesOf("Role");
export const K8S_CLUSTER_ROLES = typesOf("ClusterRole");
export const K8S_ROLE_BINDINGS = typesOf("RoleBinding");
export const K8S_CLUSTER_ROLE_BINDINGS = typesOf("ClusterRoleBinding");
export const K8S_SERVICE_ACCOUNT = ["kubernetes:core/v1:ServiceAccount", "kubernetes:core/v1:ServiceAccountPatch"];
export const K8S_SECRET = ["kubernetes:core/v1:Secret", "kubernetes:core/v1:SecretPatch"];
export const K8S_RBAC_TYPES: readonly string[] = [...K8S_ROLES, ...K8S_CLUSTER_ROLES, ...K8S_ROLE_BINDINGS, ...K8S_CLUSTER_ROLE_BINDINGS];

export interface K8sRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
    nonResourceURLs?: string[];
}

export interface K8sRole {
    kind: "Role" | "ClusterRole";
    name: string;
    namespace?: string;
    rules: K8sRule[];
    labels: Record<string, string>;
    resource?: StackResource;
    builtin?: boolean;
    /** matchLabels selectors of an aggregated ClusterRole. */
    aggregation?: Record<string, string>[];
}

export type SubjectKind = "User" | "Group" | "ServiceAccount";

export interface K8sSubject {
    /** Node id: `k8s:<Kind>:<name>` or `k8s:ServiceAccount:<namespace>/<name>`. */
    id: string;
    kind: SubjectKind;
    name: string;
    namespace?: string;
    /** Display form: `ServiceAccount ci/deployer`. */
    label: string;
}

export interface K8sGrant {
    rule: K8sRule;
    /** Namespace the grant applies in; undefined = every namespace and cluster-scoped resources. */
    namespace?: string;
    binding: StackResource;
    role: K8sRole;
}

export interface K8sProblem {
    resource: StackResource;
    path: string;
    state: "unknown" | "unreadable";
    reason: string;
}

const ALL_VERBS_READ_WRITE = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const WORKLOAD_GROUPS = ["", "apps", "batch", "extensions", "autoscaling", "policy", "networking.k8s.io", "discovery.k8s.io"];

/** The built-in user-facing ClusterRoles (approximated from upstream bootstrap policy, over-granting where unsure). */
export const BUILTIN_CLUSTER_ROLES: readonly K8sRole[] = [
    {
        kind: "ClusterRole",
        name: "cluster-admin",
        builtin: true,
        labels: {},
        rules: [
            { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
            { apiGroups: [], resources: [], verbs: ["*"], nonResourceURLs: ["*"] },
        ],
    },
    {
        kind: "ClusterRole",
        name: "admin",
        builtin: true,
        labels: {},
        aggregation: [{ "rbac.authorization.k8s.io/aggregate-to-admin": "true" }],
        rules: [
            { apiGroups: WORKLOAD_GROUPS, resources: ["*"], verbs: ALL_VERBS_READ_WRITE },
            { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ALL_VERBS_READ_WRITE },
            { apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"], verbs: ["create"] },
        ],
    },
    {
        kind: "ClusterRole",
        name: "edit",
        builtin: true,
        labels: { "rbac.authorization.k8s.io/aggregate-to-admin": "true" },
        aggregation: [{ "rbac.authorization.k8s.io/aggregate-to-edit": "true" }],
        rules: [
            { apiGroups: WORKLOAD_GROUPS, resources: ["*"], verbs: ALL_VERBS_READ_WRITE },
            { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
        ],
    },
    {
        kind: "ClusterRole",
        name: "view",
        builtin: true,
        labels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" },
        aggregation: [{ "rbac.authorization.k8s.io/aggregate-to-view": "true" }],
        rules: [
            {
                apiGroups: WORKLOAD_GROUPS,
                resources: [
                    "pods", "pods/log", "pods/status", "services", "endpoints", "configmaps", "persistentvolumeclaims", "serviceaccounts",
                    "replicationcontrollers", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs",
                    "horizontalpodautoscalers", "ingresses", "networkpolicies", "poddisruptionbudgets", "events", "limitranges",
                    "resourcequotas", "namespaces", "endpointslices",
                ],
                verbs: ["get", "list", "watch"],
            },
        ],
    },
];

function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && !isUnknown(v)) : [];
}

function readRules(r: StackResource, problems: K8sProblem[]): K8sRule[] {
    const rules = readArray(r.props, "rules");
    if (rules.state === "unknown" || rules.state === "unreadable") {
        problems.push({ resource: r, path: rules.path, state: rules.state, reason: rules.state === "unreadable" ? rules.reason : "" });
        return [];
    }
    if (rules.state !== "known") {
        return [];
    }
    const out: K8sRule[] = [];
    rules.value.forEach((raw, i) => {
        if (!raw || typeof raw !== "object") {
            problems.push({ resource: r, path: `rules[${i}]`, state: "unreadable", reason: "is not a policy rule object" });
            return;
        }
        const o = raw as Record<string, unknown>;
        if (["apiGroups", "resources", "verbs", "resourceNames"].some((k) => isUnknown(o[k]) || (Array.isArray(o[k]) && (o[k] as unknown[]).some(isUnknown)))) {
            problems.push({ resource: r, path: `rules[${i}]`, state: "unknown", reason: "" });
            return;
        }
        out.push({
            apiGroups: strings(o.apiGroups),
            resources: strings(o.resources).map((s) => s.toLowerCase()),
            verbs: strings(o.verbs).map((s) => s.toLowerCase()),
            resourceNames: Array.isArray(o.resourceNames) && o.resourceNames.length > 0 ? strings(o.resourceNames) : undefined,
            nonResourceURLs: Array.isArray(o.nonResourceURLs) ? strings(o.nonResourceURLs) : undefined,
        });
    });
    return out;
}

function labelsOf(r: StackResource): Record<string, string> {
    const l = readObject(r.props, "metadata.labels");
    const out: Record<string, string> = {};
    if (l.state === "known") {
        for (const [k, v] of Object.entries(l.value)) {
            if (typeof v === "string") {
                out[k] = v;
            }
        }
    }
    return out;
}

function metaName(r: StackResource): string {
    const n = readString(r.props, "metadata.name");
    return n.state === "known" ? n.value : r.name;
}

function metaNamespace(r: StackResource): string | undefined {
    const n = readString(r.props, "metadata.namespace");
    return n.state === "known" ? n.value : n.state === "absent" ? "default" : undefined;
}

export function subjectId(kind: SubjectKind, name: string, namespace?: string): string {
    return kind === "ServiceAccount" ? `k8s:ServiceAccount:${namespace ?? "default"}/${name}` : `k8s:${kind}:${name}`;
}

export function makeSubject(kind: SubjectKind, name: string, namespace?: string): K8sSubject {
    return {
        id: subjectId(kind, name, namespace),
        kind,
        name,
        namespace: kind === "ServiceAccount" ? namespace ?? "default" : undefined,
        label: kind === "ServiceAccount" ? `ServiceAccount ${namespace ?? "default"}/${name}` : `${kind} ${name}`,
    };
}

export class RbacModel {
    readonly roles: K8sRole[] = [];
    readonly clusterRoles = new Map<string, K8sRole>();
    private readonly namespacedRoles = new Map<string, K8sRole>();
    readonly subjects = new Map<string, K8sSubject>();
    readonly grants = new Map<string, K8sGrant[]>();
    readonly problems: K8sProblem[] = [];
    /** Bindings and the subjects they bind (for policies reporting on bindings). */
    readonly bindings: { resource: StackResource; namespace?: string; role?: K8sRole; roleRef: string; subjects: K8sSubject[] }[] = [];
    /** Service accounts known per namespace (declared, bound, or used by workloads). */
    readonly serviceAccountsByNamespace = new Map<string, Set<string>>();
    /** Service account ids whose token is stored in a Secret of this stack. */
    readonly tokenSecrets = new Map<string, StackResource>();
    /** Service accounts that workloads of this stack run as (exec into their pods yields their token). */
    readonly workloadServiceAccounts = new Set<string>();
    /** ServiceAccount resources by subject id (IRSA annotations are read from them). */
    readonly serviceAccountResources = new Map<string, StackResource>();

    constructor(readonly stack: StackModel) {
        for (const b of BUILTIN_CLUSTER_ROLES) {
            this.clusterRoles.set(b.name, { ...b, rules: [...b.rules] });
        }
        for (const r of this.stack.ofTypes(K8S_CLUSTER_ROLES)) {
            const role: K8sRole = { kind: "ClusterRole", name: metaName(r), rules: readRules(r, this.problems), labels: labelsOf(r), resource: r };
            const agg = readArray(r.props, "aggregationRule.clusterRoleSelectors");
            if (agg.state === "known") {
                role.aggregation = agg.value.map((sel) => {
                    const ml = (sel as Record<string, unknown> | null)?.matchLabels;
                    return ml && typeof ml === "object" ? (ml as Record<string, string>) : {};
                });
            }
            this.roles.push(role);
            if (!isPatchType(r.type) || !this.clusterRoles.has(role.name)) {
                this.clusterRoles.set(role.name, role);
            } else {
                this.clusterRoles.get(role.name)!.rules.push(...role.rules);
            }
        }
        for (const r of this.stack.ofTypes(K8S_ROLES)) {
            const role: K8sRole = { kind: "Role", name: metaName(r), namespace: metaNamespace(r), rules: readRules(r, this.problems), labels: labelsOf(r), resource: r };
            this.roles.push(role);
            this.namespacedRoles.set(`${role.namespace}/${role.name}`, role);
        }
        this.aggregate();
        this.readServiceAccounts();
        this.readBindings();
    }

    /** Expands aggregated ClusterRoles (to a fixed point, so aggregation chains work). */
    private aggregate(): void {
        const base = new Map<string, K8sRule[]>();
        for (const [name, role] of this.clusterRoles) {
            base.set(name, [...role.rules]);
        }
        let changed = true;
        for (let round = 0; changed && round < 10; round++) {
            changed = false;
            for (const role of this.clusterRoles.values()) {
                if (!role.aggregation) {
                    continue;
                }
                for (const other of this.clusterRoles.values()) {
                    if (other === role) {
                        continue;
                    }
                    const matches = role.aggregation.some((sel) => Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => other.labels[k] === v));
                    if (matches) {
                        for (const rule of other.rules) {
                            if (!role.rules.includes(rule)) {
                                role.rules.push(rule);
                                changed = true;
                            }
                        }
                    }
                }
            }
        }
    }

    private addServiceAccount(namespace: string, name: string): void {
        const set = this.serviceAccountsByNamespace.get(namespace) ?? new Set<string>();
        set.add(name);
        this.serviceAccountsByNamespace.set(namespace, set);
        const s = makeSubject("ServiceAccount", name, namespace);
        if (!this.subjects.has(s.id)) {
            this.subjects.set(s.id, s);
        }
    }

    private readServiceAccounts(): void {
        for (const r of this.stack.ofTypes(K8S_SERVICE_ACCOUNT)) {
            const ns = metaNamespace(r);
            if (ns) {
                this.addServiceAccount(ns, metaName(r));
                this.serviceAccountResources.set(subjectId("ServiceAccount", metaName(r), ns), r);
            }
        }
        for (const [type, location] of K8S_POD_SPEC_LOCATIONS) {
            for (const r of this.stack.ofTypes([type])) {
                const ns = metaNamespace(r);
                const sa = readString(r.props, [...location, "serviceAccountName"]);
                if (ns) {
                    const name = sa.state === "known" ? sa.value : "default";
                    this.addServiceAccount(ns, name);
                    this.workloadServiceAccounts.add(subjectId("ServiceAccount", name, ns));
                }
            }
        }
        for (const r of this.stack.ofTypes(K8S_SECRET)) {
            const type = readString(r.props, "type");
            const sa = read(r.props, ["metadata", "annotations", "kubernetes.io/service-account.name"]);
            const ns = metaNamespace(r);
            if (type.state === "known" && type.value === "kubernetes.io/service-account-token" && sa.state === "known" && typeof sa.value === "string" && ns) {
                this.addServiceAccount(ns, sa.value);
                this.tokenSecrets.set(subjectId("ServiceAccount", sa.value, ns), r);
            }
        }
    }

    private readBindings(): void {
        const all = [
            ...this.stack.ofTypes(K8S_ROLE_BINDINGS).map((r) => ({ r, cluster: false })),
            ...this.stack.ofTypes(K8S_CLUSTER_ROLE_BINDINGS).map((r) => ({ r, cluster: true })),
        ];
        for (const { r, cluster } of all) {
            const namespace = cluster ? undefined : metaNamespace(r);
            const refKind = readString(r.props, "roleRef.kind");
            const refName = readString(r.props, "roleRef.name");
            if (refKind.state === "unknown" || refName.state === "unknown") {
                this.problems.push({ resource: r, path: "roleRef", state: "unknown", reason: "" });
                continue;
            }
            if (refName.state !== "known") {
                continue;
            }
            const role =
                refKind.state === "known" && refKind.value === "Role"
                    ? this.namespacedRoles.get(`${namespace}/${refName.value}`)
                    : this.clusterRoles.get(refName.value);
            const subjects: K8sSubject[] = [];
            const list = readArray(r.props, "subjects");
            if (list.state === "unknown" || list.state === "unreadable") {
                this.problems.push({ resource: r, path: list.path, state: list.state, reason: list.state === "unreadable" ? list.reason : "" });
            } else if (list.state === "known") {
                list.value.forEach((raw, i) => {
                    const kind = readString(raw, "kind", `subjects[${i}]`);
                    const name = readString(raw, "name", `subjects[${i}]`);
                    const ns = readString(raw, "namespace", `subjects[${i}]`);
                    if (kind.state === "unknown" || name.state === "unknown" || ns.state === "unknown") {
                        this.problems.push({ resource: r, path: `subjects[${i}]`, state: "unknown", reason: "" });
                        return;
                    }
                    if (kind.state !== "known" || name.state !== "known" || !["User", "Group", "ServiceAccount"].includes(kind.value)) {
                        return;
                    }
                    const subject = makeSubject(kind.value as SubjectKind, name.value, ns.state === "known" ? ns.value : namespace);
                    if (subject.kind === "ServiceAccount") {
                        this.addServiceAccount(subject.namespace!, subject.name);
                    }
                    subjects.push(this.subjects.get(subject.id) ?? subject);
                    this.subjects.set(subject.id, this.subjects.get(subject.id) ?? subject);
                });
            }
            this.bindings.push({ resource: r, namespace, role, roleRef: `${refKind.state === "known" ? refKind.value : "ClusterRole"} ${refName.value}`, subjects });
            if (!role) {
                continue; // a role outside the stack (not built in): grants nothing the analysis can see
            }
            for (const s of subjects) {
                const list = this.grants.get(s.id) ?? [];
                for (const rule of role.rules) {
                    list.push({ rule, namespace, binding: r, role });
                }
                this.grants.set(s.id, list);
            }
        }
    }

    /** Grants of a subject, including those to the groups every authenticated subject of its kind is in. */
    grantsOf(subject: K8sSubject): K8sGrant[] {
        const out = [...(this.grants.get(subject.id) ?? [])];
        const implicitGroups = ["system:authenticated"];
        if (subject.kind === "ServiceAccount") {
            implicitGroups.push("system:serviceaccounts", `system:serviceaccounts:${subject.namespace}`);
        }
        if (subject.kind !== "Group") {
            for (const g of implicitGroups) {
                out.push(...(this.grants.get(subjectId("Group", g)) ?? []));
            }
        }
        return out;
    }
}

export interface K8sRequest {
    apiGroup: string;
    resource: string;
    verb: string;
    /** undefined = any namespace. */
    namespace?: string;
    resourceName?: string;
}

function listHas(list: readonly string[], value: string): boolean {
    return list.includes("*") || list.includes(value);
}

function resourceHas(list: readonly string[], resource: string): boolean {
    if (list.includes("*") || list.includes(resource)) {
        return true;
    }
    const slash = resource.indexOf("/");
    if (slash > 0) {
        const [main, sub] = [resource.slice(0, slash), resource.slice(slash + 1)];
        return list.includes(`${main}/*`) || list.includes(`*/${sub}`);
    }
    return false;
}

/** A grant's rule may allow the request (resourceNames: any name when the request names none). */
export function grantAllows(g: K8sGrant, req: K8sRequest): boolean {
    if (g.namespace !== undefined && req.namespace !== undefined && g.namespace !== req.namespace) {
        return false;
    }
    const r = g.rule;
    if (!listHas(r.apiGroups, req.apiGroup) || !resourceHas(r.resources, req.resource) || !listHas(r.verbs, req.verb)) {
        return false;
    }
    if (r.resourceNames && req.resourceName !== undefined && !r.resourceNames.includes(req.resourceName)) {
        return false;
    }
    return true;
}

/** The first grant allowing the request, if any. */
export function findGrant(grants: readonly K8sGrant[], req: K8sRequest): K8sGrant | undefined {
    return grants.find((g) => grantAllows(g, req));
}

export function rbacModel(stack: StackModel): RbacModel {
    return stack.derive("rbac-model", (m) => new RbacModel(m));
}
