/**
 * Constants of the Pulumi wire format (the same values as @pulumi/pulumi/runtime/rpc and
 * @pulumi/policy/proxy). Kept here, not imported, so a source or the client never has to load
 * the Pulumi runtime just to recognise a secret.
 */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
export const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
export const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** The engine sends every unknown as this string (computed values of any type). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Stand-in for a secret whose plaintext is not available (a `pulumi stack export` made without
 * `--show-secrets` holds only ciphertext). Sent as the secret's value so policies can say what they
 * could not verify. The pack recognises exactly this string (policypack/src/framework/values.ts).
 */
export const UNREADABLE_SECRET = "[sealed-infra:unreadable-secret]";
