import { resourcePolicy, ResourceSubject } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { read, readArray, readBoolean, readString } from "../../framework/values";
import { globMatch } from "../../shared/glob";
import { K8S_CONFIG_MAP, K8S_CONFIG_TYPES, K8S_SECRET } from "../../engine/resource-types";

interface Config {
    exemptNamespaces: string[];
    exemptSecretTypes: string[];
}

/** Fields whose change means the object's content changes (metadata changes are allowed on immutable objects). */
const CONTENT_FIELDS = ["data", "binaryData", "stringData"] as const;

const PATCHES: ReadonlySet<string> = new Set([K8S_CONFIG_MAP.patch, K8S_SECRET.patch]);
const LISTS: ReadonlySet<string> = new Set([K8S_CONFIG_MAP.list, K8S_SECRET.list]);

export const k8sConfigImmutable = resourcePolicy<Config>({
    name: "k8s-config-immutable",
    displayName: "Kubernetes ConfigMaps and Secrets are immutable",
    guarantee: "immutable-artifacts",
    description:
        "Kubernetes ConfigMaps and Secrets set `immutable: true`, so the configuration a workload was approved with cannot be edited underneath it; a change is a new object and a new rollout.",
    rule:
        "Every `kubernetes:core/v1:ConfigMap` and `Secret` must set `immutable: true`; unset means mutable (the Kubernetes " +
        "default). The items of `ConfigMapList`/`SecretList` are checked the same way. A `ConfigMapPatch`/`SecretPatch` must " +
        "not set `immutable: false`, and a patch that sets `data`, `binaryData` or `stringData` must also set " +
        "`immutable: true` (changing the content of an existing object only works while it is mutable); a patch that only " +
        "changes metadata passes (Kubernetes allows that on immutable objects). Exempt: objects in `exemptNamespaces` " +
        "(by `metadata.namespace`; unset is the provider's namespace, normally `default`, glob patterns allowed) and Secrets " +
        "whose `type` is in `exemptSecretTypes` (service-account token Secrets are filled in by the token controller after " +
        "creation, so they cannot be immutable).",
    why:
        "A mutable ConfigMap or Secret can be edited in place (`kubectl edit`, a stray apply) and running pods pick up the " +
        "change on their next restart or volume sync, without a new image, a new review or a new rollout: the deployed " +
        "configuration stops being the approved one and nothing records the switch. Immutable objects also spare the API " +
        "server the watches.",
    severity: "medium",
    remediationSteps:
        "Set `immutable: true` and give the object a content-derived name (e.g. suffix a hash of its data), so a change " +
        "creates a new object and rolls the workloads that reference it; sealed-infra's `ImmutableConfig` does this. Objects " +
        "that controllers must keep editing belong in an exempt namespace (config `exemptNamespaces`).",
    config: {
        exemptNamespaces: {
            description:
                "Namespaces (glob patterns, `*` any characters) whose ConfigMaps and Secrets may stay mutable, such as the control plane's own namespaces.",
            default: ["kube-system", "kube-public", "kube-node-lease"],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
        exemptSecretTypes: {
            description: "Secret `type`s that may stay mutable because a controller fills them in after creation.",
            default: ["kubernetes.io/service-account-token"],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
    },
    guards: [
        { types: [K8S_CONFIG_MAP.object, K8S_SECRET.object, K8S_CONFIG_MAP.patch, K8S_SECRET.patch], paths: ["immutable", "metadata.namespace"] },
        { types: [K8S_SECRET.object, K8S_SECRET.patch], paths: ["type"] },
        { types: [K8S_CONFIG_MAP.list, K8S_SECRET.list], paths: ["items[*].immutable", "items[*].metadata.namespace", "items[*].type"] },
    ],
    resourceTypes: [...K8S_CONFIG_TYPES],
    example: {
        compliant: 'new k8s.core.v1.ConfigMap("app-config-3f2a9c", { immutable: true, data: { LOG_LEVEL: "info" } });',
        violating: 'new k8s.core.v1.ConfigMap("app-config", { data: { LOG_LEVEL: "info" } }); // mutable',
    },
    check(resource, config, findings) {
        if (LISTS.has(resource.type)) {
            const items = readArray(resource.props, "items");
            if (findings.unresolved(resource, items, "every item sets immutable: true")) {
                return;
            }
            if (items.state === "known") {
                items.value.forEach((_, i) => checkObject(resource, `items[${i}]`, false, config, findings));
            }
            return;
        }
        checkObject(resource, "", PATCHES.has(resource.type), config, findings);
    },
});

function kindOf(resource: ResourceSubject): string {
    return resource.type === K8S_SECRET.object || resource.type === K8S_SECRET.patch || resource.type === K8S_SECRET.list ? "Secret" : "ConfigMap";
}

/** Checks the object at `base` ("" for the resource itself, `items[i]` in a List). */
function checkObject(resource: ResourceSubject, base: string, patch: boolean, config: Config, findings: Findings): void {
    const kind = kindOf(resource);
    const at = (p: string) => (base ? `${base}.${p}` : p);
    const root = base ? read(resource.props, base) : { state: "known" as const, value: resource.props, path: "" };
    if (root.state !== "known") {
        findings.unresolved(resource, root, `the ${kind} sets immutable: true`);
        return;
    }
    const objectName = readString(root.value, "metadata.name");
    const who = base ? `${base} (${kind}${objectName.state === "known" ? ` "${objectName.value}"` : ""})` : `the ${kind}`;
    const what = `${who} sets immutable: true`;

    const immutable = readBoolean(root.value, "immutable", base);
    if (findings.unresolved(resource, immutable, what)) {
        return;
    }
    if (immutable.state === "known" && immutable.value) {
        return;
    }
    if (patch) {
        const changesContent = CONTENT_FIELDS.filter((f) => read(root.value, f).state !== "absent");
        if (immutable.state === "absent" && changesContent.length === 0) {
            return; // a metadata-only patch: allowed on immutable objects
        }
    }

    // Not immutable: exempt?
    const exemption = exempt(resource, root.value, base, kind, config, findings);
    if (exemption !== false) {
        return; // exempt, or reported as not yet known
    }

    const fix = `set ${at("immutable")}: true and give the ${kind} a content-derived name so that a change creates a new object`;
    if (patch) {
        const changesContent = CONTENT_FIELDS.filter((f) => read(root.value, f).state !== "absent");
        if (immutable.state === "known") {
            findings.violation(resource, `${at("immutable")} is false, so the patch makes the ${kind} editable in place; remove immutable: false and ${fix}.`);
        } else {
            findings.violation(
                resource,
                `the patch changes ${changesContent.join(", ")} of an existing ${kind} without setting immutable: true (${at("immutable")} is unset), which relies on the ${kind} staying mutable; create a new immutable ${kind} instead, or ${fix}.`,
            );
        }
        return;
    }
    const found = immutable.state === "known" ? "false" : "unset (Kubernetes defaults to mutable)";
    findings.violation(
        resource,
        `${at("immutable")} is ${found}, so ${who} can be edited in place and running pods pick up unreviewed configuration; ${fix}.`,
    );
}

/** true: exempt; "reported": a value the exemption depends on is unresolved (reported); false: not exempt. */
function exempt(resource: ResourceSubject, object: unknown, base: string, kind: string, config: Config, findings: Findings): true | "reported" | false {
    const mutableWhat = `the mutable ${kind} is in an exempt namespace (${config.exemptNamespaces.join(", ") || "none configured"}) or sets immutable: true`;
    if (kind === "Secret" && config.exemptSecretTypes.length > 0) {
        const type = readString(object, "type", base);
        if (findings.unresolved(resource, type, mutableWhat)) {
            return "reported";
        }
        if (type.state === "known" && config.exemptSecretTypes.includes(type.value)) {
            return true;
        }
    }
    if (config.exemptNamespaces.length === 0) {
        return false;
    }
    const ns = readString(object, "metadata.namespace", base);
    if (findings.unresolved(resource, ns, mutableWhat)) {
        return "reported";
    }
    const namespace = ns.state === "known" && ns.value !== "" ? ns.value : "default";
    return config.exemptNamespaces.some((p) => globMatch(p, namespace)) ? true : false;
}
