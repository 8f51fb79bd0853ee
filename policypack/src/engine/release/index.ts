/**
 * Release approvals: signed manifests that name the artifacts an approver lets a stack deploy.
 * Used by the `release-approved` policy and by `sealed-infra approve` (which loads this module from
 * the compiled pack, so the pack and the CLI share one definition of the canonical bytes).
 */
export * from "./canonical";
export * from "./manifest";
export * from "./signature";
export * from "./approval";
export { parseImageReference } from "../image-reference";
