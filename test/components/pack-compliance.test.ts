/**
 * The components joined with the pack, the way a user meets them: a tiny program per component is
 * recorded under mocks (cli/sources/program.ts) and its resources go to the launched policy pack
 * over the analyzer protocol (cli/analyzer/client.ts).
 *
 * 1. Each component alone passes the whole pack: no finding of any level at update, no mandatory
 *    one in preview. One test per component, so a regression names the component.
 * 2. The unsafe variants each component's args permit (protect off, short retention, transformations
 *    through the component's resource options) and those a user could build by hand beside it are
 *    blocked: a mandatory violation of the named policy on the named resource. Fixtures live in
 *    test/fixtures/component-programs/<component>-unsafe; every resource name there says its variant.
 *
 * Needs the compiled pack (policypack/bin): `npm test` builds it first; alone run `npm run build:pack`.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { runPolicyPack } from "../../cli/analyzer/client";
import type { AnalyzerDiagnostic, PackReport } from "../../cli/model";
import { recordProgram } from "../../cli/sources/program";
import { catalogue } from "../../policypack/src/catalogue";

const ROOT = path.resolve(__dirname, "../..");
const PACK_DIR = path.join(ROOT, "policypack");
const FIXTURES = path.join(ROOT, "test/fixtures/component-programs");

interface Analysis {
    report: PackReport;
    types: string[];
}

async function analyze(fixture: string, preview: boolean): Promise<Analysis> {
    const dir = path.join(FIXTURES, fixture);
    const snapshot = await recordProgram(dir, { preview, displayName: `test/fixtures/component-programs/${fixture}` });
    const report = await runPolicyPack({ packDir: PACK_DIR, snapshot });
    return { report, types: snapshot.resources.map((r) => r.type) };
}

function resourceName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

function describeFinding(d: AnalyzerDiagnostic): string {
    return `[${d.enforcementLevel}] ${d.policyName} ${resourceName(d.urn)}: ${d.message}`;
}

/** Every policy of the catalogue ran, at mandatory: a clean report is not clean because a policy was off. */
function assertWholePackRan(report: PackReport): void {
    const notMandatory = catalogue
        .map((p) => p.name)
        .filter((name) => report.appliedConfig[name]?.enforcementLevel !== "mandatory");
    assert.deepEqual(notMandatory, [], `policies not run at mandatory: ${notMandatory.join(", ")}`);
}

const COMPONENTS: Array<{ component: string; fixture: string; types: string[] }> = [
    {
        component: "ImmutableBucket",
        fixture: "immutable-bucket",
        types: ["sealed-infra:aws:ImmutableBucket", "aws:s3/bucket:Bucket", "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"],
    },
    {
        component: "ImmutableImageRepository",
        fixture: "immutable-image-repository",
        types: ["sealed-infra:aws:ImmutableImageRepository", "aws:ecr/repository:Repository", "aws:ecr/repositoryPolicy:RepositoryPolicy"],
    },
    {
        component: "AuditTrail",
        fixture: "audit-trail",
        types: ["sealed-infra:aws:AuditTrail", "aws:cloudtrail/trail:Trail", "aws:cloudwatch/logGroup:LogGroup", "sealed-infra:aws:ImmutableBucket"],
    },
    {
        component: "DutyRoles",
        fixture: "duty-roles",
        types: ["sealed-infra:aws:DutyRoles", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"],
    },
    { component: "ReleaseSigningKey", fixture: "release-signing-key", types: ["sealed-infra:aws:ReleaseSigningKey", "aws:kms/key:Key"] },
    {
        component: "ImmutableConfig",
        fixture: "immutable-config",
        types: ["sealed-infra:kubernetes:ImmutableConfig", "kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:Secret"],
    },
    { component: "ImmutableWorkload", fixture: "immutable-workload", types: ["sealed-infra:kubernetes:ImmutableWorkload", "kubernetes:apps/v1:Deployment"] },
    {
        component: "DutyNamespace",
        fixture: "duty-namespace",
        types: [
            "sealed-infra:kubernetes:DutyNamespace",
            "kubernetes:rbac.authorization.k8s.io/v1:Role",
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
        ],
    },
];

/** [variant, policy that must block it, resource the violation is reported on]. */
type Expectation = [variant: string, policy: string, resource: string];

const UNSAFE: Record<string, Expectation[]> = {
    ImmutableBucket: [
        ["protect: false leaves the bucket unprotected", "critical-resources-protected", "unprotected"],
        ["a second public access block that allows public policies", "s3-store-sealed", "store-open"],
        ["protect: false leaves the Object Lock configuration unprotected", "critical-resources-protected", "unprotected-object-lock"],
        ["protect: false leaves the key unprotected", "critical-resources-protected", "unprotected-key"],
        ["retentionDays below the pack's minRetentionDays", "s3-object-lock", "short-retention-object-lock"],
        ["a transformation adds ignoreChanges on the Object Lock rule", "no-ignore-changes-on-guarded-properties", "transformed-object-lock"],
        ["a transformation adds deleteBeforeReplace on the bucket", "no-delete-before-replace-on-records", "transformed"],
        ["a lifecycle rule beside it expires versions early", "s3-no-early-expiration", "store-early-expiry"],
        ["a second versioning resource suspends versioning", "s3-versioning-enabled", "store-suspended"],
        ["a second Object Lock configuration in GOVERNANCE mode", "s3-object-lock", "store-governance"],
        ["a second bucket policy without the TLS deny replaces it", "s3-store-sealed", "store-replaced-policy"],
    ],
    ImmutableImageRepository: [
        ["protect: false leaves the repository unprotected", "critical-resources-protected", "unprotected"],
        ["a transformation makes tags MUTABLE", "ecr-tags-immutable", "mutable"],
        ["kmsKeyArn of a hand-built key without rotation", "kms-keys-protected", "weak-key"],
    ],
    AuditTrail: [
        ["protect: false leaves the trail unprotected", "critical-resources-protected", "unprotected"],
        ["protect: false leaves the audit-log bucket unprotected", "critical-resources-protected", "unprotected-logs"],
        ["a transformation narrows the trail to one region without validation", "cloudtrail-tamper-evident", "weakened"],
        ["a transformation ignores changes to log-file validation", "no-ignore-changes-on-guarded-properties", "weakened"],
        ["a transformation lets the log group expire", "log-groups-retained", "weakened-events"],
        ["a lifecycle rule beside it expires the audit logs", "s3-no-early-expiration", "audit-expiry"],
        ["a hand-built trail without validation, KMS or all regions", "cloudtrail-tamper-evident", "side-trail"],
        ["a hand-built trail writes into an unlocked bucket", "s3-object-lock", "plain-logs"],
    ],
    DutyRoles: [
        ["deployerStatements let the deployer assume a role that approves", "no-duty-escalation", "release-deployer"],
        ["AdministratorAccess attached to a deployer role", "no-standing-admin", "platform-deployer"],
        ["a hand-built role that both deploys and approves", "duties-separated", "ci-all"],
        ["a hand-built GitHub role without a sub condition", "trust-policies-scoped", "any-repo"],
    ],
    ReleaseSigningKey: [
        ["protect: false leaves the key unprotected", "critical-resources-protected", "unprotected"],
        ["a transformation bypasses the lockout safety check", "kms-keys-protected", "weakened"],
        ["a hand-built deployer that may also sign", "duties-separated", "signing-deployer"],
    ],
    ImmutableConfig: [
        ["a transformation sets immutable: false", "k8s-config-immutable", "mutable"],
        ["a plain ConfigMap beside it", "k8s-config-immutable", "plain-config"],
        ["a plain Secret beside it", "k8s-config-immutable", "plain-secret"],
    ],
    ImmutableWorkload: [
        ["a transformation swaps in a tag-only image", "images-pinned-by-digest", "transformed"],
        ["a transformation makes the root filesystem writable", "k8s-runtime-read-only", "transformed"],
        ["a DeploymentPatch beside it moves the workload to a tag", "images-pinned-by-digest", "retag-patch"],
        ["a privileged, tag-only Deployment beside it", "k8s-runtime-read-only", "debug-sidecar"],
        ["a privileged, tag-only Deployment beside it (image)", "images-pinned-by-digest", "debug-sidecar"],
    ],
    DutyNamespace: [
        ["the deployer ServiceAccount bound to cluster-admin", "k8s-rbac-least-privilege", "deployer-cluster-admin"],
        ["a Role that lets the deployer write ReleaseApprovals", "duties-separated", "deployer-self-approve"],
        ["a Role with bind and escalate for the deployer", "k8s-rbac-least-privilege", "deployer-escalate"],
        ["an approving ServiceAccount the deployer can run pods as", "no-duty-escalation", "billing-deployer"],
    ],
};

/**
 * Variants the pack does not catch yet (reported to the pack's owners). Kept here so that they are
 * visible as pending tests and turned on when the pack covers them.
 */
/** Unsafe variants the pack does not catch yet (reported as pending tests, so the gap stays visible). */
const NOT_YET_CAUGHT: Record<string, Expectation[]> = {};

describe("components pass the whole pack (program recorded under mocks, pack launched over gRPC)", function () {
    this.timeout(240_000);
    before(function () {
        if (!fs.existsSync(path.join(PACK_DIR, "bin", "index.js"))) {
            throw new Error("policypack/bin is missing: run `npm run build:pack` first");
        }
    });

    for (const { component, fixture, types } of COMPONENTS) {
        it(`${component}: no finding at update, no mandatory violation in preview`, async () => {
            const update = await analyze(fixture, false);
            for (const type of types) {
                assert.ok(update.types.includes(type), `the ${fixture} fixture builds a ${type}`);
            }
            assertWholePackRan(update.report);
            assert.deepEqual(update.report.diagnostics.map(describeFinding), [], `${component} at update`);

            const preview = await analyze(fixture, true);
            const mandatory = preview.report.diagnostics.filter((d) => d.enforcementLevel === "mandatory");
            assert.deepEqual(mandatory.map(describeFinding), [], `${component} in preview`);
        });
    }
});

describe("unsafe variants of each component are blocked by the pack", function () {
    this.timeout(240_000);

    for (const { component, fixture } of COMPONENTS) {
        describe(`${component} (test/fixtures/component-programs/${fixture}-unsafe)`, () => {
            let findings: AnalyzerDiagnostic[] = [];
            before(async () => {
                const { report } = await analyze(`${fixture}-unsafe`, false);
                assertWholePackRan(report);
                findings = report.diagnostics;
            });
            for (const [variant, policy, resource] of UNSAFE[component] ?? []) {
                it(`${variant}: ${policy} on "${resource}"`, () => {
                    const hit = findings.find(
                        (d) => d.policyName === policy && resourceName(d.urn) === resource && d.enforcementLevel === "mandatory",
                    );
                    assert.ok(
                        hit,
                        `no mandatory ${policy} violation on "${resource}"; findings on it: ` +
                            JSON.stringify(findings.filter((d) => resourceName(d.urn) === resource).map(describeFinding), null, 1),
                    );
                });
            }
            for (const [variant, policy, resource] of NOT_YET_CAUGHT[component] ?? []) {
                it.skip(`${variant}: ${policy} on "${resource}" (not caught by the pack yet)`, () => undefined);
            }
        });
    }
});
