import { strict as assert } from "assert";
import * as path from "path";
import { pathToFileURL } from "url";
import type { AnalyzerDiagnostic, ResourceRecord } from "../../cli/model";
import { declarationSites, engineSourcePosition, parseSourcePosition, toSourceLocation } from "../../cli/sources/source-position";
import { findingKind, fingerprints } from "../../cli/report/common";
import { docLinks, repositoryWebUrl } from "../../cli/report/links";

const PROJECT = path.resolve("/work/acme/infra");
const S = "urn:pulumi:dev::shop::";

function record(urn: string, sourcePosition?: string, parent?: string): ResourceRecord {
    return {
        urn,
        type: urn.split("::")[2].split("$").pop()!,
        name: urn.split("::")[3],
        custom: true,
        inputs: {},
        outputs: {},
        dependencies: [],
        propertyDependencies: {},
        options: { protect: false, ignoreChanges: [], additionalSecretOutputs: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 } },
        ...(parent ? { parent } : {}),
        ...(sourcePosition ? { sourcePosition } : {}),
    };
}

function diag(urn: string, message: string, policyName = "ecr-tags-immutable"): AnalyzerDiagnostic {
    return { policyName, policyPackName: "sealed-infra", policyPackVersion: "0.1.0", description: "D.", message: `D.\n${message}`, enforcementLevel: "mandatory", urn, severity: "high" };
}

describe("cli/sources/source-position: where a resource was declared", () => {
    it("writes positions as the engine keeps them in state, relative to the project, and reads them back", () => {
        const uri = pathToFileURL(path.join(PROJECT, "src", "my app.ts")).toString();
        const text = engineSourcePosition(PROJECT, uri, 12, 7)!;
        assert.equal(text, "project:///src/my%20app.ts#12,7");
        assert.deepEqual(parseSourcePosition(text), { path: "src/my app.ts", line: 12, column: 7 });
        assert.equal(engineSourcePosition(PROJECT, pathToFileURL(path.join(PROJECT, "a.ts")).toString(), 3, 0), "project:///a.ts#3", "no column: line only, as the engine writes it");
        assert.deepEqual(parseSourcePosition("project:///a.ts#3"), { path: "a.ts", line: 3 });
        assert.equal(engineSourcePosition(PROJECT, pathToFileURL("/work/acme/lib/x.ts").toString(), 1, 1), "project:///../lib/x.ts#1,1");
        assert.equal(parseSourcePosition(engineSourcePosition(PROJECT, pathToFileURL(path.join(PROJECT, "a#b.ts")).toString(), 2, 1))?.path, "a#b.ts");
    });

    it("ignores what the engine would reject or cannot have written", () => {
        assert.equal(engineSourcePosition(PROJECT, "https://example.com/x.ts", 1, 1), undefined);
        assert.equal(engineSourcePosition(PROJECT, pathToFileURL(path.join(PROJECT, "a.ts")).toString(), 0, 1), undefined);
        for (const bad of [undefined, 42, "", "file:///a.ts#1,1", "project:///a.ts", "project:///#1", "project:///a.ts#0", "project:///a.ts#x,1", "project:///%E0%A4%A.ts#1"]) {
            assert.equal(parseSourcePosition(bad), undefined, String(bad));
        }
    });

    it("a resource declared in a dependency or outside the project points at the program line of its nearest ancestor", () => {
        const comp = `${S}sealed-infra:aws:ImmutableBucket::art`;
        const bucket = `${S}sealed-infra:aws:ImmutableBucket$aws:s3/bucket:Bucket::art`;
        const nested = `${S}sealed-infra:aws:ImmutableBucket$aws:s3/bucket:Bucket$aws:s3/bucketPolicy:BucketPolicy::art`;
        const own = `${S}aws:ecr/repository:Repository::images`;
        const helper = `${S}aws:s3/bucket:Bucket::shared`;
        const orphan = `${S}aws:s3/bucket:Bucket::orphan`;
        const sites = declarationSites([
            record(comp, "project:///index.ts#4,19"),
            record(bucket, "project:///node_modules/sealed-infra/dist/components/aws/immutable-bucket.js#150,9", comp),
            record(nested, undefined, bucket),
            record(own, "project:///lib/repos.ts#8,1"),
            record(helper, "project:///../shared/buckets.ts#2,1"),
            record(orphan, "project:///node_modules/x/index.js#1,1"),
            record(`${S}pulumi:providers:aws::default`),
        ]);
        assert.deepEqual(sites.get(bucket), { path: "index.ts", line: 4, column: 19 });
        assert.deepEqual(sites.get(nested), { path: "index.ts", line: 4, column: 19 });
        assert.deepEqual(sites.get(own), { path: "lib/repos.ts", line: 8, column: 1 });
        assert.deepEqual(sites.get(helper), { path: "../shared/buckets.ts", line: 2, column: 1 }, "outside the project but not a dependency: its own line");
        assert.equal(sites.has(orphan), false, "only a dependency's line: none");
        assert.equal(sites.has(`${S}pulumi:providers:aws::default`), false);
        assert.deepEqual(toSourceLocation(sites.get(own)!, PROJECT, path.resolve("/work/acme")), { file: "infra/lib/repos.ts", line: 8, column: 1 });
    });

    it("a parent cycle in bad input ends the walk", () => {
        const a = `${S}x:y:Z::a`;
        const b = `${S}x:y:Z::b`;
        assert.equal(declarationSites([record(a, undefined, b), record(b, undefined, a)]).size, 0);
    });
});

describe("cli/report: finding identities and documentation links", () => {
    const ECR = `${S}aws:ecr/repository:Repository::images`;

    it("a finding keeps its fingerprint when waived, when dates, digests or auto-name suffixes change", () => {
        const base = diag(ECR, 'aws:ecr:Repository "images": role "deployer-92856b9" may push sha256:1111111111111111111111111111111111111111111111111111111111111111 until 2026-12-01.');
        const later = diag(ECR, 'aws:ecr:Repository "images": role "deployer-0fda367" may push sha256:2222222222222222222222222222222222222222222222222222222222222222 until 2027-01-31.');
        const waived = { ...diag(ECR, `${specific(base)}\nWaived until 2027-01-01 by sec@acme.example (SEC-1): reason`), enforcementLevel: "advisory" as const };
        assert.equal(findingKind(base), findingKind(later));
        assert.deepEqual(fingerprints([base]), fingerprints([later]));
        assert.deepEqual(fingerprints([base]), fingerprints([waived]));
        assert.match(fingerprints([base])[0], /^[0-9a-f]{64}$/);
    });

    it("findings differ by policy, resource and the property they name; a repeated kind gets a suffix", () => {
        const a = diag(ECR, "imageTagMutability is MUTABLE.");
        const ids = fingerprints([a, diag(ECR, "scanOnPush is off."), diag(`${S}aws:ecr/repository:Repository::other`, "imageTagMutability is MUTABLE."), diag(ECR, "imageTagMutability is MUTABLE.", "other-policy"), a]);
        assert.equal(new Set(ids).size, 5);
        assert.equal(ids[4], `${ids[0]}:2`);
    });

    it("links follow one scheme from package.json's repository, in every form npm accepts", () => {
        for (const repository of [
            "github:acme/sealed-infra",
            "acme/sealed-infra",
            "https://github.com/acme/sealed-infra",
            "https://github.com/acme/sealed-infra.git",
            { type: "git", url: "git+https://github.com/acme/sealed-infra.git" },
        ]) {
            assert.equal(repositoryWebUrl({ repository }), "https://github.com/acme/sealed-infra", JSON.stringify(repository));
        }
        assert.equal(repositoryWebUrl({ homepage: "https://github.com/acme/sealed-infra#readme" }), "https://github.com/acme/sealed-infra");
        assert.equal(repositoryWebUrl({ repository: "git@github.com:acme/x.git" }), undefined);
        assert.equal(docLinks({}), undefined);
        const links = docLinks({ repository: "github:acme/sealed-infra" })!;
        assert.equal(links.informationUri, "https://github.com/acme/sealed-infra/tree/main/docs/policies");
        assert.equal(links.policyUri("s3-object-lock"), "https://github.com/acme/sealed-infra/blob/main/docs/policies/s3-object-lock.md");
    });

    it("the package names its repository, so reports link to the policies' documentation", () => {
        const pkg = require("../../package.json");
        assert.ok(docLinks(pkg), "package.json needs repository (or homepage) for informationUri and helpUri");
    });
});

function specific(d: AnalyzerDiagnostic): string {
    return d.message.slice(d.description.length + 1);
}
