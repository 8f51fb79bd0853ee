// Lint: the layers of docs/design.md ("Layout and layers"), import hygiene, and the TypeScript
// rules that catch real mistakes. Not type-aware, so it stays fast (no program is built).
import tseslint from "typescript-eslint";
import { importX, createNodeResolver } from "eslint-plugin-import-x";

const SOURCES = ["policypack/src/**/*.ts", "policypack/scripts/**/*.ts", "cli/**/*.ts", "components/**/*.ts", "provider/**/*.ts", "test/**/*.ts"];

/**
 * The layer order inside the pack, lowest first (docs/design.md, "Layout and layers"):
 *   shared → sdk → framework → engine → policies → catalogue.ts → index.ts
 * A layer imports only from layers below it. The SDK's request channel and deserialization memo
 * (sdk/stack-channel, sdk/sdk-memo) and the adapter to @pulumi/policy (framework/to-pulumi) are
 * wired in by index.ts alone; analyses and policies see the stack model only.
 * A zone forbids `target` to import `from`.
 */
const PACK = "./policypack/src";
const ADAPTERS = [`${PACK}/sdk/stack-channel.ts`, `${PACK}/sdk/sdk-memo.ts`, `${PACK}/framework/to-pulumi.ts`];
const TOP = [`${PACK}/catalogue.ts`, `${PACK}/index.ts`, `${PACK}/evidence`];
const zones = [
    { target: `${PACK}/shared`, from: [`${PACK}/sdk`, `${PACK}/framework`, `${PACK}/engine`, `${PACK}/policies`, ...TOP],
      message: "shared/ is the bottom layer: plain helpers that import nothing else from the pack." },
    { target: `${PACK}/sdk`, from: [`${PACK}/framework`, `${PACK}/engine`, `${PACK}/policies`, ...TOP],
      message: "sdk/ (adapters to @pulumi/policy's internals) sits below framework/, engine/ and the policies." },
    { target: `${PACK}/framework`, from: [`${PACK}/engine`, `${PACK}/policies`, ...TOP, `${PACK}/sdk/stack-channel.ts`, `${PACK}/sdk/sdk-memo.ts`],
      message: "framework/ (what a policy is) never imports the analyses (engine/) or the policies." },
    { target: `${PACK}/engine`, from: [`${PACK}/policies`, ...TOP, ...ADAPTERS],
      message: "engine/ never imports the policies, nor the SDK adapters (sdk/stack-channel, sdk/sdk-memo, framework/to-pulumi): analyses work on the stack model." },
    { target: `${PACK}/policies`, from: [...TOP, ...ADAPTERS],
      message: "a policy is a definition plus a check: the catalogue and the SDK adapters are above it." },
    // The pack is self-contained: pulumi policy publish npm-packs policypack/ alone.
    { target: "./policypack", from: ["./cli", "./components", "./provider", "./test", "./examples"],
      message: "policypack/ imports nothing from outside itself (it is published alone)." },
    // Components and pack never import each other; components never import the checker or the provider.
    { target: "./components", from: ["./policypack", "./cli", "./provider", "./test"],
      message: "components/ depend on neither the pack, the checker nor the provider." },
    // The checker uses the pack only through the analyzer protocol (and the compiled release engine and
    // evidence module, loaded at run time).
    { target: "./cli", from: ["./policypack", "./components", "./provider", "./test"], except: ["./bin/engine/release", "./bin/evidence"],
      message: "cli/ speaks to the pack through the analyzer protocol only; it never imports the pack, components or provider." },
    { target: "./provider", from: ["./policypack", "./cli", "./test"],
      message: "provider/ serves the components; it never imports the pack, the checker or tests." },
];

export default tseslint.config(
    { ignores: ["**/node_modules/**", "dist/**", "policypack/bin/**", "test/fixtures/**", "examples/**", "**/*.js", "**/*.cjs", "**/*.mjs"] },
    {
        files: SOURCES,
        extends: [...tseslint.configs.recommended],
        plugins: { "import-x": importX },
        settings: {
            "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".d.ts", ".js", ".json"] })],
            "import-x/extensions": [".ts", ".js"],
        },
        rules: {
            "import-x/no-cycle": ["error", { ignoreExternal: true }],
            "import-x/no-duplicates": "error",
            "import-x/no-self-import": "error",
            "import-x/no-useless-path-segments": "error",
            "import-x/no-restricted-paths": ["error", { zones }],
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
            // `require` is how the pack and the checker load lazily (the cold-start budget of
            // docs/design.md) and load modules from resolved paths (the SDK a program ships, the
            // compiled pack); a synchronous `import` can express neither.
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    {
        // Tests poke at untyped mock state (registered inputs, SDK internals).
        files: ["test/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
