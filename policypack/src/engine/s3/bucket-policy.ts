/** Bucket policies of a designated store, and the "deny requests that do not use TLS" statement matcher. */
import { read } from "../../framework/values";
import { principalIsEveryone } from "../iam/document";
import { globMatch, IAM_ARN } from "../../shared/glob";
import { S3_BUCKET, S3_BUCKET_POLICY } from "../resource-types";
import type { StackModel, StackResource } from "../../sdk/stack-model";
import { storeIndex } from "./store";

// Bucket policies

export interface PolicySource {
    on: StackResource;
    /** Property holding the document: `policy` (aws) or `policyDocument` (aws-native). */
    path: string;
}

export interface PolicyView {
    sources: PolicySource[];
    pending: StackResource[];
}

export function bucketPoliciesOf(model: StackModel, bucket: StackResource): PolicyView {
    const index = storeIndex(model);
    const view: PolicyView = { sources: [], pending: index.policy.pending };
    for (const p of index.policy.byParent.get(bucket.urn) ?? []) {
        view.sources.push({ on: p, path: p.type === S3_BUCKET_POLICY.native ? "policyDocument" : "policy" });
    }
    if (bucket.type !== S3_BUCKET.native && view.sources.length === 0) {
        // Legacy inline `policy`; outputs report "" when there is none, and mirror a linked
        // BucketPolicy when there is one (so it is read only without one).
        const inline = read(bucket.props, "policy");
        if (inline.state !== "absent" && !(inline.state === "known" && inline.value === "")) {
            view.sources.push({ on: bucket, path: "policy" });
        }
    }
    return view;
}

// ---------------------------------------------------------------------------------------------
// "Deny requests that do not use TLS": a focused statement matcher for bucket policies. It
// recognises the one statement shape that denies every S3 action to everyone on the bucket and its
// objects whenever `aws:SecureTransport` is false; anything narrower does not count.
//
// It reads the statement text itself rather than engine/iam's parsed document on purpose: its
// near-miss reasons quote the statement as written (`its Resource [...] does not cover ...`), and it
// judges each statement alone, whereas parsePolicyDocument refuses a whole document for one
// malformed statement. Principals (principalIsEveryone) and ARN patterns (shared/glob) are the
// shared ones.

export type TlsVerdict = { ok: true; sid?: string } | { ok: false; reason: string };

const SECURE_TRANSPORT = "aws:securetransport";

export function deniesInsecureTransport(document: unknown, bucketName?: string): TlsVerdict {
    if (document === null || typeof document !== "object" || Array.isArray(document)) {
        return { ok: false, reason: "the policy is not a JSON object" };
    }
    const raw = (document as Record<string, unknown>).Statement;
    const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    let nearMiss: string | undefined;
    for (let i = 0; i < statements.length; i++) {
        const s = statements[i];
        const sid = s !== null && typeof s === "object" && typeof (s as Record<string, unknown>).Sid === "string" ? String((s as Record<string, unknown>).Sid) : undefined;
        const problem = tlsStatementProblem(s, bucketName);
        if (problem === undefined) {
            return { ok: true, sid };
        }
        if (problem.mentionsTls && nearMiss === undefined) {
            nearMiss = `Statement[${i}]${sid !== undefined ? ` ("${sid}")` : ""} tests aws:SecureTransport but ${problem.reason}`;
        }
    }
    return { ok: false, reason: nearMiss ?? "no statement denies requests with aws:SecureTransport false" };
}

function asList(value: unknown): unknown[] {
    return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function tlsStatementProblem(statement: unknown, bucketName?: string): { reason: string; mentionsTls: boolean } | undefined {
    if (statement === null || typeof statement !== "object" || Array.isArray(statement)) {
        return { reason: "is not an object", mentionsTls: false };
    }
    const s = statement as Record<string, unknown>;
    const condition = secureTransportCondition(s.Condition);
    const mentionsTls = condition !== "absent";
    const problem = (reason: string) => ({ reason, mentionsTls });
    if (s.Effect !== "Deny") {
        return problem(`its Effect is ${JSON.stringify(s.Effect)}, not "Deny"`);
    }
    if (condition === "absent") {
        return problem("it has no aws:SecureTransport condition");
    }
    if (condition !== "ok") {
        return problem(condition);
    }
    if (s.NotPrincipal !== undefined) {
        return problem("it uses NotPrincipal, so it does not apply to everyone");
    }
    if (!principalIsEveryone(s.Principal)) {
        return problem(`its Principal is ${JSON.stringify(s.Principal)}, not "*"`);
    }
    if (s.NotAction !== undefined) {
        return problem("it uses NotAction, so some actions are not denied");
    }
    const actions = asList(s.Action).filter((a): a is string => typeof a === "string").map((a) => a.toLowerCase());
    if (!actions.some((a) => a === "*" || a === "s3:*")) {
        return problem(`it denies only ${JSON.stringify(s.Action)}, not "s3:*"`);
    }
    if (s.NotResource !== undefined) {
        return problem("it uses NotResource, so some resources are not covered");
    }
    const resources = asList(s.Resource).filter((r): r is string => typeof r === "string");
    const covers = coverage(resources, bucketName);
    if (!covers.bucket || !covers.objects) {
        const missing = [!covers.bucket ? "the bucket" : "", !covers.objects ? "its objects (<bucket ARN>/*)" : ""].filter(Boolean).join(" and ");
        return problem(`its Resource ${JSON.stringify(s.Resource)} does not cover ${missing}`);
    }
    return undefined;
}

/** "ok", "absent" (no SecureTransport test), or why the condition is not exactly `aws:SecureTransport = false`. */
function secureTransportCondition(condition: unknown): string {
    if (condition === null || typeof condition !== "object" || Array.isArray(condition)) {
        return "absent";
    }
    const entries = Object.entries(condition as Record<string, unknown>);
    const tls = entries.find(([, block]) => block !== null && typeof block === "object" && Object.keys(block as object).some((k) => k.toLowerCase() === SECURE_TRANSPORT));
    if (!tls) {
        return "absent";
    }
    const [operator, block] = tls as [string, Record<string, unknown>];
    if (operator !== "Bool" && operator !== "BoolIfExists") {
        return `it uses the operator ${operator} instead of Bool`;
    }
    if (entries.length !== 1 || Object.keys(block).length !== 1) {
        return "it adds further conditions, so it denies only some insecure requests";
    }
    const values = asList(Object.values(block)[0]).map((v) => String(v).toLowerCase());
    if (values.length !== 1 || values[0] !== "false") {
        return `it tests aws:SecureTransport = ${JSON.stringify(Object.values(block)[0])} instead of false`;
    }
    return "ok";
}

/** Whether resource patterns cover the bucket ARN and its object ARNs. */
function coverage(patterns: readonly string[], bucketName?: string): { bucket: boolean; objects: boolean } {
    let bucket = false;
    let objects = false;
    for (const p of patterns) {
        if (p === "*") {
            return { bucket: true, objects: true };
        }
        const m = /^arn:[^:]+:s3:::(.*)$/.exec(p);
        if (!m) {
            continue;
        }
        const rest = m[1];
        if (bucketName !== undefined) {
            bucket ||= globMatch(rest, bucketName, IAM_ARN);
            objects ||= globMatch(rest, `${bucketName}/any/key`, IAM_ARN) && globMatch(rest, `${bucketName}/k`, IAM_ARN);
        } else {
            // Bucket name unknown: judge the shape (AWS rejects resources of other buckets anyway).
            bucket ||= !rest.includes("/");
            objects ||= /\/\*$/.test(rest) || (!rest.includes("/") && rest.endsWith("*"));
        }
    }
    return { bucket, objects };
}
