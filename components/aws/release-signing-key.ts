import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ArgValidator,
    AwsContextArgs,
    PURPOSE_RELEASE_APPROVAL,
    TAG_PURPOSE,
    TagsInput,
    awsContext,
    checkPrincipalArns,
    designatedTags,
    isPlain,
    policyDocument,
    resolveProtect,
} from "../common";
import { KEY_ADMIN_ACTIONS } from "./duties";
import { KEY_DELETION_WINDOW_DAYS } from "./keys";

/** Asymmetric KMS key specs a release approval can be signed with (`sealed-infra approve` verifies these). */
export const SigningKeySpec = {
    /** ECDSA on NIST P-256, signing with SHA-256. */
    EccNistP256: "ECC_NIST_P256",
    /** ECDSA on NIST P-384, signing with SHA-384. */
    EccNistP384: "ECC_NIST_P384",
    /** ECDSA on NIST P-521, signing with SHA-512. */
    EccNistP521: "ECC_NIST_P521",
    /** RSA 2048-bit, signing with RSASSA-PSS SHA-256. */
    Rsa2048: "RSA_2048",
    /** RSA 3072-bit, signing with RSASSA-PSS SHA-256. */
    Rsa3072: "RSA_3072",
    /** RSA 4096-bit, signing with RSASSA-PSS SHA-256. */
    Rsa4096: "RSA_4096",
} as const;
export type SigningKeySpec = (typeof SigningKeySpec)[keyof typeof SigningKeySpec];
export const SIGNING_KEY_SPECS: readonly SigningKeySpec[] = Object.values(SigningKeySpec);

/** What verifiers (the deployer) may do with the key: check signatures, read the public key. */
export const VERIFY_ACTIONS = ["kms:Verify", "kms:GetPublicKey", "kms:DescribeKey"] as const;
/** What approvers may do with the key. */
export const SIGN_ACTIONS = ["kms:Sign", ...VERIFY_ACTIONS] as const;

export interface ReleaseSigningKeyArgs extends AwsContextArgs {
    /** Role or user ARNs allowed to sign release approvals (the approver duty). Required, no wildcards. */
    approverPrincipalArns: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Role or user ARNs allowed only to verify signatures and read the public key (typically the
     * deployer). Default: none. Must not overlap the approvers or key administrators.
     */
    verifierPrincipalArns?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Principals that administer the key (policy, grants, deletion). Default: the account root, so
     * the account's IAM policies decide; the approvers and verifiers are denied every key
     * administration action in the key policy itself, so IAM can never hand it to them. Must not
     * overlap the approvers or verifiers.
     */
    keyAdminPrincipalArns?: pulumi.Input<pulumi.Input<string>[]>;
    /** Key spec. Default `ECC_NIST_P256` (ECDSA with SHA-256). */
    keySpec?: SigningKeySpec;
    /** Alias, e.g. `alias/release-approvals`. Default: no alias. */
    aliasName?: string;
    /** Tags; the key always carries `sealed-infra:purpose=release-approval`. */
    tags?: TagsInput;
    /** Pulumi `protect` for the key. Default `true` (or the component's `protect` option). */
    protect?: boolean;
}

/**
 * An asymmetric KMS key for signing release approvals: approvers may Sign; verifiers (the deployer)
 * may only Verify and read the public key; key administration belongs to neither, and no one else
 * may Sign, whatever their IAM policies say. Tagged `sealed-infra:purpose=release-approval`.
 */
export class ReleaseSigningKey extends pulumi.ComponentResource {
    /** The asymmetric SIGN_VERIFY key. */
    readonly key: aws.kms.Key;
    /** The alias, when `aliasName` was given. */
    readonly alias?: aws.kms.Alias;
    /** The key id (for `aws kms sign --key-id`). */
    readonly keyId: pulumi.Output<string>;
    /** The key ARN. */
    readonly keyArn: pulumi.Output<string>;
    /** The key spec. */
    readonly keySpec: SigningKeySpec;
    /** The signing algorithm to pass to `aws kms sign` / `verify` for this key spec. */
    readonly signingAlgorithm: string;

    constructor(name: string, args: ReleaseSigningKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("sealed-infra:aws:ReleaseSigningKey", name, {}, opts);
        const v = new ArgValidator("ReleaseSigningKey", name);
        if (args === undefined || args.approverPrincipalArns === undefined) {
            throw v.error("approverPrincipalArns is required: name the role(s) allowed to sign release approvals");
        }
        const keySpec = args.keySpec ?? "ECC_NIST_P256";
        if (!SIGNING_KEY_SPECS.includes(keySpec)) {
            throw v.error(`keySpec must be one of ${SIGNING_KEY_SPECS.join(", ")}, found "${keySpec}"`);
        }
        if (args.aliasName !== undefined && !/^alias\/[A-Za-z0-9/_-]+$/.test(args.aliasName)) {
            throw v.error(`aliasName must look like "alias/release-approvals", found "${args.aliasName}"`);
        }
        if (args.aliasName?.startsWith("alias/aws/")) {
            throw v.error(`aliasName "${args.aliasName}" is reserved for AWS-managed keys`);
        }
        const approvers = checkPrincipalArns(v, "approverPrincipalArns", args.approverPrincipalArns, { required: true, allowRoot: false });
        const verifiers = checkPrincipalArns(v, "verifierPrincipalArns", args.verifierPrincipalArns ?? [], { required: false, allowRoot: false });
        const ctx = awsContext(this, args);
        const admins =
            args.keyAdminPrincipalArns !== undefined
                ? checkPrincipalArns(v, "keyAdminPrincipalArns", args.keyAdminPrincipalArns, { required: true })
                : pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:root`.apply((root) => [root]);
        checkDisjoint(v, {
            approverPrincipalArns: args.approverPrincipalArns,
            verifierPrincipalArns: args.verifierPrincipalArns,
            keyAdminPrincipalArns: args.keyAdminPrincipalArns,
        });
        const disjoint = pulumi.all([approvers, verifiers, admins]).apply(([a, ve, ad]) => {
            const problem = overlapProblem({ approverPrincipalArns: a, verifierPrincipalArns: ve, keyAdminPrincipalArns: ad });
            if (problem !== undefined) {
                throw v.error(problem);
            }
            return { approvers: a, verifiers: ve, admins: ad };
        });
        const protect = resolveProtect(args.protect, opts);

        const policy = disjoint.apply(({ approvers: a, verifiers: ve, admins: ad }) =>
            policyDocument([
                {
                    Sid: "KeyAdministration",
                    Effect: "Allow",
                    Principal: { AWS: ad },
                    // Everything except using the key: administrators never sign.
                    NotAction: ["kms:Sign", "kms:Verify", "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                    Resource: "*",
                },
                { Sid: "ApproversSign", Effect: "Allow", Principal: { AWS: a }, Action: [...SIGN_ACTIONS], Resource: "*" },
                ...(ve.length > 0
                    ? [{ Sid: "VerifiersVerify", Effect: "Allow", Principal: { AWS: ve }, Action: [...VERIFY_ACTIONS], Resource: "*" }]
                    : []),
                {
                    Sid: "DenyKeyAdministrationToDuties",
                    Effect: "Deny",
                    Principal: { AWS: [...a, ...ve] },
                    Action: [...KEY_ADMIN_ACTIONS, "kms:EnableKey", "kms:UpdateKeyDescription", "kms:TagResource", "kms:UntagResource"],
                    Resource: "*",
                },
                {
                    Sid: "DenySignExceptApprovers",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "kms:Sign",
                    Resource: "*",
                    Condition: { ArnNotEquals: { "aws:PrincipalArn": a } },
                },
            ]),
        );

        this.key = new aws.kms.Key(
            name,
            {
                description: `sealed-infra release approval signing key (${name})`,
                keyUsage: "SIGN_VERIFY",
                customerMasterKeySpec: keySpec,
                deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
                // Asymmetric keys cannot rotate; a new approver key is a new ReleaseSigningKey.
                enableKeyRotation: false,
                bypassPolicyLockoutSafetyCheck: false,
                policy,
                tags: designatedTags(v, args.tags, { [TAG_PURPOSE]: PURPOSE_RELEASE_APPROVAL }),
            },
            { parent: this, protect },
        );
        if (args.aliasName !== undefined) {
            this.alias = new aws.kms.Alias(`${name}-alias`, { name: args.aliasName, targetKeyId: this.key.keyId }, { parent: this });
        }

        this.keyId = this.key.keyId;
        this.keyArn = this.key.arn;
        this.keySpec = keySpec;
        this.signingAlgorithm = keySpec.startsWith("ECC_NIST_P")
            ? `ECDSA_SHA_${keySpec === "ECC_NIST_P256" ? 256 : keySpec === "ECC_NIST_P384" ? 384 : 512}`
            : "RSASSA_PSS_SHA_256";
        this.registerOutputs({
            keyId: this.keyId,
            keyArn: this.keyArn,
            keySpec: this.keySpec,
            signingAlgorithm: this.signingAlgorithm,
            aliasName: args.aliasName,
        });
    }
}

type Roles = Record<"approverPrincipalArns" | "verifierPrincipalArns" | "keyAdminPrincipalArns", readonly string[] | undefined>;

function overlapProblem(roles: Roles): string | undefined {
    const owner = new Map<string, string>();
    for (const [arg, arns] of Object.entries(roles)) {
        for (const arn of arns ?? []) {
            const other = owner.get(arn);
            if (other !== undefined && other !== arg) {
                return `"${arn}" is in both ${other} and ${arg}; signing, verifying and administering the key are separate duties`;
            }
            owner.set(arn, arg);
        }
    }
    return undefined;
}

/** Checks the plain entries now, so an overlap fails at construction. */
function checkDisjoint(v: ArgValidator, lists: Record<keyof Roles, pulumi.Input<pulumi.Input<string>[]> | undefined>): void {
    const plain = Object.fromEntries(
        Object.entries(lists).map(([k, list]) => [
            k,
            isPlain(list) ? (list as pulumi.Input<string>[]).filter((a): a is string => typeof a === "string") : [],
        ]),
    ) as unknown as Roles;
    const problem = overlapProblem(plain);
    if (problem !== undefined) {
        throw v.error(problem);
    }
}
