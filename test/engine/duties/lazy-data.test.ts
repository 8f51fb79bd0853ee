import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** Runs the duty policies on a stack in a fresh process and reports which data files were read. */
function dataLoadedAfter(stack: string): { catalogue: boolean; managed: boolean; findings: number } {
    const script = `
        const { StackModel } = require("./policypack/src/sdk/stack-model");
        const { catalogue } = require("./policypack/src/catalogue");
        const { configWithDefaults } = require("./policypack/src/framework/definition");
        const { catalogueLoaded } = require("./policypack/src/engine/iam/catalogue");
        const { managedPoliciesLoaded } = require("./policypack/src/engine/iam/managed-policies");
        const resources = ${stack}.map((r) => ({ urn: "urn:pulumi:dev::p::" + r.type + "::" + r.name, options: {}, dependencies: [], propertyDependencies: {}, ...r }));
        const model = StackModel.fromRecords(resources);
        let findings = 0;
        for (const def of catalogue) {
            if (def.guarantee !== "separated-duties" || def.kind !== "stack") continue;
            def.check(model, configWithDefaults(def, {}), { violation: () => findings++, notYetKnown: () => findings++, unreadable: () => findings++ });
        }
        process.stdout.write(JSON.stringify({ catalogue: catalogueLoaded(), managed: managedPoliciesLoaded(), findings }));
    `;
    const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: ROOT, encoding: "utf8" });
    return JSON.parse(out);
}

const role = (name: string, extra: Record<string, unknown>) =>
    JSON.stringify({
        type: "aws:iam/role:Role",
        name,
        props: {
            name,
            arn: `arn:aws:iam::123456789012:role/${name}`,
            assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
            ...extra,
        },
    });

describe("IAM data files are loaded lazily", function () {
    this.timeout(60_000);

    it("a stack with concrete actions and no AWS-managed ARN reads neither data file", () => {
        const inline = [{ name: "p", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["lambda:UpdateFunctionCode", "iam:PassRole"], Resource: "*" }] }) }];
        const r = dataLoadedAfter(`[${role("deployer", { inlinePolicies: inline })}]`);
        assert.deepEqual(r, { catalogue: false, managed: false, findings: 0 });
    });

    it("an AWS-managed ARN reads the managed-policy data; an IAM wildcard reads the action catalogue", () => {
        const r = dataLoadedAfter(
            `[${role("admin", { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] })}, ${role("iam", {
                inlinePolicies: [{ name: "p", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "iam:Put*", Resource: "*" }] }) }],
            })}]`,
        );
        assert.equal(r.managed, true);
        assert.equal(r.catalogue, true);
        assert.ok(r.findings > 0);
    });
});
