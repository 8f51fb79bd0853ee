/**
 * The artifacts a stack deploys, by digest: what a release approval has to cover.
 *
 *  - container images of every Kubernetes workload kind and its Patch (containers, init and
 *    ephemeral containers), of ECS task definitions (aws JSON string, aws-native list) and of Lambda
 *    image functions (`imageUri`, aws-native `code.imageUri`): the image's sha256 digest;
 *  - Lambda zip packages: aws `sourceCodeHash` and `codeSha256` (each one that is set; Lambda's own
 *    codeSha256 is what runs, sourceCodeHash is what the program declares); aws-native functions
 *    expose no hash, so their code is identified by the `codeSha256` of the aws-native
 *    `lambda:Version`s published for them (CloudFormation refuses to publish a version whose code
 *    does not have that hash);
 *  - the digests a Kubernetes `ReleaseApproval` object lists (`spec.digests`): the DutyNamespace
 *    admission policy admits them into the cluster, so they must be approved too.
 */
import { containsUnknown, formatPath, PathSegment, read, readArray, readJson, readObject, readString } from "../../framework/values";
import { parseImageReference } from "../image-reference";
import { linkedByProperty } from "../joins";
import { ECS_TASK_DEFINITION, K8S_POD_SPEC_LOCATIONS, K8S_WORKLOADS, LAMBDA_FUNCTION, podContainerLists } from "../resource-types";
import type { StackModel, StackResource } from "../../sdk/stack-model";
import { ArtifactKind, DIGEST_PATTERN, imageDigestOf, lambdaCodeDigest } from "./manifest";

/** The ReleaseApproval custom resource (DutyNamespace's admission parameter), as Pulumi types it. */
export const K8S_RELEASE_APPROVAL = "kubernetes:sealed-infra.io/v1alpha1:ReleaseApproval";
/** aws-native Lambda versions: `codeSha256` pins the code a version is published from. */
export const LAMBDA_VERSION_NATIVE = "aws-native:lambda:Version";

/** Every type that can deploy an artifact. */
export const ARTIFACT_TYPES: readonly string[] = [
    ...K8S_WORKLOADS,
    ECS_TASK_DEFINITION.aws,
    ECS_TASK_DEFINITION.native,
    LAMBDA_FUNCTION.aws,
    LAMBDA_FUNCTION.native,
    LAMBDA_VERSION_NATIVE,
    K8S_RELEASE_APPROVAL,
];

export type ArtifactState =
    /** The digest is known: check coverage. */
    | { state: "digest"; digest: string }
    /** Not known until the update. */
    | { state: "unknown" }
    /** Present but not identifiable by a sha256 digest: no approval can cover it. */
    | { state: "unidentifiable"; reason: string; fix: string };

export interface DeployedArtifact {
    resource: StackResource;
    kind: ArtifactKind | "admitted";
    /** Property path, e.g. `spec.template.spec.containers[0].image`. */
    path: string;
    /** What it is in words, e.g. `container "web" image "ghcr.io/acme/api@sha256:…"`. */
    what: string;
    found: ArtifactState;
}

/** The stack's artifacts, in stack order (memoised on the model). */
export function deployedArtifacts(model: StackModel): DeployedArtifact[] {
    return model.derive("release:artifacts", (m) => {
        const out: DeployedArtifact[] = [];
        for (const r of m.ofTypes(ARTIFACT_TYPES)) {
            const location = K8S_POD_SPEC_LOCATIONS.get(r.type);
            if (location) {
                podSpecImages(r, location, out);
            } else if (r.type === ECS_TASK_DEFINITION.aws || r.type === ECS_TASK_DEFINITION.native) {
                taskDefinitionImages(r, out);
            } else if (r.type === LAMBDA_FUNCTION.aws || r.type === LAMBDA_FUNCTION.native) {
                lambdaCode(m, r, out);
            } else if (r.type === LAMBDA_VERSION_NATIVE) {
                versionCode(r, out);
            } else if (r.type === K8S_RELEASE_APPROVAL) {
                admittedDigests(r, out);
            }
        }
        return out;
    });
}

function unknownAt(resource: StackResource, kind: DeployedArtifact["kind"], path: string, what: string): DeployedArtifact {
    return { resource, kind, path, what, found: { state: "unknown" } };
}

function podSpecImages(r: StackResource, location: readonly string[], out: DeployedArtifact[]): void {
    const spec = readObject(r.props, location);
    if (spec.state === "unknown") {
        out.push(unknownAt(r, "image", spec.path, "the pod spec's images"));
        return;
    }
    if (spec.state !== "known") {
        return; // no pod spec (a Patch that leaves it alone); an unreadable one is images-pinned-by-digest's to report
    }
    for (const { list, read: containers, containers: found } of podContainerLists(spec.value, formatPath(location))) {
        if (containers.state === "unknown") {
            out.push(unknownAt(r, "image", containers.path, `the images of ${list}`));
            continue;
        }
        for (const { container, at, name } of found) {
            image(r, container, "image", at, name !== undefined ? `container "${name}"` : `container ${at}`, out);
        }
    }
}

function taskDefinitionImages(r: StackResource, out: DeployedArtifact[]): void {
    const defs = readJson(r.props, "containerDefinitions");
    if (defs.state === "unknown") {
        out.push(unknownAt(r, "image", defs.path, "the container definitions' images"));
        return;
    }
    if (defs.state !== "known" || !Array.isArray(defs.value)) {
        return; // unreadable definitions are images-pinned-by-digest's to report
    }
    defs.value.forEach((def, i) => {
        const at = `containerDefinitions[${i}]`;
        const name = readString(def, "name");
        image(r, def, "image", at, name.state === "known" ? `container "${name.value}"` : `container ${at}`, out);
    });
}

/** One image reference at `holder[path]`. */
function image(r: StackResource, holder: unknown, path: string | PathSegment[], base: string, who: string, out: DeployedArtifact[]): void {
    const ref = readString(holder, path, base);
    if (ref.state === "absent" || ref.state === "unreadable") {
        return; // no image: nothing runs from it (images-pinned-by-digest reports a missing image)
    }
    if (ref.state === "unknown" || containsUnknown(ref.value)) {
        out.push(unknownAt(r, "image", ref.path, `${who} image`));
        return;
    }
    const what = `${who} image "${ref.value}"`;
    const parsed = parseImageReference(ref.value);
    if (!parsed.ok) {
        out.push({ resource: r, kind: "image", path: ref.path, what, found: { state: "unidentifiable", reason: `it is not a valid image reference (${parsed.reason})`, fix: `use "<repository>@sha256:<digest>" of an approved image` } });
        return;
    }
    const digest = imageDigestOf(parsed.image.digest);
    if (!digest) {
        const reason = parsed.image.digest ? `it is pinned by a ${parsed.image.digest.algorithm} digest, and approvals list sha256 digests` : "it is not pinned by digest, so no approval can name what it runs";
        out.push({ resource: r, kind: "image", path: ref.path, what, found: { state: "unidentifiable", reason, fix: `reference the approved image as "${ref.value.split("@")[0]}@sha256:<digest>"` } });
        return;
    }
    out.push({ resource: r, kind: "image", path: ref.path, what, found: { state: "digest", digest } });
}

function lambdaCode(model: StackModel, fn: StackResource, out: DeployedArtifact[]): void {
    const native = fn.type === LAMBDA_FUNCTION.native;
    const imagePath: PathSegment[] = native ? ["code", "imageUri"] : ["imageUri"];
    const packageType = readString(fn.props, "packageType");
    if (packageType.state === "unknown") {
        out.push(unknownAt(fn, "lambda-code", packageType.path, "the function's package type"));
        return;
    }
    const uri = read(fn.props, imagePath);
    const imageSet = uri.state === "unknown" || (uri.state === "known" && uri.value !== "");
    if ((packageType.state === "known" && packageType.value === "Image") || (packageType.state !== "known" && imageSet)) {
        image(fn, fn.props, imagePath, "", "the function's", out);
        return;
    }
    if (packageType.state === "known" && packageType.value !== "Zip") {
        return; // neither Zip nor Image: lambda-code-signing-enforced reports it
    }
    if (native) {
        nativeZipCode(model, fn, out);
        return;
    }
    let hashes = 0;
    for (const property of ["codeSha256", "sourceCodeHash"]) {
        const hash = readString(fn.props, property);
        if (hash.state === "unknown" || (hash.state === "known" && containsUnknown(hash.value))) {
            out.push(unknownAt(fn, "lambda-code", hash.path, `the function's code hash (${property})`));
            hashes++;
            continue;
        }
        if (hash.state !== "known" || hash.value === "") {
            continue;
        }
        hashes++;
        const what = `the function's code hash "${hash.value}"`;
        const digest = lambdaCodeDigest(hash.value);
        out.push(
            digest
                ? { resource: fn, kind: "lambda-code", path: hash.path, what, found: { state: "digest", digest } }
                : {
                      resource: fn,
                      kind: "lambda-code",
                      path: hash.path,
                      what,
                      found: { state: "unidentifiable", reason: "it is not a SHA-256 hash (base64 or hex)", fix: "set sourceCodeHash to the package's base64 SHA-256 (filebase64sha256)" },
                  },
        );
    }
    if (hashes === 0) {
        out.push({
            resource: fn,
            kind: "lambda-code",
            path: "sourceCodeHash",
            what: "the function's zip package",
            found: {
                state: "unidentifiable",
                reason: "neither sourceCodeHash nor codeSha256 is set, so the package it runs has no hash an approval could name",
                fix: "set sourceCodeHash to the package's base64 SHA-256 (e.g. `filebase64sha256` / `openssl dgst -sha256 -binary pkg.zip | base64`)",
            },
        });
    }
}

/** aws-native zip functions: their code is identified by the codeSha256 of their published versions. */
function nativeZipCode(model: StackModel, fn: StackResource, out: DeployedArtifact[]): void {
    const versions = model.derive("release:native-versions", (m) => {
        const byFunction = new Map<string, StackResource[]>();
        let pending = false;
        for (const v of m.ofTypes([LAMBDA_VERSION_NATIVE])) {
            const link = linkedByProperty(m, v, "functionName", [LAMBDA_FUNCTION.native], (f) => [f.props.functionName, f.props.arn, f.props.id], "release-native-lambda-function");
            pending ||= link.pending;
            for (const target of link.targets) {
                byFunction.set(target.urn, [...(byFunction.get(target.urn) ?? []), v]);
            }
        }
        return { byFunction, pending };
    });
    const pinned = (versions.byFunction.get(fn.urn) ?? []).filter((v) => read(v.props, "codeSha256").state !== "absent");
    if (pinned.length > 0) {
        return; // each version's codeSha256 is an artifact of its own (versionCode)
    }
    if (versions.pending) {
        out.push(unknownAt(fn, "lambda-code", "code", "the versions published for the function"));
        return;
    }
    out.push({
        resource: fn,
        kind: "lambda-code",
        path: "code",
        what: "the function's zip package",
        found: {
            state: "unidentifiable",
            reason: "aws-native functions report no code hash, and no aws-native:lambda:Version with codeSha256 is published for it",
            fix: "publish an aws-native:lambda:Version of the function with codeSha256 set to the approved package's base64 SHA-256",
        },
    });
}

function versionCode(v: StackResource, out: DeployedArtifact[]): void {
    const hash = readString(v.props, "codeSha256");
    if (hash.state === "absent" || hash.state === "unreadable") {
        return; // a version without a pinned hash identifies nothing; its function is checked instead
    }
    if (hash.state === "unknown" || containsUnknown(hash.value)) {
        out.push(unknownAt(v, "lambda-code", hash.path, "the version's code hash (codeSha256)"));
        return;
    }
    const digest = lambdaCodeDigest(hash.value);
    const what = `the version's code hash "${hash.value}"`;
    out.push(
        digest
            ? { resource: v, kind: "lambda-code", path: hash.path, what, found: { state: "digest", digest } }
            : { resource: v, kind: "lambda-code", path: hash.path, what, found: { state: "unidentifiable", reason: "it is not a base64 SHA-256 hash", fix: "set codeSha256 to the package's base64 SHA-256" } },
    );
}

function admittedDigests(r: StackResource, out: DeployedArtifact[]): void {
    const digests = readArray(r.props, "spec.digests");
    if (digests.state === "unknown") {
        out.push(unknownAt(r, "admitted", digests.path, "the digests it admits"));
        return;
    }
    if (digests.state !== "known") {
        return;
    }
    digests.value.forEach((d, i) => {
        const path = `${digests.path}[${i}]`;
        if (typeof d === "string" && containsUnknown(d)) {
            out.push(unknownAt(r, "admitted", path, "a digest it admits"));
        } else if (typeof d === "string" && DIGEST_PATTERN.test(d)) {
            out.push({ resource: r, kind: "admitted", path, what: `admitted digest "${d}"`, found: { state: "digest", digest: d } });
        }
        // Anything else fails the CRD's schema (sha256:<64 hex>) and admits nothing.
    });
}
