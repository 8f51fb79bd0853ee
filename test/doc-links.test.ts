import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/**
 * The documentation never points at something that is not in the repository: every relative link
 * in README.md, CONTRIBUTING.md, policypack/README.md and docs/ resolves to a tracked file (and its
 * #anchor to a heading there), every repository path quoted in backticks exists, and nothing cites
 * the planning documents that live outside the repository.
 */
const root = path.resolve(__dirname, "..");

function trackedFiles(): string[] {
    return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
        .split("\n")
        .filter((f) => f && fs.existsSync(path.join(root, f)));
}

const files = trackedFiles();
const docs = files.filter((f) => /^(README|CONTRIBUTING)\.md$|^policypack\/README\.md$|^docs\/.*\.md$|^examples\/[^/]+\/README\.md$/.test(f));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function headingAnchor(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-");
}

function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const counts = new Map<string, number>();
    let inFence = false;
    for (const line of markdown.split("\n")) {
        if (/^\s*```/.test(line)) {
            inFence = !inFence;
        }
        const m = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
        if (m) {
            const base = headingAnchor(m[1]);
            const n = counts.get(base) ?? 0;
            counts.set(base, n + 1);
            anchors.add(n === 0 ? base : `${base}-${n}`);
        }
    }
    return anchors;
}

/** The markdown without fenced code blocks (links and paths in examples are not references). */
function prose(markdown: string): string {
    return markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, "");
}

describe("documentation links", () => {
    it("finds the documentation to check", () => {
        for (const f of ["README.md", "CONTRIBUTING.md", "docs/design.md", "docs/components.md", "docs/offline-check.md"]) {
            assert.ok(docs.includes(f), f);
        }
    });

    it("every relative link resolves to a file of the repository, and every #anchor to a heading", () => {
        const broken: string[] = [];
        const fileSet = new Set(files);
        for (const doc of docs) {
            const text = prose(fs.readFileSync(path.join(root, doc), "utf8"));
            for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
                const target = m[1];
                if (/^(https?:|mailto:)/.test(target)) {
                    continue;
                }
                const [file, anchor] = target.split("#");
                const resolved = file ? path.posix.normalize(path.posix.join(path.posix.dirname(doc), file)).replace(/\/$/, "") : doc;
                const isDir = files.some((f) => f.startsWith(resolved + "/"));
                if (!fileSet.has(resolved) && !isDir) {
                    broken.push(`${doc}: ${target} (no file ${resolved})`);
                    continue;
                }
                if (anchor && resolved.endsWith(".md") && !anchorsOf(fs.readFileSync(path.join(root, resolved), "utf8")).has(anchor)) {
                    broken.push(`${doc}: ${target} (no heading #${anchor} in ${resolved})`);
                }
            }
        }
        assert.deepEqual(broken, []);
    });

    it("every repository path quoted in backticks exists", () => {
        const missing: string[] = [];
        const tops = new Set(files.map((f) => f.split("/")[0]));
        for (const doc of docs) {
            const text = prose(fs.readFileSync(path.join(root, doc), "utf8"));
            for (const m of text.matchAll(/`([A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+\/?)`/g)) {
                const p = m[1].replace(/\/$/, "");
                if (!tops.has(p.split("/")[0]) || /^(dist|node_modules)\//.test(p) || p.startsWith("policypack/bin")) {
                    continue; // not a repository path (a URL path, an npm package, build output)
                }
                if (!files.some((f) => f === p || f.startsWith(p + "/"))) {
                    missing.push(`${doc}: \`${m[1]}\``);
                }
            }
        }
        assert.deepEqual(missing, []);
    });

    it("nothing cites the planning documents outside the repository", () => {
        const cites: string[] = [];
        for (const f of files.filter((x) => /\.(ts|js|md|json|ya?ml)$/.test(x) && !x.startsWith("test/fixtures/") && x !== "package-lock.json")) {
            const text = fs.readFileSync(path.join(root, f), "utf8");
            for (const m of text.matchAll(/\b(DESIGN\.md|ENGINE\.md|DEVELOPERS\.md)|\.\.\/shared\/(?:tools|DESIGN|ENGINE|DEVELOPERS)/g)) {
                if (!files.includes(m[1] ?? "")) {
                    cites.push(`${f}: ${m[0]}`);
                }
            }
        }
        assert.deepEqual(cites.filter((c) => !c.startsWith("test/doc-links.test.ts")), []);
    });
});
