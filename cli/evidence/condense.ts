/**
 * The picture of a duty graph: principals, the duties they hold and the escalation edges between
 * them, condensed so that a large stack still draws readably.
 *
 * Condensing groups principals that reach the same duties the same way into one node ("37 roles:
 * app-*"), coarser and coarser until the picture has at most `maxNodes` principal nodes:
 *   1. same kind, same duties held and reached, same conflict, same outgoing edges (label and target);
 *   2. ... same outgoing edge labels (targets may differ);
 *   3. same kind, same duties held and reached, same conflict;
 *   4. same duties held and reached, same conflict (at most 3^duties × 3 groups whatever the stack).
 * Nodes the analysis derives (a principal after someone writes a policy into it, a role the actor
 * can create) are grouped by the duties they hold at every level. Edges between two drawn nodes
 * are one arrow (up to three labels, and a count); an arrow is on a conflicting path when any edge
 * it stands for is. Edges out of derived nodes are drawn only on reported paths: such a node may do
 * whatever the policy written into it allows, which its label says (the duties it holds). Pure: the same graph always gives the same picture.
 */
import type { EvidenceLib } from "./pack-lib";

type Evidence = EvidenceLib.DutyGraphEvidence;
type Node = EvidenceLib.EvidenceNode;

export interface DrawnNode {
    /** Stable id in the picture: `p0`, `p1`, ... for principals, `d0`, ... for duties. */
    id: string;
    kind: "principal" | "group" | "duty";
    /** What the node shows: `role "deployer"`, `37 roles: app-*`, `deploy`. */
    label: string;
    /** Principal kind (role, user, set, ...) of its members; the duty name for duty nodes. */
    principalKind: string;
    /** How many graph nodes it stands for. */
    count: number;
    /** Short names of the first members (at most 20). */
    members: string[];
    held: string[];
    reaches: string[];
    conflict?: "holds" | "reaches";
}

export interface DrawnEdge {
    from: string;
    to: string;
    /** `holds` for a principal holding a duty, else the permissions used. */
    label: string;
    kind: "escalation" | "holds";
    /** How many graph edges it stands for. */
    count: number;
    /** On a path a duty policy reports, or a holding of a conflicting pair. */
    conflict: boolean;
}

export interface DrawnGraph {
    nodes: DrawnNode[];
    edges: DrawnEdge[];
    /** 0: every principal drawn (derived nodes grouped by duties); 1–4: the grouping level used. */
    level: number;
    /** Principal nodes of the analysis (before grouping). */
    principals: number;
    /** Escalation edges of the analysis (before grouping). */
    escalationEdges: number;
    conflicts: number;
    /** The drawn node of each node of the analysis. */
    drawnIdOf: Map<string, string>;
}

export interface CondenseOptions {
    /** At most this many principal nodes (default 40); 0 never groups. */
    maxNodes?: number;
}

const PLURAL: Record<string, string> = {
    role: "roles",
    user: "users",
    group: "groups",
    ServiceAccount: "service accounts",
    User: "Kubernetes users",
    Group: "Kubernetes groups",
    set: "target sets",
    "aws-empowered": "principals after a policy is written into them",
    "aws-new": "roles the actor can create",
    "k8s-empowered": "roles reachable by binding",
};

/** Nodes the analysis derives (a principal after a policy write, a role yet to be created): grouped by duties at every level. */
const DERIVED = new Set(["aws-empowered", "aws-new", "k8s-empowered"]);

function plural(kind: string, n: number): string {
    return n === 1 ? kind : PLURAL[kind] ?? `${kind} nodes`;
}

function commonPrefix(names: string[]): string {
    if (names.length === 0) {
        return "";
    }
    let prefix = names[0];
    for (const n of names) {
        let i = 0;
        while (i < prefix.length && i < n.length && prefix[i] === n[i]) {
            i++;
        }
        prefix = prefix.slice(0, i);
        if (prefix === "") {
            break;
        }
    }
    return prefix;
}

/** `37 roles: app-*`, or `3 roles: a, b, c`, or `12 roles: a, b, …`. */
export function groupLabel(kinds: string[], shorts: string[]): string {
    const n = shorts.length;
    const kind = new Set(kinds).size === 1 ? plural(kinds[0], n) : "principals";
    const sorted = [...shorts].sort();
    if (n <= 3) {
        return `${n} ${kind}: ${sorted.join(", ")}`;
    }
    const prefix = commonPrefix(sorted);
    if (prefix.length >= 2) {
        return `${n} ${kind}: ${prefix}*`;
    }
    return `${n} ${kind}: ${sorted.slice(0, 2).join(", ")}, …`;
}

function signature(level: number, node: Node, out: Map<string, string[]>): string {
    const base = `${node.held.map((h) => h.duty).join(",")}|${node.reaches.join(",")}|${node.conflict ?? ""}`;
    if (DERIVED.has(node.kind)) {
        return `derived|${node.kind}|${base}`;
    }
    if (level === 0) {
        return `node|${node.id}`;
    }
    if (level >= 4) {
        return base;
    }
    const kinded = `${node.principalKind}|${base}`;
    if (level === 3) {
        return kinded;
    }
    const edges = out.get(node.id) ?? [];
    if (level === 2) {
        return `${kinded}|${[...new Set(edges.map((e) => e.slice(0, e.indexOf("\u0000"))))].sort().join("\u0001")}`;
    }
    return `${kinded}|${[...new Set(edges)].sort().join("\u0001")}`;
}

/** Groups of node ids at a level (level 0: one group per node), in the order nodes first appear. */
function groupsAt(level: number, nodes: Node[], out: Map<string, string[]>): Node[][] {
    const groups = new Map<string, Node[]>();
    for (const n of nodes) {
        const key = signature(level, n, out);
        const g = groups.get(key);
        if (g) {
            g.push(n);
        } else {
            groups.set(key, [n]);
        }
    }
    return [...groups.values()];
}

export function condense(evidence: Evidence, options: CondenseOptions = {}): DrawnGraph {
    const maxNodes = options.maxNodes ?? 40;
    const escalation = evidence.edges;
    const out = new Map<string, string[]>();
    for (const e of escalation) {
        const list = out.get(e.from);
        const key = `${e.label}\u0000${e.to}`;
        if (list) {
            list.push(key);
        } else {
            out.set(e.from, [key]);
        }
    }
    let level = 0;
    let groups = groupsAt(0, evidence.nodes, out);
    if (maxNodes > 0 && groups.length > maxNodes) {
        for (level = 1; level <= 4; level++) {
            groups = groupsAt(level, evidence.nodes, out);
            if (groups.length <= maxNodes) {
                break;
            }
        }
        level = Math.min(level, 4);
    }

    const nodes: DrawnNode[] = [];
    const groupOf = new Map<string, string>();
    groups.forEach((members, i) => {
        const id = `p${i}`;
        for (const m of members) {
            groupOf.set(m.id, id);
        }
        const first = members[0];
        const count = members.reduce((n, m) => n + (m.members ?? 1), 0);
        nodes.push({
            id,
            kind: members.length === 1 ? "principal" : "group",
            label: members.length === 1 ? first.label : groupLabel(members.map((m) => m.principalKind), members.map((m) => m.short)),
            principalKind: new Set(members.map((m) => m.principalKind)).size === 1 ? first.principalKind : "principal",
            count,
            members: members.slice(0, 20).map((m) => m.short),
            held: [...new Set(members.flatMap((m) => m.held.map((h) => h.duty)))],
            reaches: [...new Set(members.flatMap((m) => m.reaches))],
            ...(first.conflict ? { conflict: first.conflict } : {}),
        });
    });

    // Duty nodes and who holds them.
    const dutyId = new Map<string, string>();
    evidence.duties.forEach((d, i) => {
        dutyId.set(d, `d${i}`);
        nodes.push({ id: `d${i}`, kind: "duty", label: d, principalKind: d, count: 1, members: [], held: [], reaches: [] });
    });
    const conflictHolds = new Set<string>();
    for (const c of evidence.conflicts) {
        if (c.kind === "holds") {
            for (const d of c.duties) {
                conflictHolds.add(`${c.principal}\u0000${d}`);
            }
        }
        for (const p of c.paths) {
            conflictHolds.add(`${p.holder}\u0000${p.duty}`);
        }
    }
    const edges: DrawnEdge[] = [];
    const holdEdges = new Map<string, DrawnEdge>();
    for (const n of evidence.nodes) {
        for (const h of n.held) {
            const from = groupOf.get(n.id)!;
            const to = dutyId.get(h.duty);
            const conflict = conflictHolds.has(`${n.id}\u0000${h.duty}`);
            if (!to || (DERIVED.has(n.kind) && !conflict)) {
                continue; // a derived node's duties are in its label
            }
            const key = `${from}\u0000${to}`;
            const e = holdEdges.get(key);
            if (e) {
                e.count++;
                e.conflict ||= conflict;
            } else {
                const edge: DrawnEdge = { from, to, label: "holds", kind: "holds", count: 1, conflict };
                holdEdges.set(key, edge);
                edges.push(edge);
            }
        }
    }

    // Escalation edges between drawn nodes.
    const merged = new Map<string, DrawnEdge>();
    const mergeInto = (key: string, from: string, to: string, label: string, onPath: boolean) => {
        const e = merged.get(key);
        if (e) {
            e.count++;
            e.conflict ||= onPath;
        } else {
            merged.set(key, { from, to, label, kind: "escalation", count: 1, conflict: onPath });
        }
    };
    const derivedIds = new Set(evidence.nodes.filter((n) => DERIVED.has(n.kind)).map((n) => n.id));
    for (const e of escalation) {
        if (derivedIds.has(e.from) && !e.onPath) {
            // A derived node may do anything its new policy allows; its reach is in its label, its edges are noise.
            continue;
        }
        const from = groupOf.get(e.from);
        const to = groupOf.get(e.to);
        if (!from || !to) {
            continue;
        }
        mergeInto(`${from}\u0000${to}\u0000${e.label}`, from, to, e.label, e.onPath === true);
    }
    let escalationDrawn = [...merged.values()];
    {
        // One arrow per pair of nodes, naming up to three of its labels.
        const byPair = new Map<string, { edge: DrawnEdge; labels: string[] }>();
        for (const e of escalationDrawn) {
            const key = `${e.from}\u0000${e.to}`;
            const x = byPair.get(key);
            if (x) {
                x.edge.count += e.count;
                x.edge.conflict ||= e.conflict;
                x.labels.push(e.label);
            } else {
                byPair.set(key, { edge: { ...e }, labels: [e.label] });
            }
        }
        escalationDrawn = [...byPair.values()].map(({ edge, labels }) => ({
            ...edge,
            label: labels.length <= 3 ? labels.join("\n") : `${labels.slice(0, 2).join("\n")}\n+${labels.length - 2} more`,
        }));
    }
    edges.push(...escalationDrawn);
    return {
        nodes,
        edges,
        level,
        principals: evidence.nodes.length,
        escalationEdges: escalation.length,
        conflicts: evidence.conflicts.length,
        drawnIdOf: groupOf,
    };
}

/** The lines of a drawn node's text: its label, then the duties a principal holds and those it can reach. */
export function nodeLines(n: DrawnNode): string[] {
    const lines = [n.label];
    if (n.kind !== "duty") {
        if (n.held.length > 0) {
            lines.push(`holds: ${n.held.join(", ")}`);
        }
        const more = n.reaches.filter((d) => !n.held.includes(d));
        if (more.length > 0) {
            lines.push(`can reach: ${more.join(", ")}`);
        }
    }
    return lines;
}
