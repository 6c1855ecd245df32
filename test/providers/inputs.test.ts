// The shared input rules on their own: a default derived from other inputs obeys the same field
// rules as a declared value, so check never hands create a value Twilio refuses.
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../model/pulumiEngine";
import { checkInputs, diffInputs, type Schema, unchangedOutputs } from "../../providers/inputs";

const SCHEMA = {
  name: { kind: "string", required: true },
  label: { kind: "string", maxLength: 10 },
} as const satisfies Schema;

const labelFromName = (inputs: Record<string, unknown>) => ({ label: inputs.name });

describe("checkInputs with derived defaults", () => {
  it("fills a default that fits", () => {
    expect(checkInputs(SCHEMA, { name: "short" }, labelFromName)).toEqual({
      inputs: { name: "short", label: "short" },
    });
  });

  it("refuses a default that breaks the field's rule, naming the field and the fix", () => {
    const result = checkInputs(SCHEMA, { name: "much-too-long" }, labelFromName);
    expect(result.failures).toEqual([
      {
        property: "label",
        reason:
          'label defaults to "much-too-long", which is 13 characters; Twilio allows at most 10: set label',
      },
    ]);
  });

  it("lets an unknown default through", () => {
    expect(checkInputs(SCHEMA, { name: UNKNOWN }, labelFromName)).toEqual({
      inputs: { name: UNKNOWN, label: UNKNOWN },
    });
  });
});

describe("a stored provider other than the program's (a by-value stack moving to the module)", () => {
  const byValue = "exports.handler = __f0; /* 30 KiB of provider code */";
  const byReference = 'const provider = require("@line-call/providers/ipAddress.js");';
  const olds = { name: "a", label: "b", sid: "XX1", __provider: byValue };

  it("is an update with nothing replaced when no field changed", () => {
    expect(diffInputs(SCHEMA, olds, { name: "a", label: "b", __provider: byReference })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(diffInputs(SCHEMA, olds, { name: "a", label: "b", __provider: byValue }).changes).toBe(
      false,
    );
    expect(diffInputs(SCHEMA, olds, { name: "a", label: "b", __provider: UNKNOWN }).changes).toBe(
      false,
    );
  });

  it("updates by keeping every stored output, without the stored provider", () => {
    expect(unchangedOutputs(SCHEMA, olds, { name: "a", label: "b" })).toEqual({
      outs: { name: "a", label: "b", sid: "XX1" },
    });
    expect(unchangedOutputs(SCHEMA, olds, { name: "a", label: "c" })).toBeUndefined();
  });
});
