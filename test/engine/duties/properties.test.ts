/**
 * Property tests of the duty analysis over random policy sets: the verdict (which principals
 * duties-separated or no-duty-escalation report) only grows with Allow statements, only shrinks
 * with Deny statements, and does not depend on the names of resources.
 *
 * Stacks are built fresh for every run from an abstract spec (roles by index), so a rename is a
 * different rendering of the same spec. The verdict also compares the duties each role can reach,
 * which is finer than the findings: with findings alone, a Deny rarely changes anything in a random
 * stack. (Checked by hand: inverting the Deny check of same-account AssumeRole, the PutRolePolicy
 * write check, or making an edge depend on a role's name each fail one of these properties.)
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { dutiesSeparated } from "../../../policypack/src/policies/separated-duties/duties-separated";
import { noDutyEscalation } from "../../../policypack/src/policies/separated-duties/no-duty-escalation";
import { runStackPolicy, TestResource, urnOf } from "../../harness/policy-harness";
import { DutyAnalysis } from "../../../policypack/src/engine/duties/analysis";
import { DutyConfig, dutyConfigOptions } from "../../../policypack/src/engine/duties/duties";
import { StackModel, StackResource } from "../../../policypack/src/sdk/stack-model";
import { ACCOUNT, doc, POLICY, ROLE, Stmt } from "./builders";

/** Actions that hold a duty (deploy, approve, audit-admin). */
const DUTY_ACTIONS = ["lambda:UpdateFunctionCode", "codepipeline:PutApprovalResult", "cloudtrail:StopLogging"];
/** Escalation primitives and broad wildcards (rarer, so that verdicts depend on the edges). */
const EDGE_ACTIONS = [
    "sts:AssumeRole", "iam:PassRole", "lambda:CreateFunction", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:CreateRole",
    "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy", "iam:TagRole",
];
const ACTIONS = [...DUTY_ACTIONS, ...EDGE_ACTIONS, "iam:Put*", "iam:*", "*"];
const action = fc.oneof({ arbitrary: fc.constantFrom(...EDGE_ACTIONS), weight: 8 }, { arbitrary: fc.constantFrom(...DUTY_ACTIONS), weight: 2 }, { arbitrary: fc.constantFrom("iam:Put*", "iam:*", "*"), weight: 1 });

/** Resources: any, one role (by index), every role, the shared boundary policy. */
type ResourceSpec = { kind: "any" } | { kind: "role"; index: number } | { kind: "roles" } | { kind: "boundary" };
type ConditionSpec = "none" | "boundary" | "not-boundary" | "lambda" | "tag-app" | "old-token" | "mfa";

interface StatementSpec {
    actions: string[];
    resource: ResourceSpec;
    condition: ConditionSpec;
}

interface RoleSpec {
    /** The duty action it holds directly, if any. */
    duty?: string;
    policies: StatementSpec[][];
    trust: { kind: "service"; service: string } | { kind: "role"; index: number } | { kind: "account" };
    bounded: boolean;
    tag?: string;
}

interface StackSpec {
    roles: RoleSpec[];
    boundary: StatementSpec[];
}

const MAX_ROLES = 4;

const statementSpec: fc.Arbitrary<StatementSpec> = fc.record({
    actions: fc.uniqueArray(action, { minLength: 1, maxLength: 3 }),
    resource: fc.oneof(
        fc.constant<ResourceSpec>({ kind: "any" }),
        fc.nat(MAX_ROLES - 1).map((index): ResourceSpec => ({ kind: "role", index })),
        fc.constant<ResourceSpec>({ kind: "roles" }),
        fc.constant<ResourceSpec>({ kind: "boundary" }),
    ),
    condition: fc.constantFrom<ConditionSpec>("none", "none", "boundary", "not-boundary", "lambda", "tag-app", "old-token", "mfa"),
});

const roleSpec: fc.Arbitrary<RoleSpec> = fc.record(
    {
        duty: fc.constantFrom(...DUTY_ACTIONS),
        policies: fc.array(fc.array(statementSpec, { minLength: 1, maxLength: 2 }), { minLength: 0, maxLength: 2 }),
        trust: fc.oneof(
            fc.constantFrom("lambda.amazonaws.com", "ec2.amazonaws.com").map((service) => ({ kind: "service" as const, service })),
            fc.nat(MAX_ROLES - 1).map((index) => ({ kind: "role" as const, index })),
            fc.constant({ kind: "account" as const }),
        ),
        bounded: fc.boolean(),
        tag: fc.constantFrom("app", "deploy"),
    },
    { requiredKeys: ["policies", "trust", "bounded"] },
);

const stackSpec: fc.Arbitrary<StackSpec> = fc.record({
    roles: fc.array(roleSpec, { minLength: 2, maxLength: MAX_ROLES }),
    boundary: fc.array(statementSpec, { minLength: 1, maxLength: 2 }),
});

interface Names {
    role: (i: number) => string;
    boundary: string;
}

const PLAIN: Names = { role: (i) => `role${i}`, boundary: "bnd" };
const RENAMED: Names = { role: (i) => `svc-${String.fromCharCode(122 - i)}-${i * 7}`, boundary: "limits-z" };

const arn = (kind: "role" | "policy", name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;

function renderStatement(s: StatementSpec, effect: "Allow" | "Deny", spec: StackSpec, names: Names): Stmt {
    const r = s.resource;
    const resource =
        r.kind === "any" ? "*" : r.kind === "roles" ? `arn:aws:iam::${ACCOUNT}:role/*` : r.kind === "boundary" ? arn("policy", names.boundary) : arn("role", names.role(r.index % spec.roles.length));
    const conditions: Record<ConditionSpec, Stmt | undefined> = {
        none: undefined,
        boundary: { StringEquals: { "iam:PermissionsBoundary": arn("policy", names.boundary) } },
        "not-boundary": { StringNotEquals: { "iam:PermissionsBoundary": arn("policy", names.boundary) } },
        lambda: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
        "tag-app": { StringEquals: { "aws:ResourceTag/duty": "app" } },
        "old-token": { DateLessThan: { "aws:TokenIssueTime": "2020-01-01T00:00:00Z" } },
        mfa: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
    };
    const condition = conditions[s.condition];
    return { Effect: effect, Action: s.actions, Resource: resource, ...(condition ? { Condition: condition } : {}) };
}

/** A fresh stack (new objects every call) for the spec, with extra statements appended to one role's first policy. */
function render(spec: StackSpec, names: Names, extra?: { role: number; statement: Stmt }): TestResource[] {
    const out: TestResource[] = spec.roles.map((r, i) => {
        const name = names.role(i);
        const policies = r.policies.map((p) => p.map((s) => renderStatement(s, "Allow", spec, names)));
        if (r.duty) {
            policies.push([{ Effect: "Allow", Action: r.duty, Resource: "*" }]);
        }
        if (extra && extra.role === i) {
            if (policies.length === 0) {
                policies.push([extra.statement]);
            } else {
                policies[0].push(extra.statement);
            }
        }
        const t = r.trust;
        const trust =
            t.kind === "service"
                ? { Effect: "Allow", Principal: { Service: t.service }, Action: "sts:AssumeRole" }
                : { Effect: "Allow", Principal: { AWS: t.kind === "account" ? `arn:aws:iam::${ACCOUNT}:root` : arn("role", names.role(t.index % spec.roles.length)) }, Action: "sts:AssumeRole" };
        return {
            type: ROLE,
            name,
            props: {
                name,
                arn: arn("role", name),
                path: "/",
                assumeRolePolicy: doc(trust),
                inlinePolicies: policies.map((statements, k) => ({ name: `${name}-${k}`, policy: doc(...statements) })),
                managedPolicyArns: [],
                ...(r.bounded ? { permissionsBoundary: arn("policy", names.boundary) } : {}),
                ...(r.tag ? { tags: { duty: r.tag }, tagsAll: { duty: r.tag } } : {}),
            },
        };
    });
    out.push({ type: POLICY, name: names.boundary, props: { name: names.boundary, arn: arn("policy", names.boundary), path: "/", policy: doc(...spec.boundary.map((s) => renderStatement(s, "Allow", spec, names))) } });
    return out;
}

const DEFAULTS = Object.fromEntries(Object.entries(dutyConfigOptions).map(([k, o]) => [k, (o as { default: unknown }).default])) as unknown as DutyConfig;

interface Verdict {
    /** Indexes of the roles reported by either duty policy (a conflict held or reachable). */
    reported: number[];
    /** `<role index>:<duty>` for every duty each role holds or can reach (finer than the findings). */
    reach: string[];
}

function verdict(spec: StackSpec, names: Names, extra?: { role: number; statement: Stmt }): Verdict {
    const urns = new Set(
        [...runStackPolicy(dutiesSeparated, render(spec, names, extra), { preview: false }), ...runStackPolicy(noDutyEscalation, render(spec, names, extra), { preview: false })].map((f) => f.urn),
    );
    const model = StackModel.fromRecords(
        render(spec, names, extra).map((r): StackResource => ({ urn: urnOf(r.type, r.name), type: r.type, name: r.name, props: r.props ?? {}, options: {} as StackResource["options"], dependencies: [], propertyDependencies: {} })),
    );
    const analysis = new DutyAnalysis(model, DEFAULTS);
    const roles = spec.roles.map((_, i) => i);
    return {
        reported: roles.filter((i) => urns.has(urnOf(ROLE, names.role(i)))),
        reach: roles.flatMap((i) => analysis.duties.duties.filter((d) => (analysis.reachMask(urnOf(ROLE, names.role(i))) & (1 << d.bit)) !== 0).map((d) => `${i}:${d.name}`)),
    };
}

const subset = <T>(a: T[], b: T[]) => a.every((x) => b.includes(x));
/** `a` no more than `b`, in findings and in reachable duties. */
const within = (a: Verdict, b: Verdict) => subset(a.reported, b.reported) && subset(a.reach, b.reach);

/** An added statement: mostly unconditioned and broad, so that it often changes what a role may do. */
const addedStatement: fc.Arbitrary<StatementSpec> = fc.record({
    actions: fc.uniqueArray(fc.constantFrom(...ACTIONS), { minLength: 1, maxLength: 3 }),
    resource: fc.oneof(
        { arbitrary: fc.constant<ResourceSpec>({ kind: "any" }), weight: 3 },
        { arbitrary: fc.nat(MAX_ROLES - 1).map((index): ResourceSpec => ({ kind: "role", index })), weight: 1 },
        { arbitrary: fc.constant<ResourceSpec>({ kind: "roles" }), weight: 1 },
    ),
    condition: fc.constantFrom<ConditionSpec>("none", "none", "none", "none", "boundary", "not-boundary", "lambda", "tag-app", "old-token", "mfa"),
});
/**
 * The statement to add to a role: a random one, or (to make it bite) one that mirrors an Allow of
 * that role (its actions on its resource, without a condition).
 */
const added = fc.record({ role: fc.nat(MAX_ROLES - 1), statement: addedStatement, mirror: fc.option(fc.nat(), { nil: undefined }) });

function addition(spec: StackSpec, a: { role: number; statement: StatementSpec; mirror?: number }, effect: "Allow" | "Deny"): { role: number; statement: Stmt } {
    const role = a.role % spec.roles.length;
    const own = spec.roles[role].policies.flat();
    const statement = a.mirror !== undefined && own.length > 0 ? { ...own[a.mirror % own.length], condition: "none" as const } : a.statement;
    return { role, statement: renderStatement(statement, effect, spec, PLAIN) };
}

const RUNS = { numRuns: 200 };

describe("duty analysis properties (fast-check)", () => {
    it("adding a Deny statement never adds a duty or escalation finding", () => {
        fc.assert(
            fc.property(stackSpec, added, (spec, d) => {
                const before = verdict(spec, PLAIN);
                const after = verdict(spec, PLAIN, addition(spec, d, "Deny"));
                assert.ok(within(after, before), `before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
            }),
            RUNS,
        );
    });

    it("adding an Allow statement never removes one", () => {
        fc.assert(
            fc.property(stackSpec, added, (spec, a) => {
                const before = verdict(spec, PLAIN);
                const after = verdict(spec, PLAIN, addition(spec, a, "Allow"));
                assert.ok(within(before, after), `before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
            }),
            RUNS,
        );
    });

    it("renaming resources never changes the verdict", () => {
        fc.assert(
            fc.property(stackSpec, (spec) => {
                assert.deepEqual(verdict(spec, RENAMED), verdict(spec, PLAIN));
            }),
            RUNS,
        );
    });

    it("the generator reaches both verdicts (the properties are not vacuous)", () => {
        const samples = fc.sample(stackSpec, { numRuns: 150, seed: 11 });
        const reported = samples.filter((s) => verdict(s, PLAIN).reported.length > 0).length;
        assert.ok(reported > 15 && reported < 135, `${reported} of 150 random stacks reported`);
    });
});
