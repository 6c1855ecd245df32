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
import {
  declareAddresses as declare,
  expectDeclaredTrackedAndClean,
  expectExactlyDeclared,
  exportedDeployment,
} from "../support/stackInventory";

const enabled = engineTestsEnabled();
const LONG = 400_000;

/** Documentation addresses, one entry each. */
const SIX_ADDRESSES = [10, 11, 12, 13, 14, 15].map((n) => `203.0.113.${n}`);

function pendingOperations(deployment: Record<string, unknown>): unknown[] {
  return (deployment.pending_operations as unknown[] | undefined) ?? [];
}

/** Each Twilio create: its POST path, and the path of the look-up it makes after a lost write. */
const CREATES = {
  domain: { post: "/SIP/Domains.json", lookUp: "/SIP/Domains.json" },
  list: { post: "/SIP/IpAccessControlLists.json", lookUp: "/SIP/IpAccessControlLists.json" },
  entry: { post: "/IpAddresses.json", lookUp: "/IpAddresses.json" },
  mapping: { post: "/IpAccessControlListMappings.json", lookUp: "/IpAccessControlListMappings/" },
} as const;

type CreateKind = keyof typeof CREATES;

/**
 * The create of `kind` is written by Twilio but never answered, and then its look-up fails
 * `lookUpFailures` times. Resolves once that fault is armed: the provider waits before looking, as
 * between attempts, so it lands on the look-up after the lost write. `before` adds faults on the
 * POST ahead of the lost write.
 */
async function lostWriteThenFailedLookUps(
  stack: EngineStack,
  kind: CreateKind,
  lookUpFailures: number,
  before?: { kind: "500"; times: number },
) {
  const { post, lookUp } = CREATES[kind];
  const { standin } = stack;
  if (before) standin.injectFault({ method: "POST", path: post, ...before });
  standin.injectFault({ method: "POST", path: post, kind: "lost-response" });
  await waitUntil(() =>
    standin.requests.some((r) => r.path.includes(post) && r.fault === "lost-response"),
  );
  standin.injectFault({ method: "GET", path: lookUp, kind: "500", times: lookUpFailures });
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
      // Killed while the entries' creates are in flight and none has come back yet: the engine
      // is then between checkpoint writes (a kill during one leaves a truncated file backend
      // checkpoint, another kind of crash than the runbook's).
      const entryCreatesInFlight = () =>
        standin.requests.some(
          (r) => r.method === "POST" && r.path.endsWith("/IpAddresses.json") && r.status === 0,
        );
      await waitUntil(entryCreatesInFlight, 20);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(standin.ipAddresses()).toEqual([]);
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
      const pending = pendingOperations(await exportedDeployment(stack));
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
      expect(pendingOperations(await exportedDeployment(stack))).toEqual([]);
      await expectDeclaredTrackedAndClean(stack, SIX_ADDRESSES);
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
    "the issue's pattern on every create (5×500, its response lost, one 500 on the look-up after it): one up tracks all",
    async () => {
      stack = await createEngineStack("pattern");
      const ips = SIX_ADDRESSES.slice(0, 1);
      declare(stack, ips);
      const current = stack;
      const run = current.start(["up", "--yes", "--skip-preview"]);
      await Promise.all(
        (Object.keys(CREATES) as CreateKind[]).map((kind) =>
          lostWriteThenFailedLookUps(current, kind, 1, { kind: "500", times: 5 }),
        ),
      );
      expectSuccess(await run.done, "pulumi up under the faults");
      for (const { lookUp } of Object.values(CREATES)) {
        expect(
          current.standin.requests.some(
            (r) => r.method === "GET" && r.path.includes(lookUp) && r.fault === "500",
          ),
        ).toBe(true);
      }
      await expectDeclaredTrackedAndClean(stack, ips);
    },
    LONG,
  );

  it(
    "creates whose look-ups fail after the write fail saying what may exist; the next up adopts each",
    async () => {
      stack = await createEngineStack("failed-lookups");
      const ips = SIX_ADDRESSES.slice(0, 2);
      declare(stack, ips);
      const current = stack;
      const { accountSid } = current.standin;
      // One up per stage: what depends on a failed create does not run in the same up.
      const stages: Array<{ kinds: CreateKind[]; mayExist: RegExp[] }> = [
        {
          kinds: ["domain", "list"],
          mayExist: [
            /SIP domain line-call-local\.sip\.twilio\.com may exist/,
            /IP access control list "line-call failed-lookups: LINE SIP servers" may exist/,
          ],
        },
        { kinds: ["entry"], mayExist: [/IP address 203\.0\.113\.1[01]\/32 in AL\w{32} may exist/] },
        {
          kinds: ["mapping"],
          mayExist: [
            /mapping of IP access control list AL\w{32} to SIP domain SD\w{32} \(Auth → Calls\) may exist/,
          ],
        },
      ];
      for (const { kinds, mayExist } of stages) {
        const run = current.start(["up", "--yes", "--skip-preview"]);
        await Promise.all(
          kinds.map((kind) => lostWriteThenFailedLookUps(current, kind, Number.POSITIVE_INFINITY)),
        );
        const failed = await run.done;
        current.standin.clearFaults();
        expect(failed.code).not.toBe(0);
        for (const message of mayExist) expect(failed.output).toMatch(message);
        expect(failed.output).toContain(`may exist in Twilio account ${accountSid}`);
        expect(failed.output).toContain(
          "the next `pulumi up` looks for it first and takes it over",
        );
      }
      // Twilio holds every object once, though the state has none of the last stage's.
      expect(
        current.standin.ipAccessControlListMappings(String(current.standin.domains()[0].sid)),
      ).toHaveLength(1);
      current.standin.resetRequests();
      expectSuccess(await current.pulumi(["up", "--yes", "--skip-preview"]), "the next pulumi up");
      expect(
        current.standin.requests.filter((r) => r.method === "POST" && r.status === 201),
      ).toEqual([]);
      await expectDeclaredTrackedAndClean(current, ips);
    },
    LONG,
  );
});

async function upEndsDeclared(stack: EngineStack, ips: string[], before: CliResult) {
  const next = await stack.pulumi(["up", "--yes", "--skip-preview"]);
  expectSuccess(next, `pulumi up after a faulty one (which said:\n${before.output})`);
  await expectDeclaredTrackedAndClean(stack, ips);
  // And an address removed from the list leaves nothing behind in Twilio.
  declare(stack, ips.slice(1));
  expectSuccess(await stack.pulumi(["up", "--yes", "--skip-preview"]), "pulumi up (one removed)");
  expectExactlyDeclared(stack, ips.slice(1));
}
