/**
 * The members of SARIF 2.1.0 (OASIS, sarif-schema-2.1.0.json) that `sealed-infra check --format
 * sarif` emits, with the spec's required members, value constraints and closed member lists, written
 * for these tests (the OASIS schema file is not vendored). A misspelt or misplaced member fails
 * validation (`additionalProperties: false`, as the schema has on these objects).
 */
import Ajv from "ajv";

const message = { type: "object", required: ["text"], properties: { text: { type: "string" } }, additionalProperties: false };
const level = { enum: ["none", "note", "warning", "error"] };
const propertyBag = { type: "object" };
const uri = { type: "string", minLength: 1 };

export const SARIF_SUBSET_SCHEMA = {
    type: "object",
    required: ["version", "runs"],
    additionalProperties: false,
    properties: {
        $schema: uri,
        version: { const: "2.1.0" },
        runs: {
            type: "array",
            minItems: 1,
            items: {
                type: "object",
                required: ["tool"],
                additionalProperties: false,
                properties: {
                    tool: {
                        type: "object",
                        required: ["driver"],
                        additionalProperties: false,
                        properties: {
                            driver: {
                                type: "object",
                                required: ["name"],
                                additionalProperties: false,
                                properties: {
                                    name: { type: "string", minLength: 1 },
                                    version: { type: "string" },
                                    informationUri: uri,
                                    rules: {
                                        type: "array",
                                        items: {
                                            type: "object",
                                            required: ["id"],
                                            additionalProperties: false,
                                            properties: {
                                                id: { type: "string" },
                                                name: { type: "string" },
                                                shortDescription: message,
                                                fullDescription: message,
                                                help: message,
                                                helpUri: uri,
                                                defaultConfiguration: { type: "object", additionalProperties: false, properties: { level, properties: propertyBag } },
                                                properties: propertyBag,
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
                            additionalProperties: false,
                            properties: {
                                ruleId: { type: "string" },
                                ruleIndex: { type: "integer", minimum: -1 },
                                level,
                                message,
                                locations: {
                                    type: "array",
                                    items: {
                                        type: "object",
                                        additionalProperties: false,
                                        properties: {
                                            physicalLocation: {
                                                type: "object",
                                                required: ["artifactLocation"],
                                                additionalProperties: false,
                                                properties: {
                                                    artifactLocation: { type: "object", required: ["uri"], additionalProperties: false, properties: { uri } },
                                                    region: {
                                                        type: "object",
                                                        required: ["startLine"],
                                                        additionalProperties: false,
                                                        properties: { startLine: { type: "integer", minimum: 1 }, startColumn: { type: "integer", minimum: 1 } },
                                                    },
                                                },
                                            },
                                            logicalLocations: {
                                                type: "array",
                                                minItems: 1,
                                                items: {
                                                    type: "object",
                                                    additionalProperties: false,
                                                    properties: { name: { type: "string" }, fullyQualifiedName: { type: "string" }, kind: { type: "string" } },
                                                },
                                            },
                                        },
                                    },
                                },
                                partialFingerprints: { type: "object", additionalProperties: { type: "string" } },
                                suppressions: {
                                    type: "array",
                                    items: {
                                        type: "object",
                                        required: ["kind"],
                                        additionalProperties: false,
                                        properties: {
                                            kind: { enum: ["inSource", "external"] },
                                            status: { enum: ["accepted", "underReview", "rejected"] },
                                            justification: { type: "string" },
                                            properties: propertyBag,
                                        },
                                    },
                                },
                                properties: propertyBag,
                            },
                        },
                    },
                    invocations: {
                        type: "array",
                        items: {
                            type: "object",
                            required: ["executionSuccessful"],
                            additionalProperties: false,
                            properties: {
                                executionSuccessful: { type: "boolean" },
                                toolExecutionNotifications: {
                                    type: "array",
                                    items: {
                                        type: "object",
                                        required: ["message"],
                                        additionalProperties: false,
                                        properties: { level, message, descriptor: { type: "object", additionalProperties: false, properties: { id: { type: "string" } } } },
                                    },
                                },
                            },
                        },
                    },
                    properties: propertyBag,
                },
            },
        },
    },
};

/** Validation errors of a SARIF log against the subset, as text ("" when valid). */
export function sarifErrors(log: unknown): string {
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(SARIF_SUBSET_SCHEMA);
    return validate(log) ? "" : JSON.stringify(validate.errors, null, 2);
}
