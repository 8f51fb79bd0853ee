import { strict as assert } from "assert";
import Ajv from "ajv";
import type { AnalyzerDiagnostic, PackReport, PolicyInfoRecord } from "../../cli/model";
import { renderJson, toJsonReport } from "../../cli/report/json";
import { toSarif } from "../../cli/report/sarif";
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
    diag(versioningPolicy, VERS_A, 'aws:s3:BucketVersioning "a": status is "Suspended".'),
    diag(trailPolicy, `${S}aws:cloudtrail/trail:Trail::audit`, "log file validation is off."),
    diag(ecrPolicy, ECR, 'imageTagMutability is "MUTABLE".'),
]);

describe("cli/report: text, JSON and SARIF", () => {
    it("text mirrors the CLI's Policies: section, sorted by enforcement, severity, policy, URN", () => {
        assert.equal(
            renderText(mixed),
            [
                "Policies:",
                "    ❌ sealed-infra@v0.1.0 (local: policypack)",
                "        - [mandatory] [severity: critical]  cloudtrail-tamper-evident  (aws:cloudtrail:Trail: audit)",
                "          Trails are tamper-evident.",
                "          log file validation is off.",
                "        - [mandatory] [severity: high]  ecr-tags-immutable  (aws:ecr:Repository: images)",
                "          ECR tags are immutable.",
                '          imageTagMutability is "MUTABLE".',
                "        - [mandatory] [severity: high]  images-pinned-by-digest  (kubernetes:apps/v1:Deployment: web)",
                "          Images are pinned by digest.",
                '          image "nginx:1.25" is not pinned.',
                "          use a digest.",
                "        - [mandatory] [severity: high]  s3-versioning-enabled  (aws:s3:BucketVersioning: a)",
                "          Buckets keep every version.",
                '          aws:s3:BucketVersioning "a": status is "Suspended".',
                "        - [mandatory] [severity: high]  s3-versioning-enabled  (aws:s3:BucketVersioning: b)",
                "          Buckets keep every version.",
                '          aws:s3:BucketVersioning "b": status is "Suspended".',
                "        - [advisory] [severity: medium]  duties-separated",
                "          No principal holds two conflicting duties.",
                "          role deployer can also approve.",
                "",
                "5 mandatory violations, 1 advisory violation in 7 resources analyzed",
                "",
            ].join("\n"),
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
        assert.match(renderText(report([noSeverity])), /\n {8}- \[mandatory\]  ecr-tags-immutable  \(aws:ecr:Repository: images\)\n/);
    });

    it("JSON has exactly the shape docs/design.md fixes", () => {
        const json = JSON.parse(renderJson(mixed));
        assert.deepEqual(Object.keys(json), ["policyPacks", "resources", "violations", "notes", "summary"]);
        assert.deepEqual(json.policyPacks, [{ name: "sealed-infra", version: "0.1.0" }]);
        assert.equal(json.resources, 7);
        assert.deepEqual(json.summary, { mandatory: 5, advisory: 1, notes: 0 });
        for (const v of json.violations) {
            assert.deepEqual(Object.keys(v), ["policyName", "enforcementLevel", "severity", "urn", "resourceType", "resourceName", "message"]);
        }
        assert.deepEqual(json.violations[1], {
            policyName: "ecr-tags-immutable",
            enforcementLevel: "mandatory",
            severity: "high",
            urn: ECR,
            resourceType: "aws:ecr/repository:Repository",
            resourceName: "images",
            message: 'imageTagMutability is "MUTABLE".',
        });
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

    // The parts of SARIF 2.1.0 (sarif-schema-2.1.0.json) that the report emits, with their required members.
    const sarifSchema = {
        type: "object",
        required: ["version", "runs"],
        properties: {
            $schema: { type: "string", format: "uri" },
            version: { const: "2.1.0" },
            runs: {
                type: "array",
                minItems: 1,
                items: {
                    type: "object",
                    required: ["tool"],
                    properties: {
                        tool: {
                            type: "object",
                            required: ["driver"],
                            properties: {
                                driver: {
                                    type: "object",
                                    required: ["name"],
                                    properties: {
                                        name: { type: "string", minLength: 1 },
                                        version: { type: "string" },
                                        informationUri: { type: "string", format: "uri" },
                                        rules: {
                                            type: "array",
                                            items: {
                                                type: "object",
                                                required: ["id"],
                                                properties: {
                                                    id: { type: "string" },
                                                    name: { type: "string" },
                                                    shortDescription: { $ref: "#/$defs/message" },
                                                    fullDescription: { $ref: "#/$defs/message" },
                                                    help: { $ref: "#/$defs/message" },
                                                    defaultConfiguration: {
                                                        type: "object",
                                                        properties: { level: { enum: ["none", "note", "warning", "error"] } },
                                                    },
                                                    properties: { type: "object" },
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                        results: {
                            type: "array",
                            items: {
                                type: "object",
                                required: ["message"],
                                properties: {
                                    ruleId: { type: "string" },
                                    ruleIndex: { type: "integer", minimum: 0 },
                                    level: { enum: ["none", "note", "warning", "error"] },
                                    message: { $ref: "#/$defs/message" },
                                    locations: {
                                        type: "array",
                                        items: {
                                            type: "object",
                                            properties: {
                                                physicalLocation: {
                                                    type: "object",
                                                    required: ["artifactLocation"],
                                                    properties: {
                                                        artifactLocation: { type: "object", required: ["uri"], properties: { uri: { type: "string", minLength: 1 } } },
                                                    },
                                                },
                                                logicalLocations: {
                                                    type: "array",
                                                    minItems: 1,
                                                    items: {
                                                        type: "object",
                                                        properties: {
                                                            name: { type: "string" },
                                                            fullyQualifiedName: { type: "string" },
                                                            kind: { type: "string" },
                                                        },
                                                    },
                                                },
                                            },
                                        },
                                    },
                                    properties: { type: "object" },
                                },
                            },
                        },
                        properties: { type: "object" },
                    },
                },
            },
        },
        $defs: {
            message: { type: "object", required: ["text"], properties: { text: { type: "string" } } },
        },
    };

    it("SARIF validates against the 2.1.0 members it uses, with rules from the pack and results per violation", () => {
        const sarif = toSarif(mixed, { informationUri: "https://www.npmjs.com/package/sealed-infra", artifactUri: "infra/Pulumi.yaml" });
        const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
        const validate = ajv.compile(sarifSchema);
        assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 2));

        const run = sarif.runs[0];
        assert.equal(run.tool.driver.name, "sealed-infra");
        assert.equal(run.tool.driver.version, "0.1.0");
        assert.equal(run.tool.driver.informationUri, "https://www.npmjs.com/package/sealed-infra");
        const rule = run.tool.driver.rules.find((r) => r.id === "ecr-tags-immutable")!;
        assert.equal(rule.shortDescription.text, "ECR tags are immutable.");
        assert.equal(rule.help.text, "Fix ecr-tags-immutable.");
        assert.equal(rule.properties.severity, "high");
        assert.equal(rule.defaultConfiguration.level, "error");

        assert.equal(run.results.length, 6);
        const ecr = run.results[1];
        assert.equal(ecr.ruleId, "ecr-tags-immutable");
        assert.equal(run.tool.driver.rules[ecr.ruleIndex].id, "ecr-tags-immutable");
        assert.equal(ecr.level, "error");
        assert.equal(ecr.message.text, 'imageTagMutability is "MUTABLE".');
        assert.deepEqual(ecr.locations, [
            { physicalLocation: { artifactLocation: { uri: "infra/Pulumi.yaml" } }, logicalLocations: [{ name: "images", fullyQualifiedName: ECR, kind: "resource" }] },
        ]);
        const stackLevel = run.results[5];
        assert.equal(stackLevel.level, "warning");
        assert.deepEqual(stackLevel.locations, [{ physicalLocation: { artifactLocation: { uri: "infra/Pulumi.yaml" } } }], "a stack-level result still has a file");
        // Without a file, results keep only their logical location.
        const bare = toSarif(mixed, { informationUri: "https://x" }).runs[0].results;
        assert.deepEqual(bare[1].locations, [{ logicalLocations: [{ name: "images", fullyQualifiedName: ECR, kind: "resource" }] }]);
        assert.equal(bare[5].locations, undefined);
    });
});
