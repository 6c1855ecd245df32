// The smoke test's progress through the real Pulumi CLI: with the webhook down, `pulumi up` shows
// each attempt and its error while it retries, not only the final error when the 90 s are up.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEngineStack,
  type EngineStack,
  engineTestsEnabled,
  waitUntil,
} from "../../devkit/engine/cliStack";

const enabled = engineTestsEnabled();
const ATTEMPT = /webhook smoke test attempt (\d+) \((\d+) s of 90 s\): (.*); retrying in 3 s/g;

describe.runIf(enabled)("pulumi up with the webhook down", () => {
  let stack: EngineStack;
  beforeAll(async () => {
    stack = await createEngineStack("progress");
    await stack.webhook.close();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it("shows every attempt and its error as it goes, then fails after the timeout", async () => {
    const started = Date.now();
    const run = stack.start(["up", "--yes", "--skip-preview"]);
    let output = "";
    run.child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    run.child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    // The end of the run settles it too: a run that reported nothing fails just below.
    await Promise.race([
      waitUntil(() => /webhook smoke test attempt 2 /.test(output), 100),
      run.done,
    ]);
    // Seen while pulumi up still runs, seconds into the 90 s.
    expect(run.child.exitCode).toBeNull();
    expect(Date.now() - started).toBeLessThan(45_000);

    const result = await run.done;
    expect(result.code).not.toBe(0);
    const failure = /webhook smoke test failed after (\d+) attempts: (.*did not answer.*)/.exec(
      result.stdout,
    );
    expect(failure, result.output).not.toBeNull();
    const attempts = [...result.stdout.matchAll(ATTEMPT)];
    const numbers = [...new Set(attempts.map((a) => Number(a[1])))];
    // Every attempt but the last is reported with its error (the last one is the final error).
    expect(numbers).toEqual(Array.from({ length: Number(failure?.[1]) - 1 }, (_, i) => i + 1));
    for (const attempt of attempts)
      expect(attempt[3]).toMatch(/\/voice did not answer: .*ECONNREFUSED/);
    expect(result.stdout.indexOf("attempt 1 (")).toBeLessThan(
      result.stdout.indexOf("failed after"),
    );
    // The timeout still bounds the whole test.
    expect(Date.now() - started).toBeGreaterThan(85_000);
  }, 300_000);
});
