/**
 * Deciding whether one signed approval counts for this stack: the signature verifies against a
 * configured approver key, the manifest is valid and canonical, names this project and stack, has
 * not expired, does not last longer than the organization allows (maxApprovalDays), and its
 * approver is not a deployer. Every reason an approval fails is kept, worded for the violation
 * messages of `release-approved` and for `sealed-infra approve verify`.
 */
import { parseManifestText, parseTimestamp, ReleaseManifest } from "./manifest";
import { decodeSignatureText, parsePublicKey, PublicKey, verifySignature } from "./signature";
import { globMatch } from "../../shared/glob";

/** One approver key from the pack config. */
export interface ApproverKeyConfig {
    id: string;
    publicKeyPem: string;
    /** The identity the key belongs to; when set, manifests signed with it must name this approver. */
    approver?: string;
}

export interface ApproverKey extends ApproverKeyConfig {
    key: PublicKey;
}

/** The approver keys of the config, parsed once; unusable entries are listed with why. */
export interface KeyRing {
    keys: ApproverKey[];
    problems: string[];
}

export function keyRing(config: readonly ApproverKeyConfig[] | undefined): KeyRing {
    const keys: ApproverKey[] = [];
    const problems: string[] = [];
    const seen = new Set<string>();
    (Array.isArray(config) ? config : []).forEach((entry, i) => {
        const at = `approverKeys[${i}]${typeof entry?.id === "string" ? ` (id "${entry.id}")` : ""}`;
        if (typeof entry?.id !== "string" || entry.id.trim() === "") {
            problems.push(`${at} has no id`);
            return;
        }
        if (seen.has(entry.id)) {
            problems.push(`${at} repeats the id "${entry.id}"; ids must be unique, so the entry is ignored`);
            return;
        }
        seen.add(entry.id);
        if (typeof entry.publicKeyPem !== "string") {
            problems.push(`${at} has no publicKeyPem`);
            return;
        }
        const parsed = parsePublicKey(entry.publicKeyPem);
        if (!parsed.ok) {
            problems.push(`${at} publicKeyPem is unusable: ${parsed.reason}`);
            return;
        }
        keys.push({ ...entry, key: parsed.key });
    });
    return { keys, problems };
}

/** An approval as a stack carries it (an ApprovedRelease's manifest, signature and key id). */
export interface SignedApproval {
    /** The canonical manifest text: exactly the signed bytes, as UTF-8. */
    manifest: string;
    /** The signature, base64. */
    signature: string;
    /** Which approverKeys entry signed it. When absent every configured key is tried. */
    keyId?: string;
}

export interface ApprovalContext {
    project: string;
    stack: string;
    now: number;
    ring: KeyRing;
    /** Identities (glob patterns, case-insensitive) that deploy and therefore may not approve. */
    deployerIdentities: readonly string[];
    /** The longest an approval may last (release-approved's maxApprovalDays); default DEFAULT_MAX_APPROVAL_DAYS. */
    maxApprovalDays?: number;
}

export type FailureKind =
    | "malformed"
    | "no-keys"
    | "unknown-key"
    | "tampered"
    | "invalid-manifest"
    | "wrong-approver"
    | "self-approval"
    | "other-stack"
    | "expired"
    | "too-long";

/** An approval cannot be revoked, so its lifetime has a ceiling; this is the pack's default. */
export const DEFAULT_MAX_APPROVAL_DAYS = 30;

const DAY_MS = 86_400_000;

/** The ceiling in force: a configured positive number of days, else the default (bad config never widens it). */
export function maxApprovalDaysOf(configured: unknown): number {
    return typeof configured === "number" && Number.isFinite(configured) && configured >= 1 ? configured : DEFAULT_MAX_APPROVAL_DAYS;
}

/**
 * Why an approval lasts too long, or undefined. Its lifetime runs from when it was issued (from now
 * when it names no issue time or one in the future) to its expiry, and may be at most `maxDays` days.
 */
export function lifetimeProblem(expires: number, issued: number | undefined, now: number, maxDays: number): string | undefined {
    const start = issued === undefined ? now : Math.min(issued, now);
    const lifetime = expires - start;
    if (lifetime <= maxDays * DAY_MS) {
        return undefined;
    }
    const from = start === issued ? "from its issue" : "from now";
    return `it lasts ${Math.ceil(lifetime / DAY_MS)} days ${from} to its expiry, more than the ${maxDays} days release-approved.maxApprovalDays allows (approvals cannot be revoked, so they must run out); ask the approver for one that expires within ${maxDays} days`;
}

export interface Failure {
    kind: FailureKind;
    text: string;
}

export type ApprovalVerdict =
    | { valid: true; manifest: ReleaseManifest; key: ApproverKey; digests: ReadonlySet<string>; approver: string }
    | { valid: false; failures: Failure[]; manifest?: ReleaseManifest; key?: ApproverKey };

/** Approver and deployer identities: `*` matches any run of characters, case does not matter, surrounding blanks neither. */
function identityMatches(pattern: string, identity: string): boolean {
    return globMatch(pattern, identity.trim(), { caseInsensitive: true });
}

function canonicalHint(text: string): string {
    if (text !== text.trim()) {
        return " (the manifest text has leading or trailing whitespace, e.g. a newline an editor added; pass the exact signed bytes)";
    }
    return parseManifestText(text).ok ? "" : " (the manifest text is not in canonical form either)";
}

/** "no approverKeys" or, when keys were listed but none could be used, how many and why not. */
export function noUsableKeys(ring: KeyRing): string {
    return ring.problems.length === 0
        ? "no approverKeys"
        : `no usable approverKeys (${ring.problems.length} listed key(s) cannot be used: ${ring.problems.join("; ")})`;
}

/** Verifies one approval for this stack. */
export function evaluateApproval(approval: SignedApproval, ctx: ApprovalContext): ApprovalVerdict {
    const signature = decodeSignatureText(approval.signature);
    if (!signature) {
        return { valid: false, failures: [{ kind: "malformed", text: "its signature is not base64 text" }] };
    }
    const data = Buffer.from(approval.manifest, "utf8");
    let key: ApproverKey | undefined;
    if (approval.keyId !== undefined && approval.keyId !== "") {
        key = ctx.ring.keys.find((k) => k.id === approval.keyId);
        if (!key) {
            const known = ctx.ring.keys.map((k) => `"${k.id}"`).join(", ");
            return {
                valid: false,
                failures: [
                    {
                        kind: "unknown-key",
                        text: `it is signed with key "${approval.keyId}", which is not one of the pack's approverKeys (${known ? `configured: ${known}` : `the pack config has ${noUsableKeys(ctx.ring)}`})`,
                    },
                ],
            };
        }
        if (!verifySignature(key.key, data, signature)) {
            return {
                valid: false,
                key,
                failures: [
                    {
                        kind: "tampered",
                        text: `its signature does not verify against key "${key.id}": the manifest or the signature was changed after signing, or another key signed it${canonicalHint(approval.manifest)}`,
                    },
                ],
            };
        }
    } else {
        if (ctx.ring.keys.length === 0) {
            return { valid: false, failures: [{ kind: "no-keys", text: `the pack config has ${noUsableKeys(ctx.ring)}, so no signature can be verified` }] };
        }
        key = ctx.ring.keys.find((k) => verifySignature(k.key, data, signature));
        if (!key) {
            return {
                valid: false,
                failures: [
                    {
                        kind: "unknown-key",
                        text: `its signature verifies against none of the pack's approverKeys (${ctx.ring.keys.map((k) => `"${k.id}"`).join(", ")}): it was signed by an unknown key, or the manifest was changed after signing${canonicalHint(approval.manifest)}`,
                    },
                ],
            };
        }
    }

    const parsed = parseManifestText(approval.manifest);
    if (!parsed.ok) {
        return { valid: false, key, failures: [{ kind: "invalid-manifest", text: `its signed manifest is not valid: ${parsed.reason}` }] };
    }
    const manifest = parsed.manifest;
    const failures: Failure[] = [];
    if (key.approver !== undefined && key.approver.trim() !== "" && !identityMatches(key.approver, manifest.approver)) {
        failures.push({
            kind: "wrong-approver",
            text: `it names approver "${manifest.approver}", but key "${key.id}" belongs to "${key.approver}"`,
        });
    }
    const identities = [...new Set([manifest.approver, ...(key.approver ? [key.approver] : [])])];
    for (const identity of identities) {
        const deployer = ctx.deployerIdentities.find((p) => identityMatches(p, identity));
        if (deployer !== undefined) {
            failures.push({
                kind: "self-approval",
                text: `its approver "${identity}" is a deployer (deployerIdentities "${deployer}"), and a deployer cannot approve a release`,
            });
        }
    }
    if (manifest.project !== ctx.project || !globMatch(manifest.stack, ctx.stack)) {
        failures.push({
            kind: "other-stack",
            text: `it approves project "${manifest.project}" stack "${manifest.stack}", not this stack (project "${ctx.project}" stack "${ctx.stack}")`,
        });
    }
    const expires = parseTimestamp(manifest.expires) as number;
    if (ctx.now >= expires) {
        failures.push({ kind: "expired", text: `it expired at ${manifest.expires}` });
    } else {
        const tooLong = lifetimeProblem(expires, manifest.issued !== undefined ? parseTimestamp(manifest.issued) : undefined, ctx.now, maxApprovalDaysOf(ctx.maxApprovalDays));
        if (tooLong !== undefined) {
            failures.push({ kind: "too-long", text: tooLong });
        }
    }
    if (failures.length > 0) {
        return { valid: false, manifest, key, failures };
    }
    return { valid: true, manifest, key, approver: manifest.approver, digests: new Set(manifest.artifacts.map((a) => a.digest)) };
}
