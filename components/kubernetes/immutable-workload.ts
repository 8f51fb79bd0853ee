import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgValidator, Integer } from "../common";
import { ImmutableConfig } from "./immutable-config";
import { digestPinProblem, registryOf } from "./images";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Default UID/GID: the `nonroot` user of distroless images. */
export const DEFAULT_RUN_AS_USER = 65532;

/** A container of an ImmutableWorkload: its image must be pinned by digest. */
export interface WorkloadContainer {
    /** Container name (lowercase DNS label), unique within the pod. */
    name: string;
    /**
     * Image pinned by digest: `<repository>@sha256:<64 hex>` (a tag may precede the digest). A
     * tag-only image is an error at construction naming this container; an image that is an
     * Output is checked when it resolves.
     */
    image: pulumi.Input<string>;
    /** Entrypoint override. */
    command?: pulumi.Input<pulumi.Input<string>[]>;
    /** Arguments. */
    args?: pulumi.Input<pulumi.Input<string>[]>;
    /** Environment variables. */
    env?: pulumi.Input<pulumi.Input<k8s.types.input.core.v1.EnvVar>[]>;
    /** Ports. */
    ports?: pulumi.Input<pulumi.Input<k8s.types.input.core.v1.ContainerPort>[]>;
    /** CPU and memory requests and limits. */
    resources?: pulumi.Input<k8s.types.input.core.v1.ResourceRequirements>;
    /** Readiness probe. */
    readinessProbe?: pulumi.Input<k8s.types.input.core.v1.Probe>;
    /** Liveness probe. */
    livenessProbe?: pulumi.Input<k8s.types.input.core.v1.Probe>;
    /** Startup probe. */
    startupProbe?: pulumi.Input<k8s.types.input.core.v1.Probe>;
    /**
     * Add the `NET_BIND_SERVICE` capability (binding ports below 1024) after dropping ALL: the only
     * capability the restricted Pod Security level lets a container add. Default `false`.
     */
    netBindService?: boolean;
}

/** Configuration from an `ImmutableConfig`, mounted as files or exposed as environment variables. */
export interface WorkloadConfig {
    /** The ConfigMap or Secret. Only `ImmutableConfig` is accepted, so configuration cannot change under a running pod. */
    config: ImmutableConfig;
    /** Mount the keys as files, read-only, at this absolute path in every container. Default: expose them as environment variables (`envFrom`). */
    mountPath?: string;
}

export interface ImmutableWorkloadArgs {
    /** Namespace. Default: the provider's namespace. */
    namespace?: pulumi.Input<string>;
    /** Deployment name. Default: auto-named from the resource name. */
    deploymentName?: string;
    /** The application containers. At least one. */
    containers: WorkloadContainer[];
    /** Init containers, held to the same rules. Default none. */
    initContainers?: WorkloadContainer[];
    /** Replicas. Default 2. */
    replicas?: pulumi.Input<Integer>;
    /** Configuration objects. Default none. */
    config?: WorkloadConfig[];
    /**
     * Absolute paths that get a writable, pod-local `emptyDir` in every container (the root
     * filesystem is read-only). Default `["/tmp"]`.
     */
    writablePaths?: string[];
    /** UID the containers run as; must not be 0. Default 65532. */
    runAsUser?: Integer;
    /** GID the containers run as; must not be 0. Default 65532. */
    runAsGroup?: Integer;
    /** Group owning mounted volumes. Default: `runAsGroup`. */
    fsGroup?: Integer;
    /** Service account the pods run as. Default: the namespace's `default`. */
    serviceAccountName?: pulumi.Input<string>;
    /** Mount the service account token into the pods. Default `false`. */
    automountServiceAccountToken?: boolean;
    /** Registries images may come from (e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com`). Default: any. */
    allowedRegistries?: string[];
    /** Extra labels on the Deployment and its pods (the selector labels cannot be overridden). */
    labels?: Record<string, string>;
    /** Annotations on the Deployment. */
    annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Annotations on the pod template. */
    podAnnotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * A Deployment that runs exactly the images it names and cannot be changed from inside: every image
 * digest-pinned (a tag-only image is an error at construction), read-only root filesystem, non-root,
 * no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, no service account token
 * unless asked, and configuration only from `ImmutableConfig` objects. The component's `dependsOn`
 * option also orders the Deployment (e.g. after the namespace's ReleaseApproval).
 */
export class ImmutableWorkload extends pulumi.ComponentResource {
    /** The Deployment. */
    readonly deployment: k8s.apps.v1.Deployment;
    /** Deployment name. */
    readonly name: pulumi.Output<string>;
    /** Namespace of the Deployment. */
    readonly namespace: pulumi.Output<string>;
    /** Labels selecting the pods (use them in a Service). */
    readonly selectorLabels: Record<string, string>;
    /** The images, in container order (init containers first). */
    readonly images: pulumi.Output<string[]>;

    constructor(name: string, args: ImmutableWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sealed-infra:kubernetes:ImmutableWorkload", name, {}, opts);
        const v = new ArgValidator("ImmutableWorkload", name);
        if (args === undefined || !Array.isArray(args.containers) || args.containers.length === 0) {
            throw v.error("containers must list at least one container");
        }
        const runAsUser = args.runAsUser ?? DEFAULT_RUN_AS_USER;
        const runAsGroup = args.runAsGroup ?? DEFAULT_RUN_AS_USER;
        for (const [arg, id] of [
            ["runAsUser", runAsUser],
            ["runAsGroup", runAsGroup],
            ["fsGroup", args.fsGroup ?? runAsGroup],
        ] as const) {
            if (!Number.isInteger(id) || id <= 0) {
                throw v.error(`${arg} must be a positive integer (root is not allowed), found ${id}`);
            }
        }
        if (args.deploymentName !== undefined && !DNS_LABEL.test(args.deploymentName)) {
            throw v.error(`deploymentName "${args.deploymentName}" must be a lowercase DNS label`);
        }

        const all = [...(args.initContainers ?? []).map((c) => ["initContainers", c] as const), ...args.containers.map((c) => ["containers", c] as const)];
        const names = new Set<string>();
        for (const [list, c] of all) {
            if (typeof c?.name !== "string" || !DNS_LABEL.test(c.name) || c.name.length > 63) {
                throw v.error(`${list}: container name ${JSON.stringify(c?.name)} must be a lowercase DNS label`);
            }
            if (names.has(c.name)) {
                throw v.error(`container name "${c.name}" is used twice`);
            }
            names.add(c.name);
            if (c.netBindService !== undefined && typeof c.netBindService !== "boolean") {
                throw v.error(`container "${c.name}": netBindService must be true or false, found ${JSON.stringify(c.netBindService)}`);
            }
        }

        const checkImage = (container: string) => (image: string) => {
            const problem = digestPinProblem(image);
            if (problem !== undefined) {
                return `container "${container}": ${problem}`;
            }
            if (args.allowedRegistries !== undefined && !args.allowedRegistries.includes(registryOf(image))) {
                return `container "${container}": image "${image}" is from registry "${registryOf(image)}", not one of allowedRegistries (${args.allowedRegistries.join(", ")})`;
            }
            return undefined;
        };

        const writable = args.writablePaths ?? ["/tmp"];
        const mountPaths = new Set<string>();
        const checkPath = (arg: string, path: string) => {
            if (typeof path !== "string" || !path.startsWith("/") || path === "/" || path.includes("..")) {
                throw v.error(`${arg} "${path}" must be an absolute path other than "/"`);
            }
            if (mountPaths.has(path)) {
                throw v.error(`${arg} "${path}" is mounted twice`);
            }
            mountPaths.add(path);
        };
        writable.forEach((p) => checkPath("writablePaths", p));

        const volumes: pulumi.Input<k8s.types.input.core.v1.Volume>[] = [];
        const mounts: k8s.types.input.core.v1.VolumeMount[] = [];
        const envFrom: pulumi.Input<k8s.types.input.core.v1.EnvFromSource>[] = [];
        writable.forEach((path, i) => {
            volumes.push({ name: `writable-${i}`, emptyDir: {} });
            mounts.push({ name: `writable-${i}`, mountPath: path });
        });
        (args.config ?? []).forEach((entry, i) => {
            if (!(entry?.config instanceof ImmutableConfig)) {
                throw v.error(`config[${i}].config must be an ImmutableConfig (a mutable ConfigMap or Secret could change under running pods)`);
            }
            if (entry.mountPath !== undefined) {
                checkPath(`config[${i}].mountPath`, entry.mountPath);
                volumes.push(entry.config.volume(`config-${i}`));
                mounts.push({ name: `config-${i}`, mountPath: entry.mountPath, readOnly: true });
            } else {
                envFrom.push(entry.config.envFrom());
            }
        });

        const selectorLabels = { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name };
        for (const key of Object.keys(args.labels ?? {})) {
            if (key in selectorLabels && args.labels?.[key] !== selectorLabels[key as keyof typeof selectorLabels]) {
                throw v.error(`labels.${key} would change the pod selector; remove it`);
            }
        }
        const labels = { ...(args.labels ?? {}), ...selectorLabels, "app.kubernetes.io/managed-by": "sealed-infra" };

        const container = (c: WorkloadContainer): k8s.types.input.core.v1.Container => {
            return {
                name: c.name,
                // Throws now for a plain image, or when an Output image resolves.
                image: v.check(c.image, checkImage(c.name)) as pulumi.Input<string>,
                command: c.command,
                args: c.args,
                env: c.env,
                envFrom: envFrom.length > 0 ? envFrom : undefined,
                ports: c.ports,
                resources: c.resources,
                readinessProbe: c.readinessProbe,
                livenessProbe: c.livenessProbe,
                startupProbe: c.startupProbe,
                volumeMounts: mounts,
                securityContext: {
                    readOnlyRootFilesystem: true,
                    allowPrivilegeEscalation: false,
                    privileged: false,
                    runAsNonRoot: true,
                    runAsUser,
                    runAsGroup,
                    capabilities: { drop: ["ALL"], ...(c.netBindService === true ? { add: ["NET_BIND_SERVICE"] } : {}) },
                    seccompProfile: { type: "RuntimeDefault" },
                },
            };
        };
        const initContainers = (args.initContainers ?? []).map(container);
        const containers = args.containers.map(container);

        this.deployment = new k8s.apps.v1.Deployment(
            name,
            {
                metadata: { name: args.deploymentName, namespace: args.namespace, labels, annotations: args.annotations },
                spec: {
                    replicas: v.check(args.replicas ?? 2, (n) =>
                        Number.isInteger(n) && n >= 0 ? undefined : `replicas must be a whole number, at least 0, found ${n}`,
                    ),
                    revisionHistoryLimit: 10,
                    selector: { matchLabels: selectorLabels },
                    template: {
                        metadata: { labels, annotations: args.podAnnotations },
                        spec: {
                            serviceAccountName: args.serviceAccountName,
                            automountServiceAccountToken: args.automountServiceAccountToken ?? false,
                            enableServiceLinks: false,
                            securityContext: {
                                runAsNonRoot: true,
                                runAsUser,
                                runAsGroup,
                                fsGroup: args.fsGroup ?? runAsGroup,
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            initContainers: initContainers.length > 0 ? initContainers : undefined,
                            containers,
                            volumes,
                        },
                    },
                },
            },
            // The component's dependsOn holds for the Deployment itself (Pulumi does not pass it on to
            // children), so `dependsOn: [releaseApproval]` makes the rollout wait for the approval.
            { parent: this, dependsOn: opts?.dependsOn },
        );

        this.name = this.deployment.metadata.name;
        this.namespace = this.deployment.metadata.namespace;
        this.selectorLabels = selectorLabels;
        this.images = pulumi.output([...initContainers, ...containers].map((c) => c.image)) as pulumi.Output<string[]>;
        this.registerOutputs({ name: this.name, namespace: this.namespace, images: this.images });
    }
}
