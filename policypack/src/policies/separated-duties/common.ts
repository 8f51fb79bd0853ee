/**
 * Helpers shared by the separated-duties policies: resource types they read, reporting the
 * documents and references the analysis could not use, and break-glass matching.
 */
import type { Findings, Subject } from "../../framework/findings";
import type { IamModel, Problem } from "../../engine/iam/model";
import { RUNS_AS_ROLE } from "../../engine/iam/model";
import { IAM_INSTANCE_PROFILE, IAM_MODEL_TYPES, KMS_KEY, KMS_KEY_POLICY, S3_BUCKET_POLICY, EKS_ACCESS_ENTRY, EKS_ACCESS_POLICY_ASSOCIATION, IAM_ROLES, IAM_USERS, IAM_GROUPS } from "../../engine/iam/types";
import { K8S_RBAC_TYPES, K8S_SERVICE_ACCOUNT, RbacModel } from "../../engine/rbac/model";
import type { StackModel } from "../../sdk/stack-model";

/** Every type the duty analysis reads. */
export const DUTY_ANALYSIS_TYPES: readonly string[] = [
    ...IAM_MODEL_TYPES,
    KMS_KEY.aws,
    KMS_KEY.native,
    KMS_KEY.replica,
    KMS_KEY_POLICY,
    S3_BUCKET_POLICY.aws,
    S3_BUCKET_POLICY.native,
    ...RUNS_AS_ROLE.flatMap((k) => k.types),
    IAM_INSTANCE_PROFILE.aws,
    IAM_INSTANCE_PROFILE.native,
    EKS_ACCESS_ENTRY.aws,
    EKS_ACCESS_ENTRY.native,
    EKS_ACCESS_POLICY_ASSOCIATION,
    ...K8S_RBAC_TYPES,
    ...K8S_SERVICE_ACCOUNT,
];

/** Property paths the duty analysis depends on (for no-ignore-changes-on-guarded-properties). */
export const DUTY_GUARDS = [
    { types: IAM_ROLES, paths: ["assumeRolePolicy", "assumeRolePolicyDocument", "inlinePolicies", "policies", "managedPolicyArns", "permissionsBoundary"] },
    { types: IAM_USERS, paths: ["policies", "managedPolicyArns", "permissionsBoundary", "groups"] },
    { types: IAM_GROUPS, paths: ["policies", "managedPolicyArns"] },
    { types: ["aws:iam/policy:Policy"], paths: ["policy"] },
    { types: ["aws-native:iam:ManagedPolicy"], paths: ["policyDocument", "roles", "users", "groups"] },
    { types: ["aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"], paths: ["policy"] },
    { types: ["aws:iam/policyAttachment:PolicyAttachment"], paths: ["policyArn", "roles", "users", "groups"] },
    { types: ["aws:iam/groupMembership:GroupMembership"], paths: ["users", "group"] },
    { types: ["aws:iam/userGroupMembership:UserGroupMembership"], paths: ["groups", "user"] },
    { types: K8S_RBAC_TYPES, paths: ["rules", "subjects", "roleRef", "aggregationRule"] },
] as const;

export { breakGlassOf } from "../../engine/duties/analysis";

/**
 * Reports each problem once: unknown -> advisory "verified at update" (a violation at update),
 * unreadable -> violation. `what` completes "it will be verified at update that ...".
 */
export function reportProblems(findings: Findings, problems: Iterable<Problem>, what: (p: Problem) => string, seen = new Set<string>()): void {
    for (const p of problems) {
        const key = `${p.resource.urn}\u0000${p.path}`;
        if (seen.has(key)) {
            continue;
        }
        seen.add(key);
        const subject: Subject = p.resource;
        if (p.state === "unknown") {
            findings.notYetKnown(subject, p.path, what(p));
        } else {
            findings.unreadable(subject, p.path, p.reason, what(p));
        }
    }
}

/** Problems of every principal and reference in the IAM and RBAC models. */
export function allProblems(iam: IamModel, rbac: RbacModel): Problem[] {
    const out: Problem[] = [];
    for (const p of iam.principals) {
        out.push(...p.problems);
    }
    out.push(...iam.orphanProblems, ...rbac.problems);
    return out;
}

/** The stack's root resource (for findings about config rather than a resource). */
export function stackRoot(model: StackModel): Subject | undefined {
    return model.ofTypes(["pulumi:pulumi:Stack"])[0];
}
