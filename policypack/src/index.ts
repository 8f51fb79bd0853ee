/**
 * The sealed-infra policy pack. The Pulumi CLI starts it with
 * `node <@pulumi/pulumi>/cmd/run-policy-pack 127.0.0.1:<port> <pack dir>`, which requires this
 * module (compiled: package.json `main` is bin/index.js). Nothing here may print to stdout: the
 * first stdout line must be the port that `new PolicyPack` prints.
 */
import { deserializationShared } from "./sdk/sdk-memo";
import { stackChannelInstalled } from "./sdk/stack-channel";
import { PolicyPack } from "@pulumi/policy";
import { catalogue } from "./catalogue";
import { toPulumiPolicy } from "./framework/to-pulumi";

export const PACK_NAME = "sealed-infra";

if (!deserializationShared || !stackChannelInstalled) {
    // stderr, never stdout: the first stdout line must be the port. The CLI shows this as a note.
    console.error(
        "sealed-infra: this @pulumi/policy version does not allow sharing decoded resources between policies; " +
            "results are unaffected, but large stacks take longer to analyze.",
    );
}

new PolicyPack(PACK_NAME, {
    description: "Immutable infrastructure with separated deployer and approver duties.",
    enforcementLevel: "mandatory",
    policies: catalogue.map(toPulumiPolicy),
});
