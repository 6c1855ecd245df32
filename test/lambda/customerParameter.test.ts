// The customer parameter's format, written by a customer stack and read by the shared webhook
// (lambda/customerParameter.ts): what the decoder refuses, and SSM's 4 KB standard tier judged
// before anything is written. The call settings inside go through the contract's one corpus in
// test/model/callSettings.test.ts.
import { describe, expect, it } from "vitest";
import {
  customerParameterPrefixProblem,
  customerParameterSizeProblem,
  decodeCustomerParameter,
  encodeCustomerParameter,
  SSM_STANDARD_VALUE_MAX_BYTES,
} from "../../lambda/customerParameter";
import {
  type CallSettings,
  callSettingsFromEnvironment,
  parseCallSettings,
} from "../../model/callSettings";

const SID = `AC${"a".repeat(32)}`;
const TOKEN = "a1".repeat(16);
/** Settings as the contract makes them (defaults filled in, whatever settings it has). */
const CALL: CallSettings = (() => {
  const { settings } = parseCallSettings(
    callSettingsFromEnvironment({
      FORWARD_TO: "sip:reception@pbx.example.com",
      UNAVAILABLE_MESSAGE: "ただいま電話に出られません。",
    }),
  );
  if (!settings) throw new Error("the sample settings are valid");
  return settings;
})();
const text = (fields: Record<string, unknown>) =>
  JSON.stringify({
    format: 1,
    accountSid: SID,
    authToken: TOKEN,
    settings: { FORWARD_TO: "sip:reception@pbx.example.com" },
    ...fields,
  });

describe("customer parameter", () => {
  it("round-trips through the encoder and the decoder", () => {
    const encoded = encodeCustomerParameter({ accountSid: SID, authToken: TOKEN, call: CALL });
    expect(JSON.parse(encoded)).toMatchObject({ format: 1, accountSid: SID, authToken: TOKEN });
    expect(decodeCustomerParameter(encoded, SID)).toEqual({
      customer: { accountSid: SID, authToken: TOKEN, call: CALL },
    });
  });

  it.each([
    ["not JSON", "{", /^is not JSON$/],
    ["a JSON array", "[]", /^is not a JSON object$/],
    ["another format", text({ format: 2 }), /^format is not 1: update the platform stack$/],
    [
      "another account's",
      text({ accountSid: `AC${"b".repeat(32)}` }),
      /is not the one in its name/,
    ],
    ["a bad token", text({ authToken: "secret" }), /^authToken is not an auth token$/],
    ["settings not texts", text({ settings: { DIAL_TIMEOUT: 30 } }), /^settings is not an object/],
    [
      "a setting this webhook does not know",
      text({ settings: { FORWARD_TO: "sip:a@b.example.com", OPENING_HOURS: "x" } }),
      /^settings OPENING_HOURS unknown to this webhook: update the platform stack$/,
    ],
    [
      "an invalid setting",
      text({ settings: { FORWARD_TO: "03-1234-5678" } }),
      /^settings\.FORWARD_TO "03-1234-5678" is neither/,
    ],
  ])("refuses %s, naming the field and never the token", (_what, parameter, problem) => {
    const decoded = decodeCustomerParameter(parameter, SID);
    expect(decoded).toEqual({ problems: [expect.stringMatching(problem)] });
    expect(JSON.stringify(decoded)).not.toContain(TOKEN);
  });

  it("refuses, before anything is written, settings that would not fit SSM's standard tier", () => {
    const label = (name: string) => `line-call:${name}`;
    expect(customerParameterSizeProblem(SID, CALL, label)).toBeUndefined();
    const long = { ...CALL, greeting: "お".repeat(1300) };
    const problem = customerParameterSizeProblem(SID, long, label);
    const bytes = Buffer.byteLength(
      encodeCustomerParameter({ accountSid: SID, authToken: TOKEN, call: long }),
    );
    expect(bytes).toBeGreaterThan(SSM_STANDARD_VALUE_MAX_BYTES);
    expect(problem).toMatch(
      new RegExp(
        `^the customer's settings take ${bytes.toLocaleString("en-US")} bytes as its SSM parameter ` +
          "\\(UTF-8; a Japanese character is 3 bytes\\), and SSM's standard tier holds 4,096: " +
          "shorten the spoken texts \\(line-call:greeting takes 3,900, [^)]+\\) " +
          `by ${(bytes - 4096).toLocaleString("en-US")} bytes$`,
      ),
    );
  });

  it("accepts only an SSM path as the prefix", () => {
    expect(customerParameterPrefixProblem("/line-call/platform/customers")).toBeUndefined();
    for (const bad of ["line-call/customers", "/line-call/", "/line call", "/"]) {
      expect(customerParameterPrefixProblem(bad)).toMatch(/is not an SSM path prefix/);
    }
  });
});
