/**
 * The one link scheme for documentation the reports point at. Every policy has a page
 * `docs/policies/<policy name>.md` in the repository that package.json names (`repository`, else
 * `homepage`), on the default branch `main`; the tool's page is that folder. Change the scheme here
 * and nowhere else.
 */

/** What package.json offers (its `repository` may be a string or `{ url }`). */
export interface PackageLinks {
    repository?: unknown;
    homepage?: unknown;
}

export const DOCS_BRANCH = "main";
export const POLICY_DOCS_DIR = "docs/policies";

/** `https://github.com/o/r` from the forms npm accepts: URLs (git+, .git), `github:o/r`, `o/r`. */
export function repositoryWebUrl(pkg: PackageLinks): string | undefined {
    const repo = typeof pkg.repository === "string" ? pkg.repository : (pkg.repository as { url?: unknown } | undefined)?.url;
    if (typeof repo === "string" && repo.trim() !== "") {
        const text = repo.trim();
        const shorthand = /^(?:github:)?([\w.-]+)\/([\w.-]+)$/.exec(text);
        if (shorthand) {
            return `https://github.com/${shorthand[1]}/${shorthand[2].replace(/\.git$/, "")}`;
        }
        const url = /^(?:git\+)?(https?:\/\/[^#?]+?)(?:\.git)?\/?(?:[#?].*)?$/.exec(text);
        if (url) {
            return url[1];
        }
    }
    if (typeof pkg.homepage === "string") {
        const home = /^(https?:\/\/[^#?]+?)\/?(?:[#?].*)?$/.exec(pkg.homepage.trim());
        if (home) {
            return home[1];
        }
    }
    return undefined;
}

export interface DocLinks {
    /** The tool's documentation (SARIF tool.driver.informationUri). */
    informationUri: string;
    /** One policy's documentation page (SARIF rule helpUri). */
    policyUri(policyName: string): string;
}

/** The links for a package, or undefined when package.json names no web repository (reports then omit them). */
export function docLinks(pkg: PackageLinks): DocLinks | undefined {
    const repo = repositoryWebUrl(pkg);
    if (repo === undefined) {
        return undefined;
    }
    const base = `${repo}/blob/${DOCS_BRANCH}/${POLICY_DOCS_DIR}`;
    return {
        informationUri: base.replace("/blob/", "/tree/"),
        policyUri: (name) => `${base}/${encodeURIComponent(name)}.md`,
    };
}
