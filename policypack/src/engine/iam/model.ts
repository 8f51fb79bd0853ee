/**
 * The AWS IAM model of a stack: principals (roles, users, groups) with every policy a stack can
 * give them, group memberships, permissions boundaries, trust policies, and the resource policies
 * (KMS key policies, S3 bucket policies) that grant to them. Built once per AnalyzeStack through
 * `iamModel(model)` (StackModel.derive) and shared by every policy.
 *
 * References between resources (an attachment's `role`, a membership's `users`) resolve through
 * the engine's propertyDependencies first (exact, and available in preview), then by value against
 * each principal's name, id and ARN. Documents and references that are unknown in preview or
 * unreadable are recorded as `problems` on the principal, so policies can say "verified at update"
 * or fail closed instead of passing silently.
 */
import { isUnknown, read, readArray, readString } from "../../framework/values";
import { hasTag, PURPOSE_RELEASE_APPROVAL, tagsOf, TAG_PURPOSE, TAG_STORE } from "../../framework/tags";
import type { StackModel, StackResource } from "../../sdk/stack-model";
import { Context } from "./conditions";
import { ParsedDocument, parsePolicyDocument, PolicySource, Statement } from "./document";
import type { PermissionInputs } from "./evaluate";
import { globMatches, SEG } from "./glob";
import { awsManagedPolicyDocument, isAwsManagedPolicyArn, managedPolicyDataSource } from "./managed-policies";
import {
    IAM_ATTACHMENT,
    IAM_GROUP_MEMBERSHIP,
    IAM_GROUPS,
    IAM_INSTANCE_PROFILE,
    IAM_INLINE_POLICY,
    IAM_POLICIES,
    IAM_POLICY_ATTACHMENT,
    IAM_ROLES,
    IAM_USER_GROUP_MEMBERSHIP,
    IAM_USER_TO_GROUP_ADDITION,
    IAM_USERS,
    KMS_KEY,
    KMS_KEY_POLICY,
    LAMBDA_FUNCTIONS,
    PrincipalKind,
    S3_BUCKET_POLICY,
} from "./types";

/** A document or reference the analysis could not use: unknown in preview, or unreadable. */
export interface Problem {
    /** The resource holding the value (the thing to change or wait for). */
    resource: StackResource;
    path: string;
    state: "unknown" | "unreadable";
    /** For unreadable: why (continues after the path). */
    reason: string;
    /** A trust policy (who can become the principal) rather than its permissions. */
    trust?: boolean;
    /** A resource policy (key or bucket policy) that may grant duties. */
    resourcePolicy?: boolean;
}

export interface AttachedPolicy {
    source: PolicySource;
    statements: Statement[];
    /** The ARN it was attached by (managed and customer policies). */
    arn?: string;
}

export interface ManagedPolicyRecord {
    resource: StackResource;
    name?: string;
    arn?: string;
    doc: ParsedDocument;
    path: string;
}

export interface IamPrincipal {
    /** Node id in the principal graph: the resource's URN. */
    id: string;
    kind: PrincipalKind;
    resource: StackResource;
    /** Physical name when known, else the Pulumi name. */
    name: string;
    /** The ARN, or a pattern standing for it while unknown (`arn:aws:iam::*:role/<name>`). */
    arn: string;
    arnKnown: boolean;
    account?: string;
    policies: AttachedPolicy[];
    /** Permissions boundary: absent, resolved, or a problem (recorded in `problems`). */
    boundary?: { arn: string; policy?: AttachedPolicy };
    /** Role trust policy statements. */
    trust?: Statement[];
    /** Principals trusted while the trust policy is unknown (from its property dependencies). */
    trustPending?: Set<string>;
    groups: Set<IamPrincipal>;
    members: Set<IamPrincipal>;
    tags: Record<string, string>;
    problems: Problem[];
    /** Resource-policy statements naming this principal (resources made explicit). */
    grants: Statement[];
}

export interface ResourcePolicyRecord {
    resource: StackResource;
    /** The ARN (or pattern) of what the policy protects. */
    resourceArn: string;
    kind: "kms" | "s3";
    statements: Statement[];
}

export class IamModel {
    readonly principals: IamPrincipal[] = [];
    readonly byId = new Map<string, IamPrincipal>();
    readonly managedPolicies: ManagedPolicyRecord[] = [];
    readonly resourcePolicies: ResourcePolicyRecord[] = [];
    /** Compute (functions, build projects, instances, ...) and the role each runs code as. */
    readonly runsAs: { resource: StackResource; role: IamPrincipal; kind: ComputeKind; arn: string }[] = [];
    /** Statements of resource policies granting to every principal (`Principal: "*"`). */
    readonly grantsToAll: Statement[] = [];
    private readonly keyIndex = new Map<PrincipalKind, Map<string, IamPrincipal[]>>();
    private readonly policyIndex = new Map<string, ManagedPolicyRecord[]>();
    private readonly contexts = new Map<string, Context>();

    constructor(readonly stack: StackModel) {
        this.readPrincipals();
        this.readManagedPolicies();
        for (const p of this.principals) {
            this.readEmbedded(p);
        }
        this.readInlinePolicyResources();
        this.readAttachments();
        this.readMemberships();
        this.readResourcePolicies();
        this.readFunctions();
    }

    // ---- principals -------------------------------------------------------------------------

    private readPrincipals(): void {
        const kinds: [PrincipalKind, readonly string[]][] = [
            ["role", IAM_ROLES],
            ["user", IAM_USERS],
            ["group", IAM_GROUPS],
        ];
        for (const [kind, types] of kinds) {
            const index = new Map<string, IamPrincipal[]>();
            this.keyIndex.set(kind, index);
            for (const r of this.stack.ofTypes(types)) {
                const p = this.principalOf(kind, r);
                this.principals.push(p);
                this.byId.set(p.id, p);
                for (const key of new Set([p.name, stringProp(r, "arn"), stringProp(r, "id"), stringProp(r, "roleId")])) {
                    if (key) {
                        const list = index.get(key) ?? [];
                        list.push(p);
                        index.set(key, list);
                    }
                }
            }
        }
    }

    private principalOf(kind: PrincipalKind, r: StackResource): IamPrincipal {
        const native = r.type.startsWith("aws-native:");
        const nameProp = native ? `${kind}Name` : "name";
        const physical = stringProp(r, nameProp);
        const nameUnknown = isUnknown(r.props[nameProp]);
        const arn = stringProp(r, "arn");
        const path = stringProp(r, "path") ?? "/";
        const arnPattern = arn ?? (physical ? `arn:aws:iam::${SEG}:${kind}${path}${physical}` : nameUnknown ? `arn:aws:iam::${SEG}:${kind}/${SEG}` : `arn:aws:iam::${SEG}:${kind}/${r.name}${SEG}`);
        const tags = tagsOf(r);
        return {
            id: r.urn,
            kind,
            resource: r,
            name: physical ?? r.name,
            arn: arnPattern,
            arnKnown: arn !== undefined,
            account: arn ? /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1] : undefined,
            policies: [],
            groups: new Set(),
            members: new Set(),
            tags: tags.state === "known" ? tags.value : {},
            problems: [],
            grants: [],
        };
    }

    /** Principals of `kind` that `resource.props[property]` refers to (a name, ARN or list of them). */
    resolvePrincipals(resource: StackResource, property: string, kind: PrincipalKind): { targets: IamPrincipal[]; problem?: Problem } {
        const targets = new Map<string, IamPrincipal>();
        for (const urn of resource.propertyDependencies[property] ?? []) {
            const p = this.byId.get(urn);
            if (p && p.kind === kind) {
                targets.set(p.id, p);
            }
        }
        const value = read(resource.props, property);
        if (value.state === "unknown") {
            return targets.size > 0 ? { targets: [...targets.values()] } : { targets: [], problem: { resource, path: value.path, state: "unknown", reason: "" } };
        }
        if (value.state !== "known") {
            return { targets: [...targets.values()] };
        }
        const list = Array.isArray(value.value) ? value.value : [value.value];
        let pending = false;
        for (const item of list) {
            if (isUnknown(item)) {
                pending = true;
                continue;
            }
            if (typeof item !== "string") {
                continue;
            }
            for (const p of this.keyIndex.get(kind)?.get(item) ?? this.keyIndex.get(kind)?.get(item.slice(item.lastIndexOf("/") + 1)) ?? []) {
                targets.set(p.id, p);
            }
        }
        if (pending && targets.size === 0) {
            return { targets: [], problem: { resource, path: value.path, state: "unknown", reason: "" } };
        }
        return { targets: [...targets.values()] };
    }

    // ---- documents ---------------------------------------------------------------------------

    private readManagedPolicies(): void {
        for (const r of this.stack.ofTypes(IAM_POLICIES)) {
            const native = r.type.startsWith("aws-native:");
            const docPath = native ? "policyDocument" : "policy";
            const name = stringProp(r, native ? "managedPolicyName" : "name");
            const arn = stringProp(r, native ? "policyArn" : "arn");
            const raw = read(r.props, docPath);
            const source = { label: `customer-managed policy "${name ?? r.name}"`, urn: r.urn };
            const doc: ParsedDocument =
                raw.state === "known"
                    ? parsePolicyDocument(raw.value, source)
                    : raw.state === "unknown"
                      ? { state: "unknown" }
                      : { state: "unreadable", reason: raw.state === "absent" ? "is not set" : raw.reason };
            const rec: ManagedPolicyRecord = { resource: r, name, arn, doc, path: docPath };
            this.managedPolicies.push(rec);
            for (const key of new Set([name, arn, stringProp(r, "id")])) {
                if (key) {
                    const list = this.policyIndex.get(key) ?? [];
                    list.push(rec);
                    this.policyIndex.set(key, list);
                }
            }
            if (native) {
                // aws-native ManagedPolicy attaches itself to the principals it lists.
                for (const [prop, kind] of [["roles", "role"], ["users", "user"], ["groups", "group"]] as const) {
                    const { targets, problem } = this.resolvePrincipals(r, prop, kind);
                    for (const p of targets) {
                        this.attachRecord(p, rec, r, prop);
                    }
                    if (problem) {
                        this.orphanProblems.push(problem);
                    }
                }
            }
        }
    }

    /** Problems on resources that could not be tied to a principal (e.g. an unknown principal reference). */
    readonly orphanProblems: Problem[] = [];

    private attachRecord(p: IamPrincipal, rec: ManagedPolicyRecord, via: StackResource, path: string): void {
        if (rec.doc.state === "known") {
            p.policies.push({ source: rec.doc.doc.source, statements: rec.doc.doc.statements, arn: rec.arn });
        } else if (rec.doc.state === "unknown") {
            p.problems.push({ resource: rec.resource, path: rec.path, state: "unknown", reason: "" });
        } else {
            p.problems.push({ resource: rec.resource, path: rec.path, state: "unreadable", reason: rec.doc.reason });
        }
        void via;
        void path;
    }

    /**
     * Attaches the policy `arn` (read at `resource.props[path]`) to `p`: a customer-managed policy
     * of this stack (by dependency, ARN or name) or an AWS-managed policy from the pack's data.
     */
    private attachArn(p: IamPrincipal, arn: unknown, resource: StackResource, path: string, depUrns: readonly string[]): void {
        if (isUnknown(arn) || (typeof arn === "string" && arn.includes("04da6b54-80e4-46f7-96ec-b56ff0331ba9"))) {
            const fromDeps = depUrns.map((u) => this.managedPolicies.find((m) => m.resource.urn === u)).filter((m): m is ManagedPolicyRecord => !!m);
            if (fromDeps.length > 0) {
                for (const m of fromDeps) {
                    this.attachRecord(p, m, resource, path);
                }
            } else {
                p.problems.push({ resource, path, state: "unknown", reason: "" });
            }
            return;
        }
        if (typeof arn !== "string") {
            p.problems.push({ resource, path, state: "unreadable", reason: `is not a policy ARN (found ${JSON.stringify(arn)})` });
            return;
        }
        const inStack = this.policyIndex.get(arn) ?? this.policyIndex.get(arn.slice(arn.lastIndexOf("/") + 1));
        if (inStack && inStack.length > 0 && !isAwsManagedPolicyArn(arn)) {
            for (const m of inStack) {
                this.attachRecord(p, m, resource, path);
            }
            return;
        }
        if (isAwsManagedPolicyArn(arn)) {
            const raw = awsManagedPolicyDocument(arn);
            if (raw === undefined) {
                p.problems.push({
                    resource,
                    path,
                    state: "unreadable",
                    reason: `refers to the AWS-managed policy ${arn}, which is not in the pack's AWS-managed policy data (${managedPolicyDataSource()}), so its permissions are unknown; regenerate policypack/data with scripts/generate-iam-data.ts or use a customer-managed policy`,
                });
                return;
            }
            const parsed = parsePolicyDocument(raw, { label: `AWS-managed policy ${arn}`, urn: resource.urn });
            if (parsed.state === "known") {
                p.policies.push({ source: parsed.doc.source, statements: parsed.doc.statements, arn });
            }
            return;
        }
        p.problems.push({
            resource,
            path,
            state: "unreadable",
            reason: `refers to ${arn}, a policy that is not defined in this stack, so its permissions cannot be verified; define the policy in this stack`,
        });
    }

    private addDocument(p: IamPrincipal, raw: Read, resource: StackResource, label: string): void {
        if (raw.state === "unknown") {
            p.problems.push({ resource, path: raw.path, state: "unknown", reason: "" });
            return;
        }
        if (raw.state === "unreadable") {
            p.problems.push({ resource, path: raw.path, state: "unreadable", reason: raw.reason });
            return;
        }
        if (raw.state !== "known") {
            return;
        }
        const parsed = parsePolicyDocument(raw.value, { label, urn: resource.urn });
        if (parsed.state === "known") {
            p.policies.push({ source: parsed.doc.source, statements: parsed.doc.statements });
        } else if (parsed.state === "unknown") {
            p.problems.push({ resource, path: raw.path, state: "unknown", reason: "" });
        } else {
            p.problems.push({ resource, path: raw.path, state: "unreadable", reason: parsed.reason });
        }
    }

    /** Policies, boundary and trust written on the principal resource itself. */
    private readEmbedded(p: IamPrincipal): void {
        const r = p.resource;
        const native = r.type.startsWith("aws-native:");
        // Inline policies: aws `inlinePolicies[{name, policy}]`, aws-native `policies[{policyName, policyDocument}]`.
        const listPath = native ? "policies" : "inlinePolicies";
        const list = readArray(r.props, listPath);
        if (list.state === "unknown" || list.state === "unreadable") {
            p.problems.push({ resource: r, path: list.path, state: list.state, reason: list.state === "unreadable" ? list.reason : "" });
        } else if (list.state === "known") {
            list.value.forEach((entry, i) => {
                const base = `${listPath}[${i}]`;
                const name = readString(entry, native ? "policyName" : "name", base);
                const doc = native ? read(entry, "policyDocument", base) : read(entry, "policy", base);
                if (doc.state === "absent" && name.state === "absent") {
                    return; // aws returns an empty block when the role has no inline policies
                }
                this.addDocument(p, doc, r, `inline policy "${name.state === "known" ? name.value : i}" of ${p.kind} "${p.name}"`);
            });
        }
        // Managed policy ARNs.
        const arns = readArray(r.props, "managedPolicyArns");
        if (arns.state === "unknown") {
            const deps = r.propertyDependencies.managedPolicyArns ?? [];
            const fromDeps = deps.map((u) => this.managedPolicies.find((m) => m.resource.urn === u)).filter((m): m is ManagedPolicyRecord => !!m);
            if (fromDeps.length > 0) {
                fromDeps.forEach((m) => this.attachRecord(p, m, r, arns.path));
            } else {
                p.problems.push({ resource: r, path: arns.path, state: "unknown", reason: "" });
            }
        } else if (arns.state === "unreadable") {
            p.problems.push({ resource: r, path: arns.path, state: "unreadable", reason: arns.reason });
        } else if (arns.state === "known") {
            arns.value.forEach((arn, i) => this.attachArn(p, arn, r, `managedPolicyArns[${i}]`, r.propertyDependencies.managedPolicyArns ?? []));
        }
        // Permissions boundary (not on groups).
        if (p.kind !== "group") {
            const b = read(r.props, "permissionsBoundary");
            if (b.state === "unknown" || (b.state === "known" && typeof b.value === "string" && b.value.includes("04da6b54-80e4-46f7-96ec-b56ff0331ba9"))) {
                const dep = (r.propertyDependencies.permissionsBoundary ?? []).map((u) => this.managedPolicies.find((m) => m.resource.urn === u)).find((m) => m);
                if (dep && dep.doc.state === "known") {
                    p.boundary = { arn: dep.arn ?? `customer-managed policy "${dep.name ?? dep.resource.name}"`, policy: { source: dep.doc.doc.source, statements: dep.doc.doc.statements } };
                } else {
                    p.boundary = { arn: "(unknown)" };
                    p.problems.push({ resource: dep?.resource ?? r, path: dep ? dep.path : b.path, state: "unknown", reason: "" });
                }
            } else if (b.state === "known" && typeof b.value === "string" && b.value !== "") {
                const holder: IamPrincipal = { ...p, policies: [], problems: [] };
                this.attachArn(holder, b.value, r, "permissionsBoundary", r.propertyDependencies.permissionsBoundary ?? []);
                p.boundary = { arn: b.value, policy: holder.policies[0] };
                p.problems.push(...holder.problems);
            }
        }
        // Trust policy (roles).
        if (p.kind === "role") {
            const trustPath = native ? "assumeRolePolicyDocument" : "assumeRolePolicy";
            const t = read(r.props, trustPath);
            if (t.state === "known") {
                const parsed = parsePolicyDocument(t.value, { label: `trust policy of role "${p.name}"`, urn: r.urn }, false);
                if (parsed.state === "known") {
                    p.trust = parsed.doc.statements;
                } else if (parsed.state === "unknown") {
                    p.trustPending = new Set(r.propertyDependencies[trustPath] ?? []);
                    p.problems.push({ resource: r, path: trustPath, state: "unknown", reason: "", trust: true });
                } else {
                    p.problems.push({ resource: r, path: trustPath, state: "unreadable", reason: parsed.reason, trust: true });
                }
            } else if (t.state === "unknown") {
                p.trustPending = new Set(r.propertyDependencies[trustPath] ?? []);
                p.problems.push({ resource: r, path: t.path, state: "unknown", reason: "", trust: true });
            } else if (t.state === "unreadable") {
                p.problems.push({ resource: r, path: t.path, state: "unreadable", reason: t.reason, trust: true });
            }
        }
    }

    private readInlinePolicyResources(): void {
        for (const [type, spec] of Object.entries(IAM_INLINE_POLICY)) {
            for (const r of this.stack.ofTypes([type])) {
                const { targets, problem } = this.resolvePrincipals(r, spec.principal, spec.kind);
                if (problem) {
                    this.orphanProblems.push(problem);
                }
                const name = stringProp(r, spec.name) ?? r.name;
                for (const p of targets) {
                    this.addDocument(p, read(r.props, spec.document), r, `inline policy "${name}" of ${p.kind} "${p.name}"`);
                }
            }
        }
    }

    private readAttachments(): void {
        for (const [type, spec] of Object.entries(IAM_ATTACHMENT)) {
            for (const r of this.stack.ofTypes([type])) {
                const { targets, problem } = this.resolvePrincipals(r, spec.principal, spec.kind);
                if (problem) {
                    this.orphanProblems.push(problem);
                }
                for (const p of targets) {
                    this.attachArnProperty(p, r, spec.arns, spec.list);
                }
            }
        }
        for (const r of this.stack.ofTypes([IAM_POLICY_ATTACHMENT])) {
            for (const [prop, kind] of [["roles", "role"], ["users", "user"], ["groups", "group"]] as const) {
                const { targets, problem } = this.resolvePrincipals(r, prop, kind);
                if (problem) {
                    this.orphanProblems.push(problem);
                }
                for (const p of targets) {
                    this.attachArnProperty(p, r, "policyArn", false);
                }
            }
        }
    }

    private attachArnProperty(p: IamPrincipal, r: StackResource, prop: string, list: boolean): void {
        const deps = r.propertyDependencies[prop] ?? [];
        const value = read(r.props, prop);
        if (value.state === "absent") {
            return;
        }
        if (value.state === "unreadable") {
            p.problems.push({ resource: r, path: value.path, state: "unreadable", reason: value.reason });
            return;
        }
        if (value.state === "unknown") {
            this.attachArn(p, value.path === prop ? "04da6b54-80e4-46f7-96ec-b56ff0331ba9" : undefined, r, prop, deps);
            return;
        }
        const items = list && Array.isArray(value.value) ? value.value : [value.value];
        items.forEach((arn, i) => this.attachArn(p, arn, r, list ? `${prop}[${i}]` : prop, deps));
    }

    private readMemberships(): void {
        const link = (user: IamPrincipal, group: IamPrincipal) => {
            user.groups.add(group);
            group.members.add(user);
        };
        for (const r of this.stack.ofTypes(IAM_USERS)) {
            if (r.type.startsWith("aws-native:")) {
                const u = this.byId.get(r.urn)!;
                const { targets, problem } = this.resolvePrincipals(r, "groups", "group");
                targets.forEach((g) => link(u, g));
                if (problem) {
                    u.problems.push(problem);
                }
            }
        }
        for (const r of this.stack.ofTypes([IAM_GROUP_MEMBERSHIP])) {
            const groups = this.resolvePrincipals(r, "group", "group");
            const users = this.resolvePrincipals(r, "users", "user");
            for (const g of groups.targets) {
                users.targets.forEach((u) => link(u, g));
            }
            for (const problem of [groups.problem, users.problem]) {
                if (problem) {
                    for (const u of users.targets) {
                        u.problems.push(problem);
                    }
                    if (users.targets.length === 0) {
                        this.orphanProblems.push(problem);
                    }
                }
            }
        }
        for (const r of this.stack.ofTypes([IAM_USER_GROUP_MEMBERSHIP, IAM_USER_TO_GROUP_ADDITION])) {
            const native = r.type === IAM_USER_TO_GROUP_ADDITION;
            const users = this.resolvePrincipals(r, native ? "users" : "user", "user");
            const groups = this.resolvePrincipals(r, native ? "groupName" : "groups", "group");
            for (const u of users.targets) {
                groups.targets.forEach((g) => link(u, g));
                if (groups.problem) {
                    u.problems.push(groups.problem);
                }
            }
            if (users.problem) {
                this.orphanProblems.push(users.problem);
            }
        }
    }

    // ---- resource policies ------------------------------------------------------------------

    private readResourcePolicies(): void {
        const unknownKey = `arn:aws:kms:${SEG}:${SEG}:key/${SEG}`;
        const keyArn = (key: StackResource | undefined) => (key ? stringProp(key, "arn") ?? unknownKey : unknownKey);
        // Release-approval keys and tagged stores are designated without config: an unknown or
        // unreadable policy on them may hide a grant of a duty, so it is a problem to report.
        const approvalKey = (key: StackResource | undefined) => key !== undefined && hasTag(key, TAG_PURPOSE, PURPOSE_RELEASE_APPROVAL);
        for (const key of this.stack.ofTypes([KMS_KEY.aws, KMS_KEY.replica])) {
            this.addResourcePolicy(key, "policy", keyArn(key), "kms", `key policy of KMS key "${key.name}"`, approvalKey(key));
        }
        for (const key of this.stack.ofTypes([KMS_KEY.native])) {
            this.addResourcePolicy(key, "keyPolicy", keyArn(key), "kms", `key policy of KMS key "${key.name}"`, approvalKey(key));
        }
        for (const kp of this.stack.ofTypes([KMS_KEY_POLICY])) {
            const keyUrn = (kp.propertyDependencies.keyId ?? [])[0];
            const key = keyUrn ? this.stack.byUrn.get(keyUrn) : undefined;
            this.addResourcePolicy(kp, "policy", keyArn(key), "kms", `key policy "${kp.name}"${key ? ` of KMS key "${key.name}"` : ""}`, approvalKey(key));
        }
        for (const bp of this.stack.ofTypes([S3_BUCKET_POLICY.aws, S3_BUCKET_POLICY.native])) {
            const prop = bp.type === S3_BUCKET_POLICY.native ? "policyDocument" : "policy";
            const bucket = (bp.propertyDependencies.bucket ?? []).map((u) => this.stack.byUrn.get(u)).find((b) => b !== undefined);
            const store = bucket !== undefined && hasTag(bucket, TAG_STORE);
            this.addResourcePolicy(bp, prop, "arn:aws:s3:::*", "s3", `bucket policy "${bp.name}"`, store);
        }
    }

    private addResourcePolicy(r: StackResource, prop: string, resourceArn: string, kind: "kms" | "s3", label: string, designated: boolean): void {
        const raw = read(r.props, prop);
        if (raw.state === "absent") {
            return;
        }
        if (raw.state !== "known") {
            if (designated) {
                this.orphanProblems.push({ resource: r, path: raw.path, state: raw.state, reason: raw.state === "unreadable" ? raw.reason : "", resourcePolicy: true });
            }
            return; // grants nothing the analysis can rely on; duties are still found from identity policies
        }
        const parsed = parsePolicyDocument(raw.value, { label, urn: r.urn }, false);
        if (parsed.state !== "known") {
            if (designated) {
                this.orphanProblems.push({ resource: r, path: prop, state: parsed.state, reason: parsed.state === "unreadable" ? parsed.reason : "", resourcePolicy: true });
            }
            return;
        }
        const statements = parsed.doc.statements.map((s) => (s.resources || s.notResources ? s : { ...s, resources: [resourceArn] }));
        this.resourcePolicies.push({ resource: r, resourceArn, kind, statements });
        for (const s of statements) {
            if (s.effect !== "Allow" || !s.principals) {
                continue;
            }
            if (s.principals.any) {
                this.grantsToAll.push(s);
                continue;
            }
            const named = new Set<IamPrincipal>();
            for (const entry of s.principals.aws) {
                this.principalsNamedBy(entry).forEach((p) => named.add(p));
            }
            named.forEach((p) => p.grants.push(s));
        }
    }

    /** Compute of the stack that runs code as a role, and the role. */
    private readFunctions(): void {
        for (const kind of RUNS_AS_ROLE) {
            for (const r of this.stack.ofTypes(kind.types)) {
                for (const role of this.rolesOf(r, kind)) {
                    this.runsAs.push({ resource: r, role, kind, arn: kind.arn(r) });
                }
            }
        }
    }

    private rolesOf(r: StackResource, kind: ComputeKind): IamPrincipal[] {
        if (kind.viaInstanceProfile) {
            const profiles = [
                ...(r.propertyDependencies[kind.roleProp] ?? []).map((u) => this.stack.byUrn.get(u)),
                ...this.stack.ofTypes([IAM_INSTANCE_PROFILE.aws, IAM_INSTANCE_PROFILE.native]).filter((ip) => {
                    const v = r.props[kind.roleProp];
                    return typeof v === "string" && (ip.props.name === v || ip.props.arn === v || ip.props.instanceProfileName === v);
                }),
            ].filter((ip): ip is StackResource => ip !== undefined && (ip.type === IAM_INSTANCE_PROFILE.aws || ip.type === IAM_INSTANCE_PROFILE.native));
            const out = new Set<IamPrincipal>();
            for (const ip of profiles) {
                this.resolvePrincipals(ip, ip.type === IAM_INSTANCE_PROFILE.native ? "roles" : "role", "role").targets.forEach((t) => out.add(t));
            }
            return [...out];
        }
        const deps = (r.propertyDependencies[kind.roleProp] ?? []).map((u) => this.byId.get(u)).filter((p): p is IamPrincipal => !!p && p.kind === "role");
        return deps.length > 0 ? deps : this.resolvePrincipals(r, kind.roleProp, "role").targets;
    }

    // ---- queries ----------------------------------------------------------------------------

    /** Identity statements of a principal: its own and (for users) its groups'. */
    identityStatements(p: IamPrincipal): Statement[] {
        const out: Statement[] = [];
        for (const pol of p.policies) {
            out.push(...pol.statements);
        }
        for (const g of p.groups) {
            for (const pol of g.policies) {
                out.push(...pol.statements);
            }
        }
        return out;
    }

    permissionInputs(p: IamPrincipal): PermissionInputs {
        return {
            identity: this.identityStatements(p),
            boundary: p.boundary ? p.boundary.policy?.statements ?? [] : undefined,
            grants: p.grants.length > 0 || this.grantsToAll.length > 0 ? [...p.grants, ...this.grantsToAll] : undefined,
            boundaryLimitsGrants: p.kind === "role",
        };
    }

    /** Every problem that affects a principal's permissions (its own and its groups'). */
    problemsOf(p: IamPrincipal): Problem[] {
        const out = [...p.problems];
        for (const g of p.groups) {
            out.push(...g.problems);
        }
        return out;
    }

    /** The request context known for a principal acting as itself. */
    contextOf(p: IamPrincipal): Context {
        let c = this.contexts.get(p.id);
        if (!c) {
            const now = new Date();
            c = new Context({
                "aws:CurrentTime": now.toISOString(),
                "aws:EpochTime": String(Math.floor(now.getTime() / 1000)),
                "aws:PrincipalType": p.kind === "role" ? "AssumedRole" : "User",
                "aws:PrincipalIsAWSService": "false",
            });
            // A token is never issued later than now, nor earlier than the longest-lived temporary
            // credentials allow; a role always acts with a token, a user may use long-term keys (absent).
            c.setRange("aws:TokenIssueTime", { lo: now.getTime() - MAX_TOKEN_LIFETIME_MS, hi: now.getTime(), present: p.kind === "role" ? true : undefined });
            if (p.arnKnown) {
                c.set("aws:PrincipalArn", p.arn);
                if (p.account) {
                    c.set("aws:PrincipalAccount", p.account);
                }
            }
            if (p.kind === "user") {
                c.set("aws:username", p.name);
            }
            for (const [k, v] of Object.entries(p.tags)) {
                c.set(`aws:PrincipalTag/${k}`, v);
            }
            if (this.tagsKnown(p)) {
                c.knowPrefix("aws:PrincipalTag/");
            }
            this.contexts.set(p.id, c);
        }
        return c;
    }

    /** Tags are known unless a tag map is unknown (an absent map means no tags; groups carry none). */
    tagsKnown(p: IamPrincipal): boolean {
        const maps = [p.resource.props.tags, p.resource.props.tagsAll];
        return !maps.some(
            (m) => isUnknown(m) || (m !== null && typeof m === "object" && Object.values(m as object).some((v) => isUnknown(v) || isUnknown((v as { value?: unknown } | null)?.value))),
        );
    }

    private readonly targetContexts = new WeakMap<Context, Map<string, Context>>();

    /**
     * The context of a request an actor (acting with `actor`) makes on the principal `target`, with
     * the condition keys whose value the stack determines for that request:
     *  - `iam:PermissionsBoundary`: the target's boundary ARN (absent when it has none), or
     *    `boundary` when the actor puts that one in its place first (or sets it, for
     *    iam:Put*PermissionsBoundary); left unknown while the target's boundary ARN is unknown;
     *  - `aws:ResourceTag/*` and `iam:ResourceTag/*`: the target's tags, unless they are unknown
     *    or the actor may change them (`retaggable`).
     */
    targetContext(actor: Context, target: IamPrincipal, opts: { boundary?: string | null; retaggable?: boolean } = {}): Context {
        const key = `${target.id}\u0000${opts.boundary === undefined ? "" : opts.boundary === null ? "\u0000none" : opts.boundary}\u0000${opts.retaggable === true}`;
        let byTarget = this.targetContexts.get(actor);
        if (!byTarget) {
            byTarget = new Map();
            this.targetContexts.set(actor, byTarget);
        }
        const cached = byTarget.get(key);
        if (cached) {
            return cached;
        }
        const entries: Record<string, string | null> = {};
        const own = target.boundary === undefined ? null : target.boundary.arn.startsWith("arn:") ? target.boundary.arn : undefined;
        const boundary = opts.boundary !== undefined ? opts.boundary : own;
        if (boundary !== undefined) {
            entries["iam:PermissionsBoundary"] = boundary;
        }
        const tagsFixed = !opts.retaggable && this.tagsKnown(target);
        if (tagsFixed) {
            for (const [k, v] of Object.entries(target.tags)) {
                entries[`aws:ResourceTag/${k}`] = v;
                entries[`iam:ResourceTag/${k}`] = v;
            }
        }
        const c = actor.with(entries);
        if (tagsFixed) {
            c.knowPrefix("aws:ResourceTag/").knowPrefix("iam:ResourceTag/");
        }
        byTarget.set(key, c);
        return c;
    }

    /** Principals of this stack that an `AWS` principal entry of a policy names. */
    principalsNamedBy(entry: string): IamPrincipal[] {
        const m = /^arn:[^:]+:iam::[^:]*:(role|user)\/(.+)$/.exec(entry);
        if (m) {
            const kind = m[1] as PrincipalKind;
            const name = m[2].slice(m[2].lastIndexOf("/") + 1);
            const candidates = [...(this.keyIndex.get(kind)?.get(entry) ?? []), ...(this.keyIndex.get(kind)?.get(name) ?? [])];
            return [...new Set(candidates)].filter((p) => principalEntryNames(entry, p));
        }
        const sts = /^arn:[^:]+:sts::[^:]*:assumed-role\/([^/]+)\//.exec(entry);
        if (sts) {
            return (this.keyIndex.get("role")?.get(sts[1]) ?? []).filter((p) => p.kind === "role");
        }
        return [];
    }
}

type Read = ReturnType<typeof read>;

/** The longest lifetime of temporary credentials (sts:GetSessionToken and GetFederationToken: 36 hours). */
const MAX_TOKEN_LIFETIME_MS = 36 * 3600 * 1000;

/** A kind of compute that runs code as a role, and the actions that make it run the actor's code. */
export interface ComputeKind {
    types: readonly string[];
    /** The property naming the role (or, for instances, the instance profile). */
    roleProp: string;
    viaInstanceProfile?: boolean;
    /** Any one of these actions on the resource runs code of the actor's choosing as the role. */
    actions: string[];
    noun: string;
    arn: (r: StackResource) => string;
}

function arnOr(r: StackResource, pattern: (name: string) => string, nameProp = "name"): string {
    const arn = stringProp(r, "arn");
    return arn ?? pattern(stringProp(r, nameProp) ?? SEG);
}

export const RUNS_AS_ROLE: readonly ComputeKind[] = [
    {
        types: LAMBDA_FUNCTIONS,
        roleProp: "role",
        actions: ["lambda:UpdateFunctionCode"],
        noun: "function",
        arn: (r) => arnOr(r, (n) => `arn:aws:lambda:${SEG}:${SEG}:function:${n}`, r.type.startsWith("aws-native:") ? "functionName" : "name"),
    },
    {
        types: ["aws:codebuild/project:Project"],
        roleProp: "serviceRole",
        actions: ["codebuild:StartBuild", "codebuild:StartBuildBatch"],
        noun: "CodeBuild project",
        arn: (r) => arnOr(r, (n) => `arn:aws:codebuild:${SEG}:${SEG}:project/${n}`),
    },
    {
        types: ["aws:sagemaker/notebookInstance:NotebookInstance"],
        roleProp: "roleArn",
        actions: ["sagemaker:CreatePresignedNotebookInstanceUrl"],
        noun: "notebook instance",
        arn: (r) => arnOr(r, (n) => `arn:aws:sagemaker:${SEG}:${SEG}:notebook-instance/${n.toLowerCase()}`),
    },
    {
        types: ["aws:glue/devEndpoint:DevEndpoint"],
        roleProp: "roleArn",
        actions: ["glue:UpdateDevEndpoint"],
        noun: "Glue dev endpoint",
        arn: (r) => arnOr(r, (n) => `arn:aws:glue:${SEG}:${SEG}:devEndpoint/${n}`),
    },
    {
        types: ["aws:cloudformation/stack:Stack"],
        roleProp: "iamRoleArn",
        actions: ["cloudformation:UpdateStack", "cloudformation:ExecuteChangeSet"],
        noun: "CloudFormation stack",
        arn: (r) => stringProp(r, "id") ?? `arn:aws:cloudformation:${SEG}:${SEG}:stack/${stringProp(r, "name") ?? SEG}/*`,
    },
    {
        types: ["aws:ec2/instance:Instance"],
        roleProp: "iamInstanceProfile",
        viaInstanceProfile: true,
        actions: ["ssm:SendCommand", "ssm:StartSession", "ec2-instance-connect:SendSSHPublicKey"],
        noun: "instance",
        arn: (r) => arnOr(r, (id) => `arn:aws:ec2:${SEG}:${SEG}:instance/${id}`, "id"),
    },
];

function stringProp(r: StackResource, prop: string): string | undefined {
    const v = r.props[prop];
    return typeof v === "string" && v !== "" && !isUnknown(v) ? v : undefined;
}

/** Whether an `AWS` principal entry (an ARN) names this principal specifically (not its account). */
export function principalEntryNames(entry: string, p: IamPrincipal): boolean {
    if (p.arnKnown) {
        return entry === p.arn;
    }
    return /^arn:[^:]+:iam::/.test(entry) && !entry.endsWith(":root") && globMatches(p.arn, entry);
}

/** Condition keys that restrict who the caller of a resource or trust policy can be. */
export const CALLER_KEYS: readonly string[] = [
    "aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths", "aws:sourceaccount",
    "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths", "aws:userid", "aws:username",
];
const POSITIVE_MATCH = /^(StringEquals|StringLike|StringEqualsIgnoreCase|ArnEquals|ArnLike)$/i;

/** A statement whose conditions (positive, not IfExists) restrict who the caller is. */
export function restrictsCaller(s: Statement): boolean {
    return s.conditions.some((c) => CALLER_KEYS.includes(c.key) && POSITIVE_MATCH.test(c.operator) && !c.ifExists);
}

/** A Deny that applies to every caller except the ones its (negated, caller-identifying) conditions name. */
export function deniesAllButNamedCallers(s: Statement): boolean {
    return s.effect === "Deny" && !!s.principals?.any && s.conditions.every((c) => CALLER_KEYS.includes(c.key) && /^(String|Arn)Not/i.test(c.operator) && !c.ifExists);
}

/** The account an `AWS` principal entry stands for when it names a whole account (`123…` or `…:root`). */
export function accountOfEntry(entry: string): string | undefined {
    if (/^\d{12}$/.test(entry)) {
        return entry;
    }
    return /^arn:[^:]+:iam::(\d{12}):root$/.exec(entry)?.[1];
}

/** The IAM model of a stack, built once per AnalyzeStack. */
export function iamModel(stack: StackModel): IamModel {
    return stack.derive("iam-model", (m) => new IamModel(m));
}
