/**
 * Waivers end to end: admin config sent through the engine's config validation and Configure to the
 * launched pack, findings coming back as advisories that name the waiver, and the reports
 * (JSON `waiver`, SARIF suppressions) showing them apart.
 */
import { strict as assert } from "assert";
import { runPolicyPack } from "../../cli/analyzer/client";
import type { PackReport } from "../../cli/model";
import { toJsonReport } from "../../cli/report/json";
import { toSarif } from "../../cli/report/sarif";
import { awsProvider, ecrRepository, PACK_DIR, rejectsWithCheckError, rootStack, snapshot, urn } from "./helpers";

const ECR = "aws:ecr/repository:Repository";

function isoDay(offsetDays: number): string {
    return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

const waiver = (extra: Record<string, unknown>) => ({
    policy: "ecr-tags-immutable",
    reason: "Vendor mirror, retired with the platform migration",
    approvedBy: "security@acme.example",
    ticket: "SEC-7",
    expires: isoDay(30),
    ...extra,
});

async function run(entries: unknown[]): Promise<PackReport> {
    return runPolicyPack({
        packDir: PACK_DIR,
        snapshot: snapshot([rootStack(), awsProvider(), ecrRepository("vendor-mirror", "MUTABLE"), ecrRepository("images", "MUTABLE")]),
        config: { waivers: { entries } },
    });
}

describe("protocol: waivers", function () {
    this.timeout(120_000);

    it("turn exactly the selected finding into an advisory naming the waiver; stale and expired entries are reported", async () => {
        const report = await run([
            waiver({ name: "vendor-mirror" }),
            waiver({ name: "long-gone" }),
            waiver({ name: "images", expires: isoDay(-2) }),
        ]);
        const ecr = report.diagnostics.filter((d) => d.policyName === "ecr-tags-immutable");
        assert.deepEqual(
            ecr.map((d) => [d.enforcementLevel, d.urn]).sort(),
            [["advisory", urn(ECR, "vendor-mirror")], ["mandatory", urn(ECR, "images")]].sort(),
        );
        const waived = ecr.find((d) => d.enforcementLevel === "advisory")!;
        assert.match(waived.message, new RegExp(`Waived until ${isoDay(30)} by security@acme.example \\(SEC-7\\): Vendor mirror`));
        assert.match(ecr.find((d) => d.enforcementLevel === "mandatory")!.message, new RegExp(`waiver for this finding expired on ${isoDay(-2)}`));

        const review = report.diagnostics.filter((d) => d.policyName === "waivers");
        assert.deepEqual(review.map((d) => d.enforcementLevel), ["advisory", "advisory"]);
        assert.match(review.map((d) => d.message).join("\n"), /name "long-gone"\) matched no finding in this stack/);
        assert.match(review.map((d) => d.message).join("\n"), /name "images"\) expired on/);

        const json = toJsonReport(report).violations.filter((v) => v.policyName === "ecr-tags-immutable");
        assert.deepEqual(json.find((v) => v.resourceName === "vendor-mirror")!.waiver, {
            expires: isoDay(30),
            approvedBy: "security@acme.example",
            ticket: "SEC-7",
            reason: "Vendor mirror, retired with the platform migration",
        });
        assert.equal(json.find((v) => v.resourceName === "images")!.waiver, undefined);

        const results = toSarif(report, {}).runs[0].results.filter((r) => r.ruleId === "ecr-tags-immutable");
        const suppressed = results.filter((r) => "suppressions" in r);
        assert.equal(suppressed.length, 1);
        assert.equal((suppressed[0] as { suppressions: Array<{ kind: string; status: string }> }).suppressions[0].status, "accepted");
    });

    it("reject an entry without reason or expiry through config validation, naming the policy and field", async () => {
        const { reason: _r, expires: _e, ...incomplete } = waiver({ name: "vendor-mirror" });
        await rejectsWithCheckError(run([incomplete]), /invalid config for policy "waivers"/, /entries\[0\]\.expires is required/, /entries\[0\]\.reason is required/);
    });

    it("fail the preview on an entry that runs longer than maxDays, and do not apply it", async () => {
        const report = await run([waiver({ name: "vendor-mirror", expires: isoDay(200) })]);
        const review = report.diagnostics.filter((d) => d.policyName === "waivers");
        assert.equal(review.length, 1);
        assert.equal(review[0].enforcementLevel, "mandatory");
        assert.match(review[0].message, /beyond the 90-day maximum/);
        assert.equal(report.diagnostics.filter((d) => d.policyName === "ecr-tags-immutable" && d.enforcementLevel === "mandatory").length, 2);
    });
});
