import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ReleaseApprovalTarget } from "../approved-release";
import {
    ArgValidator,
    LABEL_DUTY,
    LABEL_PURPOSE,
    PURPOSE_RELEASE_APPROVAL,
    RELEASE_APPROVAL_GROUP,
    RELEASE_APPROVAL_KIND,
    RELEASE_APPROVAL_VERSION,
    designatedLabels,
    resolveProtect,
} from "../common";

export { RELEASE_APPROVAL_GROUP, RELEASE_APPROVAL_KIND, RELEASE_APPROVAL_VERSION };
export const RELEASE_APPROVAL_PLURAL = "releaseapprovals";
/** `releaseapprovals.sealed-infra.io` */
export const RELEASE_APPROVAL_CRD_NAME = `${RELEASE_APPROVAL_PLURAL}.${RELEASE_APPROVAL_GROUP}`;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete"];

/** What the deployer ServiceAccount may do in its namespace: workloads and their plumbing, nothing else. */
export const DEPLOYER_RULES: k8s.types.input.rbac.v1.PolicyRule[] = [
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets", "replicasets"], verbs: [...READ, ...WRITE] },
    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: [...READ, ...WRITE] },
    { apiGroups: [""], resources: ["pods"], verbs: [...READ, "delete"] },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
    { apiGroups: [""], resources: ["services", "configmaps"], verbs: [...READ, ...WRITE] },
    { apiGroups: [""], resources: ["events"], verbs: READ },
    // Read-only: Pulumi's await logic watches a Service's endpoints and a StatefulSet's claims
    // before it reports them ready. Writing endpoints would let the deployer redirect a Service.
    { apiGroups: [""], resources: ["endpoints", "persistentvolumeclaims"], verbs: READ },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: [...READ, ...WRITE] },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: [...READ, ...WRITE] },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: [...READ, ...WRITE] },
    // Reading approvals lets CI check a release before deploying; writing them is the approver's duty.
    { apiGroups: [RELEASE_APPROVAL_GROUP], resources: [RELEASE_APPROVAL_PLURAL], verbs: READ },
];

/** What the approver group may do: manage ReleaseApproval objects, nothing else. */
export const APPROVER_RULES: k8s.types.input.rbac.v1.PolicyRule[] = [
    { apiGroups: [RELEASE_APPROVAL_GROUP], resources: [RELEASE_APPROVAL_PLURAL], verbs: [...READ, ...WRITE] },
];

/**
 * Resources whose pod specs the admission policy checks. Pods on CREATE and UPDATE (an image can be
 * swapped in a running pod), ephemeral containers added to a pod, and every workload controller on
 * CREATE and UPDATE. DELETE is never matched; neither are the `status` and `scale` subresources.
 */
export const ADMISSION_RULES = [
    { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"] },
    { apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["pods/ephemeralcontainers"] },
    { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["replicationcontrollers"] },
    {
        apiGroups: ["apps"],
        apiVersions: ["v1"],
        operations: ["CREATE", "UPDATE"],
        resources: ["deployments", "statefulsets", "daemonsets", "replicasets"],
    },
    { apiGroups: ["batch"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["jobs", "cronjobs"] },
];

/**
 * Requests the admission policy skips: updates of an object that is being deleted (the garbage
 * collector removes finalizers with a PATCH during a foreground delete; nothing new can run from an
 * object on its way out).
 */
export const ADMISSION_MATCH_CONDITIONS = [{ name: "not-being-deleted", expression: "!has(object.metadata.deletionTimestamp)" }];

/** The pod spec of a Pod, CronJob or any other workload kind, in CEL. */
const podSpecOf = (o: string) =>
    `${o}.kind == 'Pod' ? ${o}.spec : (${o}.kind == 'CronJob' ? ${o}.spec.jobTemplate.spec.template.spec : ${o}.spec.template.spec)`;
/** The images of a pod spec's containers, init containers and ephemeral containers, in CEL. */
const imagesOf = (spec: string) =>
    `${spec}.containers.map(c, c.image) + ` +
    `(has(${spec}.initContainers) ? ${spec}.initContainers.map(c, c.image) : []) + ` +
    `(has(${spec}.ephemeralContainers) ? ${spec}.ephemeralContainers.map(c, c.image) : [])`;

/**
 * The admission policy's CEL. `podSpec` finds the pod spec of every matched kind; `images` lists the
 * images of all containers, init containers and ephemeral containers. On CREATE every image must pass;
 * on UPDATE only the images that `oldObject` did not already run (`newImages`), so a controller can
 * still scale down or relabel an old ReplicaSet whose digests are no longer approved, while swapping
 * in a new image is checked. An image passes when it is pinned by a sha256 digest and that digest is
 * listed in the namespace's ReleaseApproval. Every new Pod is a CREATE and is checked in full, so a
 * revoked digest never starts again.
 */
export const ADMISSION_VARIABLES = [
    { name: "podSpec", expression: podSpecOf("object") },
    { name: "images", expression: imagesOf("variables.podSpec") },
    {
        name: "oldPodSpec",
        expression: `request.operation == 'UPDATE' && oldObject != null ? (${podSpecOf("oldObject")}) : null`,
    },
    { name: "oldImages", expression: `variables.oldPodSpec == null ? [] : ${imagesOf("variables.oldPodSpec")}` },
    { name: "newImages", expression: "variables.images.filter(i, !(i in variables.oldImages))" },
    { name: "unpinned", expression: "variables.newImages.filter(i, !i.matches('^[^@ ]+@sha256:[a-f0-9]{64}$'))" },
    {
        name: "approvedDigests",
        expression: "has(params.spec) && has(params.spec.digests) ? params.spec.digests : []",
    },
    {
        name: "unapproved",
        expression: "variables.newImages.filter(i, !variables.approvedDigests.exists(d, i.endsWith('@' + d)))",
    },
];

export const ADMISSION_VALIDATIONS = [
    {
        expression: "size(variables.unpinned) == 0",
        messageExpression: "'images must be pinned by digest (<repository>@sha256:<digest>): ' + variables.unpinned.join(', ')",
        reason: "Forbidden",
    },
    {
        expression: "size(variables.unapproved) == 0",
        messageExpression:
            "'images not approved by ReleaseApproval ' + params.metadata.name + ': ' + variables.unapproved.join(', ')",
        reason: "Forbidden",
    },
];

export interface DutyNamespaceArgs {
    /** Namespace name (lowercase DNS label). Default: the resource name. */
    namespace?: string;
    /** Name of the deployer ServiceAccount. Default `deployer`. */
    deployerServiceAccountName?: string;
    /**
     * Groups (as your authenticator names them, e.g. `release-approvers`) whose members may create and
     * change ReleaseApproval objects in the namespace, and nothing else. Required, at least one; no
     * `system:` groups.
     */
    approverGroups: string[];
    /**
     * Name of the ReleaseApproval object the admission policy reads in this namespace. Approvers create
     * it; until it exists every pod is rejected. Default `release`.
     */
    approvalName?: string;
    /**
     * The cluster's `releaseapprovals.sealed-infra.io` CRD when another DutyNamespace (or a separate
     * stack) already created it. Default: this component creates it (do that once per cluster).
     */
    releaseApprovalCrd?: k8s.apiextensions.v1.CustomResourceDefinition;
    /**
     * Extra rules for the deployer Role. Rules that would break the separation (RBAC objects, secrets,
     * exec/attach/port-forward, impersonation, ServiceAccount tokens, `*`, writing ReleaseApprovals,
     * admission policies or CRDs, writing the Namespace object, updating or patching pods, writing
     * endpoints or endpointslices) are rejected. Default none.
     */
    deployerRules?: k8s.types.input.rbac.v1.PolicyRule[];
    /** Extra namespace labels (the Pod Security labels cannot be overridden). */
    labels?: Record<string, string>;
    /** Pulumi `protect` for the admission policy and binding. Default `true` (or the component's `protect` option). */
    protect?: boolean;
}

/**
 * A namespace where deploying and approving are separate duties, enforced inside the cluster:
 * restricted Pod Security; a deployer ServiceAccount limited to workloads (no RBAC, secrets, exec or
 * impersonation); approver groups limited to `ReleaseApproval` objects; and a
 * ValidatingAdmissionPolicy (with the namespace's ReleaseApproval as its parameter) plus binding that
 * reject any pod whose images are not digest-pinned and approved (on updates: any image the object
 * did not already run).
 *
 * Needs Kubernetes 1.30 or later (`admissionregistration.k8s.io/v1` ValidatingAdmissionPolicy with
 * match conditions and variables).
 */
export class DutyNamespace extends pulumi.ComponentResource {
    /** The namespace (restricted Pod Security). */
    readonly namespace: k8s.core.v1.Namespace;
    /** The deployer ServiceAccount (no token mounted). */
    readonly deployerServiceAccount: k8s.core.v1.ServiceAccount;
    /** The deployer Role: workloads and their plumbing only. */
    readonly deployerRole: k8s.rbac.v1.Role;
    /** Binds the deployer Role to the deployer ServiceAccount. */
    readonly deployerRoleBinding: k8s.rbac.v1.RoleBinding;
    /** The approver Role: ReleaseApproval objects only. */
    readonly approverRole: k8s.rbac.v1.Role;
    /** Binds the approver Role to `approverGroups`. */
    readonly approverRoleBinding: k8s.rbac.v1.RoleBinding;
    /** The CRD, when this component created it. */
    readonly releaseApprovalCrd?: k8s.apiextensions.v1.CustomResourceDefinition;
    /** The admission policy: images digest-pinned and listed in the namespace's ReleaseApproval. */
    readonly admissionPolicy: k8s.admissionregistration.v1.ValidatingAdmissionPolicy;
    /** Binds the admission policy to this namespace, with its ReleaseApproval as the parameter. */
    readonly admissionPolicyBinding: k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
    /** Namespace name. */
    readonly namespaceName: pulumi.Output<string>;
    /** Name of the deployer ServiceAccount. */
    readonly deployerServiceAccountName: pulumi.Output<string>;
    /** Name of the ReleaseApproval object approvers maintain. */
    readonly approvalName: string;
    /** `sealed-infra.io/v1alpha1` */
    readonly releaseApprovalApiVersion: string;
    /** Name of the admission policy (cluster-scoped). */
    readonly admissionPolicyName: pulumi.Output<string>;

    constructor(name: string, args: DutyNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sealed-infra:kubernetes:DutyNamespace", name, {}, opts);
        const v = new ArgValidator("DutyNamespace", name);
        const nsName = args?.namespace ?? name;
        if (!DNS_LABEL.test(nsName) || nsName.length > 63) {
            throw v.error(`namespace "${nsName}" must be a lowercase DNS label`);
        }
        if (nsName.startsWith("kube-")) {
            throw v.error(`namespace "${nsName}" is reserved for the cluster`);
        }
        const saName = args.deployerServiceAccountName ?? "deployer";
        if (!DNS_SUBDOMAIN.test(saName)) {
            throw v.error(`deployerServiceAccountName "${saName}" must be a lowercase DNS name`);
        }
        const approvalName = args.approvalName ?? "release";
        if (!DNS_SUBDOMAIN.test(approvalName)) {
            throw v.error(`approvalName "${approvalName}" must be a lowercase DNS name`);
        }
        if (!Array.isArray(args.approverGroups) || args.approverGroups.length === 0) {
            throw v.error("approverGroups must name at least one group of release approvers");
        }
        for (const group of args.approverGroups) {
            if (typeof group !== "string" || group.trim() === "" || group.startsWith("system:")) {
                throw v.error(`approverGroups entry ${JSON.stringify(group)} must be a named group, not empty or a system: group`);
            }
        }
        for (const [i, rule] of (args.deployerRules ?? []).entries()) {
            const problem = deployerRuleProblem(rule);
            if (problem !== undefined) {
                throw v.error(`deployerRules[${i}] ${problem}`);
            }
        }
        const protect = resolveProtect(args.protect, opts);
        const podSecurity = {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
        };
        const parent = { parent: this };

        this.namespace = new k8s.core.v1.Namespace(
            name,
            { metadata: { name: nsName, labels: designatedLabels(v, args.labels, podSecurity) } },
            parent,
        );
        const ns = this.namespace.metadata.name;

        const purposeLabels = { [LABEL_PURPOSE]: PURPOSE_RELEASE_APPROVAL };
        if (args.releaseApprovalCrd === undefined) {
            this.releaseApprovalCrd = new k8s.apiextensions.v1.CustomResourceDefinition(
                `${name}-release-approvals`,
                releaseApprovalCrdSpec(purposeLabels),
                parent,
            );
        }
        const crd = args.releaseApprovalCrd ?? (this.releaseApprovalCrd as k8s.apiextensions.v1.CustomResourceDefinition);

        // Deployer: a ServiceAccount for CI, limited to workloads.
        const deployerLabels = { [LABEL_DUTY]: "deployer" };
        this.deployerServiceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-deployer`,
            { metadata: { name: saName, namespace: ns, labels: deployerLabels }, automountServiceAccountToken: false },
            parent,
        );
        this.deployerRole = new k8s.rbac.v1.Role(
            `${name}-deployer`,
            {
                metadata: { name: "sealed-infra-deployer", namespace: ns, labels: deployerLabels },
                rules: [...DEPLOYER_RULES, ...(args.deployerRules ?? [])],
            },
            parent,
        );
        this.deployerRoleBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-deployer`,
            {
                metadata: { name: "sealed-infra-deployer", namespace: ns, labels: deployerLabels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: this.deployerRole.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: this.deployerServiceAccount.metadata.name, namespace: ns }],
            },
            parent,
        );

        // Approvers: ReleaseApproval objects only.
        const approverLabels = { [LABEL_DUTY]: "approver" };
        this.approverRole = new k8s.rbac.v1.Role(
            `${name}-approver`,
            { metadata: { name: "sealed-infra-approver", namespace: ns, labels: approverLabels }, rules: APPROVER_RULES },
            { parent: this, dependsOn: [crd] },
        );
        this.approverRoleBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-approver`,
            {
                metadata: { name: "sealed-infra-approver", namespace: ns, labels: approverLabels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: this.approverRole.metadata.name },
                subjects: args.approverGroups.map((group) => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: group })),
            },
            parent,
        );

        // The in-cluster guard: images must be pinned and listed in the namespace's ReleaseApproval.
        const policyName = `sealed-infra-release-approval-${nsName}`;
        this.admissionPolicy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            `${name}-release-approval`,
            {
                metadata: { name: policyName, labels: purposeLabels },
                spec: {
                    failurePolicy: "Fail",
                    paramKind: { apiVersion: `${RELEASE_APPROVAL_GROUP}/${RELEASE_APPROVAL_VERSION}`, kind: RELEASE_APPROVAL_KIND },
                    matchConstraints: { resourceRules: ADMISSION_RULES },
                    matchConditions: ADMISSION_MATCH_CONDITIONS,
                    variables: ADMISSION_VARIABLES,
                    validations: ADMISSION_VALIDATIONS,
                },
            },
            { parent: this, protect, dependsOn: [crd] },
        );
        this.admissionPolicyBinding = new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            `${name}-release-approval`,
            {
                metadata: { name: policyName, labels: purposeLabels },
                spec: {
                    policyName: this.admissionPolicy.metadata.name,
                    validationActions: ["Deny"],
                    paramRef: { name: approvalName, namespace: ns, parameterNotFoundAction: "Deny" },
                    matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } },
                },
            },
            { parent: this, protect },
        );

        this.namespaceName = ns;
        this.deployerServiceAccountName = this.deployerServiceAccount.metadata.name;
        this.approvalName = approvalName;
        this.releaseApprovalApiVersion = `${RELEASE_APPROVAL_GROUP}/${RELEASE_APPROVAL_VERSION}`;
        this.admissionPolicyName = this.admissionPolicy.metadata.name;
        this.registerOutputs({
            namespaceName: this.namespaceName,
            deployerServiceAccountName: this.deployerServiceAccountName,
            approvalName: this.approvalName,
            admissionPolicyName: this.admissionPolicyName,
        });
    }

    /** This namespace's ReleaseApproval object, for `ApprovedRelease`'s `releaseApproval`. */
    releaseApprovalTarget(): ReleaseApprovalTarget {
        return { namespace: this.namespaceName, name: this.approvalName, crd: this.releaseApprovalCrd };
    }
}

/** The `releaseapprovals.sealed-infra.io` CustomResourceDefinition. */
export function releaseApprovalCrdSpec(labels: Record<string, string>): k8s.apiextensions.v1.CustomResourceDefinitionArgs {
    return {
        metadata: { name: RELEASE_APPROVAL_CRD_NAME, labels },
        spec: {
            group: RELEASE_APPROVAL_GROUP,
            scope: "Namespaced",
            names: {
                kind: RELEASE_APPROVAL_KIND,
                listKind: `${RELEASE_APPROVAL_KIND}List`,
                plural: RELEASE_APPROVAL_PLURAL,
                singular: "releaseapproval",
                shortNames: ["rapproval"],
            },
            versions: [
                {
                    name: RELEASE_APPROVAL_VERSION,
                    served: true,
                    storage: true,
                    schema: {
                        openAPIV3Schema: {
                            type: "object",
                            required: ["spec"],
                            properties: {
                                apiVersion: { type: "string" },
                                kind: { type: "string" },
                                metadata: { type: "object" },
                                spec: {
                                    type: "object",
                                    description: "A release approval: the image digests an approver admits into this namespace.",
                                    required: ["digests"],
                                    properties: {
                                        digests: {
                                            type: "array",
                                            description: "Approved image digests (sha256:<64 hex>).",
                                            maxItems: 1000,
                                            items: { type: "string", pattern: "^sha256:[a-f0-9]{64}$" },
                                        },
                                        release: { type: "string", description: "Release identifier (version, change ticket)." },
                                        approvedBy: { type: "string", description: "Who approved." },
                                        reason: { type: "string", description: "Why, or a link to the review." },
                                    },
                                },
                            },
                        },
                    },
                    additionalPrinterColumns: [
                        { name: "Release", type: "string", jsonPath: ".spec.release" },
                        { name: "Approved-By", type: "string", jsonPath: ".spec.approvedBy" },
                        { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
                    ],
                },
            ],
        },
    };
}

/** Why an extra deployer rule would break the separation, or undefined. */
export function deployerRuleProblem(rule: k8s.types.input.rbac.v1.PolicyRule): string | undefined {
    const list = (value: unknown): string[] | undefined =>
        value === undefined ? [] : Array.isArray(value) && value.every((x) => typeof x === "string") ? (value as string[]) : undefined;
    const groups = list(rule.apiGroups);
    const resources = list(rule.resources);
    const verbs = list(rule.verbs);
    if (groups === undefined || resources === undefined || verbs === undefined || rule.nonResourceURLs !== undefined) {
        return "must be a plain rule with apiGroups, resources and verbs (no Outputs, no nonResourceURLs)";
    }
    const badVerb = verbs.find((verb) => ["*", "escalate", "bind", "impersonate"].includes(verb));
    if (badVerb !== undefined) {
        return `grants the verb "${badVerb}"`;
    }
    if (groups.includes("*") || resources.includes("*")) {
        return 'uses "*"; list the API groups and resources';
    }
    if (groups.includes("rbac.authorization.k8s.io")) {
        return "grants RBAC objects, which would let the deployer grant itself anything";
    }
    const core = groups.includes("") || groups.length === 0;
    const forbidden = ["secrets", "pods/exec", "pods/attach", "pods/portforward", "serviceaccounts", "serviceaccounts/token", "pods/ephemeralcontainers"];
    const bad = resources.find((r) => forbidden.includes(r) || r.startsWith("secrets/"));
    if (bad !== undefined && core) {
        return `grants "${bad}", which the deployer duty must not hold`;
    }
    const writes = verbs.filter((verb) => !READ.includes(verb));
    const namespaces = resources.find((r) => r === "namespaces" || r.startsWith("namespaces/"));
    if (namespaces !== undefined && core && writes.length > 0) {
        return (
            `grants "${writes[0]}" on "${namespaces}": a Role may change its own Namespace object, ` +
            "whose labels set the Pod Security level; the namespace belongs to the platform"
        );
    }
    const podWrite = verbs.find((verb) => verb === "update" || verb === "patch");
    const pods = resources.find((r) => r === "pods" || r === "pods/status");
    if (pods !== undefined && core && podWrite !== undefined) {
        return `grants "${podWrite}" on "${pods}": running pods are changed by rolling their controller, not in place`;
    }
    const endpointWrite = verbs.find((verb) => WRITE.includes(verb) || verb === "deletecollection");
    const endpoints =
        (core ? resources.find((r) => r === "endpoints" || r.startsWith("endpoints/")) : undefined) ??
        (groups.includes("discovery.k8s.io") ? resources.find((r) => r === "endpointslices" || r.startsWith("endpointslices/")) : undefined);
    if (endpoints !== undefined && endpointWrite !== undefined) {
        return `grants "${endpointWrite}" on "${endpoints}", which would let the deployer send a Service's traffic anywhere; the endpoint controllers write them`;
    }
    if (groups.includes(RELEASE_APPROVAL_GROUP) && verbs.some((verb) => WRITE.includes(verb) || verb === "deletecollection")) {
        return "writes ReleaseApprovals, which is the approver's duty";
    }
    if (groups.includes("admissionregistration.k8s.io") || groups.includes("apiextensions.k8s.io")) {
        return "changes admission policies or CRDs, which would let the deployer remove the approval check";
    }
    return undefined;
}
