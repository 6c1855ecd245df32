// One customer's command, through the Automation API: each runs its own `pulumi` process in the
// project folder (LocalWorkspace), so one customer's failure or crash is only its own, and the
// engine's own stack lock keeps two operators from updating one customer at once.
import {
  ConcurrentUpdateError,
  type LocalWorkspace,
  type OpMap,
  Stack,
  StackNotFoundError,
} from "@pulumi/pulumi/automation";
import { withoutPasswords } from "./backend";

export const OPERATIONS = ["preview", "up", "drift", "destroy"] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Stack tags the drift check leaves for `tenants status` (the DIY backends keep tags too). */
export const DRIFT_TAG = "line-call:drift";
export const DRIFT_CHECKED_TAG = "line-call:driftCheckedAt";

export type Outcome = "succeeded" | "failed" | "locked" | "cancelled" | "not run";

export interface CustomerResult {
  customer: string;
  outcome: Outcome;
  /** Resources by what the command did (or, for preview and drift, would do) to them. */
  changes: OpMap;
  durationMs: number;
  /** For drift: whether the refreshed state differs from the program. */
  drift?: boolean;
  /** The first line that says what went wrong; the whole output is in the run's log. */
  error?: string;
}

export interface OperationContext {
  workspace: LocalWorkspace;
  /** Sends the running pulumi SIGINT: the engine's graceful cancel. */
  signal: AbortSignal;
  /** Set when the run was cancelled (the result is then "cancelled", not "failed"). */
  stopped: AbortSignal;
  /** For destroy: also remove the stack from the backend and its stack file (`--remove`). */
  remove?: boolean;
  /** Every line the customer's pulumi process prints. */
  onOutput: (text: string) => void;
}

/** Changes that are changes: every kind but "same", with a count above zero. */
export function realChanges(changes: OpMap): OpMap {
  return Object.fromEntries(
    Object.entries(changes).filter(([kind, count]) => kind !== "same" && (count ?? 0) > 0),
  ) as OpMap;
}

async function stackFor(operation: Operation, name: string, workspace: LocalWorkspace) {
  if (operation === "up") return Stack.createOrSelect(name, workspace);
  try {
    return await Stack.select(name, workspace);
  } catch (error) {
    if (error instanceof StackNotFoundError) {
      throw new Error(
        `stack ${name} does not exist on this backend yet: \`npm run tenants -- up ${name}\``,
      );
    }
    throw error;
  }
}

/** Runs `operation` for one customer; never throws: the result says what happened. */
export async function runOperation(
  operation: Operation,
  customer: string,
  context: OperationContext,
): Promise<CustomerResult> {
  const started = Date.now();
  const { signal, onOutput } = context;
  const finish = (result: Omit<CustomerResult, "customer" | "durationMs">): CustomerResult => ({
    customer,
    ...result,
    durationMs: Date.now() - started,
  });
  try {
    const stack = await stackFor(operation, customer, context.workspace);
    const options = { signal, onOutput, color: "never" as const };
    switch (operation) {
      case "preview": {
        const result = await stack.preview(options);
        return finish({ outcome: "succeeded", changes: result.changeSummary });
      }
      case "up": {
        const result = await stack.up(options);
        return finish({ outcome: "succeeded", changes: result.summary.resourceChanges ?? {} });
      }
      case "drift": {
        // `pulumi preview --refresh`: what an update would change once the state is refreshed
        // from Twilio. Anything but "same" is drift; nothing is written to the state.
        const result = await stack.preview({ ...options, refresh: true });
        const drift = Object.keys(realChanges(result.changeSummary)).length > 0;
        await stack.setTag(DRIFT_TAG, drift ? "yes" : "no");
        await stack.setTag(DRIFT_CHECKED_TAG, new Date().toISOString());
        return finish({ outcome: "succeeded", changes: result.changeSummary, drift });
      }
      case "destroy": {
        const result = await stack.destroy({ ...options, remove: context.remove === true });
        return finish({ outcome: "succeeded", changes: result.summary.resourceChanges ?? {} });
      }
    }
  } catch (error) {
    if (context.stopped.aborted) {
      return finish({ outcome: "cancelled", changes: {}, error: "cancelled (Ctrl-C)" });
    }
    if (error instanceof ConcurrentUpdateError) {
      return finish({
        outcome: "locked",
        changes: {},
        error: `${customer} is locked: another update of it is running (${firstErrorLine((error as Error).message)})`,
      });
    }
    return finish({ outcome: "failed", changes: {}, error: firstErrorLine(String(error)) });
  }
}

/** Diagnostics that only say that the command failed, not why. */
const GENERIC =
  /^error: (update|preview|destroy|refresh) failed$|^error: an error occurred|^error: \d+ errors? occurred/;

/** The line of a pulumi failure that says why: its first specific `error:` line, else the first line. */
export function firstErrorLine(text: string): string {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const errors = lines
    .map((line) => line.slice(Math.max(0, line.indexOf("error: "))))
    .filter((line) => line.startsWith("error: ") && !GENERIC.test(line));
  const chosen = errors[0]?.slice("error: ".length) ?? lines.find((l) => !/^code: /.test(l)) ?? "";
  return withoutPasswords(chosen.replace(/^Error: /, ""));
}
