import { Read, readArray, readString } from "../framework/values";

/**
 * Type tokens the policies match on. Policies match by token string, never by importing provider
 * SDKs, so the pack stays light and covers the deprecated `…V2` aliases of @pulumi/aws v7 and the
 * aws-native equivalents. One place per resource family, so a new alias is added once.
 */

export const ECR_REPOSITORY = ["aws:ecr/repository:Repository", "aws-native:ecr:Repository"] as const;

/** A repository policy as its own resource (@pulumi/aws); aws-native repositories and templates embed theirs. */
export const ECR_REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy";

/** Templates that ECR applies to repositories it creates itself (pull-through cache, replication). */
export const ECR_REPOSITORY_CREATION_TEMPLATE = [
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
    "aws-native:ecr:RepositoryCreationTemplate",
] as const;

/** @pulumi/aws v7 `Bucket` (formerly BucketV2), its deprecated alias, and aws-native. */
export const S3_BUCKET = {
    current: "aws:s3/bucket:Bucket",
    deprecated: "aws:s3/bucketV2:BucketV2",
    native: "aws-native:s3:Bucket",
} as const;
export const S3_BUCKETS = [S3_BUCKET.current, S3_BUCKET.deprecated, S3_BUCKET.native] as const;

export const S3_BUCKET_VERSIONING = [
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
] as const;

export const ECS_TASK_DEFINITION = {
    aws: "aws:ecs/taskDefinition:TaskDefinition",
    native: "aws-native:ecs:TaskDefinition",
} as const;

export const ECS_SERVICE = {
    aws: "aws:ecs/service:Service",
    native: "aws-native:ecs:Service",
} as const;

export const LAMBDA_FUNCTION = {
    aws: "aws:lambda/function:Function",
    native: "aws-native:lambda:Function",
} as const;

/** Where a Kubernetes kind keeps its pod spec. */
export type PodSpecLocation = readonly string[];

const POD_SPEC_AT_SPEC: PodSpecLocation = ["spec"];
const POD_SPEC_IN_TEMPLATE: PodSpecLocation = ["spec", "template", "spec"];
const POD_SPEC_IN_POD_TEMPLATE: PodSpecLocation = ["template", "spec"];
const POD_SPEC_IN_CRONJOB: PodSpecLocation = ["spec", "jobTemplate", "spec", "template", "spec"];

/** apiVersion/kind pairs and where their pod spec is; each also exists as a `…Patch` type. */
const K8S_WORKLOAD_KINDS: ReadonlyArray<[string, PodSpecLocation]> = [
    ["core/v1:Pod", POD_SPEC_AT_SPEC],
    ["core/v1:PodTemplate", POD_SPEC_IN_POD_TEMPLATE],
    ["core/v1:ReplicationController", POD_SPEC_IN_TEMPLATE],
    ["apps/v1:Deployment", POD_SPEC_IN_TEMPLATE],
    ["apps/v1beta1:Deployment", POD_SPEC_IN_TEMPLATE],
    ["apps/v1beta2:Deployment", POD_SPEC_IN_TEMPLATE],
    ["extensions/v1beta1:Deployment", POD_SPEC_IN_TEMPLATE],
    ["apps/v1:StatefulSet", POD_SPEC_IN_TEMPLATE],
    ["apps/v1beta1:StatefulSet", POD_SPEC_IN_TEMPLATE],
    ["apps/v1beta2:StatefulSet", POD_SPEC_IN_TEMPLATE],
    ["apps/v1:DaemonSet", POD_SPEC_IN_TEMPLATE],
    ["apps/v1beta2:DaemonSet", POD_SPEC_IN_TEMPLATE],
    ["extensions/v1beta1:DaemonSet", POD_SPEC_IN_TEMPLATE],
    ["apps/v1:ReplicaSet", POD_SPEC_IN_TEMPLATE],
    ["apps/v1beta2:ReplicaSet", POD_SPEC_IN_TEMPLATE],
    ["extensions/v1beta1:ReplicaSet", POD_SPEC_IN_TEMPLATE],
    ["batch/v1:Job", POD_SPEC_IN_TEMPLATE],
    ["batch/v1:CronJob", POD_SPEC_IN_CRONJOB],
    ["batch/v1beta1:CronJob", POD_SPEC_IN_CRONJOB],
    ["batch/v2alpha1:CronJob", POD_SPEC_IN_CRONJOB],
];

/** Kubernetes type token -> location of its pod spec, for every workload kind and its Patch. */
export const K8S_POD_SPEC_LOCATIONS: ReadonlyMap<string, PodSpecLocation> = new Map(
    K8S_WORKLOAD_KINDS.flatMap(([kind, location]) => [
        [`kubernetes:${kind}`, location] as [string, PodSpecLocation],
        [`kubernetes:${kind}Patch`, location] as [string, PodSpecLocation],
    ]),
);

export const K8S_WORKLOADS: readonly string[] = [...K8S_POD_SPEC_LOCATIONS.keys()];

/** The container lists of a pod spec; all of them run code. */
export const POD_CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;

/**
 * Guarded paths for a pod-spec policy, one entry per pod-spec location, so that `ignoreChanges` on
 * unrelated fields (e.g. `spec.replicas` under an autoscaler) stays allowed. `pathsIn` gets the
 * location as a dotted prefix (`spec.template.spec`) and returns the paths to guard below it.
 */
export function podSpecGuards(pathsIn: (podSpec: string) => string[]): Array<{ types: string[]; paths: string[] }> {
    const byLocation = new Map<string, { types: string[]; paths: string[] }>();
    for (const [type, location] of K8S_POD_SPEC_LOCATIONS) {
        const key = location.join(".");
        const entry = byLocation.get(key) ?? { types: [], paths: pathsIn(key) };
        entry.types.push(type);
        byLocation.set(key, entry);
    }
    return [...byLocation.values()];
}

/** One container list of a pod spec: its read, and when known, each container with its path and name. */
export interface ContainerList {
    list: (typeof POD_CONTAINER_LISTS)[number];
    read: Read<unknown[]>;
    containers: Array<{ container: unknown; at: string; name?: string }>;
}

/** The container lists of a pod spec found at `base` (a display path, e.g. `spec.template.spec`). */
export function podContainerLists(podSpec: unknown, base: string): ContainerList[] {
    return POD_CONTAINER_LISTS.map((list) => {
        const r = readArray(podSpec, list, base);
        const containers =
            r.state === "known"
                ? r.value.map((container, i) => {
                      const name = readString(container, "name");
                      return { container, at: `${r.path}[${i}]`, name: name.state === "known" ? name.value : undefined };
                  })
                : [];
        return { list, read: r, containers };
    });
}

/** True for `kubernetes:*Patch` types (server-side apply patches: every field optional). */
export function isPatchType(type: string): boolean {
    return type.startsWith("kubernetes:") && type.endsWith("Patch");
}

// --- Records and keys (s3-object-lock, s3-no-early-expiration, s3-store-sealed, cloudtrail-tamper-evident,
// log-groups-retained, kms-keys-protected). Split S3 resources link to their bucket through `bucket`.

export const S3_BUCKET_OBJECT_LOCK = [
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
] as const;

export const S3_BUCKET_LIFECYCLE = [
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
] as const;

/** Per-bucket public access block (aws has no `…V2` alias; aws-native keeps it inline on the bucket). */
export const S3_BUCKET_PUBLIC_ACCESS_BLOCK = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"] as const;

/** Account-wide public access block: covers every bucket of the account. */
export const S3_ACCOUNT_PUBLIC_ACCESS_BLOCK = ["aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"] as const;

/** Bucket policies: aws `policy` (JSON string or document), aws-native `policyDocument`. */
export const S3_BUCKET_POLICY = {
    aws: "aws:s3/bucketPolicy:BucketPolicy",
    native: "aws-native:s3:BucketPolicy",
} as const;
export const S3_BUCKET_POLICIES = [S3_BUCKET_POLICY.aws, S3_BUCKET_POLICY.native] as const;

export const CLOUDTRAIL_TRAIL = {
    aws: "aws:cloudtrail/trail:Trail",
    native: "aws-native:cloudtrail:Trail",
} as const;
export const CLOUDTRAIL_TRAILS = [CLOUDTRAIL_TRAIL.aws, CLOUDTRAIL_TRAIL.native] as const;

export const LOG_GROUP = {
    aws: "aws:cloudwatch/logGroup:LogGroup",
    native: "aws-native:logs:LogGroup",
} as const;
export const LOG_GROUPS = [LOG_GROUP.aws, LOG_GROUP.native] as const;

export const KMS_KEY = {
    aws: "aws:kms/key:Key",
    external: "aws:kms/externalKey:ExternalKey",
    replica: "aws:kms/replicaKey:ReplicaKey",
    replicaExternal: "aws:kms/replicaExternalKey:ReplicaExternalKey",
    native: "aws-native:kms:Key",
    nativeReplica: "aws-native:kms:ReplicaKey",
} as const;
export const KMS_KEYS = Object.values(KMS_KEY);

/** A separate key policy attached to an existing key (aws only). */
export const KMS_KEY_POLICY = ["aws:kms/keyPolicy:KeyPolicy"] as const;

// --- Runtime immutability (lambda-code-signing-enforced, k8s-config-immutable, k8s-runtime-read-only,
// ec2-immutable-hosts).

export const LAMBDA_FUNCTIONS = [LAMBDA_FUNCTION.aws, LAMBDA_FUNCTION.native] as const;

/** Code-signing configs: aws `policies.untrustedArtifactOnDeployment`, aws-native `codeSigningPolicies.…`. */
export const LAMBDA_CODE_SIGNING_CONFIG = {
    aws: "aws:lambda/codeSigningConfig:CodeSigningConfig",
    native: "aws-native:lambda:CodeSigningConfig",
} as const;
export const LAMBDA_CODE_SIGNING_CONFIGS = [LAMBDA_CODE_SIGNING_CONFIG.aws, LAMBDA_CODE_SIGNING_CONFIG.native] as const;

/** Kubernetes ConfigMaps and Secrets (`immutable`), their Patch variants and List kinds. */
export const K8S_CONFIG_MAP = {
    object: "kubernetes:core/v1:ConfigMap",
    patch: "kubernetes:core/v1:ConfigMapPatch",
    list: "kubernetes:core/v1:ConfigMapList",
} as const;
export const K8S_SECRET = {
    object: "kubernetes:core/v1:Secret",
    patch: "kubernetes:core/v1:SecretPatch",
    list: "kubernetes:core/v1:SecretList",
} as const;
export const K8S_CONFIG_TYPES = [...Object.values(K8S_CONFIG_MAP), ...Object.values(K8S_SECRET)] as const;

/** EC2 hosts: instances and what launches them. aws-native property names differ (see ec2-immutable-hosts). */
export const EC2_INSTANCE = {
    aws: "aws:ec2/instance:Instance",
    spot: "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
    native: "aws-native:ec2:Instance",
} as const;
export const EC2_LAUNCH_TEMPLATE = {
    aws: "aws:ec2/launchTemplate:LaunchTemplate",
    native: "aws-native:ec2:LaunchTemplate",
} as const;
export const EC2_LAUNCH_CONFIGURATION = {
    aws: "aws:ec2/launchConfiguration:LaunchConfiguration",
    native: "aws-native:autoscaling:LaunchConfiguration",
} as const;
export const EC2_HOSTS = [
    ...Object.values(EC2_INSTANCE),
    ...Object.values(EC2_LAUNCH_TEMPLATE),
    ...Object.values(EC2_LAUNCH_CONFIGURATION),
] as const;
