// What the operator sees: a line per customer as it starts and as it ends, with the counts so far
// (on a terminal also a last line naming the customers still running, redrawn in place), then one
// closing table; `--json` gives the same results to machines.
import { formatTable, right } from "../table";
import type { CustomerResult } from "./operations";
import { realChanges } from "./operations";
import type { RunCounts, RunEvent, RunReport } from "./runner";

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "create 5, update 1", or "none". */
export function changesText(result: CustomerResult): string {
  const changes = Object.entries(realChanges(result.changes));
  if (result.outcome !== "succeeded" && changes.length === 0) return "";
  return changes.length === 0 ? "none" : changes.map(([kind, n]) => `${kind} ${n}`).join(", ");
}

function countsText(counts: RunCounts): string {
  const parts = [`${counts.done}/${counts.total} done`, `${counts.running} running`];
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.drifted > 0) parts.push(`${counts.drifted} drifted`);
  return `[${parts.join(", ")}]`;
}

function endText(result: CustomerResult): string {
  const what =
    result.outcome === "succeeded"
      ? result.drift === undefined
        ? changesText(result)
        : result.drift
          ? `DRIFTED (${changesText(result)})`
          : "no drift"
      : `${result.outcome.toUpperCase()}: ${result.error ?? ""}`;
  return `${result.customer}: ${what} (${seconds(result.durationMs)})`;
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Prints each event as one line. On a terminal the last line names the customers running now and
 * is rewritten in place; elsewhere (CI logs, pipes) only the plain lines are printed.
 */
export function progressPrinter(stream: ProgressStream): (event: RunEvent) => void {
  const running = new Set<string>();
  const tty = stream.isTTY === true;
  const statusLine = () =>
    running.size === 0 ? "" : `running: ${[...running].join(", ")}`.slice(0, 200);
  return (event) => {
    if (tty) stream.write("\r\x1b[K");
    if (event.kind === "start") {
      running.add(event.customer);
      stream.write(`${countsText(event.counts)} ${event.customer}: started\n`);
    } else {
      running.delete(event.result.customer);
      stream.write(`${countsText(event.counts)} ${endText(event.result)}\n`);
    }
    if (tty) stream.write(statusLine());
  };
}

const ERROR_WIDTH = 100;

/** The closing table: one row per customer, then a line of totals and where the logs are. */
export function reportTable(report: RunReport): string {
  const drift = report.operation === "drift";
  const rows = report.results.map((r) => [
    r.customer,
    r.outcome,
    changesText(r),
    r.outcome === "not run" ? "" : seconds(r.durationMs),
    drift ? (r.drift === undefined ? "" : r.drift ? "yes" : "no") : "-",
    (r.error ?? "").slice(0, ERROR_WIDTH),
  ]);
  const table = formatTable(
    ["customer", "result", "changes", right("duration"), "drift", "error"],
    rows,
  );
  const by = (outcome: string) => report.results.filter((r) => r.outcome === outcome).length;
  const totals = [
    `${by("succeeded")} succeeded`,
    `${by("failed")} failed`,
    `${by("locked")} locked`,
    ...(drift ? [`${report.results.filter((r) => r.drift).length} drifted`] : []),
    ...(report.cancelled ? [`${by("cancelled")} cancelled`, `${by("not run")} not run`] : []),
  ];
  return [
    table,
    "",
    `tenants ${report.operation}: ${report.results.length} customers, ${totals.join(", ")} ` +
      `in ${seconds(report.durationMs)} (--parallel ${report.parallel})` +
      (report.cancelled ? "; cancelled by Ctrl-C" : ""),
    `Each customer's pulumi output: ${report.logDir}/<customer>.log`,
  ].join("\n");
}

/** The machine-readable form of a run. */
export function reportJson(report: RunReport): string {
  return JSON.stringify(report, null, 2);
}
