import { strict as assert } from "assert";
import { ecrTagsImmutable } from "../../policypack/src/policies/immutable-artifacts/ecr-tags-immutable";
import { advisory, mandatory, runResourcePolicy, UNKNOWN, urnOf } from "../harness/policy-harness";

const REPO = "aws:ecr/repository:Repository";
const NATIVE = "aws-native:ecr:Repository";
const TEMPLATE = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate";

describe("ecr-tags-immutable", () => {
    it("passes IMMUTABLE repositories (aws, aws-native, creation templates)", () => {
        for (const type of [REPO, NATIVE, TEMPLATE]) {
            assert.deepEqual(runResourcePolicy(ecrTagsImmutable, { type, name: "images", props: { imageTagMutability: "IMMUTABLE" } }), []);
        }
    });

    it("treats an unset imageTagMutability as MUTABLE", () => {
        const found = runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "images", props: {} });
        assert.equal(found.length, 1);
        assert.equal(found[0].enforcementLevel, "mandatory");
        assert.equal(found[0].urn, urnOf(REPO, "images"));
        assert.match(found[0].message, /aws:ecr:Repository "images": imageTagMutability is unset \(AWS defaults to "MUTABLE"\)/);
        assert.match(found[0].message, /set imageTagMutability: "IMMUTABLE"/);
    });

    it("flags MUTABLE on aws-native repositories", () => {
        const found = mandatory(runResourcePolicy(ecrTagsImmutable, { type: NATIVE, name: "n", props: { imageTagMutability: "MUTABLE" } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /imageTagMutability is "MUTABLE"/);
    });

    it("flags IMMUTABLE_WITH_EXCLUSION unless exclusion filters are allowed", () => {
        const props = {
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: [{ filter: "latest*", filterType: "WILDCARD" }],
        };
        const found = runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "x", props });
        assert.equal(found.length, 1);
        assert.match(found[0].message, /latest\*/);
        assert.deepEqual(runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "x", props }, { config: { allowExclusionFilters: true } }), []);
    });

    it("gives an advisory 'verified at update' note for an unknown value in preview, and fails closed at update", () => {
        const preview = runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "u", props: { imageTagMutability: UNKNOWN } });
        assert.equal(mandatory(preview).length, 0);
        assert.equal(advisory(preview).length, 1);
        assert.match(advisory(preview)[0].message, /imageTagMutability is not known until the update, so it will be verified at update/);
        assert.equal(advisory(preview)[0].urn, urnOf(REPO, "u"));
        const update = runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "u", props: { imageTagMutability: UNKNOWN } }, { preview: false });
        assert.equal(mandatory(update).length, 1);
    });

    it("fails closed on a value of the wrong type", () => {
        const found = mandatory(runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "w", props: { imageTagMutability: 42 } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /cannot verify .*expected a string, found 42/);
    });

    describe("repository policies", () => {
        const POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy";
        const OWN = "111111111111";
        const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });
        const repoPolicy = (policy: unknown, registryId: unknown = OWN) => ({ type: POLICY, name: "images-policy", props: { repository: "images", registryId, policy } });
        const run = (r: ReturnType<typeof repoPolicy>, preview = false) => runResourcePolicy(ecrTagsImmutable, r, { preview });
        const grant = (principal: unknown, action: unknown, extra: Record<string, unknown> = {}) => ({ Sid: "Grant", Effect: "Allow", Principal: principal, Action: action, ...extra });

        it("flags deletion and push granted to any principal", () => {
            const found = run(repoPolicy(doc(grant("*", ["ecr:BatchDeleteImage", "ecr:PutImage", "ecr:BatchGetImage"]))));
            assert.equal(found.length, 1);
            assert.equal(found[0].enforcementLevel, "mandatory");
            assert.equal(found[0].urn, urnOf(POLICY, "images-policy"));
            assert.match(found[0].message, /aws:ecr:RepositoryPolicy "images-policy": policy Statement\[0\] \("Grant"\) allows ecr:BatchDeleteImage, ecr:PutImage to any principal \("\*"\) without a condition that restricts the caller, so they can delete a released image and push different code under the freed tag/);
        });

        it("flags wildcards, NotPrincipal, and another whole account; not the registry's own account or named roles", () => {
            assert.match(run(repoPolicy(doc(grant({ AWS: "arn:aws:iam::222222222222:root" }, "ecr:*"))))[0].message, /allows ecr:BatchDeleteImage, .*ecr:SetRepositoryPolicy.* to every principal of account 222222222222/);
            assert.match(run(repoPolicy(doc({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::222222222222:role/x" }, Action: "ecr:Put*" })))[0].message, /allows ecr:PutImage, ecr:PutImageTagMutability, ecr:PutLifecyclePolicy to everyone except its NotPrincipal/);
            assert.deepEqual(run(repoPolicy(doc(grant({ AWS: `arn:aws:iam::${OWN}:root` }, "ecr:*")))), []);
            assert.deepEqual(run(repoPolicy(doc(grant({ AWS: "arn:aws:iam::222222222222:role/publisher" }, ["ecr:PutImage", "ecr:BatchDeleteImage"])))), []);
        });

        it("passes pull-only grants to anyone, conditions that restrict the caller, and a Deny that refuses the action to all but named callers", () => {
            assert.deepEqual(run(repoPolicy(doc(grant("*", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])))), []);
            assert.deepEqual(run(repoPolicy(doc(grant("*", "ecr:PutImage", { Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } })))), []);
            assert.equal(run(repoPolicy(doc(grant("*", "ecr:PutImage", { Condition: { Bool: { "aws:SecureTransport": "true" } } })))).length, 1, "a condition on the transport does not restrict who calls");
            const publishers = ["arn:aws:iam::111111111111:role/publisher"];
            const denied = doc(grant("*", "ecr:PutImage"), { Effect: "Deny", Principal: "*", Action: "ecr:PutImage", Condition: { ArnNotLike: { "aws:PrincipalArn": publishers } } });
            assert.deepEqual(run(repoPolicy(denied)), []);
        });

        it("verifies a policy or registry account unknown in preview at update; fails closed on an unreadable policy", () => {
            const preview = run(repoPolicy(UNKNOWN), true);
            assert.equal(mandatory(preview).length, 0);
            assert.match(advisory(preview)[0].message, /policy is not known until the update/);
            const account = run(repoPolicy(doc(grant({ AWS: "222222222222" }, "ecr:BatchDeleteImage")), UNKNOWN), true);
            assert.equal(advisory(account).length, 1);
            assert.match(advisory(account)[0].message, /registryId is not known until the update.*whether account 222222222222/);
            const broken = run(repoPolicy("{not json"));
            assert.equal(mandatory(broken).length, 1);
            assert.match(broken[0].message, /cannot verify .*policy is not valid JSON/);
        });

        it("checks the embedded policy of aws-native repositories and creation templates beside their tag mutability", () => {
            const native = runResourcePolicy(ecrTagsImmutable, { type: NATIVE, name: "n", props: { imageTagMutability: "IMMUTABLE", arn: `arn:aws:ecr:eu-west-1:${OWN}:repository/n`, repositoryPolicyText: { Statement: [grant("*", "ecr:BatchDeleteImage")] } } });
            assert.equal(native.length, 1);
            assert.match(native[0].message, /repositoryPolicyText Statement\[0\]/);
            const template = runResourcePolicy(ecrTagsImmutable, { type: TEMPLATE, name: "t", props: { imageTagMutability: "IMMUTABLE", registryId: OWN, repositoryPolicy: doc(grant({ AWS: `arn:aws:iam::${OWN}:root` }, "ecr:*")) } });
            assert.deepEqual(template, []);
        });
    });

    it("ignores other resource types", () => {
        assert.deepEqual(runResourcePolicy(ecrTagsImmutable, { type: "aws:s3/bucket:Bucket", name: "b", props: {} }), []);
    });
});
