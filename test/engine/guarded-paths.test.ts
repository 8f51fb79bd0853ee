import { strict as assert } from "assert";
import fc from "fast-check";
import {
    formatPropertyPath,
    indexGuards,
    parsePropertyPath,
    pathContains,
    pathsOverlap,
    PropertyPathElement,
    WILDCARD,
} from "../../policypack/src/engine/guarded-paths";
import { catalogue } from "../../policypack/src/catalogue";

function elements(path: string): PropertyPathElement[] {
    const parsed = parsePropertyPath(path);
    assert.ok(parsed.ok, `${path}: ${parsed.ok ? "" : parsed.reason}`);
    return parsed.elements;
}

const overlap = (a: string, b: string) => pathsOverlap(elements(a), elements(b));

describe("guarded paths (Pulumi property-path syntax)", () => {
    it("parses names, indices, quoted keys and wildcards like the engine", () => {
        assert.deepEqual(elements("root"), ["root"]);
        assert.deepEqual(elements("root.nested.array[0].double[1]"), ["root", "nested", "array", 0, "double", 1]);
        assert.deepEqual(elements('root["nested"]'), ["root", "nested"]);
        assert.deepEqual(elements('root["key with \\"escaped\\" quotes"]'), ["root", 'key with "escaped" quotes']);
        assert.deepEqual(elements('["root key with a ."][100]'), ["root key with a .", 100]);
        assert.deepEqual(elements('tags["sealed-infra:store"]'), ["tags", "sealed-infra:store"]);
        assert.deepEqual(elements("root.array[*].field"), ["root", "array", WILDCARD, "field"]);
        assert.deepEqual(elements('root.array["*"].field'), ["root", "array", WILDCARD, "field"]);
        assert.deepEqual(elements("root.*.field"), ["root", WILDCARD, "field"]);
        assert.deepEqual(elements("*"), [WILDCARD]);
        assert.deepEqual(elements("metadata.annotations.kubectl-io/restartedAt"), ["metadata", "annotations", "kubectl-io/restartedAt"]);
        // Tolerated like the engine: '.' before '['.
        assert.deepEqual(elements("a.[0]"), ["a", 0]);
    });

    it("rejects what the engine rejects", () => {
        for (const bad of ["", ".a", "a.", "a[", "a[x]", 'a["x', 'a["x"', "a[-1]"]) {
            assert.equal(parsePropertyPath(bad).ok, false, bad);
        }
    });

    it("formats paths back in a canonical form that re-parses to the same elements", () => {
        assert.equal(formatPropertyPath(elements('a["b"][0]["c.d"][*]')), 'a.b[0]["c.d"][*]');
        assert.equal(formatPropertyPath(elements("*")), "*");
        fc.assert(
            fc.property(
                fc.array(
                    fc.oneof(
                        fc.nat(1000),
                        // Pulumi's quoting cannot express a key that ends in a backslash (it reads `\"` as an escaped quote).
                        fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !k.endsWith("\\")),
                        fc.constant(WILDCARD),
                    ),
                    { minLength: 1, maxLength: 6 },
                ),
                (els) => {
                    const parsed = parsePropertyPath(formatPropertyPath(els));
                    assert.ok(parsed.ok);
                    assert.deepEqual(parsed.elements, els);
                },
            ),
        );
    });

    it("overlaps: prefixes either way, wildcards on either side, never an index with a key", () => {
        assert.ok(overlap("spec", "spec.template.spec.containers[*].securityContext"));
        assert.ok(overlap("spec.template.spec.containers[0].securityContext.privileged", "spec.template.spec.containers[*].securityContext"));
        assert.ok(overlap("*", "imageTagMutability"));
        assert.ok(overlap("spec.*.spec", "spec.template"));
        assert.ok(overlap("items[3]", "items[*].immutable"));
        assert.ok(overlap('tags["sealed-infra:store"]', "tags"));
        assert.ok(overlap("tags", 'tags["sealed-infra:store"]'));
        assert.ok(!overlap('tags["team"]', 'tags["sealed-infra:store"]'));
        assert.ok(!overlap("spec.replicas", "spec.template.spec.containers[*].securityContext"));
        assert.ok(!overlap("a.0", "a[0]"));
        assert.ok(!overlap("rules[1]", "rules[0]"));
    });

    it("contains: only a covering path", () => {
        assert.ok(pathContains(elements("spec"), elements("spec.template")));
        assert.ok(pathContains(elements("a[*]"), elements("a[2].b")));
        assert.ok(!pathContains(elements("spec.template"), elements("spec")));
        assert.ok(!pathContains(elements("a[2]"), elements("a[*].b")));
    });

    it("every guard the catalogue declares parses", () => {
        assert.deepEqual(indexGuards(catalogue).invalid, []);
    });

    it("indexes guards by type, once per policy and path", () => {
        const index = indexGuards([
            { name: "p1", guards: [{ types: ["t:a", "t:b"], paths: ["x", "y.z"] }, { types: ["t:a"], paths: ["x"] }] },
            { name: "p2", guards: [{ types: ["t:a"], paths: ["x", "bad["] }] },
        ]);
        assert.deepEqual(index.byType.get("t:a")!.map((g) => `${g.policy}:${g.path}`), ["p1:x", "p1:y.z", "p2:x"]);
        assert.deepEqual(index.byType.get("t:b")!.map((g) => g.path), ["x", "y.z"]);
        assert.deepEqual(index.invalid.map((i) => `${i.policy}:${i.path}`), ["p2:bad["]);
    });
});
