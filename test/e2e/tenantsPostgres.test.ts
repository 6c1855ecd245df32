// `npm run tenants` on the Pulumi CLI's own PostgreSQL backend (PULUMI_BACKEND_URL=postgres://…),
// against a real PostgreSQL server started from the machine's packages (devkit/postgres.ts): the
// operator's day (tenantsScenario.ts), then two operators at once on overlapping customers, which
// the backend's stack lock keeps to one update per customer at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineTestsEnabled, waitUntil } from "../../devkit/engine/cliStack";
import { type PostgresServer, startPostgres } from "../../devkit/postgres";
import {
  type OperatorBed,
  type OperatorRun,
  startOperatorBed,
} from "../../devkit/tenants/operatorBed";
import {
  byCustomer,
  CUSTOMERS,
  expectDeployed,
  operatorDayTests,
  report,
  STEP,
} from "./tenantsScenario";

const enabled = engineTestsEnabled();

describe.runIf(enabled)("npm run tenants on the PostgreSQL backend", () => {
  let postgres: PostgresServer;
  let bed: OperatorBed;
  beforeAll(async () => {
    postgres = await startPostgres();
    bed = await startOperatorBed({ backendUrl: postgres.url });
    await bed.addCustomers(CUSTOMERS);
  }, 120_000);
  afterAll(async () => {
    await bed?.close();
    await postgres?.stop();
  });

  operatorDayTests(() => bed);

  it(
    "the state is in PostgreSQL, not in files",
    () => {
      const keys = postgres.sql("SELECT key FROM pulumi_state ORDER BY key").split("\n");
      for (const customer of ["acme", "cafe"]) {
        expect(keys.some((key) => key.includes(`/${customer}.json`))).toBe(true);
      }
    },
    STEP,
  );

  it(
    "two operators at once on overlapping customers: one update per customer at a time, the locked ones named, nothing lost",
    async () => {
      const first = ["golf", "hotel", "india"];
      const second = ["hotel", "india", "juliett"];
      await bed.addCustomers(["golf", "hotel", "india", "juliett"]);
      // The first operator's updates of the overlapping customers are held in their Twilio calls
      // (every SIP request of those subaccounts answered 8 s late, each well inside the client's
      // timeout) until the second operator has finished: each holds its customer's lock meanwhile.
      const held = ["hotel", "india"].map((c) => `/Accounts/${bed.subaccountOf(c)}/SIP`);
      for (const path of held) {
        bed.standin.injectFault({
          method: "POST",
          path,
          kind: "latency",
          latencyMs: 8000,
          times: Infinity,
        });
      }
      const one = bed.start(["up", ...first, "--parallel", "3", "--json"]);
      let oneEnded: OperatorRun | undefined;
      one.done.then((run) => {
        oneEnded = run;
      });
      await waitUntil(
        () =>
          oneEnded !== undefined ||
          held.every((path) =>
            bed.standin.requests.some((r) => r.method === "POST" && r.path.includes(path)),
          ),
        50,
      );
      expect(
        oneEnded,
        `the first operator ended before its updates were held:\n${oneEnded?.output}`,
      ).toBeUndefined();
      const runTwo = await bed.start(["up", ...second, "--parallel", "3", "--json"]).done;
      bed.standin.clearFaults();
      const runOne = await one.done;

      const results = [...report(runOne).results, ...report(runTwo).results];
      // Nobody failed: each customer either ran or was found locked and reported by name.
      for (const result of results) {
        expect(["succeeded", "locked"], `${result.customer}: ${result.error}`).toContain(
          result.outcome,
        );
        if (result.outcome === "locked") {
          expect(result.error).toContain(`${result.customer} is locked`);
        }
      }
      expect(Object.values(byCustomer(runOne)).map((r) => r.outcome)).toEqual([
        "succeeded",
        "succeeded",
        "succeeded",
      ]);
      const second2 = byCustomer(runTwo);
      expect(second2.juliett.outcome).toBe("succeeded");
      expect(second2.hotel.outcome).toBe("locked");
      expect(second2.india.outcome).toBe("locked");
      expect(runTwo.code).toBe(1);

      // Nothing lost or doubled: each customer's connection exists once, and a drift check of
      // every customer finds the state and Twilio in agreement.
      const all = ["golf", "hotel", "india", "juliett"];
      expectDeployed(bed, all);
      const drift = await bed.tenants(["drift", ...all, "--json"]);
      expect(drift.code, drift.output).toBe(0);
      expect(report(drift).results.map((r) => [r.customer, r.outcome, r.drift])).toEqual(
        all.map((c) => [c, "succeeded", false]),
      );
    },
    STEP,
  );
});
