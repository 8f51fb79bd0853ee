/**
 * Schema inference for the components: Pulumi's own Analyzer (`@pulumi/pulumi/provider/experimental`,
 * what `componentProviderHost` uses) reads the component classes and their args interfaces with the
 * TypeScript compiler, with four additions the components need, hooked onto the Analyzer instance:
 *
 *  - a property declared with the `Integer` type alias (components/common.ts) is an `integer`, not a
 *    `number` (TypeScript erases the alias; the declaration still names it);
 *  - a reference to another component of this package (AuditTrail's `bucket`, ImmutableWorkload's
 *    `config`) is a reference to that component's resource in this schema (the Analyzer can only
 *    reference resources of installed, compiled Pulumi SDKs);
 *  - an interface of an installed Pulumi SDK's types (`k8s.types.input.core.v1.Probe`) is a reference
 *    to that type in the SDK's package schema, as for its resources, instead of a copy of it (the
 *    Analyzer copies it, and stops at the first union type such as IntOrString);
 *  - private, protected and `#private` class members are not outputs, and descriptions are the
 *    JSDoc text (the Analyzer joins comment nodes, which turns `{@link}` into "[object Object]").
 *
 * The hooks replace methods on the instance (the Analyzer calls them through `this`); the methods
 * they rely on are checked first, so a change in @pulumi/pulumi fails here with a clear message.
 */
import * as fs from "fs";
import * as path from "path";
import type * as tsTypes from "typescript";
import { Analyzer, AnalyzeResult, Dependency, InputOutput, PropertyDefinition } from "@pulumi/pulumi/provider/experimental/analyzer";

// The TypeScript instance the Analyzer uses (its shim prefers the installed `typescript`), so that
// types, flags and syntax kinds agree.
const ts: typeof tsTypes = require("@pulumi/pulumi/typescript-shim");

/** The Analyzer's context argument, as its methods pass it along. */
interface Context {
    component: string;
    property?: string;
    inputOutput: InputOutput;
    typeName?: string;
}

/** The Analyzer members the hooks use (private in its typings, plain methods at runtime). */
interface AnalyzerInternals {
    checker: tsTypes.TypeChecker;
    dependencies: Dependency[];
    analyze(): AnalyzeResult;
    analyzeSymbols(context: Context, symbols: tsTypes.Symbol[]): Record<string, PropertyDefinition>;
    analyzeSymbol(context: Context, symbol: tsTypes.Symbol): PropertyDefinition;
    analyzeType(
        context: Context,
        type: tsTypes.Type,
        location: tsTypes.Node,
        optional?: boolean,
        docString?: string,
    ): PropertyDefinition;
}

const HOOKED_METHODS = ["analyzeSymbols", "analyzeSymbol", "analyzeType"] as const;

export interface AnalyzeOptions {
    /** A directory holding a tsconfig.json whose program contains the components (the Analyzer reads `<dir>/tsconfig.json`). */
    analysisDir: string;
    /** The entry module, e.g. `/…/components/index.ts`; components are found by following its exports. */
    entry: string;
    /** The directory of the component sources: classes declared there are this package's. */
    componentsDir: string;
    /** The package name (the first part of every token). */
    packageName: string;
    /** Class names of the components to describe. */
    componentNames: string[];
}

/** The package's local token prefix the Analyzer uses; provider/schema.ts maps it to the real modules. */
export const INDEX_MODULE = "index";

/** Runs the Analyzer with the hooks; returns components, type definitions and dependencies. */
export function analyzeComponents(opts: AnalyzeOptions): AnalyzeResult {
    const tsconfig = path.join(opts.analysisDir, "tsconfig.json");
    if (!fs.existsSync(tsconfig)) {
        throw new Error(`schema inference needs ${tsconfig} (the Analyzer reads the components' program from it)`);
    }
    // The Analyzer resolves `main` (with .js replaced by .ts) against its directory.
    const main = path.relative(opts.analysisDir, opts.entry).replace(/\.ts$/, ".js");
    const analyzer = new Analyzer(opts.analysisDir, opts.packageName, { name: opts.packageName, main }, new Set(opts.componentNames));
    const internals = analyzer as unknown as AnalyzerInternals;
    for (const method of HOOKED_METHODS) {
        if (typeof internals[method] !== "function") {
            throw new Error(
                `@pulumi/pulumi's schema Analyzer has no ${method}() (its internals changed): provider/analyzer.ts needs updating for this @pulumi/pulumi version`,
            );
        }
    }
    installHooks(internals, opts);
    return internals.analyze();
}

function installHooks(analyzer: AnalyzerInternals, opts: AnalyzeOptions): void {
    const checker = analyzer.checker;
    const componentsDir = path.resolve(opts.componentsDir) + path.sep;
    const componentNames = new Set(opts.componentNames);
    const baseSymbols = analyzer.analyzeSymbols.bind(analyzer);
    const baseType = analyzer.analyzeType.bind(analyzer);

    analyzer.analyzeSymbols = (context, symbols) => baseSymbols(context, symbols.filter(isPublicMember));

    analyzer.analyzeSymbol = (context, symbol) => {
        const declaration = symbol.valueDeclaration;
        if (declaration === undefined) {
            throw new Error(`component '${context.component}': property '${symbol.getName()}' has no declaration to infer its type from`);
        }
        const type = checker.getTypeOfSymbolAtLocation(symbol, declaration);
        const optional = (symbol.flags & ts.SymbolFlags.Optional) !== 0;
        const property = analyzer.analyzeType({ ...context }, type, declaration, optional, docText(declaration));
        return declaresInteger(checker, declaration, componentsDir) ? asInteger(property) : property;
    };

    analyzer.analyzeType = (context, type, location, optional = false, docString = undefined) => {
        const make = (definition: PropertyDefinition): PropertyDefinition => {
            if (optional) {
                definition.optional = true;
            }
            // As the Analyzer does: a value outside Input/Output is plain.
            if (context.inputOutput === InputOutput.Neither) {
                definition.plain = true;
            }
            if (docString) {
                definition.description = docString;
            }
            return definition;
        };
        const ownComponent = ownComponentName(type, componentsDir, componentNames);
        if (ownComponent !== undefined) {
            return make({ $ref: `#/resources/${opts.packageName}:${INDEX_MODULE}:${ownComponent}` });
        }
        const external = externalSdkType(type);
        if (external !== undefined) {
            if (!analyzer.dependencies.some((d) => d.name === external.dependency.name && d.version === external.dependency.version)) {
                analyzer.dependencies.push(external.dependency);
            }
            return make({ $ref: `/${external.dependency.name}/v${external.dependency.version}/schema.json#/types/${external.token.replace(/\//g, "%2F")}` });
        }
        return baseType(context, type, location, optional, docString);
    };
}

/** Class members that are not public API are not outputs. */
function isPublicMember(symbol: tsTypes.Symbol): boolean {
    const declaration = symbol.valueDeclaration;
    if (declaration === undefined) {
        return true;
    }
    const name = (declaration as tsTypes.NamedDeclaration).name;
    if (name !== undefined && ts.isPrivateIdentifier(name)) {
        return false;
    }
    return (ts.getCombinedModifierFlags(declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0;
}

/** The JSDoc text of a declaration (links included as text), or undefined. */
export function docText(declaration: tsTypes.Node): string | undefined {
    const texts = ts
        .getJSDocCommentsAndTags(declaration)
        .filter((d): d is tsTypes.JSDoc => ts.isJSDoc(d))
        .map((d) => ts.getTextOfJSDocComment(d.comment))
        .filter((t): t is string => t !== undefined && t.trim() !== "");
    return texts.length > 0 ? texts.join("\n") : undefined;
}

/** True when the declared type names the `Integer` alias of the components (anywhere in it). */
function declaresInteger(checker: tsTypes.TypeChecker, declaration: tsTypes.Node, componentsDir: string): boolean {
    const typeNode = (declaration as tsTypes.PropertySignature).type;
    if (typeNode === undefined) {
        return false;
    }
    let found = false;
    const visit = (node: tsTypes.Node): void => {
        if (found) {
            return;
        }
        if (ts.isTypeReferenceNode(node)) {
            let symbol = checker.getSymbolAtLocation(node.typeName);
            if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) {
                symbol = checker.getAliasedSymbol(symbol);
            }
            const alias = symbol?.declarations?.find(ts.isTypeAliasDeclaration);
            if (alias !== undefined && alias.name.text === "Integer" && path.resolve(alias.getSourceFile().fileName).startsWith(componentsDir)) {
                found = true;
                return;
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(typeNode);
    return found;
}

/** The property with every `number` in it (items and map values included) an `integer`. */
function asInteger(property: PropertyDefinition): PropertyDefinition {
    const out: PropertyDefinition = { ...property };
    if ("type" in out && out.type === "number") {
        out.type = "integer";
    }
    if (out.items !== undefined) {
        out.items = asInteger(out.items);
    }
    if (out.additionalProperties !== undefined) {
        out.additionalProperties = asInteger(out.additionalProperties);
    }
    return out;
}

/** The class name when the type is one of this package's component classes. */
function ownComponentName(type: tsTypes.Type, componentsDir: string, names: Set<string>): string | undefined {
    if (!type.isClass()) {
        return undefined;
    }
    const symbol = type.getSymbol();
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
    if (symbol === undefined || file === undefined || !names.has(symbol.getName())) {
        return undefined;
    }
    return path.resolve(file).startsWith(componentsDir) ? symbol.getName() : undefined;
}

const SDK_TYPES_FILE = /^(.*[\\/]node_modules[\\/](@pulumi[\\/][^\\/]+))[\\/]types[\\/](input|output)\.d\.ts$/;

interface ExternalType {
    token: string;
    dependency: Dependency;
}

/**
 * An interface declared in an installed Pulumi SDK's `types/input.d.ts` or `types/output.d.ts`:
 * its token in that package's schema. The module of the token is the module of the SDK's resources
 * in the same namespace (`core.v1` holds `kubernetes:core/v1:*`, `rbac.v1` holds
 * `kubernetes:rbac.authorization.k8s.io/v1:*`); a namespace whose resources span several modules
 * (as in the AWS SDK) cannot be mapped and is an error.
 */
function externalSdkType(type: tsTypes.Type): ExternalType | undefined {
    // An interface (a class here would be a resource, which the Analyzer references itself).
    if (!type.isClassOrInterface() || type.isClass()) {
        return undefined;
    }
    const symbol = (type as tsTypes.Type).getSymbol();
    const declaration = symbol?.declarations?.[0];
    const match = declaration ? SDK_TYPES_FILE.exec(path.resolve(declaration.getSourceFile().fileName)) : null;
    if (symbol === undefined || declaration === undefined || match === null) {
        return undefined;
    }
    const [, packageRoot, npmName] = match;
    const namespaces: string[] = [];
    for (let node: tsTypes.Node | undefined = declaration.parent; node !== undefined; node = node.parent) {
        if (ts.isModuleDeclaration(node)) {
            namespaces.unshift(node.name.getText());
        }
    }
    const packageJson = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8"));
    const pulumiName: string | undefined = packageJson.pulumi?.name;
    const version = String(packageJson.pulumi?.version ?? packageJson.version).replace(/^v/, "");
    if (pulumiName === undefined || namespaces.length === 0) {
        throw new Error(`cannot map ${npmName} type ${[...namespaces, symbol.getName()].join(".")} to its package schema`);
    }
    const modules = resourceModules(path.join(packageRoot, ...namespaces));
    if (modules.size !== 1) {
        throw new Error(
            `cannot map ${npmName} type ${[...namespaces, symbol.getName()].join(".")} to its package schema: ` +
                `the SDK's resources in that namespace are in ${modules.size === 0 ? "no module" : `several modules (${[...modules].join(", ")})`}`,
        );
    }
    return { token: `${pulumiName}:${[...modules][0]}:${symbol.getName()}`, dependency: { name: pulumiName, version } };
}

/** The modules of the resource classes an SDK module exports (from their `__pulumiType`). */
function resourceModules(modulePath: string): Set<string> {
    const exported = require(modulePath) as Record<string, unknown>;
    const modules = new Set<string>();
    for (const key of Object.keys(exported)) {
        const value = exported[key];
        const token = typeof value === "function" ? (value as { __pulumiType?: unknown }).__pulumiType : undefined;
        if (typeof token === "string" && !token.startsWith("pulumi:providers:")) {
            modules.add(token.split(":")[1]);
        }
    }
    return modules;
}
