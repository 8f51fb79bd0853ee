/**
 * Duty analysis over the principal graph: which duties each node holds (with a witness: the action
 * and the policy that grants it), which duties each node can reach through escalation edges, and
 * the shortest escalation path to each. Built once per AnalyzeStack and duty config
 * (`dutyAnalysis(model, config)`), shared by duties-separated and no-duty-escalation.
 *
 * Reachable duties are computed for all nodes at once in O(V + E) over an integer view of the graph
 * (shared target sets count as vertices): strongly connected components (iterative Tarjan), then a
 * bit-mask union in reverse topological order. Shortest paths: one backward search per duty from
 * all its holders, run only when some principal is reported, then each reported principal's path
 * is read off in the length of the path.
 */
import type { StackModel, StackResource } from "../../sdk/stack-model";
import { allowedServices, evaluate } from "../iam/evaluate";
import { displayPattern } from "../iam/glob";
import { findGrant } from "../rbac/model";
import { DutyConfig, isBreakGlass, ResolvedDuties, ResolvedDuty, resolveDuties } from "./duties";
import { GraphEdge, GraphNode, GraphOptions, memberEdge, PrincipalGraph, principalGraph, SetMember } from "./graph";

export interface Holding {
    duty: ResolvedDuty;
    /** What grants it, e.g. `codepipeline:PutApprovalResult via inline policy "ci" of role "deployer"`. */
    witness: string;
    /** The action (or Kubernetes verb and resource) granted. */
    permission: string;
    /** The resource that holds the granting statement or binding. */
    grantedBy?: StackResource;
    /** False when the grant depends on conditions not known before the request. */
    certain: boolean;
}

export interface PathStep {
    edge: GraphEdge;
    node: GraphNode;
}

export interface Reached {
    holding: Holding;
    /** Empty when held directly. */
    path: PathStep[];
}

export class DutyAnalysis {
    readonly graph: PrincipalGraph;
    readonly duties: ResolvedDuties;
    private readonly held = new Map<string, Map<number, Holding>>();
    private readonly masks = new Map<string, number>();
    private readonly view: GraphView;
    /** Duties each vertex holds or reaches, by vertex index. */
    private readonly reach: Int32Array;
    /** Per duty bit, computed on the first path asked for: distance and next step toward the nearest holder. */
    private readonly toward = new Map<number, Toward>();

    constructor(stack: StackModel, config: DutyConfig, options: GraphOptions = {}) {
        this.graph = principalGraph(stack, options);
        this.duties = resolveDuties(stack, config);
        for (const node of this.graph.nodes.values()) {
            const h = this.computeHoldings(node);
            this.held.set(node.id, h);
            let mask = 0;
            for (const bit of h.keys()) {
                mask |= 1 << bit;
            }
            this.masks.set(node.id, mask);
        }
        this.view = graphView(this.graph);
        const own = new Int32Array(this.view.ids.length);
        this.view.ids.forEach((id, i) => (own[i] = this.masks.get(id) ?? 0));
        this.reach = reachableMasks(this.view, own);
    }

    holdings(id: string): Map<number, Holding> {
        return this.held.get(id) ?? new Map();
    }

    mask(id: string): number {
        return this.masks.get(id) ?? 0;
    }

    /** Duties held by the node or any node it can reach. */
    reachMask(id: string): number {
        const i = this.view.index.get(id);
        return i === undefined ? 0 : this.reach[i];
    }

    private computeHoldings(node: GraphNode): Map<number, Holding> {
        const out = new Map<number, Holding>();
        if (node.inputs) {
            const inputs = node.inputs;
            const allowed = allowedServices(inputs.grants ? [...inputs.identity, ...inputs.grants] : inputs.identity);
            const everything = allowed === "all";
            const services = allowed === "all" ? new Set<string>() : allowed;
            for (const duty of this.duties.duties) {
                if (!everything && ![...duty.services].some((s) => services.has(s))) {
                    continue;
                }
                for (const check of duty.aws) {
                    if (!everything && !services.has(check.action.slice(0, check.action.indexOf(":")))) {
                        continue;
                    }
                    let found: Holding | undefined;
                    for (const scope of check.scopes) {
                        const d = evaluate(inputs, { action: check.action, resource: scope, context: node.context! });
                        if (d.allowed !== "no") {
                            const on = scope === "*" ? "" : ` on ${displayPattern(scope)}`;
                            found = {
                                duty,
                                permission: `${check.display}${on}`,
                                witness: `${check.display}${on}${d.via ? ` via ${d.via.source.label}` : ""}${d.allowed === "maybe" ? " (if its conditions hold)" : ""}`,
                                grantedBy: d.via?.source.urn ? this.graph.stack.byUrn.get(d.via.source.urn) : undefined,
                                certain: d.allowed === "yes",
                            };
                            break;
                        }
                    }
                    if (found) {
                        out.set(duty.bit, found);
                        break;
                    }
                }
            }
        }
        if (node.grants && node.grants.length > 0) {
            for (const duty of this.duties.duties) {
                if (out.has(duty.bit)) {
                    continue;
                }
                search: for (const perm of duty.kubernetes) {
                    for (const ns of perm.namespaces ?? [undefined]) {
                        for (const apiGroup of perm.apiGroups) {
                            for (const resource of perm.resources) {
                                for (const verb of perm.verbs) {
                                    const g = findGrant(node.grants, { apiGroup, resource, verb, namespace: ns });
                                    if (g) {
                                        const where = g.namespace ? ` in namespace ${g.namespace}` : " cluster-wide";
                                        const group = apiGroup === "" ? "" : `.${apiGroup}`;
                                        out.set(duty.bit, {
                                            duty,
                                            permission: `${verb} ${resource}${group}${where}`,
                                            witness: `${verb} ${resource}${group}${where} via ${g.role.kind} ${g.role.name}${g.binding ? ` (bound by "${g.binding.name}")` : ""}`,
                                            grantedBy: g.binding,
                                            certain: true,
                                        });
                                        break search;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Shortest escalation path (fewest edges) from `start` to a node holding each wanted duty.
     * A duty the start holds itself has an empty path. Paths come from one backward search per
     * duty over the whole graph (from every holder at once), done the first time any principal
     * needs that duty and shared by all of them: reporting N principals costs the path lengths,
     * not N searches.
     */
    shortestPaths(start: string, wanted: readonly ResolvedDuty[]): Map<number, Reached> {
        const out = new Map<number, Reached>();
        const from = this.view.index.get(start);
        if (from === undefined) {
            return out;
        }
        for (const duty of wanted) {
            let t = this.toward.get(duty.bit);
            if (!t) {
                t = towardHolders(this.view, (i) => (this.masks.get(this.view.ids[i]) ?? 0) & (1 << duty.bit));
                this.toward.set(duty.bit, t);
            }
            if (t.dist[from] === UNREACHED) {
                continue;
            }
            const { path, end } = this.walk(from, t);
            const holding = this.holdings(this.view.ids[end]).get(duty.bit);
            if (holding) {
                out.set(duty.bit, { holding, path });
            }
        }
        return out;
    }

    /** Follows the next-step pointers from `from` to a holder; an edge into a set and the member taken become one step. */
    private walk(from: number, t: Toward): { path: PathStep[]; end: number } {
        const v = this.view;
        const path: PathStep[] = [];
        let cur = from;
        while (t.next[cur] >= 0) {
            const slot = t.next[cur];
            const edge = v.edgeOf[slot] as GraphEdge;
            let to = v.edgeTo[slot];
            let step = edge;
            if (v.isSet[to]) {
                const memberSlot = t.next[to];
                step = memberEdge(edge, v.edgeOf[memberSlot] as SetMember);
                to = v.edgeTo[memberSlot];
            }
            path.push({ edge: step, node: this.graph.nodes.get(v.ids[to])! });
            cur = to;
        }
        return { path, end: cur };
    }
}

const UNREACHED = 0x7fffffff;

/**
 * The principal graph as integer arrays (compressed adjacency): vertices are the graph's nodes, its
 * target sets and any id an edge names without a node; the slots of vertex i are
 * edgeStart[i]..edgeStart[i+1]-1. Edges into a set weigh 1, a set's memberships 0, so a path
 * through a set is as long as the per-target edge it stands for.
 */
export interface GraphView {
    ids: string[];
    index: Map<string, number>;
    isSet: Uint8Array;
    edgeStart: Int32Array;
    edgeTo: Int32Array;
    /** The GraphEdge (from a node) or SetMember (from a set) of each slot. */
    edgeOf: (GraphEdge | SetMember)[];
    /** Reverse adjacency, built on the first path request: slots of the edges into vertex i. */
    reverse?: { start: Int32Array; slot: Int32Array; from: Int32Array };
}

function graphView(graph: PrincipalGraph): GraphView {
    const ids: string[] = [...graph.nodes.keys(), ...graph.targetSets.keys()];
    const index = new Map<string, number>();
    ids.forEach((id, i) => index.set(id, i));
    const vertex = (id: string): number => {
        let i = index.get(id);
        if (i === undefined) {
            i = ids.length;
            ids.push(id);
            index.set(id, i);
        }
        return i;
    };
    const outs: (GraphEdge | SetMember)[][] = [];
    for (const id of graph.nodes.keys()) {
        outs.push(graph.edgesOf(id));
    }
    for (const set of graph.targetSets.values()) {
        outs.push(set.members);
    }
    const total = outs.reduce((n, list) => n + list.length, 0);
    const edgeTo = new Int32Array(total);
    const edgeOf: (GraphEdge | SetMember)[] = new Array(total);
    const starts: number[] = [];
    let k = 0;
    for (const list of outs) {
        starts.push(k);
        for (const e of list) {
            edgeTo[k] = vertex(e.to);
            edgeOf[k++] = e;
        }
    }
    // Ids named only as targets have no edges of their own.
    while (starts.length <= ids.length) {
        starts.push(k);
    }
    const isSet = new Uint8Array(ids.length);
    for (let i = graph.nodes.size; i < graph.nodes.size + graph.targetSets.size; i++) {
        isSet[i] = 1;
    }
    return { ids, index, isSet, edgeStart: Int32Array.from(starts), edgeTo, edgeOf };
}

/**
 * Duties each vertex holds or reaches, in O(V + E): strongly connected components by an
 * iterative Tarjan (they complete successors first), one mask per component (everyone in a trust
 * cycle reaches the same duties), the union of the component's own duties and its successors'.
 */
export function reachableMasks(v: { edgeStart: Int32Array; edgeTo: Int32Array }, own: Int32Array): Int32Array {
    const n = own.length;
    const reach = new Int32Array(n);
    const order = new Int32Array(n).fill(-1);
    const low = new Int32Array(n);
    const onStack = new Uint8Array(n);
    const stack = new Int32Array(n);
    const calls = new Int32Array(n);
    const pos = new Int32Array(n);
    let sp = 0;
    let counter = 0;
    for (let root = 0; root < n; root++) {
        if (order[root] >= 0) {
            continue;
        }
        let cp = 0;
        const enter = (x: number) => {
            order[x] = low[x] = counter++;
            stack[sp++] = x;
            onStack[x] = 1;
            calls[cp++] = x;
            pos[x] = v.edgeStart[x];
        };
        enter(root);
        while (cp > 0) {
            const x = calls[cp - 1];
            if (pos[x] < v.edgeStart[x + 1]) {
                const y = v.edgeTo[pos[x]++];
                if (order[y] < 0) {
                    enter(y);
                } else if (onStack[y] && order[y] < low[x]) {
                    low[x] = order[y];
                }
                continue;
            }
            cp--;
            if (cp > 0 && low[x] < low[calls[cp - 1]]) {
                low[calls[cp - 1]] = low[x];
            }
            if (low[x] !== order[x]) {
                continue;
            }
            // x roots a component: its members are on the stack above it.
            let first = sp - 1;
            while (stack[first] !== x) {
                first--;
            }
            let mask = 0;
            for (let i = first; i < sp; i++) {
                const m = stack[i];
                mask |= own[m];
                for (let e = v.edgeStart[m]; e < v.edgeStart[m + 1]; e++) {
                    mask |= reach[v.edgeTo[e]]; // members of this component are still 0; others are final
                }
            }
            for (let i = first; i < sp; i++) {
                reach[stack[i]] = mask;
                onStack[stack[i]] = 0;
            }
            sp = first;
        }
    }
    return reach;
}

export interface Toward {
    /** Fewest edges from each vertex to a holder (UNREACHED when none is reachable). */
    dist: Int32Array;
    /** The slot of the first edge of such a path, -1 at a holder. */
    next: Int32Array;
}

/**
 * One backward breadth-first search from every holder of a duty at once (0-1 weights: a set's
 * memberships are free): the distance of every vertex to its nearest holder and the first step.
 */
export function towardHolders(v: GraphView, holds: (i: number) => number): Toward {
    const n = v.ids.length;
    const rev = reverseOf(v);
    const dist = new Int32Array(n).fill(UNREACHED);
    const next = new Int32Array(n).fill(-1);
    let level: number[] = [];
    for (let i = 0; i < n; i++) {
        if (holds(i)) {
            dist[i] = 0;
            level.push(i);
        }
    }
    for (let d = 0; level.length > 0; d++) {
        const after: number[] = [];
        for (let q = 0; q < level.length; q++) {
            const x = level[q];
            if (dist[x] !== d) {
                continue; // reached at a shorter distance since it was queued
            }
            for (let r = rev.start[x]; r < rev.start[x + 1]; r++) {
                const u = rev.from[r];
                const du = v.isSet[u] ? d : d + 1;
                if (du < dist[u]) {
                    dist[u] = du;
                    next[u] = rev.slot[r];
                    (du === d ? level : after).push(u);
                }
            }
        }
        level = after;
    }
    return { dist, next };
}

function reverseOf(v: GraphView): NonNullable<GraphView["reverse"]> {
    if (v.reverse) {
        return v.reverse;
    }
    const n = v.ids.length;
    const m = v.edgeTo.length;
    const start = new Int32Array(n + 1);
    for (let k = 0; k < m; k++) {
        start[v.edgeTo[k] + 1]++;
    }
    for (let i = 0; i < n; i++) {
        start[i + 1] += start[i];
    }
    const fill = start.slice(0, n);
    const slot = new Int32Array(m);
    const from = new Int32Array(m);
    // Sources in vertex order, so among equally short paths the one through earlier edges is kept.
    for (let x = 0; x < n; x++) {
        for (let k = v.edgeStart[x]; k < v.edgeStart[x + 1]; k++) {
            const at = fill[v.edgeTo[k]]++;
            slot[at] = k;
            from[at] = x;
        }
    }
    v.reverse = { start, slot, from };
    return v.reverse;
}

/** `deployer -[iam:PassRole + lambda:CreateFunction]-> approver (trusts lambda.amazonaws.com) -> approve: codepipeline:PutApprovalResult` */
export function formatPath(start: GraphNode, reached: Reached): string {
    let text = start.short;
    for (const step of reached.path) {
        text += ` -[${step.edge.label}]-> ${step.node.short}${step.edge.note ? ` (${step.edge.note})` : ""}`;
    }
    return `${text} -> ${reached.holding.duty.name}: ${reached.holding.witness}`;
}

/** The config keys the analysis depends on (the memo key). */
export function dutyConfigKey(config: DutyConfig): string {
    return JSON.stringify([
        config.duties,
        config.replaceDefaultDuties,
        config.conflicts,
        config.replaceDefaultConflicts,
        config.designatedResourceArns,
        config.designatedStoreNamePatterns,
        config.designateAllBuckets,
        config.auditLogGroupNamePatterns,
    ]);
}

export function dutyAnalysis(stack: StackModel, config: DutyConfig): DutyAnalysis {
    return stack.derive(`duty-analysis:${dutyConfigKey(config)}`, (m) => new DutyAnalysis(m, config));
}

/** Candidate names of a graph node for break-glass matching. */
export function nodeNames(node: GraphNode): string[] {
    const out: string[] = [];
    if (node.principal) {
        out.push(node.principal.name, node.principal.arn, node.principal.resource.name, node.principal.resource.urn);
    }
    if (node.subject) {
        const s = node.subject;
        out.push(s.kind === "ServiceAccount" ? `ServiceAccount:${s.namespace}/${s.name}` : `${s.kind}:${s.name}`);
    }
    return out;
}

/** The break-glass pattern that exempts the node, if any. */
export function breakGlassOf(node: GraphNode, patterns: readonly string[]): string | undefined {
    return patterns.length === 0 ? undefined : isBreakGlass(nodeNames(node), patterns);
}

/** Nodes whose own holdings duties-separated judges: AWS principals and Kubernetes subjects (not EKS access policies). */
export function isHoldingSubject(node: GraphNode): boolean {
    return (node.kind === "aws" || node.kind === "k8s") && !node.id.startsWith("eks:");
}

/** Nodes no-duty-escalation starts from: AWS roles and users, Kubernetes subjects (not groups or EKS access policies). */
export function isEscalationStart(node: GraphNode): boolean {
    return (node.kind === "aws" && node.principal!.kind !== "group") || (node.kind === "k8s" && !node.id.startsWith("eks:"));
}

/** The conflicting pairs of duties a node holds itself (what duties-separated reports). */
export function heldConflicts(analysis: DutyAnalysis, node: GraphNode): { a: ResolvedDuty; b: ResolvedDuty }[] {
    const held = analysis.holdings(node.id);
    if (held.size < 2) {
        return [];
    }
    return analysis.duties.conflicts.filter((c) => held.has(c.a.bit) && held.has(c.b.bit));
}

/** A conflicting pair a node reaches through escalation, with the shortest path to each duty. */
export interface EscalationConflict {
    a: ResolvedDuty;
    b: ResolvedDuty;
    toA: Reached;
    toB: Reached;
}

/**
 * The conflicting pairs a node can reach (its own duties plus those it escalates into) that it
 * does not already hold directly (what no-duty-escalation reports), each with shortest paths.
 */
export function escalationConflicts(analysis: DutyAnalysis, node: GraphNode): EscalationConflict[] {
    const own = analysis.mask(node.id);
    const total = analysis.reachMask(node.id);
    if (total === own) {
        return [];
    }
    const has = (mask: number, bit: number) => (mask & (1 << bit)) !== 0;
    const pairs = analysis.duties.conflicts.filter((c) => has(total, c.a.bit) && has(total, c.b.bit) && !(has(own, c.a.bit) && has(own, c.b.bit)));
    if (pairs.length === 0) {
        return [];
    }
    const paths = analysis.shortestPaths(
        node.id,
        [...new Set(pairs.flatMap((c) => [c.a, c.b]))],
    );
    const out: EscalationConflict[] = [];
    for (const c of pairs) {
        const toA = paths.get(c.a.bit);
        const toB = paths.get(c.b.bit);
        if (toA && toB) {
            out.push({ a: c.a, b: c.b, toA, toB });
        }
    }
    return out;
}
