/**
 * Values from the Pulumi SDK's internals that its declarations do not describe (the runner's
 * module, the mock monitor's requests, the `run` entry point). The one place the checker gives up
 * static types; every use reads them defensively.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Untyped = any;
