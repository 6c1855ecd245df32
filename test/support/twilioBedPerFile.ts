// The set-up the engine-driven provider test files share: one Twilio bed per file, and after every
// test the stand-in must have found nothing in the traffic that breaks Twilio's OpenAPI description.
// Kept apart from twilioBed.ts, which the bench imports outside vitest.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { type BedOptions, startTwilioBed, type TwilioBed } from "../../devkit/engine/twilioBed";

/**
 * Registers the file's hooks and returns the bed. It can be named at module level: it is started
 * before the file's own `beforeAll` hooks run and closed after its `afterAll` hooks.
 */
export function twilioBedPerFile(options: BedOptions = {}): Omit<TwilioBed, "close"> {
  let started: TwilioBed | undefined;
  const bed = () => {
    if (!started) throw new Error("the Twilio bed is used before its beforeAll hook ran");
    return started;
  };
  beforeAll(async () => {
    started = await startTwilioBed(options);
  });
  afterAll(async () => {
    await started?.close();
  });
  afterEach(() => {
    expect(bed().standin.validationErrors).toEqual([]);
  });
  return {
    get standin() {
      return bed().standin;
    },
    get host() {
      return bed().host;
    },
    get config() {
      return bed().config;
    },
    resource: (kind, name) => bed().resource(kind, name),
  };
}
