import { strict as assert } from "assert";
import { isCelError, run } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { DEPLOYER_RULES, DutyNamespace, RELEASE_APPROVAL_CRD_NAME, deployerRuleProblem } from "../../components";
import { Recorder, installMocks, record, settle, urnOf } from "./mocks";

const T = {
    ns: "kubernetes:core/v1:Namespace",
    sa: "kubernetes:core/v1:ServiceAccount",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    binding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    crd: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
    vap: "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
    vapb: "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
};

const digest = (c: string) => "sha256:" + c.repeat(64);
const APPROVED = digest("a");
const OTHER = digest("b");
const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop";

describe("components: DutyNamespace", () => {
    let recorder: Recorder;
    let component: DutyNamespace;
    before(async () => {
        installMocks();
        ({ component, recorder } = await record(() => new DutyNamespace("shop", { approverGroups: ["release-approvers"] })));
    });

    it("builds a restricted namespace, the ReleaseApproval CRD, separated deployer and approver RBAC, and the admission policy", async () => {
        const parent = await urnOf(component);
        assert.deepEqual(recorder.summary(), [
            `${T.vap}::shop-release-approval`,
            `${T.vapb}::shop-release-approval`,
            `${T.crd}::shop-release-approvals`,
            `${T.ns}::shop`,
            `${T.sa}::shop-deployer`,
            `${T.role}::shop-approver`,
            `${T.role}::shop-deployer`,
            `${T.binding}::shop-approver`,
            `${T.binding}::shop-deployer`,
            "sealed-infra:kubernetes:DutyNamespace::shop",
        ]);
        for (const r of recorder.resources.filter((r) => r.custom)) {
            assert.equal(r.parent, parent, `${r.name} is parented`);
        }
        assert.deepEqual(recorder.one(T.ns).inputs.metadata.labels, {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
        });

        const crd = recorder.one(T.crd).inputs;
        assert.equal(crd.metadata.name, RELEASE_APPROVAL_CRD_NAME);
        assert.equal(crd.metadata.name, "releaseapprovals.sealed-infra.io");
        assert.equal(crd.spec.group, "sealed-infra.io");
        assert.equal(crd.spec.scope, "Namespaced");
        assert.equal(crd.spec.names.kind, "ReleaseApproval");
        assert.equal(crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.digests.items.pattern, "^sha256:[a-f0-9]{64}$");

        // Deployer: workloads only, no RBAC, secrets, exec or impersonation.
        const sa = recorder.one(T.sa).inputs;
        assert.equal(sa.metadata.name, "deployer");
        assert.equal(sa.metadata.namespace, "shop");
        assert.deepEqual(sa.metadata.labels, { "sealed-infra.io/duty": "deployer" });
        const deployerRole = recorder.one(T.role, "shop-deployer").inputs;
        assert.deepEqual(deployerRole.rules, DEPLOYER_RULES);
        const granted = deployerRole.rules.flatMap((r: any) => r.resources);
        for (const forbidden of ["secrets", "pods/exec", "pods/attach", "pods/portforward", "serviceaccounts/token", "roles", "rolebindings"]) {
            assert.ok(!granted.includes(forbidden), `deployer cannot touch ${forbidden}`);
        }
        const verbs = deployerRole.rules.flatMap((r: any) => r.verbs);
        for (const forbidden of ["*", "escalate", "bind", "impersonate"]) {
            assert.ok(!verbs.includes(forbidden), `deployer has no ${forbidden} verb`);
        }
        // Pulumi's await logic reads a Service's endpoints and a StatefulSet's claims: read-only.
        assert.ok(
            deployerRole.rules.some(
                (r: any) => r.apiGroups.includes("") && r.resources.includes("endpoints") && r.resources.includes("persistentvolumeclaims"),
            ),
        );
        assert.ok(deployerRole.rules.some((r: any) => r.apiGroups.includes("discovery.k8s.io") && r.resources.includes("endpointslices")));
        for (const r of deployerRole.rules.filter((r: any) => r.resources.some((x: string) => ["endpoints", "endpointslices", "persistentvolumeclaims"].includes(x)))) {
            assert.deepEqual(r.verbs, ["get", "list", "watch"], `${r.resources} is read-only`);
        }
        const approvalRule: any = deployerRole.rules.find((r: any) => r.apiGroups.includes("sealed-infra.io"));
        assert.deepEqual(approvalRule.verbs, ["get", "list", "watch"], "the deployer only reads approvals");
        const deployerBinding = recorder.one(T.binding, "shop-deployer").inputs;
        assert.deepEqual(deployerBinding.subjects, [{ kind: "ServiceAccount", name: "deployer", namespace: "shop" }]);
        assert.deepEqual(deployerBinding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "sealed-infra-deployer" });

        // Approvers: ReleaseApprovals only.
        const approverRole = recorder.one(T.role, "shop-approver").inputs;
        assert.deepEqual(approverRole.rules, [
            { apiGroups: ["sealed-infra.io"], resources: ["releaseapprovals"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
        ]);
        assert.deepEqual(approverRole.metadata.labels, { "sealed-infra.io/duty": "approver" });
        assert.deepEqual(recorder.one(T.binding, "shop-approver").inputs.subjects, [
            { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "release-approvers" },
        ]);

        // The admission policy takes the ReleaseApproval as parameter; the binding scopes it to the namespace.
        const vap = recorder.one(T.vap);
        assert.equal(vap.protect, true);
        assert.equal(vap.inputs.metadata.name, "sealed-infra-release-approval-shop");
        assert.deepEqual(vap.inputs.metadata.labels, { "sealed-infra.io/purpose": "release-approval" });
        assert.equal(vap.inputs.spec.failurePolicy, "Fail");
        assert.deepEqual(vap.inputs.spec.paramKind, { apiVersion: "sealed-infra.io/v1alpha1", kind: "ReleaseApproval" });
        assert.ok(vap.dependencies.includes(recorder.one(T.crd).urn));
        const resources = vap.inputs.spec.matchConstraints.resourceRules.flatMap((r: any) => r.resources);
        for (const kind of ["pods", "pods/ephemeralcontainers", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs"]) {
            assert.ok(resources.includes(kind), kind);
        }
        // Pods are checked on UPDATE too (an image can be swapped in a running pod); DELETE never.
        const podRule = vap.inputs.spec.matchConstraints.resourceRules.find((r: any) => r.resources.includes("pods"));
        assert.deepEqual(podRule.operations, ["CREATE", "UPDATE"]);
        for (const rule of vap.inputs.spec.matchConstraints.resourceRules) {
            assert.ok(!rule.operations.includes("DELETE") && !rule.operations.includes("*"), `${rule.resources} is not matched on DELETE`);
        }
        // Objects being deleted are skipped, so the garbage collector's finalizer PATCH is never denied.
        assert.deepEqual(vap.inputs.spec.matchConditions, [{ name: "not-being-deleted", expression: "!has(object.metadata.deletionTimestamp)" }]);
        const vapb = recorder.one(T.vapb);
        assert.equal(vapb.protect, true);
        assert.deepEqual(vapb.inputs.spec, {
            policyName: "sealed-infra-release-approval-shop",
            validationActions: ["Deny"],
            paramRef: { name: "release", namespace: "shop", parameterNotFoundAction: "Deny" },
            matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } },
        });
    });

    it("reuses an existing CRD instead of creating a second one", async () => {
        const { recorder: r2 } = await record(
            () =>
                new DutyNamespace("billing", {
                    approverGroups: ["billing-approvers"],
                    releaseApprovalCrd: component.releaseApprovalCrd,
                    approvalName: "current",
                    protect: false,
                }),
        );
        assert.equal(r2.ofType(T.crd).length, 0);
        assert.equal(r2.one(T.vapb).inputs.spec.paramRef.name, "current");
        assert.equal(r2.one(T.vap).protect, false);
        assert.ok(r2.one(T.vap).dependencies.includes(await urnOf(component.releaseApprovalCrd!)));
    });

    it("accepts extra deployer rules that keep the separation (reading the namespace and endpoints, evicting pods)", async () => {
        const extra = [
            { apiGroups: [""], resources: ["namespaces"], verbs: ["get"] },
            { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
            { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
        ];
        for (const rule of extra) {
            assert.equal(deployerRuleProblem(rule), undefined, JSON.stringify(rule));
        }
        const { recorder: r3 } = await record(
            () => new DutyNamespace("extra", { approverGroups: ["x"], deployerRules: extra, releaseApprovalCrd: component.releaseApprovalCrd }),
        );
        assert.deepEqual(r3.one(T.role, "extra-deployer").inputs.rules, [...DEPLOYER_RULES, ...extra]);
    });

    describe("admission policy CEL, evaluated with @bufbuild/cel", () => {
        // The expressions come from the recorded resource inputs, so the test checks what is deployed.
        let spec: any;
        before(() => {
            spec = recorder.one(T.vap).inputs.spec;
        });

        const approval = (digests: string[] | undefined) => ({
            apiVersion: "sealed-infra.io/v1alpha1",
            kind: "ReleaseApproval",
            metadata: { name: "release", namespace: "shop" },
            spec: digests === undefined ? { release: "v1" } : { digests, release: "v1" },
        });
        const deployment = (images: string[], initImages: string[] = [], kind = "Deployment", metadata: object = {}) => ({
            apiVersion: "apps/v1",
            kind,
            metadata: { name: "web", namespace: "shop", ...metadata },
            spec: {
                template: {
                    spec: {
                        containers: images.map((image, i) => ({ name: `c${i}`, image })),
                        ...(initImages.length ? { initContainers: initImages.map((image, i) => ({ name: `i${i}`, image })) } : {}),
                    },
                },
            },
        });
        const pod = (images: string[], ephemeral: string[] = [], metadata: object = {}) => ({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "p", namespace: "shop", ...metadata },
            spec: {
                containers: images.map((image, i) => ({ name: `c${i}`, image })),
                ...(ephemeral.length ? { ephemeralContainers: ephemeral.map((image, i) => ({ name: `e${i}`, image })) } : {}),
            },
        });
        const cronJob = (images: string[]) => ({
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: { name: "nightly", namespace: "shop" },
            spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } } } } },
        });

        /**
         * Evaluates the policy as the API server does: match conditions (any false skips the policy),
         * variables in order, then every validation. `oldObject` is null on CREATE.
         */
        function admit(
            object: object,
            params: object,
            request: { operation: "CREATE" | "UPDATE"; oldObject?: object } = { operation: "CREATE" },
        ): { allowed: boolean; skipped?: boolean; messages: string[] } {
            const variables = new Map<string, unknown>();
            const oldObject = request.operation === "UPDATE" ? (request.oldObject ?? null) : null;
            const bindings = () => ({ object, oldObject, params, variables, request: { operation: request.operation } } as any);
            for (const condition of spec.matchConditions ?? []) {
                const matches = run(condition.expression, bindings(), { funcs: strings });
                if (isCelError(matches) || typeof matches !== "boolean") {
                    throw new Error(`match condition ${condition.name} did not give a boolean: ${String(matches)}`);
                }
                if (!matches) {
                    return { allowed: true, skipped: true, messages: [] };
                }
            }
            for (const v of spec.variables) {
                const value = run(v.expression, bindings(), { funcs: strings });
                if (isCelError(value)) {
                    throw new Error(`variable ${v.name} (${v.expression}) failed: ${String(value.message ?? value)}`);
                }
                variables.set(v.name, value);
            }
            const messages: string[] = [];
            for (const validation of spec.validations) {
                const ok = run(validation.expression, bindings(), { funcs: strings });
                if (isCelError(ok) || typeof ok !== "boolean") {
                    throw new Error(`validation ${validation.expression} did not give a boolean: ${String(ok)}`);
                }
                if (!ok) {
                    const message = run(validation.messageExpression, bindings(), { funcs: strings });
                    assert.equal(typeof message, "string", `messageExpression ${validation.messageExpression} gives a string`);
                    assert.equal(validation.reason, "Forbidden");
                    messages.push(message as string);
                }
            }
            return { allowed: messages.length === 0, messages };
        }

        it("admits digest-pinned, approved images (containers and init containers; tag plus digest too)", () => {
            assert.deepEqual(admit(deployment([`${REPO}@${APPROVED}`], [`${REPO}:1.2.3@${APPROVED}`]), approval([OTHER, APPROVED])), {
                allowed: true,
                messages: [],
            });
        });

        it("admits an approved Pod and CronJob", () => {
            assert.equal(admit(pod([`${REPO}@${APPROVED}`]), approval([APPROVED])).allowed, true);
            assert.equal(admit(cronJob([`${REPO}@${APPROVED}`]), approval([APPROVED])).allowed, true);
        });

        it("rejects a tag-only image, naming it", () => {
            const result = admit(deployment([`${REPO}@${APPROVED}`, "nginx:1.25"]), approval([APPROVED]));
            assert.equal(result.allowed, false);
            assert.deepEqual(result.messages, [
                "images must be pinned by digest (<repository>@sha256:<digest>): nginx:1.25",
                "images not approved by ReleaseApproval release: nginx:1.25",
            ]);
        });

        it("rejects a pinned image whose digest is not approved, naming it", () => {
            const result = admit(deployment([`${REPO}@${OTHER}`]), approval([APPROVED]));
            assert.deepEqual(result.messages, [`images not approved by ReleaseApproval release: ${REPO}@${OTHER}`]);
        });

        it("rejects an unapproved init container beside approved containers", () => {
            const result = admit(deployment([`${REPO}@${APPROVED}`], [`${REPO}@${OTHER}`]), approval([APPROVED]));
            assert.equal(result.allowed, false);
        });

        it("rejects a tag-only ephemeral container added to a running pod", () => {
            const result = admit(pod([`${REPO}@${APPROVED}`], ["busybox:latest"]), approval([APPROVED]));
            assert.deepEqual(result.messages[0], "images must be pinned by digest (<repository>@sha256:<digest>): busybox:latest");
        });

        it("rejects an unapproved CronJob image", () => {
            assert.equal(admit(cronJob([`${REPO}@${OTHER}`]), approval([APPROVED])).allowed, false);
        });

        it("rejects everything when the approval lists no digests", () => {
            assert.equal(admit(deployment([`${REPO}@${APPROVED}`]), approval(undefined)).allowed, false);
            assert.equal(admit(deployment([`${REPO}@${APPROVED}`]), approval([])).allowed, false);
        });

        describe("UPDATE: only images the object did not already run must be approved", () => {
            const replicaSet = (images: string[], replicas: number) => {
                const rs: any = deployment(images, [], "ReplicaSet");
                rs.spec.replicas = replicas;
                return rs;
            };

            it("admits the deployment controller scaling down the old ReplicaSet whose digest is no longer approved", () => {
                const old = replicaSet([`${REPO}@${OTHER}`], 3);
                const scaledDown = replicaSet([`${REPO}@${OTHER}`], 0);
                assert.deepEqual(admit(scaledDown, approval([APPROVED]), { operation: "UPDATE", oldObject: old }), { allowed: true, messages: [] });
                // The same object as a CREATE is checked in full.
                assert.equal(admit(scaledDown, approval([APPROVED])).allowed, false);
            });

            it("admits an update that keeps an image pinned by tag only (an object from before the policy)", () => {
                const old = deployment(["nginx:1.25"]);
                const relabelled = deployment(["nginx:1.25"], [], "Deployment", { labels: { team: "shop" } });
                assert.equal(admit(relabelled, approval([APPROVED]), { operation: "UPDATE", oldObject: old }).allowed, true);
            });

            it("rejects a rollout to an unapproved digest, naming only the new image", () => {
                const old = deployment([`${REPO}@${APPROVED}`], [`${REPO}@${OTHER}`]);
                const rolled = deployment([`${REPO}@${digest("c")}`], [`${REPO}@${OTHER}`]);
                assert.deepEqual(admit(rolled, approval([APPROVED]), { operation: "UPDATE", oldObject: old }).messages, [
                    `images not approved by ReleaseApproval release: ${REPO}@${digest("c")}`,
                ]);
            });

            it("rejects a new tag-only image on update, and admits a rollout from a revoked digest to an approved one", () => {
                const old = deployment([`${REPO}@${OTHER}`]);
                const tagged = admit(deployment([`${REPO}@${OTHER}`, "busybox:latest"]), approval([APPROVED]), { operation: "UPDATE", oldObject: old });
                assert.deepEqual(tagged.messages, [
                    "images must be pinned by digest (<repository>@sha256:<digest>): busybox:latest",
                    "images not approved by ReleaseApproval release: busybox:latest",
                ]);
                assert.equal(admit(deployment([`${REPO}@${APPROVED}`]), approval([APPROVED]), { operation: "UPDATE", oldObject: old }).allowed, true);
            });

            it("rejects swapping an unapproved image into a running Pod; admits a label change of a Pod running a revoked digest", () => {
                const running = pod([`${REPO}@${APPROVED}`]);
                assert.deepEqual(admit(pod([`${REPO}@${OTHER}`]), approval([APPROVED]), { operation: "UPDATE", oldObject: running }).messages, [
                    `images not approved by ReleaseApproval release: ${REPO}@${OTHER}`,
                ]);
                const revoked = pod([`${REPO}@${OTHER}`]);
                const relabelled = pod([`${REPO}@${OTHER}`], [], { labels: { "pod-template-hash": "x" } });
                assert.equal(admit(relabelled, approval([APPROVED]), { operation: "UPDATE", oldObject: revoked }).allowed, true);
            });

            it("rejects an unapproved ephemeral container added to a running Pod (pods/ephemeralcontainers UPDATE)", () => {
                const running = pod([`${REPO}@${APPROVED}`]);
                const debugged = pod([`${REPO}@${APPROVED}`], [`${REPO}@${OTHER}`]);
                assert.deepEqual(admit(debugged, approval([APPROVED]), { operation: "UPDATE", oldObject: running }).messages, [
                    `images not approved by ReleaseApproval release: ${REPO}@${OTHER}`,
                ]);
            });

            it("compares a CronJob's job template with the old one", () => {
                const old = cronJob([`${REPO}@${OTHER}`]);
                assert.equal(admit(cronJob([`${REPO}@${OTHER}`]), approval([APPROVED]), { operation: "UPDATE", oldObject: old }).allowed, true);
                assert.equal(admit(cronJob([`${REPO}@${digest("c")}`]), approval([APPROVED]), { operation: "UPDATE", oldObject: old }).allowed, false);
            });

            it("skips objects being deleted, so a foreground delete's finalizer PATCH goes through", () => {
                const deleting = { deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: [] };
                const old = deployment([`${REPO}@${OTHER}`], [], "ReplicaSet", { deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["foregroundDeletion"] });
                assert.deepEqual(admit(deployment([`${REPO}@${OTHER}`], [], "ReplicaSet", deleting), approval([APPROVED]), { operation: "UPDATE", oldObject: old }), {
                    allowed: true,
                    skipped: true,
                    messages: [],
                });
                // Without the deletionTimestamp the policy applies.
                assert.equal(admit(deployment([`${REPO}@${OTHER}`]), approval([APPROVED])).skipped, undefined);
            });
        });

        it("rejects malformed digests and a digest that only prefixes an approved one", () => {
            assert.equal(admit(deployment([`${REPO}@sha256:${"A".repeat(64)}`]), approval([APPROVED])).allowed, false);
            assert.equal(admit(deployment([`${REPO}@${APPROVED.slice(0, 40)}`]), approval([APPROVED])).allowed, false);
            assert.equal(admit(deployment([`${REPO}@${APPROVED}0`]), approval([APPROVED])).allowed, false);
        });
    });

    describe("rejects unsafe or invalid arguments at construction", () => {
        const cases: [string, () => unknown, RegExp][] = [
            ["no approver groups", () => new DutyNamespace("a", { approverGroups: [] }), /DutyNamespace "a": approverGroups must name at least one group/],
            [
                "system:masters as approvers",
                () => new DutyNamespace("b", { approverGroups: ["system:masters"] }),
                /approverGroups entry "system:masters" must be a named group, not empty or a system: group/,
            ],
            ["an invalid namespace name", () => new DutyNamespace("c", { namespace: "Shop_1", approverGroups: ["x"] }), /namespace "Shop_1" must be a lowercase DNS label/],
            ["a kube- namespace", () => new DutyNamespace("d", { namespace: "kube-system", approverGroups: ["x"] }), /namespace "kube-system" is reserved/],
            [
                "a deployer rule on secrets",
                () => new DutyNamespace("e", { approverGroups: ["x"], deployerRules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] }),
                /deployerRules\[0\] grants "secrets", which the deployer duty must not hold/,
            ],
            [
                "a deployer rule with exec",
                () => new DutyNamespace("f", { approverGroups: ["x"], deployerRules: [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }] }),
                /grants "pods\/exec"/,
            ],
            [
                "a deployer rule writing approvals",
                () => new DutyNamespace("g", { approverGroups: ["x"], deployerRules: [{ apiGroups: ["sealed-infra.io"], resources: ["releaseapprovals"], verbs: ["patch"] }] }),
                /writes ReleaseApprovals, which is the approver's duty/,
            ],
            [
                "a deployer rule on RBAC",
                () => new DutyNamespace("h", { approverGroups: ["x"], deployerRules: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create"] }] }),
                /grants RBAC objects/,
            ],
            [
                "a deployer rule with impersonate",
                () => new DutyNamespace("i", { approverGroups: ["x"], deployerRules: [{ apiGroups: [""], resources: ["users"], verbs: ["impersonate"] }] }),
                /grants the verb "impersonate"/,
            ],
            [
                "a deployer rule with *",
                () => new DutyNamespace("j", { approverGroups: ["x"], deployerRules: [{ apiGroups: ["apps"], resources: ["*"], verbs: ["get"] }] }),
                /uses "\*"/,
            ],
            [
                "a deployer rule on admission policies",
                () =>
                    new DutyNamespace("k", {
                        approverGroups: ["x"],
                        deployerRules: [{ apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingadmissionpolicybindings"], verbs: ["delete"] }],
                    }),
                /changes admission policies or CRDs/,
            ],
            [
                "a deployer rule patching its own Namespace (Pod Security labels)",
                () => new DutyNamespace("m", { approverGroups: ["x"], deployerRules: [{ apiGroups: [""], resources: ["namespaces"], verbs: ["get", "patch"] }] }),
                /deployerRules\[0\] grants "patch" on "namespaces": a Role may change its own Namespace object/,
            ],
            [
                "a deployer rule updating pods in place",
                () => new DutyNamespace("n", { approverGroups: ["x"], deployerRules: [{ apiGroups: [""], resources: ["pods"], verbs: ["update"] }] }),
                /grants "update" on "pods": running pods are changed by rolling their controller/,
            ],
            [
                "a deployer rule writing endpoints",
                () => new DutyNamespace("o", { approverGroups: ["x"], deployerRules: [{ apiGroups: [""], resources: ["endpoints"], verbs: ["create"] }] }),
                /grants "create" on "endpoints", which would let the deployer send a Service's traffic anywhere/,
            ],
            [
                "a deployer rule patching endpointslices",
                () =>
                    new DutyNamespace("p", {
                        approverGroups: ["x"],
                        deployerRules: [{ apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["patch"] }],
                    }),
                /grants "patch" on "endpointslices"/,
            ],
            [
                "a label overriding Pod Security",
                () => new DutyNamespace("l", { approverGroups: ["x"], labels: { "pod-security.kubernetes.io/enforce": "privileged" } }),
                /labels.pod-security.kubernetes.io\/enforce is "privileged", but this component sets pod-security.kubernetes.io\/enforce=restricted/,
            ],
        ];
        for (const [what, build, message] of cases) {
            it(what, async () => {
                assert.throws(build, message);
                await settle();
            });
        }
    });
});
