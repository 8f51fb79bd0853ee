/**
 * The components as a program in another language would declare them: each case names a class, a
 * resource name and plain arguments (JSON), where `{ "$component": "<id>" }` stands for the
 * component of an earlier case (a resource reference, e.g. the ImmutableConfig a workload mounts).
 * The same list is built by the TypeScript classes in a program under mocks
 * (test/fixtures/provider-programs/components) and through the launched provider's Construct.
 */
import * as crypto from "crypto";
import { createManifest, manifestText } from "../../policypack/src/engine/release/manifest";
import { TEST_STACK } from "./engine";

export interface ComponentCase {
    id: string;
    className: string;
    name: string;
    args: Record<string, unknown>;
}

export interface ComponentReference {
    $component: string;
}

export function isComponentReference(value: unknown): value is ComponentReference {
    return typeof value === "object" && value !== null && typeof (value as ComponentReference).$component === "string";
}

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const WEB_IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop@${digest("c")}`;
const MIGRATE_IMAGE = `ghcr.io/acme/migrate:1.4@${digest("d")}`;
export const APPROVER = "release-manager@acme.example";
export const APPROVAL_KEY_ID = "approvals";

/** An approver key pair, made once per process, and a signed approval of the workload's images. */
const approverKey = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });

export function approverPublicKeyPem(): string {
    return approverKey.publicKey.export({ format: "pem", type: "spki" }).toString();
}

function signedApproval(): { manifest: string; signature: string; keyId: string } {
    const now = Date.now();
    const text = manifestText(
        createManifest({
            project: TEST_STACK.project,
            stack: TEST_STACK.stack,
            artifacts: [
                { digest: digest("c"), kind: "image", name: "shop" },
                { digest: digest("d"), kind: "image", name: "migrate" },
            ],
            issued: new Date(now - 3600_000).toISOString().replace(/\.\d+Z$/, "Z"),
            expires: new Date(now + 7 * 86400_000).toISOString().replace(/\.\d+Z$/, "Z"),
            approver: APPROVER,
            ticket: "CHG-1",
        }),
    );
    const signature = crypto.sign("sha256", Buffer.from(text, "utf8"), { key: approverKey.privateKey, dsaEncoding: "der" }).toString("base64");
    return { manifest: text, signature, keyId: APPROVAL_KEY_ID };
}

/** Every component at least once, with the arguments that exercise its schema's shapes. */
export function componentCases(): ComponentCase[] {
    return [
        { id: "artifacts", className: "ImmutableBucket", name: "artifacts", args: { kind: "artifacts" } },
        {
            id: "packages",
            className: "ImmutableBucket",
            name: "packages",
            args: {
                kind: "artifacts",
                retentionDays: 730,
                writerPrincipalArns: ["arn:aws:iam::123456789012:role/ci-publisher"],
                tags: { team: "shop" },
                policyStatements: [
                    {
                        Sid: "AllowReaders",
                        Effect: "Allow",
                        Principal: { AWS: ["arn:aws:iam::123456789012:role/readers"] },
                        Action: ["s3:GetObject"],
                        Resource: ["{bucketArn}/*"],
                    },
                ],
            },
        },
        {
            id: "images",
            className: "ImmutableImageRepository",
            name: "images",
            args: {
                publisherPrincipalArns: ["arn:aws:iam::123456789012:role/ci-publisher"],
                pullerPrincipalArns: ["arn:aws:iam::123456789012:role/eks-nodes"],
            },
        },
        { id: "audit", className: "AuditTrail", name: "audit", args: { cloudWatchLogs: true, retentionDays: 2555 } },
        {
            id: "duties",
            className: "DutyRoles",
            name: "release",
            args: {
                deployer: { kind: "github-actions", repository: "acme/shop", ref: "refs/heads/main" },
                approver: { kind: "aws-principals", principalArns: ["arn:aws:iam::123456789012:role/release-managers", "arn:aws:iam::123456789012:user/alice"] },
                auditor: { kind: "aws-principals", principalArns: ["arn:aws:iam::123456789012:role/auditors"] },
                deployerStatements: [{ Sid: "ReadParameters", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: ["*"] }],
            },
        },
        {
            id: "signing",
            className: "ReleaseSigningKey",
            name: "approvals",
            args: {
                approverPrincipalArns: ["arn:aws:iam::123456789012:role/sealed-infra/duty/approver"],
                verifierPrincipalArns: ["arn:aws:iam::123456789012:role/sealed-infra/duty/deployer"],
                keySpec: "ECC_NIST_P384",
                aliasName: "alias/release-approvals",
            },
        },
        { id: "shop", className: "DutyNamespace", name: "shop", args: { approverGroups: ["release-approvers"] } },
        { id: "settings", className: "ImmutableConfig", name: "settings", args: { namespace: "shop", data: { "app.yaml": "port: 8080\n" } } },
        { id: "credentials", className: "ImmutableConfig", name: "credentials", args: { kind: "Secret", namespace: "shop", data: { password: "not-a-real-one" } } },
        {
            id: "web",
            className: "ImmutableWorkload",
            name: "web",
            args: {
                namespace: "shop",
                replicas: 3,
                containers: [
                    {
                        name: "web",
                        image: WEB_IMAGE,
                        ports: [{ containerPort: 8080, name: "http" }],
                        readinessProbe: { httpGet: { path: "/ready", port: "http" } },
                        resources: { limits: { memory: "256Mi" } },
                        netBindService: true,
                    },
                ],
                initContainers: [{ name: "migrate", image: MIGRATE_IMAGE }],
                config: [
                    { config: { $component: "settings" }, mountPath: "/etc/shop" },
                    { config: { $component: "credentials" } },
                ],
            },
        },
        { id: "approval", className: "ApprovedRelease", name: "release", args: { ...signedApproval(), releaseApproval: { namespace: "shop", name: "release" } } },
    ];
}
