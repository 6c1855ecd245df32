// Runs one command over many customers: at most `parallel` pulumi processes at once, each
// customer's result its own (a failure never stops the others), every line of each process in a
// log file per customer, and cancellation through the engine: on abort, each running pulumi gets
// SIGINT, the engine's own cancel (it finishes the resource operations in flight, writes the
// checkpoint and releases the stack's lock), and customers not yet started are not started.
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import * as path from "node:path";
import { LocalWorkspace, type PulumiCommand } from "@pulumi/pulumi/automation";
import { withoutPasswords } from "./backend";
import { type CustomerResult, firstErrorLine, type Operation, runOperation } from "./operations";
import { mapBounded } from "./pool";

export interface RunCounts {
  total: number;
  running: number;
  done: number;
  /** Ended in anything but success (failed, locked, cancelled). */
  failed: number;
  drifted: number;
}

export type RunEvent =
  | { kind: "start"; customer: string; counts: RunCounts }
  | { kind: "end"; result: CustomerResult; counts: RunCounts };

export interface RunOptions {
  operation: Operation;
  customers: string[];
  /** The project folder (Pulumi.yaml and the stack files). */
  root: string;
  /** Added to this process's environment for every pulumi process (backend.ts operatorEnv). */
  env: Record<string, string>;
  pulumi: PulumiCommand;
  parallel: number;
  /** Aborting it cancels the run (Ctrl-C): no customer starts after it. */
  signal: AbortSignal;
  /**
   * Aborting it sends each running pulumi SIGINT (default: `signal`). Left unaborted where the
   * terminal's Ctrl-C has reached the pulumi processes already (a second SIGINT would stop them
   * at once rather than cancel).
   */
  cancelRunning?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** For destroy: remove each stack and its stack file afterwards. */
  remove?: boolean;
  /** Where each customer's full output goes, as <customer>.log. */
  logDir: string;
}

export interface RunReport {
  operation: Operation;
  results: CustomerResult[];
  cancelled: boolean;
  parallel: number;
  logDir: string;
  durationMs: number;
}

/**
 * Customers at once by default: twice the cores. Each customer's update is one pulumi process, its
 * language host and the program; much of their time is spent waiting on Twilio, so two per core
 * keeps the cores busy (bench/tenants.ts measures it against --parallel 1).
 */
export function defaultParallel(): number {
  return Math.max(2, 2 * availableParallelism());
}

export function newLogDir(operation: Operation): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return path.join(tmpdir(), "line-call-tenants", `${stamp}-${operation}-${process.pid}`);
}

export async function runCustomers(options: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const { customers, signal } = options;
  const parallel = Math.max(1, Math.min(options.parallel, customers.length || 1));
  mkdirSync(options.logDir, { recursive: true });
  const workspace = await LocalWorkspace.create({
    workDir: options.root,
    envVars: options.env,
    pulumiCommand: options.pulumi,
  });
  // Open the backend once before the customers run: the first `pulumi` to open a fresh PostgreSQL
  // backend creates its table, and several creating it at once collide (PostgreSQL's
  // CREATE TABLE IF NOT EXISTS is not safe against itself); a backend that cannot be opened at
  // all is then one error instead of one per customer.
  try {
    // `pulumi whoami` logs in, which opens the backend (and creates the table), and reads no stack.
    await workspace.whoAmI();
  } catch (error) {
    throw new Error(`The backend cannot be opened: ${firstErrorLine(String(error))}`);
  }
  const results = new Map<string, CustomerResult>();
  const counts: RunCounts = { total: customers.length, running: 0, done: 0, failed: 0, drifted: 0 };
  const snapshot = () => ({ ...counts });

  const runOne = async (customer: string) => {
    counts.running += 1;
    options.onEvent?.({ kind: "start", customer, counts: snapshot() });
    const log: WriteStream = createWriteStream(path.join(options.logDir, `${customer}.log`));
    const result = await runOperation(options.operation, customer, {
      workspace,
      signal: options.cancelRunning ?? signal,
      stopped: signal,
      remove: options.remove === true,
      onOutput: (text) => log.write(withoutPasswords(text)),
    });
    await new Promise<void>((resolve) => log.end(resolve));
    results.set(customer, result);
    counts.running -= 1;
    counts.done += 1;
    if (result.outcome !== "succeeded") counts.failed += 1;
    if (result.drift) counts.drifted += 1;
    options.onEvent?.({ kind: "end", result, counts: snapshot() });
  };

  await mapBounded(customers, parallel, runOne, () => signal.aborted);

  return {
    operation: options.operation,
    results: customers.map(
      (customer) =>
        results.get(customer) ?? {
          customer,
          outcome: "not run",
          changes: {},
          durationMs: 0,
        },
    ),
    cancelled: signal.aborted,
    parallel,
    logDir: options.logDir,
    durationMs: Date.now() - started,
  };
}

/** The exit status of a run: 0 only when every customer succeeded (and, for drift, none drifted). */
export function exitCodeOf(report: RunReport): number {
  return report.results.every((r) => r.outcome === "succeeded" && !r.drift) ? 0 : 1;
}
