/**
 * The symmetric KMS keys the AWS components create when the caller brings none: rotation on,
 * the longest deletion window, the lockout safety check never bypassed, protected by default.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** KMS's maximum (and our required minimum) waiting period before a scheduled deletion. */
export const KEY_DELETION_WINDOW_DAYS = 30;

export interface ManagedKeyArgs {
    description: string;
    tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
    protect: boolean;
    /** Key policy JSON; default: the KMS default policy (the account's IAM policies decide). */
    policy?: pulumi.Input<string>;
}

export function createManagedKey(parent: pulumi.Resource, name: string, args: ManagedKeyArgs): aws.kms.Key {
    return new aws.kms.Key(
        name,
        {
            description: args.description,
            keyUsage: "ENCRYPT_DECRYPT",
            customerMasterKeySpec: "SYMMETRIC_DEFAULT",
            enableKeyRotation: true,
            deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
            bypassPolicyLockoutSafetyCheck: false,
            policy: args.policy,
            tags: args.tags,
        },
        { parent, protect: args.protect },
    );
}
