/**
 * Builders for IAM and RBAC test stacks (resources in the shape the engine sends: outputs with
 * explicit names and ARNs).
 */
import { DutyConfig, dutyConfigOptions } from "../../../policypack/src/engine/duties/duties";
import type { TestResource } from "../../harness/policy-harness";

export const ACCOUNT = "123456789012";
export const ROLE = "aws:iam/role:Role";
export const USER = "aws:iam/user:User";
export const GROUP = "aws:iam/group:Group";
export const POLICY = "aws:iam/policy:Policy";

export type Stmt = Record<string, unknown>;

export const doc = (...statements: Stmt[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
export const allow = (action: string | string[], resource: string | string[] = "*", extra: Stmt = {}): Stmt => ({ Effect: "Allow", Action: action, Resource: resource, ...extra });
export const deny = (action: string | string[], resource: string | string[] = "*", extra: Stmt = {}): Stmt => ({ Effect: "Deny", Action: action, Resource: resource, ...extra });

export const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
export const groupArn = (name: string) => `arn:aws:iam::${ACCOUNT}:group/${name}`;
export const policyArn = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;

export const trustService = (service: string): Stmt => ({ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" });
export const trustArn = (arn: string, extra: Stmt = {}): Stmt => ({ Effect: "Allow", Principal: { AWS: arn }, Action: "sts:AssumeRole", ...extra });

export interface RoleSpec {
    policies?: Stmt[][];
    trust?: Stmt[];
    managed?: string[];
    boundary?: string;
    tags?: Record<string, string>;
}

export function role(name: string, spec: RoleSpec = {}): TestResource {
    return {
        type: ROLE,
        name,
        props: {
            name,
            arn: roleArn(name),
            path: "/",
            assumeRolePolicy: doc(...(spec.trust ?? [trustService("ec2.amazonaws.com")])),
            inlinePolicies: (spec.policies ?? []).map((statements, i) => ({ name: `${name}-${i}`, policy: doc(...statements) })),
            managedPolicyArns: spec.managed ?? [],
            ...(spec.boundary ? { permissionsBoundary: spec.boundary } : {}),
            ...(spec.tags ? { tags: spec.tags, tagsAll: spec.tags } : {}),
        },
    };
}

export function user(name: string, spec: { policies?: Stmt[][]; boundary?: string; managed?: string[] } = {}): TestResource {
    const resources: TestResource = {
        type: USER,
        name,
        props: { name, arn: userArn(name), path: "/", ...(spec.boundary ? { permissionsBoundary: spec.boundary } : {}) },
    };
    return resources;
}

/** Inline policy resources for a user (users carry no inline policies on the resource in aws v7). */
export function userPolicy(userName: string, statements: Stmt[], name = `${userName}-policy`): TestResource {
    return { type: "aws:iam/userPolicy:UserPolicy", name, props: { name, user: userName, policy: doc(...statements) } };
}

export function group(name: string): TestResource {
    return { type: GROUP, name, props: { name, arn: groupArn(name), path: "/" } };
}

export function groupPolicy(groupName: string, statements: Stmt[], name = `${groupName}-policy`): TestResource {
    return { type: "aws:iam/groupPolicy:GroupPolicy", name, props: { name, group: groupName, policy: doc(...statements) } };
}

export function managedPolicy(name: string, statements: Stmt[]): TestResource {
    return { type: POLICY, name, props: { name, arn: policyArn(name), path: "/", policy: doc(...statements) } };
}

export function attach(roleName: string, arn: string, name = `${roleName}-${arn.slice(arn.lastIndexOf("/") + 1)}`): TestResource {
    return { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name, props: { role: roleName, policyArn: arn } };
}

export const DEPLOY: Stmt = allow("lambda:UpdateFunctionCode");
export const APPROVE: Stmt = allow("codepipeline:PutApprovalResult");

/** The duty policies' config with every option at its default. */
export function defaultDutyConfig(): DutyConfig {
    return Object.fromEntries(Object.entries(dutyConfigOptions).map(([k, o]) => [k, (o as { default: unknown }).default])) as unknown as DutyConfig;
}
