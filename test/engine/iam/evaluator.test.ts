import { strict as assert } from "assert";
import fc from "fast-check";
import { globCovers, globIntersects, globMatches, SEG } from "../../../policypack/src/engine/iam/glob";
import { Context, evaluateConditions } from "../../../policypack/src/engine/iam/conditions";
import { parsePolicyDocument, Statement } from "../../../policypack/src/engine/iam/document";
import { evaluate } from "../../../policypack/src/engine/iam/evaluate";
import { accessLevel, expandActionPattern } from "../../../policypack/src/engine/iam/catalogue";
import { awsManagedPolicyDocument } from "../../../policypack/src/engine/iam/managed-policies";

/** Reference matcher: plain recursion over the pattern. */
function reference(pattern: string, value: string): boolean {
    if (pattern === "") {
        return value === "";
    }
    const [p, rest] = [pattern[0], pattern.slice(1)];
    if (p === SEG) {
        for (let i = 0; i <= value.length && !value.slice(0, i).includes(":"); i++) {
            if (reference(rest, value.slice(i))) {
                return true;
            }
        }
        return false;
    }
    if (p === "*") {
        for (let i = 0; i <= value.length; i++) {
            if (reference(rest, value.slice(i))) {
                return true;
            }
        }
        return false;
    }
    return value !== "" && (p === "?" || p === value[0]) && reference(rest, value.slice(1));
}

/** Every string over {a, b, :} up to `max` characters. */
function allStrings(max: number): string[] {
    const out = [""];
    for (let i = 0; i < out.length; i++) {
        if (out[i].length < max) {
            out.push(out[i] + "a", out[i] + "b", out[i] + ":");
        }
    }
    return out;
}
const WORLD = allStrings(6);
/** Patterns over literals, `:`, `*`, `?` and SEG (the analysis' one-segment wildcard). */
const pattern = fc.string({ unit: fc.constantFrom("a", "b", ":", "*", "?", SEG), maxLength: 4 });
const word = fc.string({ unit: fc.constantFrom("a", "b", ":"), maxLength: 6 });

function statements(json: unknown): Statement[] {
    const parsed = parsePolicyDocument(json, { label: "test" });
    assert.equal(parsed.state, "known", JSON.stringify(parsed));
    return (parsed as { doc: { statements: Statement[] } }).doc.statements;
}

describe("IAM evaluator", () => {
    describe("wildcards (property tests)", () => {
        it("globMatches agrees with a reference matcher", () => {
            fc.assert(fc.property(pattern, word, (p, w) => globMatches(p, w) === reference(p, w)), { numRuns: 2000 });
        });

        it("globIntersects agrees with a brute-force search for a common string", () => {
            fc.assert(
                fc.property(pattern, pattern, (a, b) => globIntersects(a, b) === WORLD.some((w) => reference(a, w) && reference(b, w))),
                { numRuns: 2000 },
            );
        });

        it("globCovers is sound: what it proves holds for every string", () => {
            fc.assert(
                fc.property(pattern, pattern, (outer, inner) => !globCovers(outer, inner) || WORLD.every((w) => !reference(inner, w) || reference(outer, w))),
                { numRuns: 2000 },
            );
        });

        it("globCovers proves the common cases", () => {
            assert.ok(globCovers("*", "arn:aws:iam::1:role/x"));
            assert.ok(globCovers("arn:aws:iam::*:role/*", "arn:aws:iam::123:role/app-*"));
            assert.ok(!globCovers("arn:aws:iam::*:role/app-*", "arn:aws:iam::*:role/*"));
        });

        it("an unknown account (SEG) never lines up with another ARN's resource part", () => {
            const auditGroup = `arn:aws:logs:${SEG}:${SEG}:log-group:org-audit`;
            assert.ok(!globIntersects("arn:aws:logs:*:*:log-group:/aws/lambda/app-*", auditGroup));
            assert.ok(globIntersects("arn:aws:logs:*:*:log-group:*", auditGroup));
            assert.ok(globIntersects("arn:aws:logs:eu-west-1:123456789012:log-group:org-audit", auditGroup));
            assert.ok(globCovers("arn:aws:logs:*:*:log-group:org-audit", auditGroup));
        });
    });

    describe("Deny always wins (property test)", () => {
        const action = fc.constantFrom("s3:GetObject", "iam:PassRole", "lambda:UpdateFunctionCode", "codepipeline:PutApprovalResult");
        const actionPattern = fc.constantFrom("*", "s3:*", "iam:Pass*", "lambda:Update?unctionCode", "codepipeline:PutApprovalResult", "ec2:*");
        const resource = fc.constantFrom("*", "arn:aws:s3:::b/*", "arn:aws:iam::1:role/x", "arn:aws:iam::1:role/*");
        const allowStmt = fc.record({ Effect: fc.constant("Allow"), Action: fc.array(actionPattern, { minLength: 1, maxLength: 3 }), Resource: resource });
        it("an unconditioned Deny covering the action and resource makes any policy set deny", () => {
            fc.assert(
                fc.property(fc.array(allowStmt, { maxLength: 4 }), fc.array(allowStmt, { maxLength: 2 }), action, resource, (allows, boundary, a, r) => {
                    const identity = statements({ Statement: [...allows, { Effect: "Deny", Action: a, Resource: "*" }] });
                    const withBoundary = boundary.length > 0 ? statements({ Statement: boundary }) : undefined;
                    return evaluate({ identity, boundary: withBoundary }, { action: a, resource: r, context: new Context() }).allowed === "no";
                }),
                { numRuns: 500 },
            );
        });

        it("without a Deny, an Allow of the exact action on * allows", () => {
            fc.assert(
                fc.property(action, resource, (a, r) => evaluate({ identity: statements({ Statement: [{ Effect: "Allow", Action: a, Resource: "*" }] }) }, { action: a, resource: r, context: new Context() }).allowed === "yes"),
            );
        });
    });

    describe("evaluation", () => {
        const ctx = new Context({ "aws:PrincipalArn": "arn:aws:iam::1:role/dev", "aws:username": "alice" });
        const allowed = (doc: unknown, action: string, resource = "*", context = ctx, boundary?: unknown) =>
            evaluate({ identity: statements(doc), boundary: boundary ? statements(boundary) : undefined }, { action, resource, context }).allowed;

        it("matches actions case-insensitively and honours NotAction/NotResource", () => {
            assert.equal(allowed({ Statement: [{ Effect: "Allow", Action: "IAM:passrole", Resource: "*" }] }, "iam:PassRole"), "yes");
            assert.equal(allowed({ Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] }, "iam:PassRole"), "no");
            assert.equal(allowed({ Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] }, "s3:GetObject"), "yes");
            assert.equal(allowed({ Statement: [{ Effect: "Allow", Action: "s3:*", NotResource: "arn:aws:s3:::secret/*" }] }, "s3:GetObject", "arn:aws:s3:::secret/x"), "no");
            assert.equal(allowed({ Statement: [{ Effect: "Allow", Action: "s3:*", NotResource: "arn:aws:s3:::secret/*" }] }, "s3:GetObject", "arn:aws:s3:::public/x"), "yes");
        });

        it("a Deny with NotResource denies everything outside it", () => {
            const doc = { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", Action: "*", NotResource: "arn:aws:s3:::ok/*" }] };
            assert.equal(allowed(doc, "s3:GetObject", "arn:aws:s3:::other/x"), "no");
            assert.notEqual(allowed(doc, "s3:GetObject", "arn:aws:s3:::ok/x"), "no");
        });

        it("substitutes policy variables, widening unknown ones for Allow and voiding them for Deny", () => {
            assert.equal(allowed({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::home/${aws:username}/*" }] }, "s3:GetObject", "arn:aws:s3:::home/alice/x"), "yes");
            assert.equal(allowed({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::home/${aws:username}/*" }] }, "s3:GetObject", "arn:aws:s3:::home/bob/x"), "no");
            assert.equal(allowed({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::t/${aws:PrincipalTag/team}/*" }] }, "s3:GetObject", "arn:aws:s3:::t/x/y"), "yes");
            const denyUnknown = { Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }, { Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::t/${aws:PrincipalTag/team}/*" }] };
            assert.equal(allowed(denyUnknown, "s3:GetObject", "arn:aws:s3:::t/x/y"), "yes");
        });

        it("intersects with the permissions boundary", () => {
            const doc = { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
            assert.equal(allowed(doc, "iam:PassRole", "*", ctx, { Statement: [{ Effect: "Allow", Action: "lambda:*", Resource: "*" }] }), "no");
            assert.equal(allowed(doc, "lambda:CreateFunction", "*", ctx, { Statement: [{ Effect: "Allow", Action: "lambda:*", Resource: "*" }] }), "yes");
        });
    });

    describe("conditions", () => {
        const cond = (block: Record<string, unknown>, context: Context) => {
            const [s] = statements({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*", Condition: block }] });
            return evaluateConditions(s.conditions, context);
        };
        const c = new Context({ "aws:PrincipalTag/team": "platform", "aws:CurrentTime": "2026-11-27T00:00:00Z", "aws:TagKeys": ["a", "b"], "aws:MultiFactorAuthAge": "100" });

        it("evaluates String*, Arn*, Bool, Null, Date*, Numeric* when the context is known", () => {
            assert.equal(cond({ StringEquals: { "aws:PrincipalTag/team": "platform" } }, c), "yes");
            assert.equal(cond({ StringNotEquals: { "aws:PrincipalTag/team": "platform" } }, c), "no");
            assert.equal(cond({ StringLike: { "aws:PrincipalTag/team": "plat*" } }, c), "yes");
            assert.equal(cond({ StringEqualsIgnoreCase: { "aws:PrincipalTag/team": "PLATFORM" } }, c), "yes");
            assert.equal(cond({ DateGreaterThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } }, c), "no");
            assert.equal(cond({ NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } }, c), "yes");
            assert.equal(cond({ Null: { "aws:PrincipalTag/team": "true" } }, c), "no");
            assert.equal(cond({ Null: { "aws:PrincipalTag/other": "true" } }, new Context({}, ["aws:PrincipalTag/"])), "yes");
            assert.equal(cond({ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/x" } }, new Context({ "aws:PrincipalArn": "arn:aws:iam::1:role/x" })), "yes");
            assert.equal(cond({ Bool: { "aws:SecureTransport": "true" } }, new Context({ "aws:SecureTransport": "false" })), "no");
        });

        it("IfExists passes on an absent key; plain operators fail on it", () => {
            const known = new Context({}, ["aws:PrincipalTag/"]);
            assert.equal(cond({ StringEqualsIfExists: { "aws:PrincipalTag/x": "1" } }, known), "yes");
            assert.equal(cond({ StringEquals: { "aws:PrincipalTag/x": "1" } }, known), "no");
            assert.equal(cond({ StringNotEquals: { "aws:PrincipalTag/x": "1" } }, known), "yes");
        });

        it("ForAnyValue / ForAllValues over multi-valued keys", () => {
            assert.equal(cond({ "ForAnyValue:StringEquals": { "aws:TagKeys": ["b", "z"] } }, c), "yes");
            assert.equal(cond({ "ForAllValues:StringEquals": { "aws:TagKeys": ["a"] } }, c), "no");
            assert.equal(cond({ "ForAllValues:StringEquals": { "aws:TagKeys": ["a", "b", "c"] } }, c), "yes");
            assert.equal(cond({ "ForAllValues:StringEquals": { "aws:TagKeys": ["a"] } }, new Context({ "aws:TagKeys": null })), "yes");
        });

        it("unknown context gives maybe", () => {
            assert.equal(cond({ IpAddress: { "aws:SourceIp": "10.0.0.0/8" } }, c), "maybe");
            assert.equal(cond({ StringEquals: { "aws:RequestedRegion": "eu-west-1" } }, c), "maybe");
            assert.equal(cond({ StringEquals: { "aws:RequestedRegion": "eu-west-1", "aws:PrincipalTag/team": "other" } }, c), "no", "AND with a false key is false");
        });
    });

    describe("documents", () => {
        it("rejects malformed documents with a reason", () => {
            for (const [doc, reason] of [
                ["{", /not valid JSON/],
                [{ Statement: [{ Effect: "Allow", Resource: "*" }] }, /exactly one of Action and NotAction/],
                [{ Statement: [{ Effect: "Allow", Action: "*" }] }, /neither Resource nor NotResource/],
                [{ Statement: [{ Effect: "Allow", Action: 3, Resource: "*" }] }, /Action must be a string/],
                [{}, /has no Statement/],
            ] as [unknown, RegExp][]) {
                const parsed = parsePolicyDocument(doc, { label: "t" });
                assert.equal(parsed.state, "unreadable");
                assert.match((parsed as { reason: string }).reason, reason);
            }
        });

        it("treats a document with an unknown value as unknown", () => {
            assert.equal(parsePolicyDocument({ Statement: [{ Effect: "Allow", Action: "*", Resource: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }] }, { label: "t" }).state, "unknown");
        });
    });

    describe("data", () => {
        it("expands action wildcards against the catalogue, with access levels", () => {
            const puts = expandActionPattern("codepipeline:Put*");
            assert.ok(puts.includes("codepipeline:putapprovalresult"));
            assert.equal(accessLevel("iam:PassRole"), "Write");
            assert.equal(accessLevel("iam:PutRolePolicy"), "Permissions management");
            const pm = expandActionPattern("iam:*", ["Permissions management"]);
            assert.ok(pm.length > 10 && pm.includes("iam:attachrolepolicy") && !pm.includes("iam:getrole"));
        });

        it("resolves AWS-managed policies by ARN in any partition", () => {
            assert.ok(awsManagedPolicyDocument("arn:aws:iam::aws:policy/AdministratorAccess"));
            assert.ok(awsManagedPolicyDocument("arn:aws-us-gov:iam::aws:policy/AdministratorAccess"));
            assert.equal(awsManagedPolicyDocument("arn:aws:iam::123456789012:policy/AdministratorAccess"), undefined);
        });
    });
});
