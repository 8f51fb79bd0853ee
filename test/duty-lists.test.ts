/**
 * The duty action lists exist twice: the components' (components/aws/duties.ts, used in explicit
 * denies and the application boundary) and the pack's default duty model. Neither may import the
 * other (the pack is self-contained; components never depend on the pack at runtime), so this test
 * is what keeps them one: the same actions per duty, and every action the rendered DutyRoles grant
 * or deny is classified by the pack the way the component means it.
 */
import { strict as assert } from "assert";
import {
    APPROVE_ACTIONS,
    AUDIT_ADMIN_ACTIONS,
    DEFAULT_APPLICATION_ACTIONS,
    DEFAULT_APPROVER_ACTIONS,
    DEFAULT_AUDITOR_ACTIONS,
    DEFAULT_DEPLOYER_ACTIONS,
    DEPLOY_ACTIONS,
    DutyRoles,
    IAM_USER_ESCALATION_ACTIONS,
    IAM_WRITE_ACTIONS,
    KEY_ADMIN_ACTIONS,
} from "../components";
import { DutyConfig, dutyConfigOptions, resolveDuties } from "../policypack/src/engine/duties/duties";
import { expandActionPattern } from "../policypack/src/engine/iam/catalogue";
import { hasWildcard } from "../policypack/src/engine/iam/glob";
import { StackModel } from "../policypack/src/sdk/stack-model";
import { installMocks, json, record } from "./components/mocks";

/** Defaults, with every designation token resolving to one resource so scoped duty actions count. */
function packDuties() {
    const config = Object.fromEntries(Object.entries(dutyConfigOptions).map(([k, o]) => [k, o.default])) as unknown as DutyConfig;
    config.designatedResourceArns = {
        store: ["arn:aws:s3:::records", "arn:aws:s3:::records/*"],
        "release-approval-key": ["arn:aws:kms:eu-west-1:123456789012:key/approval"],
        "log-key": ["arn:aws:kms:eu-west-1:123456789012:key/logs"],
        "audit-log-group": ["arn:aws:logs:eu-west-1:123456789012:log-group:audit"],
    };
    return resolveDuties(StackModel.fromRecords([]), config);
}

const duties = packDuties();

/** Concrete lower-case actions a component entry stands for. */
function expand(entry: string): string[] {
    const out = hasWildcard(entry) ? expandActionPattern(entry) : [entry.toLowerCase()];
    assert.ok(out.length > 0, `${entry} matches known actions`);
    return out;
}

/** The pack's duties that contain the action (on their resources). */
function classify(action: string): string[] {
    return duties.duties.filter((d) => d.aws.some((c) => c.action === action)).map((d) => d.name);
}

const COMPONENT_DUTIES: Record<string, readonly string[]> = {
    deploy: DEPLOY_ACTIONS,
    approve: APPROVE_ACTIONS,
    "audit-admin": AUDIT_ADMIN_ACTIONS,
    "key-admin": KEY_ADMIN_ACTIONS,
};

/** The duty a separation statement of the components denies. */
const DENIED_BY_SID: Record<string, string> = {
    DenyDeploy: "deploy",
    DenyApprove: "approve",
    DenyAuditAdmin: "audit-admin",
    DenyKeyAdmin: "key-admin",
    DenyKeyGrants: "key-admin",
};

describe("duty action lists: components and pack agree", () => {
    for (const [name, list] of Object.entries(COMPONENT_DUTIES)) {
        it(`${name}: the components' actions are exactly the pack's default ${name} actions`, () => {
            const components = [...new Set(list.flatMap(expand))].sort();
            const pack = duties.byName.get(name)!.aws.map((c) => c.action).sort();
            assert.deepEqual(components, pack);
        });
    }

    it("each duty action belongs to one duty only", () => {
        for (const d of duties.duties) {
            for (const c of d.aws) {
                assert.deepEqual(classify(c.action), [d.name], c.action);
            }
        }
    });

    it("what the components grant by default is the role's own duty or no duty; IAM escalation primitives are no duty", () => {
        const grants: [string, readonly string[], string[]][] = [
            ["deployer", DEFAULT_DEPLOYER_ACTIONS, ["deploy"]],
            ["approver", DEFAULT_APPROVER_ACTIONS, ["approve"]],
            ["auditor", DEFAULT_AUDITOR_ACTIONS, []],
            ["application roles", DEFAULT_APPLICATION_ACTIONS, []],
            ["IAM write actions", IAM_WRITE_ACTIONS, []],
            ["IAM user escalation actions", IAM_USER_ESCALATION_ACTIONS, []],
        ];
        for (const [who, list, own] of grants) {
            for (const action of list.flatMap(expand)) {
                const outside = classify(action).filter((d) => !own.includes(d));
                assert.deepEqual(outside, [], `${who}: ${action} is ${outside.join(", ")} in the pack`);
            }
        }
    });

    describe("the policies DutyRoles renders", () => {
        before(() => installMocks());

        it("every allowed action is the role's own duty or none, every denied one the duty its statement names", async () => {
            const { recorder } = await record(
                () =>
                    new DutyRoles("release", {
                        deployer: { kind: "github-actions", repository: "acme/shop", environment: "production" },
                        approver: { kind: "aws-principals", principalArns: ["arn:aws:iam::123456789012:role/release-managers"] },
                        auditor: { kind: "aws-principals", principalArns: ["arn:aws:iam::123456789012:role/auditors"] },
                    }),
            );
            const own: Record<string, string[]> = { deployer: ["deploy"], approver: ["approve"], auditor: [] };
            let checked = 0;
            for (const [role, duty] of Object.entries(own)) {
                for (const part of ["permissions", "separation"]) {
                    for (const s of json(recorder.one("aws:iam/rolePolicy:RolePolicy", `release-${role}-${part}`).inputs.policy).Statement) {
                        const actions = ([] as string[]).concat(s.Action ?? []).flatMap(expand);
                        for (const action of actions) {
                            checked++;
                            const pack = classify(action);
                            if (s.Effect === "Allow") {
                                assert.deepEqual(pack.filter((d) => !duty.includes(d)), [], `${role} ${s.Sid} allows ${action}`);
                            } else if (DENIED_BY_SID[s.Sid]) {
                                assert.deepEqual(pack, [DENIED_BY_SID[s.Sid]], `${role} ${s.Sid} denies ${action}`);
                            }
                        }
                    }
                }
            }
            const boundary = json(recorder.one("aws:iam/policy:Policy", "release-app-boundary").inputs.policy).Statement;
            for (const s of boundary) {
                for (const action of ([] as string[]).concat(s.Action ?? []).flatMap(expand)) {
                    checked++;
                    const pack = classify(action);
                    if (s.Sid === "ApplicationActions") {
                        assert.deepEqual(pack, [], `the boundary allows ${action}`);
                    } else if (s.Sid === "DenyOtherDuties") {
                        assert.equal(pack.length, 1, `the boundary denies ${action}`);
                        assert.ok(["approve", "audit-admin", "key-admin"].includes(pack[0]), `${action} is ${pack[0]}`);
                    }
                }
            }
            assert.ok(checked > 200, `checked ${checked} actions`);
        });
    });
});
