import { strict as assert } from "assert";
import { KEY_ADMIN_ACTIONS, ReleaseSigningKey } from "../../components";
import { ACCOUNT, installMocks, json, record, settle, urnOf, valueOf } from "./mocks";

const KEY = "aws:kms/key:Key";
const ALIAS = "aws:kms/alias:Alias";
const APPROVER = "arn:aws:iam::123456789012:role/sealed-infra/duty/approver";
const DEPLOYER = "arn:aws:iam::123456789012:role/sealed-infra/duty/deployer";

describe("components: ReleaseSigningKey", () => {
    before(() => installMocks());

    it("builds an asymmetric signing key: approvers sign, verifiers verify, neither administers, no one else signs", async () => {
        const { component, recorder } = await record(
            () =>
                new ReleaseSigningKey("approvals", {
                    approverPrincipalArns: [APPROVER],
                    verifierPrincipalArns: [DEPLOYER],
                    aliasName: "alias/release-approvals",
                }),
        );
        const parent = await urnOf(component);
        const key = recorder.one(KEY);
        assert.equal(key.parent, parent);
        assert.equal(key.protect, true);
        assert.equal(key.inputs.keyUsage, "SIGN_VERIFY");
        assert.equal(key.inputs.customerMasterKeySpec, "ECC_NIST_P256");
        assert.equal(key.inputs.deletionWindowInDays, 30);
        assert.equal(key.inputs.bypassPolicyLockoutSafetyCheck, false);
        assert.deepEqual(key.inputs.tags, { "sealed-infra:purpose": "release-approval" });
        const alias = recorder.one(ALIAS);
        assert.equal(alias.parent, parent);
        assert.equal(alias.inputs.name, "alias/release-approvals");
        assert.equal(alias.inputs.targetKeyId, "approvals-key-id");

        const bySid = Object.fromEntries(json(key.inputs.policy).Statement.map((s: any) => [s.Sid, s]));
        assert.deepEqual(Object.keys(bySid), [
            "KeyAdministration",
            "ApproversSign",
            "VerifiersVerify",
            "DenyKeyAdministrationToDuties",
            "DenySignExceptApprovers",
        ]);
        assert.deepEqual(bySid.KeyAdministration.Principal, { AWS: [`arn:aws:iam::${ACCOUNT}:root`] });
        assert.ok(bySid.KeyAdministration.NotAction.includes("kms:Sign"), "administrators never sign");
        assert.deepEqual(bySid.ApproversSign.Principal, { AWS: [APPROVER] });
        assert.ok(bySid.ApproversSign.Action.includes("kms:Sign"));
        assert.deepEqual(bySid.VerifiersVerify.Principal, { AWS: [DEPLOYER] });
        assert.deepEqual(bySid.VerifiersVerify.Action, ["kms:Verify", "kms:GetPublicKey", "kms:DescribeKey"]);
        assert.deepEqual(bySid.DenyKeyAdministrationToDuties.Principal, { AWS: [APPROVER, DEPLOYER] });
        for (const action of KEY_ADMIN_ACTIONS) {
            assert.ok(bySid.DenyKeyAdministrationToDuties.Action.includes(action), action);
        }
        assert.deepEqual(bySid.DenySignExceptApprovers, {
            Sid: "DenySignExceptApprovers",
            Effect: "Deny",
            Principal: "*",
            Action: "kms:Sign",
            Resource: "*",
            Condition: { ArnNotEquals: { "aws:PrincipalArn": [APPROVER] } },
        });
        assert.equal(component.signingAlgorithm, "ECDSA_SHA_256");
        assert.equal(await valueOf(component.keyArn), "arn:aws:kms:us-east-1:123456789012:key/approvals-key-id");
    });

    it("supports RSA keys and named key administrators", async () => {
        const admin = "arn:aws:iam::123456789012:role/security-admins";
        const { component, recorder } = await record(
            () => new ReleaseSigningKey("rsa", { approverPrincipalArns: [APPROVER], keySpec: "RSA_3072", keyAdminPrincipalArns: [admin] }),
        );
        const key = recorder.one(KEY);
        assert.equal(key.inputs.customerMasterKeySpec, "RSA_3072");
        assert.equal(component.signingAlgorithm, "RSASSA_PSS_SHA_256");
        const bySid = Object.fromEntries(json(key.inputs.policy).Statement.map((s: any) => [s.Sid, s]));
        assert.deepEqual(bySid.KeyAdministration.Principal, { AWS: [admin] });
        assert.equal(bySid.VerifiersVerify, undefined);
        assert.equal(recorder.ofType(ALIAS).length, 0);
    });

    describe("rejects unsafe or invalid arguments at construction", () => {
        const cases: [string, () => unknown, RegExp][] = [
            ["no approvers", () => new ReleaseSigningKey("a", {} as any), /ReleaseSigningKey "a": approverPrincipalArns is required/],
            [
                "the deployer as both verifier and approver",
                () => new ReleaseSigningKey("b", { approverPrincipalArns: [APPROVER, DEPLOYER], verifierPrincipalArns: [DEPLOYER] }),
                /"arn:aws:iam::123456789012:role\/sealed-infra\/duty\/deployer" is in both approverPrincipalArns and verifierPrincipalArns/,
            ],
            [
                "an approver that also administers the key",
                () => new ReleaseSigningKey("c", { approverPrincipalArns: [APPROVER], keyAdminPrincipalArns: [APPROVER] }),
                /is in both approverPrincipalArns and keyAdminPrincipalArns/,
            ],
            [
                "an account root as approver",
                () => new ReleaseSigningKey("d", { approverPrincipalArns: ["arn:aws:iam::123456789012:root"] }),
                /approverPrincipalArns entry "arn:aws:iam::123456789012:root" is an account root/,
            ],
            ["a symmetric key spec", () => new ReleaseSigningKey("e", { approverPrincipalArns: [APPROVER], keySpec: "SYMMETRIC_DEFAULT" as any }), /keySpec must be one of ECC_NIST_P256/],
            ["an AWS-reserved alias", () => new ReleaseSigningKey("f", { approverPrincipalArns: [APPROVER], aliasName: "alias/aws/approvals" }), /reserved for AWS-managed keys/],
        ];
        for (const [what, build, message] of cases) {
            it(what, async () => {
                assert.throws(build, message);
                await settle();
            });
        }
    });
});
