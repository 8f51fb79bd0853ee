/**
 * ApprovedRelease: carries a signed release approval into the stack, where the sealed-infra pack's
 * `release-approved` policy verifies it against the approver keys in the pack config.
 *
 *   const approval = ApprovedRelease.readApprovalFile("release.approval.json"); // from `sealed-infra approve sign`
 *   // Application stack (run as the deployer): carry the approval; the pack verifies it.
 *   new ApprovedRelease("release", approval);
 *   // Approvers' or platform stack: also render it into the namespace's ReleaseApproval.
 *   new ApprovedRelease("release", { ...approval, releaseApproval: shop.releaseApprovalTarget() });
 *
 * The component holds the manifest text (exactly the signed bytes) and the signature as its inputs
 * and outputs; it checks their shape at construction but cannot check the signature (the keys live
 * in the pack config, out of the deployer's reach). For Kubernetes it can also render the manifest's
 * image digests into a DutyNamespace's `ReleaseApproval` object, so the in-cluster admission policy
 * admits exactly what the pack verified; the pack checks that object's digests too. Writing
 * ReleaseApprovals is the approvers' duty (the DutyNamespace deployer Role may only read them), so
 * `releaseApproval` belongs in a stack that approvers or the platform team run, not in the deployer's.
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import {
    ArgValidator,
    InvalidArgumentError,
    LABEL_PURPOSE,
    PURPOSE_RELEASE_APPROVAL,
    RELEASE_APPROVAL_GROUP,
    RELEASE_APPROVAL_KIND,
    RELEASE_APPROVAL_VERSION,
    isPlain,
} from "./common";

/** The component's type token; the pack finds approvals by it. */
export const APPROVED_RELEASE_TYPE = "sealed-infra:release:ApprovedRelease";
/** The manifest format the pack verifies (policypack/src/engine/release/manifest.ts). */
export const RELEASE_MANIFEST_FORMAT = "sealed-infra.io/release-manifest/v1";

/** Annotations on a rendered ReleaseApproval: the signed approval it was made from, for auditors. */
export const ANNOTATION_APPROVAL_MANIFEST = "sealed-infra.io/approval-manifest";
export const ANNOTATION_APPROVAL_SIGNATURE = "sealed-infra.io/approval-signature";
export const ANNOTATION_APPROVAL_KEY_ID = "sealed-infra.io/approval-key-id";

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** An approval as `sealed-infra approve sign` / `attach` write it (release.approval.json). */
export interface ReleaseApprovalFile {
    /** The canonical manifest text: exactly the bytes that were signed. */
    manifest: string;
    /** The signature, base64. */
    signature: string;
    /** The id of the approver key in the pack config that signed it. */
    keyId?: string;
}

/** The parts of a manifest the component reads (the pack reads and checks all of it). */
export interface ManifestSummary {
    /** The Pulumi project the approval is for. */
    project: string;
    /** The stack (or stack pattern, `*` matching any characters) the approval is for. */
    stack: string;
    /** Who approved the release. */
    approver: string;
    /** When the approval stops counting (UTC, `YYYY-MM-DDTHH:MM:SSZ`). */
    expires: string;
    /** Why the release was approved. */
    reason?: string;
    /** The change ticket or review link. */
    ticket?: string;
    /** The approved image digests (`sha256:<hex>`). */
    imageDigests: string[];
    /** The approved Lambda code digests (`sha256:<hex>`). */
    lambdaCodeDigests: string[];
}

/**
 * The ReleaseApproval object to render: a DutyNamespace's, as `DutyNamespace.releaseApprovalTarget()`
 * returns it, or given field by field.
 */
export interface ReleaseApprovalTarget {
    /** Namespace of the object (a DutyNamespace's `namespaceName`). */
    namespace: pulumi.Input<string>;
    /** Name of the object, the one the namespace's admission policy reads (a DutyNamespace's `approvalName`). Default `release`. */
    name?: string;
    /**
     * The `releaseapprovals.sealed-infra.io` CRD to create the object after (a DutyNamespace's
     * `releaseApprovalCrd`, when that DutyNamespace created it). Default: none.
     */
    crd?: k8s.apiextensions.v1.CustomResourceDefinition;
}

export interface ApprovedReleaseArgs {
    /** The canonical manifest text, exactly as signed (no added newline or reformatting). */
    manifest: pulumi.Input<string>;
    /** The signature over the manifest bytes, base64. */
    signature: pulumi.Input<string>;
    /** Which `approverKeys` entry of the pack config signed it. Default: the pack tries every key. */
    keyId?: pulumi.Input<string>;
    /**
     * Also render the manifest's image digests into the namespace's ReleaseApproval object (the
     * parameter of the DutyNamespace admission policy): `shop.releaseApprovalTarget()` for a
     * DutyNamespace `shop`, or the namespace and the object's name. One ApprovedRelease per namespace
     * renders it. Only in a stack run by approvers or the platform: the DutyNamespace deployer cannot
     * write ReleaseApprovals. The object uses the component's Kubernetes provider (its `providers`
     * option), like any child resource.
     */
    releaseApproval?: ReleaseApprovalTarget;
}

/** Why a manifest text is not one the pack can accept, or its summary. */
export function summarizeManifest(text: string): { ok: true; summary: ManifestSummary } | { ok: false; reason: string } {
    if (typeof text !== "string" || text === "") {
        return { ok: false, reason: "manifest must be the manifest text (a non-empty string)" };
    }
    if (text !== text.trim() || text.charCodeAt(0) === 0xfeff) {
        return { ok: false, reason: "manifest has leading or trailing whitespace (or a byte order mark); pass the exact bytes that were signed" };
    }
    let m: Record<string, unknown>;
    try {
        m = JSON.parse(text);
    } catch (e) {
        return { ok: false, reason: `manifest is not valid JSON (${(e as Error).message})` };
    }
    if (m === null || typeof m !== "object" || Array.isArray(m)) {
        return { ok: false, reason: "manifest is not a JSON object" };
    }
    if (m.format !== RELEASE_MANIFEST_FORMAT) {
        return { ok: false, reason: `manifest format is ${JSON.stringify(m.format)}, expected "${RELEASE_MANIFEST_FORMAT}"` };
    }
    for (const key of ["project", "stack", "approver", "expires"]) {
        if (typeof m[key] !== "string" || m[key] === "") {
            return { ok: false, reason: `manifest ${key} is missing` };
        }
    }
    if (!Array.isArray(m.artifacts) || m.artifacts.length === 0) {
        return { ok: false, reason: "manifest lists no artifacts" };
    }
    const imageDigests: string[] = [];
    const lambdaCodeDigests: string[] = [];
    for (const [i, a] of (m.artifacts as unknown[]).entries()) {
        const entry = a as Record<string, unknown> | null;
        if (typeof entry?.digest !== "string" || !DIGEST.test(entry.digest)) {
            return { ok: false, reason: `manifest artifacts[${i}].digest is not sha256:<64 lowercase hex>` };
        }
        (entry.kind === "image" ? imageDigests : lambdaCodeDigests).push(entry.digest);
    }
    return {
        ok: true,
        summary: {
            project: m.project as string,
            stack: m.stack as string,
            approver: m.approver as string,
            expires: m.expires as string,
            reason: typeof m.reason === "string" ? m.reason : undefined,
            ticket: typeof m.ticket === "string" ? m.ticket : undefined,
            imageDigests,
            lambdaCodeDigests,
        },
    };
}

function signatureProblem(signature: unknown): string | undefined {
    if (typeof signature !== "string" || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(signature.replace(/\s+/g, ""))) {
        return "signature must be the base64 signature text (`sealed-infra approve sign` writes it into the approval file)";
    }
    return undefined;
}

/**
 * A signed release approval in the stack. The sealed-infra pack verifies it (signature against the
 * configured approver keys, project, stack, expiry, approver not a deployer) and requires every
 * artifact the stack deploys to be listed in one that verifies.
 */
export class ApprovedRelease extends pulumi.ComponentResource {
    /** The manifest text, exactly as signed. */
    readonly manifest: pulumi.Output<string>;
    /** The signature, base64. */
    readonly signature: pulumi.Output<string>;
    /** The `approverKeys` entry that signed it, when given. */
    readonly keyId: pulumi.Output<string | undefined>;
    /** What the manifest says (read, not verified: the pack verifies). */
    readonly summary: pulumi.Output<ManifestSummary>;
    // A getter, not a property: the package schema lists properties, and an object of a CRD's kind
    // has no type there (other languages depend on the ApprovedRelease component instead).
    readonly #releaseApproval?: k8s.apiextensions.CustomResource;
    /** The rendered ReleaseApproval object, when `releaseApproval` was given. */
    get releaseApproval(): k8s.apiextensions.CustomResource | undefined {
        return this.#releaseApproval;
    }

    /** Reads an approval file written by `sealed-infra approve sign` or `attach`. */
    static readApprovalFile(file: string): ReleaseApprovalFile {
        let value: unknown;
        try {
            value = JSON.parse(fs.readFileSync(file, "utf8"));
        } catch (e) {
            throw new InvalidArgumentError("ApprovedRelease", file, `cannot read the approval file: ${(e as Error).message}`);
        }
        const v = value as Partial<ReleaseApprovalFile> | null;
        if (typeof v?.manifest !== "string" || typeof v?.signature !== "string" || (v.keyId !== undefined && typeof v.keyId !== "string")) {
            throw new InvalidArgumentError("ApprovedRelease", file, "an approval file holds { manifest, signature, keyId? } as strings (written by `sealed-infra approve sign`)");
        }
        return { manifest: v.manifest, signature: v.signature, ...(v.keyId !== undefined ? { keyId: v.keyId } : {}) };
    }

    constructor(name: string, args: ApprovedReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new ArgValidator("ApprovedRelease", name);
        if (args === undefined || args.manifest === undefined || args.signature === undefined) {
            throw v.error("manifest and signature are required (read them with ApprovedRelease.readApprovalFile)");
        }
        const manifest = v.check<string>(args.manifest, (text) => {
            const s = summarizeManifest(text);
            return s.ok ? undefined : s.reason;
        }) as pulumi.Input<string>;
        const signature = v.check<string>(args.signature, signatureProblem) as pulumi.Input<string>;
        const keyId = v.check<string>(args.keyId, (id) => (typeof id === "string" && id.trim() !== "" ? undefined : "keyId must be a non-empty string"));
        super(APPROVED_RELEASE_TYPE, name, { manifest, signature, keyId }, opts);

        this.manifest = pulumi.output(manifest);
        this.signature = pulumi.output(signature);
        this.keyId = pulumi.output(keyId) as pulumi.Output<string | undefined>;
        this.summary = this.manifest.apply((text) => {
            const s = summarizeManifest(text);
            if (!s.ok) {
                throw v.error(s.reason);
            }
            return s.summary;
        });

        if (args.releaseApproval !== undefined) {
            const target = args.releaseApproval;
            const objectName = target.name ?? "release";
            if (isPlain(target.namespace) && (typeof target.namespace !== "string" || target.namespace === "")) {
                throw v.error("releaseApproval.namespace must be a namespace name (a DutyNamespace's namespaceName)");
            }
            if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(objectName)) {
                throw v.error(`releaseApproval.name "${objectName}" must be a lowercase DNS name`);
            }
            // Loaded lazily so that AWS-only programs never load the Kubernetes SDK.
            const k8sSdk = require("@pulumi/kubernetes") as typeof k8s;
            this.#releaseApproval = new k8sSdk.apiextensions.CustomResource(
                `${name}-release-approval`,
                {
                    apiVersion: `${RELEASE_APPROVAL_GROUP}/${RELEASE_APPROVAL_VERSION}`,
                    kind: RELEASE_APPROVAL_KIND,
                    metadata: {
                        name: objectName,
                        namespace: target.namespace,
                        labels: { [LABEL_PURPOSE]: PURPOSE_RELEASE_APPROVAL },
                        annotations: pulumi.all([this.manifest, this.signature, this.keyId]).apply(([m, s, k]) => ({
                            [ANNOTATION_APPROVAL_MANIFEST]: m,
                            [ANNOTATION_APPROVAL_SIGNATURE]: s,
                            ...(k !== undefined ? { [ANNOTATION_APPROVAL_KEY_ID]: k } : {}),
                        })),
                    },
                    spec: this.summary.apply((s) => ({
                        digests: s.imageDigests,
                        release: s.ticket ?? s.reason ?? "",
                        approvedBy: s.approver,
                        reason: s.reason ?? s.ticket ?? "",
                    })),
                },
                { parent: this, ...(target.crd ? { dependsOn: [target.crd] } : {}) },
            );
        }

        this.registerOutputs({ manifest: this.manifest, signature: this.signature, keyId: this.keyId });
    }
}
