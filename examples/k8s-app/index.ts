/**
 * A Kubernetes application, immutable and duty-separated by construction:
 *
 *   - DutyNamespace: restricted Pod Security; the CI ServiceAccount may only manage workloads; the
 *     `release-approvers` group may only manage ReleaseApproval objects; an admission policy admits
 *     a pod only when every image is digest-pinned and listed in the namespace's ReleaseApproval.
 *   - ReleaseApproval: the approved image digests (here: the one image this program deploys).
 *   - ImmutableConfig: configuration that cannot change in place (a change rolls the pods).
 *   - ImmutableWorkload: a Deployment of digest-pinned images with a read-only, non-root runtime.
 *
 * Deploying it as written (Kubernetes 1.30 or later, as a cluster administrator, since the program
 * creates a CRD, RBAC and an admission policy):
 *
 *   pulumi config set image <registry>/<repository>@sha256:<digest>
 *   pulumi up
 *
 * `image` must name an image the cluster can pull that runs as a non-root user (UID 65532 by
 * default) with a read-only root filesystem, listens on 8080 and answers GET /healthz; the default
 * below is a placeholder that only the offline check can use. The program creates the
 * ReleaseApproval before the workload, so the admission policy admits the pods.
 *
 * Who owns what in a real setup (one program here, so that it can be deployed and checked at once):
 *   - the platform stack, run by cluster administrators: the DutyNamespace (namespace, CRD, RBAC,
 *     admission policy and binding);
 *   - the approvers (members of `release-approvers`, through their own stack or `kubectl apply`, or
 *     rendered from a signed approval with ApprovedRelease in a stack they run): the ReleaseApproval;
 *   - the application stack, run as the deployer ServiceAccount: the ImmutableConfigs, the
 *     ImmutableWorkload and the Service. The deployer may read ReleaseApprovals but never write them.
 *
 * `npx sealed-infra check examples/k8s-app` reports no violation.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
// In your own program: import { ... } from "sealed-infra";
import { DutyNamespace, ImmutableConfig, ImmutableWorkload, RELEASE_APPROVAL_KIND } from "../../components";

const config = new pulumi.Config();
// The release's image, pinned by digest (e.g. `${repositoryUrl}@sha256:…` from the AWS example).
const image =
    config.get("image") ??
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
const digest = image.slice(image.lastIndexOf("@") + 1);
if (!/^sha256:[a-f0-9]{64}$/.test(digest)) {
    throw new Error(`config image "${image}" must be pinned by digest: <repository>@sha256:<64 hex>`);
}

// --- Platform stack (cluster administrators).
const shop = new DutyNamespace("shop", { approverGroups: ["release-approvers"] });

// --- Approvers: the ReleaseApproval the admission policy reads (spec.digests = approved digests).
const approval = new k8s.apiextensions.CustomResource(
    "shop-release",
    {
        apiVersion: shop.releaseApprovalApiVersion,
        kind: RELEASE_APPROVAL_KIND,
        metadata: { name: shop.approvalName, namespace: shop.namespaceName },
        spec: { digests: [digest], release: "shop example", approvedBy: "release-approvers", reason: "example deployment" },
    },
    { dependsOn: shop.releaseApprovalCrd ? [shop.releaseApprovalCrd] : [] },
);

// --- Application stack (the deployer ServiceAccount).
const settings = new ImmutableConfig("shop-settings", {
    namespace: shop.namespaceName,
    data: { "shop.yaml": "listen: 0.0.0.0:8080\ncurrency: EUR\n" },
});
const flags = new ImmutableConfig("shop-flags", {
    namespace: shop.namespaceName,
    data: { CHECKOUT_V2: "true", LOG_LEVEL: "info" },
});

const web = new ImmutableWorkload(
    "shop-web",
    {
        namespace: shop.namespaceName,
        replicas: 3,
        containers: [
            {
                name: "web",
                image,
                args: ["--config", "/etc/shop/shop.yaml"],
                ports: [{ name: "http", containerPort: 8080 }],
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
                readinessProbe: { httpGet: { path: "/healthz", port: "http" } },
            },
        ],
        config: [{ config: settings, mountPath: "/etc/shop" }, { config: flags }],
    },
    // The pods are admitted only once the approval lists their digest (and the policy is bound).
    { dependsOn: [approval, shop.admissionPolicyBinding] },
);

new k8s.core.v1.Service("shop-web", {
    metadata: { namespace: shop.namespaceName },
    spec: { selector: web.selectorLabels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
});

export const namespace = shop.namespaceName;
export const deployerServiceAccount = shop.deployerServiceAccountName;
export const releaseApproval = pulumi.interpolate`${shop.releaseApprovalApiVersion} ReleaseApproval ${shop.namespaceName}/${approval.metadata.name}`;
export const approvedDigests = [digest];
export const images = web.images;
