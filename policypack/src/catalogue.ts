/**
 * Every policy of the pack, in catalogue order. The pack (index.ts), the README generator and the
 * tests all read this list, so a policy is registered in exactly one place.
 */
import type { PolicyDefinition } from "./framework/definition";
import { ecrTagsImmutable } from "./policies/immutable-artifacts/ecr-tags-immutable";
import { imagesPinnedByDigest } from "./policies/immutable-artifacts/images-pinned-by-digest";
import { s3VersioningEnabled } from "./policies/immutable-artifacts/s3-versioning-enabled";

export const catalogue: readonly PolicyDefinition[] = [
    // Immutable artifacts and records
    ecrTagsImmutable,
    s3VersioningEnabled,
    imagesPinnedByDigest,
];
