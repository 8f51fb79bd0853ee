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

    it("ignores other resource types", () => {
        assert.deepEqual(runResourcePolicy(ecrTagsImmutable, { type: "aws:s3/bucket:Bucket", name: "b", props: {} }), []);
    });
});
