import { resourcePolicy, ResourceSubject } from "../../framework/definition";
import { Findings } from "../../framework/findings";
import { containsUnknown, formatPath, PathSegment, read, readJson, readObject, readString } from "../../framework/values";
import { parseImageReference, registryAllowed } from "../../engine/image-reference";
import {
    ECS_SERVICE,
    ECS_TASK_DEFINITION,
    isPatchType,
    K8S_POD_SPEC_LOCATIONS,
    K8S_WORKLOADS,
    LAMBDA_FUNCTION,
    POD_CONTAINER_LISTS,
    podContainerLists,
    podSpecGuards,
} from "../../engine/resource-types";

interface Config {
    allowedRegistries: string[];
}

export const imagesPinnedByDigest = resourcePolicy<Config>({
    name: "images-pinned-by-digest",
    displayName: "Container images are pinned by digest",
    guarantee: "immutable-artifacts",
    description: "Every container image is pinned by an immutable sha256 digest, so what runs is exactly what was built and approved.",
    rule:
        "Every image reference must carry a digest (`name[:tag]@sha256:<64 hex>`, or sha512) and parse as a valid " +
        "reference. Checked: all Kubernetes workload kinds and their Patch variants (Pod, PodTemplate, " +
        "ReplicationController, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob's jobTemplate, in every API " +
        "version) including init and ephemeral containers; ECS task definitions (`containerDefinitions`, a JSON string in " +
        "`aws`, a list in `aws-native`); Lambda functions with `packageType: Image` (`imageUri`). With " +
        "`allowedRegistries` set, the image's registry must also match one of its patterns (`*` matches within one label; " +
        "an image without a registry is on `docker.io`). Patches that do not set an image are not checked.",
    why:
        "A tag is a movable pointer: whoever can push can change what `app:1.4.2` means after review. A digest names the " +
        "exact bytes, so the deployed artifact is the approved one, and rollbacks are reproducible.",
    severity: "high",
    remediationSteps:
        "Reference images as `repository:tag@sha256:<digest>`. Resolve the digest at build time (the `docker.Image` " +
        "resource's `repoDigest` output, `crane digest <image>`, or `docker buildx imagetools inspect <image>`) and pass it " +
        "to the workload. `ImmutableWorkload` from sealed-infra refuses tag-only images.",
    config: {
        allowedRegistries: {
            description: "Registry host patterns images may come from (e.g. `*.dkr.ecr.*.amazonaws.com`, `ghcr.io`). Empty: any registry.",
            default: [],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
    },
    guards: [
        ...podSpecGuards((podSpec) => POD_CONTAINER_LISTS.map((list) => `${podSpec}.${list}[*].image`)),
        { types: [ECS_TASK_DEFINITION.aws, ECS_TASK_DEFINITION.native], paths: ["containerDefinitions"] },
        // The task definition a service runs decides its images: ignoring it lets a deploy outside
        // Pulumi swap in unpinned ones (a common way to hand ECS deploys to CI).
        { types: [ECS_SERVICE.aws, ECS_SERVICE.native], paths: ["taskDefinition"] },
        { types: [LAMBDA_FUNCTION.aws], paths: ["imageUri", "packageType"] },
        { types: [LAMBDA_FUNCTION.native], paths: ["code", "packageType"] },
    ],
    resourceTypes: [...K8S_WORKLOADS, ECS_TASK_DEFINITION.aws, ECS_TASK_DEFINITION.native, LAMBDA_FUNCTION.aws, LAMBDA_FUNCTION.native],
    example: {
        compliant: 'image: "ghcr.io/acme/api:1.4.2@sha256:3f2a…(64 hex)"',
        violating: 'image: "nginx:1.25"',
    },
    check(resource, config, findings) {
        const podSpec = K8S_POD_SPEC_LOCATIONS.get(resource.type);
        if (podSpec) {
            checkPodSpec(resource, podSpec, config, findings);
        } else if (resource.type === ECS_TASK_DEFINITION.aws || resource.type === ECS_TASK_DEFINITION.native) {
            checkContainerDefinitions(resource, config, findings);
        } else {
            checkLambda(resource, config, findings);
        }
    },
});

function checkPodSpec(resource: ResourceSubject, location: readonly string[], config: Config, findings: Findings): void {
    const patch = isPatchType(resource.type);
    const spec = readObject(resource.props, location);
    if (findings.unresolved(resource, spec, "every container image is pinned by digest")) {
        return;
    }
    if (spec.state !== "known") {
        return; // no pod spec (a Patch that does not touch it, or an invalid object the API would reject)
    }
    for (const { list, read: containers, containers: found } of podContainerLists(spec.value, formatPath(location))) {
        if (findings.unresolved(resource, containers, `every image in ${list} is pinned by digest`)) {
            continue;
        }
        for (const { container, at, name } of found) {
            checkImage(resource, container, "image", at, name !== undefined ? `${at} (container "${name}")` : at, !patch, config, findings);
        }
    }
}

function checkContainerDefinitions(resource: ResourceSubject, config: Config, findings: Findings): void {
    // aws: a JSON string; aws-native: a list of objects.
    const defs = readJson(resource.props, "containerDefinitions");
    if (findings.unresolved(resource, defs, "every container image is pinned by digest")) {
        return;
    }
    if (defs.state !== "known") {
        return;
    }
    if (!Array.isArray(defs.value)) {
        findings.unreadable(resource, defs.path, "is not a list of container definitions", "every container image is pinned by digest");
        return;
    }
    defs.value.forEach((def, i) => {
        const at = `containerDefinitions[${i}]`;
        const name = readString(def, "name");
        const who = name.state === "known" ? `${at} (container "${name.value}")` : at;
        checkImage(resource, def, "image", at, who, true, config, findings);
    });
}

function checkLambda(resource: ResourceSubject, config: Config, findings: Findings): void {
    const native = resource.type === LAMBDA_FUNCTION.native;
    const imagePath: PathSegment[] = native ? ["code", "imageUri"] : ["imageUri"];
    const packageType = readString(resource.props, "packageType");
    if (findings.unresolved(resource, packageType, "a container image function is pinned by digest")) {
        return;
    }
    const image = read(resource.props, imagePath);
    const isImage = (packageType.state === "known" && packageType.value === "Image") || image.state !== "absent";
    if (!isImage) {
        return; // a zip function: lambda-code-signing-enforced covers it
    }
    checkImage(resource, resource.props, imagePath, "", "the function", true, config, findings);
}

/** Checks one image reference found at `holder[path]`; `who` names the container in messages. */
function checkImage(
    resource: ResourceSubject,
    holder: unknown,
    path: string | PathSegment[],
    base: string,
    who: string,
    required: boolean,
    config: Config,
    findings: Findings,
): void {
    const image = readString(holder, path, base);
    const what = `${who} runs an image pinned by digest`;
    if (findings.unresolved(resource, image, what)) {
        return;
    }
    if (image.state !== "known") {
        if (required) {
            findings.violation(resource, `${who} has no image (${image.path} is unset), so what it runs cannot be verified; set ${image.path} to an image pinned by digest.`);
        }
        return;
    }
    if (containsUnknown(image.value)) {
        findings.notYetKnown(resource, image.path, what);
        return;
    }
    const parsed = parseImageReference(image.value);
    if (!parsed.ok) {
        findings.violation(resource, `${who} image "${image.value}" (${image.path}) is not a valid image reference: ${parsed.reason}; use "<repository>:<tag>@sha256:<64 hex digest>".`);
        return;
    }
    const ref = parsed.image;
    if (!ref.digest) {
        const base = image.value;
        findings.violation(
            resource,
            `${who} image "${base}" (${image.path}) is not pinned by digest, so the tag can be re-pointed after review; ` +
                `use "${base}@sha256:<digest>" (find it with \`crane digest ${base}\` or \`docker buildx imagetools inspect ${base}\`).`,
        );
    }
    if (config.allowedRegistries.length > 0 && !registryAllowed(ref.registry, config.allowedRegistries)) {
        findings.violation(
            resource,
            `${who} image "${image.value}" (${image.path}) comes from registry "${ref.registry}"${ref.implicitRegistry ? " (implied Docker Hub)" : ""}, which is not in allowedRegistries ${JSON.stringify(config.allowedRegistries)}; mirror the image into an allowed registry.`,
        );
    }
}
