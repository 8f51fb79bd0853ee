/**
 * A Kubernetes application, immutable and duty-separated by construction:
 *
 *   - DutyNamespace: restricted Pod Security; the CI ServiceAccount may only manage workloads; the
 *     `release-approvers` group may only manage ReleaseApproval objects; an admission policy admits
 *     a pod only when every image is digest-pinned and listed in the namespace's ReleaseApproval.
 *   - ImmutableConfig: configuration that cannot change in place (a change rolls the pods).
 *   - ImmutableWorkload: a Deployment of digest-pinned images with a read-only, non-root runtime.
 *
 * `npx sealed-infra check examples/k8s-app` reports no violation.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
// In your own program: import { ... } from "sealed-infra";
import { DutyNamespace, ImmutableConfig, ImmutableWorkload } from "../../components";

const config = new pulumi.Config();
// The release's image, pinned by digest (e.g. `${repositoryUrl}@sha256:…` from the AWS example).
const image =
    config.get("image") ??
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

const shop = new DutyNamespace("shop", { approverGroups: ["release-approvers"] });

const settings = new ImmutableConfig("shop-settings", {
    namespace: shop.namespaceName,
    data: { "shop.yaml": "listen: 0.0.0.0:8080\ncurrency: EUR\n" },
});
const flags = new ImmutableConfig("shop-flags", {
    namespace: shop.namespaceName,
    data: { CHECKOUT_V2: "true", LOG_LEVEL: "info" },
});

const web = new ImmutableWorkload("shop-web", {
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
});

new k8s.core.v1.Service("shop-web", {
    metadata: { namespace: shop.namespaceName },
    spec: { selector: web.selectorLabels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
});

export const namespace = shop.namespaceName;
export const deployerServiceAccount = shop.deployerServiceAccountName;
export const releaseApproval = pulumi.interpolate`${shop.releaseApprovalApiVersion} ReleaseApproval ${shop.namespaceName}/${shop.approvalName}`;
export const images = web.images;
