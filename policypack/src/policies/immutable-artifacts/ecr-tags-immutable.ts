import { resourcePolicy } from "../../framework/definition";
import { describe, readArray, readString } from "../../framework/values";
import { ECR_REPOSITORY, ECR_REPOSITORY_CREATION_TEMPLATE } from "../../engine/resource-types";

interface Config {
    allowExclusionFilters: boolean;
}

const IMMUTABLE = "IMMUTABLE";
const WITH_EXCLUSION = "IMMUTABLE_WITH_EXCLUSION";

export const ecrTagsImmutable = resourcePolicy<Config>({
    name: "ecr-tags-immutable",
    displayName: "ECR image tags are immutable",
    guarantee: "immutable-artifacts",
    description: "ECR repositories keep image tags immutable, so a released tag can never be pointed at different code.",
    rule:
        "Every `aws.ecr.Repository`, `aws-native:ecr:Repository` and ECR repository creation template must set " +
        "`imageTagMutability` to `IMMUTABLE`. Unset means `MUTABLE` (the AWS default). `IMMUTABLE_WITH_EXCLUSION` " +
        "leaves the excluded tags mutable and passes only when `allowExclusionFilters` is true.",
    why:
        "With mutable tags anyone who can push can replace what `app:1.4.2` means after it was reviewed and approved; " +
        "deployments that pull by tag then run code nobody approved, and the registry keeps no record of the old image.",
    severity: "high",
    remediationSteps:
        'Set `imageTagMutability: "IMMUTABLE"` on the repository (changing it in place is safe; existing tags stay). ' +
        "Publish every build under a new tag, and deploy by digest. `ImmutableImageRepository` from sealed-infra does this for you.",
    config: {
        allowExclusionFilters: {
            description: "Accept IMMUTABLE_WITH_EXCLUSION (tags matching the repository's exclusion filters stay mutable).",
            default: false,
            schema: { type: "boolean" },
        },
    },
    guards: [
        { types: ECR_REPOSITORY, paths: ["imageTagMutability", "imageTagMutabilityExclusionFilters"] },
        { types: ECR_REPOSITORY_CREATION_TEMPLATE, paths: ["imageTagMutability", "imageTagMutabilityExclusionFilters"] },
    ],
    resourceTypes: [...ECR_REPOSITORY, ...ECR_REPOSITORY_CREATION_TEMPLATE],
    example: {
        compliant: 'new aws.ecr.Repository("images", { imageTagMutability: "IMMUTABLE" });',
        violating: 'new aws.ecr.Repository("images"); // unset: MUTABLE',
    },
    check(repo, config, findings) {
        const what = `imageTagMutability is "${IMMUTABLE}"`;
        const r = readString(repo.props, "imageTagMutability");
        if (findings.unresolved(repo, r, what)) {
            return;
        }
        const value = r.state === "known" ? r.value : undefined;
        if (value === IMMUTABLE) {
            return;
        }
        if (value === WITH_EXCLUSION) {
            if (config.allowExclusionFilters) {
                return;
            }
            const filters = readArray(repo.props, "imageTagMutabilityExclusionFilters");
            const which = filters.state === "known" ? ` (mutable tags: ${describe(filters.value)})` : "";
            findings.violation(
                repo,
                `imageTagMutability is "${WITH_EXCLUSION}"${which}, so matching tags can be overwritten; set imageTagMutability: "${IMMUTABLE}", or allow exclusion filters in this policy's config (allowExclusionFilters: true).`,
            );
            return;
        }
        const found = value === undefined ? 'unset (AWS defaults to "MUTABLE")' : describe(value);
        findings.violation(repo, `imageTagMutability is ${found}, so a pushed tag can be overwritten; set imageTagMutability: "${IMMUTABLE}".`);
    },
});
