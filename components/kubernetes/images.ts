/**
 * Image references as the Kubernetes components check them: pinned by a sha256 digest
 * (`registry/repository[:tag]@sha256:<64 lowercase hex>`). The same rule as the admission policy's
 * CEL expression in DutyNamespace and the pack's `images-pinned-by-digest` policy.
 */

/** `name[:tag]@sha256:<64 hex>`; the name part has no whitespace and no "@". */
export const DIGEST_PINNED_IMAGE = /^[^\s@]+@sha256:[a-f0-9]{64}$/;

export interface ImageProblem {
    reason: string;
}

/** Why an image reference is not digest-pinned, or undefined when it is. */
export function digestPinProblem(image: unknown): string | undefined {
    if (typeof image !== "string" || image === "") {
        return `has no image (found ${JSON.stringify(image)})`;
    }
    if (DIGEST_PINNED_IMAGE.test(image)) {
        const name = image.slice(0, image.indexOf("@"));
        const lastSlash = name.lastIndexOf("/");
        const path = name.slice(lastSlash + 1).split(":")[0];
        if (path === "" || name.startsWith("/") || name.endsWith("/") || name.endsWith(":")) {
            return `image "${image}" has a malformed repository name`;
        }
        return undefined;
    }
    const at = image.indexOf("@");
    if (at >= 0) {
        return `image "${image}" has a malformed digest "${image.slice(at + 1)}" (expected sha256: followed by 64 lowercase hex characters)`;
    }
    return `image "${image}" is not pinned by digest (a tag can be moved to other content); use "<repository>@sha256:<digest>"`;
}

/** The registry host of an image (Docker Hub when none is named). */
export function registryOf(image: string): string {
    const name = image.split("@")[0];
    const first = name.split("/")[0];
    if (name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost")) {
        return first;
    }
    return "docker.io";
}
