/**
 * `sealed-infra approve`: make, sign and check release approvals (the two-person rule).
 *
 *   sealed-infra approve keygen --type ed25519|ecdsa-p256|rsa-pss --private-key <file> --public-key <file>
 *                               [--key-id <id>] [--approver <who>]
 *   sealed-infra approve create --project <p> --stack <s|pattern> [--image <ref>]... [--lambda-zip <file>]...
 *                               [--lambda-code-hash <hash>]... (--expires <time> | --expires-in <n>d|h)
 *                               --approver <who> (--reason <text> | --ticket <id>) [--config <pack-config.json>]
 *                               [--out <manifest>]
 *   sealed-infra approve sign <manifest> --key <private.pem> --key-id <id> [--out <approval.json>]
 *   sealed-infra approve attach <manifest> --signature <file> --key-id <id> [--public-key <pem>] [--out <approval.json>]
 *   sealed-infra approve verify <approval.json | manifest --signature <file>> (--public-key <pem> | --config <pack-config.json>)
 *                               [--key-id <id>] [--project <p>] [--stack <s>] [--deployer <id>]... [--at <time>]
 *
 * `keygen` prints the pack-config entry for the new public key (JSON-escaped PEM) to paste into
 * release-approved.approverKeys. `create` writes the canonical manifest bytes (the exact bytes to
 * sign: no trailing newline) and refuses an expiry beyond release-approved.maxApprovalDays (from
 * --config, default 30), the ceiling the pack enforces.
 * `sign` signs them with a local key; `attach` bundles a signature made elsewhere, e.g.
 *   aws kms sign --key-id <ReleaseSigningKey> --message fileb://release.manifest.json \
 *     --message-type RAW --signing-algorithm ECDSA_SHA_256 --output text --query Signature | base64 -d > release.sig
 * Both write an approval file `{ "manifest", "signature", "keyId" }` that ApprovedRelease reads.
 * Exit codes: 0 done / approval valid, 1 approval invalid (verify), 2 usage or input error.
 */
import * as fs from "fs";
import * as path from "path";
import { Command, Option } from "commander";
import { CheckError } from "../model";
import { releaseLib, ReleaseLib } from "./release-lib";

export interface ApproveIo {
    stdout(text: string): void;
    stderr(text: string): void;
    cwd?: string;
}

type Lib = typeof ReleaseLib;
type Artifact = ReleaseLib.ManifestArtifact;

/** The size `aws kms sign --message-type RAW` accepts; larger manifests are signed as a digest. */
export const KMS_RAW_MESSAGE_LIMIT = 4096;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function resolve(io: ApproveIo, file: string): string {
    return path.resolve(io.cwd ?? process.cwd(), file);
}

function readFile(io: ApproveIo, file: string, what: string): Buffer {
    try {
        return fs.readFileSync(resolve(io, file));
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new CheckError(`${what} ${file} ${code === "ENOENT" ? "does not exist" : `cannot be read: ${(e as Error).message}`}`, e);
    }
}

/** Writes an approval file (manifest, base64 signature, key id) to `out` or stdout. */
function writeApproval(io: ApproveIo, out: string | undefined, manifest: string, signature: Buffer, keyId: string): number {
    writeOut(io, out, approvalJson({ manifest, signature: signature.toString("base64"), keyId }), "approval file");
    if (out !== undefined) {
        io.stdout(`wrote ${out}\n`);
    }
    return 0;
}

function writeOut(io: ApproveIo, file: string | undefined, content: string, what: string, mode?: number): void {
    if (file === undefined) {
        io.stdout(content);
        return;
    }
    try {
        fs.writeFileSync(resolve(io, file), content, mode !== undefined ? { mode } : undefined);
    } catch (e) {
        throw new CheckError(`cannot write ${what} ${file}: ${(e as Error).message}`, e);
    }
}

/** `2026-12-01` (end of that day, UTC), `2026-12-01T12:00:00Z` or any ISO time with a zone -> manifest time. */
export function parseTime(lib: Lib, text: string, option: string): number {
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
        const t = lib.parseTimestamp(`${text}T23:59:59Z`);
        if (t !== undefined) {
            return t;
        }
    }
    const exact = lib.parseTimestamp(text);
    if (exact !== undefined) {
        return exact;
    }
    if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text))) {
        return Date.parse(text);
    }
    throw new CheckError(`${option} ${JSON.stringify(text)} is not a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SSZ)`);
}

/** `7d`, `48h`, `90m` -> milliseconds. */
export function parseDuration(text: string): number {
    const m = /^(\d+)([dhm])$/.exec(text.trim());
    if (!m || Number(m[1]) === 0) {
        throw new CheckError(`--expires-in ${JSON.stringify(text)} is not a duration like 7d, 48h or 90m`);
    }
    return Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as "d" | "h" | "m"];
}

/** `--image`: a digest-pinned reference (`repo[:tag]@sha256:<hex>`) or a bare `sha256:<hex>`. */
export function imageArtifact(lib: Lib, text: string): Artifact {
    if (lib.DIGEST_PATTERN.test(text)) {
        return { digest: text, kind: "image" };
    }
    const parsed = lib.parseImageReference(text);
    if (!parsed.ok) {
        throw new CheckError(`--image ${JSON.stringify(text)} is not a valid image reference: ${parsed.reason}`);
    }
    if (parsed.image.digest?.algorithm !== "sha256") {
        throw new CheckError(
            `--image ${JSON.stringify(text)} is not pinned by a sha256 digest; approve the exact image: "${text.split("@")[0]}@sha256:<digest>" (\`crane digest ${text.split("@")[0]}\`)`,
        );
    }
    return { digest: `sha256:${parsed.image.digest.hex}`, kind: "image", name: text.slice(0, text.indexOf("@")) };
}

function lambdaHashArtifact(lib: Lib, text: string): Artifact {
    const digest = lib.lambdaCodeDigest(text);
    if (!digest) {
        throw new CheckError(`--lambda-code-hash ${JSON.stringify(text)} is not a SHA-256 hash (base64 as Lambda's CodeSha256, or 64 hex)`);
    }
    return { digest, kind: "lambda-code" };
}

function lambdaZipArtifact(io: ApproveIo, lib: Lib, file: string): Artifact {
    const bytes = readFile(io, file, "Lambda package");
    const hex = lib.nodeCrypto().createHash("sha256").update(bytes).digest("hex");
    return { digest: `sha256:${hex}`, kind: "lambda-code", name: path.basename(file) };
}

interface Approval {
    manifest: string;
    signature: string;
    keyId?: string;
}

function approvalJson(a: Approval): string {
    return `${JSON.stringify({ manifest: a.manifest, signature: a.signature, ...(a.keyId !== undefined ? { keyId: a.keyId } : {}) }, null, 2)}\n`;
}

/** The manifest file's text, checked to be a valid canonical manifest (what will be signed). */
function readManifest(io: ApproveIo, lib: Lib, file: string): { text: string; manifest: ReleaseLib.ReleaseManifest } {
    const bytes = readFile(io, file, "manifest");
    const text = bytes.toString("utf8");
    if (!Buffer.from(text, "utf8").equals(bytes)) {
        throw new CheckError(`manifest ${file} is not valid UTF-8`);
    }
    const parsed = lib.parseManifestText(text);
    if (!parsed.ok) {
        throw new CheckError(`manifest ${file} cannot be signed: ${parsed.reason}`);
    }
    return { text, manifest: parsed.manifest };
}

function describeManifest(m: ReleaseLib.ReleaseManifest): string {
    const lines = [
        `  project ${m.project}, stack ${m.stack}`,
        `  approver ${m.approver}${m.ticket ? `, ticket ${m.ticket}` : ""}${m.reason ? `, reason: ${m.reason}` : ""}`,
        `  expires ${m.expires}${m.issued ? ` (issued ${m.issued})` : ""}`,
        `  ${m.artifacts.length} artifact(s):`,
        ...m.artifacts.map((a) => `    ${a.digest}  ${a.kind}${a.name ? `  ${a.name}` : ""}`),
    ];
    return `${lines.join("\n")}\n`;
}

/** `approver.pub.pem` -> `approver`: the key id keygen suggests when none is given. */
export function defaultKeyId(publicKeyFile: string): string {
    return path.basename(publicKeyFile).replace(/(\.pub)?\.(pem|pub)$/i, "") || "approver";
}

/**
 * The pack-config entry for a new public key, ready to paste: JSON does the escaping of the PEM's
 * newlines, which is what goes wrong by hand.
 */
export function keyConfigSnippet(entry: { id: string; publicKeyPem: string; approver?: string }): string {
    const key = { id: entry.id, publicKeyPem: entry.publicKeyPem, ...(entry.approver !== undefined ? { approver: entry.approver } : {}) };
    const snippet = JSON.stringify({ "release-approved": { approverKeys: [key] } }, null, 2);
    return (
        `Give this to the organization admin who sets the pack config: add the entry to release-approved.approverKeys ` +
        `(beside the keys already there), then re-enable the pack with the config. Approvals signed with the key name it ` +
        `with --key-id ${JSON.stringify(entry.id)}.\n${snippet}\n`
    );
}

// --- verify

interface VerifyOptions {
    signature?: string;
    keyId?: string;
    publicKey?: string;
    config?: string;
    project?: string;
    stack?: string;
    deployer?: string[];
    at?: string;
}

/** The release-approved options of a pack config file ({} when it has none). */
function releaseApprovedOptions(io: ApproveIo, file: string): Record<string, unknown> {
    let config: unknown;
    try {
        config = JSON.parse(readFile(io, file, "policy pack config").toString("utf8").replace(/^\uFEFF/, ""));
    } catch (e) {
        if (e instanceof CheckError) {
            throw e;
        }
        throw new CheckError(`policy pack config ${file} is not valid JSON: ${(e as Error).message}`, e);
    }
    const policy = (config as Record<string, unknown> | null)?.["release-approved"];
    return policy !== null && typeof policy === "object" ? (policy as Record<string, unknown>) : {};
}

/** release-approved.maxApprovalDays of a pack config, as the pack reads it (default when absent). */
function maxApprovalDays(io: ApproveIo, lib: Lib, file: string | undefined): number {
    if (file === undefined) {
        return lib.DEFAULT_MAX_APPROVAL_DAYS;
    }
    const configured = releaseApprovedOptions(io, file).maxApprovalDays;
    if (configured !== undefined && lib.maxApprovalDaysOf(configured) !== configured) {
        throw new CheckError(`policy pack config ${file}: release-approved.maxApprovalDays is ${JSON.stringify(configured)}, expected a whole number of days, at least 1`);
    }
    return lib.maxApprovalDaysOf(configured);
}

/** Pack config -> release-approved's approverKeys and deployerIdentities. */
function keysFromPackConfig(io: ApproveIo, file: string): { keys: ReleaseLib.ApproverKeyConfig[]; deployers: string[] } {
    const options = releaseApprovedOptions(io, file);
    const keys = Array.isArray(options.approverKeys) ? (options.approverKeys as ReleaseLib.ApproverKeyConfig[]) : [];
    if (keys.length === 0) {
        throw new CheckError(`policy pack config ${file} has no "release-approved": { "approverKeys": [...] }`);
    }
    const deployers = Array.isArray(options.deployerIdentities) ? options.deployerIdentities.filter((d): d is string => typeof d === "string") : [];
    return { keys, deployers };
}

function readApproval(io: ApproveIo, lib: Lib, file: string, opts: VerifyOptions): Approval {
    const bytes = readFile(io, file, "approval");
    const text = bytes.toString("utf8");
    let bundle: Partial<Approval> | undefined;
    try {
        const value = JSON.parse(text);
        if (value && typeof value === "object" && typeof value.manifest === "string") {
            bundle = value;
        }
    } catch {
        // Not an approval file: a manifest (which must come with --signature).
    }
    if (bundle) {
        if (opts.signature !== undefined) {
            throw new CheckError(`${file} is an approval file, which holds its signature; drop --signature`);
        }
        if (typeof bundle.signature !== "string") {
            throw new CheckError(`approval file ${file} has no signature`);
        }
        return { manifest: bundle.manifest as string, signature: bundle.signature, keyId: opts.keyId ?? (typeof bundle.keyId === "string" ? bundle.keyId : undefined) };
    }
    if (opts.signature === undefined) {
        throw new CheckError(`${file} is not an approval file ({ manifest, signature, keyId }); to verify a manifest give --signature <file>`);
    }
    const signature = lib.decodeSignatureFile(readFile(io, opts.signature, "signature"));
    return { manifest: text, signature: signature.toString("base64"), keyId: opts.keyId };
}

function verify(io: ApproveIo, file: string, opts: VerifyOptions): number {
    const lib = releaseLib();
    if ((opts.publicKey === undefined) === (opts.config === undefined)) {
        throw new CheckError("give the key to verify against: --public-key <pem> or --config <pack config with release-approved.approverKeys>");
    }
    const approval = readApproval(io, lib, file, opts);
    let keys: ReleaseLib.ApproverKeyConfig[];
    let deployers = opts.deployer ?? [];
    if (opts.publicKey !== undefined) {
        keys = [{ id: approval.keyId ?? "public-key", publicKeyPem: readFile(io, opts.publicKey, "public key").toString("utf8") }];
    } else {
        const fromConfig = keysFromPackConfig(io, opts.config as string);
        keys = fromConfig.keys;
        deployers = [...fromConfig.deployers, ...deployers];
    }
    const ring = lib.keyRing(keys);
    if (ring.problems.length > 0 && ring.keys.length === 0) {
        throw new CheckError(`no usable key: ${ring.problems.join("; ")}`);
    }
    const parsed = lib.parseManifestText(approval.manifest);
    const now = opts.at !== undefined ? parseTime(lib, opts.at, "--at") : Date.now();
    const project = opts.project ?? (parsed.ok ? parsed.manifest.project : "");
    // Unchecked project or stack: judge as if this were the stack the manifest names (a pattern's literal part matches it).
    const stack = opts.stack ?? (parsed.ok ? parsed.manifest.stack.replace(/\*/g, "") : "");
    const verdict = lib.evaluateApproval(approval, { project, stack, now, ring, deployerIdentities: deployers, maxApprovalDays: maxApprovalDays(io, lib, opts.config) });
    const checked = `${opts.project !== undefined ? `project ${project}` : "project not checked (--project)"}, ${opts.stack !== undefined ? `stack ${stack}` : "stack not checked (--stack)"}`;
    if (verdict.valid) {
        io.stdout(`valid: signed with key "${verdict.key.id}" (${lib.KEY_KIND_ALGORITHMS[verdict.key.key.kind]}); ${checked}\n${describeManifest(verdict.manifest)}`);
        return 0;
    }
    io.stdout(`invalid: ${verdict.failures.map((f) => f.text).join("; ")}\n${verdict.manifest ? describeManifest(verdict.manifest) : ""}`);
    return 1;
}

// --- registration

/**
 * Adds `approve` and its subcommands to the CLI. `run` receives each action's exit code promise;
 * `captureHelp` receives help text (main prints it).
 */
export function registerApproveCommand(program: Command, io: ApproveIo, run: (result: Promise<number>) => void, captureHelp: (text: string) => void): void {
    const configure = (c: Command): Command =>
        c.exitOverride().configureOutput({ writeOut: captureHelp, writeErr: () => undefined, outputError: () => undefined });
    const act = (fn: () => number) => {
        run(
            new Promise<number>((resolveResult, reject) => {
                try {
                    resolveResult(fn());
                } catch (e) {
                    reject(e);
                }
            }),
        );
    };

    const approve = configure(
        program
            .command("approve")
            .description("create, sign and verify release approvals (signed manifests the release-approved policy checks)"),
    );
    approve.action(() =>
        act(() => {
            throw new CheckError("missing subcommand; usage: sealed-infra approve keygen|create|sign|attach|verify [options] (see sealed-infra approve --help)");
        }),
    );

    configure(
        approve
            .command("keygen")
            .description("generate an approver key pair (PEM): keep the private key with the approver, give the public key to the pack's admins")
            .addOption(new Option("--type <type>", "key type").choices(["ed25519", "ecdsa-p256", "rsa-pss"]).default("ed25519"))
            .requiredOption("--private-key <file>", "where to write the private key (PKCS#8 PEM, mode 0600)")
            .requiredOption("--public-key <file>", "where to write the public key (SPKI PEM)")
            .option("--key-id <id>", "the key's id in the pack config, which approvals name (default: the public key's file name without .pub.pem)")
            .option("--approver <identity>", "whose key it is; the pack then requires approvals signed with it to name this approver")
            .option("--force", "overwrite existing files"),
    ).action((opts: { type: "ed25519" | "ecdsa-p256" | "rsa-pss"; privateKey: string; publicKey: string; keyId?: string; approver?: string; force?: boolean }) =>
        act(() => {
            const lib = releaseLib();
            for (const file of [opts.privateKey, opts.publicKey]) {
                if (!opts.force && fs.existsSync(resolve(io, file))) {
                    throw new CheckError(`${file} exists; pass --force to overwrite it`);
                }
            }
            const pair = lib.generateKeyPair(opts.type);
            writeOut(io, opts.privateKey, pair.privateKeyPem, "private key", 0o600);
            writeOut(io, opts.publicKey, pair.publicKeyPem, "public key");
            const key = lib.parsePublicKey(pair.publicKeyPem);
            io.stdout(`wrote ${opts.privateKey} (private, keep it with the approver) and ${opts.publicKey} (${opts.type}${key.ok ? `, fingerprint sha256:${key.key.fingerprint}` : ""})\n`);
            io.stdout(keyConfigSnippet({ id: opts.keyId ?? defaultKeyId(opts.publicKey), publicKeyPem: pair.publicKeyPem, approver: opts.approver }));
            return 0;
        }),
    );

    configure(
        approve
            .command("create")
            .description("write a release manifest: the canonical bytes an approver signs")
            .requiredOption("--project <name>", "Pulumi project the release is for")
            .requiredOption("--stack <name>", "stack name, or a pattern with * (e.g. prod-*)")
            .option("--image <ref>", "approved image, repo[:tag]@sha256:<hex> or sha256:<hex> (repeatable)", collect)
            .option("--lambda-zip <file>", "approved Lambda zip package; its SHA-256 is listed (repeatable)", collect)
            .option("--lambda-code-hash <hash>", "approved Lambda code hash, base64 (CodeSha256, sourceCodeHash) or hex (repeatable)", collect)
            .option("--expires <time>", "expiry: YYYY-MM-DD (end of that day, UTC) or YYYY-MM-DDTHH:MM:SSZ")
            .option("--expires-in <duration>", "expiry from now: 7d, 48h, 90m")
            .requiredOption("--approver <identity>", "who approves (e-mail, username or IAM ARN); must not be a deployer")
            .option("--reason <text>", "why (one line)")
            .option("--ticket <id>", "change ticket or review link")
            .option("--config <file>", "the organization's pack config: its release-approved.maxApprovalDays caps the expiry (default 30 days)")
            .option("--out <file>", "write the manifest here (default: stdout, without a trailing newline)"),
    ).action(
        (opts: {
            project: string;
            stack: string;
            image?: string[];
            lambdaZip?: string[];
            lambdaCodeHash?: string[];
            expires?: string;
            expiresIn?: string;
            approver: string;
            reason?: string;
            ticket?: string;
            config?: string;
            out?: string;
        }) =>
            act(() => {
                const lib = releaseLib();
                if ((opts.expires === undefined) === (opts.expiresIn === undefined)) {
                    throw new CheckError("give the expiry: --expires <date or time> or --expires-in <duration>");
                }
                const now = Date.now();
                const expires = opts.expires !== undefined ? parseTime(lib, opts.expires, "--expires") : now + parseDuration(opts.expiresIn as string);
                if (expires <= now) {
                    throw new CheckError(`the approval would already be expired (${lib.formatTimestamp(expires)})`);
                }
                // The ceiling the pack enforces, checked on the timestamps as they will be signed.
                const maxDays = maxApprovalDays(io, lib, opts.config);
                const tooLong = lib.lifetimeProblem(lib.parseTimestamp(lib.formatTimestamp(expires)) as number, lib.parseTimestamp(lib.formatTimestamp(now)), now, maxDays);
                if (tooLong !== undefined) {
                    const where = opts.config !== undefined ? `the maximum in ${opts.config}` : "the default maximum; give the organization's pack config with --config if it sets another";
                    throw new CheckError(`expiry ${lib.formatTimestamp(expires)} is more than ${maxDays} days away (${where}): the pack would not count the approval (release-approved.maxApprovalDays)`);
                }
                const artifacts = [
                    ...(opts.image ?? []).map((i) => imageArtifact(lib, i)),
                    ...(opts.lambdaZip ?? []).map((f) => lambdaZipArtifact(io, lib, f)),
                    ...(opts.lambdaCodeHash ?? []).map((h) => lambdaHashArtifact(lib, h)),
                ];
                if (artifacts.length === 0) {
                    throw new CheckError("list the approved artifacts: --image, --lambda-zip or --lambda-code-hash");
                }
                let text: string;
                try {
                    text = lib.manifestText(
                        lib.createManifest({
                            project: opts.project,
                            stack: opts.stack,
                            artifacts,
                            expires: lib.formatTimestamp(expires),
                            issued: lib.formatTimestamp(now),
                            approver: opts.approver,
                            reason: opts.reason,
                            ticket: opts.ticket,
                        }),
                    );
                } catch (e) {
                    throw new CheckError((e as Error).message, e);
                }
                writeOut(io, opts.out, text, "manifest");
                const size = Buffer.byteLength(text, "utf8");
                if (size > KMS_RAW_MESSAGE_LIMIT) {
                    io.stderr(
                        `sealed-infra: note: the manifest is ${size} bytes, more than aws kms sign accepts with --message-type RAW (${KMS_RAW_MESSAGE_LIMIT}); sign its SHA-256 with --message-type DIGEST instead (see docs/release-approval.md)\n`,
                    );
                }
                if (opts.out !== undefined) {
                    io.stdout(`wrote ${opts.out}: ${artifacts.length} artifact(s) for ${opts.project}/${opts.stack}, expires ${lib.formatTimestamp(expires)}\n`);
                }
                return 0;
            }),
    );

    configure(
        approve
            .command("sign")
            .description("sign a manifest with a local private key and write the approval file")
            .argument("<manifest>", "manifest file written by `approve create`")
            .requiredOption("--key <file>", "private key (PEM): Ed25519, ECDSA P-256 or RSA")
            .requiredOption("--key-id <id>", "the key's id in the pack config (approverKeys[].id)")
            .addOption(new Option("--ecdsa-encoding <encoding>", "ECDSA signature encoding").choices(["der", "p1363"]).default("der"))
            .option("--out <file>", "write the approval file here (default: stdout)"),
    ).action((manifestFile: string, opts: { key: string; keyId: string; ecdsaEncoding: "der" | "p1363"; out?: string }) =>
        act(() => {
            const lib = releaseLib();
            const { text } = readManifest(io, lib, manifestFile);
            let signature: Buffer;
            try {
                signature = lib.signData(readFile(io, opts.key, "private key").toString("utf8"), Buffer.from(text, "utf8"), opts.ecdsaEncoding === "p1363" ? "ieee-p1363" : "der").signature;
            } catch (e) {
                throw new CheckError(`cannot sign with ${opts.key}: ${(e as Error).message}`, e);
            }
            return writeApproval(io, opts.out, text, signature, opts.keyId);
        }),
    );

    configure(
        approve
            .command("attach")
            .description("bundle a manifest with a signature made elsewhere (aws kms sign, an HSM) into an approval file")
            .argument("<manifest>", "the manifest file that was signed")
            .requiredOption("--signature <file>", "the signature: raw bytes (… | base64 -d > file) or base64 text")
            .requiredOption("--key-id <id>", "the key's id in the pack config (approverKeys[].id)")
            .option("--public-key <file>", "check the signature against this public key first (PEM, or base64 DER from aws kms get-public-key)")
            .option("--out <file>", "write the approval file here (default: stdout)"),
    ).action((manifestFile: string, opts: { signature: string; keyId: string; publicKey?: string; out?: string }) =>
        act(() => {
            const lib = releaseLib();
            const { text } = readManifest(io, lib, manifestFile);
            const signature = lib.decodeSignatureFile(readFile(io, opts.signature, "signature"));
            if (opts.publicKey !== undefined) {
                const key = lib.parsePublicKey(readFile(io, opts.publicKey, "public key").toString("utf8"));
                if (!key.ok) {
                    throw new CheckError(`public key ${opts.publicKey}: ${key.reason}`);
                }
                if (!lib.verifySignature(key.key, Buffer.from(text, "utf8"), signature)) {
                    throw new CheckError(`the signature in ${opts.signature} does not verify against ${opts.publicKey} for ${manifestFile}`);
                }
            }
            return writeApproval(io, opts.out, text, signature, opts.keyId);
        }),
    );

    configure(
        approve
            .command("verify")
            .description("verify an approval as the release-approved policy does (exit 0 valid, 1 invalid)")
            .argument("<approval>", "approval file, or a manifest together with --signature")
            .option("--signature <file>", "signature of a manifest (raw bytes or base64)")
            .option("--key-id <id>", "key id (default: the approval file's keyId)")
            .option("--public-key <file>", "verify against this public key (PEM or base64 DER)")
            .option("--config <file>", "verify against the pack config's release-approved.approverKeys and deployerIdentities")
            .option("--project <name>", "the project it must approve")
            .option("--stack <name>", "the stack it must approve")
            .option("--deployer <identity>", "an identity that may not approve (repeatable)", collect)
            .option("--at <time>", "judge expiry at this time instead of now"),
    ).action((file: string, opts: VerifyOptions) => act(() => verify(io, file, opts)));
}
