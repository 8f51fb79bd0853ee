import { resourcePolicy, ResourceSubject } from "../../framework/definition";
import { describe, formatPath, read, readArray, readBoolean, readObject, readString, Read } from "../../framework/values";
import { globMatch } from "../../shared/glob";
import { isPatchType, K8S_POD_SPEC_LOCATIONS, K8S_WORKLOADS, POD_CONTAINER_LISTS, podContainerLists, podSpecGuards } from "../../engine/resource-types";

interface Config {
    exemptNamespaces: string[];
    allowWindowsPods: boolean;
}

/** Container securityContext fields the guarantee needs, with the value required and what unset means. */
const SETTINGS = [
    { field: "readOnlyRootFilesystem", required: true, unset: "unset (defaults to false: the root filesystem is writable)" },
    { field: "allowPrivilegeEscalation", required: false, unset: "unset (defaults to true: setuid binaries can gain privileges)" },
] as const;

/** Fields people put on the pod-level securityContext, where Kubernetes has no such field. */
const CONTAINER_ONLY_FIELDS = ["readOnlyRootFilesystem", "allowPrivilegeEscalation", "privileged"] as const;

/** Guarded paths below a pod spec (engine/resource-types.ts podSpecGuards groups them per location). */
function guardedPaths(base: string): string[] {
    return [
        ...POD_CONTAINER_LISTS.map((list) => `${base}.${list}[*].securityContext`),
        `${base}.securityContext`,
        `${base}.os`,
        "metadata.namespace",
    ];
}

type Issue = { kind: "violation"; message: string } | { kind: "unresolved"; read: Extract<Read<unknown>, { state: "unknown" | "unreadable" }>; what: string };

export const k8sRuntimeReadOnly = resourcePolicy<Config>({
    name: "k8s-runtime-read-only",
    displayName: "Containers run read-only and unprivileged",
    guarantee: "immutable-artifacts",
    description:
        "Every Kubernetes container runs with a read-only root filesystem, cannot escalate privileges, and is not privileged, so what runs is exactly the approved image.",
    rule:
        "For every workload kind and API version (Pod, PodTemplate, ReplicationController, Deployment, StatefulSet, " +
        "DaemonSet, ReplicaSet, Job, and CronJob's `jobTemplate`) and their Patch variants, each entry of `containers`, " +
        "`initContainers` and `ephemeralContainers` must set `securityContext.readOnlyRootFilesystem: true` (unset is " +
        "false), `securityContext.allowPrivilegeEscalation: false` (unset is true) and must not set " +
        "`securityContext.privileged: true`. These fields exist only on the container's securityContext: the pod-level " +
        "`securityContext` has none of them, so setting them there has no effect and does not count. In a Patch, unset " +
        "fields keep the live object's values, so a container entry is held to the rule only when it sets `image` (it " +
        "defines what runs); explicit unsafe values are flagged in every entry. Pods with `spec.os.name: windows` cannot " +
        "set these fields at all and fail unless `allowWindowsPods` is true, in which case no container (and not the pod) " +
        "may be a HostProcess container. Workloads in `exemptNamespaces` are not checked.",
    why:
        "A writable root filesystem lets a compromised or misbehaving process download and run code that was never built, " +
        "scanned or approved, and lets it persist changes for the life of the container. Privilege escalation and " +
        "privileged mode give it the node. Immutable images only guarantee what runs while the container cannot change them.",
    severity: "high",
    remediationSteps:
        "In every container (including init and ephemeral containers) set " +
        "`securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false }` and remove `privileged: true`. " +
        "Mount an `emptyDir` volume where the process needs scratch space (e.g. /tmp). sealed-infra's `ImmutableWorkload` does this.",
    config: {
        exemptNamespaces: {
            description: "Namespaces (glob patterns, `*` any characters) whose workloads are not checked, e.g. node agents that must be privileged. Empty by default.",
            default: [],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
        allowWindowsPods: {
            description:
                "Accept Windows pods (`spec.os.name: windows`), which cannot have a read-only root filesystem; HostProcess containers are still refused.",
            default: false,
            schema: { type: "boolean" },
        },
    },
    guards: podSpecGuards(guardedPaths),
    resourceTypes: K8S_WORKLOADS,
    example: {
        compliant:
            'containers: [{ name: "api", image: "ghcr.io/acme/api@sha256:…",\n' +
            "    securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } }]",
        violating: 'containers: [{ name: "api", image: "ghcr.io/acme/api@sha256:…" }] // writable, may escalate',
    },
    check(resource, config, findings) {
        const location = K8S_POD_SPEC_LOCATIONS.get(resource.type);
        if (!location) {
            return;
        }
        const issues = podSpecIssues(resource, location, config);
        if (issues.length === 0) {
            return;
        }
        if (config.exemptNamespaces.length > 0) {
            const ns = readString(resource.props, "metadata.namespace");
            if (ns.state === "unknown" || ns.state === "unreadable") {
                findings.unresolved(resource, ns, `the workload is in an exempt namespace or every container runs read-only and unprivileged`);
                return;
            }
            const namespace = ns.state === "known" && ns.value !== "" ? ns.value : "default";
            if (config.exemptNamespaces.some((p) => globMatch(p, namespace))) {
                return;
            }
        }
        for (const issue of issues) {
            if (issue.kind === "violation") {
                findings.violation(resource, issue.message);
            } else {
                findings.unresolved(resource, issue.read, issue.what);
            }
        }
    },
});

function unresolved(r: Read<unknown>): r is Extract<Read<unknown>, { state: "unknown" | "unreadable" }> {
    return r.state === "unknown" || r.state === "unreadable";
}

function podSpecIssues(resource: ResourceSubject, location: readonly string[], config: Config): Issue[] {
    const issues: Issue[] = [];
    const patch = isPatchType(resource.type);
    const specPath = formatPath(location);
    const spec = readObject(resource.props, location);
    if (unresolved(spec)) {
        return [{ kind: "unresolved", read: spec, what: "every container runs read-only and unprivileged" }];
    }
    if (spec.state !== "known") {
        return []; // no pod spec: a Patch that does not touch it (the API rejects a workload without one)
    }

    const os = readString(spec.value, "os.name", specPath);
    if (unresolved(os)) {
        return [{ kind: "unresolved", read: os, what: "the pod runs Linux containers read-only and unprivileged" }];
    }
    if (os.state === "known" && os.value === "windows") {
        return windowsIssues(spec.value, specPath, config);
    }

    // Fields set on the pod-level securityContext, where they do nothing: named in the messages.
    const misplaced = CONTAINER_ONLY_FIELDS.filter((f) => read(spec.value, ["securityContext", f]).state !== "absent");
    const podHint = (field: string) =>
        (misplaced as readonly string[]).includes(field)
            ? ` (${specPath}.securityContext.${field} has no effect: the pod-level securityContext has no such field)`
            : "";

    for (const { list, read: containers, containers: found } of podContainerLists(spec.value, specPath)) {
        if (unresolved(containers)) {
            issues.push({ kind: "unresolved", read: containers, what: `every container in ${list} runs read-only and unprivileged` });
            continue;
        }
        found.forEach(({ container, at, name }) => {
            const who = name !== undefined ? `${at} (container "${name}")` : at;
            const what = `${who} runs with a read-only root filesystem, without privilege escalation and unprivileged`;
            const definesImage = read(container, "image").state !== "absent";
            const required = !patch || definesImage;
            const sc = readObject(container, "securityContext", at);
            if (unresolved(sc)) {
                issues.push({ kind: "unresolved", read: sc, what });
                return;
            }
            const problems: string[] = [];
            const fixes: string[] = [];
            for (const setting of SETTINGS) {
                const r = readBoolean(sc.state === "known" ? sc.value : undefined, setting.field, `${at}.securityContext`);
                if (unresolved(r)) {
                    issues.push({ kind: "unresolved", read: r, what });
                    continue;
                }
                if (r.state === "known") {
                    if (r.value !== setting.required) {
                        problems.push(`${r.path} is ${describe(r.value)}`);
                        fixes.push(`${setting.field}: ${setting.required}`);
                    }
                } else if (required) {
                    problems.push(`${r.path} is ${setting.unset}${podHint(setting.field)}`);
                    fixes.push(`${setting.field}: ${setting.required}`);
                }
            }
            const privileged = readBoolean(sc.state === "known" ? sc.value : undefined, "privileged", `${at}.securityContext`);
            if (unresolved(privileged)) {
                issues.push({ kind: "unresolved", read: privileged, what });
            } else if (privileged.state === "known" && privileged.value) {
                problems.push(`${privileged.path} is true (full access to the node)`);
            }
            if (problems.length > 0) {
                const inPatch = patch ? " in this patch" : "";
                const fix = [
                    ...(fixes.length > 0 ? [`set ${at}.securityContext: { ${fixes.join(", ")} }`] : []),
                    ...(privileged.state === "known" && privileged.value ? [`remove ${privileged.path}`] : []),
                ].join(" and ");
                const scratch = fixes.some((f) => f.startsWith("readOnlyRootFilesystem")) ? " (mount an emptyDir where the process needs to write)" : "";
                issues.push({
                    kind: "violation",
                    message: `${who}${inPatch}: ${problems.join("; ")}, so the container can change what it runs; ${fix}${scratch}.`,
                });
            }
        });
    }
    return issues;
}

function windowsIssues(spec: unknown, specPath: string, config: Config): Issue[] {
    if (!config.allowWindowsPods) {
        return [
            {
                kind: "violation",
                message:
                    `${specPath}.os.name is "windows": Kubernetes does not allow readOnlyRootFilesystem, allowPrivilegeEscalation or privileged on Windows pods, ` +
                    `so its containers cannot run with a read-only root filesystem; run the workload on Linux, or accept Windows pods with this policy's allowWindowsPods: true.`,
            },
        ];
    }
    const issues: Issue[] = [];
    const what = "no container of the Windows pod is a HostProcess container";
    const checkHostProcess = (holder: unknown, base: string) => {
        const r = readBoolean(holder, "securityContext.windowsOptions.hostProcess", base);
        if (unresolved(r)) {
            issues.push({ kind: "unresolved", read: r, what });
        } else if (r.state === "known" && r.value) {
            issues.push({
                kind: "violation",
                message: `${r.path} is true, so the container runs directly on the Windows node with its privileges; remove hostProcess: true.`,
            });
        }
    };
    checkHostProcess(spec, specPath);
    for (const list of POD_CONTAINER_LISTS) {
        const containers = readArray(spec, list, specPath);
        if (unresolved(containers)) {
            issues.push({ kind: "unresolved", read: containers, what });
            continue;
        }
        if (containers.state === "known") {
            containers.value.forEach((c, i) => checkHostProcess(c, `${containers.path}[${i}]`));
        }
    }
    return issues;
}
