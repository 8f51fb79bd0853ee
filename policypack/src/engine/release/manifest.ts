/**
 * Release manifests: what an approver signs to approve a release of one project's stack(s).
 *
 * A manifest is a JSON object (format `sealed-infra.io/release-manifest/v1`) with exactly these
 * members, every value a string or a list:
 *
 *   format     "sealed-infra.io/release-manifest/v1" (required; binds the signature to this meaning)
 *   project    the Pulumi project name, exactly (required)
 *   stack      the stack name, or a glob pattern where `*` matches any run of characters (required)
 *   artifacts  the approved artifacts, at least one, sorted by digest, no digest twice (required):
 *                { "digest": "sha256:<64 lowercase hex>",
 *                  "kind": "image" | "lambda-code",
 *                  "name": "<what it is, for people>" (optional) }
 *              an image's digest is its manifest digest (`…@sha256:<hex>`); a Lambda zip package's
 *              digest is the SHA-256 of the package, in hex (Lambda's CodeSha256 and Terraform's
 *              sourceCodeHash are the same hash in base64)
 *   expires    when the approval stops applying, UTC, `YYYY-MM-DDTHH:MM:SSZ` (required)
 *   issued     when it was made, same format (optional; not after `expires`)
 *   approver   who approves: an e-mail, a username or an IAM ARN (required)
 *   reason     why, one line (required unless `ticket` is given)
 *   ticket     change ticket or review link (required unless `reason` is given)
 *
 * No string may contain control characters (U+0000-U+001F, U+007F). The signed bytes are the
 * canonical JSON of the manifest (./canonical.ts); a manifest that is not byte-for-byte canonical is
 * rejected, so every tool that parses the signed bytes sees the same manifest.
 */
import { canonicalJson, canonicalProblem } from "./canonical";

export const MANIFEST_FORMAT = "sealed-infra.io/release-manifest/v1";

export type ArtifactKind = "image" | "lambda-code";
export const ARTIFACT_KINDS: readonly ArtifactKind[] = ["image", "lambda-code"];

export interface ManifestArtifact {
    digest: string;
    kind: ArtifactKind;
    name?: string;
}

export interface ReleaseManifest {
    format: typeof MANIFEST_FORMAT;
    project: string;
    stack: string;
    artifacts: ManifestArtifact[];
    expires: string;
    issued?: string;
    approver: string;
    reason?: string;
    ticket?: string;
}

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const MEMBERS = ["format", "project", "stack", "artifacts", "expires", "issued", "approver", "reason", "ticket"];
const ARTIFACT_MEMBERS = ["digest", "kind", "name"];
/** The admission policy's ReleaseApproval holds at most 1000 digests; so does a manifest. */
export const MAX_ARTIFACTS = 1000;

/** Milliseconds since the epoch of a manifest timestamp, or undefined when it is not one. */
export function parseTimestamp(text: unknown): number | undefined {
    if (typeof text !== "string") {
        return undefined;
    }
    const m = TIMESTAMP.exec(text);
    if (!m) {
        return undefined;
    }
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
    const t = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(t);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
        return undefined;
    }
    return t;
}

/** A manifest timestamp for `ms` (seconds precision, UTC). */
export function formatTimestamp(ms: number): string {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Every problem of a would-be manifest object (empty when it is valid). */
export function manifestProblems(value: unknown): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return ["the manifest is not a JSON object"];
    }
    const m = value as Record<string, unknown>;
    const problems: string[] = [];
    const structural = canonicalProblem(m);
    if (structural) {
        return [structural];
    }
    for (const key of Object.keys(m)) {
        if (!MEMBERS.includes(key)) {
            problems.push(`unknown member "${key}" (a manifest has only ${MEMBERS.join(", ")})`);
        }
    }
    if (m.format !== MANIFEST_FORMAT) {
        problems.push(`format is ${JSON.stringify(m.format)}, expected "${MANIFEST_FORMAT}"`);
    }
    const text = (key: string, required: boolean) => {
        const v = m[key];
        if (v === undefined) {
            if (required) {
                problems.push(`${key} is missing`);
            }
            return;
        }
        if (typeof v !== "string" || v.trim() === "") {
            problems.push(`${key} must be a non-empty string`);
        } else if (CONTROL.test(v)) {
            problems.push(`${key} contains a control character (use one line of text)`);
        } else if (v !== v.trim()) {
            problems.push(`${key} has leading or trailing whitespace`);
        }
    };
    text("project", true);
    text("stack", true);
    text("approver", true);
    text("reason", false);
    text("ticket", false);
    if (m.reason === undefined && m.ticket === undefined) {
        problems.push("give a reason or a ticket (or both)");
    }
    const expires = parseTimestamp(m.expires);
    if (expires === undefined) {
        problems.push(`expires is ${JSON.stringify(m.expires)}, expected a UTC time YYYY-MM-DDTHH:MM:SSZ`);
    }
    if (m.issued !== undefined) {
        const issued = parseTimestamp(m.issued);
        if (issued === undefined) {
            problems.push(`issued is ${JSON.stringify(m.issued)}, expected a UTC time YYYY-MM-DDTHH:MM:SSZ`);
        } else if (expires !== undefined && issued > expires) {
            problems.push(`issued (${m.issued}) is after expires (${m.expires})`);
        }
    }
    problems.push(...artifactProblems(m.artifacts));
    return problems;
}

function artifactProblems(value: unknown): string[] {
    if (!Array.isArray(value)) {
        return [value === undefined ? "artifacts is missing" : "artifacts must be a list"];
    }
    if (value.length === 0) {
        return ["artifacts is empty: list at least one approved artifact"];
    }
    if (value.length > MAX_ARTIFACTS) {
        return [`artifacts lists ${value.length} entries, more than ${MAX_ARTIFACTS}`];
    }
    const problems: string[] = [];
    let previous = "";
    value.forEach((a, i) => {
        const at = `artifacts[${i}]`;
        if (a === null || typeof a !== "object" || Array.isArray(a)) {
            problems.push(`${at} must be an object { digest, kind, name? }`);
            return;
        }
        const entry = a as Record<string, unknown>;
        for (const key of Object.keys(entry)) {
            if (!ARTIFACT_MEMBERS.includes(key)) {
                problems.push(`${at} has unknown member "${key}"`);
            }
        }
        if (typeof entry.digest !== "string" || !DIGEST_PATTERN.test(entry.digest)) {
            problems.push(`${at}.digest is ${JSON.stringify(entry.digest)}, expected sha256:<64 lowercase hex>`);
        } else {
            if (entry.digest === previous) {
                problems.push(`${at}.digest ${entry.digest} is listed twice`);
            } else if (entry.digest < previous) {
                problems.push(`${at}.digest is out of order: artifacts are sorted by digest`);
            }
            previous = entry.digest;
        }
        if (!ARTIFACT_KINDS.includes(entry.kind as ArtifactKind)) {
            problems.push(`${at}.kind is ${JSON.stringify(entry.kind)}, expected ${ARTIFACT_KINDS.map((k) => `"${k}"`).join(" or ")}`);
        }
        if (entry.name !== undefined && (typeof entry.name !== "string" || entry.name === "" || CONTROL.test(entry.name))) {
            problems.push(`${at}.name must be a non-empty one-line string`);
        }
    });
    return problems;
}

export type ParsedManifest = { ok: true; manifest: ReleaseManifest } | { ok: false; reason: string };

/**
 * Parses signed manifest text. It must be valid JSON, a valid manifest, and exactly its own
 * canonical form (so there is one reading of the signed bytes: no duplicate keys, no reformatting).
 */
export function parseManifestText(text: string): ParsedManifest {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (e) {
        return { ok: false, reason: `it is not valid JSON (${(e as Error).message})` };
    }
    const problems = manifestProblems(value);
    if (problems.length > 0) {
        return { ok: false, reason: problems.join("; ") };
    }
    if (canonicalJson(value) !== text) {
        return {
            ok: false,
            reason: "it is not in canonical form (sorted keys, no whitespace, no trailing newline; or a key appears twice); re-create it with `sealed-infra approve create`",
        };
    }
    return { ok: true, manifest: value as ReleaseManifest };
}

/** What `createManifest` takes: a manifest without its format marker. */
export type ManifestInput = Omit<ReleaseManifest, "format">;

/**
 * Builds a manifest: artifacts sorted by digest (an artifact given twice with the same kind is kept
 * once), optional members left out when unset. Throws with every problem when the result is invalid.
 */
export function createManifest(input: ManifestInput): ReleaseManifest {
    const byDigest = new Map<string, ManifestArtifact>();
    for (const a of input.artifacts) {
        const known = byDigest.get(a.digest);
        if (known && known.kind !== a.kind) {
            throw new Error(`artifact ${a.digest} is given as both ${known.kind} and ${a.kind}`);
        }
        if (!known || (known.name === undefined && a.name !== undefined)) {
            byDigest.set(a.digest, { digest: a.digest, kind: a.kind, ...(a.name !== undefined ? { name: a.name } : {}) });
        }
    }
    const manifest: Record<string, unknown> = {
        format: MANIFEST_FORMAT,
        project: input.project,
        stack: input.stack,
        artifacts: [...byDigest.values()].sort((x, y) => (x.digest < y.digest ? -1 : x.digest > y.digest ? 1 : 0)),
        expires: input.expires,
        approver: input.approver,
    };
    for (const key of ["issued", "reason", "ticket"] as const) {
        if (input[key] !== undefined) {
            manifest[key] = input[key];
        }
    }
    const problems = manifestProblems(manifest);
    if (problems.length > 0) {
        throw new Error(`invalid manifest: ${problems.join("; ")}`);
    }
    return manifest as unknown as ReleaseManifest;
}

/** The canonical text of a manifest: sign its UTF-8 bytes. */
export function manifestText(manifest: ReleaseManifest): string {
    return canonicalJson(manifest);
}

// --- Artifact digests as deployed resources show them.

/** `sha256:<hex>` from an image reference's digest, or undefined when it is not a sha256 digest. */
export function imageDigestOf(digest: { algorithm: string; hex: string } | undefined): string | undefined {
    return digest && digest.algorithm === "sha256" ? `sha256:${digest.hex}` : undefined;
}

/**
 * A Lambda code hash as a manifest digest. Lambda reports CodeSha256 and Terraform takes
 * sourceCodeHash as base64 of the SHA-256 (`filebase64sha256`); a 64-hex form is accepted too.
 */
export function lambdaCodeDigest(hash: string): string | undefined {
    const text = hash.trim();
    if (/^[A-Fa-f0-9]{64}$/.test(text)) {
        return `sha256:${text.toLowerCase()}`;
    }
    if (/^[A-Za-z0-9+/]{43}=$/.test(text)) {
        const bytes = Buffer.from(text, "base64");
        if (bytes.length === 32 && bytes.toString("base64") === text) {
            return `sha256:${bytes.toString("hex")}`;
        }
    }
    return undefined;
}
