import * as k8s from "@pulumi/kubernetes";
import { ApprovedRelease } from "../../components";

// release-approved: the stack carries an approval, so every artifact it deploys must be covered by
// one that verifies against the pack's approverKeys. This "approval" was written and signed by the
// deployer with a key of their own ("ci-deployer", not in the pack config), lists only the checkout
// image, and the Deployment below runs a different, unapproved image.
const APPROVED = "sha256:" + "1".repeat(64);
const UNAPPROVED = "sha256:" + "2".repeat(64);

const manifest = JSON.stringify({
    approver: "ci-deployer",
    artifacts: [{ digest: APPROVED, kind: "image", name: "ghcr.io/acme/checkout" }],
    expires: "2099-01-01T00:00:00Z",
    format: "sealed-infra.io/release-manifest/v1",
    project: "sealed-infra-violations",
    reason: "self-approved hotfix",
    stack: "*",
});

new ApprovedRelease("self-approved-release", {
    manifest,
    signature: "MEUCIQDl3SgxQ1o2c3hI4VF7Ny8i9dRm1bJ4tqv8mKQy0v5YkAIgNq3xR8pWn6o2j7uTz5fL0cV1eD9aK4bH3mS2rE7gY6w=",
    keyId: "ci-deployer",
});

new k8s.apps.v1.Deployment("unapproved-release", {
    metadata: { namespace: "apps" },
    spec: {
        selector: { matchLabels: { app: "checkout" } },
        template: {
            metadata: { labels: { app: "checkout" } },
            spec: {
                containers: [
                    {
                        name: "checkout",
                        image: `ghcr.io/acme/checkout:2.0@${UNAPPROVED}`,
                        securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true },
                    },
                ],
            },
        },
    },
});
