/**
 * Real keys and signatures for the release-approval tests: key pairs of the three supported kinds
 * (made once per process), canonical manifests, and ApprovedRelease resources for the harness.
 */
import * as crypto from "crypto";
import { createManifest, manifestText, ManifestArtifact, ManifestInput } from "../../policypack/src/engine/release/manifest";
import type { TestResource } from "../harness/policy-harness";

export type Kind = "ed25519" | "ecdsa-p256" | "rsa-pss";
export const KINDS: readonly Kind[] = ["ed25519", "ecdsa-p256", "rsa-pss"];

export interface Pair {
    privateKey: crypto.KeyObject;
    privateKeyPem: string;
    publicKeyPem: string;
}

const pairs = new Map<string, Pair>();

/** A key pair of `kind`; `slot` gives other pairs of the same kind (an unknown key, a second approver). */
export function pair(kind: Kind, slot = 0): Pair {
    const key = `${kind}/${slot}`;
    let p = pairs.get(key);
    if (!p) {
        const generated =
            kind === "ed25519"
                ? crypto.generateKeyPairSync("ed25519")
                : kind === "ecdsa-p256"
                  ? crypto.generateKeyPairSync("ec", { namedCurve: "P-256" })
                  : crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        p = {
            privateKey: generated.privateKey,
            privateKeyPem: generated.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
            publicKeyPem: generated.publicKey.export({ format: "pem", type: "spki" }).toString(),
        };
        pairs.set(key, p);
    }
    return p;
}

/**
 * Signs with node:crypto directly (not through the code under test): Ed25519; ECDSA SHA-256, DER by
 * default as `aws kms sign` returns it, or raw r||s; RSASSA-PSS SHA-256 with a 32-byte salt as KMS
 * RSASSA_PSS_SHA_256 does.
 */
export function sign(kind: Kind, text: string | Buffer, opts: { slot?: number; ecdsa?: "der" | "ieee-p1363" } = {}): string {
    const key = pair(kind, opts.slot).privateKey;
    const data = typeof text === "string" ? Buffer.from(text, "utf8") : text;
    let sig: Buffer;
    if (kind === "ed25519") {
        sig = crypto.sign(null, data, key);
    } else if (kind === "ecdsa-p256") {
        sig = crypto.sign("sha256", data, { key, dsaEncoding: opts.ecdsa ?? "der" });
    } else {
        sig = crypto.sign("sha256", data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    }
    return sig.toString("base64");
}

export const sha = (c: string) => `sha256:${c.repeat(64)}`;
export const IMAGE_A = sha("a");
export const IMAGE_B = sha("b");
/** 2026-11-27T12:00:00Z: "now" in these tests. */
export const NOW = Date.UTC(2026, 10, 27, 12);

export function manifest(overrides: Partial<ManifestInput> = {}, artifacts: ManifestArtifact[] = [{ digest: IMAGE_A, kind: "image" }]): string {
    return manifestText(
        createManifest({
            project: "test-project",
            stack: "dev",
            artifacts,
            expires: "2026-12-04T12:00:00Z",
            issued: "2026-11-27T09:00:00Z",
            approver: "release-manager@acme.example",
            ticket: "CHG-1",
            ...overrides,
        }),
    );
}

export const APPROVED_RELEASE = "sealed-infra:release:ApprovedRelease";

export function approval(name: string, manifestText: string, signature: string, keyId?: string): TestResource {
    return { type: APPROVED_RELEASE, name, props: { manifest: manifestText, signature, ...(keyId !== undefined ? { keyId } : {}) } };
}

/** A signed approval resource: `kind` key in `slot`, named by `keyId` (null: no key id). */
export function signed(name: string, kind: Kind, text = manifest(), keyId: string | null = kind, slot = 0): TestResource {
    return approval(name, text, sign(kind, text, { slot }), keyId ?? undefined);
}

export function keyConfig(kind: Kind, id: string = kind, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { id, publicKeyPem: pair(kind).publicKeyPem, ...extra };
}

export function deployment(name: string, ...images: string[]): TestResource {
    return {
        type: "kubernetes:apps/v1:Deployment",
        name,
        props: { spec: { template: { spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } } } },
    };
}
