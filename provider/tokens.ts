/**
 * The components the package serves to every Pulumi language, with their type tokens. The tokens are
 * the ones the TypeScript classes register (`super("sealed-infra:aws:ImmutableBucket", ...)`), so a
 * program that moves from the TypeScript classes to a generated SDK keeps its URNs; the policy pack
 * also finds ApprovedRelease by its token. test/provider checks each class registers its token.
 */

export const PACKAGE_NAME = "sealed-infra";

export interface ComponentToken {
    /** The exported class name in components/index.ts. */
    className: string;
    /** The schema module (the middle part of the token). */
    module: "aws" | "kubernetes" | "release";
    token: string;
}

function component(module: ComponentToken["module"], className: string): ComponentToken {
    return { className, module, token: `${PACKAGE_NAME}:${module}:${className}` };
}

export const COMPONENT_TOKENS: readonly ComponentToken[] = [
    component("aws", "ImmutableBucket"),
    component("aws", "ImmutableImageRepository"),
    component("aws", "AuditTrail"),
    component("aws", "DutyRoles"),
    component("aws", "ReleaseSigningKey"),
    component("kubernetes", "ImmutableConfig"),
    component("kubernetes", "ImmutableWorkload"),
    component("kubernetes", "DutyNamespace"),
    component("release", "ApprovedRelease"),
];

/** The component with this type token, or undefined. */
export function componentByToken(token: string): ComponentToken | undefined {
    return COMPONENT_TOKENS.find((c) => c.token === token);
}
