// line-call:role and line-call:platformStack have one rule (stack/config/role.ts), applied where
// the program reads the stack config and by `npm run validate`/`ip-diff` (devkit/stackCheck.ts):
// the same stack files go through both, so they cannot disagree about a stack's role.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { configReadersPerFile } from "../support/bothConfigReaders";
import { PROJECT_ROOT } from "../support/programHarness";
import { withConfigKey } from "../support/stackFileText";

const PARENT = "AC0123456789abcdef0123456789abcdef";
const SUBACCOUNT = "ACfedcba9876543210fedcba9876543210";
const ENV = { TWILIO_AUTH_TOKEN: "c0ffee00c0ffee00c0ffee00c0ffee00" };
const readers = configReadersPerFile();

/** A file with these keys set (undefined removes one) on top of `base`. */
function withKeys(base: string, keys: Record<string, unknown>): string {
  let text = base;
  for (const [key, value] of Object.entries(keys)) text = withConfigKey(text, key, value);
  return text;
}

const PLATFORM = "config:\n  aws:region: ap-northeast-1\n  line-call:role: platform\n";
/** The committed prod example made a customer of acme/line-call/platform in its subaccount. */
const CUSTOMER = withKeys(
  readFileSync(path.join(PROJECT_ROOT, "Pulumi.prod.yaml"), "utf8").replace(/AC0{32}/, PARENT),
  {
    "line-call:platformStack": "acme/line-call/platform",
    "line-call:subaccountSid": SUBACCOUNT,
    "line-call:callerId": undefined,
    "line-call:forwardTo": "sip:reception@pbx.acme.example.com",
  },
);

const REFUSED: Array<[string, string, RegExp[]]> = [
  [
    "an unknown role",
    withKeys(PLATFORM, { "line-call:role": "shared" }),
    [/^line-call:role "shared" is not a role: single \(the default\), platform or customer/],
  ],
  [
    "a platform naming a platform",
    withKeys(PLATFORM, { "line-call:platformStack": "acme/line-call/platform" }),
    [/^line-call:platformStack is set on a platform stack: .*remove line-call:platformStack/],
  ],
  [
    "a platform with Twilio settings",
    withKeys(PLATFORM, {
      "line-call:sipDomainName": "acme-line.sip.twilio.com",
      "line-call:forwardTo": "+81312345678",
    }),
    [
      /^line-call:sipDomainName is set, but a platform stack has no Twilio resources .*: remove it$/,
      /^line-call:forwardTo is set, but a platform stack has no Twilio resources/,
    ],
  ],
  [
    "a customer role without its platform",
    withKeys(CUSTOMER, { "line-call:platformStack": undefined, "line-call:role": "customer" }),
    [
      /^line-call:platformStack is not set: a customer stack names the platform stack .*acme\/line-call\/platform/,
    ],
  ],
  [
    "a platform that is not <org>/<project>/<stack>",
    withKeys(CUSTOMER, { "line-call:platformStack": "platform" }),
    [/^line-call:platformStack "platform" is not a stack name <organization>\/<project>\/<stack>/],
  ],
  [
    "a customer without a subaccount",
    withKeys(CUSTOMER, { "line-call:subaccountSid": undefined }),
    [
      /^line-call:subaccountSid is not set: a customer stack lives in the customer's Twilio subaccount/,
      // Without a subaccount, the token the webhook would check with is twilio:authToken's.
    ],
  ],
  [
    "a customer with its own webhook URL",
    withKeys(CUSTOMER, { "line-call:webhookBaseUrl": "https://twiml.example.com" }),
    [/^line-call:webhookBaseUrl is set on a customer stack, .*: remove it$/],
  ],
  [
    "a customer whose settings do not fit SSM's standard tier",
    withKeys(CUSTOMER, { "line-call:greeting": "お".repeat(1300) }),
    [
      /^the customer's settings take [\d,]+ bytes as its SSM parameter .*line-call:greeting takes 3,900/,
    ],
  ],
];

describe("line-call:role and line-call:platformStack", () => {
  it.each(REFUSED)(
    "refuse %s, naming the key and the fix, in both readers",
    (_, text, messages) => {
      const { byStackCheck, byProgram } = readers("acme", text, ENV);
      expect(byProgram).toEqual(messages.map((message) => expect.stringMatching(message)));
      expect(byStackCheck).toEqual(byProgram);
    },
  );

  it("read a platform: only the shared webhook's settings, no Twilio credentials needed", () => {
    const { byStackCheck, byProgram, platform, config } = readers("platform", PLATFORM, {});
    expect(byProgram).toEqual([]);
    expect(byStackCheck).toEqual([]);
    expect(platform).toEqual({ stack: "platform", role: "platform", logRetentionDays: 30 });
    expect(config).toBeUndefined();
  });

  it("read a customer from platformStack (role implied), its subaccount and settings", () => {
    const { byStackCheck, byProgram, config } = readers("acme", CUSTOMER, ENV);
    expect(byProgram).toEqual([]);
    expect(byStackCheck).toEqual([]);
    expect(config).toMatchObject({
      role: "customer",
      platformStack: "acme/line-call/platform",
      subaccountSid: SUBACCOUNT,
    });
  });

  it("read today's stack files as single stacks, unchanged", () => {
    for (const stack of ["prod", "dev"]) {
      const text = readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8").replace(
        /AC0{32}/,
        PARENT,
      );
      const { byProgram, config } = readers(stack, text, ENV);
      expect(byProgram).toEqual([]);
      expect(config?.role).toBe("single");
      expect(config).not.toHaveProperty("platformStack");
    }
  });
});
