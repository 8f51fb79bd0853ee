/**
 * AWS-managed policy documents, from data/aws-managed-policies.json (scripts/generate-iam-data.ts).
 * Loaded the first time a stack refers to an AWS-managed policy ARN (`arn:<partition>:iam::aws:policy/...`).
 */
import * as fs from "fs";
import * as path from "path";
import { DATA_DIR } from "./catalogue";

interface ManagedFile {
    source: string;
    policies: Record<string, unknown>;
}

let loaded: { source: string; byKey: Map<string, unknown> } | undefined;

const AWS_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/;

/** Whether the AWS-managed policy data has been read (on first use only). @public: test/engine/duties/lazy-data.test.ts reads it in a child process. */
export function managedPoliciesLoaded(): boolean {
    return loaded !== undefined;
}

export function isAwsManagedPolicyArn(arn: string): boolean {
    return AWS_MANAGED.test(arn);
}

/** Partition-independent key: the path and name after `policy/`. */
function keyOf(arn: string): string | undefined {
    return AWS_MANAGED.exec(arn)?.[1];
}

function load(): { source: string; byKey: Map<string, unknown> } {
    if (!loaded) {
        const file = JSON.parse(fs.readFileSync(path.join(DATA_DIR, "aws-managed-policies.json"), "utf8")) as ManagedFile;
        const byKey = new Map<string, unknown>();
        for (const [arn, doc] of Object.entries(file.policies)) {
            const key = keyOf(arn);
            if (key) {
                byKey.set(key, doc);
            }
        }
        loaded = { source: file.source, byKey };
    }
    return loaded;
}

/** The default version's document of an AWS-managed policy, or undefined when the data lacks it. */
export function awsManagedPolicyDocument(arn: string): unknown | undefined {
    const key = keyOf(arn);
    return key === undefined ? undefined : load().byKey.get(key);
}

export function managedPolicyDataSource(): string {
    return load().source;
}

