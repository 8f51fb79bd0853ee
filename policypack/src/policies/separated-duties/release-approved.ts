import { stackPolicy } from "../../framework/definition";
import { Findings, Subject, unknownNote, unknownWording } from "../../framework/findings";
import { ECS_TASK_DEFINITION, LAMBDA_FUNCTION, POD_CONTAINER_LISTS, podSpecGuards } from "../../engine/resource-types";
import { ApproverKeyConfig, DEFAULT_MAX_APPROVAL_DAYS, keyRing, maxApprovalDaysOf, noUsableKeys } from "../../engine/release/approval";
import { ARTIFACT_TYPES, DeployedArtifact, deployedArtifacts, K8S_RELEASE_APPROVAL, LAMBDA_VERSION_NATIVE } from "../../engine/release/artifacts";
import { APPROVED_RELEASE_TYPE, JudgedApproval, judgeApprovals, releaseNow, stackIdentity } from "../../engine/release/stack-approvals";

interface Config {
    approverKeys: ApproverKeyConfig[];
    deployerIdentities: string[];
    requireApprovals: boolean;
    maxApprovalDays: number;
}

const KEY_SCHEMA = {
    type: "object",
    additionalProperties: false,
    required: ["id", "publicKeyPem"],
    properties: {
        id: { type: "string", minLength: 1, description: "Key id; an approval names it as keyId (e.g. the KMS key ARN or alias)." },
        publicKeyPem: {
            type: "string",
            minLength: 1,
            description: "Public key: PEM SubjectPublicKeyInfo, or the base64 DER that `aws kms get-public-key --query PublicKey --output text` prints.",
        },
        approver: { type: "string", minLength: 1, description: "Whose key it is; approvals signed with it must name this approver." },
    },
};

export const releaseApproved = stackPolicy<Config>({
    name: "release-approved",
    displayName: "Every deployed artifact carries a signed release approval",
    guarantee: "separated-duties",
    description:
        "Every artifact the stack deploys (container image, Lambda package) is covered by a release approval that an approver, not a deployer, signed for this project and stack and that has not expired.",
    rule:
        "Artifacts: the sha256 digest of every container image of Kubernetes workloads of all kinds and their Patch variants " +
        "(containers, init and ephemeral containers), ECS task definitions and Lambda image functions; the code hash of aws " +
        "Lambda zip functions (`codeSha256` and `sourceCodeHash`, each one set; base64 or hex SHA-256); for aws-native zip " +
        "functions, which report no hash, the `codeSha256` of the `aws-native:lambda:Version`s published for them; and every " +
        "digest a Kubernetes `ReleaseApproval` object admits (`spec.digests`). Approvals are `ApprovedRelease` components " +
        "(`" +
        APPROVED_RELEASE_TYPE +
        "`) carrying a manifest and its signature. An approval counts when its signature verifies against an `approverKeys` " +
        "entry (the one named by its `keyId`, else any), its manifest is valid and canonical, names this project (exactly) " +
        "and this stack (exactly or by `*` pattern) as read from the stack's URNs, has not expired, lasts at most " +
        "`maxApprovalDays` (default 30) from its `issued` time (from now when it names none) to its expiry, names the key's " +
        "`approver` when the key has one, and neither the manifest's approver nor the key's is in `deployerIdentities` " +
        "(case-insensitive, `*` patterns). An artifact is covered when a counting approval lists its digest. " +
        "When it applies: on a stack that carries at least one `ApprovedRelease`, or on every stack when `requireApprovals` " +
        "is true, each uncovered artifact is a violation on the resource that deploys it, naming the artifact and why each " +
        "approval did not cover it; an image not pinned by a sha256 digest or a zip function without a code hash cannot be " +
        "covered and is a violation too. With `approverKeys` configured but `requireApprovals` false, a stack without " +
        "approvals gets the same findings as advisories (adoption mode). With neither keys nor `requireApprovals` nor an " +
        "`ApprovedRelease` in the stack the policy does not apply (opt-in: a pack without approver keys has nothing to " +
        "verify against). A digest or an approval not known until the update is an advisory in preview and a violation at " +
        "update. Approvals that do not count are noted (advisory) on the ApprovedRelease so they get fixed or removed; " +
        "unusable `approverKeys` entries are a violation of the pack config.",
    why:
        "Separate deployer and approver roles are not enough if the deployer can ship an artifact nobody approved. A " +
        "signature over the exact digests makes approval a verifiable fact: the deployer can carry an approval into the " +
        "stack but cannot forge one, because the approver public keys live in the pack config, which only organization " +
        "admins set, and the private keys (or the KMS ReleaseSigningKey) belong to the approvers.",
    severity: "critical",
    remediationSteps:
        "An approver creates and signs a manifest for the release: `sealed-infra approve create --project <p> --stack <s> " +
        "--image <repo>@sha256:<digest> --lambda-zip <pkg.zip> --expires-in 7d --approver <you> --ticket <CHG-1> --out " +
        "release.manifest.json`, then `sealed-infra approve sign release.manifest.json --key approver.pem --key-id <id> --out " +
        "release.approval.json` (or `aws kms sign` with the ReleaseSigningKey and `sealed-infra approve attach`). The deployer " +
        "adds `new ApprovedRelease(\"release\", ApprovedRelease.readApprovalFile(\"release.approval.json\"))` to the program. " +
        "An organization admin lists the approvers' public keys in `approverKeys` and the CI identities in " +
        "`deployerIdentities`, and sets `requireApprovals: true` to block stacks without approvals.",
    config: {
        approverKeys: {
            description:
                "Approver public keys: { id, publicKeyPem, approver? }. Ed25519, ECDSA P-256 (also P-384/P-521) or RSA >= 2048 (RSASSA-PSS SHA-256). Empty: no approval can be verified.",
            default: [],
            schema: { type: "array", items: KEY_SCHEMA },
        },
        deployerIdentities: {
            description:
                "Identities that deploy (CI users, deployer role ARNs, e-mails); an approval by any of them does not count. Case-insensitive, `*` matches any characters.",
            default: [],
            schema: { type: "array", items: { type: "string", minLength: 1 } },
        },
        maxApprovalDays: {
            description:
                "Longest an approval may last, in days from its issue time to its expiry; a longer one does not count. Approvals cannot be revoked, so their lifetime needs a ceiling. `sealed-infra approve create --config` refuses longer ones too.",
            default: DEFAULT_MAX_APPROVAL_DAYS,
            schema: { type: "integer", minimum: 1 },
        },
        requireApprovals: {
            description:
                "Require approvals on every stack that deploys artifacts, also on stacks that carry no ApprovedRelease. Default false: the policy applies to stacks that carry one, and is advisory elsewhere once approverKeys are set.",
            default: false,
            schema: { type: "boolean" },
        },
    },
    guards: [
        ...podSpecGuards((podSpec) => POD_CONTAINER_LISTS.map((list) => `${podSpec}.${list}[*].image`)),
        { types: [ECS_TASK_DEFINITION.aws, ECS_TASK_DEFINITION.native], paths: ["containerDefinitions"] },
        { types: [LAMBDA_FUNCTION.aws], paths: ["imageUri", "packageType", "sourceCodeHash", "code", "s3Key", "s3ObjectVersion"] },
        { types: [LAMBDA_FUNCTION.native], paths: ["code", "packageType"] },
        { types: [LAMBDA_VERSION_NATIVE], paths: ["codeSha256", "functionName"] },
        { types: [K8S_RELEASE_APPROVAL], paths: ["spec.digests"] },
        { types: [APPROVED_RELEASE_TYPE], paths: ["manifest", "signature", "keyId"] },
    ],
    resourceTypes: [...ARTIFACT_TYPES, APPROVED_RELEASE_TYPE],
    example: {
        compliant:
            'new ApprovedRelease("release", ApprovedRelease.readApprovalFile("release.approval.json")); // signed by an approver key in approverKeys\n' +
            'new ImmutableWorkload("web", { containers: [{ name: "web", image: "ghcr.io/acme/web@sha256:<digest listed in the manifest>" }] });',
        violating: 'new ImmutableWorkload("web", { containers: [{ name: "web", image: "ghcr.io/acme/web@sha256:<digest no approval lists>" }] });',
    },
    check(model, config, findings) {
        const ring = keyRing(config.approverKeys);
        for (const problem of ring.problems) {
            findings.stackViolation(`release-approved config: ${problem}.`);
        }
        const carried = model.hasAny([APPROVED_RELEASE_TYPE]);
        const mode = carried || config.requireApprovals ? "enforce" : ring.keys.length > 0 || ring.problems.length > 0 ? "advise" : "off";
        if (mode === "off") {
            return;
        }
        const identity = stackIdentity(model);
        if (!identity) {
            findings.stackViolation("release-approved cannot tell which project and stack this is (no resource URN of the form urn:pulumi:<stack>::<project>::...), so no approval can be matched; every artifact is unapproved.");
            return;
        }
        const judged = judgeApprovals(model, {
            ...identity,
            now: releaseNow(),
            ring,
            deployerIdentities: config.deployerIdentities ?? [],
            maxApprovalDays: maxApprovalDaysOf(config.maxApprovalDays),
        });
        const report = reporter(findings, mode);
        for (const artifact of deployedArtifacts(model)) {
            checkArtifact(artifact, judged, identity, ring.keys.length === 0 ? noUsableKeys(ring) : undefined, report);
        }
        noteApprovals(judged, findings);
    },
});

interface Reporter {
    violation(subject: Subject, message: string): void;
    notYetKnown(subject: Subject, path: string, what: string): void;
}

function reporter(findings: Findings, mode: "enforce" | "advise"): Reporter {
    if (mode === "enforce") {
        return findings;
    }
    const advisory =
        " (Advisory: this stack carries no ApprovedRelease and requireApprovals is false; set requireApprovals: true in the pack config to block unapproved releases.)";
    return {
        violation: (subject, message) => findings.note(subject, message + advisory),
        notYetKnown: (subject, path, what) => findings.note(subject, `${unknownNote(unknownWording() === "offline" ? "offline" : "preview", path, what)}${advisory}`),
    };
}

function checkArtifact(
    artifact: DeployedArtifact,
    judged: JudgedApproval[],
    identity: { project: string; stack: string },
    /** Set when no approver key can be used: what the config has instead. */
    noKeys: string | undefined,
    report: Reporter,
): void {
    const { resource, path, what, found } = artifact;
    const covered = `${what} is covered by a valid release approval`;
    if (found.state === "unknown") {
        report.notYetKnown(resource, path, covered);
        return;
    }
    if (found.state === "unidentifiable") {
        report.violation(resource, `${what} (${path}) cannot be covered by a release approval: ${found.reason}; ${found.fix}.`);
        return;
    }
    const digest = found.digest;
    if (judged.some((j) => j.verdict?.valid === true && j.verdict.digests.has(digest))) {
        return;
    }
    const pending = judged.find((j) => j.carried.state === "unknown");
    if (pending && pending.carried.state === "unknown") {
        report.notYetKnown(resource, `ApprovedRelease "${pending.carried.resource.name}" ${pending.carried.path}`, `${what} (${path}) is covered by a valid release approval`);
        return;
    }
    const reasons = judged.map((j) => `ApprovedRelease "${j.carried.resource.name}" ${whyNot(j)}`);
    if (reasons.length === 0) {
        reasons.push(
            noKeys
                ? `the stack carries no ApprovedRelease, and the pack config has ${noKeys} to verify one against`
                : "the stack carries no ApprovedRelease",
        );
    }
    const admitted = artifact.kind === "admitted" ? ", yet this ReleaseApproval lets the cluster's admission policy run it" : "";
    report.violation(
        resource,
        `${what} (${path}) is not covered by a valid release approval${admitted}: ${reasons.join("; ")}. ` +
            `Have an approver (not a deployer) sign a manifest that lists ${digest} for project "${identity.project}" stack "${identity.stack}" ` +
            "(`sealed-infra approve create` and `sealed-infra approve sign`) and add it to the stack with ApprovedRelease" +
            (noKeys ? "; an organization admin must list the approvers' public keys in release-approved.approverKeys" : "") +
            ".",
    );
}

function whyNot(j: JudgedApproval): string {
    const c = j.carried;
    if (c.state === "unreadable") {
        return `cannot be read: ${c.path} ${c.reason.startsWith("is ") ? c.reason : `could not be read: ${c.reason}`}`;
    }
    const v = j.verdict!;
    if (v.valid) {
        return `is valid (approver "${v.approver}", expires ${v.manifest.expires}) but does not list this digest`;
    }
    return `does not count: ${v.failures.map((f) => f.text).join("; ")}`;
}

/**
 * Approvals that do not count, once each on their own URN, so they get fixed or removed. An approval
 * for another project or stack is not noted: a program may carry the approvals of all its stacks, and
 * the stack it names judges it (an artifact it leaves uncovered here still says why it did not count).
 */
function noteApprovals(judged: JudgedApproval[], findings: Findings): void {
    for (const j of judged) {
        const c = j.carried;
        if (c.state === "unreadable") {
            findings.note(c.resource, `this approval cannot be read: ${c.path} ${c.reason.startsWith("is ") ? c.reason : `could not be read: ${c.reason}`}; it covers nothing.`);
        } else if (j.verdict && !j.verdict.valid && !j.verdict.failures.some((f) => f.kind === "other-stack")) {
            findings.note(c.resource, `this approval does not count: ${j.verdict.failures.map((f) => f.text).join("; ")}; it covers nothing.`);
        }
    }
}
