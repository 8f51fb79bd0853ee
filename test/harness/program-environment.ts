/**
 * Loaded by mocha before any test (.mocharc.json). Programs that tests run in program mode are
 * compiled the way Pulumi's Node.js host compiles them, which type-checks by default: about half a
 * minute per program that imports @pulumi/aws. The test programs are type-checked once, all
 * together, by `npm test`'s `tsc --noEmit`, so here they are only transpiled, with the variable
 * Pulumi's host itself honours. The test of type-error reporting runs the CLI without it.
 */
if (process.env.PULUMI_NODEJS_TRANSPILE_ONLY === undefined) {
    process.env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
}
