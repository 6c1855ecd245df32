// `npm run tenants` on the file backend (the default): the operator's day (tenantsScenario.ts),
// Ctrl-C in the middle of an update cancelled through the engine with nothing left locked, and the
// offline check of `tenants new`.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineTestsEnabled, waitUntil } from "../../devkit/engine/cliStack";
import { type OperatorBed, startOperatorBed } from "../../devkit/tenants/operatorBed";
import {
  byCustomer,
  CUSTOMERS,
  changed,
  expectDeployed,
  operatorDayTests,
  STEP,
} from "./tenantsScenario";

const enabled = engineTestsEnabled();

describe.runIf(enabled)("npm run tenants on the file backend", () => {
  let bed: OperatorBed;
  beforeAll(async () => {
    bed = await startOperatorBed();
    await bed.addCustomers(CUSTOMERS);
  }, 120_000);
  afterAll(async () => {
    await bed?.close();
  });

  operatorDayTests(() => bed);

  it(
    "Ctrl-C cancels the running update through the engine, starts no other, leaves nothing locked",
    async () => {
      await bed.addCustomers(["delta", "echo"]);
      // Slow Twilio: the update is still creating when Ctrl-C comes.
      bed.standin.setLatency(400);
      const { child, done } = bed.start(["up", "delta", "echo", "--parallel", "1"]);
      let out = "";
      child.stdout?.on("data", (chunk) => {
        out += chunk;
      });
      await waitUntil(() => out.includes("delta: started"), 50);
      await waitUntil(
        () => bed.standin.account(bed.subaccountOf("delta")).domains().length > 0,
        50,
      );
      child.kill("SIGINT");
      const run = await done;
      bed.standin.setLatency(0);
      expect(run.code, run.output).toBe(130);
      expect(run.stderr).toContain("Ctrl-C: cancelling");
      expect(run.stdout).toMatch(/delta\s+cancelled/);
      expect(run.stdout).toMatch(/echo\s+not run/);
      expect(run.stdout).not.toContain("echo: started");

      // Nothing is locked and nothing is lost: the next run finishes both, creating each once.
      const again = await bed.tenants(["up", "delta", "echo", "--json"]);
      expect(again.code, again.output).toBe(0);
      const results = byCustomer(again);
      expect(results.delta.outcome).toBe("succeeded");
      expect(changed(results.echo).create).toBeGreaterThanOrEqual(5);
      expectDeployed(bed, ["acme", "cafe", "delta", "echo"]);
    },
    STEP,
  );

  it(
    "tenants new writes a customer's stack file only when it passes the offline check",
    async () => {
      const file = path.join(bed.project, "Pulumi.foxtrot.yaml");
      const subaccount = bed.standin.createSubaccount({ friendlyName: "line-call foxtrot" });
      const refused = await bed.tenants(["new", "foxtrot", "--subaccount", "AC123"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("--subaccount must be an account SID");
      expect(existsSync(file)).toBe(false);

      const missing = await bed.tenants(["new", "foxtrot", "--subaccount", subaccount.sid]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("forwardTo");
      expect(existsSync(file)).toBe(false);

      const written = await bed.tenants([
        "new",
        "foxtrot",
        "--subaccount",
        subaccount.sid,
        "--config",
        "forwardTo=+81312345678",
        "--config",
        "callerId=+815012345678",
        "--config",
        `webhookBaseUrl=${(await bed.startWebhook(subaccount.authToken)).url}`,
        "--config",
        `twilio:apiBaseUrl=${bed.standin.url}`,
        "--config",
        "businessHours=",
        "--config",
        `lineIpAddresses=${JSON.stringify([{ ip: "203.0.113.10" }])}`,
      ]);
      expect(written.code, written.output).toBe(0);
      expect(readFileSync(file, "utf8")).toContain(`line-call:subaccountSid: "${subaccount.sid}"`);
      const list = await bed.tenants(["list", "--json"]);
      const stacks = JSON.parse(list.stdout) as Array<{ name: string; role: string }>;
      expect(stacks.find((s) => s.name === "foxtrot")?.role).toBe("customer");
      expect(stacks.find((s) => s.name === "local")?.role).toBe("single");
      // The stack exists on the backend already (its passphrase salt is in the file to commit).
      const preview = await bed.tenants(["preview", "foxtrot", "--json"]);
      expect(preview.code, preview.output).toBe(0);
      expect(changed(byCustomer(preview).foxtrot).create).toBeGreaterThanOrEqual(5);
      expect(readFileSync(file, "utf8")).toContain("encryptionsalt:");
    },
    STEP,
  );
});
