/**
 * Pulumi URNs and type tokens, as the engine forms and displays them:
 * `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, where the qualified type is the
 * parent chain joined with `$` and the name may itself contain `::`.
 */

export function isValidUrn(urn: unknown): urn is string {
    return typeof urn === "string" && urn.startsWith("urn:pulumi:") && urn.split("::").length >= 4;
}

/** The qualified type (parent types joined with `$`), or "" for a malformed URN. */
export function urnQualifiedType(urn: string): string {
    return isValidUrn(urn) ? urn.split("::")[2] : "";
}

/** The resource's own type (the last `$` segment of the qualified type), or "". */
export function urnType(urn: string): string {
    const qualified = urnQualifiedType(urn);
    return qualified.slice(qualified.lastIndexOf("$") + 1);
}

/** The name (everything after the third `::`), or "" for a malformed URN. */
export function urnName(urn: string): string {
    return isValidUrn(urn) ? urn.split("::").slice(3).join("::") : "";
}

/** `urn:pulumi:<stack>::<project>::...` -> { stack, project }. */
export function urnStackProject(urn: string): { stack: string; project: string } | undefined {
    if (!isValidUrn(urn)) {
        return undefined;
    }
    const parts = urn.slice("urn:pulumi:".length).split("::");
    return { stack: parts[0], project: parts[1] };
}

/**
 * tokens.Type.DisplayName: `pkg:module/file:Name` -> `pkg:module:Name` when the last module
 * segment is the camel-cased type name; anything else is shown as it is.
 */
export function displayType(type: string): string {
    const parts = type.split(":");
    if (parts.length !== 3) {
        return type;
    }
    const [pkg, module, name] = parts;
    const slash = module.lastIndexOf("/");
    if (name.length === 0 || slash === -1) {
        return type;
    }
    const file = module.slice(slash + 1);
    if (file !== name[0].toLowerCase() + name.slice(1)) {
        return type;
    }
    return `${pkg}:${module.slice(0, slash)}:${name}`;
}
