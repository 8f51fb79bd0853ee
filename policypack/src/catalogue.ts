/**
 * Every policy of the pack, in catalogue order. The pack (index.ts), the README generator and the
 * tests all read this list, so a policy is registered in exactly one place.
 */
import type { PolicyDefinition } from "./framework/definition";
import { ecrTagsImmutable } from "./policies/immutable-artifacts/ecr-tags-immutable";
import { imagesPinnedByDigest } from "./policies/immutable-artifacts/images-pinned-by-digest";
import { s3VersioningEnabled } from "./policies/immutable-artifacts/s3-versioning-enabled";
import { s3ObjectLock } from "./policies/immutable-artifacts/s3-object-lock";
import { s3NoEarlyExpiration } from "./policies/immutable-artifacts/s3-no-early-expiration";
import { s3StoreSealed } from "./policies/immutable-artifacts/s3-store-sealed";
import { cloudtrailTamperEvident } from "./policies/immutable-artifacts/cloudtrail-tamper-evident";
import { logGroupsRetained } from "./policies/immutable-artifacts/log-groups-retained";
import { kmsKeysProtected } from "./policies/immutable-artifacts/kms-keys-protected";
import { lambdaCodeSigningEnforced } from "./policies/immutable-artifacts/lambda-code-signing-enforced";
import { k8sConfigImmutable } from "./policies/immutable-artifacts/k8s-config-immutable";
import { k8sRuntimeReadOnly } from "./policies/immutable-artifacts/k8s-runtime-read-only";
import { ec2ImmutableHosts } from "./policies/immutable-artifacts/ec2-immutable-hosts";
import { criticalResourcesProtected } from "./policies/immutable-updates/critical-resources-protected";
import { noIgnoreChangesOnGuardedProperties } from "./policies/immutable-updates/no-ignore-changes-on-guarded-properties";
import { noDeleteBeforeReplaceOnRecords } from "./policies/immutable-updates/no-delete-before-replace-on-records";
import { dutiesSeparated } from "./policies/separated-duties/duties-separated";
import { noDutyEscalation } from "./policies/separated-duties/no-duty-escalation";
import { trustPoliciesScoped } from "./policies/separated-duties/trust-policies-scoped";
import { noStandingAdmin } from "./policies/separated-duties/no-standing-admin";
import { k8sRbacLeastPrivilege } from "./policies/separated-duties/k8s-rbac-least-privilege";
import { waiversPolicy } from "./policies/exceptions/waivers";
import { releaseApproved } from "./policies/separated-duties/release-approved";

export const catalogue: readonly PolicyDefinition[] = [
    // Exceptions: first, because it hands its config (the waivers) to every policy after it.
    waiversPolicy(() => catalogue),
    // Immutable artifacts and records
    ecrTagsImmutable,
    s3VersioningEnabled,
    s3ObjectLock,
    s3NoEarlyExpiration,
    s3StoreSealed,
    cloudtrailTamperEvident,
    logGroupsRetained,
    kmsKeysProtected,
    lambdaCodeSigningEnforced,
    imagesPinnedByDigest,
    k8sConfigImmutable,
    k8sRuntimeReadOnly,
    ec2ImmutableHosts,
    // Immutable updates (Pulumi resource options)
    criticalResourcesProtected,
    // Reads the guards of every policy in this list when first used (a function, so there is no import cycle).
    noIgnoreChangesOnGuardedProperties(() => catalogue),
    noDeleteBeforeReplaceOnRecords,
    // Separated duties
    dutiesSeparated,
    noDutyEscalation,
    trustPoliciesScoped,
    noStandingAdmin,
    k8sRbacLeastPrivilege,
    // Release approval
    releaseApproved,
];
