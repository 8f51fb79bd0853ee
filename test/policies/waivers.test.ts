import { strict as assert } from "assert";
import { catalogue } from "../../policypack/src/catalogue";
import { couldApplyToStack, globCouldMatchPrefix, parseWaivers } from "../../policypack/src/framework/waivers";
import { waiversPolicy } from "../../policypack/src/policies/exceptions/waivers";
import { ecrTagsImmutable } from "../../policypack/src/policies/immutable-artifacts/ecr-tags-immutable";
import { imagesPinnedByDigest } from "../../policypack/src/policies/immutable-artifacts/images-pinned-by-digest";
import { s3VersioningEnabled } from "../../policypack/src/policies/immutable-artifacts/s3-versioning-enabled";
import { advisory, mandatory, runResourcePolicy, runStackPolicy, urnOf, withWaivers } from "../harness/policy-harness";

const REPO = "aws:ecr/repository:Repository";
const NAMES = catalogue.map((p) => p.name);
const NOW = Date.UTC(2026, 10, 27, 12);
const base = { reason: "Legacy repository, replaced in Q1 (SEC-42)", approvedBy: "security@acme.example", ticket: "SEC-42", expires: "2026-12-31" };

describe("waivers", () => {
    it("downgrade exactly the selected finding, naming reason, approver, ticket and expiry", () => {
        const [waived, other] = withWaivers({ entries: [{ policy: "ecr-tags-immutable", name: "legacy", ...base }] }, NAMES, () => [
            runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "legacy", props: {} }),
            runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "fresh", props: {} }),
        ]);
        assert.equal(mandatory(waived).length, 0);
        assert.equal(advisory(waived).length, 1);
        assert.equal(advisory(waived)[0].urn, urnOf(REPO, "legacy"));
        assert.match(advisory(waived)[0].message, /aws:ecr:Repository "legacy": imageTagMutability is unset/);
        assert.match(advisory(waived)[0].message, /\nWaived until 2026-12-31 by security@acme.example \(SEC-42\): Legacy repository, replaced in Q1 \(SEC-42\)$/);
        assert.equal(mandatory(other).length, 1, "a waiver never covers another resource");
    });

    it("never cover a different policy than they name", () => {
        const found = withWaivers({ entries: [{ policy: "ecr-tags-immutable", name: "api", ...base }] }, NAMES, () =>
            runResourcePolicy(imagesPinnedByDigest, { type: "kubernetes:core/v1:Pod", name: "api", props: { spec: { containers: [{ name: "a", image: "nginx:1" }] } } }),
        );
        assert.equal(mandatory(found).length, 1);
    });

    it("select by URN glob, type, tag and finding text, all of which must match", () => {
        const cases: Array<[Record<string, unknown>, boolean]> = [
            [{ urn: "urn:pulumi:dev::test-project::aws:ecr/repository:Repository::leg*" }, true],
            [{ urn: "urn:pulumi:prod::*" }, false],
            [{ type: "aws:ecr/*" }, true],
            [{ type: "aws:ecr:Repository" }, true], // as the CLI displays the type
            [{ type: "aws:s3:Bucket" }, false],
            [{ type: "aws:ecr/*", name: "other" }, false],
            [{ tag: { key: "team", value: "legacy" } }, true],
            [{ tag: { key: "team", value: "core" } }, false],
            [{ name: "legacy", findingContains: "imageTagMutability is unset" }, true],
            [{ name: "legacy", findingContains: "IMMUTABLE_WITH_EXCLUSION" }, false],
        ];
        for (const [selector, waived] of cases) {
            const found = withWaivers({ entries: [{ policy: "ecr-tags-immutable", ...selector, ...base }] }, NAMES, () =>
                runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "legacy", props: { tags: { team: "legacy" } } }),
            );
            assert.equal(advisory(found).length, waived ? 1 : 0, JSON.stringify(selector));
            assert.equal(mandatory(found).length, waived ? 0 : 1, JSON.stringify(selector));
        }
    });

    it("stop applying after the expiry day, and the finding says when the waiver expired", () => {
        const entries = [{ policy: "ecr-tags-immutable", name: "legacy", ...base, expires: "2026-11-26" }];
        const found = withWaivers({ entries }, NAMES, () => runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "legacy", props: {} }));
        assert.equal(mandatory(found).length, 1);
        assert.match(mandatory(found)[0].message, /The waiver for this finding expired on 2026-11-26 \(approved by security@acme.example, SEC-42\)/);
        const lastDay = withWaivers({ entries: [{ ...entries[0], expires: "2026-11-27" }] }, NAMES, () => runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "legacy", props: {} }));
        assert.equal(mandatory(lastDay).length, 0, "a waiver holds through its expiry day");
    });

    it("apply to stack-level findings, reported on the resource's URN", () => {
        const resources = [{ type: "aws:s3/bucket:Bucket", name: "old-logs", props: { bucket: "old-logs-1", id: "old-logs-1" } }];
        const found = withWaivers({ entries: [{ policy: "s3-versioning-enabled", name: "old-logs", ...base }] }, NAMES, () => runStackPolicy(s3VersioningEnabled, resources));
        assert.equal(mandatory(found).length, 0);
        assert.equal(advisory(found).length, 1);
        assert.match(advisory(found)[0].message, /Waived until 2026-12-31/);
    });

    it("report a stack policy's unused waiver as advisory, under the waivers policy", () => {
        const found = withWaivers({ entries: [{ policy: "s3-versioning-enabled", name: "gone", ...base }] }, NAMES, () =>
            runStackPolicy(s3VersioningEnabled, [{ type: "aws:s3/bucket:Bucket", name: "ok", props: { versioning: { enabled: true } } }]),
        );
        assert.deepEqual(found.map((f) => [f.enforcementLevel, f.policyName]), [["advisory", "waivers"]], "waiver hygiene is filed under the waivers policy");
        assert.match(found[0].message, /waivers entry 0 \(policy "s3-versioning-enabled", name "gone"\) matched no finding in this stack; remove it/);
    });

    describe("the waivers policy", () => {
        const policy = waiversPolicy(() => catalogue);
        const runReview = (entries: unknown[], before?: () => void) =>
            withWaivers({ entries }, NAMES, () => {
                before?.();
                // The policy binds its own config to the registry, as it does in the pack.
                return runStackPolicy(policy, [{ type: "pulumi:pulumi:Stack", name: "test-project-dev" }], { config: { entries } });
            });

        it("reports resource-policy waivers that matched nothing as stale (advisory)", () => {
            const found = runReview([{ policy: "ecr-tags-immutable", name: "nothing-here", ...base }]);
            assert.deepEqual(found.map((f) => f.enforcementLevel), ["advisory"]);
            assert.match(found[0].message, /waivers entry 0 \(policy "ecr-tags-immutable", name "nothing-here"\) matched no finding in this stack/);
        });

        it("does not report a waiver that was used", () => {
            const found = runReview([{ policy: "ecr-tags-immutable", name: "legacy", ...base }], () =>
                runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "legacy", props: {} }),
            );
            assert.deepEqual(found, []);
        });

        it("rejects entries beyond maxDays, for unknown policies, or without a selector, and never applies them", () => {
            const entries = [
                { policy: "ecr-tags-immutable", name: "legacy", ...base, expires: "2027-06-30" },
                { policy: "ecr-tag-immutable", name: "legacy", ...base },
                { policy: "ecr-tags-immutable", ...base },
            ];
            const found = runReview(entries);
            assert.equal(mandatory(found).length, 3);
            assert.match(found[0].message, /expires 2027-06-30, 216 days from now, beyond the 90-day maximum \(maxDays\)/);
            assert.match(found[1].message, /names policy "ecr-tag-immutable", which is not in this pack \(did you mean "ecr-tags-immutable"\?\)/);
            assert.match(found[2].message, /selects no resource/);
            const notApplied = withWaivers({ entries: [entries[0]] }, NAMES, () => runResourcePolicy(ecrTagsImmutable, { type: REPO, name: "legacy", props: {} }));
            assert.equal(mandatory(notApplied).length, 1);
        });

        it("reports expired entries so they get removed", () => {
            const found = runReview([{ policy: "ecr-tags-immutable", name: "legacy", ...base, expires: "2026-10-01" }]);
            assert.deepEqual(found.map((f) => f.enforcementLevel), ["advisory"]);
            assert.match(found[0].message, /expired on 2026-10-01; its findings are mandatory again/);
        });

        describe("one config for the whole organization (this stack is dev of test-project)", () => {
            const elsewhere = [
                { policy: "ecr-tags-immutable", urn: "urn:pulumi:prod::test-project::aws:ecr/repository:Repository::legacy", ...base },
                { policy: "ecr-tags-immutable", urn: "urn:pulumi:dev::billing::*", ...base },
                { policy: "ecr-tags-immutable", urn: "urn:pulumi:dev::billing::aws:ecr/repository:Repository::old", ...base, expires: "2026-10-01" },
                { policy: "s3-versioning-enabled", urn: "urn:pulumi:staging::*", ...base },
            ];

            it("does not report entries whose URN names another project or stack, unused or expired", () => {
                assert.deepEqual(runReview(elsewhere), []);
                const stackPolicyRun = withWaivers({ entries: elsewhere }, NAMES, () =>
                    runStackPolicy(s3VersioningEnabled, [{ type: "aws:s3/bucket:Bucket", name: "ok", props: { versioning: { enabled: true } } }]),
                );
                assert.deepEqual(stackPolicyRun, [], "a stack policy leaves another stack's waiver alone too");
            });

            it("still reports entries that could select a finding here: this stack's URNs, globs that reach it, and type, name or tag selectors", () => {
                const here = [
                    { policy: "ecr-tags-immutable", urn: "urn:pulumi:dev::test-project::aws:ecr/repository:Repository::gone", ...base },
                    { policy: "ecr-tags-immutable", urn: "urn:pulumi:*::test-project::*", ...base },
                    { policy: "ecr-tags-immutable", urn: "urn:pulumi:d*", ...base },
                    { policy: "ecr-tags-immutable", urn: "*::images", ...base },
                    { policy: "ecr-tags-immutable", name: "gone", ...base },
                    { policy: "ecr-tags-immutable", urn: "urn:pulumi:dev::test-project::aws:ecr/repository:Repository::old", ...base, expires: "2026-10-01" },
                ];
                const found = runReview([...elsewhere, ...here]);
                assert.deepEqual(
                    found.map((f) => /waivers entry (\d+)/.exec(f.message)?.[1]),
                    ["4", "5", "6", "7", "8", "9"],
                    found.map((f) => f.message).join("\n"),
                );
                assert.match(found[5].message, /expired on 2026-10-01/);
            });

            it("still applies and reports invalid entries wherever they are (a config error blocks every stack that uses the config)", () => {
                const found = runReview([{ ...elsewhere[0], expires: "2027-06-30" }]);
                assert.equal(mandatory(found).length, 1);
            });

            it("decides by the URN glob alone, and keeps every entry when the stack cannot be told", () => {
                assert.equal(globCouldMatchPrefix("urn:pulumi:prod::shop::x::y", "urn:pulumi:prod::shop::"), true);
                assert.equal(globCouldMatchPrefix("urn:pulumi:prod::shop::x::y", "urn:pulumi:prod::shopping::"), false);
                assert.equal(globCouldMatchPrefix("urn:pulumi:prod::shop", "urn:pulumi:prod::shop::"), false, "a URN without type and name is no resource");
                assert.equal(globCouldMatchPrefix("urn:pulumi:pr*", "urn:pulumi:prod::shop::"), true);
                assert.equal(globCouldMatchPrefix("urn:pulumi:dev*", "urn:pulumi:prod::shop::"), false);
                assert.equal(globCouldMatchPrefix("*", "urn:pulumi:prod::shop::"), true);
                assert.equal(couldApplyToStack({ ...base, policy: "p", urn: "urn:pulumi:prod::other::*" }, undefined), true);
                assert.equal(couldApplyToStack({ ...base, policy: "p", type: "aws:*" }, { project: "shop", stack: "prod" }), true);
                assert.equal(couldApplyToStack({ ...base, policy: "p", urn: "urn:pulumi:prod::other::*" }, { project: "shop", stack: "prod" }), false);
            });
        });

        it("treats an entry without reason or with an impossible date as invalid even past schema validation", () => {
            const parsed = parseWaivers({ entries: [{ policy: "ecr-tags-immutable", name: "x", approvedBy: "a", expires: "2026-02-30" } as never], maxDays: 90 }, NAMES, NOW);
            assert.match(parsed[0].invalid ?? "", /has no reason; has expires "2026-02-30", which is not a date/);
        });
    });
});
