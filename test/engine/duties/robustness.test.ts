import { strict as assert } from "assert";
import fc from "fast-check";
import { dutiesSeparated } from "../../../policypack/src/policies/separated-duties/duties-separated";
import { noDutyEscalation } from "../../../policypack/src/policies/separated-duties/no-duty-escalation";
import { trustPoliciesScoped } from "../../../policypack/src/policies/separated-duties/trust-policies-scoped";
import { noStandingAdmin } from "../../../policypack/src/policies/separated-duties/no-standing-admin";
import { k8sRbacLeastPrivilege } from "../../../policypack/src/policies/separated-duties/k8s-rbac-least-privilege";
import { runResourcePolicy, runStackPolicy, TestResource, UNKNOWN } from "../../harness/policy-harness";

/** Odd values where policies expect documents, names, lists and objects. */
const odd = fc.oneof(
    fc.constant(UNKNOWN),
    fc.constant(null),
    fc.constant("{not json"),
    fc.constant("arn:aws:iam::aws:policy/AdministratorAccess"),
    fc.constant("arn:aws:iam::123456789012:role/deployer"),
    fc.constant(JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] })),
    fc.constant(JSON.stringify({ Statement: { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Condition: { StringLike: { "x:sub": ["*"] } } } })),
    fc.constant({ Statement: [{ Effect: "Deny", NotAction: ["iam:*"], NotResource: "arn:*", Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": [] } } }] }),
    fc.integer(),
    fc.boolean(),
    fc.string(),
    fc.array(fc.oneof(fc.string(), fc.constant(UNKNOWN), fc.integer()), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("name", "kind", "namespace", "policy", "verbs", "resources", "apiGroups"), fc.oneof(fc.string(), fc.constant(UNKNOWN), fc.array(fc.string(), { maxLength: 2 }))),
);

const TYPES = [
    "aws:iam/role:Role",
    "aws:iam/user:User",
    "aws:iam/group:Group",
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/groupMembership:GroupMembership",
    "aws-native:iam:Role",
    "aws-native:iam:ManagedPolicy",
    "aws:kms/key:Key",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:lambda/function:Function",
    "aws:ec2/instance:Instance",
    "aws:eks/accessEntry:AccessEntry",
    "kubernetes:rbac.authorization.k8s.io/v1:Role",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:core/v1:Secret",
];
const PROPS = ["name", "arn", "role", "user", "group", "users", "roles", "policy", "policyArn", "assumeRolePolicy", "inlinePolicies", "managedPolicyArns", "permissionsBoundary", "policies", "policyDocument", "assumeRolePolicyDocument", "rules", "subjects", "roleRef", "metadata", "tags", "iamInstanceProfile", "principalArn", "kubernetesGroups", "aggregationRule", "type"];

const resource = fc.record({
    type: fc.constantFrom(...TYPES),
    name: fc.constantFrom("deployer", "approver", "a", "b"),
    props: fc.dictionary(fc.constantFrom(...PROPS), odd, { maxKeys: 6 }),
});

describe("separated-duties policies never throw on odd input", () => {
    it("reports findings, never an internal error, for random stacks", () => {
        fc.assert(
            fc.property(fc.array(resource, { maxLength: 8 }), fc.boolean(), (raw, preview) => {
                const stack: TestResource[] = raw.map((r, i) => ({ ...r, name: `${r.name}-${i}` }));
                for (const def of [dutiesSeparated, noDutyEscalation, trustPoliciesScoped, noStandingAdmin]) {
                    for (const f of runStackPolicy(def, stack, { preview })) {
                        assert.ok(!f.message.includes("could not evaluate"), `${def.name}: ${f.message}`);
                    }
                }
                for (const r of stack) {
                    for (const f of runResourcePolicy(k8sRbacLeastPrivilege, r, { preview })) {
                        assert.ok(!f.message.includes("could not evaluate"), f.message);
                    }
                }
            }),
            { numRuns: 500 },
        );
    });
});
