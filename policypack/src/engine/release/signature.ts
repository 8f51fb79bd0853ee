/**
 * Signatures over manifest bytes, with node:crypto (loaded on first use, so the pack's cold start
 * does not pay for it).
 *
 * Keys are public keys in SubjectPublicKeyInfo form: PEM (`-----BEGIN PUBLIC KEY-----`), or the bare
 * base64 DER that `aws kms get-public-key --query PublicKey --output text` prints. Algorithms follow
 * from the key, never from the signature, so a signature cannot pick a weaker algorithm:
 *
 *   Ed25519           Ed25519 over the manifest bytes
 *   EC P-256          ECDSA with SHA-256 (KMS ECDSA_SHA_256); P-384: SHA-384; P-521: SHA-512.
 *                     The signature may be DER (what `aws kms sign` and OpenSSL return) or raw
 *                     r||s (IEEE P1363, what WebCrypto and JOSE use)
 *   RSA (>= 2048 bit) RSASSA-PSS with SHA-256 and MGF1-SHA-256 (KMS RSASSA_PSS_SHA_256). Any salt
 *                     length verifies; `sealed-infra approve sign` uses 32 bytes, as KMS does
 */
import type { KeyObject } from "crypto";

type NodeCrypto = typeof import("crypto");
let cryptoModule: NodeCrypto | undefined;

/** node:crypto, required on first use. */
export function nodeCrypto(): NodeCrypto {
    cryptoModule ??= require("crypto") as NodeCrypto;
    return cryptoModule;
}

/** True once anything here has needed node:crypto (tests check the pack starts without it). */
export function cryptoLoaded(): boolean {
    return cryptoModule !== undefined;
}

export type KeyKind = "ed25519" | "ecdsa-p256" | "ecdsa-p384" | "ecdsa-p521" | "rsa-pss";

export const KEY_KIND_ALGORITHMS: Record<KeyKind, string> = {
    ed25519: "Ed25519",
    "ecdsa-p256": "ECDSA with SHA-256 (KMS ECDSA_SHA_256)",
    "ecdsa-p384": "ECDSA with SHA-384 (KMS ECDSA_SHA_384)",
    "ecdsa-p521": "ECDSA with SHA-512 (KMS ECDSA_SHA_512)",
    "rsa-pss": "RSASSA-PSS with SHA-256 (KMS RSASSA_PSS_SHA_256)",
};

export interface PublicKey {
    kind: KeyKind;
    key: KeyObject;
    /** SHA-256 of the DER SPKI, hex: identifies the key in messages whatever its configured id. */
    fingerprint: string;
}

export type ParsedKey = { ok: true; key: PublicKey } | { ok: false; reason: string };

const CURVES: Record<string, KeyKind> = { prime256v1: "ecdsa-p256", secp384r1: "ecdsa-p384", secp521r1: "ecdsa-p521" };
const HASH: Record<KeyKind, string | null> = {
    ed25519: null,
    "ecdsa-p256": "sha256",
    "ecdsa-p384": "sha384",
    "ecdsa-p521": "sha512",
    "rsa-pss": "sha256",
};
const COORDINATE_BYTES: Partial<Record<KeyKind, number>> = { "ecdsa-p256": 32, "ecdsa-p384": 48, "ecdsa-p521": 66 };

/** Reads a public key (PEM SPKI, or base64 DER SPKI) and decides its algorithm. */
export function parsePublicKey(text: string): ParsedKey {
    const crypto = nodeCrypto();
    let key: KeyObject;
    try {
        const trimmed = text.trim();
        if (trimmed.startsWith("-----BEGIN")) {
            if (/PRIVATE KEY-----/.test(trimmed)) {
                return { ok: false, reason: "it is a private key; configure the public key only (sealed-infra approve keygen writes both)" };
            }
            key = crypto.createPublicKey({ key: trimmed, format: "pem" });
        } else if (/^[A-Za-z0-9+/=\s]+$/.test(trimmed) && trimmed.length > 0) {
            key = crypto.createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ""), "base64"), format: "der", type: "spki" });
        } else {
            return { ok: false, reason: "it is neither a PEM public key nor base64 DER (SubjectPublicKeyInfo)" };
        }
    } catch (e) {
        return { ok: false, reason: `it cannot be read as a public key (${(e as Error).message})` };
    }
    if (key.type !== "public") {
        return { ok: false, reason: "it is not a public key" };
    }
    let kind: KeyKind | undefined;
    const details = key.asymmetricKeyDetails ?? {};
    switch (key.asymmetricKeyType) {
        case "ed25519":
            kind = "ed25519";
            break;
        case "ec":
            kind = CURVES[details.namedCurve ?? ""];
            if (!kind) {
                return { ok: false, reason: `its curve ${details.namedCurve ?? "(unknown)"} is not P-256, P-384 or P-521` };
            }
            break;
        case "rsa":
        case "rsa-pss":
            if ((details.modulusLength ?? 0) < 2048) {
                return { ok: false, reason: `it is a ${details.modulusLength}-bit RSA key; at least 2048 bits are required` };
            }
            kind = "rsa-pss";
            break;
        default:
            return { ok: false, reason: `its type ${key.asymmetricKeyType} is not Ed25519, ECDSA (P-256/384/521) or RSA` };
    }
    const der = key.export({ format: "der", type: "spki" });
    return { ok: true, key: { kind, key, fingerprint: crypto.createHash("sha256").update(der).digest("hex") } };
}

/** True when `signature` is a valid signature of `data` under `key`; never throws. */
export function verifySignature(key: PublicKey, data: Buffer, signature: Buffer): boolean {
    const crypto = nodeCrypto();
    const hash = HASH[key.kind];
    const attempt = (options: Record<string, unknown>): boolean => {
        try {
            return crypto.verify(hash, data, { key: key.key, ...options } as never, signature);
        } catch {
            return false;
        }
    };
    switch (key.kind) {
        case "ed25519":
            return attempt({});
        case "rsa-pss":
            return attempt({ padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_AUTO });
        default: {
            // DER starts with a SEQUENCE tag; raw r||s is exactly twice the coordinate size.
            const raw = signature.length === 2 * (COORDINATE_BYTES[key.kind] ?? 0);
            return (signature[0] === 0x30 && attempt({ dsaEncoding: "der" })) || (raw && attempt({ dsaEncoding: "ieee-p1363" }));
        }
    }
}

/**
 * Signs `data` with a private key (PEM, PKCS#8 or the type-specific forms node reads), choosing the
 * algorithm from the key as verifySignature does. ECDSA signatures are DER unless `ecdsaEncoding`
 * says "ieee-p1363".
 */
export function signData(privateKeyPem: string, data: Buffer, ecdsaEncoding: "der" | "ieee-p1363" = "der"): { signature: Buffer; kind: KeyKind } {
    const crypto = nodeCrypto();
    const key = crypto.createPrivateKey(privateKeyPem);
    const parsed = parsePublicKey(crypto.createPublicKey(key).export({ format: "pem", type: "spki" }).toString());
    if (!parsed.ok) {
        throw new Error(`cannot sign with this key: ${parsed.reason}`);
    }
    const kind = parsed.key.kind;
    const hash = HASH[kind];
    let signature: Buffer;
    if (kind === "ed25519") {
        signature = crypto.sign(null, data, key);
    } else if (kind === "rsa-pss") {
        signature = crypto.sign(hash, data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    } else {
        signature = crypto.sign(hash, data, { key, dsaEncoding: ecdsaEncoding });
    }
    return { signature, kind };
}

/** The public key (PEM SPKI) of a private key. */
export function publicKeyPemOf(privateKeyPem: string): string {
    const crypto = nodeCrypto();
    return crypto.createPublicKey(crypto.createPrivateKey(privateKeyPem)).export({ format: "pem", type: "spki" }).toString();
}

/** A new key pair of one of the supported kinds, PEM (PKCS#8 private, SPKI public). */
export function generateKeyPair(kind: "ed25519" | "ecdsa-p256" | "rsa-pss"): { privateKeyPem: string; publicKeyPem: string } {
    const crypto = nodeCrypto();
    const publicKeyEncoding = { type: "spki", format: "pem" } as const;
    const privateKeyEncoding = { type: "pkcs8", format: "pem" } as const;
    let pair: { privateKey: string; publicKey: string };
    if (kind === "ed25519") {
        pair = crypto.generateKeyPairSync("ed25519", { publicKeyEncoding, privateKeyEncoding });
    } else if (kind === "ecdsa-p256") {
        pair = crypto.generateKeyPairSync("ec", { namedCurve: "P-256", publicKeyEncoding, privateKeyEncoding });
    } else {
        pair = crypto.generateKeyPairSync("rsa", { modulusLength: 3072, publicKeyEncoding, privateKeyEncoding });
    }
    return { privateKeyPem: pair.privateKey, publicKeyPem: pair.publicKey };
}

/**
 * A signature as it is carried around: base64 text (what `aws kms sign --output text --query
 * Signature` prints), optionally with whitespace, or URL-safe base64. Returns undefined when the text
 * is not base64 or decodes to nothing.
 */
export function decodeSignatureText(text: string): Buffer | undefined {
    const compact = text.replace(/\s+/g, "");
    if (compact === "" || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) {
        return undefined;
    }
    const bytes = Buffer.from(compact.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    return bytes.length > 0 ? bytes : undefined;
}

/**
 * A signature file's content: raw signature bytes (`… | base64 -d > release.sig`) or base64 text.
 * Base64 text is recognised by its alphabet; raw DER, Ed25519 or RSA signatures essentially never
 * consist only of base64 characters (DER starts with 0x30 then a length byte and 0x02).
 */
export function decodeSignatureFile(content: Buffer): Buffer {
    const text = content.toString("latin1");
    if (/^[A-Za-z0-9+/_=\s-]+$/.test(text)) {
        const decoded = decodeSignatureText(text);
        if (decoded) {
            return decoded;
        }
    }
    return content;
}
