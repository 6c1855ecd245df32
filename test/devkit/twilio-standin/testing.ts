// Shared vitest set-up for suites that run against one stand-in: start it before the suite,
// stop it after, and after each test clear faults and latency and assert that no request or
// response broke Twilio's API description.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { standinTwilioClient } from "../../../devkit/twilio-standin/client";
import {
  type StandinOptions,
  startTwilioStandin,
  type TwilioStandin,
} from "../../../devkit/twilio-standin/server";

export type StandinClient = ReturnType<typeof standinTwilioClient>;

export function useStandin(
  onStart: (standin: TwilioStandin, client: StandinClient) => void,
  options?: StandinOptions,
): void {
  let standin: TwilioStandin | undefined;
  beforeAll(async () => {
    standin = await startTwilioStandin(options);
    onStart(standin, standinTwilioClient(standin));
  });
  afterAll(async () => {
    await standin?.close();
  });
  afterEach(() => {
    standin?.clearFaults();
    standin?.setLatency(options?.latencyMs ?? 0);
    expect(standin?.validationErrors).toEqual([]);
  });
}
