import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgValidator, TAG_STORE, TagsInput, checkPrincipalArns, designatedTags, isPlain, policyDocument, resolveProtect } from "../common";
import { createManagedKey } from "./keys";

/** ECR actions that write image content (layers and manifests). */
export const ECR_PUSH_ACTIONS = [
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
] as const;

/**
 * ECR actions that could undo the repository's guarantees: make tags mutable, replace or remove the
 * repository policy (and with it every deny). Only the account root and `policyAdminPrincipalArns`
 * may call them.
 */
export const ECR_ADMIN_ACTIONS = ["ecr:PutImageTagMutability", "ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy"] as const;

/**
 * ECR actions that delete images without `ecr:BatchDeleteImage`: a lifecycle policy (ECR expires the
 * images) and a forced repository deletion. Administrator-only unless `allowImageDeletion`.
 */
export const ECR_INDIRECT_DELETE_ACTIONS = ["ecr:PutLifecyclePolicy", "ecr:DeleteRepository"] as const;

/** ECR actions that read images. */
export const ECR_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"] as const;

export interface ImmutableImageRepositoryArgs {
    /** Repository name. Default: auto-named from the resource name. */
    repositoryName?: pulumi.Input<string>;
    /**
     * ARNs of the roles or users allowed to push images (e.g. the CI role that builds releases).
     * Required and non-empty; no wildcards and no account roots (the deny below matches
     * `aws:PrincipalArn`, which for a root ARN is only the root user, so every role would be locked
     * out). Everyone else is explicitly denied every push action, even when an identity policy would
     * allow it.
     */
    publisherPrincipalArns: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Role or user ARNs that may change the repository's tag mutability, its repository policy and
     * (unless `allowImageDeletion`) its lifecycle policy, and delete it. Everyone else, whatever IAM
     * allows, is denied these actions; the account root user always keeps them (break glass). Default:
     * none, so after the first deployment only the account root can change the repository policy
     * (e.g. add a puller) or destroy the repository: name the platform role that runs the stack.
     * Must not overlap the publishers.
     */
    policyAdminPrincipalArns?: pulumi.Input<pulumi.Input<string>[]>;
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
 * a customer key, and a repository policy that lets only the publisher push and named principals pull,
 * and lets only the account root and the named administrators make tags mutable or change the policy.
 */
export class ImmutableImageRepository extends pulumi.ComponentResource {
    /** The ECR repository (IMMUTABLE tags, scan on push, KMS). */
    readonly repository: aws.ecr.Repository;
    /** The repository policy: publishers push, pullers pull, administration and deletion denied to others. */
    readonly repositoryPolicy: aws.ecr.RepositoryPolicy;
    /** Repository name. */
    readonly repositoryName: pulumi.Output<string>;
    /** Repository URL (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`); pin images as `${repositoryUrl}@sha256:…`. */
    readonly repositoryUrl: pulumi.Output<string>;
    /** Repository ARN. */
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
        const publishers = checkPrincipalArns(v, "publisherPrincipalArns", args.publisherPrincipalArns, {
            required: true,
            allowRoot: false,
            rootProblem:
                "which the push deny (aws:PrincipalArn) would match only as the root user, locking every role of the account out of pushing",
        });
        const pullers = checkPrincipalArns(v, "pullerPrincipalArns", args.pullerPrincipalArns ?? [], { required: false });
        const admins = checkPrincipalArns(v, "policyAdminPrincipalArns", args.policyAdminPrincipalArns ?? [], { required: false });
        const publisherAdmin = (p: unknown[], a: unknown[]) => {
            const both = p.find((arn) => typeof arn === "string" && a.includes(arn));
            return both === undefined
                ? undefined
                : `"${both}" is both a publisher and a policy administrator; a publisher that can change the repository policy could make tags mutable`;
        };
        if (isPlain(args.publisherPrincipalArns) && isPlain(args.policyAdminPrincipalArns)) {
            const problem = publisherAdmin(args.publisherPrincipalArns as unknown[], args.policyAdminPrincipalArns as unknown[]);
            if (problem !== undefined) {
                throw v.error(problem);
            }
        }
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
        // The account root user of the account the repository lives in: the provider's caller identity
        // (known at plan time, so every preview shows the policy whole; the repository's ARN is not).
        const accountRoot = pulumi.interpolate`arn:${aws.getPartitionOutput({}, { parent: this }).partition}:iam::${aws.getCallerIdentityOutput({}, { parent: this }).accountId}:root`;
        this.repositoryPolicy = new aws.ecr.RepositoryPolicy(
            `${name}-policy`,
            {
                repository: this.repository.name,
                policy: pulumi.all([pullers, admins, publishers, accountRoot]).apply(([p, a, pub, root]) => {
                    const problem = publisherAdmin(pub, a);
                    if (problem !== undefined) {
                        throw v.error(problem);
                    }
                    return policyDocument([
                        ...statements,
                        ...(p.length > 0
                            ? [{ Sid: "AllowPull", Effect: "Allow", Principal: { AWS: p }, Action: [...ECR_PULL_ACTIONS] }]
                            : []),
                        ...(args.allowImageDeletion
                            ? []
                            : [{ Sid: "DenyImageDeletion", Effect: "Deny", Principal: "*", Action: ["ecr:BatchDeleteImage"] }]),
                        {
                            Sid: "DenyAdministrationExceptAdmins",
                            Effect: "Deny",
                            Principal: "*",
                            Action: [...ECR_ADMIN_ACTIONS, ...(args.allowImageDeletion ? [] : ECR_INDIRECT_DELETE_ACTIONS)],
                            Condition: { ArnNotLike: { "aws:PrincipalArn": [root, ...a.filter((arn) => arn !== root)] } },
                        },
                    ]);
                }),
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
