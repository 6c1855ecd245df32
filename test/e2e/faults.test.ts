// Faults through the real Pulumi CLI: `pulumi up` killed mid-create, and creates whose answers
// Twilio never delivered. Whatever happens, the operator's next steps end with exactly the
// declared entries in Twilio: no duplicate, nothing outside the state.
import { afterEach, describe, expect, it } from "vitest";
import {
  type CliResult,
  createEngineStack,
  type EngineStack,
  engineTestsEnabled,
  expectSuccess,
  waitUntil,
} from "../../devkit/engine/cliStack";

const enabled = engineTestsEnabled();
const LONG = 400_000;

type Json = Record<string, unknown>;

/** Documentation addresses, one entry each. */
const SIX_ADDRESSES = [10, 11, 12, 13, 14, 15].map((n) => `203.0.113.${n}`);

function pendingOperations(exported: string): unknown[] {
  return JSON.parse(exported).deployment.pending_operations ?? [];
}

/** Every entry in the state is one Twilio holds, and nothing else is in Twilio. */
async function expectStateMatchesTwilio(stack: EngineStack) {
  const exported = JSON.parse(
    expectSuccess(await stack.pulumi(["stack", "export"]), "stack export").stdout,
  );
  const tracked = exported.deployment.resources
    .filter((r: Json) => r.type === "pulumi-nodejs:dynamic/twilio:IpAddress")
    .map((r: Json) => r.id)
    .sort();
  expect(tracked).toEqual((stack.standin.ipAddresses() as Json[]).map((e) => e.sid).sort());
}

function declare(stack: EngineStack, ips: string[]) {
  stack.writeConfig({
    ...stack.readConfig(),
    "line-call:lineIpAddresses": ips.map((ip, i) => ({ ip, label: `LINE SIP ${i + 1}` })),
  });
}

function expectExactlyDeclared(stack: EngineStack, ips: string[]) {
  const entries = stack.standin.ipAddresses() as Json[];
  expect(entries.map((e) => e.ip_address).sort()).toEqual([...ips].sort());
  expect(stack.standin.ipAccessControlLists()).toHaveLength(1);
  expect(stack.standin.domains()).toHaveLength(1);
}

describe.runIf(enabled)("faults under the real engine", () => {
  let stack: EngineStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it(
    "kill -9 of pulumi up while entries are created: refresh and up end with the declared inventory",
    async () => {
      stack = await createEngineStack("crash");
      declare(stack, SIX_ADDRESSES);
      // Slow IP creates, so the kill lands while some are in flight and others are done.
      stack.standin.injectFault({
        kind: "latency",
        method: "POST",
        path: "/IpAddresses.json",
        latencyMs: 1500,
        times: Number.POSITIVE_INFINITY,
      });
      const run = stack.start(["up", "--yes", "--skip-preview"]);
      const standin = stack.standin;
      await waitUntil(() => standin.ipAddresses().length >= 1, 50);
      run.child.kill("SIGKILL");
      await run.done;
      stack.standin.clearFaults();
      // The orphaned provider host may still finish what it had sent; let it.
      await new Promise((resolve) => setTimeout(resolve, 3000));

      // What Pulumi tells the operator, step by step (the runbook's "pulumi up was interrupted").
      const locked = await stack.pulumi(["up", "--yes", "--skip-preview"]);
      expect(locked.code).not.toBe(0);
      expect(locked.output).toContain("pulumi cancel");
      expectSuccess(await stack.pulumi(["cancel", "--yes"]), "pulumi cancel");
      const pending = pendingOperations(
        expectSuccess(await stack.pulumi(["stack", "export"]), "stack export").stdout,
      );
      expect(pending.length).toBeGreaterThan(0);
      expectSuccess(
        await stack.pulumi(["refresh", "--clear-pending-creates", "--yes", "--skip-preview"]),
        "pulumi refresh --clear-pending-creates",
      );
      // The interrupted creates are not in the state but are in Twilio: up adopts them.
      expectSuccess(
        await stack.pulumi(["up", "--yes", "--skip-preview"]),
        "pulumi up after the crash",
      );
      expect(
        pendingOperations(
          expectSuccess(await stack.pulumi(["stack", "export"]), "stack export").stdout,
        ),
      ).toEqual([]);
      expectSuccess(
        await stack.pulumi(["preview", "--refresh", "--expect-no-changes"]),
        "the drift gate after the recovery",
      );
      expectExactlyDeclared(stack, SIX_ADDRESSES);
      await expectStateMatchesTwilio(stack);
    },
    LONG,
  );

  it(
    "a create Twilio wrote but never confirmed (500 five times, then a lost response) is tracked",
    async () => {
      stack = await createEngineStack("lost-create");
      const ips = SIX_ADDRESSES.slice(0, 2);
      declare(stack, ips);
      stack.standin.injectFault({
        kind: "500",
        method: "POST",
        path: "/IpAddresses.json",
        times: 5,
      });
      stack.standin.injectFault({
        kind: "lost-response",
        method: "POST",
        path: "/IpAddresses.json",
      });
      const first = await stack.pulumi(["up", "--yes", "--skip-preview"]);
      stack.standin.clearFaults();
      // Whether this run succeeded or not, the next one ends with exactly the declared entries.
      await upEndsDeclared(stack, ips, first);
    },
    LONG,
  );

  it(
    "a create whose duplicate check fails after the write is adopted by the next up",
    async () => {
      stack = await createEngineStack("failed-lookup");
      const ips = SIX_ADDRESSES.slice(0, 2);
      declare(stack, ips);
      expectSuccess(await stack.pulumi(["up", "--yes", "--skip-preview"]), "pulumi up");
      // One more address; its create is written but unanswered, and every lookup after it fails.
      const more = [...ips, SIX_ADDRESSES[2]];
      declare(stack, more);
      const standin = stack.standin;
      standin.injectFault({ kind: "lost-response", method: "POST", path: "/IpAddresses.json" });
      const run = stack.start(["up", "--yes", "--skip-preview"]);
      // Once the write has happened, every lookup fails (the provider waits before looking).
      await waitUntil(() => standin.requests.some((r) => r.fault === "lost-response"));
      standin.injectFault({
        kind: "500",
        method: "GET",
        path: "/IpAddresses.json",
        times: Number.POSITIVE_INFINITY,
      });
      const failed = await run.done;
      expect(failed.code).not.toBe(0);
      expect(stack.standin.ipAddresses()).toHaveLength(3);
      stack.standin.clearFaults();
      await upEndsDeclared(stack, more, failed);
    },
    LONG,
  );
});

async function upEndsDeclared(stack: EngineStack, ips: string[], before: CliResult) {
  const next = await stack.pulumi(["up", "--yes", "--skip-preview"]);
  expectSuccess(next, `pulumi up after a faulty one (which said:\n${before.output})`);
  expectExactlyDeclared(stack, ips);
  await expectStateMatchesTwilio(stack);
  // And an address removed from the list leaves nothing behind in Twilio.
  declare(stack, ips.slice(1));
  expectSuccess(await stack.pulumi(["up", "--yes", "--skip-preview"]), "pulumi up (one removed)");
  expectExactlyDeclared(stack, ips.slice(1));
}
