/**
 * The ApprovedRelease component under mocks: it carries manifest, signature and key id into the
 * stack (inputs and outputs of `sealed-infra:release:ApprovedRelease`), refuses malformed approvals
 * at construction, and renders the approved image digests into the DutyNamespace's ReleaseApproval,
 * which the namespace's admission policy (evaluated here with CEL, as the API server does) then
 * admits exactly.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isCelError, run } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import {
    ADMISSION_VALIDATIONS,
    ADMISSION_VARIABLES,
    ANNOTATION_APPROVAL_KEY_ID,
    ANNOTATION_APPROVAL_MANIFEST,
    ANNOTATION_APPROVAL_SIGNATURE,
    ApprovedRelease,
    APPROVED_RELEASE_TYPE,
    DutyNamespace,
    InvalidArgumentError,
} from "../../components";
import { forgetIntentionalFailures, installMocks, record, urnOf, valueOf } from "../components/mocks";
import { IMAGE_A, IMAGE_B, manifest, sign } from "./helpers";

const RELEASE_APPROVAL = "kubernetes:sealed-infra.io/v1alpha1:ReleaseApproval";
const text = manifest({ reason: "reviewed" }, [
    { digest: IMAGE_A, kind: "image", name: "ghcr.io/acme/api" },
    { digest: IMAGE_B, kind: "lambda-code", name: "fn.zip" },
]);
const signature = sign("ecdsa-p256", text);

/** The DutyNamespace admission policy's verdict on a pod for a ReleaseApproval object. */
function admits(image: string, params: object): boolean {
    const object = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "shop" }, spec: { containers: [{ name: "c", image }] } };
    const variables = new Map<string, unknown>();
    // What the API server binds for a CREATE: no old object.
    const bindings = () => ({ object, oldObject: null, request: { operation: "CREATE" }, params, variables }) as never;
    for (const v of ADMISSION_VARIABLES) {
        const value = run(v.expression, bindings(), { funcs: strings });
        assert.ok(!isCelError(value), `${v.name}: ${String(value)}`);
        variables.set(v.name, value);
    }
    return ADMISSION_VALIDATIONS.every((validation) => run(validation.expression, bindings(), { funcs: strings }) === true);
}

describe("components: ApprovedRelease", () => {
    before(() => installMocks());

    it("carries the manifest, signature and key id as its inputs and outputs", async () => {
        const { component, recorder } = await record(() => new ApprovedRelease("release", { manifest: text, signature, keyId: "approvals" }));
        const registered = recorder.one(APPROVED_RELEASE_TYPE, "release");
        assert.equal(registered.custom, false);
        assert.deepEqual(registered.inputs, { manifest: text, signature, keyId: "approvals" });
        assert.equal(await valueOf(component.manifest), text);
        assert.equal(await valueOf(component.signature), signature);
        const summary = await valueOf(component.summary);
        assert.equal(summary.approver, "release-manager@acme.example");
        assert.deepEqual(summary.imageDigests, [IMAGE_A]);
        assert.deepEqual(summary.lambdaCodeDigests, [IMAGE_B]);
        assert.equal(recorder.resources.length, 1, "no ReleaseApproval unless asked");
    });

    it("renders the approved image digests into the DutyNamespace's ReleaseApproval, which the admission policy then admits exactly", async () => {
        const { component, recorder } = await record(() => {
            const shop = new DutyNamespace("shop", { approverGroups: ["release-approvers"] });
            return new ApprovedRelease("release", { manifest: text, signature, keyId: "approvals", releaseApproval: shop.releaseApprovalTarget() });
        });
        const ra = recorder.one(RELEASE_APPROVAL, "release-release-approval");
        assert.equal(ra.parent, await urnOf(component));
        assert.equal(ra.inputs.apiVersion, "sealed-infra.io/v1alpha1");
        assert.equal(ra.inputs.kind, "ReleaseApproval");
        assert.equal(ra.inputs.metadata.name, "release", "the name the DutyNamespace's admission binding reads");
        assert.equal(ra.inputs.metadata.namespace, "shop");
        assert.deepEqual(ra.inputs.metadata.annotations, {
            [ANNOTATION_APPROVAL_MANIFEST]: text,
            [ANNOTATION_APPROVAL_SIGNATURE]: signature,
            [ANNOTATION_APPROVAL_KEY_ID]: "approvals",
        });
        assert.deepEqual(ra.inputs.spec, { digests: [IMAGE_A], release: "CHG-1", approvedBy: "release-manager@acme.example", reason: "reviewed" });
        const crd = recorder.one("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
        assert.ok(ra.dependencies.includes(crd.urn), "created after the CRD");
        // The rendered object, as the admission policy's parameter.
        assert.equal(admits(`ghcr.io/acme/api@${IMAGE_A}`, ra.inputs), true);
        assert.equal(admits(`ghcr.io/acme/api@${IMAGE_B}`, ra.inputs), false, "a Lambda hash is not an approved image");
        assert.equal(admits("ghcr.io/acme/api:latest", ra.inputs), false);
    });

    it("renders into a namespace given by name", async () => {
        const { recorder } = await record(() => new ApprovedRelease("r", { manifest: text, signature, releaseApproval: { namespace: "apps", name: "approved" } }));
        const ra = recorder.one(RELEASE_APPROVAL);
        assert.equal(ra.inputs.metadata.namespace, "apps");
        assert.equal(ra.inputs.metadata.name, "approved");
        assert.equal(ra.inputs.metadata.annotations[ANNOTATION_APPROVAL_KEY_ID], undefined);
    });

    it("refuses what the pack could never accept, at construction, naming the argument", async () => {
        const cases: Array<[Record<string, unknown>, RegExp]> = [
            [{ manifest: `${text}\n`, signature }, /manifest has leading or trailing whitespace .* pass the exact bytes that were signed/],
            [{ manifest: "{", signature }, /manifest is not valid JSON/],
            [{ manifest: JSON.stringify({ ...JSON.parse(text), format: "v0" }), signature }, /manifest format is "v0"/],
            [{ manifest: JSON.stringify({ ...JSON.parse(text), artifacts: [] }), signature }, /manifest lists no artifacts/],
            [{ manifest: JSON.stringify({ ...JSON.parse(text), artifacts: [{ digest: "sha256:x", kind: "image" }] }), signature }, /artifacts\[0\]\.digest is not sha256/],
            [{ manifest: text, signature: "not base64!" }, /signature must be the base64 signature text/],
            [{ manifest: text, signature, keyId: "" }, /keyId must be a non-empty string/],
            [{ manifest: text }, /manifest and signature are required/],
        ];
        for (const [args, pattern] of cases) {
            assert.throws(
                () => new ApprovedRelease("bad", args as never),
                (e: Error) => e instanceof InvalidArgumentError && /^ApprovedRelease "bad": /.test(e.message) && pattern.test(e.message),
                JSON.stringify(args).slice(0, 80),
            );
        }
        await forgetIntentionalFailures();
    });

    it("readApprovalFile reads what `sealed-infra approve sign` writes, and refuses anything else", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-infra-approval-file-"));
        try {
            const good = path.join(dir, "release.approval.json");
            fs.writeFileSync(good, JSON.stringify({ manifest: text, signature, keyId: "approvals" }, null, 2));
            assert.deepEqual(ApprovedRelease.readApprovalFile(good), { manifest: text, signature, keyId: "approvals" });
            const bad = path.join(dir, "bad.json");
            fs.writeFileSync(bad, JSON.stringify({ manifest: JSON.parse(text), signature }));
            assert.throws(() => ApprovedRelease.readApprovalFile(bad), /an approval file holds \{ manifest, signature, keyId\? \} as strings/);
            assert.throws(() => ApprovedRelease.readApprovalFile(path.join(dir, "missing.json")), /cannot read the approval file/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
