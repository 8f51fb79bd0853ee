/**
 * No policy may crash on odd input: every policy of the catalogue gets resources of its own types
 * with arbitrary JSON-shaped properties (wrong types, nulls, unknown sentinels, deep nesting) and
 * must answer with findings or nothing, never with the framework's "could not evaluate" fallback
 * (which would mean a check threw).
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { catalogue } from "../../policypack/src/catalogue";
import { runResourcePolicy, runStackPolicy, UNKNOWN } from "../harness/policy-harness";

const leaf = fc.oneof(
    fc.constant(UNKNOWN),
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.constantFrom("", "Enabled", "Suspended", "IMMUTABLE", "MUTABLE", "COMPLIANCE", "*", "nginx:1.25", "{not json", '{"Statement":[]}', "arn:aws:iam::123456789012:role/x"),
    fc.string(),
);
/** Property names the policies really read: every segment of every guarded path, plus common keys. */
const vocabulary = [
    ...new Set([
        ...catalogue.flatMap((d) => d.guards.flatMap((g) => g.paths.flatMap((p) => p.split(/[.[\]"*]+/).filter((k) => k !== "")))),
        ...["bucket", "status", "image", "containers", "initContainers", "spec", "template", "policy", "rule", "name", "tags", "tagsAll", "id", "arn", "metadata", "namespace", "labels", "Statement", "Effect", "Action", "Resource", "Principal", "Condition", "manifest", "signature", "keyId"],
    ]),
];
const key = fc.oneof(fc.constantFrom(...vocabulary), fc.string({ maxLength: 8 }));
const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(key, tie("node"), { maxKeys: 4 })),
})).node;

describe("every policy survives arbitrary property values", () => {
    for (const def of catalogue) {
        const types = def.resourceTypes.length > 0 ? def.resourceTypes : ["pulumi:pulumi:Stack"];
        it(`${def.name}`, () => {
            fc.assert(
                fc.property(fc.constantFrom(...types), fc.dictionary(key, value, { maxKeys: 6 }), fc.boolean(), (type, props, preview) => {
                    const resource = { type, name: "odd", props };
                    const findings = def.kind === "resource" ? runResourcePolicy(def, resource, { preview }) : runStackPolicy(def, [resource, { ...resource, name: "odd2" }], { preview });
                    for (const f of findings) {
                        assert.ok(!/could not evaluate/.test(f.message), `${def.name} threw on ${type} ${JSON.stringify(props)}:\n${f.message}`);
                    }
                }),
                { numRuns: 300 },
            );
        });
    }
});
