/**
 * The escalation analysis at organization scale (issue 12) must find exactly what a plain
 * per-pair analysis finds. Three references:
 *  - on random abstract graphs, reachable duties and shortest distances against a naive BFS;
 *  - on random IAM stacks and on the bench's adversarial shapes, the graph with shared target sets
 *    against the graph built with one edge per target (`shareTargets: false`) and a naive forward
 *    BFS over it, as the analysis did before: same nodes, same targets per node, same duties held
 *    and reached, and every printed path is a shortest one made of real per-target edges.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { StackModel } from "../../../policypack/src/sdk/stack-model";
import { DutyAnalysis, GraphView, reachableMasks, towardHolders } from "../../../policypack/src/engine/duties/analysis";
import { GraphEdge } from "../../../policypack/src/engine/duties/graph";
import { Context } from "../../../policypack/src/engine/iam/conditions";
import { parsePolicyDocument, Statement } from "../../../policypack/src/engine/iam/document";
import { decisionForEveryResource, evaluate } from "../../../policypack/src/engine/iam/evaluate";
import { stackRecords, TestResource, urnOf } from "../../harness/policy-harness";
import { assumeChainStack, denseTrustReportedStack, denseTrustStack, groupsStack, k8sBindingsStack, toStackModel } from "../../bench/stack-analysis";
import { APPROVE_RULE, clusterRole, clusterRoleBinding, DEPLOY_RULE, k8sRole, roleBinding, rule, Rule, serviceAccount, Subject, tokenSecret } from "../rbac/builders";
import { allow, APPROVE, deny, DEPLOY, doc, group, groupArn, groupPolicy, role, roleArn, Stmt, trustArn, trustService, user, userArn, userPolicy, defaultDutyConfig as defaults } from "./builders";

function stack(resources: TestResource[]): StackModel {
    return StackModel.fromRecords(stackRecords(resources));
}


// ---- abstract graphs ------------------------------------------------------------------------

interface AbstractGraph {
    nodes: number;
    /** Edges of each node: a node index, or `nodes + s` for set s. */
    edges: number[][];
    sets: number[][];
    own: number[];
}

const abstractGraph = fc
    .record({ nodes: fc.integer({ min: 1, max: 14 }), sets: fc.integer({ min: 0, max: 3 }) })
    .chain(({ nodes, sets }) =>
        fc.record({
            nodes: fc.constant(nodes),
            edges: fc.array(fc.array(fc.integer({ min: 0, max: nodes + sets - 1 }), { maxLength: 4 }), { minLength: nodes, maxLength: nodes }),
            sets: fc.array(fc.array(fc.integer({ min: 0, max: nodes - 1 }), { maxLength: 5 }), { minLength: sets, maxLength: sets }),
            own: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: nodes, maxLength: nodes }),
        }),
    );

function viewOf(g: AbstractGraph): GraphView {
    const lists = [...g.edges, ...g.sets];
    const starts: number[] = [];
    const to: number[] = [];
    for (const list of lists) {
        starts.push(to.length);
        to.push(...list);
    }
    starts.push(to.length);
    const isSet = new Uint8Array(lists.length);
    isSet.fill(1, g.nodes);
    const ids = lists.map((_, i) => String(i));
    return { ids, index: new Map(ids.map((id, i) => [id, i])), isSet, edgeStart: Int32Array.from(starts), edgeTo: Int32Array.from(to), edgeOf: to.map((t) => ({ to: String(t) })) };
}

/** Successor nodes of a node with every set replaced by its members (the per-target graph). */
function expanded(g: AbstractGraph, x: number): number[] {
    return g.edges[x].flatMap((t) => (t < g.nodes ? [t] : g.sets[t - g.nodes]));
}

function bfs(g: AbstractGraph, from: number): Map<number, number> {
    const dist = new Map([[from, 0]]);
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
        for (const y of expanded(g, queue[i])) {
            if (!dist.has(y)) {
                dist.set(y, dist.get(queue[i])! + 1);
                queue.push(y);
            }
        }
    }
    return dist;
}

describe("escalation analysis at scale: algorithms against a naive BFS", () => {
    it("reachable duties: what a node holds or reaches, through cycles and shared sets", () => {
        fc.assert(
            fc.property(abstractGraph, (g) => {
                const v = viewOf(g);
                const own = Int32Array.from([...g.own, ...g.sets.map(() => 0)]);
                const reach = reachableMasks(v, own);
                for (let x = 0; x < g.nodes; x++) {
                    let expected = 0;
                    bfs(g, x).forEach((_, y) => (expected |= g.own[y]));
                    assert.equal(reach[x], expected, `node ${x}`);
                }
            }),
            { numRuns: 2000 },
        );
    });

    it("distance to the nearest holder, and the next-step pointers walk a shortest path", () => {
        fc.assert(
            fc.property(abstractGraph, fc.integer({ min: 0, max: 2 }), (g, bit) => {
                const v = viewOf(g);
                const t = towardHolders(v, (i) => (i < g.nodes ? g.own[i] & (1 << bit) : 0));
                for (let x = 0; x < g.nodes; x++) {
                    let best = Infinity;
                    bfs(g, x).forEach((d, y) => {
                        if (g.own[y] & (1 << bit)) {
                            best = Math.min(best, d);
                        }
                    });
                    if (best === Infinity) {
                        assert.equal(t.next[x], -1);
                        assert.ok(t.dist[x] > g.nodes + g.sets.length, `node ${x} reaches no holder`);
                        continue;
                    }
                    assert.equal(t.dist[x], best, `node ${x}`);
                    // Walk: every step is a real (expanded) edge, and there are `best` of them.
                    let cur = x;
                    let steps = 0;
                    while (t.next[cur] >= 0) {
                        let to = v.edgeTo[t.next[cur]];
                        if (v.isSet[to]) {
                            to = v.edgeTo[t.next[to]];
                        }
                        assert.ok(expanded(g, cur).includes(to), `${cur} -> ${to} is an edge`);
                        cur = to;
                        steps++;
                    }
                    assert.equal(steps, best);
                    assert.ok(g.own[cur] & (1 << bit), `ends at a holder`);
                }
            }),
            { numRuns: 2000 },
        );
    });
});

describe("escalation analysis at scale: one decision for every target", () => {
    const statement = fc.record({
        Effect: fc.constantFrom("Allow", "Deny"),
        Action: fc.constantFrom("sts:AssumeRole", "sts:*", "iam:PassRole", "*"),
        Resource: fc.constantFrom("*", roleArn("r1"), "arn:aws:iam::123456789012:role/r*", ["*", roleArn("r2")], "arn:aws:iam::*:role/${aws:PrincipalTag/team}-*"),
        Condition: fc.constantFrom(
            undefined,
            { Bool: { "aws:MultiFactorAuthPresent": "true" } },
            { StringEquals: { "aws:PrincipalTag/team": "a" } },
            { StringEquals: { "aws:ResourceTag/team": "a" } },
            { DateLessThan: { "aws:CurrentTime": "2001-01-01T00:00:00Z" } },
        ),
    });
    const statements = (raw: unknown[]): Statement[] => {
        const parsed = parsePolicyDocument(JSON.stringify({ Version: "2012-10-17", Statement: raw }), { label: "test" });
        return parsed.state === "known" ? [...parsed.doc.statements] : [];
    };

    it("when it gives one, evaluating each target ARN gives the same answer", () => {
        let decided = 0;
        fc.assert(
            fc.property(fc.array(statement, { maxLength: 4 }), fc.option(fc.array(statement, { maxLength: 2 }), { nil: undefined }), fc.constantFrom(undefined, "a", "b"), (identity, boundary, team) => {
                const inputs = { identity: statements(identity), boundary: boundary && statements(boundary) };
                const context = new Context({ "aws:PrincipalArn": roleArn("me"), ...(team ? { "aws:PrincipalTag/team": team } : {}) }, ["aws:PrincipalTag/"]);
                for (const action of ["sts:AssumeRole", "iam:PassRole"]) {
                    const every = decisionForEveryResource(inputs, action, context);
                    if (every === undefined) {
                        continue;
                    }
                    decided++;
                    for (const arn of [roleArn("r1"), roleArn("r2"), roleArn("a-x"), "arn:aws:iam::999999999999:role/other", "arn:aws:iam::123456789012:role/*"]) {
                        assert.equal(evaluate(inputs, { action, resource: arn, context }).allowed !== "no", every, `${action} on ${arn}`);
                    }
                }
            }),
            { numRuns: 3000 },
        );
        assert.ok(decided > 1000, `decisions were checked (${decided})`);
    });
});

// ---- IAM stacks: shared target sets against one edge per target -----------------------------

/** The old analysis, kept as the reference: a forward BFS over per-target edges. */
function referenceDistances(analysis: DutyAnalysis, start: string): Map<string, number> {
    const dist = new Map([[start, 0]]);
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
        for (const e of analysis.graph.expandedEdgesOf(queue[i])) {
            if (!dist.has(e.to)) {
                dist.set(e.to, dist.get(queue[i])! + 1);
                queue.push(e.to);
            }
        }
    }
    return dist;
}

function targets(edges: GraphEdge[], self: string): string[] {
    return [...new Set(edges.map((e) => e.to).filter((t) => t !== self))].sort();
}

/**
 * Shared and per-target analyses of one stack agree: nodes, targets of every node, duties held and
 * reached; every path is as short as the reference BFS finds and made of per-target edges.
 * Returns the number of (principal, duty) paths compared.
 */
function assertSameAnalysis(model: StackModel, config = defaults()): number {
    const shared = new DutyAnalysis(model, config);
    const perTarget = new DutyAnalysis(model, config, { shareTargets: false });
    assert.deepEqual([...shared.graph.nodes.keys()].sort(), [...perTarget.graph.nodes.keys()].sort(), "the same nodes");
    let compared = 0;
    for (const id of perTarget.graph.nodes.keys()) {
        assert.deepEqual(targets(shared.graph.expandedEdgesOf(id), id), targets(perTarget.graph.expandedEdgesOf(id), id), `targets of ${id}`);
        assert.equal(shared.mask(id), perTarget.mask(id), `duties held by ${id}`);
        assert.equal(shared.reachMask(id), perTarget.reachMask(id), `duties reached by ${id}`);
        const dist = referenceDistances(perTarget, id);
        const wanted = shared.duties.duties.filter((d) => (shared.reachMask(id) & (1 << d.bit)) !== 0);
        const paths = shared.shortestPaths(id, wanted);
        for (const duty of wanted) {
            let best = Infinity;
            dist.forEach((d, node) => {
                if (perTarget.holdings(node).has(duty.bit)) {
                    best = Math.min(best, d);
                }
            });
            const reached = paths.get(duty.bit);
            assert.ok(reached, `${id} has a path to ${duty.name}`);
            assert.equal(reached.path.length, best, `${id} -> ${duty.name}: a shortest path`);
            let from = id;
            for (const step of reached.path) {
                const real = perTarget.graph.expandedEdgesOf(from).some((e) => e.to === step.node.id);
                const printed = shared.graph.expandedEdgesOf(from).some((e) => e.to === step.node.id && e.label === step.edge.label && e.note === step.edge.note);
                assert.ok(real && printed, `${from} -[${step.edge.label}]-> ${step.node.id} is an edge`);
                from = step.node.id;
            }
            assert.equal(reached.holding.duty.bit, duty.bit);
            assert.ok(shared.holdings(from).has(duty.bit), `the path of ${id} ends at a holder of ${duty.name}`);
            compared++;
        }
    }
    return compared;
}

const ACCOUNT_ROOT = "arn:aws:iam::123456789012:root";
const ROLES = ["r0", "r1", "r2", "r3", "r4"];

const trustStatement = fc.constantFrom<Stmt>(
    trustArn(ACCOUNT_ROOT),
    trustArn(ACCOUNT_ROOT, { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }),
    trustArn(ACCOUNT_ROOT, { Condition: { StringEquals: { "aws:PrincipalTag/team": "a" } } }),
    trustArn(ACCOUNT_ROOT, { Condition: { StringEquals: { "aws:PrincipalTag/team": "b" } } }),
    trustArn(ACCOUNT_ROOT, { Condition: { ArnEquals: { "aws:PrincipalArn": roleArn("r1") } } }),
    trustArn("arn:aws:iam::999999999999:root"),
    trustArn("*", { Condition: { StringEquals: { "sts:ExternalId": "x" } } }),
    trustArn(roleArn("r0")),
    trustArn(roleArn("r2")),
    trustArn(userArn("u0")),
    trustService("lambda.amazonaws.com"),
    { ...trustService("lambda.amazonaws.com"), Condition: { StringEquals: { "aws:PrincipalServiceName": "ec2.amazonaws.com" } } },
    trustService("codebuild.amazonaws.com"),
);

const permission = fc.constantFrom<Stmt>(
    allow("sts:AssumeRole"),
    allow("sts:AssumeRole", "*", { Condition: { StringEquals: { "aws:PrincipalTag/team": "a" } } }),
    allow("sts:AssumeRole", roleArn("r1")),
    allow("sts:AssumeRole", "arn:aws:iam::123456789012:role/r*"),
    deny("sts:AssumeRole", roleArn("r2")),
    deny("sts:AssumeRole", "*", { Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } }),
    allow(["iam:PassRole", "lambda:CreateFunction"]),
    allow(["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"]),
    allow("iam:PassRole", "*", { Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } }),
    allow("iam:PassRole", roleArn("r3")),
    allow("lambda:CreateFunction"),
    allow("iam:UpdateAssumeRolePolicy"),
    allow("iam:UpdateAssumeRolePolicy", roleArn("r4")),
    allow("iam:PutRolePolicy"),
    allow("iam:PutRolePolicy", roleArn("r3")),
    deny("iam:PutRolePolicy", roleArn("r1")),
    allow("iam:AttachRolePolicy"),
    allow("iam:CreateAccessKey"),
    allow("iam:CreateLoginProfile", userArn("u1")),
    allow("iam:AddUserToGroup"),
    allow("iam:AddUserToGroup", groupArn("g1")),
    allow("lambda:UpdateFunctionCode"),
    allow("lambda:UpdateFunctionCode", "arn:aws:lambda:eu-west-1:123456789012:function:f0"),
    allow("iam:DeleteRolePermissionsBoundary"),
    allow("iam:CreateRole"),
    allow("iam:*"),
    DEPLOY,
    APPROVE,
    allow("cloudtrail:StopLogging"),
);

const randomStack = fc
    .record({
        roles: fc.array(
            fc.record({
                trust: fc.array(trustStatement, { minLength: 1, maxLength: 3 }),
                policy: fc.array(permission, { maxLength: 4 }),
                team: fc.constantFrom(undefined, "a", "b"),
                bounded: fc.boolean(),
            }),
            { minLength: 1, maxLength: ROLES.length },
        ),
        users: fc.array(fc.record({ policy: fc.array(permission, { maxLength: 3 }), groups: fc.subarray(["g0", "g1"]) }), { maxLength: 2 }),
        groups: fc.array(fc.array(permission, { maxLength: 2 }), { minLength: 2, maxLength: 2 }),
        functions: fc.array(fc.constantFrom(...ROLES), { maxLength: 2 }),
    })
    .map(({ roles, users, groups, functions }) => {
        const out: TestResource[] = roles.map((r, i) =>
            role(ROLES[i], { trust: r.trust, policies: [r.policy], tags: r.team ? { team: r.team } : undefined, boundary: r.bounded ? "arn:aws:iam::123456789012:policy/bnd" : undefined }),
        );
        out.push({ type: "aws:iam/policy:Policy", name: "bnd", props: { name: "bnd", arn: "arn:aws:iam::123456789012:policy/bnd", path: "/", policy: doc(allow(["sts:*", "lambda:*", "iam:PassRole"])) } });
        users.forEach((u, i) => {
            out.push(user(`u${i}`), userPolicy(`u${i}`, u.policy.length > 0 ? u.policy : [allow("s3:GetObject")]));
            for (const g of u.groups) {
                out.push({ type: "aws:iam/groupMembership:GroupMembership", name: `u${i}-${g}`, props: { group: g, users: [`u${i}`] } });
            }
        });
        groups.forEach((statements, i) => out.push(group(`g${i}`), groupPolicy(`g${i}`, statements.length > 0 ? statements : [allow("s3:GetObject")])));
        functions.forEach((r, i) =>
            out.push({ type: "aws:lambda/function:Function", name: `f${i}`, props: { name: `f${i}`, role: roleArn(r), arn: `arn:aws:lambda:eu-west-1:123456789012:function:f${i}` } }),
        );
        return out;
    });

const NAMESPACES = ["n0", "n1", "n2"];
const k8sSubject = fc.constantFrom<Subject>(
    { kind: "ServiceAccount", name: "a", namespace: "n0" },
    { kind: "ServiceAccount", name: "b", namespace: "n0" },
    { kind: "ServiceAccount", name: "a", namespace: "n1" },
    { kind: "ServiceAccount", name: "default", namespace: "n2" },
    { kind: "User", name: "alice" },
    { kind: "Group", name: "devs" },
);
const k8sRule = fc.constantFrom<Rule>(
    DEPLOY_RULE,
    APPROVE_RULE,
    rule([""], ["pods"], ["create"]),
    rule(["batch"], ["jobs"], ["patch"]),
    rule([""], ["pods/exec"], ["create"]),
    rule([""], ["pods/attach"], ["create"]),
    rule([""], ["serviceaccounts/token"], ["create"]),
    rule([""], ["serviceaccounts/token"], ["create"], ["a"]),
    rule([""], ["secrets"], ["get"]),
    rule([""], ["secrets"], ["list"]),
    rule([""], ["users", "groups", "serviceaccounts"], ["impersonate"]),
    rule([""], ["serviceaccounts"], ["impersonate"], ["b"]),
    rule(["rbac.authorization.k8s.io"], ["rolebindings"], ["create"]),
    rule(["rbac.authorization.k8s.io"], ["roles", "clusterroles"], ["bind"]),
    rule(["rbac.authorization.k8s.io"], ["roles"], ["escalate", "update"]),
    rule(["*"], ["*"], ["*"]),
);

/** RBAC stacks: roles and cluster roles with random rules bound in random namespaces, token secrets, workloads. */
const randomK8sStack = fc
    .record({
        bindings: fc.array(
            fc.record({ rules: fc.array(k8sRule, { minLength: 1, maxLength: 3 }), namespace: fc.constantFrom(undefined, ...NAMESPACES), subjects: fc.array(k8sSubject, { minLength: 1, maxLength: 2 }) }),
            { minLength: 1, maxLength: 5 },
        ),
        secrets: fc.subarray(["n0/a", "n0/b", "n1/a"]),
        workloads: fc.subarray(["n0/a", "n1/a", "n2/default"]),
    })
    .map(({ bindings, secrets, workloads }) => {
        const out: TestResource[] = [serviceAccount("n0", "a"), serviceAccount("n0", "b"), serviceAccount("n1", "a")];
        bindings.forEach((b, i) => {
            if (b.namespace === undefined) {
                out.push(clusterRole(`cr${i}`, b.rules), clusterRoleBinding(`crb${i}`, `cr${i}`, b.subjects));
            } else {
                out.push(k8sRole(b.namespace, `r${i}`, b.rules), roleBinding(b.namespace, `rb${i}`, { kind: "Role", name: `r${i}` }, b.subjects));
            }
        });
        secrets.forEach((x) => out.push(tokenSecret(x.split("/")[0], x.split("/")[1])));
        workloads.forEach((x, i) =>
            out.push({
                type: "kubernetes:apps/v1:Deployment",
                name: `w${i}`,
                props: { metadata: { name: `w${i}`, namespace: x.split("/")[0] }, spec: { template: { spec: { serviceAccountName: x.split("/")[1], containers: [{ name: "c", image: "x" }] } } } },
            }),
        );
        return out;
    });

describe("escalation analysis at scale: shared target sets find what per-target edges find", () => {
    it("random Kubernetes stacks (workloads, exec, tokens, secrets, impersonation, bind and escalate, cluster-wide and namespaced)", () => {
        let compared = 0;
        fc.assert(
            fc.property(randomK8sStack, (resources) => {
                compared += assertSameAnalysis(stack(resources));
            }),
            { numRuns: 300 },
        );
        assert.ok(compared > 300, `paths were compared (${compared})`);
    });

    it("random IAM stacks (trust by account, name and service, conditions, tags, boundaries, denies, groups, compute)", () => {
        let compared = 0;
        fc.assert(
            fc.property(randomStack, (resources) => {
                compared += assertSameAnalysis(stack(resources));
            }),
            { numRuns: 300 },
        );
        assert.ok(compared > 300, `paths were compared (${compared})`);
    });

    for (const [name, generate, size] of [
        ["dense trust", denseTrustStack, 120],
        ["dense trust, every role reported", denseTrustReportedStack, 120],
        ["a long assume chain", assumeChainStack, 60],
        ["many groups with many members", groupsStack, 150],
        ["many Kubernetes bindings to one service account", k8sBindingsStack, 40],
    ] as const) {
        it(`the bench shape: ${name}`, () => {
            assert.ok(assertSameAnalysis(toStackModel(generate(size))) > 0, "paths were compared");
        });
    }

    it("dense trust is stored as shared sets: edges grow with roles, not with pairs of roles", () => {
        const edges = (roles: number) => {
            const g = new DutyAnalysis(toStackModel(denseTrustReportedStack(roles)), defaults()).graph;
            let n = 0;
            for (const id of g.nodes.keys()) {
                n += g.edgesOf(id).length;
            }
            for (const set of g.targetSets.values()) {
                n += set.members.length;
            }
            return n;
        };
        assert.ok(edges(400) <= 2 * edges(200) + 10, `${edges(200)} edges at 200 roles, ${edges(400)} at 400`);
        const perTarget = new DutyAnalysis(toStackModel(denseTrustReportedStack(200)), defaults(), { shareTargets: false }).graph;
        let pairs = 0;
        for (const id of perTarget.nodes.keys()) {
            pairs += perTarget.edgesOf(id).length;
        }
        assert.ok(pairs >= 200 * 199, `the per-target reference has an edge per pair (${pairs})`);
    });

    it("a role reached both by name and through a shared set prints the same path as before", () => {
        const m = stack([
            role("ops", { policies: [[allow("sts:AssumeRole")]] }),
            role("deployer", { policies: [[DEPLOY]], trust: [trustArn(roleArn("ops")), trustArn(ACCOUNT_ROOT)] }),
            role("approver", { policies: [[APPROVE]], trust: [trustArn(ACCOUNT_ROOT)] }),
        ]);
        const analysis = new DutyAnalysis(m, defaults());
        const ops = urnOf("aws:iam/role:Role", "ops");
        const [deploy, approve] = ["deploy", "approve"].map((d) => analysis.duties.byName.get(d)!);
        const paths = analysis.shortestPaths(ops, [deploy, approve]);
        assert.equal(paths.get(deploy.bit)!.path[0].edge.note, 'trusts role "ops"', "the direct edge, listed first, is kept");
        assert.equal(paths.get(approve.bit)!.path[0].edge.note, "trusts account 123456789012");
        assert.equal(paths.get(approve.bit)!.path[0].node.id, urnOf("aws:iam/role:Role", "approver"));
    });
});
