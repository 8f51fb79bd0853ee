/**
 * What the pack and its neighbours must agree on but cannot import from one another (docs/design.md,
 * "Layout and layers": components never import the pack, the checker speaks to it only through the
 * analyzer protocol). One definition lives in the pack; each copy outside is proven equal here.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import * as components from "../components/common";
import { globMatch as componentsGlob, GlobOptions } from "../components/glob";
import { displayType as cliDisplayType } from "../cli/urn";
import { displayType } from "../policypack/src/framework/display";
import { principalIsEveryone } from "../policypack/src/engine/iam/document";
import * as tags from "../policypack/src/framework/tags";
import { globMatch } from "../policypack/src/shared/glob";

const root = path.resolve(__dirname, "..");

describe("shared copies", () => {
    it("designation tags and labels: components write what the pack reads", () => {
        assert.equal(components.TAG_STORE, tags.TAG_STORE);
        assert.equal(components.TAG_DUTY, tags.TAG_DUTY);
        assert.equal(components.TAG_PURPOSE, tags.TAG_PURPOSE);
        for (const [label, tag] of [
            [components.LABEL_STORE, tags.TAG_STORE],
            [components.LABEL_DUTY, tags.TAG_DUTY],
            [components.LABEL_PURPOSE, tags.TAG_PURPOSE],
        ]) {
            assert.ok(label.startsWith(tags.K8S_LABEL_PREFIX), label);
            assert.equal(`sealed-infra:${label.slice(tags.K8S_LABEL_PREFIX.length)}`, tag);
        }
        assert.deepEqual([...components.STORE_KINDS].sort(), [...tags.STORE_KINDS].sort());
        assert.equal(components.PURPOSE_RELEASE_APPROVAL, tags.PURPOSE_RELEASE_APPROVAL);
        const duties: components.Duty[] = ["deployer", "approver", "auditor"];
        assert.deepEqual([...duties].sort(), [...tags.DUTIES].sort());
    });

    it("a Kubernetes object labelled by a component reads as designated in the pack", () => {
        const labels = { [components.LABEL_STORE]: "artifacts", [components.LABEL_DUTY]: "approver" };
        const resource = { name: "x", type: "kubernetes:core/v1:ConfigMap", props: { metadata: { labels } } };
        assert.ok(tags.hasTag(resource, tags.TAG_STORE, "artifacts"));
        assert.ok(tags.hasTag(resource, tags.TAG_DUTY, "approver"));
    });

    it("components/glob.ts is policypack/src/shared/glob.ts verbatim (below its COPY note)", () => {
        const pack = fs.readFileSync(path.join(root, "policypack/src/shared/glob.ts"), "utf8");
        const copy = fs.readFileSync(path.join(root, "components/glob.ts"), "utf8");
        const note = copy.indexOf(" *\n * COPY:");
        assert.ok(note > 0, "components/glob.ts lost its COPY note");
        const withoutNote = copy.slice(0, note) + copy.slice(copy.indexOf(" */", note));
        assert.equal(withoutNote, pack);
        fc.assert(
            fc.property(fc.stringMatching(/^[a-c*?.:]{0,6}$/), fc.stringMatching(/^[a-cA-C.:?]{0,6}$/), fc.boolean(), fc.boolean(), (p, v, q, i) => {
                const o: GlobOptions = { questionMark: q, caseInsensitive: i };
                return globMatch(p, v, o) === componentsGlob(p, v, o);
            }),
        );
    });

    it("principalIsEveryone: components and the pack agree", () => {
        const samples: unknown[] = [
            "*", "arn:aws:iam::123456789012:root", { AWS: "*" }, { AWS: ["*"] }, { AWS: ["arn:x", "*"] }, { AWS: "arn:x" },
            { Service: "*" }, { Service: ["s3.amazonaws.com"] }, ["*"], [], {}, null, undefined, 1, { AWS: null }, { aws: "*" },
        ];
        for (const s of samples) {
            assert.equal(principalIsEveryone(s), components.principalIsEveryone(s), JSON.stringify(s));
        }
    });

    it("displayType: the checker's report names types as the pack's messages do", () => {
        const samples = ["aws:s3/bucketV2:BucketV2", "aws:s3/bucket:Bucket", "kubernetes:core/v1:ConfigMap", "aws:iam/role:Role",
            "pulumi:pulumi:Stack", "pulumi:providers:aws", "aws-native:s3:Bucket", "a:b/c:", "x", "a:b/:B", "sealed-infra:aws:DutyRoles"];
        for (const t of samples) {
            assert.equal(cliDisplayType(t), displayType(t), t);
        }
        fc.assert(
            fc.property(fc.stringMatching(/^[a-z]{0,3}(:[a-zA-Z/]{0,6}){0,3}$/), (t) => cliDisplayType(t) === displayType(t)),
        );
    });
});

describe("shared/glob options", () => {
    it("`*` spans any run of characters, `?` is literal unless questionMark", () => {
        assert.ok(globMatch("a*c", "abbbc"));
        assert.ok(globMatch("a*c", "ac"));
        assert.ok(globMatch("a*", "a/b:c\nd"));
        assert.ok(!globMatch("a?c", "abc"));
        assert.ok(globMatch("a?c", "a?c"));
        assert.ok(globMatch("a?c", "abc", { questionMark: true }));
        assert.ok(!globMatch("a?c", "ac", { questionMark: true }));
        assert.ok(globMatch("*", ""));
    });

    it("case is compared unless caseInsensitive", () => {
        assert.ok(!globMatch("Team-*", "team-a"));
        assert.ok(globMatch("Team-*", "team-a", { caseInsensitive: true }));
        assert.ok(globMatch("ABC", "abc", { caseInsensitive: true }));
        assert.ok(!globMatch("ABC", "abc"));
    });

    it("star: label stays within one DNS label and needs a character", () => {
        const o: GlobOptions = { star: "label" };
        assert.ok(globMatch("*.example.com", "a.example.com", o));
        assert.ok(!globMatch("*.example.com", "a.b.example.com", o));
        assert.ok(!globMatch("*.example.com", ".example.com", o));
        assert.ok(!globMatch("*", "", o));
    });

    it("regular-expression characters are literal", () => {
        assert.ok(globMatch("a.b", "a.b"));
        assert.ok(!globMatch("a.b", "axb"));
        assert.ok(globMatch("(x)+[y]|$^", "(x)+[y]|$^"));
        assert.ok(globMatch("a\\*", "a\\bc"));
    });

    it("arguments are (pattern, value)", () => {
        assert.ok(globMatch("prod-*", "prod-eu"));
        assert.ok(!globMatch("prod-eu", "prod-*"));
    });

    it("SEG matches within one ARN segment only when segment is set", async () => {
        const { SEG } = await import("../policypack/src/shared/glob");
        assert.ok(globMatch(`arn:aws:iam::${SEG}:role/x`, "arn:aws:iam::123:role/x", { segment: true }));
        assert.ok(!globMatch(`arn:aws:iam::${SEG}:role/x`, "arn:aws:iam::1:2:role/x", { segment: true }));
        assert.ok(!globMatch(`arn:aws:iam::${SEG}:role/x`, "arn:aws:iam::123:role/x"));
    });

    it("agrees with the matchers it replaced on their own patterns", () => {
        // The former hand-written matchers: `*` → `.*` (no `?`), case-sensitive, value first.
        const legacy = (value: string, pattern: string, flags = "") =>
            new RegExp("^" + pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$", flags).test(value);
        fc.assert(
            fc.property(fc.stringMatching(/^[a-cA-C*?.\-]{0,6}$/), fc.stringMatching(/^[a-cA-C?.\-]{0,6}$/), (p, v) =>
                globMatch(p, v) === legacy(v, p) && globMatch(p, v, { caseInsensitive: true }) === legacy(v, p, "i"),
            ),
        );
    });
});
