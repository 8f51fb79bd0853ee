/**
 * The release this example deploys: the artifacts that make-approval.ts lists in the manifest.
 * Change them and re-run `npx ts-node --transpile-only examples/approved-release/make-approval.ts`
 * to sign a new approval.
 */
export const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
/** SHA-256 (hex) of checkout/2.4.0/function.zip in the artifact store. */
export const LAMBDA_PACKAGE_SHA256 = "9c4f3a1de7b04d2a8e61f0c5b3a79e28d41c6b0f5e2a873d9c1b4e6f0a2d8c7e";
export const PROJECT = "sealed-infra-approved-release";
export const STACK = "dev";
