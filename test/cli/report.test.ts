import { strict as assert } from "assert";
import type { AnalyzerDiagnostic, PackReport, PolicyInfoRecord } from "../../cli/model";
import { renderJson, toJsonReport } from "../../cli/report/json";
import { toSarif } from "../../cli/report/sarif";
import { docLinks } from "../../cli/report/links";
import { sarifErrors } from "./sarif-schema";
import { condenseUnknowns, unknownValueOf } from "../../cli/report/unknowns";
import { unknownNote } from "../../policypack/src/framework/findings";
import { packIcon, renderText } from "../../cli/report/text";

const S = "urn:pulumi:dev::shop::";
const ECR = `${S}aws:ecr/repository:Repository::images`;
const DEPLOY = `${S}acme:web:App$kubernetes:apps/v1:Deployment::web`;
const VERS_A = `${S}aws:s3/bucketVersioning:BucketVersioning::a`;
const VERS_B = `${S}aws:s3/bucketVersioning:BucketVersioning::b`;

function policy(name: string, severity: PolicyInfoRecord["severity"], description: string): PolicyInfoRecord {
    return {
        name,
        displayName: name.replace(/-/g, " "),
        description,
        enforcementLevel: "mandatory",
        severity,
        remediationSteps: `Fix ${name}.`,
        policyType: "resource",
    };
}

function diag(p: PolicyInfoRecord, urn: string, message: string, level: AnalyzerDiagnostic["enforcementLevel"] = "mandatory"): AnalyzerDiagnostic {
    return {
        policyName: p.name,
        policyPackName: "sealed-infra",
        policyPackVersion: "0.1.0",
        description: p.description,
        message: `${p.description}\n${message}`,
        enforcementLevel: level,
        urn,
        severity: p.severity,
    };
}

const ecrPolicy = policy("ecr-tags-immutable", "high", "ECR tags are immutable.");
const imagePolicy = policy("images-pinned-by-digest", "high", "Images are pinned by digest.");
const versioningPolicy = policy("s3-versioning-enabled", "high", "Buckets keep every version.");
const trailPolicy = policy("cloudtrail-tamper-evident", "critical", "Trails are tamper-evident.");
const dutyPolicy = policy("duties-separated", "medium", "No principal holds two conflicting duties.");

function report(diagnostics: AnalyzerDiagnostic[]): PackReport {
    return {
        pack: {
            name: "sealed-infra",
            version: "0.1.0",
            displayName: "sealed-infra",
            description: "",
            supportsConfig: true,
            policies: [ecrPolicy, imagePolicy, versioningPolicy, trailPolicy, dutyPolicy],
        },
        packSource: "local: policypack",
        appliedConfig: {},
        diagnostics,
        resources: 7,
    };
}

// Deliberately out of order: the reporters must sort like the CLI.
const mixed = report([
    diag(versioningPolicy, VERS_B, 'aws:s3:BucketVersioning "b": status is "Suspended".'),
    diag(dutyPolicy, "", "role deployer can also approve.", "advisory"),
    diag(imagePolicy, DEPLOY, 'image "nginx:1.25" is not pinned.\nuse a digest.'),
    { ...diag(versioningPolicy, VERS_A, 'aws:s3:BucketVersioning "a": status is "Suspended".'), source: { file: "infra/buckets.ts", line: 3 } },
    diag(trailPolicy, `${S}aws:cloudtrail/trail:Trail::audit`, "log file validation is off."),
    { ...diag(ecrPolicy, ECR, 'imageTagMutability is "MUTABLE".'), source: { file: "infra/index.ts", line: 12, column: 7 } },
]);

describe("cli/report: text, JSON and SARIF", () => {
    it("text: the pack header as the CLI prints it, then each policy's description once and its findings, in the CLI's order", () => {
        assert.equal(
            renderText(mixed),
            [
                "Policies:",
                "    ❌ sealed-infra@v0.1.0 (local: policypack)",
                "        cloudtrail-tamper-evident [severity: critical]: Trails are tamper-evident.",
                "          - [mandatory] (aws:cloudtrail:Trail: audit) log file validation is off.",
                "        ecr-tags-immutable [severity: high]: ECR tags are immutable.",
                '          - [mandatory] infra/index.ts:12:7: (aws:ecr:Repository: images) imageTagMutability is "MUTABLE".',
                "        images-pinned-by-digest [severity: high]: Images are pinned by digest.",
                '          - [mandatory] (kubernetes:apps/v1:Deployment: web) image "nginx:1.25" is not pinned.',
                "              use a digest.",
                "        s3-versioning-enabled [severity: high]: Buckets keep every version.",
                '          - [mandatory] infra/buckets.ts:3: aws:s3:BucketVersioning "a": status is "Suspended".',
                '          - [mandatory] aws:s3:BucketVersioning "b": status is "Suspended".',
                "        duties-separated [severity: medium]: No principal holds two conflicting duties.",
                "          - [advisory] role deployer can also approve.",
                "",
                "5 mandatory violations, 1 advisory violation in 7 resources analyzed",
                "",
            ].join("\n"),
        );
    });

    it("text: a policy with findings at two levels is one group, placed by its first finding", () => {
        const waived = { ...diag(ecrPolicy, `${S}aws:ecr/repository:Repository::legacy`, "x.\nWaived until 2099-01-01 by sec (T-1): reason"), enforcementLevel: "advisory" as const };
        const text = renderText(report([waived, diag(dutyPolicy, "", "y.", "advisory"), diag(ecrPolicy, ECR, "z.")]));
        assert.equal(text.match(/ECR tags are immutable\./g)?.length, 1, text);
        assert.match(
            text,
            /ecr-tags-immutable \[severity: high\]: ECR tags are immutable\.\n {10}- \[mandatory\] \(aws:ecr:Repository: images\) z\.\n {10}- \[advisory\] \(aws:ecr:Repository: legacy\) x\.\n {14}Waived until 2099-01-01 by sec \(T-1\): reason\n {8}duties-separated/,
        );
    });

    it("text: icons and an empty report", () => {
        assert.equal(packIcon([]), "✅");
        assert.equal(packIcon([diag(dutyPolicy, "", "x", "advisory")]), "⚠️");
        assert.equal(packIcon([diag(dutyPolicy, "", "x", "advisory"), diag(ecrPolicy, ECR, "y")]), "❌");
        assert.equal(
            renderText(report([])),
            "Policies:\n    ✅ sealed-infra@v0.1.0 (local: policypack)\n\n0 mandatory violations, 0 advisory violations in 7 resources analyzed\n",
        );
        const noSeverity = { ...diag(ecrPolicy, ECR, "m"), severity: "" as const };
        assert.match(renderText(report([noSeverity])), /\n {8}ecr-tags-immutable: ECR tags are immutable\.\n {10}- \[mandatory\] \(aws:ecr:Repository: images\) m\n/);
    });

    it("JSON has exactly the shape docs/design.md fixes", () => {
        const json = JSON.parse(renderJson(mixed));
        assert.deepEqual(Object.keys(json), ["policyPacks", "resources", "violations", "notes", "summary"]);
        assert.deepEqual(json.policyPacks, [{ name: "sealed-infra", version: "0.1.0" }]);
        assert.equal(json.resources, 7);
        assert.deepEqual(json.summary, { mandatory: 5, advisory: 1, notes: 0 });
        for (const v of json.violations) {
            const keys = ["policyName", "enforcementLevel", "severity", "urn", "resourceType", "resourceName", "message"];
            assert.deepEqual(Object.keys(v), v.source ? [...keys, "source"] : keys);
        }
        assert.deepEqual(json.violations[1], {
            policyName: "ecr-tags-immutable",
            enforcementLevel: "mandatory",
            severity: "high",
            urn: ECR,
            resourceType: "aws:ecr/repository:Repository",
            resourceName: "images",
            message: 'imageTagMutability is "MUTABLE".',
            source: { file: "infra/index.ts", line: 12, column: 7 },
        });
        assert.deepEqual(json.violations[3].source, { file: "infra/buckets.ts", line: 3 }, "no column when the position gave none");
        assert.deepEqual(
            json.violations.map((v: { policyName: string; resourceName: string }) => `${v.policyName}/${v.resourceName}`),
            ["cloudtrail-tamper-evident/audit", "ecr-tags-immutable/images", "images-pinned-by-digest/web", "s3-versioning-enabled/a", "s3-versioning-enabled/b", "duties-separated/"],
        );
        const stackLevel = json.violations[5];
        assert.equal(stackLevel.urn, "");
        assert.equal(stackLevel.resourceType, "");
        assert.equal(stackLevel.enforcementLevel, "advisory");
    });

    it("JSON counts remediate-level violations as mandatory", () => {
        const j = toJsonReport(report([diag(ecrPolicy, ECR, "m", "remediate")]));
        assert.deepEqual(j.summary, { mandatory: 1, advisory: 0, notes: 0 });
        assert.equal(j.violations[0].enforcementLevel, "mandatory");
    });

    it("SARIF validates against the 2.1.0 members it uses, with rules from the pack and results per violation", () => {
        const sarif = toSarif(mixed, { links: docLinks({ repository: "github:acme/sealed-infra" }), artifactUri: "infra/Pulumi.yaml" });
        assert.equal(sarifErrors(sarif), "");
        assert.notEqual(sarifErrors({ ...sarif, runs: [{ ...sarif.runs[0], results: [{ ...sarif.runs[0].results[0], partialFingerprint: {} }] }] }), "", "the schema can fail");

        const run = sarif.runs[0];
        assert.equal(run.tool.driver.name, "sealed-infra");
        assert.equal(run.tool.driver.version, "0.1.0");
        assert.equal(run.tool.driver.informationUri, "https://github.com/acme/sealed-infra/tree/main/docs/policies");
        const rule = run.tool.driver.rules.find((r) => r.id === "ecr-tags-immutable")!;
        assert.equal(rule.shortDescription.text, "ECR tags are immutable.");
        assert.equal(rule.help.text, "Fix ecr-tags-immutable.");
        assert.equal(rule.helpUri, "https://github.com/acme/sealed-infra/blob/main/docs/policies/ecr-tags-immutable.md");
        assert.equal(rule.properties.severity, "high");
        assert.equal(rule.defaultConfiguration.level, "error");

        assert.equal(run.results.length, 6);
        const ecr = run.results[1];
        assert.equal(ecr.ruleId, "ecr-tags-immutable");
        assert.equal(run.tool.driver.rules[ecr.ruleIndex].id, "ecr-tags-immutable");
        assert.equal(ecr.level, "error");
        assert.equal(ecr.message.text, 'imageTagMutability is "MUTABLE".');
        assert.deepEqual(ecr.locations, [
            {
                physicalLocation: { artifactLocation: { uri: "infra/index.ts" }, region: { startLine: 12, startColumn: 7 } },
                logicalLocations: [{ name: "images", fullyQualifiedName: ECR, kind: "resource" }],
            },
        ]);
        assert.deepEqual(
            run.results[0].locations,
            [{ physicalLocation: { artifactLocation: { uri: "infra/Pulumi.yaml" } }, logicalLocations: [{ name: "audit", fullyQualifiedName: `${S}aws:cloudtrail/trail:Trail::audit`, kind: "resource" }] }],
            "a resource whose declaration is unknown points at the program's file, without a region",
        );
        const stackLevel = run.results[5];
        assert.equal(stackLevel.level, "warning");
        assert.deepEqual(stackLevel.locations, [{ physicalLocation: { artifactLocation: { uri: "infra/Pulumi.yaml" } } }], "a stack-level result still has a file");
        // Without a file, results keep only their logical location.
        const odd = toSarif(report([{ ...diag(ecrPolicy, ECR, "m"), source: { file: "my infra/a#b.ts", line: 2 } }]), {}).runs[0].results[0];
        assert.equal(odd.locations![0].physicalLocation!.artifactLocation.uri, "my%20infra/a%23b.ts", "a relative URI reference: spaces and # escaped");
        const bareRun = toSarif(mixed, {}).runs[0];
        const bare = bareRun.results;
        assert.deepEqual(bare[0].locations, [{ logicalLocations: [{ name: "audit", fullyQualifiedName: `${S}aws:cloudtrail/trail:Trail::audit`, kind: "resource" }] }]);
        assert.equal(bare[5].locations, undefined);
        assert.equal("informationUri" in bareRun.tool.driver, false, "no repository, no links");
        assert.equal("helpUri" in bareRun.tool.driver.rules[0], false);
    });
});

describe("cli/report/unknowns: values not known until the update, condensed", () => {
    const ROLE = `${S}aws:iam/role:Role::deployer`;
    const POLICY = `${S}aws:iam/rolePolicy:RolePolicy::deploy`;
    const preview = (p: PolicyInfoRecord, urn: string, label: string, path: string, what: string) =>
        diag(p, urn, `${label}: ${path} is not known until the update, so it will be verified at update that ${what}.`, "advisory");

    it("one note per resource, naming the values and the policies that check them; findings stay findings", () => {
        const found = [
            { ...preview(dutyPolicy, POLICY, 'aws:iam:RolePolicy "deploy"', "policy", "no principal holds two duties"), source: { file: "index.ts", line: 4, column: 1 } },
            preview(trailPolicy, POLICY, 'aws:iam:RolePolicy "deploy"', "policy", "something else"),
            preview(dutyPolicy, ROLE, 'aws:iam:Role "deployer"', "assumeRolePolicy", "x"),
            preview(dutyPolicy, ROLE, 'aws:iam:Role "deployer"', "arn", "y"),
            diag(dutyPolicy, ROLE, 'aws:iam:Role "deployer": holds two duties.'),
            // At update under the Pulumi CLI an unknown is a mandatory finding: never condensed.
            diag(dutyPolicy, ROLE, 'aws:iam:Role "deployer": policy is still unknown during the update, so it cannot be verified that x; make the value known before the update.'),
            // An advisory that names another resource than its URN's is not recognised.
            diag(dutyPolicy, ROLE, 'aws:iam:Role "other": arn is not known until the update, so it will be verified at update that y.', "advisory"),
        ];
        const { findings, notes } = condenseUnknowns(found);
        assert.deepEqual(findings, found.slice(4));
        assert.deepEqual(notes, [
            'aws:iam:RolePolicy "deploy" (index.ts:4:1): policy is not known until the update; duties-separated and cloudtrail-tamper-evident check it at update.',
            'aws:iam:Role "deployer": assumeRolePolicy and arn are not known until the update; duties-separated checks them at update.',
        ]);
    });

    it("recognises the offline wording, and the pack's own wording of both", () => {
        const offline = diag(
            dutyPolicy,
            ROLE,
            `aws:iam:Role "deployer": ${unknownNote("offline", "arn", "x")}`,
            "advisory",
        );
        assert.deepEqual(unknownValueOf(offline), { path: "arn", wording: "offline" });
        assert.deepEqual(unknownValueOf(diag(dutyPolicy, ROLE, `aws:iam:Role "deployer": ${unknownNote("preview", "a.b[0]", "x")}`, "advisory")), { path: "a.b[0]", wording: "preview" });
        assert.deepEqual(condenseUnknowns([offline]).notes, [
            'aws:iam:Role "deployer": arn is not known offline (set by the cloud, or not computable offline); duties-separated checks it in pulumi preview with the pack, at update at the latest.',
        ]);
    });
});
