import { stackPolicy } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { containsUnknown, describe, PathSegment, read, readArray, readString } from "../../framework/values";
import { globMatch } from "../../shared/glob";
import { parseImageReference } from "../../engine/image-reference";
import { codeSigningConfigOf } from "../../engine/joins";
import { LAMBDA_CODE_SIGNING_CONFIG, LAMBDA_CODE_SIGNING_CONFIGS, LAMBDA_FUNCTION, LAMBDA_FUNCTIONS } from "../../engine/resource-types";
import type { StackModel, StackResource } from "../../sdk/stack-model";

interface Config {
    trustedCodeSigningConfigArns: string[];
}

const ENFORCE = "Enforce";

/** Where the enforcement policy lives: aws `policies`, aws-native (CloudFormation) `codeSigningPolicies`. */
function policyPath(config: StackResource): string {
    return config.type === LAMBDA_CODE_SIGNING_CONFIG.native ? "codeSigningPolicies.untrustedArtifactOnDeployment" : "policies.untrustedArtifactOnDeployment";
}

export const lambdaCodeSigningEnforced = stackPolicy<Config>({
    name: "lambda-code-signing-enforced",
    displayName: "Lambda code is signed (zip) or pinned by digest (image)",
    guarantee: "immutable-artifacts",
    description:
        "Lambda zip functions use a code-signing config that Enforces signatures from allowed signing profiles, and container-image functions are pinned by digest, so a function only ever runs approved code.",
    rule:
        "Every `aws.lambda.Function` and `aws-native:lambda:Function`. Image functions (`packageType: \"Image\"`, or an " +
        "image URI set: `imageUri` in aws, `code.imageUri` in aws-native) must reference a valid image pinned by digest " +
        "(`…@sha256:<64 hex>`); Lambda code signing does not apply to images. Zip functions (`packageType` unset or " +
        '`"Zip"`) must set `codeSigningConfigArn`, and the config it refers to must set ' +
        '`policies.untrustedArtifactOnDeployment: "Enforce"` (aws-native `codeSigningPolicies.untrustedArtifactOnDeployment`; ' +
        'unset is "Warn", which deploys unsigned code and only logs it) and list at least one ' +
        "`allowedPublishers.signingProfileVersionArns`. The config is found through the engine's property dependencies on " +
        "`codeSigningConfigArn`, else by matching the ARN to a `aws.lambda.CodeSigningConfig` / " +
        "`aws-native:lambda:CodeSigningConfig` of the stack; a config outside the stack passes only when its ARN matches " +
        "`trustedCodeSigningConfigArns`. A weak config is reported on the config, a missing one on the function.",
    why:
        "Without enforced code signing anyone who can call lambda:UpdateFunctionCode (or write the deployment bucket) can " +
        "run any code under the function's role; with `Warn` the unsigned code still deploys. Signing ties every deployed " +
        "package to a signing profile held by the approver, separating who builds from who approves what runs.",
    severity: "high",
    remediationSteps:
        "Create `new aws.lambda.CodeSigningConfig(name, { allowedPublishers: { signingProfileVersionArns: [profile.versionArn] }, " +
        'policies: { untrustedArtifactOnDeployment: "Enforce" } })`, set `codeSigningConfigArn: csc.arn` on every zip ' +
        "function, and deploy packages signed with an `aws.signer.SigningJob`. For image functions use " +
        '`imageUri: "<repo>@sha256:<digest>"` (e.g. the docker image resource\'s `repoDigest`).',
    config: {
        trustedCodeSigningConfigArns: {
            description:
                "ARNs (glob patterns, `*` any characters) of code-signing configs outside the stack that are known to Enforce, e.g. one shared by a platform account.",
            default: [],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
    },
    guards: [
        { types: [LAMBDA_FUNCTION.aws], paths: ["codeSigningConfigArn", "packageType", "imageUri"] },
        { types: [LAMBDA_FUNCTION.native], paths: ["codeSigningConfigArn", "packageType", "code.imageUri"] },
        { types: [LAMBDA_CODE_SIGNING_CONFIG.aws], paths: ["policies", "allowedPublishers"] },
        { types: [LAMBDA_CODE_SIGNING_CONFIG.native], paths: ["codeSigningPolicies", "allowedPublishers"] },
    ],
    resourceTypes: [...LAMBDA_FUNCTIONS, ...LAMBDA_CODE_SIGNING_CONFIGS],
    example: {
        compliant:
            'const csc = new aws.lambda.CodeSigningConfig("signed", { allowedPublishers: { signingProfileVersionArns: [profile.versionArn] },\n' +
            '    policies: { untrustedArtifactOnDeployment: "Enforce" } });\n' +
            'new aws.lambda.Function("api", { ..., codeSigningConfigArn: csc.arn });',
        violating: 'new aws.lambda.Function("api", { runtime: "nodejs20.x", handler: "index.handler", code, role }); // unsigned zip',
    },
    check(model, config, findings) {
        // Each config once, naming every function that relies on it.
        const usersOfConfig = new Map<string, { config: StackResource; functions: StackResource[] }>();
        for (const fn of model.ofTypes(LAMBDA_FUNCTIONS)) {
            const csc = checkFunction(model, fn, config, findings);
            for (const c of csc) {
                const entry = usersOfConfig.get(c.urn) ?? { config: c, functions: [] };
                entry.functions.push(fn);
                usersOfConfig.set(c.urn, entry);
            }
        }
        for (const { config: csc, functions } of usersOfConfig.values()) {
            checkConfig(csc, functions, findings);
        }
    },
});

/** Checks one function; returns the code-signing configs of the stack it relies on (checked once each by the caller). */
function checkFunction(model: StackModel, fn: StackResource, config: Config, findings: Findings): StackResource[] {
    const native = fn.type === LAMBDA_FUNCTION.native;
    const imagePath: PathSegment[] = native ? ["code", "imageUri"] : ["imageUri"];
    const packageType = readString(fn.props, "packageType");
    if (findings.unresolved(fn, packageType, "the function runs signed or digest-pinned code")) {
        return [];
    }
    // Outputs carry `imageUri: ""` on zip functions: only a non-empty (or not yet known) URI marks an image function.
    const image = read(fn.props, imagePath);
    const imageSet = image.state === "unknown" || image.state === "unreadable" || (image.state === "known" && image.value !== "");
    if ((packageType.state === "known" && packageType.value === "Image") || (packageType.state === "absent" && imageSet)) {
        checkImage(fn, imagePath, findings);
        return [];
    }
    if (packageType.state === "known" && packageType.value !== "Zip") {
        findings.unreadable(fn, packageType.path, `is ${describe(packageType.value)}, neither "Zip" nor "Image"`, "the function runs signed or digest-pinned code");
        return [];
    }

    const what = `the function's code-signing config sets untrustedArtifactOnDeployment: "${ENFORCE}"`;
    const arn = readString(fn.props, "codeSigningConfigArn");
    const link = codeSigningConfigOf(model, fn);
    if (link.targets.length > 0) {
        return link.targets;
    }
    if (link.pending || arn.state === "unknown") {
        findings.notYetKnown(fn, arn.path, what);
        return [];
    }
    if (findings.unresolved(fn, arn, what)) {
        return [];
    }
    if (arn.state === "absent" || arn.value === "") {
        findings.violation(
            fn,
            `codeSigningConfigArn is unset on a zip function, so Lambda deploys any package, signed or not; create an aws.lambda.CodeSigningConfig with policies.untrustedArtifactOnDeployment: "${ENFORCE}" and set codeSigningConfigArn to its arn.`,
        );
        return [];
    }
    if (containsUnknown(arn.value)) {
        findings.notYetKnown(fn, arn.path, what);
        return [];
    }
    const trusted = config.trustedCodeSigningConfigArns.find((p) => globMatch(p, arn.value));
    if (trusted === undefined) {
        findings.violation(
            fn,
            `codeSigningConfigArn is "${arn.value}", a code-signing config outside this stack, so it cannot be verified that it Enforces signatures; ` +
                `manage the config in this stack, or list its ARN in this policy's trustedCodeSigningConfigArns once you have checked it sets untrustedArtifactOnDeployment: "${ENFORCE}".`,
        );
    }
    return [];
}

function checkImage(fn: StackResource, imagePath: PathSegment[], findings: Findings): void {
    const what = "the function's container image is pinned by digest";
    const image = readString(fn.props, imagePath);
    if (findings.unresolved(fn, image, what)) {
        return;
    }
    if (image.state !== "known" || image.value === "") {
        findings.violation(fn, `${image.path} is unset on an image function, so what it runs cannot be verified; set ${image.path} to "<repository>@sha256:<digest>".`);
        return;
    }
    if (containsUnknown(image.value)) {
        findings.notYetKnown(fn, image.path, what);
        return;
    }
    const parsed = parseImageReference(image.value);
    if (!parsed.ok) {
        findings.violation(fn, `${image.path} "${image.value}" is not a valid image reference: ${parsed.reason}; use "<repository>@sha256:<64 hex digest>".`);
        return;
    }
    if (!parsed.image.digest) {
        findings.violation(
            fn,
            `${image.path} is "${image.value}", not pinned by digest, and Lambda code signing does not cover images, so the tag can be re-pointed to unapproved code; use "${image.value}@sha256:<digest>".`,
        );
    }
}

function checkConfig(csc: StackResource, functions: StackResource[], findings: Findings): void {
    const users = `used by ${functions.map((f) => `"${f.name}"`).join(", ")}`;
    const path = policyPath(csc);
    const what = `the code-signing config (${users}) sets ${path}: "${ENFORCE}"`;
    const policy = readString(csc.props, path);
    if (!findings.unresolved(csc, policy, what)) {
        if (policy.state !== "known" || policy.value !== ENFORCE) {
            const found = policy.state === "known" ? `"${policy.value}"` : 'unset (defaults to "Warn")';
            findings.violation(
                csc,
                `${path} is ${found} (${users}), so unsigned or wrongly signed code is deployed and only logged; set ${path}: "${ENFORCE}".`,
            );
        }
    }
    const publishers = readArray(csc.props, "allowedPublishers.signingProfileVersionArns");
    if (findings.unresolved(csc, publishers, `the code-signing config (${users}) names the signing profiles allowed to publish`)) {
        return;
    }
    if (publishers.state !== "known" || publishers.value.length === 0) {
        findings.violation(
            csc,
            `allowedPublishers.signingProfileVersionArns is ${publishers.state === "known" ? "empty" : "unset"} (${users}), so no signing profile is trusted; list the approver's signing profile version ARNs.`,
        );
    }
}
