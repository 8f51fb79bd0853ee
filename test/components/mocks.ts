/**
 * Pulumi mocks for the component tests. Each test file calls `installMocks()` in a `before()` (mocha
 * runs every file in one process, so a file must not rely on mocks another file installed) and
 * `recorder.reset()` between tests.
 *
 * The recorder sees every registration with the resource options the engine would see (parent,
 * protect, dependencies, ignoreChanges, deleteBeforeReplace, retainOnDelete), by wrapping the mock monitor, and
 * answers with plausible ids and ARNs so that references between resources resolve.
 */
import * as pulumi from "@pulumi/pulumi";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

export interface Registered {
    type: string;
    name: string;
    urn: string;
    custom: boolean;
    inputs: Record<string, any>;
    parent: string;
    protect: boolean;
    dependencies: string[];
    ignoreChanges: string[];
    deleteBeforeReplace: boolean;
    retainOnDelete: boolean;
}

export class Recorder {
    readonly resources: Registered[] = [];
    readonly invokes: { token: string; inputs: any }[] = [];

    reset(): void {
        this.resources.length = 0;
        this.invokes.length = 0;
    }

    ofType(type: string): Registered[] {
        return this.resources.filter((r) => r.type === type);
    }

    one(type: string, name?: string): Registered {
        const matches = this.ofType(type).filter((r) => name === undefined || r.name === name);
        if (matches.length !== 1) {
            throw new Error(
                `expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${matches.length}: ` +
                    this.resources.map((r) => `${r.type}::${r.name}`).join(", "),
            );
        }
        return matches[0];
    }

    byUrn(urn: string): Registered | undefined {
        return this.resources.find((r) => r.urn === urn);
    }

    /** `type::name` of every registered resource, sorted. */
    summary(): string[] {
        return this.resources.map((r) => `${r.type}::${r.name}`).sort();
    }
}

export const recorder = new Recorder();

function outputsFor(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    const [pkg, mod] = type.split(":");
    const service = (mod ?? "").split("/")[0];
    const out: Record<string, any> = { ...inputs };
    if (pkg === "aws") {
        switch (type) {
            case "aws:s3/bucket:Bucket": {
                const bucket = inputs.bucket ?? `${name}-bucket`;
                return { ...out, bucket, arn: `arn:aws:s3:::${bucket}`, region: REGION };
            }
            case "aws:iam/role:Role":
            case "aws:iam/policy:Policy": {
                const kind = type.endsWith("Role") ? "role" : "policy";
                const physical = inputs.name ?? `${name}-x1`;
                return { ...out, name: physical, arn: `arn:aws:iam::${ACCOUNT}:${kind}${inputs.path ?? "/"}${physical}` };
            }
            case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
                return { ...out, arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(inputs.url).replace("https://", "")}` };
            case "aws:ecr/repository:Repository": {
                const repo = inputs.name ?? `${name}-repo`;
                return {
                    ...out,
                    name: repo,
                    arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${repo}`,
                    repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${repo}`,
                    registryId: ACCOUNT,
                };
            }
            case "aws:kms/key:Key":
                return { ...out, keyId: `${name}-key-id`, arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${name}-key-id` };
            case "aws:cloudwatch/logGroup:LogGroup": {
                const group = inputs.name ?? name;
                return { ...out, name: group, arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}` };
            }
            case "aws:cloudtrail/trail:Trail": {
                const trail = inputs.name ?? name;
                return { ...out, name: trail, arn: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${trail}` };
            }
            default:
                return { ...out, arn: `arn:aws:${service}:${REGION}:${ACCOUNT}:${name}` };
        }
    }
    return out;
}


/** Installs the mocks (idempotent within a file's lifetime; re-installs if another file replaced them). */
export function installMocks(): Recorder {
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                const id = args.custom === false ? undefined : `${args.name}-id`;
                return { id, state: outputsFor(args.type, args.name, args.inputs) };
            },
            call(args) {
                recorder.invokes.push({ token: args.token, inputs: args.inputs });
                switch (args.token) {
                    case "aws:index/getCallerIdentity:getCallerIdentity":
                        return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/platform`, userId: "AIDA", id: ACCOUNT };
                    case "aws:index/getPartition:getPartition":
                        return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
                    case "aws:index/getRegion:getRegion":
                        return { name: REGION, region: REGION, id: REGION, endpoint: "ec2.us-east-1.amazonaws.com", description: "" };
                    default:
                        return {};
                }
            },
        },
        "components",
        "test",
        false,
    );
    // Wrap the mock monitor to see the resource options, which the mocks API does not pass on.
    const settings = require("@pulumi/pulumi/runtime/settings");
    const monitor = settings.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, res: any) => void) => {
        register(req, (err: any, res: any) => {
            if (!err && res) {
                recorder.resources.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: res.getUrn(),
                    custom: req.getCustom(),
                    inputs: req.getObject()?.toJavaScript() ?? {},
                    parent: req.getParent(),
                    protect: req.getProtect() === true,
                    dependencies: req.getDependenciesList(),
                    ignoreChanges: req.getIgnorechangesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    retainOnDelete: req.getRetainondelete() === true,
                });
            }
            callback(err, res);
        });
    };
    recorder.reset();
    return recorder;
}

/** Waits until every outstanding registration and apply has finished. */
export async function settle(): Promise<void> {
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
}

/** The resolved value of an Output (or plain value). */
export function valueOf<T>(value: pulumi.Input<T>): Promise<T> {
    // Output.promise() is internal but stable; it rejects when an apply throws.
    return (pulumi.output(value) as any).promise() as Promise<T>;
}

/** Registers the component built by `build`, waits for everything, and returns the recorder. */
export async function record<T>(build: () => T): Promise<{ component: T; recorder: Recorder }> {
    recorder.reset();
    const component = build();
    await settle();
    return { component, recorder };
}

/** The registration of a component resource instance, by its URN. */
export async function urnOf(resource: pulumi.Resource): Promise<string> {
    return valueOf(resource.urn);
}

/** Parses a JSON string property (policy documents). */
export function json(value: unknown): any {
    if (typeof value !== "string") {
        throw new Error(`expected a JSON string, found ${JSON.stringify(value)}`);
    }
    return JSON.parse(value);
}

/**
 * After a test that makes an Output-typed argument fail on purpose, the resources that waited for it
 * never finish registering, which would hang every later `settle()` and be reported as leaked
 * promises at exit. Re-installing the mocks resets the runtime's RPC and leak bookkeeping.
 */
export async function forgetIntentionalFailures(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    installMocks();
}
