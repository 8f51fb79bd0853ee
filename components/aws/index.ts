export * from "./immutable-bucket";
export * from "./immutable-image-repository";
export * from "./audit-trail";
export * from "./duty-roles";
export * from "./release-signing-key";
export * from "./duties";
export { KEY_DELETION_WINDOW_DAYS } from "./keys";
