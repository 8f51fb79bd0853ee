/** Public access blocks of a designated store (bucket-level and account-level). */
import { read } from "../../framework/values";
import { S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, S3_BUCKET } from "../resource-types";
import type { StackModel, StackResource } from "../../sdk/stack-model";
import { storeIndex, Unresolved, unresolvedRead } from "./store";

// Public access blocks

export const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export interface PublicAccessSource {
    on: StackResource;
    /** Path of the block inside `on.props` ("" for a BucketPublicAccessBlock resource). */
    base: string;
    block: unknown;
    accountWide: boolean;
}

export interface PublicAccessView {
    sources: PublicAccessSource[];
    unresolved: Unresolved[];
    pending: StackResource[];
}

export function publicAccessOf(model: StackModel, bucket: StackResource): PublicAccessView {
    const index = storeIndex(model);
    const view: PublicAccessView = { sources: [], unresolved: [], pending: index.publicAccessBlock.pending };
    for (const pab of index.publicAccessBlock.byParent.get(bucket.urn) ?? []) {
        view.sources.push({ on: pab, base: "", block: pab.props, accountWide: false });
    }
    if (bucket.type === S3_BUCKET.native) {
        const inline = read(bucket.props, "publicAccessBlockConfiguration");
        if (unresolvedRead(inline)) {
            view.unresolved.push({ on: bucket, read: inline });
        } else if (inline.state === "known") {
            view.sources.push({ on: bucket, base: inline.path, block: inline.value, accountWide: false });
        }
    }
    for (const account of model.ofTypes(S3_ACCOUNT_PUBLIC_ACCESS_BLOCK)) {
        view.sources.push({ on: account, base: "", block: account.props, accountWide: true });
    }
    return view;
}
