/**
 * The combined principal graph: AWS IAM principals and Kubernetes subjects as nodes, and the
 * escalation edges by which one can become or empower another (docs/design.md "Duty model", escalation edges).
 * Built once per AnalyzeStack (`principalGraph(model)`), independent of the duty config.
 *
 * Node kinds:
 *  - aws:           a role, user or group of the stack, with its effective permissions;
 *  - aws-empowered: a principal after someone wrote any policy into it (`X*`): allow-all, still
 *                   limited by its permissions boundary unless the boundary can be removed too;
 *  - aws-new:       a role the actor can create and write policies into (bounded by the
 *                   permissions boundary the actor is forced to attach, if any);
 *  - k8s:           a Kubernetes subject with its RBAC grants;
 *  - k8s-empowered: a subject that can bind or escalate to any role in a namespace or the cluster.
 *
 * Edge checks use the IAM evaluator with the actor's context (a Deny, a boundary, a resource scope
 * or a condition that provably excludes the target removes the edge). Targets are found through
 * indexes (trust by principal, by account, by service), never by comparing all pairs blindly.
 *
 * Shared targets: when an actor's permission cannot depend on which target it acts on (e.g.
 * `sts:AssumeRole` on `*`), its edge goes to a TargetSet ("every role trusting account X",
 * "every role trusting lambda.amazonaws.com", "every role") stored once, instead of one edge per
 * target. A dense account where N roles trust the account root and may assume any role is then
 * N edges into one set and N memberships, not N^2 edges. An edge into a set stands for one edge to
 * each member (same length in paths); `expandedEdgesOf` gives that per-target view.
 */
import { read, readString } from "../../framework/values";
import type { StackModel, StackResource } from "../../sdk/stack-model";
import { ArnIndex } from "../iam/arn-index";
import { Context, evaluateConditions, widenVariables } from "../iam/conditions";
import { Condition, documentOf, parsePolicyDocument, Statement } from "../iam/document";
import { actionMatches, allowApplies, allowedServices, decisionForEveryResource, evaluate, PermissionInputs } from "../iam/evaluate";
import { globMatches, hasWildcard, SEG } from "../iam/glob";
import { awsManagedPolicyDocument } from "../iam/managed-policies";
import { accountOfEntry, IamModel, iamModel, IamPrincipal, ManagedPolicyRecord, RUNS_AS_ROLE } from "../iam/model";
import { EKS_ACCESS_ENTRY, EKS_ACCESS_POLICY_ASSOCIATION } from "../iam/types";
import { findGrant, K8sGrant, K8sRule, K8sSubject, makeSubject, RbacModel, rbacModel, BUILTIN_CLUSTER_ROLES } from "../rbac/model";

export type NodeKind = "aws" | "aws-empowered" | "aws-new" | "k8s" | "k8s-empowered";

export interface GraphNode {
    id: string;
    kind: NodeKind;
    /** For messages: `role "deployer"`, `ServiceAccount ci/builder`. */
    label: string;
    /** Short name for paths: `deployer`. */
    short: string;
    principal?: IamPrincipal;
    subject?: K8sSubject;
    inputs?: PermissionInputs;
    context?: Context;
    /** Kubernetes grants (k8s and k8s-empowered nodes). */
    grants?: K8sGrant[];
    /** The resource to report on (the principal, or the binding that gives a subject its rights). */
    report?: StackResource;
}

export interface GraphEdge {
    from: string;
    to: string;
    /** The permissions used, e.g. `iam:PassRole + lambda:CreateFunction`. */
    label: string;
    /** What makes the target reachable, e.g. `trusts lambda.amazonaws.com`. */
    note?: string;
    /** The binding or access entry that grants the permission used (Kubernetes edges). */
    via?: StackResource;
    /** `to` names a TargetSet: the edge stands for one edge to each of its members. */
    toSet?: true;
}

/**
 * Targets many actors reach the same way, stored once. An actor's edge into the set carries the
 * permission used (`label`); each member adds what is specific to it.
 */
export interface TargetSet {
    id: string;
    members: SetMember[];
}

export interface SetMember {
    to: string;
    /** The IAM principal the actor then acts as (roles and users; for writing policies into it). */
    principal?: IamPrincipal;
    /** Appended to the actor's edge label, e.g. ` on function "approve-fn"`. */
    labelSuffix?: string;
    /** Why this member is reached, e.g. `trusts account 123456789012`. */
    note?: string;
}

/** Roles trusting one account (or anyone) with statements whose conditions name the same keys. */
interface AccountTrustGroup {
    /** Sorted lower-case condition keys of the statements; empty when unconditional. */
    keys: string[];
    /** Roles whose statement an actor knowing none of the keys may meet (every condition is "maybe" then). */
    blind: TargetSet;
    /** Per distinct condition block, for actors that know some key. */
    byConditions: { conditions: readonly Condition[]; set: TargetSet }[];
}

export interface GraphOptions {
    /**
     * Link actors to shared TargetSets where their permission cannot depend on the target (default
     * true). False builds one edge per target, as the reference the tests compare against.
     */
    shareTargets?: boolean;
}

/** PassRole to a service plus the actions that make the service run code as the role. */
export const SERVICE_PRIMITIVES: readonly { service: string; actions: string[][] }[] = [
    { service: "lambda.amazonaws.com", actions: [["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"]] },
    { service: "ec2.amazonaws.com", actions: [["ec2:RunInstances", "ec2:AssociateIamInstanceProfile", "ec2:ReplaceIamInstanceProfileAssociation"]] },
    { service: "ec2.amazonaws.com", actions: [["autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup"], ["ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "autoscaling:CreateLaunchConfiguration"]] },
    { service: "ecs-tasks.amazonaws.com", actions: [["ecs:RegisterTaskDefinition"], ["ecs:RunTask", "ecs:StartTask", "ecs:CreateService", "ecs:UpdateService"]] },
    { service: "cloudformation.amazonaws.com", actions: [["cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:ExecuteChangeSet", "cloudformation:CreateStackSet"]] },
    { service: "codebuild.amazonaws.com", actions: [["codebuild:CreateProject", "codebuild:UpdateProject"], ["codebuild:StartBuild", "codebuild:StartBuildBatch"]] },
    { service: "glue.amazonaws.com", actions: [["glue:CreateDevEndpoint", "glue:UpdateDevEndpoint", "glue:CreateJob", "glue:UpdateJob", "glue:CreateSession"]] },
    { service: "sagemaker.amazonaws.com", actions: [["sagemaker:CreateNotebookInstance", "sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"]] },
    { service: "datapipeline.amazonaws.com", actions: [["datapipeline:CreatePipeline"], ["datapipeline:PutPipelineDefinition"], ["datapipeline:ActivatePipeline"]] },
];

/**
 * One action on another principal that lets the actor act as it: rewriting a role's trust policy,
 * creating credentials for a user (groups cannot). Each is an edge rule of PrincipalGraph.
 */
interface TargetPrimitive {
    action: string;
    targets: "roles" | "users";
    /** Why the target is reached, printed with the path. */
    note: string;
}

export const TARGET_PRIMITIVES: readonly TargetPrimitive[] = [
    { action: "iam:UpdateAssumeRolePolicy", targets: "roles", note: "its trust policy can be rewritten" },
    { action: "iam:CreateAccessKey", targets: "users", note: "signs in as the user" },
    { action: "iam:CreateLoginProfile", targets: "users", note: "signs in as the user" },
    { action: "iam:UpdateLoginProfile", targets: "users", note: "signs in as the user" },
];

/** An actor (an AWS node) as the edge rules see it: its permissions, asked with caching, and where edges go. */
interface AwsActor {
    node: GraphNode;
    ctx: Context;
    self: IamPrincipal | undefined;
    out: GraphEdge[];
    /** An edge to one node (deduplicated; never to the actor itself). */
    add(to: string, label: string, note?: string): void;
    /** An edge to a TargetSet; its members count as principals the actor acts as unless `actsAs` is false. */
    addSet(set: TargetSet, label: string, actsAs?: boolean): void;
    /** Principals the actor can act as (found by earlier rules; later rules write policies into them). */
    actAs: Set<IamPrincipal>;
    actAsSets: TargetSet[];
    /** Whether the actor may do `action` on `resource` (an Allow possible, no Deny proven). */
    may(action: string, resource?: string, context?: Context): boolean;
    /** The decision when the permission cannot depend on the target (then a whole TargetSet is linked), else undefined. */
    forEveryTarget(action: string, context?: Context): boolean | undefined;
    /**
     * Where a primitive excludes the actor's own principal (rewriting its own trust, signing in as
     * itself), a node that is not that principal itself (`X*` acting for X) must not get X through a
     * set: such actors check each target instead.
     */
    excludesSelf(set: TargetSet): boolean;
    /** Whether an explicit Deny refuses the request. */
    denied(action: string, resource: string, context?: Context): boolean;
    /** The request context on a principal of the stack (its boundary and tags). */
    on(target: IamPrincipal, boundary?: string | null): Context;
    /** Resource patterns of the Allow statements that may grant `action` (what to look up in an index). */
    reach(action: string): string[] | "all";
}

interface AwsEdgeRule {
    name: string;
    edges(actor: AwsActor): void;
}

const ALLOW_ALL: Statement[] = documentOf([{ effect: "Allow", actions: ["*"], resources: ["*"], conditions: [] }], { label: "any policy it writes" }).statements;
const K8S_ALL: K8sRule = { apiGroups: ["*"], resources: ["*"], verbs: ["*"] };
const WORKLOAD_RESOURCES: [string, string][] = [
    ["", "pods"],
    ["apps", "deployments"],
    ["apps", "statefulsets"],
    ["apps", "daemonsets"],
    ["apps", "replicasets"],
    ["batch", "jobs"],
    ["batch", "cronjobs"],
    ["", "replicationcontrollers"],
];
const WORST_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess";
/** Every action `writeAccess` may use (a pre-filter: an actor allowed none of them on any resource has no write edge). */
const WRITE_ACTIONS = ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:PutGroupPolicy", "iam:AttachGroupPolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"];
/** Where a new role may be created: any role name in the (unknown) account. */
const NEW_ROLE = `arn:aws:iam::${SEG}:role/*`;

interface TrustRef {
    role: IamPrincipal;
    statement: Statement;
}

export class PrincipalGraph {
    readonly nodes = new Map<string, GraphNode>();
    readonly edges = new Map<string, GraphEdge[]>();
    readonly iam: IamModel;
    readonly rbac: RbacModel;
    private readonly trustByPrincipal = new Map<string, TrustRef[]>();
    private readonly trustByAccount: (TrustRef & { account?: string })[] = [];
    private readonly trustByService = new Map<string, TrustRef[]>();
    private readonly trustPending = new Map<string, IamPrincipal[]>();
    private readonly roles: IamPrincipal[];
    private readonly users: IamPrincipal[];
    private readonly groups: IamPrincipal[];
    private readonly pending: string[] = [];
    private readonly roleIndex: ArnIndex<IamPrincipal>;
    private readonly userIndex: ArnIndex<IamPrincipal>;
    private readonly groupIndex: ArnIndex<IamPrincipal>;
    private readonly computeIndex = new Map<string, ArnIndex<IamModel["runsAs"][number]>>();
    private readonly serviceTrustIndex = new Map<string, ArnIndex<TrustRef>>();
    private readonly accountTrustIndex: ArnIndex<TrustRef & { account?: string }>;
    readonly targetSets = new Map<string, TargetSet>();
    private readonly shareTargets: boolean;
    /** By account, `""` for statements trusting any principal. */
    private readonly accountTrustGroups = new Map<string, AccountTrustGroup[]>();

    constructor(readonly stack: StackModel, options: GraphOptions = {}) {
        this.shareTargets = options.shareTargets ?? true;
        this.iam = iamModel(stack);
        this.rbac = rbacModel(stack);
        this.roles = this.iam.principals.filter((p) => p.kind === "role");
        this.users = this.iam.principals.filter((p) => p.kind === "user");
        this.groups = this.iam.principals.filter((p) => p.kind === "group");
        this.indexTrust();
        this.roleIndex = new ArnIndex(this.roles.map((p) => [p.arn, p]));
        this.accountTrustIndex = new ArnIndex(this.trustByAccount.map((r) => [r.role.arn, r]));
        this.userIndex = new ArnIndex(this.users.map((p) => [p.arn, p]));
        this.groupIndex = new ArnIndex(this.groups.map((p) => [p.arn, p]));
        for (const kind of RUNS_AS_ROLE) {
            const entries = this.iam.runsAs.filter((c) => c.kind === kind);
            if (entries.length > 0) {
                this.computeIndex.set(kind.noun, new ArnIndex(entries.map((c) => [c.arn, c])));
            }
        }
        for (const [svc, refs] of this.trustByService) {
            this.serviceTrustIndex.set(svc, new ArnIndex(refs.map((r) => [r.role.arn, r])));
        }
        this.groupAccountTrust();
        for (const p of this.iam.principals) {
            this.addNode({
                id: p.id,
                kind: "aws",
                label: `${p.kind} "${p.name}"`,
                short: p.name,
                principal: p,
                inputs: this.iam.permissionInputs(p),
                context: this.iam.contextOf(p),
                report: p.resource,
            });
        }
        for (const s of this.rbac.subjects.values()) {
            this.addSubjectNode(s);
        }
        this.readEks();
        // Compute edges for every node, including synthetic nodes created on the way.
        for (let i = 0; i < this.pending.length; i++) {
            const id = this.pending[i];
            const node = this.nodes.get(id)!;
            this.edges.set(id, node.kind === "k8s" || node.kind === "k8s-empowered" ? this.k8sEdges(node) : this.awsEdges(node));
        }
    }

    private addNode(node: GraphNode): GraphNode {
        const existing = this.nodes.get(node.id);
        if (existing) {
            return existing;
        }
        this.nodes.set(node.id, node);
        this.pending.push(node.id);
        return node;
    }

    private addSubjectNode(s: K8sSubject): GraphNode {
        const grants = this.rbac.grantsOf(s);
        return this.addNode({ id: s.id, kind: "k8s", label: s.label, short: s.label, subject: s, grants, report: grants[0]?.binding });
    }

    // ---- indexes ------------------------------------------------------------------------------

    private indexTrust(): void {
        for (const role of this.roles) {
            for (const urn of role.trustPending ?? []) {
                const list = this.trustPending.get(urn) ?? [];
                list.push(role);
                this.trustPending.set(urn, list);
            }
            for (const s of role.trust ?? []) {
                if (s.effect !== "Allow" || !s.principals || !allowsAssume(s)) {
                    continue;
                }
                const ref = { role, statement: s };
                if (s.principals.any) {
                    this.trustByAccount.push({ ...ref, account: undefined });
                }
                for (const entry of s.principals.aws) {
                    const account = accountOfEntry(entry);
                    if (account) {
                        this.trustByAccount.push({ ...ref, account });
                        continue;
                    }
                    for (const p of this.iam.principalsNamedBy(entry)) {
                        const list = this.trustByPrincipal.get(p.id) ?? [];
                        list.push(ref);
                        this.trustByPrincipal.set(p.id, list);
                    }
                }
                for (const svc of s.principals.service) {
                    const list = this.trustByService.get(svc) ?? [];
                    list.push(ref);
                    this.trustByService.set(svc, list);
                }
            }
        }
    }

    // ---- shared target sets -------------------------------------------------------------------

    private readonly memberIds = new WeakMap<TargetSet, Set<string>>();

    private isMember(set: TargetSet, id: string): boolean {
        let ids = this.memberIds.get(set);
        if (!ids) {
            ids = new Set(set.members.map((m) => m.to));
            this.memberIds.set(set, ids);
        }
        return ids.has(id);
    }

    private targetSet(id: string, members: () => SetMember[]): TargetSet {
        let set = this.targetSets.get(id);
        if (!set) {
            set = { id, members: members() };
            this.targetSets.set(id, set);
        }
        return set;
    }

    /**
     * Groups the statements trusting an account (or anyone) by account and by the condition keys
     * they test. An actor whose context knows none of a group's keys meets every statement of it
     * ("maybe": the condition depends on the request), so it links the group's `blind` set in one
     * step; only an actor that knows a key (a principal tag, its ARN) evaluates each block.
     */
    private groupAccountTrust(): void {
        const byAccount = new Map<string, Map<string, (TrustRef & { account?: string })[]>>();
        for (const ref of this.trustByAccount) {
            const keys = [...new Set(ref.statement.conditions.map((c) => c.key))].sort().join("\u0000");
            const groups = byAccount.get(ref.account ?? "") ?? new Map<string, (TrustRef & { account?: string })[]>();
            byAccount.set(ref.account ?? "", groups);
            pushTo(groups, keys, ref);
        }
        const empty = new Context();
        for (const [account, groups] of byAccount) {
            const note = account ? `trusts account ${account}` : "trusts any principal";
            const list: AccountTrustGroup[] = [];
            for (const [keys, refs] of groups) {
                const prefix = `account-trust:${account}:${list.length}`;
                const members = (rs: TrustRef[]) => dedupMembers(rs.map((r) => ({ to: r.role.id, principal: r.role, note })));
                const blocks = new Map<string, TrustRef[]>();
                for (const r of refs) {
                    const key = JSON.stringify(r.statement.conditions.map((c) => [c.operator, c.key, c.values, c.ifExists, c.set]));
                    pushTo(blocks, key, r);
                }
                list.push({
                    keys: keys === "" ? [] : keys.split("\u0000"),
                    // Evaluated once without context: the same answer as for any actor that knows none of the keys.
                    blind: this.targetSet(`${prefix}:blind`, () => members(refs.filter((r) => evaluateConditions(r.statement.conditions, empty) !== "no"))),
                    byConditions: [...blocks.values()].map((rs, i) => ({ conditions: rs[0].statement.conditions, set: this.targetSet(`${prefix}:${i}`, () => members(rs)) })),
                });
            }
            this.accountTrustGroups.set(account, list);
        }
    }

    /** The sets of roles trusting the actor's account (any account when unknown) or anyone, whose trust conditions it may meet. */
    private accountTrustSets(account: string | undefined, ctx: Context): TargetSet[] {
        const out: TargetSet[] = [];
        const groups = account ? [...(this.accountTrustGroups.get(account) ?? []), ...(this.accountTrustGroups.get("") ?? [])] : [...this.accountTrustGroups.values()].flat();
        for (const g of groups) {
            if (!g.keys.some((k) => ctx.get(k) !== undefined)) {
                out.push(g.blind);
                continue;
            }
            for (const b of g.byConditions) {
                if (evaluateConditions(b.conditions, ctx) !== "no") {
                    out.push(b.set);
                }
            }
        }
        return out.filter((set) => set.members.length > 0);
    }

    /** Roles trusting a service whose trust conditions the service meets (PassRole targets). */
    private serviceTrustSet(service: string): TargetSet {
        return this.targetSet(`service-trust:${service}`, () => {
            const serviceCtx = new Context({ "aws:PrincipalServiceName": service });
            const refs = (this.trustByService.get(service) ?? []).filter((r) => evaluateConditions(r.statement.conditions, serviceCtx) !== "no");
            return dedupMembers(refs.map((r) => ({ to: r.role.id, principal: r.role, note: `trusts ${service}` })));
        });
    }

    private allRolesSet(): TargetSet {
        return this.targetSet("all-roles", () => this.roles.map((r) => ({ to: r.id, principal: r, note: "its trust policy can be rewritten" })));
    }

    private allUsersSet(): TargetSet {
        return this.targetSet("all-users", () => this.users.map((u) => ({ to: u.id, principal: u, note: "signs in as the user" })));
    }

    private allGroupsSet(): TargetSet {
        return this.targetSet("all-groups", () => this.groups.map((g) => ({ to: g.id, note: "adds itself to the group" })));
    }

    private computeSet(kind: (typeof RUNS_AS_ROLE)[number]): TargetSet {
        return this.targetSet(`compute:${kind.noun}`, () =>
            dedupMembers(this.computeIndex.get(kind.noun)!.all.map((c) => ({ to: c.role.id, principal: c.role, labelSuffix: ` on ${kind.noun} "${c.resource.name}"`, note: `runs as role "${c.role.name}"` }))),
        );
    }

    /** Every Kubernetes subject of a kind (targets of unrestricted impersonation). */
    private subjectsSet(kind: K8sSubject["kind"]): TargetSet {
        return this.targetSet(`k8s-subjects:${kind}`, () =>
            [...this.rbac.subjects.values()].filter((s) => s.kind === kind).map((s) => ({ to: this.addSubjectNode(s).id })),
        );
    }

    /** The service accounts of a namespace, `default` included: a workload created there may run as any of them. */
    private namespaceAccountsSet(ns: string, names: Iterable<string>): TargetSet {
        return this.targetSet(`k8s-namespace-accounts:${ns}`, () =>
            [...names].map((name) => {
                const s = this.rbac.subjects.get(`k8s:ServiceAccount:${ns}/${name}`) ?? makeSubject("ServiceAccount", name, ns);
                return { to: this.addSubjectNode(s).id, note: `runs as ${s.label}` };
            }),
        );
    }

    // ---- AWS edges ----------------------------------------------------------------------------

    /**
     * The AWS escalation primitives, in the order their edges are found: later rules write into
     * the principals earlier ones reach (`actAs`). Adding a primitive is one entry here (or in
     * SERVICE_PRIMITIVES / TARGET_PRIMITIVES) and one test in test/engine/duties.
     */
    private readonly awsEdgeRules: readonly AwsEdgeRule[] = [
        { name: "assume a role whose trust policy names the actor", edges: (a) => this.trustedPrincipalEdges(a) },
        { name: "assume a role that trusts the actor's account or anyone", edges: (a) => this.trustedAccountEdges(a) },
        { name: "pass a role to a service that runs code as it", edges: (a) => this.servicePrimitiveEdges(a) },
        { name: "run code in existing compute that runs as a role", edges: (a) => this.runsAsRoleEdges(a) },
        { name: "rewrite a role's trust policy", edges: (a) => this.targetPrimitiveEdges(a, TARGET_PRIMITIVES[0]) },
        { name: "add itself to a group", edges: (a) => this.addUserToGroupEdges(a) },
        ...TARGET_PRIMITIVES.slice(1).map((t): AwsEdgeRule => ({ name: t.action, edges: (a) => this.targetPrimitiveEdges(a, t) })),
        { name: "write policies into itself or a principal it acts as", edges: (a) => this.policyWriteEdges(a) },
        { name: "create a new role and write its policies", edges: (a) => this.newRoleEdges(a.node, a.ctx, a.may, a.add) },
    ];

    private awsEdges(node: GraphNode): GraphEdge[] {
        const actor = this.awsActor(node);
        for (const rule of this.awsEdgeRules) {
            rule.edges(actor);
        }
        return actor.out;
    }

    /** What every AWS edge rule asks of the actor behind `node`, with its answers cached. */
    private awsActor(node: GraphNode): AwsActor {
        const inputs = node.inputs!;
        const ctx = node.context ?? new Context();
        const self = node.principal;
        const out: GraphEdge[] = [];
        const seen = new Set<string>();
        const add = (to: string, label: string, note?: string) => {
            const key = `${to}\u0000${label}`;
            if (to !== node.id && !seen.has(key)) {
                seen.add(key);
                out.push({ from: node.id, to, label, note });
            }
        };
        const actAsSets: TargetSet[] = [];
        const addSet = (set: TargetSet, label: string, actsAs = true) => {
            const key = `${set.id}\u0000${label}`;
            if (set.members.length > 0 && !seen.has(key)) {
                seen.add(key);
                out.push({ from: node.id, to: set.id, label, toSet: true });
                if (actsAs) {
                    actAsSets.push(set);
                }
            }
        };
        const cache = new Map<string, boolean>();
        const statements = inputs.grants ? [...inputs.identity, ...inputs.grants] : inputs.identity;
        const services = allowedServices(statements);
        const may = (action: string, resource = "*", context: Context = ctx): boolean => {
            if (services !== "all" && !services.has(action.slice(0, action.indexOf(":")).toLowerCase())) {
                return false;
            }
            const key = context === ctx ? `${action}\u0000${resource}` : undefined;
            if (key && cache.has(key)) {
                return cache.get(key)!;
            }
            const r = evaluate(inputs, { action, resource, context }).allowed !== "no";
            if (key) {
                cache.set(key, r);
            }
            return r;
        };
        const forEveryTarget = (action: string, context: Context = ctx): boolean | undefined =>
            this.shareTargets ? decisionForEveryResource(inputs, action, context) : undefined;
        const excludesSelf = (set: TargetSet) => self !== undefined && self.id !== node.id && this.isMember(set, self.id);
        const denied = (action: string, resource: string, context: Context = ctx): boolean => {
            const d = evaluate(inputs, { action, resource, context });
            return d.allowed === "no" && d.deniedBy !== undefined;
        };
        // A request on a principal of the stack: its boundary and tags are known (see IamModel.targetContext),
        // its tags only while this actor cannot change them.
        const retaggable = new Map<IamPrincipal, boolean>();
        const on = (target: IamPrincipal, boundary?: string | null): Context => {
            let retag = retaggable.get(target);
            if (retag === undefined) {
                retag = target.kind !== "group" && may(`iam:Tag${target.kind === "role" ? "Role" : "User"}`, target.arn);
                retaggable.set(target, retag);
            }
            return this.iam.targetContext(ctx, target, { boundary, retaggable: retag });
        };
        const reach = (action: string): string[] | "all" => {
            const lower = action.toLowerCase();
            const patterns: string[] = [];
            for (const st of statements) {
                if (st.effect !== "Allow" || !actionMatches(st, lower)) {
                    continue;
                }
                if (!st.resources) {
                    return "all";
                }
                for (const r of st.resources) {
                    patterns.push(widenVariables(r, ctx));
                }
            }
            return patterns;
        };
        return { node, ctx, self, out, add, addSet, actAs: new Set(), actAsSets, may, forEveryTarget, excludesSelf, denied, on, reach };
    }

    /** Assume role: trust naming this principal (or naming it before the update resolves). */
    private trustedPrincipalEdges({ self, ctx, may, denied, on, add, actAs }: AwsActor): void {
        if (!self || self.kind === "group") {
            return;
        }
        for (const ref of this.trustByPrincipal.get(self.id) ?? []) {
            if (evaluateConditions(ref.statement.conditions, ctx) === "no") {
                continue;
            }
            const crossAccount = self.account && ref.role.account && self.account !== ref.role.account;
            if (crossAccount ? may("sts:AssumeRole", ref.role.arn, on(ref.role)) : !denied("sts:AssumeRole", ref.role.arn, on(ref.role))) {
                add(ref.role.id, "sts:AssumeRole", `trusts ${self.kind} "${self.name}"`);
                actAs.add(ref.role);
            }
        }
        for (const role of this.trustPending.get(self.id) ?? []) {
            if (!denied("sts:AssumeRole", role.arn, on(role))) {
                add(role.id, "sts:AssumeRole", `its trust policy refers to ${self.kind} "${self.name}" and is verified at update`);
                actAs.add(role);
            }
        }
    }

    /** Assume role: trust naming the actor's account, or anyone. */
    private trustedAccountEdges({ self, ctx, may, forEveryTarget, addSet, reach, on, add, actAs }: AwsActor): void {
        if (self?.kind === "group" || !may("sts:AssumeRole")) {
            return;
        }
        if (forEveryTarget("sts:AssumeRole") !== undefined) {
            // May assume any role alike: the shared sets of roles trusting its account whose conditions it may meet.
            for (const set of this.accountTrustSets(self?.account, ctx)) {
                addSet(set, "sts:AssumeRole");
            }
            return;
        }
        for (const ref of this.accountTrustIndex.query(reach("sts:AssumeRole"))) {
            if (ref.account && self?.account && ref.account !== self.account) {
                continue;
            }
            if (evaluateConditions(ref.statement.conditions, ctx) === "no" || !may("sts:AssumeRole", ref.role.arn, on(ref.role))) {
                continue;
            }
            add(ref.role.id, "sts:AssumeRole", ref.account ? `trusts account ${ref.account}` : "trusts any principal");
            actAs.add(ref.role);
        }
    }

    /** PassRole to a service that runs code as the role (SERVICE_PRIMITIVES). */
    private servicePrimitiveEdges({ ctx, may, forEveryTarget, addSet, reach, on, add, actAs }: AwsActor): void {
        for (const prim of SERVICE_PRIMITIVES) {
            const chosen: string[] = [];
            for (const group of prim.actions) {
                const a = group.find((x) => may(x));
                if (!a) {
                    break;
                }
                chosen.push(a);
            }
            if (chosen.length !== prim.actions.length) {
                continue;
            }
            const passCtx = ctx.with({ "iam:PassedToService": prim.service });
            if (!may("iam:PassRole", "*", passCtx)) {
                continue;
            }
            if (forEveryTarget("iam:PassRole", passCtx) !== undefined) {
                addSet(this.serviceTrustSet(prim.service), `iam:PassRole + ${chosen.join(" + ")}`);
                continue;
            }
            for (const ref of this.serviceTrustIndex.get(prim.service)?.query(reach("iam:PassRole")) ?? []) {
                const serviceCtx = new Context({ "aws:PrincipalServiceName": prim.service });
                if (evaluateConditions(ref.statement.conditions, serviceCtx) === "no" || !may("iam:PassRole", ref.role.arn, on(ref.role).with({ "iam:PassedToService": prim.service }))) {
                    continue;
                }
                add(ref.role.id, `iam:PassRole + ${chosen.join(" + ")}`, `trusts ${prim.service}`);
                actAs.add(ref.role);
            }
        }
    }

    /**
     * Running code in existing compute that runs as another role (function code, builds,
     * notebooks, dev endpoints, CloudFormation stacks, commands on instances).
     */
    private runsAsRoleEdges({ self, may, forEveryTarget, excludesSelf, addSet, reach, add, actAs }: AwsActor): void {
        for (const kind of RUNS_AS_ROLE) {
            const index = this.computeIndex.get(kind.noun);
            if (!index) {
                continue;
            }
            for (const action of kind.actions) {
                if (!may(action)) {
                    continue;
                }
                if (forEveryTarget(action) !== undefined && !excludesSelf(this.computeSet(kind))) {
                    addSet(this.computeSet(kind), action);
                    continue;
                }
                for (const c of index.query(reach(action))) {
                    if (!actAs.has(c.role) && c.role !== self && may(action, c.arn)) {
                        add(c.role.id, `${action} on ${kind.noun} "${c.resource.name}"`, `runs as role "${c.role.name}"`);
                        actAs.add(c.role);
                    }
                }
            }
        }
    }

    /**
     * One action on another principal that makes the actor that principal (TARGET_PRIMITIVES):
     * every principal of the kind alike when the permission cannot depend on the target, else
     * each target the permission reaches, never the actor itself.
     */
    private targetPrimitiveEdges({ self, may, forEveryTarget, excludesSelf, addSet, reach, on, add, actAs }: AwsActor, prim: TargetPrimitive): void {
        if ((prim.targets === "users" && self?.kind === "group") || !may(prim.action)) {
            return;
        }
        const all = () => (prim.targets === "roles" ? this.allRolesSet() : this.allUsersSet());
        if (forEveryTarget(prim.action) !== undefined && !excludesSelf(all())) {
            addSet(all(), prim.action);
            return;
        }
        const index = prim.targets === "roles" ? this.roleIndex : this.userIndex;
        for (const target of index.query(reach(prim.action))) {
            if (target !== self && may(prim.action, target.arn, on(target))) {
                add(target.id, prim.action, prim.note);
                actAs.add(target);
            }
        }
    }

    /** Joining groups (users only): the group's policies then apply to the actor. */
    private addUserToGroupEdges({ self, may, forEveryTarget, addSet, reach, on, add }: AwsActor): void {
        if (self?.kind !== "user" || !may("iam:AddUserToGroup")) {
            return;
        }
        if (self.groups.size === 0 && forEveryTarget("iam:AddUserToGroup") !== undefined) {
            addSet(this.allGroupsSet(), "iam:AddUserToGroup", false);
            return;
        }
        // (A user already in some groups: those are no new target, so each group is checked.)
        for (const g of this.groupIndex.query(reach("iam:AddUserToGroup"))) {
            if (!self.groups.has(g) && may("iam:AddUserToGroup", g.arn, on(g))) {
                add(g.id, "iam:AddUserToGroup", "adds itself to the group");
            }
        }
    }

    /** Writing policies into itself or a principal it can act as (or a group it is in). */
    private policyWriteEdges(actor: AwsActor): void {
        const { node, self, may, on, add, actAs, actAsSets } = actor;
        // Only an actor that may write some policy at all looks at each target (the common dense
        // case, assume-only roles, or users in many groups, skips them all at once).
        if (!WRITE_ACTIONS.some((a) => may(a))) {
            return;
        }
        const writable: IamPrincipal[] = [];
        if (self) {
            writable.push(self, ...self.groups);
        }
        writable.push(...actAs);
        if (actAsSets.length > 0) {
            const listed = new Set(writable);
            for (const set of actAsSets) {
                for (const m of set.members) {
                    if (m.principal && !listed.has(m.principal)) {
                        listed.add(m.principal);
                        writable.push(m.principal);
                    }
                }
            }
        }
        for (const target of writable) {
            const owner = target.kind === "group" ? (self ?? target) : target;
            const where = target === self ? "itself" : `${target.kind} "${target.name}"`;
            const access = this.writeAccess(target, may, on(target));
            let unbounded = false;
            if (access && !access.any) {
                const limited = this.withPoliciesNode(owner, access.policies);
                add(limited.id, `${access.label} on ${where}`, "limited by iam:PolicyARN");
            } else if (access) {
                const empowered = this.empoweredNode(owner, may, on);
                unbounded = empowered.id.endsWith("*!");
                add(empowered.id, `${access.label} on ${where}`, access.note ?? (empowered.principal?.boundary && !unbounded ? `bounded by ${empowered.principal.boundary.arn}` : undefined));
            }
            // Writes allowed only into principals carrying some boundary (delegated administration):
            // if the actor may put that boundary on the target first, the target gets any policy under it.
            for (const boundary of target.kind === "group" || unbounded ? [] : this.boundaryChoices(node, target, may, on)) {
                const put = `iam:Put${target.kind === "role" ? "Role" : "User"}PermissionsBoundary`;
                const under = this.writeAccess(target, may, on(target, boundary));
                if (under) {
                    const bounded = this.withPoliciesNode(target, under.any ? "any" : under.policies, boundary);
                    add(bounded.id, `${put} + ${under.label} on ${where}`, `bounded by ${boundary}`);
                }
            }
        }
    }

    /**
     * What an actor can write into `target`: any policy (`any`), or only some managed policies of
     * the stack (an attach permission limited by an iam:PolicyARN condition).
     */
    private writeAccess(
        target: IamPrincipal,
        may: (a: string, r?: string, c?: Context) => boolean,
        ctx: Context,
    ): { label: string; any: true; note?: string } | { label: string; any: false; policies: ManagedPolicyRecord[] } | undefined {
        const kind = target.kind === "role" ? "Role" : target.kind === "user" ? "User" : "Group";
        if (may(`iam:Put${kind}Policy`, target.arn, ctx)) {
            return { label: `iam:Put${kind}Policy`, any: true };
        }
        for (const pol of target.policies) {
            const customer = pol.arn ? !pol.arn.includes(":iam::aws:policy/") : pol.source.label.startsWith("customer-managed policy");
            if (!customer) {
                continue;
            }
            const arn = pol.arn ?? `arn:aws:iam::${SEG}:policy/${/"(.*)"/.exec(pol.source.label)?.[1] ?? "*"}`;
            const shown = pol.arn ?? `policy "${/"(.*)"/.exec(pol.source.label)?.[1] ?? "*"}"`;
            if (may("iam:CreatePolicyVersion", arn)) {
                return { label: `iam:CreatePolicyVersion on ${shown}`, any: true };
            }
            // Earlier versions of the policy are not in the stack: whichever it makes default may
            // allow anything, so the analysis cannot prove the switch harmless and fails closed.
            if (may("iam:SetDefaultPolicyVersion", arn)) {
                return {
                    label: `iam:SetDefaultPolicyVersion on ${shown}`,
                    any: true,
                    note: "earlier versions of that policy are not in the stack, so the version it can make default cannot be verified; deny iam:SetDefaultPolicyVersion on it",
                };
            }
        }
        const attach = `iam:Attach${kind}Policy`;
        if (!may(attach, target.arn, ctx)) {
            return undefined;
        }
        if (may(attach, target.arn, ctx.with({ "iam:PolicyARN": WORST_POLICY_ARN }))) {
            return { label: attach, any: true };
        }
        // Attaching is limited by iam:PolicyARN: only the stack's policies it may attach count.
        const policies = this.iam.managedPolicies.filter(
            (m) => m.arn !== undefined && m.doc.state === "known" && !target.policies.some((p) => p.arn === m.arn) && may(attach, target.arn, ctx.with({ "iam:PolicyARN": m.arn })),
        );
        return policies.length > 0 ? { label: attach, any: false, policies } : undefined;
    }

    /**
     * `X` with some more managed policies attached (still under its boundary), or with any policy
     * or those policies under `boundary`, a boundary the actor puts on it first.
     */
    private withPoliciesNode(x: IamPrincipal, policies: ManagedPolicyRecord[] | "any", boundary?: string): GraphNode {
        const names = policies === "any" ? ["any policy"] : policies.map((m) => m.name ?? m.resource.name).sort();
        const base = this.iam.permissionInputs(x);
        const extra = policies === "any" ? ALLOW_ALL : policies.flatMap((m) => (m.doc.state === "known" ? m.doc.doc.statements : []));
        const what = policies === "any" ? "any policy" : `${names.join(", ")} attached`;
        const under = boundary === undefined ? "" : `, bounded by ${boundary}`;
        return this.addNode({
            id: `${x.id}+${names.join(",")}${boundary === undefined ? "" : `@${boundary}`}`,
            kind: "aws-empowered",
            label: `${x.kind} "${x.name}" with ${what}${under}`,
            short: `${x.name} (${policies === "any" ? "" : "with "}${what}${under})`,
            principal: x,
            inputs: boundary === undefined ? { ...base, identity: [...base.identity, ...extra] } : { ...base, identity: [...base.identity, ...extra], boundary: this.boundaryStatements(boundary) },
            context: this.iam.contextOf(x),
            report: x.resource,
        });
    }

    /**
     * Boundaries (other than its own) the actor may put on `target` that could matter: the values
     * its Allow statements' iam:PermissionsBoundary conditions name (on the boundary change itself,
     * or on the writes that require one), and the worst one (AdministratorAccess) for writes that
     * only require some boundary (`Null` false) while the change is unconstrained.
     */
    private boundaryChoices(node: GraphNode, target: IamPrincipal, may: (a: string, r?: string, c?: Context) => boolean, on: (t: IamPrincipal, b?: string | null) => Context): string[] {
        const put = `iam:Put${target.kind === "role" ? "Role" : "User"}PermissionsBoundary`;
        if (!may(put, target.arn)) {
            return []; // not even with the boundary unknown
        }
        const out = new Set<string>([WORST_POLICY_ARN]);
        for (const s of node.inputs!.identity) {
            if (s.effect === "Allow") {
                for (const c of s.conditions) {
                    if (c.key === "iam:permissionsboundary" && /^(String|Arn)/i.test(c.operator) && !/Not/i.test(c.operator)) {
                        c.values.forEach((v) => out.add(v));
                    }
                }
            }
        }
        return [...out].filter((b) => b !== target.boundary?.arn && may(put, target.arn, on(target, b)));
    }

    /** `X*`: X with any policy; its boundary stays unless the actor can also remove or rewrite it. */
    private empoweredNode(x: IamPrincipal, may: (a: string, r?: string, c?: Context) => boolean, on: (t: IamPrincipal, b?: string | null) => Context): GraphNode {
        const kind = x.kind === "role" ? "Role" : "User";
        const boundary = x.boundary;
        let bounded = boundary !== undefined;
        if (boundary) {
            // Replacing the boundary counts only when another (the worst) boundary may be put in its place.
            const canRemove = may(`iam:Delete${kind}PermissionsBoundary`, x.arn, on(x)) || may(`iam:Put${kind}PermissionsBoundary`, x.arn, on(x, WORST_POLICY_ARN));
            // A new default version of a customer-managed boundary, or an earlier one (not in the stack), lifts it.
            const customer = boundary.arn.startsWith("arn:") && !boundary.arn.includes(":iam::aws:policy/");
            const canRewrite = customer && (may("iam:CreatePolicyVersion", boundary.arn) || may("iam:SetDefaultPolicyVersion", boundary.arn));
            bounded = !(canRemove || canRewrite);
        }
        const id = bounded ? `${x.id}*` : `${x.id}*!`;
        return this.addNode({
            id,
            kind: "aws-empowered",
            label: `${x.kind} "${x.name}" with any policy${bounded ? ` (bounded by ${boundary!.arn})` : ""}`,
            short: `${x.name} (any policy${bounded ? `, bounded by ${boundary!.arn}` : ""})`,
            principal: x,
            inputs: { identity: ALLOW_ALL, boundary: bounded ? boundary!.policy?.statements ?? [] : undefined },
            context: this.iam.contextOf(x),
            report: x.resource,
        });
    }

    private newRoleEdges(node: GraphNode, ctx: Context, may: (a: string, r?: string, c?: Context) => boolean, add: (to: string, label: string, note?: string) => void): void {
        if (!may("iam:CreateRole", NEW_ROLE)) {
            return;
        }
        const candidates: (string | null)[] = [null];
        for (const s of node.inputs!.identity) {
            if (s.effect === "Allow" && allowApplies(s, { action: "iam:CreateRole", resource: "*", context: ctx }) !== "no") {
                for (const c of s.conditions) {
                    if (c.key === "iam:permissionsboundary") {
                        candidates.push(...c.values);
                    }
                }
            }
        }
        for (const boundary of [...new Set(candidates)]) {
            const c = ctx.with({ "iam:PermissionsBoundary": boundary });
            // Where the actor may create roles (the scope of its CreateRole permission).
            if (!may("iam:CreateRole", NEW_ROLE, c)) {
                continue;
            }
            const write = ["iam:PutRolePolicy", "iam:AttachRolePolicy"].find((a) =>
                may(a, NEW_ROLE, a === "iam:AttachRolePolicy" ? c.with({ "iam:PolicyARN": WORST_POLICY_ARN }) : c),
            );
            if (!write) {
                continue;
            }
            const statements = boundary === null ? undefined : this.boundaryStatements(boundary);
            const id = `new-role:${boundary ?? "(none)"}`;
            this.addNode({
                id,
                kind: "aws-new",
                label: boundary === null ? "a new role (no permissions boundary)" : `a new role (boundary ${boundary})`,
                short: boundary === null ? "a new role without a permissions boundary" : `a new role bounded by ${boundary}`,
                inputs: { identity: ALLOW_ALL, boundary: statements },
                context: new Context({ "aws:PrincipalType": "AssumedRole" }),
            });
            add(id, `iam:CreateRole + ${write}`, boundary === null ? "any policy, no boundary required" : `must carry boundary ${boundary}`);
            if (boundary === null) {
                return; // unbounded already covers every bounded variant
            }
        }
    }

    /** Statements of a boundary policy given by ARN; undefined (no limit) when it cannot be resolved. */
    private boundaryStatements(arn: string): Statement[] | undefined {
        if (hasWildcard(arn)) {
            // A pattern (ArnLike): the actor picks any matching policy; all must be known, and the
            // new role may get whichever allows most (the union of their statements).
            const matching = this.iam.managedPolicies.filter((m) => m.arn !== undefined && globMatches(arn, m.arn));
            if (matching.length === 0 || matching.some((m) => m.doc.state !== "known")) {
                return undefined;
            }
            const all = matching.flatMap((m) => (m.doc.state === "known" ? m.doc.doc.statements : []));
            // A Deny of one boundary does not bind a role created under another.
            return matching.length > 1 ? all.filter((s) => s.effect === "Allow") : all;
        }
        const name = arn.slice(arn.lastIndexOf("/") + 1);
        const rec = this.iam.managedPolicies.find((m) => m.arn === arn || m.name === name);
        if (rec && rec.doc.state === "known") {
            return rec.doc.doc.statements;
        }
        const raw = awsManagedPolicyDocument(arn);
        if (raw !== undefined) {
            const parsed = parsePolicyDocument(raw, { label: `AWS-managed policy ${arn}` });
            return parsed.state === "known" ? parsed.doc.statements : undefined;
        }
        return undefined;
    }

    // ---- EKS: IAM principals into Kubernetes, service accounts into IAM ----------------------

    private readEks(): void {
        const principalFor = (r: StackResource): IamPrincipal | undefined => {
            const dep = (r.propertyDependencies.principalArn ?? []).map((u) => this.iam.byId.get(u)).find((p) => p);
            if (dep) {
                return dep;
            }
            const arn = readString(r.props, "principalArn");
            return arn.state === "known" ? this.iam.principalsNamedBy(arn.value)[0] : undefined;
        };
        const entryEdges = new Map<string, GraphEdge[]>();
        const addEntryEdge = (from: IamPrincipal, to: GraphNode, label: string) => {
            const list = entryEdges.get(from.id) ?? [];
            list.push({ from: from.id, to: to.id, label });
            entryEdges.set(from.id, list);
        };
        for (const entry of this.stack.ofTypes([EKS_ACCESS_ENTRY.aws, EKS_ACCESS_ENTRY.native])) {
            const p = principalFor(entry);
            if (!p) {
                continue;
            }
            const groups = read(entry.props, "kubernetesGroups");
            if (groups.state === "known" && Array.isArray(groups.value)) {
                for (const g of groups.value) {
                    if (typeof g === "string") {
                        addEntryEdge(p, this.addSubjectNode(this.rbac.subjects.get(`k8s:Group:${g}`) ?? makeSubject("Group", g)), `EKS access entry "${entry.name}"`);
                    }
                }
            }
            const user = readString(entry.props, "userName");
            if (user.state === "known") {
                addEntryEdge(p, this.addSubjectNode(this.rbac.subjects.get(`k8s:User:${user.value}`) ?? makeSubject("User", user.value)), `EKS access entry "${entry.name}"`);
            }
        }
        for (const assoc of this.stack.ofTypes([EKS_ACCESS_POLICY_ASSOCIATION])) {
            const p = principalFor(assoc);
            const policy = readString(assoc.props, "policyArn");
            if (!p || policy.state !== "known") {
                continue;
            }
            const name = policy.value.slice(policy.value.lastIndexOf("/") + 1);
            const builtin = { AmazonEKSClusterAdminPolicy: "cluster-admin", AmazonEKSAdminPolicy: "admin", AmazonEKSEditPolicy: "edit", AmazonEKSViewPolicy: "view" }[name];
            const role = builtin ? BUILTIN_CLUSTER_ROLES.find((r) => r.name === builtin) : undefined;
            if (!role) {
                continue;
            }
            const scopeType = readString(assoc.props, "accessScope.type");
            const namespaces = read(assoc.props, "accessScope.namespaces");
            const nsList: (string | undefined)[] =
                scopeType.state === "known" && scopeType.value === "namespace" && namespaces.state === "known" && Array.isArray(namespaces.value)
                    ? (namespaces.value as unknown[]).filter((n): n is string => typeof n === "string")
                    : [undefined];
            const id = `eks:${assoc.urn}`;
            const grants: K8sGrant[] = [];
            for (const ns of nsList) {
                for (const rule of role.rules) {
                    grants.push({ rule, namespace: ns, binding: assoc, role });
                }
            }
            const node = this.addNode({ id, kind: "k8s", label: `EKS access policy ${name} of ${p.kind} "${p.name}"`, short: `Kubernetes (${name})`, grants, report: assoc });
            addEntryEdge(p, node, `EKS access policy association "${assoc.name}"`);
        }
        // IRSA: a service account annotated with a role ARN acts as that role.
        for (const [id, sa] of this.rbac.serviceAccountResources) {
            const arn = read(sa.props, ["metadata", "annotations", "eks.amazonaws.com/role-arn"]);
            if (arn.state !== "known" || typeof arn.value !== "string") {
                continue;
            }
            const role = this.iam.principalsNamedBy(arn.value).find((p) => p.kind === "role");
            if (role) {
                const list = this.extraEdges.get(id) ?? [];
                list.push({ from: id, to: role.id, label: "IRSA (eks.amazonaws.com/role-arn)", note: `annotated on ServiceAccount "${sa.name}"` });
                this.extraEdges.set(id, list);
            }
        }
        for (const [from, list] of entryEdges) {
            this.extraEdges.set(from, [...(this.extraEdges.get(from) ?? []), ...list]);
        }
    }

    private readonly extraEdges = new Map<string, GraphEdge[]>();

    /** Edges of a node (computed ones plus EKS/IRSA links); an edge with `toSet` leads to a TargetSet. */
    edgesOf(id: string): GraphEdge[] {
        const extra = this.extraEdges.get(id);
        const own = this.edges.get(id) ?? [];
        return extra ? [...own, ...extra] : own;
    }

    /** Edges of a node with each edge into a set replaced by one edge per member (the per-target view; tests and references). */
    expandedEdgesOf(id: string): GraphEdge[] {
        return this.edgesOf(id).flatMap((e) => (e.toSet ? this.targetSets.get(e.to)!.members.map((m) => memberEdge(e, m)) : [e]));
    }

    // ---- Kubernetes edges ---------------------------------------------------------------------

    private k8sEdges(node: GraphNode): GraphEdge[] {
        const grants = node.grants ?? [];
        const out: GraphEdge[] = [];
        if (grants.length === 0) {
            return out;
        }
        const add = (to: GraphNode, label: string, note: string | undefined, via: K8sGrant | undefined) => {
            if (to.id !== node.id) {
                out.push({ from: node.id, to: to.id, label, note, via: via?.binding });
            }
        };
        const addSet = (set: TargetSet, label: string, via: K8sGrant | undefined) => {
            if (set.members.length > 0) {
                out.push({ from: node.id, to: set.id, label, via: via?.binding, toSet: true });
            }
        };
        // A subject bound in thousands of namespaces: look only at the grants that can apply in one.
        const { scoped, grantsIn } = grantsByNamespace(grants);
        const subjects = [...this.rbac.subjects.values()];
        const mayImpersonate = grants.some((g) => g.rule.verbs.includes("impersonate") || g.rule.verbs.includes("*"));
        // impersonate
        for (const [resource, kind] of mayImpersonate ? ([["users", "User"], ["groups", "Group"], ["serviceaccounts", "ServiceAccount"]] as const) : []) {
            // The first grant that allows impersonating some subject, if unrestricted, is the grant for every subject.
            const first = findGrant(grants, { apiGroup: "", resource, verb: "impersonate" });
            if (this.shareTargets && first && first.namespace === undefined && !first.rule.resourceNames) {
                addSet(this.subjectsSet(kind), `impersonate ${resource}`, first);
                continue;
            }
            for (const s of subjects) {
                if (s.kind !== kind) {
                    continue;
                }
                const g = findGrant(grantsIn(s.namespace), { apiGroup: "", resource, verb: "impersonate", namespace: s.namespace, resourceName: s.name });
                if (g) {
                    add(this.addSubjectNode(s), `impersonate ${resource}`, undefined, g);
                }
            }
        }
        // bind / escalate to any role, in a namespace or the cluster
        for (const [ns, inScope] of scoped) {
            const scoped = inScope;
            const roleKinds = ns === undefined ? ["clusterroles", "roles"] : ["roles", "clusterroles"];
            const bindingKind = ns === undefined ? "clusterrolebindings" : "rolebindings";
            let label: string | undefined;
            let via: K8sGrant | undefined;
            for (const rk of roleKinds) {
                const bind = findGrant(scoped, { apiGroup: "rbac.authorization.k8s.io", resource: rk, verb: "bind" });
                if (bind && findGrant(scoped, { apiGroup: "rbac.authorization.k8s.io", resource: bindingKind, verb: "create" })) {
                    label = `bind ${rk} + create ${bindingKind}`;
                    via = bind;
                    break;
                }
                const update = ["update", "patch"].find((v) => findGrant(scoped, { apiGroup: "rbac.authorization.k8s.io", resource: rk, verb: v }));
                const escalate = findGrant(scoped, { apiGroup: "rbac.authorization.k8s.io", resource: rk, verb: "escalate" });
                if (escalate && update) {
                    label = `escalate + ${update} ${rk}`;
                    via = escalate;
                    break;
                }
            }
            if (label && node.kind !== "k8s-empowered") {
                const id = `k8s-any:${ns ?? "(cluster)"}`;
                const target = this.addNode({
                    id,
                    kind: "k8s-empowered",
                    label: ns ? `any role in namespace ${ns}` : "any role in the cluster",
                    short: ns ? `any role in namespace ${ns}` : "any role in the cluster",
                    grants: [{ rule: K8S_ALL, namespace: ns, binding: scoped[0].binding, role: scoped[0].role }],
                });
                add(target, label, ns ? `in namespace ${ns}` : "cluster-wide", via);
            }
        }
        // run as, or take the token of, service accounts
        const clusterWide = grants.some((g) => g.namespace === undefined);
        const namespaces = clusterWide
            ? [...this.rbac.serviceAccountsByNamespace.keys()]
            : [...new Set(grants.map((g) => g.namespace!))].filter((ns) => this.rbac.serviceAccountsByNamespace.has(ns));
        for (const ns of namespaces) {
            const names = this.rbac.serviceAccountsByNamespace.get(ns)!;
            const withDefault = new Set([...names, "default"]);
            // Creating a workload, or updating one (a new image, or another serviceAccountName), runs code as a service account.
            let workloadGrant: K8sGrant | undefined;
            let workloadVerb = "create";
            const workload = WORKLOAD_RESOURCES.find(([group, resource]) =>
                ["create", "update", "patch"].some((verb) => {
                    workloadGrant = findGrant(grantsIn(ns), { apiGroup: group, resource, verb, namespace: ns });
                    workloadVerb = verb;
                    return workloadGrant !== undefined;
                }),
            );
            if (workload && this.shareTargets) {
                addSet(this.namespaceAccountsSet(ns, withDefault), `${workloadVerb} ${workload[1]} in namespace ${ns}`, workloadGrant);
                continue;
            }
            for (const name of withDefault) {
                const s = this.rbac.subjects.get(`k8s:ServiceAccount:${ns}/${name}`) ?? makeSubject("ServiceAccount", name, ns);
                if (s.id === node.id) {
                    continue;
                }
                if (workload) {
                    add(this.addSubjectNode(s), `${workloadVerb} ${workload[1]} in namespace ${ns}`, `runs as ${s.label}`, workloadGrant);
                    continue;
                }
                // exec/attach into running pods: they carry their service account's token
                const exec = findGrant(grantsIn(ns), { apiGroup: "", resource: "pods/exec", verb: "create", namespace: ns }) ?? findGrant(grantsIn(ns), { apiGroup: "", resource: "pods/attach", verb: "create", namespace: ns });
                if (exec && this.rbac.workloadServiceAccounts.has(s.id)) {
                    add(this.addSubjectNode(s), `create ${exec.rule.resources.includes("pods/attach") && !exec.rule.resources.includes("pods/exec") ? "pods/attach" : "pods/exec"} in namespace ${ns}`, `pods run as ${s.label}`, exec);
                    continue;
                }
                const token = findGrant(grantsIn(ns), { apiGroup: "", resource: "serviceaccounts/token", verb: "create", namespace: ns, resourceName: name });
                if (token) {
                    add(this.addSubjectNode(s), `create serviceaccounts/token in namespace ${ns}`, `a token of ${s.label}`, token);
                    continue;
                }
                const secret = this.rbac.tokenSecrets.get(s.id);
                if (secret) {
                    const secretName = readString(secret.props, "metadata.name");
                    let secretGrant: K8sGrant | undefined;
                    const verb = ["get", "list", "watch"].find((v) =>
                        (secretGrant = findGrant(grantsIn(ns), { apiGroup: "", resource: "secrets", verb: v, namespace: ns, resourceName: v === "get" && secretName.state === "known" ? secretName.value : undefined })),
                    );
                    if (verb) {
                        add(this.addSubjectNode(s), `${verb} secrets in namespace ${ns}`, `reads the token of ${s.label}`, secretGrant);
                    }
                }
            }
        }
        // nodes/proxy reaches the kubelet API, which runs commands in any pod on the node (get
        // suffices over a WebSocket): nodes are cluster-scoped, so only cluster-wide grants count.
        const nodeGrants = grants.filter((g) => g.namespace === undefined);
        let proxy: K8sGrant | undefined;
        const proxyVerb = nodeGrants.length === 0 ? undefined : ["get", "create"].find((verb) => (proxy = findGrant(nodeGrants, { apiGroup: "", resource: "nodes/proxy", verb })));
        if (proxyVerb) {
            for (const id of this.rbac.workloadServiceAccounts) {
                const s = this.rbac.subjects.get(id);
                if (s && s.id !== node.id) {
                    add(this.addSubjectNode(s), `${proxyVerb} nodes/proxy (kubelet API)`, `runs commands in pods of ${s.label}`, proxy);
                }
            }
        }
        return out;
    }
}

/**
 * A subject's grants by the namespace they are bound in (undefined: cluster-wide), and the grants
 * that can apply in a namespace (its own and the cluster-wide ones) in their original order, so
 * `findGrant` over them finds the same first grant as over all grants.
 */
function grantsByNamespace(grants: readonly K8sGrant[]): { scoped: Map<string | undefined, K8sGrant[]>; grantsIn: (ns: string | undefined) => readonly K8sGrant[] } {
    const scoped = new Map<string | undefined, K8sGrant[]>();
    const order = new Map<K8sGrant, number>();
    grants.forEach((g, i) => {
        pushTo(scoped, g.namespace, g);
        order.set(g, i);
    });
    const memo = new Map<string, readonly K8sGrant[]>();
    const grantsIn = (ns: string | undefined): readonly K8sGrant[] => {
        if (ns === undefined) {
            return grants;
        }
        let list = memo.get(ns);
        if (!list) {
            const own = scoped.get(ns) ?? [];
            const cluster = scoped.get(undefined) ?? [];
            list = cluster.length === 0 ? own : [...cluster, ...own].sort((a, b) => order.get(a)! - order.get(b)!);
            memo.set(ns, list);
        }
        return list;
    };
    return { scoped, grantsIn };
}

/** The per-target edge an edge into a set stands for. */
export function memberEdge(e: GraphEdge, m: SetMember): GraphEdge {
    return { from: e.from, to: m.to, label: m.labelSuffix ? e.label + m.labelSuffix : e.label, note: m.note ?? e.note, via: e.via };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list) {
        list.push(value);
    } else {
        map.set(key, [value]);
    }
}

/** One membership per target (a role trusting the same account in two statements is one member). */
function dedupMembers(members: SetMember[]): SetMember[] {
    const seen = new Set<string>();
    return members.filter((m) => !seen.has(m.to) && seen.add(m.to) !== undefined);
}

function allowsAssume(s: Statement): boolean {
    return ["sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml"].some((a) =>
        allowApplies(s, { action: a, resource: "*", context: new Context() }, a) !== "no",
    );
}

/** The principal graph of a stack, built once per AnalyzeStack and shared by the duty policies. */
export function principalGraph(stack: StackModel, options: GraphOptions = {}): PrincipalGraph {
    if (options.shareTargets === false) {
        return stack.derive("principal-graph:per-target", (m) => new PrincipalGraph(m, options));
    }
    return stack.derive("principal-graph", (m) => new PrincipalGraph(m));
}
