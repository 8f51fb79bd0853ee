import { strict as assert } from "assert";
import { ECR_PULL_ACTIONS, ECR_PUSH_ACTIONS, ImmutableImageRepository } from "../../components";
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
        assert.deepEqual(Object.keys(bySid), ["AllowPublisherPush", "DenyPushExceptPublisher", "AllowPull", "DenyImageDeletion"]);
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

        assert.equal(await valueOf(component.repositoryUrl), "123456789012.dkr.ecr.us-east-1.amazonaws.com/app-repo");
    });

    it("omits the pull and deletion statements when asked, and uses a given key", async () => {
        const keyArn = "arn:aws:kms:us-east-1:123456789012:key/given";
        const { recorder } = await record(
            () => new ImmutableImageRepository("lib", { publisherPrincipalArns: [PUBLISHER], allowImageDeletion: true, kmsKeyArn: keyArn }),
        );
        assert.equal(recorder.ofType(KEY).length, 0);
        assert.equal(recorder.one(REPO).inputs.encryptionConfigurations[0].kmsKey, keyArn);
        const sids = json(recorder.one(POLICY).inputs.policy).Statement.map((s: any) => s.Sid);
        assert.deepEqual(sids, ["AllowPublisherPush", "DenyPushExceptPublisher"]);
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
