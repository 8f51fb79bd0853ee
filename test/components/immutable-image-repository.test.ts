import { strict as assert } from "assert";
import { ECR_ADMIN_ACTIONS, ECR_PULL_ACTIONS, ECR_PUSH_ACTIONS, ImmutableImageRepository } from "../../components";
import { installMocks, json, record, settle, urnOf, valueOf } from "./mocks";

const REPO = "aws:ecr/repository:Repository";
const POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy";
const KEY = "aws:kms/key:Key";
const PUBLISHER = "arn:aws:iam::123456789012:role/ci-publisher";
const PULLER = "arn:aws:iam::210987654321:root";

describe("components: ImmutableImageRepository", () => {
    before(() => installMocks());

    it("builds an IMMUTABLE, scanned, KMS-encrypted repository that only the publisher can push to", async () => {
        const { component, recorder } = await record(
            () => new ImmutableImageRepository("app", { publisherPrincipalArns: [PUBLISHER], pullerPrincipalArns: [PULLER] }),
        );
        const parent = await urnOf(component);
        assert.deepEqual(recorder.summary(), [
            `${REPO}::app`,
            `${POLICY}::app-policy`,
            `${KEY}::app-key`,
            "sealed-infra:aws:ImmutableImageRepository::app",
        ]);
        const repo = recorder.one(REPO);
        assert.equal(repo.parent, parent);
        assert.equal(repo.protect, true);
        assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
        assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
        assert.deepEqual(repo.inputs.encryptionConfigurations, [{ encryptionType: "KMS", kmsKey: await valueOf(component.kmsKeyArn) }]);
        assert.equal(repo.inputs.forceDelete, false);
        assert.deepEqual(repo.inputs.tags, { "sealed-infra:store": "artifacts" });
        const key = recorder.one(KEY);
        assert.equal(key.protect, true);
        assert.equal(key.inputs.enableKeyRotation, true);

        const policy = recorder.one(POLICY);
        assert.equal(policy.parent, parent);
        assert.equal(policy.inputs.repository, "app-repo");
        const doc = json(policy.inputs.policy);
        const bySid = Object.fromEntries(doc.Statement.map((s: any) => [s.Sid, s]));
        assert.deepEqual(Object.keys(bySid), ["AllowPublisherPush", "DenyPushExceptPublisher", "AllowPull", "DenyImageDeletion", "DenyAdministrationExceptAdmins"]);
        assert.deepEqual(bySid.AllowPublisherPush.Principal, { AWS: [PUBLISHER] });
        assert.deepEqual(bySid.DenyPushExceptPublisher, {
            Sid: "DenyPushExceptPublisher",
            Effect: "Deny",
            Principal: "*",
            Action: [...ECR_PUSH_ACTIONS],
            Condition: { ArnNotLike: { "aws:PrincipalArn": [PUBLISHER] } },
        });
        assert.deepEqual(bySid.AllowPull.Principal, { AWS: [PULLER] });
        assert.deepEqual(bySid.AllowPull.Action, [...ECR_PULL_ACTIONS]);
        assert.deepEqual(bySid.DenyImageDeletion, { Sid: "DenyImageDeletion", Effect: "Deny", Principal: "*", Action: ["ecr:BatchDeleteImage"] });
        // Only the account root user may make tags mutable, replace or remove the policy, set a lifecycle
        // policy or delete the repository, whatever IAM allows anyone else.
        assert.deepEqual(bySid.DenyAdministrationExceptAdmins, {
            Sid: "DenyAdministrationExceptAdmins",
            Effect: "Deny",
            Principal: "*",
            Action: [
                "ecr:PutImageTagMutability",
                "ecr:SetRepositoryPolicy",
                "ecr:DeleteRepositoryPolicy",
                "ecr:PutLifecyclePolicy",
                "ecr:DeleteRepository",
            ],
            Condition: { ArnNotLike: { "aws:PrincipalArn": ["arn:aws:iam::123456789012:root"] } },
        });

        assert.equal(await valueOf(component.repositoryUrl), "123456789012.dkr.ecr.us-east-1.amazonaws.com/app-repo");
    });

    it("omits the pull and deletion statements when asked, and uses a given key", async () => {
        const keyArn = "arn:aws:kms:us-east-1:123456789012:key/given";
        const { recorder } = await record(
            () => new ImmutableImageRepository("lib", { publisherPrincipalArns: [PUBLISHER], allowImageDeletion: true, kmsKeyArn: keyArn }),
        );
        assert.equal(recorder.ofType(KEY).length, 0);
        assert.equal(recorder.one(REPO).inputs.encryptionConfigurations[0].kmsKey, keyArn);
        const doc = json(recorder.one(POLICY).inputs.policy);
        assert.deepEqual(
            doc.Statement.map((s: any) => s.Sid),
            ["AllowPublisherPush", "DenyPushExceptPublisher", "DenyAdministrationExceptAdmins"],
        );
        // Deleting images is allowed here, so lifecycle policies and repository deletion are not reserved.
        assert.deepEqual(doc.Statement[2].Action, [...ECR_ADMIN_ACTIONS]);
    });

    it("lets named policy administrators (and the account root) change the policy and the tag mutability", async () => {
        const platform = "arn:aws:iam::123456789012:role/platform";
        const { recorder } = await record(
            () => new ImmutableImageRepository("admin", { publisherPrincipalArns: [PUBLISHER], policyAdminPrincipalArns: [platform] }),
        );
        const deny = json(recorder.one(POLICY).inputs.policy).Statement.find((s: any) => s.Sid === "DenyAdministrationExceptAdmins");
        assert.deepEqual(deny.Condition, { ArnNotLike: { "aws:PrincipalArn": ["arn:aws:iam::123456789012:root", platform] } });
    });

    describe("rejects unsafe or invalid arguments at construction", () => {
        const cases: [string, () => unknown, RegExp][] = [
            ["no publisher", () => new ImmutableImageRepository("a", {} as any), /ImmutableImageRepository "a": publisherPrincipalArns is required/],
            ["an empty publisher list", () => new ImmutableImageRepository("b", { publisherPrincipalArns: [] }), /publisherPrincipalArns must name at least one principal/],
            [
                "a wildcard publisher",
                () => new ImmutableImageRepository("c", { publisherPrincipalArns: ["*"] }),
                /publisherPrincipalArns must list principal ARNs without wildcards, found "\*"/,
            ],
            [
                "a wildcard role pattern for pullers",
                () => new ImmutableImageRepository("d", { publisherPrincipalArns: [PUBLISHER], pullerPrincipalArns: ["arn:aws:iam::123456789012:role/*"] }),
                /pullerPrincipalArns must list principal ARNs without wildcards/,
            ],
            [
                "an account root as publisher (the push deny would lock out every role)",
                () => new ImmutableImageRepository("f", { publisherPrincipalArns: ["arn:aws:iam::123456789012:root"] }),
                /ImmutableImageRepository "f": publisherPrincipalArns entry "arn:aws:iam::123456789012:root" is an account root, which the push deny \(aws:PrincipalArn\) would match only as the root user, locking every role of the account out of pushing; name roles or users/,
            ],
            [
                "a publisher that also administers the policy",
                () => new ImmutableImageRepository("g", { publisherPrincipalArns: [PUBLISHER], policyAdminPrincipalArns: [PUBLISHER] }),
                /"arn:aws:iam::123456789012:role\/ci-publisher" is both a publisher and a policy administrator/,
            ],
            [
                "a wildcard policy administrator",
                () => new ImmutableImageRepository("h", { publisherPrincipalArns: [PUBLISHER], policyAdminPrincipalArns: ["arn:aws:iam::123456789012:role/*"] }),
                /policyAdminPrincipalArns must list principal ARNs without wildcards/,
            ],
            [
                "something that is not a principal ARN",
                () => new ImmutableImageRepository("e", { publisherPrincipalArns: ["ci-publisher"] }),
                /publisherPrincipalArns entry "ci-publisher" is not an IAM role, user or account-root ARN/,
            ],
        ];
        for (const [what, build, message] of cases) {
            it(what, async () => {
                assert.throws(build, message);
                await settle();
            });
        }
    });
});
