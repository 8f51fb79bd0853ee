/**
 * Duty analysis over the principal graph: which duties each node holds (with a witness: the action
 * and the policy that grants it), which duties each node can reach through escalation edges, and
 * the shortest escalation path to each. Built once per AnalyzeStack and duty config
 * (`dutyAnalysis(model, config)`), shared by duties-separated and no-duty-escalation.
 *
 * Reachable duties are computed for all nodes at once in O(V + E): strongly connected components
 * (iterative Tarjan), then a bit-mask union in reverse topological order. Shortest paths are only
 * searched (BFS) from the principals whose reachable duties conflict.
 */
import type { StackModel, StackResource } from "../stack-model";
import { allowedServices, evaluate } from "../iam/evaluate";
import { displayPattern } from "../iam/glob";
import { findGrant } from "../rbac/model";
import { DutyConfig, ResolvedDuties, ResolvedDuty, resolveDuties } from "./duties";
import { GraphEdge, GraphNode, PrincipalGraph, principalGraph } from "./graph";

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
    private readonly reach = new Map<string, number>();

    constructor(stack: StackModel, config: DutyConfig) {
        this.graph = principalGraph(stack);
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
        this.computeReach();
    }

    holdings(id: string): Map<number, Holding> {
        return this.held.get(id) ?? new Map();
    }

    mask(id: string): number {
        return this.masks.get(id) ?? 0;
    }

    /** Duties held by the node or any node it can reach. */
    reachMask(id: string): number {
        return this.reach.get(id) ?? 0;
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

    private computeReach(): void {
        // Iterative Tarjan; SCCs come out in reverse topological order (successors first).
        const index = new Map<string, number>();
        const low = new Map<string, number>();
        const onStack = new Set<string>();
        const stack: string[] = [];
        let counter = 0;
        for (const root of this.graph.nodes.keys()) {
            if (index.has(root)) {
                continue;
            }
            const work: { id: string; edges: GraphEdge[]; i: number }[] = [];
            const visit = (id: string) => {
                index.set(id, counter);
                low.set(id, counter);
                counter++;
                stack.push(id);
                onStack.add(id);
                work.push({ id, edges: this.graph.edgesOf(id), i: 0 });
            };
            visit(root);
            while (work.length > 0) {
                const frame = work[work.length - 1];
                if (frame.i < frame.edges.length) {
                    const to = frame.edges[frame.i++].to;
                    if (!index.has(to)) {
                        visit(to);
                    } else if (onStack.has(to)) {
                        low.set(frame.id, Math.min(low.get(frame.id)!, index.get(to)!));
                    }
                    continue;
                }
                work.pop();
                if (work.length > 0) {
                    const parent = work[work.length - 1].id;
                    low.set(parent, Math.min(low.get(parent)!, low.get(frame.id)!));
                }
                if (low.get(frame.id) === index.get(frame.id)) {
                    const members: string[] = [];
                    let m: string;
                    do {
                        m = stack.pop()!;
                        onStack.delete(m);
                        members.push(m);
                    } while (m !== frame.id);
                    let mask = 0;
                    for (const id of members) {
                        mask |= this.mask(id);
                        for (const e of this.graph.edgesOf(id)) {
                            mask |= this.reach.get(e.to) ?? 0; // successors outside the SCC are done
                        }
                    }
                    for (const id of members) {
                        this.reach.set(id, mask);
                    }
                }
            }
        }
    }

    /**
     * Shortest escalation path (fewest edges) from `start` to a node holding each wanted duty.
     * A duty the start holds itself has an empty path.
     */
    shortestPaths(start: string, wanted: readonly ResolvedDuty[]): Map<number, Reached> {
        const out = new Map<number, Reached>();
        const prev = new Map<string, GraphEdge | null>([[start, null]]);
        const queue = [start];
        const pending = new Set(wanted.map((d) => d.bit));
        for (let qi = 0; qi < queue.length && pending.size > 0; qi++) {
            const id = queue[qi];
            for (const [bit, holding] of this.holdings(id)) {
                if (pending.has(bit)) {
                    pending.delete(bit);
                    out.set(bit, { holding, path: this.pathTo(id, prev) });
                }
            }
            let want = 0;
            pending.forEach((b) => (want |= 1 << b));
            for (const e of this.graph.edgesOf(id)) {
                if (!prev.has(e.to) && ((this.reach.get(e.to) ?? 0) & want) !== 0) {
                    prev.set(e.to, e);
                    queue.push(e.to);
                }
            }
        }
        return out;
    }

    private pathTo(id: string, prev: Map<string, GraphEdge | null>): PathStep[] {
        const steps: PathStep[] = [];
        let cur = id;
        for (let e = prev.get(cur); e; e = prev.get(cur)) {
            steps.push({ edge: e, node: this.graph.nodes.get(e.to)! });
            cur = e.from;
        }
        return steps.reverse();
    }
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
