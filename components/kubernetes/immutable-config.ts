import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { ArgValidator } from "../common";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
/** Length of the content hash appended to the name. */
export const CONTENT_HASH_LENGTH = 10;
export const IMMUTABLE_CONFIG_TYPE = "sealed-infra:kubernetes:ImmutableConfig";

/** The kind of Kubernetes object an ImmutableConfig creates. */
export const ConfigKind = {
    /** A ConfigMap: configuration that is not secret. */
    ConfigMap: "ConfigMap",
    /** A Secret: values are sent as `stringData` and kept secret in Pulumi outputs. */
    Secret: "Secret",
} as const;
export type ConfigKind = (typeof ConfigKind)[keyof typeof ConfigKind];

export interface ImmutableConfigArgs {
    /** `ConfigMap` (default) or `Secret`. */
    kind?: ConfigKind;
    /**
     * Base name; the object is named `<baseName>-<content hash>` so that a change creates a new object
     * and the workloads that reference it roll. Lowercase DNS label, at most 52 characters.
     * Default: the resource name.
     */
    baseName?: string;
    /** Namespace. Default: the provider's namespace. */
    namespace?: pulumi.Input<string>;
    /**
     * The content: keys (letters, digits, `-`, `_`, `.`) to string values. For a Secret the values are
     * sent as `stringData` and the Pulumi outputs are marked secret. Required, at least one key.
     */
    data: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Secret type. Default `Opaque`. Only for `kind: "Secret"`. */
    secretType?: pulumi.Input<string>;
    /** Extra labels. */
    labels?: Record<string, string>;
    /** Annotations. */
    annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * A ConfigMap or Secret that can never change in place: `immutable: true`, named after a hash of its
 * content. Changing the data creates a new object under a new name, so every workload that mounts it
 * (e.g. an `ImmutableWorkload`) gets a new pod template and rolls; the old object is deleted after.
 */
export class ImmutableConfig extends pulumi.ComponentResource {
    /** `ConfigMap` or `Secret`. */
    readonly kind: pulumi.Output<ConfigKind>;
    /** The object's name, `<baseName>-<content hash>`. */
    readonly name: pulumi.Output<string>;
    /** The object's namespace. */
    readonly namespace: pulumi.Output<string | undefined>;
    /** The content hash in the name. */
    readonly contentHash: pulumi.Output<string>;
    /** The ConfigMap (kind `ConfigMap`; not set on a reference, see the constructor). */
    readonly configMap?: k8s.core.v1.ConfigMap;
    /** The Secret (kind `Secret`; not set on a reference, see the constructor). */
    readonly secret?: k8s.core.v1.Secret;

    /**
     * With `opts.urn`, the instance is a reference to an ImmutableConfig registered before (this is
     * how the package's provider receives one that a program in another language passes to
     * ImmutableWorkload): nothing is registered, and the outputs come from the engine's state of it.
     */
    constructor(name: string, args: ImmutableConfigArgs, opts?: pulumi.ComponentResourceOptions) {
        super(IMMUTABLE_CONFIG_TYPE, name, {}, opts);
        if (opts?.urn !== undefined) {
            const state = referencedState(opts.urn);
            // The name comes from the child object itself, so whatever uses it depends on that object.
            const object = state.apply((s) => (s.configMap ?? s.secret) as k8s.core.v1.ConfigMap | k8s.core.v1.Secret | undefined);
            this.kind = state.apply((s) => s.kind as ConfigKind);
            this.name = object.apply((o) => (o !== undefined && typeof o === "object" ? o.metadata.name : state.apply((s) => s.name as string)));
            this.namespace = state.apply((s) => s.namespace as string | undefined);
            this.contentHash = state.apply((s) => s.contentHash as string);
            return;
        }
        const v = new ArgValidator("ImmutableConfig", name);
        const kind = args?.kind ?? "ConfigMap";
        if (kind !== "ConfigMap" && kind !== "Secret") {
            throw v.error(`kind must be "ConfigMap" or "Secret", found "${String(kind)}"`);
        }
        if (args === undefined || args.data === undefined) {
            throw v.error("data is required");
        }
        if (args.secretType !== undefined && kind !== "Secret") {
            throw v.error('secretType is only valid with kind: "Secret"');
        }
        const baseName = args.baseName ?? name;
        if (!DNS_LABEL.test(baseName) || baseName.length > 52) {
            throw v.error(`baseName "${baseName}" must be a lowercase DNS label of at most 52 characters (the hash is appended)`);
        }
        const checkData = (data: Record<string, unknown>): string | undefined => {
            const keys = Object.keys(data);
            if (keys.length === 0) {
                return "data must have at least one key";
            }
            const bad = keys.find((k) => !DATA_KEY.test(k));
            return bad !== undefined ? `data key "${bad}" may only contain letters, digits, "-", "_" and "."` : undefined;
        };
        const data = v.check(args.data as pulumi.Input<Record<string, unknown>>, checkData) as pulumi.Input<
            Record<string, pulumi.Input<string>>
        >;
        const labels = { "app.kubernetes.io/managed-by": "sealed-infra", ...(args.labels ?? {}) };

        // The hash is over the content; it reveals nothing usable about a secret's values.
        const hash = pulumi.unsecret(
            pulumi.output(data).apply((d) => contentHash(kind, d as Record<string, string>, args.secretType)),
        );
        const objectName = pulumi.interpolate`${baseName}-${hash}`;
        const metadata = { name: objectName, namespace: args.namespace, labels, annotations: args.annotations };

        if (kind === "ConfigMap") {
            this.configMap = new k8s.core.v1.ConfigMap(name, { metadata, immutable: true, data }, { parent: this });
        } else {
            this.secret = new k8s.core.v1.Secret(
                name,
                { metadata, immutable: true, type: args.secretType ?? "Opaque", stringData: pulumi.secret(data) },
                { parent: this, additionalSecretOutputs: ["data", "stringData"] },
            );
        }
        const object = (this.configMap ?? this.secret) as k8s.core.v1.ConfigMap | k8s.core.v1.Secret;
        this.kind = pulumi.output(kind);
        this.name = object.metadata.name;
        this.namespace = object.metadata.namespace;
        this.contentHash = hash;
        this.registerOutputs({
            kind,
            name: this.name,
            namespace: this.namespace,
            contentHash: this.contentHash,
            configMap: this.configMap,
            secret: this.secret,
        });
    }

    /** A pod volume for this object (mounted read-only by `ImmutableWorkload`). */
    volume(volumeName: string): pulumi.Output<k8s.types.input.core.v1.Volume> {
        return pulumi.all([this.kind, this.name]).apply(([kind, objectName]) =>
            kind === "ConfigMap" ? { name: volumeName, configMap: { name: objectName } } : { name: volumeName, secret: { secretName: objectName } },
        );
    }

    /** An `envFrom` source exposing every key as an environment variable. */
    envFrom(): pulumi.Output<k8s.types.input.core.v1.EnvFromSource> {
        return pulumi
            .all([this.kind, this.name])
            .apply(([kind, objectName]) => (kind === "ConfigMap" ? { configMapRef: { name: objectName } } : { secretRef: { name: objectName } }));
    }
}

/** The engine's state of a registered resource: its outputs (`pulumi:pulumi:getResource`). */
function referencedState(urn: pulumi.Input<string>): pulumi.Output<Record<string, unknown>> {
    return pulumi.runtime
        .invokeOutput<{ state?: Record<string, unknown> }>("pulumi:pulumi:getResource", { urn })
        .apply((result) => result.state ?? {});
}

/** A short, stable hash of the content (keys sorted). */
export function contentHash(kind: string, data: Record<string, string>, secretType?: unknown): string {
    const canonical = JSON.stringify([kind, secretType ?? null, Object.keys(data).sort().map((k) => [k, data[k]])]);
    return createHash("sha256").update(canonical).digest("hex").slice(0, CONTENT_HASH_LENGTH);
}
