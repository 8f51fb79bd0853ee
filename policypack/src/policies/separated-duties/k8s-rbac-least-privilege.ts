import { resourcePolicy, ResourceSubject } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { isUnknown, readArray, readString } from "../../framework/values";
import { isBreakGlass } from "../../engine/duties/duties";
import { K8S_CLUSTER_ROLE_BINDINGS, K8S_CLUSTER_ROLES, K8S_ROLE_BINDINGS, K8S_ROLES } from "../../engine/rbac/model";

interface Config {
    allowedSubjects: string[];
    allowedRoles: string[];
}

const ESCALATING_VERBS = ["escalate", "bind", "impersonate"];
/** Resources on which a `*` verb includes escalate, bind or impersonate. */
const ESCALATION_RESOURCES = ["*", "roles", "clusterroles", "users", "groups", "serviceaccounts", "userextras/*", "uids"];
/** API groups whose resources include ones where `*` verbs include escalate, bind or impersonate. */
const ESCALATION_GROUPS = ["", "rbac.authorization.k8s.io", "authentication.k8s.io"];
/**
 * Subjects never to bind. The API server authenticates anonymous requests as user system:anonymous
 * in group system:unauthenticated; a binding written with the other kind is a mistake for the same
 * intent, so those two names are forbidden whatever the subject kind.
 */
const FORBIDDEN_NAMES: Record<string, string> = {
    "system:anonymous": "unauthenticated requests",
    "system:unauthenticated": "unauthenticated requests",
};
const FORBIDDEN_SUBJECTS: Record<string, string> = {
    "Group:system:masters": "a group that bypasses RBAC altogether",
};

function forbidden(kind: string, name: string, id: string): string | undefined {
    return kind === "ServiceAccount" ? undefined : FORBIDDEN_NAMES[name] ?? FORBIDDEN_SUBJECTS[id];
}

export const k8sRbacLeastPrivilege = resourcePolicy<Config>({
    name: "k8s-rbac-least-privilege",
    displayName: "Kubernetes RBAC grants no escalation",
    guarantee: "separated-duties",
    description: "Kubernetes Roles and bindings grant no escalation verbs, no `*` on `*`, and never bind cluster-admin or anonymous, unauthenticated or system:masters subjects.",
    rule:
        "Roles and ClusterRoles (all RBAC API versions, and their Patch variants) must not grant the verbs `escalate`, `bind` or " +
        "`impersonate`, nor `*` verbs on `*` resources or on resources where `*` includes those verbs (roles, clusterroles, users, " +
        "groups, serviceaccounts); roles named in `allowedRoles` are exempt. RoleBindings and ClusterRoleBindings must not bind the " +
        "`cluster-admin` ClusterRole (unless every subject is in `allowedSubjects`), and never bind `system:anonymous`, " +
        "`system:unauthenticated` (as a User or a Group) or the Group `system:masters`. Subjects are written `User:<name>`, `Group:<name>`, " +
        "`ServiceAccount:<namespace>/<name>` (globs allowed). Unknown rules or subjects in preview are verified at update.",
    why:
        "escalate, bind and impersonate let a subject grant itself any permission, including approving releases; cluster-admin " +
        "and system:masters bypass every separation; anonymous bindings give it to anyone who can reach the API server.",
    severity: "critical",
    remediationSteps:
        "Grant concrete verbs on concrete resources; give deployers `edit`-like rights in their namespaces only; keep cluster-admin " +
        "for a break-glass group listed in `allowedSubjects`; never bind anonymous or unauthenticated subjects.",
    config: {
        allowedSubjects: {
            description: "Subjects allowed to be bound to cluster-admin (break-glass), e.g. `Group:platform-break-glass`.",
            default: [],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
        allowedRoles: {
            description: "Role or ClusterRole names (`metadata.name`, globs allowed) exempt from the verb rules.",
            default: [],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
    },
    guards: [
        { types: [...K8S_ROLES, ...K8S_CLUSTER_ROLES], paths: ["rules"] },
        { types: [...K8S_ROLE_BINDINGS, ...K8S_CLUSTER_ROLE_BINDINGS], paths: ["roleRef", "subjects"] },
    ],
    resourceTypes: [...K8S_ROLES, ...K8S_CLUSTER_ROLES, ...K8S_ROLE_BINDINGS, ...K8S_CLUSTER_ROLE_BINDINGS],
    example: {
        compliant: 'rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "update", "patch"] }]',
        violating: 'rules: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind", "escalate"] }]',
    },
    check(resource, config, findings) {
        if (K8S_ROLES.includes(resource.type) || K8S_CLUSTER_ROLES.includes(resource.type)) {
            checkRole(resource, config, findings);
        } else {
            checkBinding(resource, config, findings);
        }
    },
});

function checkRole(role: ResourceSubject, config: Config, findings: Findings): void {
    const name = readString(role.props, "metadata.name");
    if (name.state === "known" && config.allowedRoles.length > 0 && isBreakGlass([name.value], config.allowedRoles)) {
        return;
    }
    const what = "the role grants no escalate, bind or impersonate verbs and no * on *";
    const rules = readArray(role.props, "rules");
    if (findings.unresolved(role, rules, what) || rules.state !== "known") {
        return;
    }
    rules.value.forEach((raw, i) => {
        const verbs = readArray(raw, "verbs", `rules[${i}]`);
        const resources = readArray(raw, "resources", `rules[${i}]`);
        const apiGroups = readArray(raw, "apiGroups", `rules[${i}]`);
        if (findings.unresolved(role, verbs, what) || findings.unresolved(role, resources, what) || findings.unresolved(role, apiGroups, what)) {
            return;
        }
        const vs = verbs.state === "known" ? verbs.value : [];
        const rs = resources.state === "known" ? resources.value : [];
        const gs = apiGroups.state === "known" ? apiGroups.value : [];
        if ([...vs, ...rs, ...gs].some(isUnknown)) {
            findings.notYetKnown(role, `rules[${i}]`, what);
            return;
        }
        const lower = vs.filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase());
        const res = rs.filter((r): r is string => typeof r === "string").map((r) => r.toLowerCase());
        const named = lower.filter((v) => ESCALATING_VERBS.includes(v));
        if (named.length > 0) {
            findings.violation(
                role,
                `rules[${i}].verbs grants ${named.map((v) => `"${v}"`).join(", ")} on ${JSON.stringify(res)}, which lets a subject grant itself or act as any permission; remove ${named.length > 1 ? "these verbs" : "this verb"} (bind concrete roles through reviewed bindings instead).`,
            );
            return;
        }
        if (lower.includes("*")) {
            const groups = gs.filter((g): g is string => typeof g === "string");
            // roles, serviceaccounts, ... matter only in the API groups that define them.
            const escalatingGroup = groups.includes("*") || groups.some((g) => ESCALATION_GROUPS.includes(g));
            const broad = res.filter((r) => r === "*" || (escalatingGroup && ESCALATION_RESOURCES.includes(r)));
            if (broad.length > 0) {
                findings.violation(role, `rules[${i}] grants "*" verbs on ${JSON.stringify(broad)} ${starScope(broad, groups, escalatingGroup)}; list the verbs and resources the subject needs.`);
            }
        }
    });
}

/** Where `*` verbs on these resources apply, named for the message: everything, or the API groups. */
function starScope(resources: string[], groups: string[], escalating: boolean): string {
    if (groups.includes("*")) {
        return resources.includes("*") ? "(everything)" : "in every API group, which includes escalate, bind or impersonate";
    }
    if (groups.length === 0) {
        return "with no apiGroups (the API server rejects such a rule)";
    }
    const named = groups.map((g) => (g === "" ? '"" (core)' : JSON.stringify(g))).join(", ");
    return `in API group${groups.length === 1 ? "" : "s"} ${named}${escalating ? ", which includes escalate, bind or impersonate" : ""}`;
}

function checkBinding(binding: ResourceSubject, config: Config, findings: Findings): void {
    const what = "the binding grants neither cluster-admin nor anonymous, unauthenticated or system:masters subjects";
    const refName = readString(binding.props, "roleRef.name");
    const refKind = readString(binding.props, "roleRef.kind");
    const subjects = readArray(binding.props, "subjects");
    if (findings.unresolved(binding, refName, what) || findings.unresolved(binding, subjects, what)) {
        return;
    }
    const names: string[] = [];
    const reported = new Set<string>();
    if (subjects.state === "known") {
        subjects.value.forEach((raw, i) => {
            const kind = readString(raw, "kind", `subjects[${i}]`);
            const name = readString(raw, "name", `subjects[${i}]`);
            const ns = readString(raw, "namespace", `subjects[${i}]`);
            if (kind.state === "unknown" || name.state === "unknown" || ns.state === "unknown") {
                findings.notYetKnown(binding, `subjects[${i}]`, what);
                return;
            }
            if (kind.state !== "known" || name.state !== "known") {
                return;
            }
            const id = kind.value === "ServiceAccount" ? `ServiceAccount:${ns.state === "known" ? ns.value : "default"}/${name.value}` : `${kind.value}:${name.value}`;
            names.push(id);
            const why = forbidden(kind.value, name.value, id);
            if (why) {
                reported.add(id);
                findings.violation(binding, `subjects[${i}] binds ${id} (${why}) to ${refKind.state === "known" ? refKind.value : "role"} "${refName.state === "known" ? refName.value : "?"}"; remove this subject.`);
            }
        });
    }
    const isClusterAdmin = refName.state === "known" && refName.value === "cluster-admin" && (refKind.state !== "known" || refKind.value === "ClusterRole");
    if (isClusterAdmin) {
        const notAllowed = names.filter((n) => !reported.has(n) && !(config.allowedSubjects.length > 0 && isBreakGlass([n], config.allowedSubjects)));
        if (notAllowed.length > 0) {
            findings.violation(
                binding,
                `roleRef binds the cluster-admin ClusterRole to ${notAllowed.join(", ")}, which bypasses every separation of duties in the cluster; bind a namespaced role with the verbs needed, or list a break-glass subject in allowedSubjects.`,
            );
        }
    }
}
