import { resourcePolicy, ResourceSubject } from "../../framework/definition";
import type { Findings } from "../../framework/findings";
import { describe, read, readBoolean, readString } from "../../framework/values";
import { EC2_HOSTS, EC2_INSTANCE, EC2_LAUNCH_CONFIGURATION, EC2_LAUNCH_TEMPLATE } from "../../engine/resource-types";

interface Config {
    trustLaunchTemplates: boolean;
    allowKeyPairs: boolean;
}

const REQUIRED = "required";

/**
 * Where each type keeps the settings. aws-native is not installed in this repository: its property
 * names follow the CloudFormation schemas (AWS::EC2::Instance, AWS::EC2::LaunchTemplate,
 * AWS::AutoScaling::LaunchConfiguration) in camelCase, as aws-native generates them.
 */
interface Layout {
    /** Prefix of the settings inside the resource (aws-native launch templates nest them in launchTemplateData). */
    base: string;
    /** An instance (as opposed to a template or launch configuration): user data must force replacement. */
    instance: boolean;
    /** Property that references a launch template the instance inherits settings from. */
    launchTemplate?: string;
    /** The type supports `userDataReplaceOnChange` (@pulumi/aws instances). */
    replaceOnChange: boolean;
}

const LAYOUTS: Record<string, Layout> = {
    [EC2_INSTANCE.aws]: { base: "", instance: true, launchTemplate: "launchTemplate", replaceOnChange: true },
    [EC2_INSTANCE.spot]: { base: "", instance: true, launchTemplate: "launchTemplate", replaceOnChange: true },
    [EC2_INSTANCE.native]: { base: "", instance: true, launchTemplate: "launchTemplate", replaceOnChange: false },
    [EC2_LAUNCH_TEMPLATE.aws]: { base: "", instance: false, replaceOnChange: false },
    [EC2_LAUNCH_TEMPLATE.native]: { base: "launchTemplateData", instance: false, replaceOnChange: false },
    [EC2_LAUNCH_CONFIGURATION.aws]: { base: "", instance: false, replaceOnChange: false },
    [EC2_LAUNCH_CONFIGURATION.native]: { base: "", instance: false, replaceOnChange: false },
};

const p = (base: string, path: string) => (base ? `${base}.${path}` : path);

export const ec2ImmutableHosts = resourcePolicy<Config>({
    name: "ec2-immutable-hosts",
    displayName: "EC2 hosts are immutable: no SSH key, IMDSv2, replaced on user-data change",
    guarantee: "immutable-artifacts",
    description:
        "EC2 instances, launch templates and launch configurations carry no SSH key pair, require IMDSv2 session tokens, and instances are replaced (not edited in place) when their user data changes.",
    rule:
        "Checks `aws.ec2.Instance`, `aws.ec2.SpotInstanceRequest`, `aws.ec2.LaunchTemplate`, `aws.ec2.LaunchConfiguration`, " +
        "`aws-native:ec2:Instance`, `aws-native:ec2:LaunchTemplate` (settings under `launchTemplateData`) and " +
        "`aws-native:autoscaling:LaunchConfiguration`. (1) `keyName` is unset or empty (unless `allowKeyPairs`). (2) " +
        '`metadataOptions.httpTokens` is `"required"`, or `metadataOptions.httpEndpoint` is `"disabled"` (no metadata service ' +
        'at all); unset means `"optional"` (IMDSv1 allowed): account-level metadata defaults and AMI settings are not visible ' +
        "to the pack. An instance that references a launch template (`launchTemplate`) and leaves `metadataOptions` unset " +
        "inherits the template's setting, which passes only with `trustLaunchTemplates` (the template is then checked on its " +
        "own). (3) An instance with `userData` or `userDataBase64` must set `userDataReplaceOnChange: true` (unset is false: " +
        "the instance is stopped and restarted with the new user data, keeping its disk). aws-native instances cannot be made " +
        "to replace on a user-data change by a property (a `replaceOnChanges` resource option is not visible to policies), so " +
        "they must not set `userData`; use a launch template. Launch templates are versioned and launch configurations are " +
        "replaced on every change, so their user data passes.",
    why:
        "An immutable host is never logged into and never patched in place: it is replaced from a reviewed image and user " +
        "data. An SSH key pair is a standing way to change a running host outside any review. IMDSv1 lets any SSRF bug " +
        "read the instance role's credentials. A stop/start with new user data mutates a long-lived host whose disk keeps " +
        "whatever was changed before.",
    severity: "high",
    remediationSteps:
        'Remove `keyName` (use SSM Session Manager for break-glass access), set `metadataOptions: { httpTokens: "required" }` ' +
        "(and `httpPutResponseHopLimit: 1` unless containers need 2), and on instances with user data set " +
        "`userDataReplaceOnChange: true`; better, launch from a launch template through an Auto Scaling group with instance refresh.",
    config: {
        trustLaunchTemplates: {
            description:
                "Let an instance that references a launch template and leaves metadataOptions unset inherit the template's settings (the pack checks templates in the stack; one outside the stack is then trusted unseen).",
            default: false,
            schema: { type: "boolean" },
        },
        allowKeyPairs: {
            description: "Accept SSH key pairs (`keyName`).",
            default: false,
            schema: { type: "boolean" },
        },
    },
    guards: [
        {
            types: [EC2_INSTANCE.aws, EC2_INSTANCE.spot],
            paths: ["keyName", "metadataOptions", "userData", "userDataBase64", "userDataReplaceOnChange", "launchTemplate"],
        },
        { types: [EC2_INSTANCE.native], paths: ["keyName", "metadataOptions", "userData", "launchTemplate"] },
        { types: [EC2_LAUNCH_TEMPLATE.aws, EC2_LAUNCH_CONFIGURATION.aws, EC2_LAUNCH_CONFIGURATION.native], paths: ["keyName", "metadataOptions"] },
        { types: [EC2_LAUNCH_TEMPLATE.native], paths: ["launchTemplateData.keyName", "launchTemplateData.metadataOptions"] },
    ],
    resourceTypes: [...EC2_HOSTS],
    example: {
        compliant:
            'new aws.ec2.Instance("web", { ami, instanceType: "t3.micro", metadataOptions: { httpTokens: "required" },\n' +
            "    userData: script, userDataReplaceOnChange: true });",
        violating: 'new aws.ec2.Instance("web", { ami, instanceType: "t3.micro", keyName: "ops", userData: script });',
    },
    check(host, config, findings) {
        const layout = LAYOUTS[host.type];
        if (!layout) {
            return;
        }
        if (!config.allowKeyPairs) {
            checkKeyPair(host, layout, findings);
        }
        checkMetadata(host, layout, config, findings);
        if (layout.instance) {
            checkUserData(host, layout, findings);
        }
    },
});

function checkKeyPair(host: ResourceSubject, layout: Layout, findings: Findings): void {
    const key = readString(host.props, p(layout.base, "keyName"));
    if (findings.unresolved(host, key, "no SSH key pair is set")) {
        return;
    }
    if (key.state === "known" && key.value !== "") {
        findings.violation(
            host,
            `${key.path} is "${key.value}", so whoever holds the key can log in and change the host in place; remove ${key.path} and use SSM Session Manager for break-glass access.`,
        );
    }
}

function checkMetadata(host: ResourceSubject, layout: Layout, config: Config, findings: Findings): void {
    const what = `${p(layout.base, "metadataOptions.httpTokens")} is "${REQUIRED}" (IMDSv2 only)`;
    const options = read(host.props, p(layout.base, "metadataOptions"));
    if (findings.unresolved(host, options, what)) {
        return;
    }
    const endpoint = readString(host.props, p(layout.base, "metadataOptions.httpEndpoint"));
    if (findings.unresolved(host, endpoint, what)) {
        return;
    }
    if (endpoint.state === "known" && endpoint.value === "disabled") {
        return; // no metadata service at all
    }
    const tokens = readString(host.props, p(layout.base, "metadataOptions.httpTokens"));
    if (findings.unresolved(host, tokens, what)) {
        return;
    }
    if (tokens.state === "known" && tokens.value === REQUIRED) {
        return;
    }
    if (tokens.state === "absent" && layout.launchTemplate) {
        const template = read(host.props, layout.launchTemplate);
        if (template.state !== "absent") {
            if (config.trustLaunchTemplates) {
                return; // inherited from the template, which this policy checks on its own
            }
            findings.violation(
                host,
                `${tokens.path} is unset, so the instance inherits the metadata options of launch template ${template.state === "known" ? describeTemplate(template.value) : "(not yet known)"}, which this policy cannot see from the instance; ` +
                    `set metadataOptions: { httpTokens: "${REQUIRED}" } on the instance, or trust launch templates with this policy's trustLaunchTemplates: true.`,
            );
            return;
        }
    }
    const found = tokens.state === "known" ? `"${tokens.value}"` : 'unset (defaults to "optional")';
    findings.violation(
        host,
        `${tokens.path} is ${found}, so IMDSv1 is allowed and any request-forgery bug on the host can read its role credentials; set ${p(layout.base, "metadataOptions")}: { httpTokens: "${REQUIRED}" }.`,
    );
}

function describeTemplate(value: unknown): string {
    if (value && typeof value === "object") {
        const t = value as Record<string, unknown>;
        for (const key of ["name", "launchTemplateName", "id", "launchTemplateId"]) {
            if (typeof t[key] === "string") {
                return `"${t[key]}"`;
            }
        }
    }
    return describe(value);
}

function checkUserData(host: ResourceSubject, layout: Layout, findings: Findings): void {
    const sources = (layout.replaceOnChange ? ["userData", "userDataBase64"] : ["userData"]).map((path) => read(host.props, path));
    // A secret whose plaintext we lack is still set: only absence, or an empty string, means no user data.
    const set = sources.filter((r) => r.state === "unreadable" || (r.state === "known" && r.value !== ""));
    const unknown = sources.filter((r) => r.state === "unknown");
    if (set.length === 0 && unknown.length === 0) {
        return;
    }
    const shown = (set[0] ?? unknown[0]).path;
    if (!layout.replaceOnChange) {
        if (set.length === 0) {
            findings.notYetKnown(host, shown, "the instance sets no user data (aws-native instances cannot be replaced on a user-data change)");
            return;
        }
        findings.violation(
            host,
            `${shown} is set, and an aws-native instance applies a user-data change by stopping and restarting the same host; ` +
                "move the user data into a launch template (launched by an Auto Scaling group with instance refresh), or use aws.ec2.Instance with userDataReplaceOnChange: true.",
        );
        return;
    }
    const replace = readBoolean(host.props, "userDataReplaceOnChange");
    if (findings.unresolved(host, replace, "userDataReplaceOnChange is true")) {
        return;
    }
    if (replace.state === "known" && replace.value) {
        return;
    }
    if (set.length === 0) {
        findings.notYetKnown(host, shown, "if user data is set, userDataReplaceOnChange is true");
        return;
    }
    const found = replace.state === "known" ? "false" : "unset (defaults to false)";
    findings.violation(
        host,
        `${shown} is set but userDataReplaceOnChange is ${found}, so a user-data change stops and restarts the same host with its old disk instead of replacing it; set userDataReplaceOnChange: true.`,
    );
}
