import { strict as assert } from "assert";
import { ec2ImmutableHosts } from "../../policypack/src/policies/immutable-artifacts/ec2-immutable-hosts";
import { UNREADABLE_SECRET } from "../../policypack/src/framework/values";
import { advisory, mandatory, runResourcePolicy, UNKNOWN, urnOf } from "../harness/policy-harness";

const INSTANCE = "aws:ec2/instance:Instance";
const SPOT = "aws:ec2/spotInstanceRequest:SpotInstanceRequest";
const NATIVE_INSTANCE = "aws-native:ec2:Instance";
const TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const NATIVE_TEMPLATE = "aws-native:ec2:LaunchTemplate";
const LAUNCH_CONFIG = "aws:ec2/launchConfiguration:LaunchConfiguration";
const NATIVE_LAUNCH_CONFIG = "aws-native:autoscaling:LaunchConfiguration";

const IMDSV2 = { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } };
const SCRIPT = "#!/bin/bash\necho hi";

describe("ec2-immutable-hosts", () => {
    it("passes compliant hosts of every type", () => {
        const cases: Array<[string, Record<string, unknown>]> = [
            [INSTANCE, { ami: "ami-1", ...IMDSV2, userData: SCRIPT, userDataReplaceOnChange: true }],
            [SPOT, { ami: "ami-1", ...IMDSV2 }],
            [NATIVE_INSTANCE, { imageId: "ami-1", ...IMDSV2 }],
            [TEMPLATE, { imageId: "ami-1", ...IMDSV2, userData: "IyEvYmluL2Jhc2g=" }],
            [NATIVE_TEMPLATE, { launchTemplateData: { imageId: "ami-1", ...IMDSV2, userData: "IyEvYmluL2Jhc2g=" } }],
            [LAUNCH_CONFIG, { imageId: "ami-1", instanceType: "t3.micro", ...IMDSV2, userData: SCRIPT }],
            [NATIVE_LAUNCH_CONFIG, { imageId: "ami-1", instanceType: "t3.micro", ...IMDSV2 }],
        ];
        for (const [type, props] of cases) {
            assert.deepEqual(runResourcePolicy(ec2ImmutableHosts, { type, name: "h", props }), [], type);
        }
    });

    it("treats unset metadata options as httpTokens \"optional\", reporting on the resource's URN with the fix", () => {
        const found = runResourcePolicy(ec2ImmutableHosts, { type: INSTANCE, name: "web", props: { ami: "ami-1" } });
        assert.equal(found.length, 1);
        assert.equal(found[0].enforcementLevel, "mandatory");
        assert.equal(found[0].urn, urnOf(INSTANCE, "web"));
        assert.match(found[0].message, /\naws:ec2:Instance "web": metadataOptions\.httpTokens is unset \(defaults to "optional"\), so IMDSv1 is allowed/);
        assert.match(found[0].message, /set metadataOptions: \{ httpTokens: "required" \}/);
    });

    it('flags httpTokens "optional" and accepts a disabled metadata endpoint', () => {
        const found = mandatory(runResourcePolicy(ec2ImmutableHosts, { type: TEMPLATE, name: "lt", props: { metadataOptions: { httpTokens: "optional" } } }));
        assert.equal(found.length, 1);
        assert.match(found[0].message, /aws:ec2:LaunchTemplate "lt": metadataOptions\.httpTokens is "optional"/);
        assert.deepEqual(runResourcePolicy(ec2ImmutableHosts, { type: TEMPLATE, name: "lt", props: { metadataOptions: { httpEndpoint: "disabled" } } }), []);
    });

    it("reads aws-native launch template settings under launchTemplateData", () => {
        const found = mandatory(runResourcePolicy(ec2ImmutableHosts, { type: NATIVE_TEMPLATE, name: "lt", props: { launchTemplateData: { keyName: "ops" } } }));
        assert.equal(found.length, 2);
        assert.match(found[0].message, /launchTemplateData\.keyName is "ops"/);
        assert.match(found[1].message, /launchTemplateData\.metadataOptions\.httpTokens is unset/);
    });

    it("flags SSH key pairs on instances, templates and launch configurations unless allowed", () => {
        for (const type of [INSTANCE, SPOT, NATIVE_INSTANCE, TEMPLATE, LAUNCH_CONFIG, NATIVE_LAUNCH_CONFIG]) {
            const found = mandatory(runResourcePolicy(ec2ImmutableHosts, { type, name: "h", props: { ...IMDSV2, keyName: "ops-key" } }));
            assert.equal(found.length, 1, type);
            assert.match(found[0].message, /keyName is "ops-key", so whoever holds the key can log in .*remove keyName and use SSM Session Manager/);
            assert.deepEqual(runResourcePolicy(ec2ImmutableHosts, { type, name: "h", props: { ...IMDSV2, keyName: "ops-key" } }, { config: { allowKeyPairs: true } }), []);
        }
        // An empty keyName (how outputs show "no key") passes.
        assert.deepEqual(runResourcePolicy(ec2ImmutableHosts, { type: INSTANCE, name: "h", props: { ...IMDSV2, keyName: "" } }), []);
    });

    describe("user data", () => {
        it("requires userDataReplaceOnChange when userData or userDataBase64 is set (unset means false)", () => {
            for (const field of ["userData", "userDataBase64"]) {
                const found = mandatory(runResourcePolicy(ec2ImmutableHosts, { type: INSTANCE, name: "web", props: { ...IMDSV2, [field]: SCRIPT } }));
                assert.equal(found.length, 1, field);
                assert.match(found[0].message, new RegExp(`${field} is set but userDataReplaceOnChange is unset \\(defaults to false\\), so a user-data change stops and restarts the same host`));
                assert.match(found[0].message, /set userDataReplaceOnChange: true/);
            }
            const explicit = mandatory(runResourcePolicy(ec2ImmutableHosts, { type: SPOT, name: "s", props: { ...IMDSV2, userData: SCRIPT, userDataReplaceOnChange: false } }));
            assert.match(explicit[0].message, /userDataReplaceOnChange is false/);
        });

        it("treats a secret user data we cannot read as set", () => {
            const found = mandatory(runResourcePolicy(ec2ImmutableHosts, { type: INSTANCE, name: "web", props: { ...IMDSV2, userData: UNREADABLE_SECRET } }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /userData is set but userDataReplaceOnChange is unset/);
        });

        it("an unknown user data in preview is verified at update unless replacement is already on", () => {
            const preview = runResourcePolicy(ec2ImmutableHosts, { type: INSTANCE, name: "web", props: { ...IMDSV2, userData: UNKNOWN } });
            assert.equal(mandatory(preview).length, 0);
            assert.equal(advisory(preview).length, 1);
            assert.match(advisory(preview)[0].message, /userData is not known until the update, so it will be verified at update that if user data is set, userDataReplaceOnChange is true/);
            assert.equal(mandatory(runResourcePolicy(ec2ImmutableHosts, { type: INSTANCE, name: "web", props: { ...IMDSV2, userData: UNKNOWN } }, { preview: false })).length, 1);
            assert.deepEqual(runResourcePolicy(ec2ImmutableHosts, { type: INSTANCE, name: "web", props: { ...IMDSV2, userData: UNKNOWN, userDataReplaceOnChange: true } }), []);
        });

        it("refuses user data on aws-native instances (no replace-on-change property)", () => {
            const found = mandatory(runResourcePolicy(ec2ImmutableHosts, { type: NATIVE_INSTANCE, name: "n", props: { ...IMDSV2, userData: "IyEvYmluL2Jhc2g=" } }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /aws-native:ec2:Instance "n": userData is set, and an aws-native instance applies a user-data change by stopping and restarting/);
        });
    });

    describe("instances launched from a launch template", () => {
        const fromTemplate = { ami: "ami-1", launchTemplate: { name: "base", version: "$Latest" } };

        it("fail closed by default when they leave metadata options to the template", () => {
            const found = mandatory(runResourcePolicy(ec2ImmutableHosts, { type: INSTANCE, name: "web", props: fromTemplate }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /inherits the metadata options of launch template "base"/);
            assert.match(found[0].message, /trustLaunchTemplates: true/);
        });

        it("defer to the template with trustLaunchTemplates, but never override an explicit optional", () => {
            assert.deepEqual(runResourcePolicy(ec2ImmutableHosts, { type: INSTANCE, name: "web", props: fromTemplate }, { config: { trustLaunchTemplates: true } }), []);
            const explicit = mandatory(
                runResourcePolicy(ec2ImmutableHosts, { type: INSTANCE, name: "web", props: { ...fromTemplate, metadataOptions: { httpTokens: "optional" } } }, { config: { trustLaunchTemplates: true } }),
            );
            assert.equal(explicit.length, 1);
            assert.match(explicit[0].message, /httpTokens is "optional"/);
        });
    });

    it("unknown metadata options are verified at update; unreadable ones fail closed", () => {
        const preview = runResourcePolicy(ec2ImmutableHosts, { type: TEMPLATE, name: "lt", props: { metadataOptions: { httpTokens: UNKNOWN } } });
        assert.equal(mandatory(preview).length, 0);
        assert.match(advisory(preview)[0].message, /metadataOptions\.httpTokens is not known until the update/);
        assert.equal(advisory(preview)[0].urn, urnOf(TEMPLATE, "lt"));
        const wrong = mandatory(runResourcePolicy(ec2ImmutableHosts, { type: TEMPLATE, name: "lt", props: { metadataOptions: "required" } }));
        assert.equal(wrong.length, 1);
        assert.match(wrong[0].message, /cannot verify .*metadataOptions could not be read: expected an object, found "required"/);
    });

    it("ignores other types", () => {
        assert.deepEqual(runResourcePolicy(ec2ImmutableHosts, { type: "aws:ec2/vpc:Vpc", name: "v", props: {} }), []);
    });
});
