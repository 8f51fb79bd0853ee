import { resourcePolicy, ResourceSubject } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { describe, read, readArray, readString } from "../../framework/values";
import { parsePolicyDocument, Statement } from "../../engine/iam/document";
import { actionMatches } from "../../engine/iam/evaluate";
import { accountOfEntry, deniesAllButNamedCallers, restrictsCaller } from "../../engine/iam/model";
import { ECR_REPOSITORY, ECR_REPOSITORY_CREATION_TEMPLATE, ECR_REPOSITORY_POLICY } from "../../engine/resource-types";

interface Config {
    allowExclusionFilters: boolean;
}

const IMMUTABLE = "IMMUTABLE";
/**
 * Actions that free or replace a released image, or lift the repository's protections: with
 * BatchDeleteImage a tag is freed and PutImage pushes different code under it (immutable tags only
 * stop overwriting a tag that exists); the others delete or expire images, or rewrite the policy.
 */
const IMAGE_WRITE_ACTIONS = [
    "ecr:BatchDeleteImage", "ecr:PutImage", "ecr:DeleteRepository", "ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy",
    "ecr:PutImageTagMutability", "ecr:PutLifecyclePolicy",
];
/** Where each type keeps its repository policy. */
const POLICY_PATH: Record<string, string> = {
    [ECR_REPOSITORY_POLICY]: "policy",
    "aws-native:ecr:Repository": "repositoryPolicyText",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": "repositoryPolicy",
    "aws-native:ecr:RepositoryCreationTemplate": "repositoryPolicy",
};
const WITH_EXCLUSION = "IMMUTABLE_WITH_EXCLUSION";

export const ecrTagsImmutable = resourcePolicy<Config>({
    name: "ecr-tags-immutable",
    displayName: "ECR image tags are immutable",
    guarantee: "immutable-artifacts",
    description:
        "ECR repositories keep image tags immutable, and their repository policies let no broad principal delete, push or re-police images, so a released tag can never be pointed at different code.",
    rule:
        "Every `aws.ecr.Repository`, `aws-native:ecr:Repository` and ECR repository creation template must set " +
        "`imageTagMutability` to `IMMUTABLE`. Unset means `MUTABLE` (the AWS default). `IMMUTABLE_WITH_EXCLUSION` " +
        "leaves the excluded tags mutable and passes only when `allowExclusionFilters` is true. Repository policies " +
        "(`aws.ecr.RepositoryPolicy`, an aws-native repository's `repositoryPolicyText`, a creation template's " +
        "`repositoryPolicy`) must not allow `ecr:BatchDeleteImage`, `ecr:PutImage`, `ecr:DeleteRepository`, " +
        "`ecr:SetRepositoryPolicy`, `ecr:DeleteRepositoryPolicy`, `ecr:PutImageTagMutability` or `ecr:PutLifecyclePolicy` " +
        "(wildcards included) to a broad principal: `*`, NotPrincipal, or a whole account other than the registry's own " +
        "(`registryId`), unless a condition restricts the caller (aws:PrincipalArn, aws:PrincipalAccount, " +
        "aws:PrincipalOrgID, aws:SourceAccount, ...) or a Deny in the same policy refuses the action to every other caller. " +
        "A policy or registryId unknown in preview is verified at update; an unreadable policy fails closed.",
    why:
        "With mutable tags anyone who can push can replace what `app:1.4.2` means after it was reviewed and approved; " +
        "deployments that pull by tag then run code nobody approved, and the registry keeps no record of the old image. " +
        "Immutable tags only stop overwriting a tag that exists: whoever may delete the image frees the tag and pushes " +
        "different code under it, so a repository policy that grants deletion and push to anyone undoes the guarantee.",
    severity: "high",
    remediationSteps:
        'Set `imageTagMutability: "IMMUTABLE"` on the repository (changing it in place is safe; existing tags stay). ' +
        "Publish every build under a new tag, and deploy by digest. In repository policies grant push only to named publisher " +
        "roles and deletion to nobody (or a named administrator). `ImmutableImageRepository` from sealed-infra does this for you.",
    config: {
        allowExclusionFilters: {
            description: "Accept IMMUTABLE_WITH_EXCLUSION (tags matching the repository's exclusion filters stay mutable).",
            default: false,
            schema: { type: "boolean" },
        },
    },
    guards: [
        { types: ECR_REPOSITORY, paths: ["imageTagMutability", "imageTagMutabilityExclusionFilters", "repositoryPolicyText"] },
        { types: ECR_REPOSITORY_CREATION_TEMPLATE, paths: ["imageTagMutability", "imageTagMutabilityExclusionFilters", "repositoryPolicy"] },
        { types: [ECR_REPOSITORY_POLICY], paths: ["policy"] },
    ],
    resourceTypes: [...ECR_REPOSITORY, ...ECR_REPOSITORY_CREATION_TEMPLATE, ECR_REPOSITORY_POLICY],
    example: {
        compliant: 'new aws.ecr.Repository("images", { imageTagMutability: "IMMUTABLE" });',
        violating: 'new aws.ecr.Repository("images"); // unset: MUTABLE',
    },
    check(repo, config, findings) {
        if (POLICY_PATH[repo.type]) {
            checkRepositoryPolicy(repo, POLICY_PATH[repo.type], findings);
        }
        if (repo.type === ECR_REPOSITORY_POLICY) {
            return;
        }
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

/** The registry's account: `registryId`, or the account of the repository ARN. */
function ownAccount(repo: ResourceSubject): { state: "known"; account: string } | { state: "unknown" | "absent"; path: string } {
    const id = readString(repo.props, "registryId");
    if (id.state === "known" && /^\d{12}$/.test(id.value)) {
        return { state: "known", account: id.value };
    }
    const arn = readString(repo.props, "arn");
    const fromArn = arn.state === "known" ? /^arn:[^:]+:ecr:[^:]*:(\d{12}):/.exec(arn.value)?.[1] : undefined;
    if (fromArn) {
        return { state: "known", account: fromArn };
    }
    return { state: id.state === "unknown" || arn.state === "unknown" ? "unknown" : "absent", path: "registryId" };
}

/** Who a statement grants to that counts as broad: anyone, or whole accounts (own account excluded when known). */
function broadGrantees(s: Statement, own: string | undefined): { broad: string[]; accounts: string[] } {
    const broad: string[] = [];
    const accounts: string[] = [];
    if (s.principals?.any) {
        broad.push('any principal ("*")');
    }
    if (s.notPrincipals) {
        broad.push("everyone except its NotPrincipal");
    }
    for (const entry of s.principals?.aws ?? []) {
        const account = accountOfEntry(entry);
        if (account && own === undefined) {
            accounts.push(account);
        } else if (account && account !== own) {
            broad.push(`every principal of account ${account}`);
        }
    }
    return { broad, accounts };
}

/** Image deletion, push and policy changes granted to broad principals by a repository policy. */
function checkRepositoryPolicy(repo: ResourceSubject, path: string, findings: Findings): void {
    const what = "the repository policy lets no broad principal delete or push images or change the policy";
    const raw = read(repo.props, path);
    if (findings.unresolved(repo, raw, what) || raw.state !== "known") {
        return;
    }
    const parsed = parsePolicyDocument(raw.value, { label: `${path}` }, false);
    if (parsed.state === "unknown") {
        findings.notYetKnown(repo, path, what);
        return;
    }
    if (parsed.state === "unreadable") {
        findings.unreadable(repo, path, parsed.reason, what);
        return;
    }
    const statements = parsed.doc.statements;
    const own = ownAccount(repo);
    for (const s of statements) {
        if (s.effect !== "Allow" || restrictsCaller(s)) {
            continue;
        }
        // A Deny of the action to every caller but the named ones takes it back from the broad grantees.
        const actions = IMAGE_WRITE_ACTIONS.filter((a) => actionMatches(s, a.toLowerCase()) && !statements.some((d) => deniesAllButNamedCallers(d) && actionMatches(d, a.toLowerCase())));
        if (actions.length === 0) {
            continue;
        }
        const where = `${path} Statement[${s.index}]${s.sid ? ` ("${s.sid}")` : ""}`;
        const { broad, accounts } = broadGrantees(s, own.state === "known" ? own.account : undefined);
        if (broad.length > 0) {
            findings.violation(
                repo,
                `${where} allows ${actions.join(", ")} to ${broad.join(" and ")} without a condition that restricts the caller, so they can delete a released image and push different code under the freed tag (immutable tags do not prevent it) or rewrite the repository's protections; grant push only to named publisher role ARNs and deletion to nobody, or add a condition such as StringEquals { "aws:PrincipalOrgID": "<organization>" }.`,
            );
        } else if (accounts.length > 0 && own.state !== "known") {
            const check = `${what} (whether account ${accounts.join(", ")} in ${where} is the registry's own account)`;
            if (own.state === "unknown") {
                findings.notYetKnown(repo, own.path, check);
            } else {
                findings.unreadable(repo, own.path, "is not set, so the registry's account is unknown", check);
            }
        }
    }
}
