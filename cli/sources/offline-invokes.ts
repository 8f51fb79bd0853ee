/**
 * Provider functions (invokes, data sources) in program mode. A real preview calls the provider,
 * which reads the cloud (`aws.ec2.getSubnets`, `aws.organizations.getOrganization`) or runs a tool
 * (`helm template`, `kustomize build`). Offline, a few results can be derived (./plausible.ts
 * invokeResult); every other result is **unknown** to the program, never made up and never the
 * invoke's own arguments:
 *  - the Output forms (`getSubnetsOutput(...)`) return an unknown Output, exactly what the SDK
 *    returns when an invoke's inputs are unknown: `apply` callbacks on it do not run, and resource
 *    properties taken from it are sent as unknown;
 *  - the Promise forms (`await getOrganization()`) must resolve to a plain value the program can
 *    index, so they resolve to an *unknown value* (see unknownValue): the SDK recognises it as
 *    unknown wherever it becomes a resource property, and the program can read fields, index lists
 *    and map over them (a list holds one unknown element) without crashing.
 * Each function whose result is unknown is reported once as a note, naming the component that
 * called it when that component renders resources through it (helm v3 Chart, kustomize Directory):
 * their resources are then not checked offline, and the note says so.
 *
 * This patches the program's own @pulumi/pulumi runtime module, on which the generated SDKs call
 * `pulumi.runtime.invoke(...)` and `pulumi.runtime.invokeOutput(...)` at call time.
 */
import { UNKNOWN } from "../wire";
import type { Untyped as Any } from "./untyped";


/** What to do with an invoke: a derived result, or undefined when the result is unknown offline. */
export type InvokeModel = (token: string, args: Record<string, unknown>) => Record<string, unknown> | undefined;

/** Functions that render a component's resources; their callers' resources are not checked offline. */
const RENDERERS: Record<string, string> = {
    "kubernetes:helm:template": "renders its Helm chart with `helm template`",
    "kubernetes:kustomize:directory": "renders its kustomization with `kustomize build`",
};

const methodsOf = (proto: object) => Object.getOwnPropertyNames(proto).filter((k) => typeof (proto as Any)[k] === "function" && k !== "constructor");
const ARRAY_METHODS = new Set(methodsOf(Array.prototype));
/** String methods (those that are not also list methods): their result is unknown too. */
const STRING_METHODS = new Set(methodsOf(String.prototype).filter((k) => !ARRAY_METHODS.has(k)));

/**
 * A value nothing is known about. The SDK treats it as unknown (`__pulumiUnknown`), so a resource
 * property built from it is sent as the unknown sentinel. Reading a field or index of it gives it
 * again; it converts to the unknown sentinel string (so text and JSON built from it carry the
 * sentinel, which the pack reads as unknown); it is not a thenable (so `await` does not hang); used
 * as a list it holds one element, itself, so per-element resources are created once with unknown
 * values instead of silently not at all; string methods give it again (`split` a one-element list).
 */
export function unknownValue(): unknown {
    const toSentinel = () => UNKNOWN;
    const handler: ProxyHandler<Any> = {
        get(_target, key) {
            switch (key) {
                case "__pulumiUnknown":
                    return true;
                case "then":
                    return undefined;
                case Symbol.toPrimitive:
                case "toString":
                case "toJSON":
                case "valueOf":
                    return toSentinel;
                case Symbol.iterator:
                    return function* () {
                        yield self;
                    };
                case "length":
                    return 1;
            }
            if (typeof key === "string" && ARRAY_METHODS.has(key)) {
                return (...args: unknown[]) => (Array.prototype as Any)[key].apply([self], args);
            }
            if (typeof key === "string" && STRING_METHODS.has(key)) {
                return key === "split" ? () => [self] : () => self;
            }
            return self;
        },
        has(_target, key) {
            return key === "__pulumiUnknown";
        },
        set() {
            return true;
        },
    };
    // An object, not a function: the SDK only recognises objects as unknown (typeof "object").
    const self: unknown = new Proxy({}, handler);
    return self;
}

/** Whether `value` is an unknown value (unknownValue) or the unknown sentinel text it converts to. */
function isUnknown(value: unknown): boolean {
    return value === UNKNOWN || (typeof value === "object" && value !== null && (value as Any).__pulumiUnknown === true);
}

/**
 * Makes `JSON.parse` of an unknown value give an unknown value: a program that parses a data
 * source's text (`JSON.parse((await aws.ssm.getParameter(...)).value)`, as awsx does for the
 * recommended ECS AMI) gets an unknown to read fields of, instead of parsing the sentinel text and
 * crashing. Any other input is parsed as before; the sentinel alone is never valid JSON, so no
 * program that parses valid text sees a difference.
 */
function parseUnknownAsUnknown(): void {
    const parse = JSON.parse;
    if ((parse as Any).__sealedInfraUnknownAware) {
        return;
    }
    const unknownAware = function (text: string, reviver?: (this: Any, key: string, value: Any) => Any): Any {
        return isUnknown(text) ? unknownValue() : parse.call(JSON, text, reviver);
    };
    (unknownAware as Any).__sealedInfraUnknownAware = true;
    JSON.parse = unknownAware;
}

/** The name a resource object was registered with (SDK internals, read defensively). */
function resourceLabel(resource: Any): string | undefined {
    const type = resource?.__pulumiType;
    const name = resource?.__name;
    return typeof type === "string" && typeof name === "string" ? `${type} "${name}"` : undefined;
}

export interface OfflineInvokes {
    /** One note per function whose result was unknown (and per rendering component). */
    readonly notes: string[];
}

/**
 * Replaces the runtime's invoke functions so that results the model cannot derive are unknown.
 * `noteInvoke` is told about every invoke that does not reach the monitor (the engine registers a
 * default provider for it all the same).
 */
export function installOfflineInvokes(
    runtime: Any,
    outputModule: Any,
    model: InvokeModel,
    noteInvoke: (token: string, opts: Any) => void,
): OfflineInvokes {
    parseUnknownAsUnknown();
    const notes: string[] = [];
    const noted = new Set<string>();
    const note = (token: string, opts: Any) => {
        const renderer = RENDERERS[token];
        const caller = resourceLabel(opts?.parent);
        if (renderer && caller) {
            const key = `${token}\0${caller}`;
            if (!noted.has(key)) {
                noted.add(key);
                notes.push(`${caller} ${renderer} at deploy time; its resources are not checked offline (pulumi preview with the pack checks them)`);
            }
            return;
        }
        if (!noted.has(token)) {
            noted.add(token);
            notes.push(
                `data source ${token} reads the cloud at deploy time, so offline its result is unknown; what the program builds from it is verified by pulumi preview with the pack`,
            );
        }
    };
    const unknownOutput = (): Any => {
        const none = Promise.resolve(false);
        return new outputModule.Output(new Set(), Promise.resolve(undefined), none, none, Promise.resolve(new Set()));
    };
    /**
     * The plain arguments, or undefined when some are unknown: then the SDK itself answers with an
     * unknown result, as it does in a real preview, and the invoke is not an offline gap.
     */
    const plainArgs = async (props: Any): Promise<Record<string, unknown> | undefined> => {
        const resolved = await outputModule.output(props ?? {}).promise(true);
        return resolved !== null && typeof resolved === "object" && !outputModule.containsUnknowns(resolved)
            ? (resolved as Record<string, unknown>)
            : undefined;
    };
    /**
     * "real": run the real function (its result is derived, or its inputs are unknown and the SDK
     * answers that itself); "unknown": its result is unknown offline (noted).
     */
    const route = async (token: string, props: Any, opts: Any): Promise<"real" | "unknown" | "unknown-inputs"> => {
        const args = await plainArgs(props);
        if (args === undefined) {
            return "unknown-inputs";
        }
        if (model(token, args) !== undefined) {
            return "real";
        }
        noteInvoke(token, opts);
        note(token, opts);
        return "unknown";
    };
    // A Promise-form invoke with unknown inputs gets `{}` from the SDK, which a program that indexes
    // the result crashes on; offline its inputs are often unknown only because an earlier data source
    // was, so it gets an unknown value instead.
    const plainForm =
        (originalFn: Any) =>
        (token: string, props: Any, opts: Any = {}, packageRef?: Any): Promise<unknown> =>
            route(token, props, opts).then((how) => (how === "real" ? originalFn(token, props, opts, packageRef) : unknownValue()));
    const outputForm =
        (originalFn: Any) =>
        (token: string, props: Any, opts: Any = {}, packageRef?: Any): Any =>
            outputModule.output(route(token, props, opts).then((how) => (how === "unknown" ? unknownOutput() : originalFn(token, props, opts, packageRef))));
    runtime.invoke = plainForm(runtime.invoke);
    runtime.invokeSingle = plainForm(runtime.invokeSingle);
    runtime.invokeOutput = outputForm(runtime.invokeOutput);
    runtime.invokeSingleOutput = outputForm(runtime.invokeSingleOutput);
    return { notes };
}
