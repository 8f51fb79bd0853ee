/**
 * @pulumi/policy hands policies its property values behind a proxy that throws when an unknown
 * value is read; the pack reads the plain object behind it (framework/values.ts reads it safely).
 */

const PROXY_TARGET_KEY = "__getSpecialProxyTarget";

/** The plain object behind @pulumi/policy's unknown-checking proxy (or the value itself). */
export function rawProps(props: unknown): Record<string, unknown> {
    if (props === null || typeof props !== "object") {
        return {};
    }
    const target = (props as Record<string, unknown>)[PROXY_TARGET_KEY];
    return (target && typeof target === "object" ? target : props) as Record<string, unknown>;
}
