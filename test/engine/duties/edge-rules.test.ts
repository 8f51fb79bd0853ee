/**
 * The AWS edge rules of engine/duties/graph.ts, one case per table entry: the actor holding only
 * the primitive reaches a target holding the approve duty (the path names the primitive), and an
 * explicit Deny on that target removes the edge. The cases are generated from TARGET_PRIMITIVES
 * and SERVICE_PRIMITIVES, so a new entry is tested as soon as it is added.
 */
import { strict as assert } from "assert";
import { StackModel } from "../../../policypack/src/sdk/stack-model";
import { DutyAnalysis, formatPath } from "../../../policypack/src/engine/duties/analysis";
import { SERVICE_PRIMITIVES, TARGET_PRIMITIVES } from "../../../policypack/src/engine/duties/graph";
import { stackRecords, TestResource, urnOf } from "../../harness/policy-harness";
import { allow, APPROVE, deny, role, roleArn, trustService, user, userArn, userPolicy, defaultDutyConfig as defaults } from "./builders";

function stack(resources: TestResource[]): StackModel {
    return StackModel.fromRecords(stackRecords(resources));
}


/** The path from role "actor" to the approve duty, or undefined. */
function approvePath(resources: TestResource[], shareTargets: boolean): string | undefined {
    const analysis = new DutyAnalysis(stack(resources), defaults(), { shareTargets });
    const approve = analysis.duties.byName.get("approve")!;
    const actor = urnOf("aws:iam/role:Role", "actor");
    const reached = analysis.shortestPaths(actor, [approve]).get(approve.bit);
    return reached && formatPath(analysis.graph.nodes.get(actor)!, reached);
}

/** Target of the approve duty for a primitive acting on `kind`, with its ARN. */
function approver(kind: "roles" | "users", extra: TestResource[] = []): { resources: TestResource[]; arn: string } {
    if (kind === "roles") {
        return { resources: [role("approver", { policies: [[APPROVE]] }), ...extra], arn: roleArn("approver") };
    }
    return { resources: [user("approver"), userPolicy("approver", [APPROVE]), ...extra], arn: userArn("approver") };
}

describe("AWS edge rules (engine/duties/graph.ts)", () => {
    for (const shareTargets of [true, false]) {
        describe(shareTargets ? "shared target sets" : "per-target edges", () => {
            for (const prim of TARGET_PRIMITIVES) {
                it(`${prim.action} on ${prim.targets}: found, and removed by a Deny on the target`, () => {
                    const { resources, arn } = approver(prim.targets);
                    const found = approvePath([role("actor", { policies: [[allow(prim.action)]] }), ...resources], shareTargets);
                    assert.ok(found, `${prim.action}: no path`);
                    assert.match(found, new RegExp(`^actor -\\[${prim.action.replace(/[:]/g, "\\$&")}\\]-> approver \\(${prim.note}\\)`));
                    const denied = approvePath([role("actor", { policies: [[allow(prim.action), deny(prim.action, arn)]] }), ...resources], shareTargets);
                    assert.equal(denied, undefined, `${prim.action}: a Deny on the target must remove the edge`);
                });
            }

            for (const prim of SERVICE_PRIMITIVES) {
                const actions = prim.actions.map((group) => group[0]);
                it(`iam:PassRole + ${actions.join(" + ")} (${prim.service}): found, and removed by a Deny of PassRole`, () => {
                    const target = role("approver", { policies: [[APPROVE]], trust: [trustService(prim.service)] });
                    const grants = [allow("iam:PassRole"), ...actions.map((a) => allow(a))];
                    const found = approvePath([role("actor", { policies: [grants] }), target], shareTargets);
                    assert.ok(found, `${prim.service}: no path`);
                    assert.ok(found.startsWith(`actor -[iam:PassRole + ${actions.join(" + ")}]-> approver`), found);
                    const denied = approvePath([role("actor", { policies: [[...grants, deny("iam:PassRole", roleArn("approver"))]] }), target], shareTargets);
                    assert.equal(denied, undefined);
                });
            }
        });
    }
});
