/** One resource of the stack as stack policies see it (decoded once per AnalyzeStack request). */
import type { PolicyResourceOptions } from "@pulumi/policy";

export interface StackResource {
    urn: string;
    type: string;
    name: string;
    /** Raw property values (outputs; in preview inputs plus unknowns). Read with framework/values. */
    props: Readonly<Record<string, unknown>>;
    options: PolicyResourceOptions;
    parent?: string;
    dependencies: readonly string[];
    /** Property name -> URNs its value came from. */
    propertyDependencies: Readonly<Record<string, readonly string[]>>;
}
