// IP entries in the stack's list that no resource tracks, through the real Pulumi CLI: one left by
// a create Twilio wrote while Pulumi gave up on it, whose address was then dropped from the config,
// and one added by hand in the console. Each admits its address to the SIP domain, so the drift
// check must fail naming it and the next `pulumi up` must remove it. And a stack made before the
// list knew its entries takes the new input with one in-place update that calls no Twilio API.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  createEngineStack,
  type EngineStack,
  engineTestsEnabled,
  expectSuccess,
  previewSteps,
  restoreProjectFile,
  waitUntil,
} from "../../devkit/engine/cliStack";
import { standinTwilioClient } from "../../devkit/twilio-standin/client";
import {
  declareAddresses,
  driftGate,
  expectDeclaredTrackedAndClean,
} from "../support/stackInventory";

const enabled = engineTestsEnabled();
const LONG = 400_000;

const LIST = "IpAccessControlList line-ip-access-control-list";
const ADDRESSES = ["203.0.113.10", "203.0.113.11"];

describe.runIf(enabled)("IP entries no resource tracks, under the real engine", () => {
  let stack: EngineStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  async function deployed(name: string): Promise<EngineStack> {
    const created = await createEngineStack(name);
    stack = created;
    declareAddresses(created, ADDRESSES);
    expectSuccess(await created.pulumi(["up", "--yes", "--skip-preview"]), "pulumi up");
    return created;
  }

  it(
    "a lost create whose address is dropped before the next up: the drift check names it, up removes it",
    async () => {
      const current = await deployed("orphan");
      declareAddresses(current, [...ADDRESSES, "203.0.113.12"]);
      const { standin } = current;
      // Twilio writes the new entry but never answers, and every look-up after that fails.
      standin.injectFault({ kind: "lost-response", method: "POST", path: "/IpAddresses.json" });
      const run = current.start(["up", "--yes", "--skip-preview"]);
      await waitUntil(() => standin.requests.some((r) => r.fault === "lost-response"));
      standin.injectFault({
        kind: "500",
        method: "GET",
        path: "/IpAddresses.json",
        times: Number.POSITIVE_INFINITY,
      });
      const failed = await run.done;
      standin.clearFaults();
      expect(failed.code).not.toBe(0);
      expect(failed.output).toMatch(/IP address 203\.0\.113\.12\/32 in AL\w{32} may exist/);
      expect(standin.ipAddresses().map((e) => e.ip_address)).toContain("203.0.113.12");

      // The operator drops the address before the next up: the entry is in no resource's state.
      declareAddresses(current, ADDRESSES);
      const plain = await current.pulumi(["preview", "--refresh", "--expect-no-changes"]);
      expect(plain.code).not.toBe(0);
      expect(plain.output).toMatch(new RegExp(`${LIST} update \\[diff: ~declaredEntries\\]`));
      const gate = await driftGate(current);
      expect(gate.code).not.toBe(0);
      expect(gate.output).toMatch(/~ declaredEntries\s*: \[/);
      expect(gate.output).toContain('- [2]: "203.0.113.12/32"');

      expectSuccess(await current.pulumi(["up", "--yes", "--skip-preview"]), "the next pulumi up");
      await expectDeclaredTrackedAndClean(current, ADDRESSES);
    },
    LONG,
  );

  it(
    "an entry added by hand to the list: the drift check names it, up --refresh removes it",
    async () => {
      const current = await deployed("by-hand");
      const list = String(current.standin.ipAccessControlLists()[0].sid);
      await standinTwilioClient(current.standin)
        .sip.ipAccessControlLists(list)
        .ipAddresses.create({ ipAddress: "198.51.100.7", friendlyName: "office, for a test" });

      // The plain check names what kind of entry, the CI one (--diff) the address.
      const plain = await current.pulumi(["preview", "--refresh", "--expect-no-changes"]);
      expect(plain.code).not.toBe(0);
      expect(plain.output).toMatch(new RegExp(`${LIST} update \\[diff: ~untrackedEntries\\]`));
      const gate = await driftGate(current);
      expect(gate.code).not.toBe(0);
      expect(gate.output).toMatch(/untrackedEntries\s*: \[\s*- \[0\]: "198\.51\.100\.7\/32"\s*\]/);

      expectSuccess(
        await current.pulumi(["up", "--refresh", "--yes", "--skip-preview"]),
        "pulumi up --refresh",
      );
      await expectDeclaredTrackedAndClean(current, ADDRESSES);
    },
    LONG,
  );

  it(
    "a stack made before the list knew its entries: one in-place update of the list, no Twilio call",
    async () => {
      const created = await createEngineStack("upgrade");
      stack = created;
      declareAddresses(created, ADDRESSES);
      // The program as it was: the list without its declared entries.
      const component = path.join("stack", "lineSipConnection.ts");
      const file = path.join(created.project, component);
      const source = readFileSync(file, "utf8");
      const declaring =
        /\n\s*declaredEntries: args\.ipAddresses\.map\(\(entry\) =>\s*cidrNotation\(entry\.ip, entry\.cidrPrefixLength\),\s*\),/;
      expect(source).toMatch(declaring);
      writeFileSync(file, source.replace(declaring, ""));
      expectSuccess(await created.pulumi(["up", "--yes", "--skip-preview"]), "pulumi up (before)");
      restoreProjectFile(created.project, component);

      const steps = previewSteps(
        expectSuccess(await created.pulumi(["preview", "--json"]), "preview").stdout,
      );
      expect(steps.map((s) => [s.op, s.urn.split("::").pop()])).toEqual([
        ["update", "line-ip-access-control-list"],
      ]);
      created.standin.resetRequests();
      expectSuccess(await created.pulumi(["up", "--yes", "--skip-preview"]), "pulumi up (after)");
      expect(created.standin.requests).toEqual([]);
      await expectDeclaredTrackedAndClean(created, ADDRESSES);
    },
    LONG,
  );
});
