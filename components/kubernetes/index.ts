export * from "./immutable-config";
export * from "./immutable-workload";
export * from "./duty-namespace";
export { DIGEST_PINNED_IMAGE, digestPinProblem } from "./images";
export type { ImageProblem } from "./images";
