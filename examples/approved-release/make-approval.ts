/**
 * Makes the committed example approval: a fresh, throwaway ECDSA P-256 key (the key type of a KMS
 * ReleaseSigningKey) signs a manifest listing the artifacts of ./release.ts, DER-encoded as
 * `aws kms sign` returns it. The private key is never written anywhere: only the public key
 * (approver.pub.pem) and the pack config that lists it (policy-config.json) are kept, so the
 * committed approval verifies and nobody can sign another one with this key.
 *
 *   npx ts-node --transpile-only examples/approved-release/make-approval.ts
 *
 * Writes release.manifest.json (the signed bytes), release.approval.json (what ApprovedRelease
 * reads), approver.pub.pem and policy-config.json. The expiry is far away only because this is a
 * committed demonstration, so its config raises maxApprovalDays to ten years; real approvals last
 * days (`sealed-infra approve create --expires-in 7d`), within the default ceiling of 30.
 */
import * as fs from "fs";
import * as path from "path";
import { createManifest, formatTimestamp, generateKeyPair, manifestText, signData } from "../../policypack/src/engine/release";
import { IMAGE, LAMBDA_PACKAGE_SHA256, PROJECT, STACK } from "./release";

export const KEY_ID = "release-approvals-example";
export const APPROVER = "release-manager@acme.example";
export const DEPLOYERS = ["arn:aws:iam::123456789012:role/github-deployer", "ci@acme.example"];

function main(): void {
    const dir = __dirname;
    const pair = generateKeyPair("ecdsa-p256");
    const manifest = createManifest({
        project: PROJECT,
        stack: STACK,
        artifacts: [
            { digest: IMAGE.slice(IMAGE.indexOf("@") + 1), kind: "image", name: IMAGE.slice(0, IMAGE.indexOf("@")) },
            { digest: `sha256:${LAMBDA_PACKAGE_SHA256}`, kind: "lambda-code", name: "checkout/2.4.0/function.zip" },
        ],
        expires: "2036-01-01T00:00:00Z",
        issued: formatTimestamp(Date.now()),
        approver: APPROVER,
        ticket: "CHG-2400",
        reason: "checkout 2.4.0 passed review and staging",
    });
    const text = manifestText(manifest);
    const { signature } = signData(pair.privateKeyPem, Buffer.from(text, "utf8"), "der");
    const write = (name: string, content: string) => fs.writeFileSync(path.join(dir, name), content);
    write("release.manifest.json", text);
    write("release.approval.json", `${JSON.stringify({ manifest: text, signature: signature.toString("base64"), keyId: KEY_ID }, null, 2)}\n`);
    write("approver.pub.pem", pair.publicKeyPem);
    const config = {
        "release-approved": {
            requireApprovals: true,
            // Only for this committed demonstration, whose approval runs to 2036 (default: 30 days).
            maxApprovalDays: 3660,
            approverKeys: [{ id: KEY_ID, publicKeyPem: pair.publicKeyPem, approver: APPROVER }],
            deployerIdentities: DEPLOYERS,
        },
    };
    write("policy-config.json", `${JSON.stringify(config, null, 2)}\n`);
    process.stdout.write(`signed ${manifest.artifacts.length} artifact(s) for ${PROJECT}/${STACK} with a throwaway key (discarded); wrote release.manifest.json, release.approval.json, approver.pub.pem, policy-config.json\n`);
}

if (require.main === module) {
    main();
}
