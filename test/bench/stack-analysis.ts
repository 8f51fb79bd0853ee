/**
 * Synthetic stacks for the AnalyzeStack benchmark, and an in-process runner for the duty
 * analysis alone. Pure: no timing assertions, nothing launched here (`npm run bench` launches the
 * pack through the real protocol and compares against the floors).
 *
 * A stack is made of "teams" of 40 resources, about 10% of them principals (IAM roles and
 * Kubernetes service accounts) with their policies and bindings: a deployer role (Lambda deploy,
 * PassRole scoped to its app roles, delegated role creation under a boundary), an application role
 * trusting Lambda, an approver role trusting the account with MFA, a customer-managed policy and
 * its attachment, a Kubernetes deployer service account with a Role and RoleBinding, and the
 * resources they act on (buckets with versioning, functions, log groups, repositories,
 * Deployments, ConfigMaps). One team in fifty is deliberately broken (wildcard PassRole), so the
 * path search runs too.
 */
import type { ResourceRecord, WireProperties } from "../../cli/model";
import { StackModel, StackResource } from "../../policypack/src/sdk/stack-model";
import { catalogue } from "../../policypack/src/catalogue";
import { configWithDefaults, StackPolicyDefinition } from "../../policypack/src/framework/definition";
import { Findings } from "../../policypack/src/framework/findings";

const ACCOUNT = "123456789012";
const TEAM_SIZE = 40;

function urn(type: string, name: string): string {
    return `urn:pulumi:dev::bench::${type}::${name}`;
}

function record(type: string, name: string, outputs: WireProperties, propertyDependencies: Record<string, string[]> = {}): ResourceRecord {
    return {
        urn: urn(type, name),
        type,
        name,
        custom: true,
        id: name,
        inputs: outputs,
        outputs,
        dependencies: [...new Set(Object.values(propertyDependencies).flat())],
        propertyDependencies,
        options: { protect: false, ignoreChanges: [], additionalSecretOutputs: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 } },
    };
}

const doc = (...Statement: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

function role(name: string, trust: unknown[], statements: unknown[], extra: WireProperties = {}): ResourceRecord {
    return record("aws:iam/role:Role", name, {
        name,
        arn: roleArn(name),
        path: "/",
        assumeRolePolicy: doc(...trust),
        inlinePolicies: [{ name: `${name}-inline`, policy: doc(...statements) }],
        managedPolicyArns: [],
        tags: { team: name.split("-").pop()! },
        tagsAll: { team: name.split("-").pop()! },
        ...extra,
    });
}

function team(t: number): ResourceRecord[] {
    const out: ResourceRecord[] = [];
    const broken = t % 50 === 49;
    const ns = `team-${t}`;
    const boundaryArn = `arn:aws:iam::${ACCOUNT}:policy/app-boundary-${t}`;
    // IAM principals
    out.push(
        role(`deployer-${t}`, [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }], [
            { Effect: "Allow", Action: ["lambda:UpdateFunctionCode", "lambda:CreateFunction", "lambda:PublishVersion"], Resource: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:app-${t}-*` },
            broken
                ? { Effect: "Allow", Action: ["iam:PassRole", "lambda:CreateFunction"], Resource: "*" }
                : { Effect: "Allow", Action: "iam:PassRole", Resource: `arn:aws:iam::${ACCOUNT}:role/app-${t}-*`, Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } },
            {
                Effect: "Allow",
                Action: ["iam:CreateRole", "iam:PutRolePolicy"],
                Resource: `arn:aws:iam::${ACCOUNT}:role/app-${t}-*`,
                Condition: { StringEquals: { "iam:PermissionsBoundary": boundaryArn } },
            },
        ]),
        role(`app-${t}-fn`, [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }], [
            { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/app-${t}` },
            { Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::data-${t}/*` },
        ], { permissionsBoundary: boundaryArn }),
        role(
            `approver-${t}`,
            [
                { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } },
                ...(broken ? [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] : []),
            ],
            [{ Effect: "Allow", Action: "codepipeline:PutApprovalResult", Resource: `arn:aws:codepipeline:eu-west-1:${ACCOUNT}:pipeline-${t}/*` }],
        ),
        record("aws:iam/policy:Policy", `app-boundary-${t}`, {
            name: `app-boundary-${t}`,
            arn: boundaryArn,
            path: "/",
            policy: doc({ Effect: "Allow", Action: ["dynamodb:*", "s3:GetObject", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }),
        }),
        record("aws:iam/policy:Policy", `logs-${t}`, {
            name: `logs-${t}`,
            arn: `arn:aws:iam::${ACCOUNT}:policy/logs-${t}`,
            path: "/",
            policy: doc({ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/app-${t}-*` }),
        }),
        record(
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            `app-${t}-logs`,
            { role: `app-${t}-fn`, policyArn: `arn:aws:iam::${ACCOUNT}:policy/logs-${t}` },
            { role: [urn("aws:iam/role:Role", `app-${t}-fn`)], policyArn: [urn("aws:iam/policy:Policy", `logs-${t}`)] },
        ),
    );
    // Kubernetes principal with its role and binding
    out.push(
        record("kubernetes:core/v1:ServiceAccount", `${ns}-deployer`, { metadata: { name: "deployer", namespace: ns } }),
        record("kubernetes:rbac.authorization.k8s.io/v1:Role", `${ns}-deploy`, {
            metadata: { name: "deploy", namespace: ns },
            rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "create", "update", "patch"] }],
        }),
        record("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", `${ns}-deployer`, {
            metadata: { name: "deployer", namespace: ns },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "deploy" },
            subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: ns }],
        }),
    );
    // What they act on (compliant with the rest of the pack, so the bench measures analysis, not mass reporting)
    const cscArn = `arn:aws:lambda:eu-west-1:${ACCOUNT}:code-signing-config:csc-${t}`;
    out.push(
        record("aws:lambda/codeSigningConfig:CodeSigningConfig", `csc-${t}`, {
            arn: cscArn,
            allowedPublishers: { signingProfileVersionArns: [`arn:aws:signer:eu-west-1:${ACCOUNT}:/signing-profiles/release/abc`] },
            policies: { untrustedArtifactOnDeployment: "Enforce" },
        }),
    );
    for (let i = 0; out.length < TEAM_SIZE; i++) {
        switch (i % 6) {
            case 0: {
                const b = `data-${t}-${i}`;
                out.push(record("aws:s3/bucket:Bucket", b, { bucket: b, arn: `arn:aws:s3:::${b}` }));
                out.push(record("aws:s3/bucketVersioning:BucketVersioning", b, { bucket: b, versioningConfiguration: { status: "Enabled" } }, { bucket: [urn("aws:s3/bucket:Bucket", b)] }));
                break;
            }
            case 1:
                out.push(
                    record(
                        "aws:lambda/function:Function",
                        `app-${t}-${i}`,
                        { name: `app-${t}-${i}`, arn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:app-${t}-${i}`, role: roleArn(`app-${t}-fn`), packageType: "Zip", codeSigningConfigArn: cscArn },
                        { role: [urn("aws:iam/role:Role", `app-${t}-fn`)], codeSigningConfigArn: [urn("aws:lambda/codeSigningConfig:CodeSigningConfig", `csc-${t}`)] },
                    ),
                );
                break;
            case 2:
                out.push(record("aws:cloudwatch/logGroup:LogGroup", `/aws/lambda/app-${t}-${i}`, { name: `/aws/lambda/app-${t}-${i}`, retentionInDays: 0 }));
                break;
            case 3:
                out.push(record("aws:ecr/repository:Repository", `repo-${t}-${i}`, { name: `repo-${t}-${i}`, imageTagMutability: "IMMUTABLE" }));
                out[out.length - 1].options.protect = true;
                break;
            case 4:
                out.push(
                    record("kubernetes:apps/v1:Deployment", `${ns}-web-${i}`, {
                        metadata: { name: `web-${i}`, namespace: ns },
                        spec: { template: { spec: { serviceAccountName: "deployer", containers: [{ name: "web", image: `ghcr.io/acme/web@sha256:${"a".repeat(64)}` }] } } },
                    }),
                );
                break;
            default:
                out.push(record("kubernetes:core/v1:ConfigMap", `${ns}-cfg-${i}`, { metadata: { name: `cfg-${i}`, namespace: ns }, immutable: true, data: { k: "v" } }));
        }
    }
    return out.slice(0, TEAM_SIZE);
}

/** A synthetic stack of exactly `size` resources (root stack included), ~10% principals. */
export function syntheticStack(size: number): ResourceRecord[] {
    const out: ResourceRecord[] = [{ ...record("pulumi:pulumi:Stack", "bench-dev", {}), custom: false, id: undefined }];
    for (let t = 0; out.length < size; t++) {
        out.push(...team(t));
    }
    return out.slice(0, size);
}

// ---- adversarial shapes (issue 12): graphs that are dense, deep or wide rather than many small teams ----

const DEPLOY_STMT = { Effect: "Allow", Action: "lambda:UpdateFunctionCode", Resource: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:app-*` };
const APPROVE_STMT = { Effect: "Allow", Action: "codepipeline:PutApprovalResult", Resource: `arn:aws:codepipeline:eu-west-1:${ACCOUNT}:release/*` };
const TRUST_ACCOUNT = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" };

function rootStack(): ResourceRecord {
    return { ...record("pulumi:pulumi:Stack", "bench-dev", {}), custom: false, id: undefined };
}

/**
 * Dense trust, as in older accounts: every role trusts the account root and may assume any role
 * (`sts:AssumeRole` on `*`), so every role can become every other: per pair that is `roles`^2
 * escalation edges. One role in 100 approves (its trust requires MFA); one in 100 is a CI deployer
 * (trusted by CodeBuild, not by the account) that may assume any role too, so every deployer is
 * reported with its path to an approver.
 */
export function denseTrustStack(roles: number): ResourceRecord[] {
    const out = [rootStack()];
    const assumeAny = { Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" };
    for (let i = 0; i < roles; i++) {
        if (i % 100 === 0) {
            out.push(role(`dense-${i}`, [{ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" }], [assumeAny, DEPLOY_STMT]));
        } else if (i % 100 === 50) {
            out.push(role(`dense-${i}`, [{ ...TRUST_ACCOUNT, Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }], [assumeAny, APPROVE_STMT]));
        } else {
            out.push(role(`dense-${i}`, [TRUST_ACCOUNT], [assumeAny]));
        }
    }
    return out;
}

/**
 * Dense trust where every role is reported: as above, but deployers trust the account root too, so
 * every role reaches both duties (each of the `roles` findings prints two paths).
 */
export function denseTrustReportedStack(roles: number): ResourceRecord[] {
    const out = [rootStack()];
    for (let i = 0; i < roles; i++) {
        const duty = i % 100 === 0 ? [DEPLOY_STMT] : i % 100 === 50 ? [APPROVE_STMT] : [];
        out.push(role(`dense-${i}`, [TRUST_ACCOUNT], [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }, ...duty]));
    }
    return out;
}

/**
 * A long assume chain: role i trusts role i-1 by ARN, the head deploys and the tail approves, so
 * the head is reported with a path through every role of the chain.
 */
export function assumeChainStack(roles: number): ResourceRecord[] {
    const out = [rootStack()];
    for (let i = 0; i < roles; i++) {
        const trust = i === 0 ? [TRUST_ACCOUNT] : [{ Effect: "Allow", Principal: { AWS: roleArn(`chain-${i - 1}`) }, Action: "sts:AssumeRole" }];
        const duty = i === 0 ? [DEPLOY_STMT] : i === roles - 1 ? [APPROVE_STMT] : [];
        out.push(role(`chain-${i}`, trust, [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn(`chain-${i + 1}`) }, ...duty]));
    }
    return out;
}

/**
 * Many groups with many members: `size` resources, users and groups (about 1 group per 20 users,
 * each with its policy and membership resource, named `dept-<d>-<g>` in 10 departments); every user is in 10 groups, each group
 * grants a slice of read permissions. One group in 50 deploys and one approves, both in
 * department 0; one group in 100 (team leads) may add users to department 0's groups
 * (iam:AddUserToGroup on `group/dept-0-*`), so its members are reported.
 */
export function groupsStack(size: number): ResourceRecord[] {
    const out = [rootStack()];
    const groups = Math.max(10, Math.round(size / 23));
    const users = size - 3 * groups;
    const members: string[][] = Array.from({ length: groups }, () => []);
    const groupName = (g: number) => `dept-${g % 10}-${g}`;
    for (let u = 0; u < users; u++) {
        out.push(record("aws:iam/user:User", `user-${u}`, { name: `user-${u}`, arn: `arn:aws:iam::${ACCOUNT}:user/user-${u}`, path: "/" }));
        for (let k = 0; k < 10; k++) {
            members[(u * 7 + k * 13) % groups].push(`user-${u}`);
        }
    }
    for (let g = 0; g < groups; g++) {
        const name = groupName(g);
        const extra = g % 50 === 0 ? [DEPLOY_STMT] : g % 50 === 10 ? [APPROVE_STMT] : g % 100 === 7 ? [{ Effect: "Allow", Action: "iam:AddUserToGroup", Resource: `arn:aws:iam::${ACCOUNT}:group/dept-0-*` }] : [];
        out.push(
            record("aws:iam/group:Group", name, { name, arn: `arn:aws:iam::${ACCOUNT}:group/${name}`, path: "/" }),
            record("aws:iam/groupMembership:GroupMembership", `${name}-members`, { name: `${name}-members`, group: name, users: [...new Set(members[g])] }),
            record("aws:iam/groupPolicy:GroupPolicy", `${name}-policy`, {
                name: `${name}-policy`,
                group: name,
                policy: doc({ Effect: "Allow", Action: ["s3:GetObject", "dynamodb:GetItem"], Resource: `arn:aws:s3:::dept-${g % 10}/*` }, ...extra),
            }),
        );
    }
    return out;
}

/**
 * Many Kubernetes bindings to one service account: `bindings` namespaces, each with a Role that may
 * create Deployments and a RoleBinding of the shared CI service account `ci/deployer`, plus one
 * service account of its own (which the CI account can then run as). One namespace in 100 has an
 * approver service account allowed to create ReleaseApprovals.
 */
export function k8sBindingsStack(bindings: number): ResourceRecord[] {
    const out = [rootStack(), record("kubernetes:core/v1:ServiceAccount", "ci-deployer", { metadata: { name: "deployer", namespace: "ci" } })];
    for (let i = 0; out.length < bindings * 3 + 2; i++) {
        const ns = `ns-${i}`;
        out.push(
            record("kubernetes:rbac.authorization.k8s.io/v1:Role", `${ns}-deploy`, {
                metadata: { name: "deploy", namespace: ns },
                rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "update", "patch"] }],
            }),
            record("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", `${ns}-ci`, {
                metadata: { name: "ci", namespace: ns },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "deploy" },
                subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: "ci" }],
            }),
            record("kubernetes:core/v1:ServiceAccount", `${ns}-app`, { metadata: { name: "app", namespace: ns } }),
        );
        if (i % 100 === 0) {
            out.push(
                record("kubernetes:rbac.authorization.k8s.io/v1:Role", `${ns}-approve`, {
                    metadata: { name: "approve", namespace: ns },
                    rules: [{ apiGroups: ["sealed-infra.io"], resources: ["releaseapprovals"], verbs: ["create"] }],
                }),
                record("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", `${ns}-approver`, {
                    metadata: { name: "approver", namespace: ns },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "approve" },
                    subjects: [{ kind: "ServiceAccount", name: "app", namespace: ns }],
                }),
            );
        }
    }
    return out;
}

/** The adversarial shapes by name, each a function of its size (roles, resources, or bindings: see each). */
export const SHAPES: Record<string, (size: number) => ResourceRecord[]> = {
    "dense-trust": denseTrustStack,
    "dense-trust-reported": denseTrustReportedStack,
    "assume-chain": assumeChainStack,
    "groups": groupsStack,
    "k8s-bindings": k8sBindingsStack,
};

/** The records as the policies' StackModel sees them (outputs). */
export function toStackModel(records: readonly ResourceRecord[]): StackModel {
    return StackModel.fromRecords(
        records.map(
            (r): StackResource => ({
                urn: r.urn,
                type: r.type,
                name: r.name,
                props: r.outputs,
                options: { ...r.options, parent: r.parent } as unknown as StackResource["options"],
                parent: r.parent,
                dependencies: r.dependencies,
                propertyDependencies: r.propertyDependencies,
            }),
        ),
    );
}

const PRINCIPAL_TYPES = new Set(["aws:iam/role:Role", "aws:iam/user:User", "aws:iam/group:Group", "kubernetes:core/v1:ServiceAccount"]);

export interface StackAnalysisResult {
    size: number;
    principals: number;
    /** Time for every stack policy of the catalogue on one shared model, in ms. */
    policiesMs: number;
    /** Of which building the principal graph and duty analysis (first policy to need it), in ms. */
    findings: number;
    heapUsedMb: number;
}

/**
 * Runs every stack policy of the catalogue in-process on synthetic stacks of the given sizes,
 * sharing one StackModel per stack as the pack does in one AnalyzeStack. Returns measurements;
 * the caller prints or compares them.
 */
export function runStackAnalysis(sizes: readonly number[] = [1000, 5000, 20000], generate: (size: number) => ResourceRecord[] = syntheticStack): StackAnalysisResult[] {
    const results: StackAnalysisResult[] = [];
    const stackPolicies = catalogue.filter((d): d is StackPolicyDefinition => d.kind === "stack");
    for (const size of sizes) {
        const records = generate(size);
        const principals = records.filter((r) => PRINCIPAL_TYPES.has(r.type)).length;
        const model = toStackModel(records);
        let findings = 0;
        const report = () => void findings++;
        const saved = process.env.PULUMI_NODEJS_DRY_RUN;
        process.env.PULUMI_NODEJS_DRY_RUN = "false";
        const t0 = process.hrtime.bigint();
        try {
            for (const def of stackPolicies) {
                const f = new Findings(report as never, def, "update");
                try {
                    def.check(model, configWithDefaults(def, {}), f);
                } catch (e) {
                    f.internalError(undefined, def.name, e);
                }
            }
        } finally {
            if (saved === undefined) {
                delete process.env.PULUMI_NODEJS_DRY_RUN;
            } else {
                process.env.PULUMI_NODEJS_DRY_RUN = saved;
            }
        }
        const policiesMs = Number(process.hrtime.bigint() - t0) / 1e6;
        results.push({ size, principals, policiesMs, findings, heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024 });
    }
    return results;
}

if (require.main === module) {
    // `node -r ts-node/register/transpile-only test/bench/stack-analysis.ts [shape] [sizes]`: in-process, no floor.
    const shape = process.argv[2] ?? "teams";
    const sizes = (process.argv[3] ?? "1000,5000,20000").split(",").map(Number);
    for (const r of runStackAnalysis(sizes, shape === "teams" ? syntheticStack : SHAPES[shape])) {
        console.log(`${String(r.size).padStart(6)} resources  ${String(r.principals).padStart(5)} principals  stack policies ${r.policiesMs.toFixed(0).padStart(6)} ms  findings ${r.findings}  heap ${r.heapUsedMb.toFixed(0)} MB`);
    }
}
