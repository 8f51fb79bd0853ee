import { strict as assert } from "assert";
import { StackModel } from "../../../policypack/src/sdk/stack-model";
import { DutyAnalysis, formatPath } from "../../../policypack/src/engine/duties/analysis";
import { resolveDuties } from "../../../policypack/src/engine/duties/duties";
import { stackRecords, TestResource, urnOf } from "../../harness/policy-harness";
import { allow, APPROVE, DEPLOY, role, roleArn, trustArn, defaultDutyConfig as defaults } from "./builders";

function stack(resources: TestResource[]): StackModel {
    return StackModel.fromRecords(stackRecords(resources));
}

const id = (name: string) => urnOf("aws:iam/role:Role", name);

describe("duty analysis", () => {
    it("computes reachable duties through cycles (strongly connected roles share what they reach)", () => {
        const m = stack([
            role("a", { trust: [trustArn(roleArn("b"))] }),
            role("b", { trust: [trustArn(roleArn("a"))] }),
            role("c", { policies: [[APPROVE]], trust: [trustArn(roleArn("b"))] }),
            role("d", { policies: [[DEPLOY]], trust: [trustArn(roleArn("c"))] }),
        ]);
        const analysis = new DutyAnalysis(m, defaults());
        const deploy = analysis.duties.byName.get("deploy")!.bit;
        const approve = analysis.duties.byName.get("approve")!.bit;
        for (const r of ["a", "b"]) {
            assert.equal(analysis.mask(id(r)), 0);
            assert.equal(analysis.reachMask(id(r)), (1 << deploy) | (1 << approve), r);
        }
        assert.equal(analysis.reachMask(id("d")), 1 << deploy, "d reaches nothing");
    });

    it("finds the shortest path (fewest edges) to each duty", () => {
        const m = stack([
            role("start", { policies: [[allow("iam:UpdateAssumeRolePolicy", roleArn("far"))]] }),
            role("hop1", { trust: [trustArn(roleArn("start"))] }),
            role("hop2", { trust: [trustArn(roleArn("hop1"))] }),
            role("far", { policies: [[APPROVE]], trust: [trustArn(roleArn("hop2"))] }),
        ]);
        const analysis = new DutyAnalysis(m, defaults());
        const approve = analysis.duties.byName.get("approve")!;
        const reached = analysis.shortestPaths(id("start"), [approve]).get(approve.bit)!;
        assert.equal(reached.path.length, 1);
        assert.equal(
            formatPath(analysis.graph.nodes.get(id("start"))!, reached),
            'start -[iam:UpdateAssumeRolePolicy]-> far (its trust policy can be rewritten) -> approve: codepipeline:PutApprovalResult via inline policy "far-0" of role "far"',
        );
    });

    it("resolves config: replaced duties, action wildcards, unknown names as warnings", () => {
        const m = stack([]);
        const resolved = resolveDuties(m, {
            ...defaults(),
            duties: { ship: { description: "ship", aws: [{ actions: ["ecs:Update*"] }] } },
            replaceDefaultDuties: true,
            conflicts: [["ship", "nope"]],
            replaceDefaultConflicts: true,
        });
        assert.deepEqual(resolved.duties.map((d) => d.name), ["ship"]);
        assert.ok(resolved.byName.get("ship")!.aws.some((c) => c.action === "ecs:updateservice"));
        assert.deepEqual(resolved.conflicts, []);
        assert.match(resolved.warnings[0], /conflict \["ship","nope"\] names an undefined duty/);
    });
});
