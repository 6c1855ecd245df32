// The operator's command at scale (issue 19): `npm run tenants` over many customer stacks, each in
// its own stand-in subaccount with 2 LINE IPs, Twilio answering after 100 ms. For each backend
// (file, and PostgreSQL from the machine's packages) and for --parallel 1 beside the default, on
// a fresh set of customers: the first `tenants up`, a no-op `tenants up`, and `tenants drift`;
// wall time, peak memory of the operator process (the tenants command itself) and of all its
// processes together (every pulumi, language host, program and provider host under it), and how
// busy the machine's cores were during the run, which says what bounds it.
//
//   npm run bench                                     # part of the whole bench (100 customers)
//   npx tsx bench/tenants.ts --customers 10 [--backends file,postgres]
//
// Needs `pulumi` on PATH (npm run pulumi-cli). Prints a table and writes bench/results/tenants.json.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { type PostgresServer, startPostgres } from "../devkit/postgres";
import { type OperatorBed, startOperatorBed } from "../devkit/tenants/operatorBed";
import { defaultParallel, type RunReport } from "../devkit/tenants/runner";
import { formatTable, right } from "./table";

const LATENCY_MS = 100;
const SAMPLE_MS = 250;
const STEPS = ["first up", "no-op up", "drift"] as const;
type Step = (typeof STEPS)[number];

interface Measured {
  seconds: number;
  peakOperatorMiB: number;
  peakAllMiB: number;
  /** Share of all cores busy during the run (0–100 %). */
  cpuBusyPercent: number;
  succeeded: number;
}

/** Each process's parent and resident memory, from /proc (Linux). */
function processTable(): Map<number, { ppid: number; rssKiB: number }> {
  const table = new Map<number, { ppid: number; rssKiB: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const rssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      table.set(Number(entry), { ppid, rssKiB });
    } catch {
      // Ended while being read.
    }
  }
  return table;
}

/** Resident memory of `root` and of `root` with every descendant, in KiB. */
function treeMemory(root: number): { own: number; all: number } {
  const table = processTable();
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of table) {
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  let all = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    all += table.get(pid)?.rssKiB ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return { own: table.get(root)?.rssKiB ?? 0, all };
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const sum = times.user + times.nice + times.sys + times.idle + times.irq;
    total += sum;
    busy += sum - times.idle;
  }
  return { busy, total };
}

async function measure(bed: OperatorBed, args: string[]): Promise<Measured> {
  const cpuBefore = cpuTimes();
  const started = performance.now();
  const { child, done } = bed.start([...args, "--json"]);
  let peakOwn = 0;
  let peakAll = 0;
  const sample = () => {
    if (child.pid === undefined) return;
    const { own, all } = treeMemory(child.pid);
    peakOwn = Math.max(peakOwn, own);
    peakAll = Math.max(peakAll, all);
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  const run = await done;
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuTimes();
  let report: RunReport;
  try {
    report = JSON.parse(run.stdout) as RunReport;
  } catch {
    throw new Error(
      `tenants ${args.join(" ")} printed no report (exit ${run.code}):\n${run.output}`,
    );
  }
  const succeeded = report.results.filter((r) => r.outcome === "succeeded").length;
  if (succeeded !== report.results.length) {
    const failed = report.results.find((r) => r.outcome !== "succeeded");
    throw new Error(`tenants ${args[0]}: ${failed?.customer} ${failed?.outcome}: ${failed?.error}`);
  }
  return {
    seconds,
    peakOperatorMiB: peakOwn / 1024,
    peakAllMiB: peakAll / 1024,
    cpuBusyPercent:
      (100 * (cpuAfter.busy - cpuBefore.busy)) / Math.max(1, cpuAfter.total - cpuBefore.total),
    succeeded,
  };
}

interface Variant {
  backend: string;
  parallel: number;
  steps: Record<Step, Measured>;
}

async function runBackend(
  backend: "file" | "postgres",
  count: number,
  parallels: number[],
): Promise<Variant[]> {
  let postgres: PostgresServer | undefined;
  if (backend === "postgres") postgres = await startPostgres();
  const bed = await startOperatorBed({
    latencyMs: LATENCY_MS,
    ...(postgres ? { backendUrl: postgres.url } : {}),
  });
  const variants: Variant[] = [];
  try {
    for (const parallel of parallels) {
      // A fresh set of customers per variant: each one's first up really creates everything.
      const customers = Array.from({ length: count }, (_, i) => `p${parallel}-c${i + 1}`);
      await bed.addCustomers(customers);
      const steps = {} as Record<Step, Measured>;
      for (const step of STEPS) {
        const command = step === "drift" ? "drift" : "up";
        steps[step] = await measure(bed, [command, ...customers, "--parallel", String(parallel)]);
        console.error(
          `${backend} --parallel ${parallel} ${step}: ${steps[step].seconds.toFixed(1)} s`,
        );
      }
      variants.push({ backend, parallel, steps });
    }
  } finally {
    await bed.close();
    await postgres?.stop();
  }
  return variants;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: "string", default: "100" },
      backends: { type: "string", default: "file,postgres" },
    },
  });
  const count = Number(values.customers);
  if (!Number.isInteger(count) || count < 1) throw new Error("--customers takes a whole number");
  const backends = (values.backends ?? "").split(",").map((b) => b.trim());
  for (const backend of backends) {
    if (backend !== "file" && backend !== "postgres") {
      throw new Error(`--backends takes file and/or postgres, got ${backend}`);
    }
  }
  const parallels = [1, defaultParallel()];
  const loadAtStart = loadavg()[0];
  const variants: Variant[] = [];
  for (const backend of backends as Array<"file" | "postgres">) {
    variants.push(...(await runBackend(backend, count, parallels)));
  }
  const ratio = (backend: string, step: Step) => {
    const one = variants.find((v) => v.backend === backend && v.parallel === 1);
    const many = variants.find((v) => v.backend === backend && v.parallel !== 1);
    return one && many ? one.steps[step].seconds / many.steps[step].seconds : Number.NaN;
  };
  const result = {
    customers: count,
    ipsPerCustomer: 2,
    twilioLatencyMs: LATENCY_MS,
    cores: cpus().length,
    defaultParallel: defaultParallel(),
    load: { atStart: loadAtStart, atEnd: loadavg()[0] },
    variants,
    parallel1OverDefault: Object.fromEntries(
      backends.map((b) => [b, Object.fromEntries(STEPS.map((s) => [s, ratio(b, s)]))]),
    ),
  };
  console.log(
    [
      `tenants: ${count} customer stacks × 2 LINE IPs, Twilio latency ${LATENCY_MS} ms, ` +
        `${result.cores} cores (default --parallel ${result.defaultParallel}); load ${loadAtStart.toFixed(1)} → ${result.load.atEnd.toFixed(1)}`,
      formatTable(
        [
          "backend",
          right("parallel"),
          "step",
          right("wall (s)"),
          right("per customer (s)"),
          right("p1 / default"),
          right("operator peak (MiB)"),
          right("all processes peak (MiB)"),
          right("CPU busy"),
        ],
        variants.flatMap((v) =>
          STEPS.map((step) => [
            v.backend,
            v.parallel,
            step,
            v.steps[step].seconds.toFixed(1),
            (v.steps[step].seconds / count).toFixed(2),
            v.parallel === 1 ? "" : ratio(v.backend, step).toFixed(2),
            v.steps[step].peakOperatorMiB.toFixed(0),
            v.steps[step].peakAllMiB.toFixed(0),
            `${v.steps[step].cpuBusyPercent.toFixed(0)} %`,
          ]),
        ),
      ),
    ].join("\n"),
  );
  const out = path.join(__dirname, "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "tenants.json"), `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
