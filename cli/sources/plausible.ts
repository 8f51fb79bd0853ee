/**
 * What the providers would contribute to a resource that program mode runs under mocks: the
 * physical names their Check assigns (auto-naming), the id, and plausible output-only values
 * (ARNs, URLs...) so that references between resources resolve to realistic strings and joins by
 * name/ARN work as they would on a real stack.
 *
 * Facts followed (and where they come from):
 *  - Bridged (Terraform-based) providers auto-name with `<name>-<7 hex chars>`
 *    (pulumi-terraform-bridge AutoName -> resource.NewUniqueHex(name+"-", 7, maxLen)); S3 bucket
 *    names are lower-cased. The name is assigned by Check, so it is known in preview too.
 *  - pulumi-kubernetes auto-names `metadata.name` with `<name>-<8 hex chars>`
 *    (provider/pkg/metadata AssignNameIfAutonamable -> resource.NewUniqueName(seed, name+"-", 0, 0, nil),
 *    whose default random length is 8, pulumi/pulumi sdk/go/common/resource/resource_id.go) and adds
 *    the annotation `pulumi.com/autonamed: "true"`; it skips objects with a name or generateName.
 *  - Bridged providers return `id` among the outputs; pulumi-kubernetes does not.
 *  - Values that are computed by the cloud (ids, ARNs, other output-only properties) are unknown in
 *    a preview of a new resource.
 * The random parts are derived from the URN so that runs are reproducible.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import { deterministicHex, deterministicUuid, packageOfType } from "./engine";
import { decodeManifests } from "./k8s-manifests";
import { ARCHIVE_SIG, SIG_KEY, UNKNOWN } from "../wire";
import type { WireProperties, WireValue } from "../model";
import type { ResourceSchema } from "./sdk-schema";

export const PLAUSIBLE_ACCOUNT = "123456789012";
export const DEFAULT_REGION = "us-east-1";

export interface PlausibleContext {
    region: string;
    /**
     * The AWS account of the resource's provider, or undefined when it cannot be known offline (a
     * provider that assumes a role whose ARN is unknown): values that contain it are then unknown.
     */
    account: string | undefined;
    preview: boolean;
}

/**
 * Types whose provider id is exactly the `name` the program gives (the provider's documented import
 * id). Other types' ids stay unknown: a made-up id (an organizations Account's name instead of its
 * account number) once hid a finding.
 */
const ID_IS_NAME = new Set(["aws:ssm/parameter:Parameter", "aws:dynamodb/table:Table"]);

/** Stands for an account the model does not know while computing; anything containing it becomes unknown. */
const ACCOUNT_NOT_KNOWN = "<sealed-infra: account not known offline>";

/**
 * Computed values that are also inputs (so the SDK does not list them as output-only) but that the
 * provider only knows once it has the artifact: a new resource's preview shows them unknown.
 */
const PLANNED_AT_DEPLOY: Record<string, readonly string[]> = { "aws:lambda/function:Function": ["codeSha256"] };

/** Packages whose providers are not Terraform-bridged (no `id` among outputs). */
const NATIVE_PACKAGES = new Set(["kubernetes", "aws-native", "azure-native", "google-native", "pulumi"]);

interface AutoName {
    property: string;
    /** Inputs that, when present, make the provider derive the name itself (computed). */
    prefixProperty?: string;
    lowercase?: boolean;
}

/** Bridged AWS resources whose name property pulumi-aws auto-names. */
const AWS_AUTONAMED: Record<string, AutoName> = {
    "aws:s3/bucket:Bucket": { property: "bucket", prefixProperty: "bucketPrefix", lowercase: true },
    "aws:s3/bucketV2:BucketV2": { property: "bucket", prefixProperty: "bucketPrefix", lowercase: true },
    "aws:ecr/repository:Repository": { property: "name", lowercase: true },
    "aws:iam/role:Role": { property: "name", prefixProperty: "namePrefix" },
    "aws:iam/policy:Policy": { property: "name", prefixProperty: "namePrefix" },
    "aws:iam/user:User": { property: "name" },
    "aws:iam/group:Group": { property: "name" },
    "aws:iam/instanceProfile:InstanceProfile": { property: "name", prefixProperty: "namePrefix" },
    "aws:cloudtrail/trail:Trail": { property: "name" },
    "aws:cloudwatch/logGroup:LogGroup": { property: "name", prefixProperty: "namePrefix" },
    "aws:lambda/function:Function": { property: "name" },
    "aws:sns/topic:Topic": { property: "name", prefixProperty: "namePrefix" },
    "aws:sqs/queue:Queue": { property: "name", prefixProperty: "namePrefix" },
    "aws:ecs/cluster:Cluster": { property: "name" },
    "aws:ec2/securityGroup:SecurityGroup": { property: "name", prefixProperty: "namePrefix" },
    "aws:ec2/launchTemplate:LaunchTemplate": { property: "name", prefixProperty: "namePrefix" },
    "aws:dynamodb/table:Table": { property: "name" },
    "aws:codebuild/project:Project": { property: "name" },
    "aws:codepipeline/pipeline:Pipeline": { property: "name" },
    "aws:secretsmanager/secret:Secret": { property: "name", prefixProperty: "namePrefix" },
};

export function isBridged(type: string): boolean {
    return !NATIVE_PACKAGES.has(packageOfType(type));
}

function isObject(v: WireValue | undefined): v is { [key: string]: WireValue } {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The provider's Check: returns the inputs with the auto-assigned physical name, if the resource
 * type auto-names and the program left the name unset.
 */
export function applyCheck(type: string, urn: string, name: string, inputs: WireProperties): WireProperties {
    const aws = AWS_AUTONAMED[type];
    if (aws) {
        if (inputs[aws.property] !== undefined || (aws.prefixProperty && inputs[aws.prefixProperty] !== undefined)) {
            return inputs;
        }
        let physical = `${name}-${deterministicHex(urn, 7)}`;
        if (aws.lowercase) {
            physical = physical.toLowerCase();
        }
        return { ...inputs, [aws.property]: physical };
    }
    if (packageOfType(type) === "kubernetes" && !type.endsWith("Patch") && !type.startsWith("kubernetes:helm") && !type.startsWith("kubernetes:yaml")) {
        const metadata = inputs.metadata;
        if (metadata === UNKNOWN) {
            return inputs;
        }
        const md = isObject(metadata) ? metadata : {};
        if (md.name !== undefined || md.generateName !== undefined) {
            return inputs;
        }
        const annotations = md.annotations;
        if (annotations !== undefined && !isObject(annotations)) {
            return inputs; // unknown or odd: the provider could not add its annotation either
        }
        return {
            ...inputs,
            metadata: {
                ...md,
                name: `${name}-${deterministicHex(urn, 8)}`,
                annotations: { ...(annotations ?? {}), "pulumi.com/autonamed": "true" },
            },
        };
    }
    return inputs;
}

function str(v: WireValue | undefined): string | undefined {
    return typeof v === "string" && v !== UNKNOWN ? v : undefined;
}

interface Computed {
    /** The provider-assigned id (update mode), undefined when the model does not know how the provider assigns it. */
    id: string | undefined;
    /** Output-only values (update mode). */
    outputs: WireProperties;
}

/** Plausible id and output-only values for an AWS (bridged) resource, on update. */
function awsComputed(type: string, urn: string, name: string, inputs: WireProperties, ctx: PlausibleContext): Computed {
    const [, moduleAndFile, typeName] = type.split(":");
    const module = moduleAndFile.split("/")[0];
    const { region } = ctx;
    const account = ctx.account ?? ACCOUNT_NOT_KNOWN;
    const suffix = deterministicHex(urn, 7);
    const physical = str(inputs.name) ?? `${name}-${suffix}`;
    const pathOf = (p: WireValue | undefined) => (str(p) ?? "/").replace(/^\/+/, "");
    switch (type) {
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2": {
            const bucket = str(inputs.bucket) ?? `${name}-${suffix}`.toLowerCase();
            const bucketRegion = str(inputs.region) ?? region;
            return {
                id: bucket,
                outputs: {
                    arn: `arn:aws:s3:::${bucket}`,
                    bucketDomainName: `${bucket}.s3.amazonaws.com`,
                    bucketRegionalDomainName: `${bucket}.s3.${bucketRegion}.amazonaws.com`,
                    bucketRegion,
                    region: bucketRegion,
                    hostedZoneId: "Z3AQBSTGFYJSTF",
                },
            };
        }
        case "aws:ecr/repository:Repository":
            return {
                id: physical,
                outputs: {
                    arn: `arn:aws:ecr:${region}:${account}:repository/${physical}`,
                    registryId: account,
                    repositoryUrl: `${account}.dkr.ecr.${region}.amazonaws.com/${physical}`,
                },
            };
        case "aws:iam/role:Role":
            return {
                id: physical,
                outputs: {
                    arn: `arn:aws:iam::${account}:role/${pathOf(inputs.path)}${physical}`,
                    uniqueId: `AROA${deterministicHex(urn + "#uid", 17).toUpperCase()}`,
                    createDate: "2026-01-01T00:00:00Z",
                },
            };
        case "aws:iam/user:User":
            return {
                id: physical,
                outputs: {
                    arn: `arn:aws:iam::${account}:user/${pathOf(inputs.path)}${physical}`,
                    uniqueId: `AIDA${deterministicHex(urn + "#uid", 17).toUpperCase()}`,
                },
            };
        case "aws:iam/group:Group":
            return {
                id: physical,
                outputs: {
                    arn: `arn:aws:iam::${account}:group/${pathOf(inputs.path)}${physical}`,
                    uniqueId: `AGPA${deterministicHex(urn + "#uid", 17).toUpperCase()}`,
                },
            };
        case "aws:iam/policy:Policy": {
            const arn = `arn:aws:iam::${account}:policy/${pathOf(inputs.path)}${physical}`;
            return { id: arn, outputs: { arn, policyId: `ANPA${deterministicHex(urn + "#uid", 17).toUpperCase()}`, attachmentCount: 0 } };
        }
        case "aws:iam/instanceProfile:InstanceProfile":
            return {
                id: physical,
                outputs: {
                    arn: `arn:aws:iam::${account}:instance-profile/${pathOf(inputs.path)}${physical}`,
                    uniqueId: `AIPA${deterministicHex(urn + "#uid", 17).toUpperCase()}`,
                },
            };
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
            const host = (str(inputs.url) ?? `${name}.example.com`).replace(/^https:\/\//, "");
            const arn = `arn:aws:iam::${account}:oidc-provider/${host}`;
            return { id: arn, outputs: { arn } };
        }
        case "aws:kms/key:Key": {
            const keyId = deterministicUuid(urn);
            return { id: keyId, outputs: { keyId, arn: `arn:aws:kms:${region}:${account}:key/${keyId}` } };
        }
        case "aws:kms/alias:Alias": {
            const aliasName = str(inputs.name) ?? `alias/${name}-${suffix}`;
            return { id: aliasName, outputs: { name: aliasName, arn: `arn:aws:kms:${region}:${account}:${aliasName}` } };
        }
        case "aws:cloudtrail/trail:Trail": {
            const arn = `arn:aws:cloudtrail:${region}:${account}:trail/${physical}`;
            return { id: arn, outputs: { arn, homeRegion: region } };
        }
        case "aws:cloudwatch/logGroup:LogGroup":
            return { id: physical, outputs: { arn: `arn:aws:logs:${region}:${account}:log-group:${physical}` } };
        case "aws:lambda/function:Function": {
            const arn = `arn:aws:lambda:${region}:${account}:function:${physical}`;
            const codeSha256 = lambdaCodeSha256(inputs.code);
            return {
                id: physical,
                outputs: {
                    arn,
                    qualifiedArn: `${arn}:$LATEST`,
                    invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
                    version: "$LATEST",
                    ...(codeSha256 !== undefined ? { codeSha256 } : {}),
                },
            };
        }
        case "aws:sns/topic:Topic": {
            const arn = `arn:aws:sns:${region}:${account}:${physical}`;
            return { id: arn, outputs: { arn } };
        }
        case "aws:sqs/queue:Queue": {
            const url = `https://sqs.${region}.amazonaws.com/${account}/${physical}`;
            return { id: url, outputs: { arn: `arn:aws:sqs:${region}:${account}:${physical}`, url } };
        }
        case "aws:ecs/cluster:Cluster": {
            const arn = `arn:aws:ecs:${region}:${account}:cluster/${physical}`;
            return { id: arn, outputs: { arn } };
        }
        case "aws:ecs/taskDefinition:TaskDefinition": {
            const family = str(inputs.family) ?? physical;
            return {
                id: family,
                outputs: { arn: `arn:aws:ecs:${region}:${account}:task-definition/${family}:1`, arnWithoutRevision: `arn:aws:ecs:${region}:${account}:task-definition/${family}`, revision: 1 },
            };
        }
        case "aws:lambda/codeSigningConfig:CodeSigningConfig": {
            const cscId = `csc-${deterministicHex(urn, 17)}`;
            return { id: cscId, outputs: { arn: `arn:aws:lambda:${region}:${account}:code-signing-config:${cscId}`, configId: cscId } };
        }
        case "aws:signer/signingProfile:SigningProfile": {
            const profile = str(inputs.name) ?? `${name.replace(/[^A-Za-z0-9_]/g, "_")}_${suffix}`;
            return {
                id: profile,
                outputs: {
                    name: profile,
                    arn: `arn:aws:signer:${region}:${account}:/signing-profiles/${profile}`,
                    versionArn: `arn:aws:signer:${region}:${account}:/signing-profiles/${profile}/${suffix}`,
                    version: suffix,
                },
            };
        }
    }
    // Split S3 configuration resources are identified by their bucket.
    if (module === "s3" && typeName !== "Bucket" && str(inputs.bucket)) {
        return { id: str(inputs.bucket)!, outputs: {} };
    }
    if (ID_IS_NAME.has(type) && str(inputs.name)) {
        return { id: str(inputs.name)!, outputs: {} };
    }
    // Any other type: its id (an account number, a generated identifier, a name), ARN and other
    // computed values follow formats this model does not know, so they stay unknown, not made up.
    return { id: undefined, outputs: {} };
}

/**
 * The provider's view of a resource after create (update mode) or planned create (preview):
 * the id and the outputs (inputs after Check plus what the provider computes).
 *
 * Whatever the provider would compute and this model cannot is never made up:
 *  - an output-only property (an ARN, a digest, a URL) that this model does not compute is unknown,
 *    in both modes: a value the program reads from it (an ARN in a policy document) stays unknown
 *    where it is used, and the pack says it could not be verified offline;
 *  - an input the program left unset is absent from the outputs, as the pack reads it (unset means
 *    the provider's default, which each policy knows); where the provider fills it in at create
 *    time (typed without `undefined` in the SDK: a generated key name, a default policy), the
 *    program sees it unknown, because the monitor does not return it (`computedUnset`).
 * The SDK's declarations say which properties the provider computes (see ./sdk-schema.ts); without
 * them, only what this model computes is known.
 *
 * `optionalUnset` lists the output properties the provider may leave unset that the program did not
 * set: they are absent after the update, so the program must see them as known and empty.
 */
export function providerResult(
    type: string,
    urn: string,
    name: string,
    inputs: WireProperties,
    schema: ResourceSchema | undefined,
    ctx: PlausibleContext,
): { id: string; outputs: WireProperties; optionalUnset: string[] } {
    const pkg = packageOfType(type);
    const outputs: WireProperties = { ...inputs };
    let id: string;
    let computed: WireProperties = {};
    if (pkg === "aws") {
        const c = awsComputed(type, urn, name, inputs, ctx);
        const needsAccount = (v: WireValue | undefined) => v !== undefined && JSON.stringify(v).includes(ACCOUNT_NOT_KNOWN);
        id = c.id === undefined || needsAccount(c.id) ? UNKNOWN : c.id;
        computed = Object.fromEntries(Object.entries(c.outputs).filter(([, v]) => !needsAccount(v)));
    } else if (pkg === "kubernetes") {
        const md = isObject(inputs.metadata) ? inputs.metadata : {};
        const n = str(md.name) ?? `${name}-${deterministicHex(urn, 8)}`;
        const ns = str(md.namespace);
        id = ns ? `${ns}/${n}` : n;
    } else {
        id = UNKNOWN; // a provider this model does not know assigns its ids its own way
    }
    // Known at plan time, so in preview too: the tags with the provider's default tags (none here),
    // and the region of an AWS resource, which the provider takes from its own configuration.
    const planned: WireProperties = {};
    if (schema === undefined || schema.outputOnly.includes("tagsAll") || schema.computed.includes("tagsAll")) {
        planned.tagsAll = inputs.tags === undefined || inputs.tags === null ? {} : inputs.tags;
    }
    if (pkg === "aws" && schema?.computed.includes("region")) {
        planned.region = ctx.region;
    }
    const providerSets = schema ? new Set(schema.outputOnly) : new Set(Object.keys(computed));
    for (const key of schema?.computed ?? []) {
        if (key in computed || key in planned) {
            providerSets.add(key); // modeled: an ARN or id the provider computes for an input left unset
        }
    }
    for (const key of PLANNED_AT_DEPLOY[type] ?? []) {
        providerSets.add(key);
    }
    for (const key of providerSets) {
        if (outputs[key] !== undefined && outputs[key] !== null) {
            continue; // set by the program (or by Check)
        }
        if (key in planned) {
            outputs[key] = planned[key];
        } else if (!ctx.preview && key in computed) {
            outputs[key] = computed[key];
        } else {
            outputs[key] = UNKNOWN;
        }
    }
    if (planned.tagsAll !== undefined && outputs.tagsAll === undefined) {
        outputs.tagsAll = planned.tagsAll;
    }
    if (ctx.preview) {
        id = UNKNOWN;
    }
    if (isBridged(type)) {
        outputs.id = id;
    }
    const optionalUnset = (schema?.optional ?? []).filter((key) => outputs[key] === undefined);
    return { id, outputs, optionalUnset };
}

/**
 * Results of provider functions (invokes, data sources) that can be derived offline: the caller's
 * account and region, partitions, zones, rendered IAM documents and decoded Kubernetes YAML. Invokes
 * run in preview too, so these are known in both modes. Every other function reads the cloud or a
 * tool at deploy time: undefined here, and its result is unknown to the program (./offline-invokes.ts).
 */
export function invokeResult(token: string, args: Record<string, unknown>, ctx: PlausibleContext): Record<string, unknown> | undefined {
    const { region, account } = ctx;
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            if (account === undefined) {
                return undefined;
            }
            return { accountId: account, arn: `arn:aws:iam::${account}:user/sealed-infra-check`, userId: "AIDACKCEVSQ6C2EXAMPLE", id: account };
        case "aws:index/getRegion:getRegion": {
            const name = typeof args.region === "string" ? args.region : typeof args.name === "string" ? args.name : region;
            return { ...args, name, region: name, id: name, endpoint: `ec2.${name}.amazonaws.com`, description: name };
        }
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { ...args, names: ["a", "b", "c"].map((z) => `${region}${z}`), zoneIds: [1, 2, 3].map((i) => `use1-az${i}`), id: region };
        case "kubernetes:yaml:decode":
            // yaml.ConfigFile/ConfigGroup (v1) decode manifests through the provider; the SDK then
            // registers each object, so the workloads are recorded like any other resource.
            return { result: decodeManifests(String(args.text ?? "")) };
        case "aws:iam/getPolicyDocument:getPolicyDocument": {
            if (["sourcePolicyDocuments", "overridePolicyDocuments", "sourceJson", "overrideJson"].some((k) => args[k] !== undefined)) {
                return undefined; // merged with other documents by the provider: not rendered here
            }
            const json = JSON.stringify(policyDocument(args), null, 2);
            return { ...args, json, minifiedJson: JSON.stringify(JSON.parse(json)), id: deterministicHex(json, 10) };
        }
    }
    return undefined;
}

type Obj = Record<string, unknown>;

/**
 * Lambda's `codeSha256` (base64 SHA-256 of the package that runs) for local code: a `.zip`
 * FileArchive is hashed as Lambda would; a directory or other archive is zipped by Pulumi at deploy
 * time, so its hash is unknown offline (never the declared sourceCodeHash: that is what the check
 * must compare against). Code from S3 is not readable offline and has no codeSha256 here.
 */
function lambdaCodeSha256(code: WireValue | undefined): WireValue | undefined {
    if (code === null || typeof code !== "object" || Array.isArray(code) || code[SIG_KEY] !== ARCHIVE_SIG) {
        return undefined;
    }
    const file = str(code.path);
    if (file === undefined) {
        return UNKNOWN; // an AssetArchive or remote archive, built at deploy time
    }
    try {
        if (fs.statSync(file).isFile() && file.toLowerCase().endsWith(".zip")) {
            return createHash("sha256").update(fs.readFileSync(file)).digest("base64");
        }
    } catch {
        // a missing file fails at deploy; offline its hash is simply not known
    }
    return UNKNOWN;
}

function asArray(v: unknown): unknown[] {
    return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** aws.iam.getPolicyDocument rendered as the provider renders it (statements, principals, conditions). */
export function policyDocument(args: Obj): Obj {
    const statements = asArray(args.statements).map((raw) => {
        const s = (raw ?? {}) as Obj;
        const out: Obj = {};
        if (s.sid) {
            out.Sid = s.sid;
        }
        out.Effect = s.effect ?? "Allow";
        const single = (v: unknown) => {
            const list = asArray(v);
            return list.length === 1 ? list[0] : list;
        };
        if (s.actions !== undefined) {
            out.Action = single(s.actions);
        }
        if (s.notActions !== undefined) {
            out.NotAction = single(s.notActions);
        }
        if (s.resources !== undefined) {
            out.Resource = single(s.resources);
        }
        if (s.notResources !== undefined) {
            out.NotResource = single(s.notResources);
        }
        const principals = (key: string) => {
            const list = asArray(s[key]) as Obj[];
            if (list.length === 0) {
                return undefined;
            }
            const p: Obj = {};
            for (const entry of list) {
                const type = String(entry.type);
                const ids = asArray(entry.identifiers);
                if (type === "*" && ids.length === 1 && ids[0] === "*") {
                    return "*";
                }
                const prev = asArray(p[type]);
                const merged = [...prev, ...ids];
                p[type] = merged.length === 1 ? merged[0] : merged;
            }
            return p;
        };
        const principal = principals("principals");
        if (principal !== undefined) {
            out.Principal = principal;
        }
        const notPrincipal = principals("notPrincipals");
        if (notPrincipal !== undefined) {
            out.NotPrincipal = notPrincipal;
        }
        const conditions = asArray(s.conditions) as Obj[];
        if (conditions.length > 0) {
            const c: Record<string, Obj> = {};
            for (const cond of conditions) {
                const test = String(cond.test);
                const variable = String(cond.variable);
                const values = asArray(cond.values);
                c[test] = c[test] ?? {};
                const prev = asArray(c[test][variable]);
                const merged = [...prev, ...values];
                c[test][variable] = merged.length === 1 ? merged[0] : merged;
            }
            out.Condition = c;
        }
        return out;
    });
    const doc: Obj = { Version: args.version ?? "2012-10-17" };
    if (args.policyId) {
        doc.Id = args.policyId;
    }
    doc.Statement = statements;
    return doc;
}
