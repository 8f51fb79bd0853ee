import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { BUCKET_ARN_PLACEHOLDER, ImmutableBucket, MIN_RETENTION_DAYS } from "../../components";
import { forgetIntentionalFailures, installMocks, json, record, settle, urnOf, valueOf } from "./mocks";

const T = {
    component: "sealed-infra:aws:ImmutableBucket",
    bucket: "aws:s3/bucket:Bucket",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    lock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    key: "aws:kms/key:Key",
};

describe("components: ImmutableBucket", () => {
    before(() => installMocks());

    it("builds a versioned, COMPLIANCE-locked, KMS-encrypted, sealed bucket, every child parented and protected", async () => {
        const { component, recorder } = await record(() => new ImmutableBucket("artifacts", {}));
        const parent = await urnOf(component);
        assert.deepEqual(recorder.summary(), [
            `${T.key}::artifacts-key`,
            `${T.bucket}::artifacts`,
            `${T.lock}::artifacts-object-lock`,
            `${T.ownership}::artifacts-ownership`,
            `${T.policy}::artifacts-policy`,
            `${T.pab}::artifacts-public-access-block`,
            `${T.sse}::artifacts-encryption`,
            `${T.versioning}::artifacts-versioning`,
            `${T.component}::artifacts`,
        ]);
        for (const r of recorder.resources.filter((r) => r.custom)) {
            assert.equal(r.parent, parent, `${r.name} is parented to the component`);
            assert.equal(r.protect, true, `${r.name} is protected`);
        }

        const bucket = recorder.one(T.bucket);
        assert.equal(bucket.inputs.objectLockEnabled, true);
        assert.equal(bucket.inputs.forceDestroy, false);
        assert.deepEqual(bucket.inputs.tags, { "sealed-infra:store": "artifacts" });

        assert.deepEqual(recorder.one(T.versioning).inputs.versioningConfiguration, { status: "Enabled" });
        assert.equal(recorder.one(T.versioning).inputs.bucket, "artifacts-id");
        // S3 cannot suspend versioning on an Object Lock bucket: destroy forgets the resource instead.
        assert.equal(recorder.one(T.versioning).retainOnDelete, true);
        for (const r of recorder.resources.filter((r) => r.custom && r.type !== T.versioning)) {
            assert.equal(r.retainOnDelete, false, `${r.name} is deleted on destroy`);
        }

        const lock = recorder.one(T.lock);
        assert.equal(lock.inputs.objectLockEnabled, "Enabled");
        assert.deepEqual(lock.inputs.rule, { defaultRetention: { mode: "COMPLIANCE", days: 365 } });
        assert.ok(lock.dependencies.includes(recorder.one(T.versioning).urn), "object lock waits for versioning");

        const sse = recorder.one(T.sse).inputs.rules[0];
        assert.equal(sse.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
        assert.equal(sse.applyServerSideEncryptionByDefault.kmsMasterKeyId, await valueOf(component.kmsKeyArn));
        assert.equal(sse.bucketKeyEnabled, true);

        const pab = recorder.one(T.pab).inputs;
        for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
            assert.equal(pab[flag], true, flag);
        }
        assert.deepEqual(recorder.one(T.ownership).inputs.rule, { objectOwnership: "BucketOwnerEnforced" });

        const key = recorder.one(T.key).inputs;
        assert.equal(key.enableKeyRotation, true);
        assert.equal(key.deletionWindowInDays, 30);
        assert.equal(key.bypassPolicyLockoutSafetyCheck, false);

        const policy = recorder.one(T.policy);
        const doc = json(policy.inputs.policy);
        assert.deepEqual(doc.Statement, [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: ["arn:aws:s3:::artifacts-bucket", "arn:aws:s3:::artifacts-bucket/*"],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            // Default writers of an artifact store: the DutyRoles deployer roles, nobody else.
            {
                Sid: "DenyWritesExceptDutyRoles",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:PutObject",
                Resource: "arn:aws:s3:::artifacts-bucket/*",
                Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:*:iam::*:role/sealed-infra/duty/*" } },
            },
            {
                Sid: "DenyWritesExceptDeployer",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:PutObject",
                Resource: "arn:aws:s3:::artifacts-bucket/*",
                Condition: { StringNotEquals: { "aws:PrincipalTag/sealed-infra:duty": "deployer" } },
            },
        ]);
        assert.ok(policy.dependencies.includes(recorder.one(T.pab).urn), "policy waits for the public access block");

        assert.equal(await valueOf(component.bucketName), "artifacts-bucket");
        assert.equal(await valueOf(component.bucketArn), "arn:aws:s3:::artifacts-bucket");
        assert.equal(await valueOf(component.retentionDays), 365);
        assert.equal(component.kind, "artifacts");
    });

    it("uses a given key, kind, retention and name; protect can be turned off", async () => {
        const keyArn = "arn:aws:kms:us-east-1:123456789012:key/given";
        const { component, recorder } = await record(
            () =>
                new ImmutableBucket("logs", {
                    kind: "audit-logs",
                    bucketName: "acme-audit-logs",
                    retentionDays: 2555,
                    kmsKeyArn: keyArn,
                    tags: { team: "platform" },
                    protect: false,
                }),
        );
        assert.equal(recorder.ofType(T.key).length, 0, "no key is created when one is given");
        assert.equal(component.kmsKey, undefined);
        const bucket = recorder.one(T.bucket);
        assert.equal(bucket.inputs.bucket, "acme-audit-logs");
        assert.deepEqual(bucket.inputs.tags, { team: "platform", "sealed-infra:store": "audit-logs" });
        assert.equal(recorder.one(T.lock).inputs.rule.defaultRetention.days, 2555);
        assert.equal(recorder.one(T.sse).inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, keyArn);
        assert.ok(recorder.resources.filter((r) => r.custom).every((r) => r.protect === false));
        // Services write audit logs: no default writer statement (AuditTrail adds its own, by aws:SourceArn).
        assert.deepEqual(
            json(recorder.one(T.policy).inputs.policy).Statement.map((s: any) => s.Sid),
            ["DenyInsecureTransport"],
        );
    });

    it("denies s3:PutObject to every principal but the named writers", async () => {
        const ci = "arn:aws:iam::123456789012:role/ci-publisher";
        const { recorder } = await record(() => new ImmutableBucket("packages", { writerPrincipalArns: [ci] }));
        const statements = json(recorder.one(T.policy).inputs.policy).Statement;
        assert.deepEqual(
            statements.map((s: any) => s.Sid),
            ["DenyInsecureTransport", "DenyWritesExceptWriters"],
        );
        assert.deepEqual(statements[1], {
            Sid: "DenyWritesExceptWriters",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:PutObject",
            Resource: "arn:aws:s3:::packages-bucket/*",
            Condition: { ArnNotLike: { "aws:PrincipalArn": [ci] } },
        });
    });

    it("takes protect from the component's own options when the arg is unset", async () => {
        const { recorder } = await record(() => new ImmutableBucket("scratch", {}, { protect: false }));
        assert.ok(recorder.resources.filter((r) => r.custom).every((r) => r.protect === false));
    });

    it("appends extra policy statements, with {bucketArn} standing for the bucket's ARN", async () => {
        const { recorder } = await record(
            () =>
                new ImmutableBucket("shared", {
                    policyStatements: [
                        {
                            Sid: "AllowReader",
                            Effect: "Allow",
                            Principal: { AWS: ["arn:aws:iam::123456789012:role/reader"] },
                            Action: ["s3:GetObject"],
                            Resource: [`${BUCKET_ARN_PLACEHOLDER}/*`],
                        },
                    ],
                }),
        );
        const doc = json(recorder.one(T.policy).inputs.policy);
        assert.deepEqual(
            doc.Statement.map((s: any) => s.Sid),
            ["DenyInsecureTransport", "DenyWritesExceptDutyRoles", "DenyWritesExceptDeployer", "AllowReader"],
        );
        assert.deepEqual(doc.Statement[3], {
            Sid: "AllowReader",
            Effect: "Allow",
            Principal: { AWS: ["arn:aws:iam::123456789012:role/reader"] },
            Action: ["s3:GetObject"],
            Resource: ["arn:aws:s3:::shared-bucket/*"],
        });
    });

    it("renders extra statements in IAM's field order whatever order they were written in (other languages lose key order)", async () => {
        const { recorder } = await record(
            () =>
                new ImmutableBucket("ordered", {
                    policyStatements: [
                        {
                            Condition: { StringLike: { "aws:PrincipalArn": ["arn:aws:iam::123456789012:role/r*"] }, Bool: { "aws:SecureTransport": ["true"] } },
                            Resource: [`${BUCKET_ARN_PLACEHOLDER}/*`],
                            Action: ["s3:GetObject"],
                            Principal: { Service: ["logging.s3.amazonaws.com"], AWS: ["arn:aws:iam::123456789012:role/reader"] },
                            Effect: "Allow",
                            Sid: "Read",
                        },
                    ],
                }),
        );
        const statement = json(recorder.one(T.policy).inputs.policy).Statement[3];
        assert.deepEqual(Object.keys(statement), ["Sid", "Effect", "Principal", "Action", "Resource", "Condition"]);
        assert.deepEqual(Object.keys(statement.Principal), ["AWS", "Service"]);
        assert.deepEqual(Object.keys(statement.Condition), ["Bool", "StringLike"]);
    });

    describe("rejects unsafe or invalid arguments at construction", () => {
        const cases: [string, () => unknown, RegExp][] = [
            [
                "a retention below the minimum",
                () => new ImmutableBucket("short", { retentionDays: 7 }),
                new RegExp(`ImmutableBucket "short": retentionDays must be a whole number of days between ${MIN_RETENTION_DAYS} and 36500, found 7`),
            ],
            ["a fractional retention", () => new ImmutableBucket("frac", { retentionDays: 90.5 }), /found 90.5/],
            ["an unknown kind", () => new ImmutableBucket("kind", { kind: "backups" as any }), /kind must be one of "artifacts", "audit-logs", found "backups"/],
            [
                "a tag that contradicts the designation",
                () => new ImmutableBucket("tagged", { kind: "artifacts", tags: { "sealed-infra:store": "audit-logs" } }),
                /tags.sealed-infra:store is "audit-logs", but this component sets sealed-infra:store=artifacts/,
            ],
            [
                "an account root as writer (aws:PrincipalArn would match only the root user)",
                () => new ImmutableBucket("root-writer", { writerPrincipalArns: ["arn:aws:iam::123456789012:root"] }),
                /ImmutableBucket "root-writer": writerPrincipalArns entry "arn:aws:iam::123456789012:root" is an account root/,
            ],
            [
                "a wildcard writer",
                () => new ImmutableBucket("any-writer", { writerPrincipalArns: ["arn:aws:iam::123456789012:role/*"] }),
                /writerPrincipalArns must list principal ARNs without wildcards/,
            ],
            ["an empty writer list", () => new ImmutableBucket("no-writer", { writerPrincipalArns: [] }), /writerPrincipalArns must name at least one principal/],
            [
                "a public Allow statement",
                () =>
                    new ImmutableBucket("public", {
                        policyStatements: [{ Sid: "Public", Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["s3:GetObject"], Resource: ["*"] }],
                    }),
                /ImmutableBucket "public": policyStatements\[0\] \("Public"\) allows everyone without a condition/,
            ],
        ];
        for (const [what, build, message] of cases) {
            it(what, async () => {
                assert.throws(build, message);
                await settle();
            });
        }
    });

    it("checks a retention given as an Output when it resolves", async () => {
        const bucket = new ImmutableBucket("late", { retentionDays: pulumi.output(3) });
        await assert.rejects(valueOf(bucket.retentionDays), /ImmutableBucket "late": retentionDays must be a whole number of days between 30 and 36500, found 3/);
        await forgetIntentionalFailures();
    });
});
