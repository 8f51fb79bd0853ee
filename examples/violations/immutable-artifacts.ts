import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";

// ecr-tags-immutable: tags left MUTABLE (the AWS default).
new aws.ecr.Repository("mutable-images", {});

// images-pinned-by-digest: a tag-only image in a Deployment, and a CronJob init container.
new k8s.apps.v1.Deployment("tag-only-web", {
    spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "nginx:1.25" }] },
        },
    },
});
new k8s.batch.v1.CronJob("nightly", {
    spec: {
        schedule: "0 3 * * *",
        jobTemplate: {
            spec: {
                template: {
                    spec: {
                        restartPolicy: "OnFailure",
                        initContainers: [{ name: "migrate", image: "ghcr.io/acme/migrate:latest" }],
                        containers: [{ name: "job", image: "ghcr.io/acme/job@sha256:" + "a".repeat(64) }],
                    },
                },
            },
        },
    },
});

// s3-versioning-enabled: versioning suspended on a linked resource, and a bucket with none.
const suspended = new aws.s3.Bucket("suspended-versioning", {});
new aws.s3.BucketVersioning("suspended-versioning", {
    bucket: suspended.id,
    versioningConfiguration: { status: "Suspended" },
});
new aws.s3.Bucket("unversioned", {});
