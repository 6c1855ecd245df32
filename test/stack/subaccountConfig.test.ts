// line-call:subaccountSid has one rule, applied where the program reads the stack config
// (validateConfig) and by `npm run validate` and `npm run ip-diff` (devkit/stackCheck.ts): the same
// cases go through both, so they cannot disagree about a subaccount SID.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { configReadersPerFile } from "../support/bothConfigReaders";
import { withConfigKey } from "../support/stackFileText";

const ROOT = path.resolve(__dirname, "..", "..");
const PARENT = "AC0123456789abcdef0123456789abcdef";
const SUBACCOUNT = "ACfedcba9876543210fedcba9876543210";
const TOKEN = "c0ffee00c0ffee00c0ffee00c0ffee00";

/** The committed prod example as an operator fills it in, with the subaccount key as given. */
function stackText(subaccountSid: string | undefined): string {
  const prod = readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8").replace(/AC0{32}/, PARENT);
  return withConfigKey(prod, "line-call:subaccountSid", subaccountSid);
}

const readers = configReadersPerFile();

/** The problems the program's config check and `npm run validate`/`ip-diff` each report. */
function bothReaders(subaccountSid: string | undefined, env: Record<string, string>) {
  return readers("prod", stackText(subaccountSid), env);
}

const REFUSED: Array<[string, string, RegExp]> = [
  [
    "not a SID",
    "customer-a",
    /line-call:subaccountSid "customer-a" must be the customer's subaccount SID: AC followed by 32 hex digits .*leave it unset/,
  ],
  [
    "an API key SID",
    "SK0123456789abcdef0123456789abcdef",
    /line-call:subaccountSid "SK0123456789abcdef0123456789abcdef" must be the customer's subaccount SID/,
  ],
  ["the placeholder", `AC${"0".repeat(32)}`, /must be the customer's subaccount SID/],
  [
    "the parent itself",
    PARENT,
    new RegExp(
      `line-call:subaccountSid is the same account as twilio:accountSid \\(${PARENT}\\): .*parent`,
    ),
  ],
];

describe("line-call:subaccountSid", () => {
  it.each(REFUSED)(
    "refuses %s, naming the key and the fix, in both readers",
    (_, value, message) => {
      const { byStackCheck, byProgram } = bothReaders(value, { TWILIO_AUTH_TOKEN: TOKEN });
      expect(byProgram).toEqual([expect.stringMatching(message)]);
      expect(byStackCheck).toEqual(byProgram);
    },
  );

  it("accepts a subaccount SID (trimmed) and hands it to the program; unset or blank means none", () => {
    const set = bothReaders(` ${SUBACCOUNT} `, { TWILIO_AUTH_TOKEN: TOKEN });
    expect(set.byProgram).toEqual([]);
    expect(set.byStackCheck).toEqual([]);
    expect(set.config?.subaccountSid).toBe(SUBACCOUNT);
    for (const none of [undefined, ""]) {
      const unset = bothReaders(none, { TWILIO_AUTH_TOKEN: TOKEN });
      expect(unset.byProgram).toEqual([]);
      expect(unset.config?.subaccountSid).toBeUndefined();
    }
  });

  it("with a subaccount, the hosted webhook needs no twilio:authToken: the parent may sign in with an API key", () => {
    const apiKey = {
      TWILIO_API_KEY: "SK0123456789abcdef0123456789abcdef",
      TWILIO_API_SECRET: "secret",
    };
    expect(bothReaders(SUBACCOUNT, apiKey).byProgram).toEqual([]);
    expect(bothReaders(SUBACCOUNT, apiKey).byStackCheck).toEqual([]);
    // Without a subaccount the webhook checks signatures with twilio:authToken itself.
    expect(bothReaders(undefined, apiKey).byProgram).toEqual([
      expect.stringMatching(
        /twilio:authToken is not set: the webhook checks every request's signature/,
      ),
    ]);
  });
});
