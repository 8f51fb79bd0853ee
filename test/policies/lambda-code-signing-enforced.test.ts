import { strict as assert } from "assert";
import { lambdaCodeSigningEnforced } from "../../policypack/src/policies/immutable-artifacts/lambda-code-signing-enforced";
import { UNREADABLE_SECRET } from "../../policypack/src/framework/values";
import { advisory, mandatory, runStackPolicy, TestResource, UNKNOWN, urnOf } from "../harness/policy-harness";

const FN = "aws:lambda/function:Function";
const NATIVE_FN = "aws-native:lambda:Function";
const CSC = "aws:lambda/codeSigningConfig:CodeSigningConfig";
const NATIVE_CSC = "aws-native:lambda:CodeSigningConfig";

const PROFILE = "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/approver/abcdef";
const CSC_ARN = "arn:aws:lambda:eu-west-1:123456789012:code-signing-config:csc-0123456789abcdef0";
const DIGEST = "b".repeat(64);

function csc(name: string, policy: string | undefined, type = CSC, extra: Record<string, unknown> = {}): TestResource {
    const arn = `${CSC_ARN}-${name}`;
    const policies = policy === undefined ? {} : type === NATIVE_CSC ? { codeSigningPolicies: { untrustedArtifactOnDeployment: policy } } : { policies: { untrustedArtifactOnDeployment: policy } };
    const keys = type === NATIVE_CSC ? { codeSigningConfigArn: arn } : { arn };
    return { type, name, props: { allowedPublishers: { signingProfileVersionArns: [PROFILE] }, ...policies, ...keys, ...extra } };
}

/** A zip function joined to `config` through propertyDependencies (value unknown, as in preview), by ARN, or not at all. */
function zipFn(name: string, config?: TestResource, how: "deps" | "arn" = "deps", type = FN, extra: Record<string, unknown> = {}): TestResource {
    const arn = config ? (config.props!.arn ?? config.props!.codeSigningConfigArn) : undefined;
    return {
        type,
        name,
        props: { runtime: "nodejs20.x", handler: "index.handler", ...(config ? { codeSigningConfigArn: how === "arn" ? arn : UNKNOWN } : {}), ...extra },
        propertyDependencies: config && how === "deps" ? { codeSigningConfigArn: [urnOf(config.type, config.name)] } : {},
    };
}

describe("lambda-code-signing-enforced", () => {
    it("passes zip functions whose config Enforces (aws and aws-native, joined by dependency or ARN)", () => {
        for (const [fnType, cscType] of [
            [FN, CSC],
            [NATIVE_FN, NATIVE_CSC],
            [FN, NATIVE_CSC],
        ]) {
            const config = csc("signed", "Enforce", cscType);
            assert.deepEqual(runStackPolicy(lambdaCodeSigningEnforced, [config, zipFn("api", config, "deps", fnType)]), [], `${fnType} deps`);
            assert.deepEqual(runStackPolicy(lambdaCodeSigningEnforced, [config, zipFn("api", config, "arn", fnType)]), [], `${fnType} arn`);
        }
    });

    it("reports a zip function without a code-signing config on the function's URN, with the fix", () => {
        const found = runStackPolicy(lambdaCodeSigningEnforced, [zipFn("api", undefined, "deps", FN, { packageType: "Zip" })]);
        assert.equal(found.length, 1);
        assert.equal(found[0].enforcementLevel, "mandatory");
        assert.equal(found[0].urn, urnOf(FN, "api"));
        assert.match(found[0].message, /\naws:lambda:Function "api": codeSigningConfigArn is unset on a zip function, so Lambda deploys any package/);
        assert.match(found[0].message, /untrustedArtifactOnDeployment: "Enforce" and set codeSigningConfigArn to its arn/);
        // Outputs show an empty string for "no config", and an empty imageUri on zip functions.
        const outputs = mandatory(runStackPolicy(lambdaCodeSigningEnforced, [zipFn("api", undefined, "deps", FN, { codeSigningConfigArn: "", imageUri: "" })]));
        assert.equal(outputs.length, 1);
        assert.match(outputs[0].message, /codeSigningConfigArn is unset/);
    });

    it("reports a Warn (or unset) policy once on the config's URN, naming every function using it", () => {
        for (const [policy, found] of [
            ["Warn", '"Warn"'],
            [undefined, 'unset \\(defaults to "Warn"\\)'],
        ] as const) {
            const config = csc("lenient", policy);
            const result = runStackPolicy(lambdaCodeSigningEnforced, [config, zipFn("a", config), zipFn("b", config, "arn")]);
            assert.equal(result.length, 1);
            assert.equal(result[0].urn, urnOf(CSC, "lenient"));
            assert.match(result[0].message, new RegExp(`aws:lambda:CodeSigningConfig "lenient": policies\\.untrustedArtifactOnDeployment is ${found} \\(used by "a", "b"\\)`));
            assert.match(result[0].message, /set policies\.untrustedArtifactOnDeployment: "Enforce"/);
        }
        const native = mandatory(runStackPolicy(lambdaCodeSigningEnforced, [csc("n", "Warn", NATIVE_CSC), zipFn("f", csc("n", "Warn", NATIVE_CSC), "deps", NATIVE_FN)]));
        assert.equal(native.length, 1);
        assert.match(native[0].message, /codeSigningPolicies\.untrustedArtifactOnDeployment is "Warn"/);
    });

    it("requires allowed signing profiles on the config", () => {
        const config = csc("empty", "Enforce", CSC, { allowedPublishers: { signingProfileVersionArns: [] } });
        const found = mandatory(runStackPolicy(lambdaCodeSigningEnforced, [config, zipFn("f", config)]));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /allowedPublishers\.signingProfileVersionArns is empty/);
    });

    it("does not judge configs no function of the stack uses", () => {
        assert.deepEqual(runStackPolicy(lambdaCodeSigningEnforced, [csc("unused", "Warn")]), []);
    });

    it("a config outside the stack passes only when trusted", () => {
        const fn = zipFn("api", undefined, "deps", FN, { codeSigningConfigArn: `${CSC_ARN}-shared` });
        const found = mandatory(runStackPolicy(lambdaCodeSigningEnforced, [fn]));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /a code-signing config outside this stack, so it cannot be verified .*trustedCodeSigningConfigArns/);
        assert.deepEqual(runStackPolicy(lambdaCodeSigningEnforced, [fn], { config: { trustedCodeSigningConfigArns: ["arn:aws:lambda:*:123456789012:code-signing-config:*"] } }), []);
    });

    describe("image functions", () => {
        it("pass when pinned by digest (aws imageUri, aws-native code.imageUri)", () => {
            const uri = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/api@sha256:${DIGEST}`;
            assert.deepEqual(runStackPolicy(lambdaCodeSigningEnforced, [{ type: FN, name: "i", props: { packageType: "Image", imageUri: uri } }]), []);
            assert.deepEqual(runStackPolicy(lambdaCodeSigningEnforced, [{ type: NATIVE_FN, name: "i", props: { packageType: "Image", code: { imageUri: uri } } }]), []);
        });

        it("fail when tag-only or malformed, and need no code-signing config", () => {
            const tag = mandatory(runStackPolicy(lambdaCodeSigningEnforced, [{ type: FN, name: "i", props: { packageType: "Image", imageUri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.2" } }]));
            assert.equal(tag.length, 1);
            assert.match(tag[0].message, /imageUri is "123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/api:1\.2", not pinned by digest, and Lambda code signing does not cover images/);
            // packageType unset but an image URI set: an image function.
            const native = mandatory(runStackPolicy(lambdaCodeSigningEnforced, [{ type: NATIVE_FN, name: "n", props: { code: { imageUri: "api:latest" } } }]));
            assert.equal(native.length, 1);
            assert.match(native[0].message, /code\.imageUri is "api:latest", not pinned by digest/);
            const bad = mandatory(runStackPolicy(lambdaCodeSigningEnforced, [{ type: FN, name: "b", props: { packageType: "Image", imageUri: "api@sha256:123" } }]));
            assert.match(bad[0].message, /is not a valid image reference/);
            const missing = mandatory(runStackPolicy(lambdaCodeSigningEnforced, [{ type: FN, name: "m", props: { packageType: "Image" } }]));
            assert.match(missing[0].message, /imageUri is unset on an image function/);
        });
    });

    it("unknown values give 'verified at update' notes in preview and fail closed at update", () => {
        // An ARN unknown in preview with no dependency to resolve it.
        const pending = zipFn("api", undefined, "deps", FN, { codeSigningConfigArn: UNKNOWN });
        const preview = runStackPolicy(lambdaCodeSigningEnforced, [pending]);
        assert.equal(mandatory(preview).length, 0);
        assert.equal(advisory(preview).length, 1);
        assert.equal(advisory(preview)[0].urn, urnOf(FN, "api"));
        assert.match(advisory(preview)[0].message, /codeSigningConfigArn is not known until the update, so it will be verified at update/);
        assert.equal(mandatory(runStackPolicy(lambdaCodeSigningEnforced, [pending], { preview: false })).length, 1);
        // The config's policy unknown: noted on the config.
        const config = csc("later", UNKNOWN);
        const onConfig = runStackPolicy(lambdaCodeSigningEnforced, [config, zipFn("f", config)]);
        assert.equal(advisory(onConfig).length, 1);
        assert.equal(advisory(onConfig)[0].urn, urnOf(CSC, "later"));
        // An interpolated image URI with an unknown digest.
        const image = runStackPolicy(lambdaCodeSigningEnforced, [{ type: FN, name: "i", props: { packageType: "Image", imageUri: `repo/api@${UNKNOWN}` } }]);
        assert.equal(mandatory(image).length, 0);
        assert.match(advisory(image)[0].message, /imageUri is not known until the update/);
    });

    it("fails closed on unreadable values", () => {
        const secret = mandatory(runStackPolicy(lambdaCodeSigningEnforced, [zipFn("s", undefined, "deps", FN, { codeSigningConfigArn: UNREADABLE_SECRET })]));
        assert.equal(secret.length, 1);
        assert.match(secret[0].message, /cannot verify .*codeSigningConfigArn .*--show-secrets/);
        const weird = mandatory(runStackPolicy(lambdaCodeSigningEnforced, [{ type: FN, name: "w", props: { packageType: "Container" } }]));
        assert.equal(weird.length, 1);
        assert.match(weird[0].message, /packageType is "Container", neither "Zip" nor "Image"/);
        const config = csc("odd", "Enforce", CSC, { allowedPublishers: { signingProfileVersionArns: "arn" } });
        const odd = mandatory(runStackPolicy(lambdaCodeSigningEnforced, [config, zipFn("f", config)]));
        assert.equal(odd.length, 1);
        assert.match(odd[0].message, /signingProfileVersionArns could not be read: expected a list/);
    });
});
