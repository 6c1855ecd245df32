// Business hours through the real Pulumi CLI: the stack file holds `line-call:businessHours` as a
// YAML object, which the CLI hands the program as JSON text; the program judges it with the one
// call-settings contract before declaring anything, listing every problem at once (Pulumi.yaml
// cannot type an object, so the CLI checks nothing of it first), and a valid value previews cleanly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEngineStack,
  type EngineStack,
  engineTestsEnabled,
  expectSuccess,
} from "../../devkit/engine/cliStack";

const enabled = engineTestsEnabled();
const LONG = 400_000;

describe.runIf(enabled)("business hours in a stack file, under the real CLI", () => {
  let stack: EngineStack;
  let base: Record<string, unknown>;

  beforeAll(async () => {
    stack = await createEngineStack("hours");
    base = stack.readConfig();
  }, LONG);
  afterAll(() => stack?.close());

  it(
    "refuses a bad value with every problem named, then previews a good one",
    async () => {
      stack.writeConfig({
        ...base,
        "line-call:businessHours": {
          timeZone: "Tokyo",
          weekly: { mon: ["09:00-18:00"], fri: ["20:00-02:00"] },
          closed: ["12-29..01-03", "02-30"],
        },
      });
      const refused = await stack.pulumi(["preview"]);
      expect(refused.code, refused.output).not.toBe(0);
      for (const problem of [
        'line-call:businessHours.timeZone "Tokyo" is not an IANA time zone',
        'line-call:businessHours.weekly.fri "20:00-02:00" ends before it starts',
        'line-call:businessHours.closed "02-30" is not a date',
      ]) {
        expect(refused.output).toContain(problem);
      }

      stack.writeConfig({
        ...base,
        "line-call:businessHours": {
          weekly: {
            mon: ["09:00-12:00", "13:00-18:00"],
            fri: ["20:00-24:00"],
            sat: ["00:00-02:00"],
          },
          closed: ["12-29..01-03", "2027-05-06"],
        },
        "line-call:voicemail": true,
        "line-call:voicemailMaxSeconds": 90,
      });
      expectSuccess(await stack.pulumi(["preview"]), "preview with valid business hours");
      const got = expectSuccess(
        await stack.pulumi(["config", "get", "line-call:businessHours", "--json"]),
        "config get",
      );
      // What the CLI hands the program: the object as JSON text, the unquoted date a YAML
      // timestamp printed Go's way, which the contract reads back as the date.
      const held = JSON.parse(JSON.parse(got.stdout).value) as { closed: string[] };
      expect(held.closed[0]).toBe("12-29..01-03");
      expect(held.closed[1]).toMatch(/^2027-05-06[ T]00:00:00/);
    },
    LONG,
  );
});
