/**
 * The approvals a stack carries and the stack they are judged for.
 *
 * An approval reaches the pack as an `ApprovedRelease` component (components/approved-release.ts):
 * its inputs and outputs hold `manifest` (the canonical manifest text, exactly the signed bytes),
 * `signature` (base64) and optionally `keyId`. The pack trusts nothing about the component but the
 * signature: anyone can register a resource of that type, only an approver key can sign.
 */
import { readString } from "../../framework/values";
import type { StackModel, StackResource } from "../../sdk/stack-model";
import { ApprovalContext, ApprovalVerdict, evaluateApproval, SignedApproval } from "./approval";

/** The component type that carries an approval into the stack. */
export const APPROVED_RELEASE_TYPE = "sealed-infra:release:ApprovedRelease";
export { stackIdentity } from "../../framework/stack-identity";

export type CarriedApproval =
    | { resource: StackResource; state: "known"; approval: SignedApproval }
    /** A value is not known until the update (preview). */
    | { resource: StackResource; state: "unknown"; path: string }
    | { resource: StackResource; state: "unreadable"; path: string; reason: string };

export function carriedApprovals(model: StackModel): CarriedApproval[] {
    return model.ofTypes([APPROVED_RELEASE_TYPE]).map((resource): CarriedApproval => {
        const manifest = readString(resource.props, "manifest");
        const signature = readString(resource.props, "signature");
        const keyId = readString(resource.props, "keyId");
        for (const r of [manifest, signature, keyId]) {
            if (r.state === "unknown") {
                return { resource, state: "unknown", path: r.path };
            }
        }
        for (const r of [manifest, signature, keyId]) {
            if (r.state === "unreadable") {
                return { resource, state: "unreadable", path: r.path, reason: r.reason };
            }
        }
        if (manifest.state !== "known" || signature.state !== "known") {
            return { resource, state: "unreadable", path: manifest.state !== "known" ? "manifest" : "signature", reason: "is unset" };
        }
        return {
            resource,
            state: "known",
            approval: { manifest: manifest.value, signature: signature.value, keyId: keyId.state === "known" ? keyId.value : undefined },
        };
    });
}

export interface JudgedApproval {
    carried: CarriedApproval;
    verdict?: ApprovalVerdict;
}

/** Every carried approval with its verdict for this stack. */
export function judgeApprovals(model: StackModel, ctx: ApprovalContext): JudgedApproval[] {
    return carriedApprovals(model).map((carried) => ({
        carried,
        verdict: carried.state === "known" ? evaluateApproval(carried.approval, ctx) : undefined,
    }));
}

let clock: () => number = Date.now;

/** Tests only: fixes "now" for expiry checks. */
export function setReleaseClock(now: (() => number) | undefined): void {
    clock = now ?? Date.now;
}

export function releaseNow(): number {
    return clock();
}
