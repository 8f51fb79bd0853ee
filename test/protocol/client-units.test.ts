/**
 * Unit tests of the analyzer client's engine rules that need no process: config reconciliation
 * (pkg/resource/analyzer/config.go) and property marshalling (sdk/go/common/resource/plugin/rpc.go).
 * The same rules are exercised end to end in the other protocol tests.
 */
import { strict as assert } from "assert";
import { parsePolicyPackConfig, PolicyConfigTarget, reconcilePolicyPackConfig } from "../../cli/analyzer/config";
import { splitArgs } from "../../cli/analyzer/launch";
import { marshalProperties, providerUrnOf } from "../../cli/analyzer/serialize";
import { urnName } from "../../cli/urn";
import { CheckError } from "../../cli/model";
import { ARCHIVE_SIG, ASSET_SIG, OUTPUT_VALUE_SIG, RESOURCE_REFERENCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN } from "../../cli/wire";

const policies: PolicyConfigTarget[] = [
    { name: "a-policy", enforcementLevel: "mandatory", configSchema: { properties: { max: { type: "integer", default: 3 }, tags: { type: "array", items: { type: "string" } } }, required: [] } },
    { name: "b-policy", enforcementLevel: "advisory", configSchema: { properties: { mode: { type: "string", enum: ["x", "y"] } }, required: ["mode"] } },
    { name: "c-policy", enforcementLevel: "mandatory" },
];

const reconcile = (config: unknown) => reconcilePolicyPackConfig({ packName: "p", policies, config });

function throwsCheck(fn: () => unknown, re: RegExp): void {
    assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof CheckError, String(e));
        assert.ok(!(e as Error).message.includes("\n"));
        assert.match((e as Error).message, re);
        return true;
    });
}

describe("analyzer client: config reconciliation", () => {
    it("parses levels and objects like the engine; empty objects are dropped", () => {
        assert.deepEqual(parsePolicyPackConfig({ a: "advisory", b: { enforcementLevel: "disabled", n: 1 }, c: {} }, "p"), {
            a: { enforcementLevel: "advisory" },
            b: { enforcementLevel: "disabled", properties: { n: 1 } },
        });
        assert.deepEqual(parsePolicyPackConfig(undefined, "p"), {});
        assert.deepEqual(parsePolicyPackConfig(null, "p"), {});
    });

    it("rejects malformed files and values", () => {
        throwsCheck(() => parsePolicyPackConfig([], "p"), /^invalid config for policy pack "p": expected a JSON object/);
        throwsCheck(() => parsePolicyPackConfig({ a: 3 }, "p"), /^invalid config for policy "a" of policy pack "p": number 3 is not a valid value/);
        throwsCheck(() => parsePolicyPackConfig({ a: null }, "p"), /policy "a" .*null is not a valid value/);
        throwsCheck(() => parsePolicyPackConfig({ a: { enforcementLevel: 1 } }, "p"), /enforcementLevel must be a string/);
        throwsCheck(() => parsePolicyPackConfig({ a: { enforcementLevel: "hard" } }, "p"), /enforcementLevel "hard" is not a valid enforcement level/);
        throwsCheck(() => parsePolicyPackConfig({ environments: ["x"] }, "p"), /"environments" \(Pulumi ESC environments\) cannot be resolved offline/);
    });

    it("starts from each policy's level and schema defaults; a required property without default is an error", () => {
        throwsCheck(() => reconcile(undefined), /^invalid config for policy "b-policy" of policy pack "p": mode is required$/);
        const applied = reconcile({ "b-policy": { mode: "x" } });
        assert.deepEqual(applied, {
            "a-policy": { enforcementLevel: "mandatory", properties: { max: 3 } },
            "b-policy": { enforcementLevel: "advisory", properties: { mode: "x" } },
            "c-policy": { enforcementLevel: "mandatory", properties: {} },
        });
    });

    it('"all" sets every level first, per-policy entries override it, properties merge over defaults', () => {
        const applied = reconcile({ all: "disabled", "a-policy": { enforcementLevel: "advisory", tags: ["t"] }, "b-policy": { mode: "y" } });
        assert.deepEqual(applied["a-policy"], { enforcementLevel: "advisory", properties: { max: 3, tags: ["t"] } });
        assert.deepEqual(applied["b-policy"], { enforcementLevel: "disabled", properties: { mode: "y" } });
        assert.deepEqual(applied["c-policy"], { enforcementLevel: "disabled", properties: {} });
        assert.deepEqual(applied.all, { enforcementLevel: "disabled", properties: {} });
    });

    it("initialConfig applies before the file", () => {
        const applied = reconcilePolicyPackConfig({
            packName: "p",
            policies,
            initialConfig: { "a-policy": { enforcementLevel: "advisory", properties: { max: 5 } }, "b-policy": { enforcementLevel: "mandatory", properties: { mode: "x" } } },
            config: { "a-policy": { max: 9 } },
        });
        assert.deepEqual(applied["a-policy"], { enforcementLevel: "advisory", properties: { max: 9 } });
        assert.deepEqual(applied["b-policy"], { enforcementLevel: "mandatory", properties: { mode: "x" } });
    });

    it("is stricter than the engine: unknown policies, unknown fields and properties under all are errors", () => {
        throwsCheck(() => reconcile({ "b-policy": { mode: "x" }, "a-polcy": "disabled" }), /no policy named "a-polcy" \(did you mean "a-policy"\?\); the pack has 3 policies: a-policy, b-policy, c-policy$/);
        throwsCheck(() => reconcile({ "b-policy": { mode: "x" }, "a-policy": { maxx: 1 } }), /^invalid config for policy "a-policy" of policy pack "p": unknown property "maxx" \(did you mean "max"\?\); known properties: max, tags$/);
        throwsCheck(() => reconcile({ "b-policy": { mode: "x" }, "c-policy": { anything: 1 } }), /policy "c-policy" .*unknown property "anything"; known properties: none$/);
        throwsCheck(() => reconcile({ "b-policy": { mode: "x" }, all: { enforcementLevel: "advisory", max: 1 } }), /"all" takes only an enforcement level, not properties \(max\)/);
    });

    it("reports every schema problem of every policy on one line, with paths", () => {
        throwsCheck(
            () => reconcile({ "a-policy": { max: "3", tags: ["ok", 2] }, "b-policy": { mode: "z" } }),
            /^invalid config for policy "a-policy" of policy pack "p": max must be integer; tags\[1\] must be string; invalid config for policy "b-policy" of policy pack "p": mode must be one of "x", "y"$/,
        );
    });
});

describe("analyzer client: property marshalling", () => {
    const ref = (urn: string, id?: unknown) => ({ [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn, ...(id === undefined ? {} : { id }) });
    const out = (fields: Record<string, unknown>) => ({ [SIG_KEY]: OUTPUT_VALUE_SIG, ...fields });

    it("drops only top-level internal keys, and only when asked", () => {
        const props = { __defaults: ["a"], a: { __nested: 1 }, b: null };
        assert.deepEqual(marshalProperties(props as any, { skipInternalKeys: true }), { a: { __nested: 1 }, b: null });
        assert.deepEqual(marshalProperties(props as any, { skipInternalKeys: false }), props);
    });

    it("downgrades resource references and flattens output values", () => {
        const m = marshalProperties(
            {
                withId: ref("urn:pulumi:s::p::t:m:R::r", "i-1"),
                noId: ref("urn:pulumi:s::p::t:m:C::c"),
                emptyId: ref("urn:pulumi:s::p::t:m:R::r", ""),
                unknownId: ref("urn:pulumi:s::p::t:m:R::r", UNKNOWN),
                outputId: ref("urn:pulumi:s::p::t:m:R::r", out({ value: "i-2" })),
                known: out({ value: [1, 2] }),
                unknown: out({}),
                secretUnknown: out({ secret: true }),
                nested: [out({ value: ref("urn:pulumi:s::p::t:m:R::r", "i-3") })],
            } as any,
            { skipInternalKeys: true },
        );
        assert.deepEqual(m, {
            withId: "i-1",
            noId: "urn:pulumi:s::p::t:m:C::c",
            emptyId: UNKNOWN,
            unknownId: UNKNOWN,
            outputId: "i-2",
            known: [1, 2],
            unknown: UNKNOWN,
            secretUnknown: { [SIG_KEY]: SECRET_SIG, value: UNKNOWN },
            nested: ["i-3"],
        });
    });

    it("keeps secrets, assets, archives and typed unknown sentinels; undefined disappears", () => {
        const asset = { [SIG_KEY]: ASSET_SIG, text: "hello" };
        const archive = { [SIG_KEY]: ARCHIVE_SIG, assets: { "a.txt": asset } };
        const props = {
            s: { [SIG_KEY]: SECRET_SIG, value: { deep: ref("urn:pulumi:s::p::t:m:R::r", "i-9") } },
            asset,
            archive,
            unknownBool: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
            gone: undefined,
            list: [undefined, 1],
        };
        assert.deepEqual(marshalProperties(props as any, { skipInternalKeys: true }), {
            s: { [SIG_KEY]: SECRET_SIG, value: { deep: "i-9" } },
            asset,
            archive,
            unknownBool: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
            list: [null, 1],
        });
    });

    it("refuses values the pack could not decode, naming resource and property", () => {
        throwsCheck(() => marshalProperties({ a: { b: [{ [SIG_KEY]: "nope" }] } } as any, { skipInternalKeys: true }, "urn:x"), /property a\.b\[0\] of urn:x: unrecognized special value signature "nope"/);
        throwsCheck(() => marshalProperties({ n: Infinity } as any, { skipInternalKeys: true }, "urn:x"), /property n of urn:x: Infinity is not a finite number/);
    });

    it("splits provider references at the last :: and takes names after the third ::", () => {
        assert.equal(providerUrnOf("urn:pulumi:s::p::pulumi:providers:aws::default::a::b::id-1"), "urn:pulumi:s::p::pulumi:providers:aws::default::a::b");
        assert.equal(providerUrnOf("no-separator"), undefined);
        assert.equal(urnName("urn:pulumi:s::p::t:m:R::name::with::colons"), "name::with::colons");
        assert.equal(urnName("not-a-urn"), "");
    });

    it("splits nodeargs like a shell", () => {
        assert.deepEqual(splitArgs(`--max-old-space-size=4096  --title "a b" 'c d' e\\ f`), ["--max-old-space-size=4096", "--title", "a b", "c d", "e f"]);
    });
});
