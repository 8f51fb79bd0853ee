/**
 * The IAM policy evaluator: given a principal's identity statements, its permissions boundary and
 * the resource-policy statements that grant to it, may it perform `action` on some resource in
 * `scope` (an ARN pattern)?
 *
 * Semantics (AWS's evaluation logic, made safe for an analysis that must not miss a conflict):
 *  - an explicit Deny wins, but only when it provably applies: its actions match, its resources
 *    cover the whole scope, and its conditions certainly hold;
 *  - an Allow applies when its actions match, its resources reach some of the scope, and its
 *    conditions may hold (unknown context counts as "may");
 *  - a permissions boundary intersects identity permissions: the boundary must allow too;
 *  - Action/NotAction, Resource/NotResource, `*` and `?` wildcards, case-insensitive actions,
 *    policy variables (substituted from context; unknown ones widen an Allow and void a Deny);
 *  - conditions see the request's action, so action-scoped IAM keys (iam:PermissionsBoundary,
 *    iam:PolicyARN, iam:PassedToService) are absent for actions that never set them.
 */
import { and, Context, evaluateConditions, or, substituteVariables, Tri, widenVariables } from "./conditions";
import type { Statement } from "./document";
import { globCovers, globIntersects, globMatches, hasWildcard } from "./glob";

export interface Request {
    /** A concrete action, any case (`lambda:UpdateFunctionCode`). */
    action: string;
    /** The resource scope: an ARN or ARN pattern (`*` = any resource). */
    resource: string;
    context: Context;
}

export interface Decision {
    allowed: Tri;
    /** The Allow statement that grants it (best one). */
    via?: Statement;
    /** The explicit Deny that removes it. */
    deniedBy?: Statement;
    /** True when the identity policies allow it but the boundary does not. */
    outsideBoundary?: boolean;
}

interface CompiledActions {
    exact: Set<string>;
    patterns: string[];
}

const compiled = new WeakMap<Statement, CompiledActions>();

function compile(list: readonly string[]): CompiledActions {
    const exact = new Set<string>();
    const patterns: string[] = [];
    for (const a of list) {
        if (hasWildcard(a)) {
            patterns.push(a);
        } else {
            exact.add(a);
        }
    }
    return { exact, patterns };
}

function listMatches(c: CompiledActions, action: string): boolean {
    if (c.exact.has(action)) {
        return true;
    }
    for (const p of c.patterns) {
        if (globMatches(p, action)) {
            return true;
        }
    }
    return false;
}

/** Does the statement's Action/NotAction cover this (lower-cased) action? */
export function actionMatches(s: Statement, action: string): boolean {
    let c = compiled.get(s);
    if (!c) {
        c = compile(s.actions ?? s.notActions ?? []);
        compiled.set(s, c);
    }
    const hit = listMatches(c, action);
    return s.actions ? hit : !hit;
}

/** An Allow's resources reach some resource in `scope`. */
export function resourceReaches(s: Statement, scope: string, context: Context): boolean {
    if (s.resources) {
        return s.resources.some((r) => globIntersects(widenVariables(r, context), scope));
    }
    if (s.notResources) {
        // Reaches unless the excluded resources provably cover the whole scope.
        return !s.notResources.some((r) => {
            const sub = substituteVariables(r, context);
            return sub !== undefined && globCovers(unescape(sub), scope);
        });
    }
    return true;
}

/** A Deny's resources cover every resource in `scope`. */
export function resourceCovers(s: Statement, scope: string, context: Context): boolean {
    if (s.resources) {
        return s.resources.some((r) => {
            const sub = substituteVariables(r, context);
            return sub !== undefined && globCovers(unescape(sub), scope);
        });
    }
    if (s.notResources) {
        return !s.notResources.some((r) => globIntersects(widenVariables(r, context), scope));
    }
    return true;
}

function unescape(s: string): string {
    return s.replace(/\u0000([*?$])/g, "$1");
}

/** How certainly an Allow statement applies to the request. */
export function allowApplies(s: Statement, req: Request, action = req.action.toLowerCase()): Tri {
    if (s.effect !== "Allow" || !actionMatches(s, action) || !resourceReaches(s, req.resource, req.context)) {
        return "no";
    }
    return evaluateConditions(s.conditions, req.context, action);
}

/** A Deny statement provably applies to the whole request. */
export function denyApplies(s: Statement, req: Request, action = req.action.toLowerCase()): boolean {
    if (s.effect !== "Deny" || !actionMatches(s, action) || !resourceCovers(s, req.resource, req.context)) {
        return false;
    }
    return evaluateConditions(s.conditions, req.context, action) === "yes";
}

function bestAllow(statements: readonly Statement[], req: Request, action: string): { tri: Tri; via?: Statement } {
    let tri: Tri = "no";
    let via: Statement | undefined;
    for (const s of statements) {
        if (s.effect !== "Allow") {
            continue;
        }
        const t = allowApplies(s, req, action);
        if (t === "yes") {
            return { tri: "yes", via: s };
        }
        if (t === "maybe" && tri === "no") {
            tri = "maybe";
            via = s;
        }
    }
    return { tri, via };
}

function firstDeny(statements: readonly Statement[], req: Request, action: string): Statement | undefined {
    for (const s of statements) {
        if (s.effect === "Deny" && denyApplies(s, req, action)) {
            return s;
        }
    }
    return undefined;
}

/** The permissions of one principal, as statements from every place that grants or limits them. */
export interface PermissionInputs {
    identity: readonly Statement[];
    /** Permissions boundary statements; undefined when the principal has no boundary. */
    boundary?: readonly Statement[];
    /** Statements of resource policies (key, bucket policies) that name this principal. */
    grants?: readonly Statement[];
    /** Whether the boundary also limits what resource policies grant (true for roles). */
    boundaryLimitsGrants?: boolean;
}

export function evaluate(p: PermissionInputs, req: Request): Decision {
    const action = req.action.toLowerCase();
    const deny = firstDeny(p.identity, req, action) ?? (p.boundary ? firstDeny(p.boundary, req, action) : undefined) ?? (p.grants ? firstDeny(p.grants, req, action) : undefined);
    if (deny) {
        return { allowed: "no", deniedBy: deny };
    }
    const identity = bestAllow(p.identity, req, action);
    const grant = p.grants ? bestAllow(p.grants, req, action) : { tri: "no" as Tri };
    if (identity.tri === "no" && grant.tri === "no") {
        return { allowed: "no" };
    }
    if (!p.boundary) {
        const tri = or(identity.tri, grant.tri);
        return { allowed: tri, via: identity.tri === "yes" || grant.tri === "no" ? identity.via : grant.via };
    }
    const bounded = bestAllow(p.boundary, req, action);
    const viaIdentity = and(identity.tri, bounded.tri);
    const viaGrant = p.boundaryLimitsGrants === false ? grant.tri : and(grant.tri, bounded.tri);
    const tri = or(viaIdentity, viaGrant);
    if (tri === "no") {
        return { allowed: "no", outsideBoundary: true };
    }
    return { allowed: tri, via: viaIdentity !== "no" ? identity.via : grant.via };
}

/**
 * Services (lower-case prefixes) an Allow among `statements` may grant, or "all" when a statement
 * uses NotAction or a service wildcard. A fast pre-filter: an action of another service is never allowed.
 */
export function allowedServices(statements: readonly Statement[]): Set<string> | "all" {
    const out = new Set<string>();
    for (const s of statements) {
        if (s.effect !== "Allow") {
            continue;
        }
        if (!s.actions) {
            return "all";
        }
        for (const a of s.actions) {
            const colon = a.indexOf(":");
            const svc = colon < 0 ? a : a.slice(0, colon);
            if (svc.includes("*") || svc.includes("?")) {
                return "all";
            }
            out.add(svc);
        }
    }
    return out;
}

/**
 * Condition keys whose value may come from the resource or the request's target rather than the
 * caller (resource tags; the target's permissions boundary, the policy attached, the service a role
 * is passed to, which the principal graph resolves per target): never assume they are the same for
 * every resource.
 */
const RESOURCE_KEY = /^(aws:resource|[a-z0-9-]+:resourcetag\/|iam:permissionsboundary$|iam:policyarn$|iam:passedtoservice$)/;

/**
 * The decision for `action` when it cannot depend on the resource: true (allowed, possibly under
 * conditions) or false when every statement that could decide it applies to all resources alike
 * (`Resource: "*"` or none), so one evaluation stands for every target ARN; undefined when some
 * statement names particular resources (ask `evaluate` per resource). Lets the principal graph
 * link an actor to a whole set of targets (e.g. every role trusting the account) at once.
 */
export function decisionForEveryResource(p: PermissionInputs, action: string, context: Context): boolean | undefined {
    const a = action.toLowerCase();
    for (const list of [p.identity, p.boundary ?? [], p.grants ?? []]) {
        for (const s of list) {
            if (!actionMatches(s, a)) {
                continue;
            }
            const cond = evaluateConditions(s.conditions, context);
            if (cond === "no") {
                continue;
            }
            // A condition on the target (its tags, its boundary) may hold for some targets and not
            // others, Allow or Deny alike: the graph resolves it per target.
            if (s.conditions.some((c) => RESOURCE_KEY.test(c.key.toLowerCase()))) {
                return undefined;
            }
            // Otherwise only an Allow that may apply, or a Deny that certainly applies, can decide anything.
            const decides = s.effect === "Allow" || cond === "yes";
            if (decides && !coversEveryResource(s)) {
                return undefined;
            }
        }
    }
    return evaluate(p, { action, resource: "*", context }).allowed !== "no";
}

function coversEveryResource(s: Statement): boolean {
    return s.notResources === undefined && (s.resources === undefined || s.resources.includes("*"));
}
