/**
 * The duty analysis as plain data, for evidence (`sealed-infra graph` and `sealed-infra report`):
 * the principals with the duties they hold, the escalation edges between them, and the conflicts
 * the duty policies report with the shortest paths they print. Pure: the same analysis the
 * policies use (`dutyAnalysis`), read out into JSON-serializable records; no rendering here.
 *
 * Shared target sets (engine/duties/graph.ts) stay one node when expanding them would exceed
 * `maxExpandedEdges` (a dense account where every role may assume every role); otherwise each
 * edge into a set becomes one edge per member, as it reads in a path. Every step of every reported
 * path is an edge of the result either way (`onPath`).
 */
import type { StackModel } from "../../sdk/stack-model";
import { breakGlassOf, DutyAnalysis, dutyAnalysis, escalationConflicts, heldConflicts, isEscalationStart, isHoldingSubject, Reached } from "./analysis";
import type { DutyConfig } from "./duties";
import { GraphNode, memberEdge, NodeKind } from "./graph";

export interface EvidenceHolding {
    duty: string;
    /** The action (or Kubernetes verb and resource) granted. */
    permission: string;
    /** What grants it, e.g. `codepipeline:PutApprovalResult via inline policy "ci" of role "deployer"`. */
    witness: string;
    /** False when the grant depends on conditions not known before the request. */
    certain: boolean;
}

export interface EvidenceNode {
    id: string;
    /** Graph node kinds, plus `set` for a shared target set kept as one node. */
    kind: NodeKind | "set";
    /** `role`, `user`, `group`, `ServiceAccount`, `User`, `Group`, or the kind for derived nodes. */
    principalKind: string;
    /** For messages: `role "deployer"`. */
    label: string;
    /** Short name, as paths print it. */
    short: string;
    /** The resource that declares the principal, when there is one. */
    urn?: string;
    held: EvidenceHolding[];
    /** Duties held or reachable through escalation, in duty order. */
    reaches: string[];
    /** `holds`: holds a conflicting pair itself; `reaches`: can escalate into one. */
    conflict?: "holds" | "reaches";
    /** The break-glass pattern that exempts it from the duty policies. */
    breakGlass?: string;
    /** For a set kept whole: how many principals it stands for. */
    members?: number;
}

export interface EvidenceEdge {
    from: string;
    to: string;
    /** Permissions used, e.g. `iam:PassRole + lambda:CreateFunction`. */
    label: string;
    /** What makes the target reachable, e.g. `trusts lambda.amazonaws.com`. */
    note?: string;
    /** A step of a path a duty policy reports. */
    onPath?: true;
}

export interface EvidencePath {
    duty: string;
    /** The node that holds the duty at the end of the path. */
    holder: string;
    /** What grants the duty to the holder. */
    witness: string;
    steps: { from: string; to: string; label: string; note?: string }[];
}

export interface EvidenceConflict {
    principal: string;
    /** `holds`: duties-separated; `reaches`: no-duty-escalation. */
    kind: "holds" | "reaches";
    duties: [string, string];
    /** For `reaches`: the shortest path to each of the two duties (empty steps when held). */
    paths: EvidencePath[];
}

export interface DutyGraphEvidence {
    duties: string[];
    conflictPairs: [string, string][];
    nodes: EvidenceNode[];
    edges: EvidenceEdge[];
    conflicts: EvidenceConflict[];
    /** Duty configuration problems (duties-separated reports them too). */
    warnings: string[];
}

export interface EvidenceOptions {
    /** Edges into shared sets are expanded per member while the total stays at or under this (default 2,000). */
    maxExpandedEdges?: number;
}

const SET_NAMES: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/^service-trust:(.+)$/, (m) => `roles trusting ${m[1]}`],
    [/^all-roles$/, () => "every role"],
    [/^all-users$/, () => "every user"],
    [/^all-groups$/, () => "every group"],
    [/^compute:(.+)$/, (m) => `every ${m[1]} and its role`],
    [/^k8s-subjects:(.+)$/, (m) => `every Kubernetes ${m[1]}`],
    [/^k8s-namespace-accounts:(.+)$/, (m) => `service accounts in namespace ${m[1]}`],
    [/^account-trust:([^:]*):/, (m) => (m[1] ? `roles trusting account ${m[1]}` : "roles trusting any principal")],
];

function setLabel(id: string, members: number): string {
    for (const [re, name] of SET_NAMES) {
        const m = id.match(re);
        if (m) {
            return `${name(m)} (${members})`;
        }
    }
    return `${id} (${members})`;
}

function principalKind(node: GraphNode): string {
    if (node.kind === "aws") {
        return node.principal?.kind ?? "aws";
    }
    if (node.kind === "k8s") {
        return node.subject?.kind ?? (node.id.startsWith("eks:") ? "EKS access policy" : "k8s");
    }
    return node.kind;
}

function pathOf(start: GraphNode, reached: Reached): EvidencePath {
    let from = start.id;
    const steps = reached.path.map((s) => {
        const step = { from, to: s.node.id, label: s.edge.label, ...(s.edge.note ? { note: s.edge.note } : {}) };
        from = s.node.id;
        return step;
    });
    return { duty: reached.holding.duty.name, holder: from, witness: reached.holding.witness, steps };
}

/** The evidence of an analysis already built. */
export function evidenceOf(analysis: DutyAnalysis, breakGlassPrincipals: readonly string[] = [], options: EvidenceOptions = {}): DutyGraphEvidence {
    const graph = analysis.graph;
    const dutyNames = analysis.duties.duties.map((d) => d.name);
    const namesOf = (mask: number) => analysis.duties.duties.filter((d) => (mask & (1 << d.bit)) !== 0).map((d) => d.name);
    const nodes: EvidenceNode[] = [];
    const conflicts: EvidenceConflict[] = [];
    const edges: EvidenceEdge[] = [];
    const edgeKeys = new Map<string, EvidenceEdge>();
    const addEdge = (e: EvidenceEdge) => {
        const key = `${e.from}\u0000${e.to}\u0000${e.label}`;
        const existing = edgeKeys.get(key);
        if (existing) {
            if (e.onPath) {
                existing.onPath = true;
            }
            return;
        }
        edgeKeys.set(key, e);
        edges.push(e);
    };

    for (const node of graph.nodes.values()) {
        const breakGlass = breakGlassOf(node, breakGlassPrincipals);
        const held = [...analysis.holdings(node.id).values()]
            .sort((a, b) => a.duty.bit - b.duty.bit)
            .map((h) => ({ duty: h.duty.name, permission: h.permission, witness: h.witness, certain: h.certain }));
        let conflict: EvidenceNode["conflict"];
        if (!breakGlass && isHoldingSubject(node)) {
            for (const c of heldConflicts(analysis, node)) {
                conflict = "holds";
                conflicts.push({ principal: node.id, kind: "holds", duties: [c.a.name, c.b.name], paths: [] });
            }
        }
        if (!breakGlass && isEscalationStart(node)) {
            for (const c of escalationConflicts(analysis, node)) {
                conflict ??= "reaches";
                const paths = [pathOf(node, c.toA), pathOf(node, c.toB)];
                conflicts.push({ principal: node.id, kind: "reaches", duties: [c.a.name, c.b.name], paths });
            }
        }
        nodes.push({
            id: node.id,
            kind: node.kind,
            principalKind: principalKind(node),
            label: node.label,
            short: node.short,
            ...(node.principal ? { urn: node.principal.resource.urn } : node.report ? { urn: node.report.urn } : {}),
            held,
            reaches: namesOf(analysis.reachMask(node.id)),
            ...(conflict ? { conflict } : {}),
            ...(breakGlass ? { breakGlass } : {}),
        });
    }

    // Edges: into a set, per member while the expansion stays small, else to the set as one node.
    const budget = options.maxExpandedEdges ?? 2000;
    const intoSet = new Map<string, number>();
    for (const id of graph.nodes.keys()) {
        for (const e of graph.edgesOf(id)) {
            if (e.toSet) {
                intoSet.set(e.to, (intoSet.get(e.to) ?? 0) + 1);
            }
        }
    }
    let expanded = 0;
    for (const id of graph.nodes.keys()) {
        for (const e of graph.edgesOf(id)) {
            expanded += e.toSet ? graph.targetSets.get(e.to)!.members.length : 1;
        }
    }
    const expandAll = expanded <= budget;
    const keptSets = new Set<string>();
    for (const id of graph.nodes.keys()) {
        for (const e of graph.edgesOf(id)) {
            if (!e.toSet) {
                addEdge({ from: e.from, to: e.to, label: e.label, ...(e.note ? { note: e.note } : {}) });
            } else if (expandAll) {
                for (const m of graph.targetSets.get(e.to)!.members) {
                    const x = memberEdge(e, m);
                    addEdge({ from: x.from, to: x.to, label: x.label, ...(x.note ? { note: x.note } : {}) });
                }
            } else {
                keptSets.add(e.to);
                addEdge({ from: e.from, to: e.to, label: e.label, ...(e.note ? { note: e.note } : {}) });
            }
        }
    }
    for (const setId of keptSets) {
        const set = graph.targetSets.get(setId)!;
        let mask = 0;
        for (const m of set.members) {
            mask |= analysis.reachMask(m.to);
            addEdge({ from: setId, to: m.to, label: "member", ...(m.note ? { note: m.note } : {}) });
        }
        nodes.push({ id: setId, kind: "set", principalKind: "set", label: setLabel(setId, set.members.length), short: setLabel(setId, set.members.length), held: [], reaches: namesOf(mask), members: set.members.length });
    }
    for (const c of conflicts) {
        for (const p of c.paths) {
            for (const s of p.steps) {
                addEdge({ ...s, onPath: true });
            }
        }
    }
    return {
        duties: dutyNames,
        conflictPairs: analysis.duties.conflicts.map((c) => [c.a.name, c.b.name]),
        nodes,
        edges,
        conflicts,
        warnings: [...analysis.duties.warnings],
    };
}

/** The evidence of a stack under a duty config (the config of no-duty-escalation, defaults applied). */
export function dutyGraphEvidence(stack: StackModel, config: DutyConfig, options: EvidenceOptions = {}): DutyGraphEvidence {
    return evidenceOf(dutyAnalysis(stack, config), config.breakGlassPrincipals ?? [], options);
}
