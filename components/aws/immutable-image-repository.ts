import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgValidator, TAG_STORE, TagsInput, checkPrincipalArns, designatedTags, policyDocument, resolveProtect } from "../common";
import { createManagedKey } from "./keys";

/** ECR actions that write image content (layers and manifests). */
export const ECR_PUSH_ACTIONS = [
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
] as const;

/** ECR actions that read images. */
export const ECR_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"] as const;

export interface ImmutableImageRepositoryArgs {
    /** Repository name. Default: auto-named from the resource name. */
    repositoryName?: pulumi.Input<string>;
    /**
     * ARNs of the principals allowed to push images (e.g. the CI role that builds releases).
     * Required and non-empty; no wildcards. Everyone else is explicitly denied every push action,
     * even when an identity policy would allow it.
     */
    publisherPrincipalArns: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * ARNs of principals (roles, or account roots for other accounts) allowed to pull images through
     * the repository policy. Default: none beyond what identity policies in this account grant.
     */
    pullerPrincipalArns?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * ARN of a customer-managed KMS key for image encryption. Default: a new symmetric key with
     * rotation on and a 30-day deletion window.
     */
    kmsKeyArn?: pulumi.Input<string>;
    /**
     * Let principals delete images. Default `false`: the repository policy denies
     * `ecr:BatchDeleteImage` to everyone, so a released digest stays available (lifecycle policies,
     * run by ECR itself, are not affected).
     */
    allowImageDeletion?: boolean;
    /** Tags for every resource of the component; `sealed-infra:store=artifacts` is always set. */
    tags?: TagsInput;
    /** Pulumi `protect` for the repository and key. Default `true` (or the component's own `protect` option). */
    protect?: boolean;
}

/**
 * An ECR repository whose tags can never be moved: IMMUTABLE tags, scan on push, KMS encryption with
 * a customer key, and a repository policy that lets only the publisher push and named principals pull.
 */
export class ImmutableImageRepository extends pulumi.ComponentResource {
    readonly repository: aws.ecr.Repository;
    readonly repositoryPolicy: aws.ecr.RepositoryPolicy;
    /** Repository name. */
    readonly repositoryName: pulumi.Output<string>;
    /** Repository URL (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`); pin images as `${repositoryUrl}@sha256:…`. */
    readonly repositoryUrl: pulumi.Output<string>;
    readonly repositoryArn: pulumi.Output<string>;
    /** KMS key encrypting the images. */
    readonly kmsKeyArn: pulumi.Output<string>;
    /** The key created by the component, if any. */
    readonly kmsKey?: aws.kms.Key;

    constructor(name: string, args: ImmutableImageRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sealed-infra:aws:ImmutableImageRepository", name, {}, opts);
        const v = new ArgValidator("ImmutableImageRepository", name);
        if (args === undefined || args.publisherPrincipalArns === undefined) {
            throw v.error("publisherPrincipalArns is required: name the principal(s) allowed to push images");
        }
        const publishers = checkPrincipalArns(v, "publisherPrincipalArns", args.publisherPrincipalArns, { required: true });
        const pullers = checkPrincipalArns(v, "pullerPrincipalArns", args.pullerPrincipalArns ?? [], { required: false });
        const protect = resolveProtect(args.protect, opts);
        const tags = designatedTags(v, args.tags, { [TAG_STORE]: "artifacts" });

        if (args.kmsKeyArn === undefined) {
            this.kmsKey = createManagedKey(this, `${name}-key`, {
                description: `sealed-infra ImmutableImageRepository ${name} encryption key`,
                tags,
                protect,
            });
        }
        this.kmsKeyArn = this.kmsKey ? this.kmsKey.arn : pulumi.output(args.kmsKeyArn as pulumi.Input<string>);

        this.repository = new aws.ecr.Repository(
            name,
            {
                name: args.repositoryName,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: this.kmsKeyArn }],
                forceDelete: false,
                tags,
            },
            { parent: this, protect },
        );

        const statements: pulumi.Input<unknown>[] = [
            {
                Sid: "AllowPublisherPush",
                Effect: "Allow",
                Principal: { AWS: publishers },
                Action: [...ECR_PUSH_ACTIONS, ...ECR_PULL_ACTIONS],
            },
            {
                Sid: "DenyPushExceptPublisher",
                Effect: "Deny",
                Principal: "*",
                Action: [...ECR_PUSH_ACTIONS],
                Condition: { ArnNotLike: { "aws:PrincipalArn": publishers } },
            },
        ];
        this.repositoryPolicy = new aws.ecr.RepositoryPolicy(
            `${name}-policy`,
            {
                repository: this.repository.name,
                policy: pulumi.output(pullers).apply((p) =>
                    policyDocument([
                        ...statements,
                        ...(p.length > 0
                            ? [{ Sid: "AllowPull", Effect: "Allow", Principal: { AWS: p }, Action: [...ECR_PULL_ACTIONS] }]
                            : []),
                        ...(args.allowImageDeletion
                            ? []
                            : [{ Sid: "DenyImageDeletion", Effect: "Deny", Principal: "*", Action: ["ecr:BatchDeleteImage"] }]),
                    ]),
                ),
            },
            { parent: this, protect },
        );

        this.repositoryName = this.repository.name;
        this.repositoryUrl = this.repository.repositoryUrl;
        this.repositoryArn = this.repository.arn;
        this.registerOutputs({
            repositoryName: this.repositoryName,
            repositoryUrl: this.repositoryUrl,
            repositoryArn: this.repositoryArn,
            kmsKeyArn: this.kmsKeyArn,
        });
    }
}
