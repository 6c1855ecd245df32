// Where every customer stands, read from the backend without running the program: the stack file
// (subaccount), the stack's outputs (SIP URI, whether LINE is connected), its last update, the
// tags the last drift check left, and its resource count. One row per customer, for
// `tenants status` (table, --json) and the status page (--html).
import { LocalWorkspace, type PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import type { ProjectStack } from "./customers";
import { DRIFT_CHECKED_TAG, DRIFT_TAG, firstErrorLine } from "./operations";
import { mapBounded } from "./pool";

/** created: the stack file (or an empty stack) only; waiting for LINE: deployed, lineConnected false. */
export type Stage = "created" | "waiting for LINE" | "connected";

export interface StatusRow {
  customer: string;
  role: ProjectStack["role"];
  subaccountSid?: string;
  /** The SIP URI(s) to give LINE; empty before the first update. */
  sipUris: string[];
  stage: Stage;
  lastUpdate?: {
    kind: string;
    result: string;
    /** ISO time it ended. */
    time: string;
  };
  /** From the last `tenants drift`; undefined when never checked. */
  drift?: { drifted: boolean; checkedAt: string };
  resourceCount: number;
  /** Why the row could not be read fully (e.g. the backend refused). */
  problem?: string;
}

export interface StatusOptions {
  root: string;
  env: Record<string, string>;
  pulumi: PulumiCommand;
  parallel: number;
}

function sipUrisOf(outputs: Record<string, { value: unknown }>): string[] {
  const many = outputs.sipUris?.value;
  if (Array.isArray(many)) return many.filter((uri): uri is string => typeof uri === "string");
  const one = outputs.sipUri?.value;
  return typeof one === "string" && one !== "" ? [one] : [];
}

/** One row per stack in `stacks`, in their order. */
export async function statusRows(
  stacks: ProjectStack[],
  options: StatusOptions,
): Promise<StatusRow[]> {
  const workspace = await LocalWorkspace.create({
    workDir: options.root,
    envVars: options.env,
    pulumiCommand: options.pulumi,
  });
  const summaries = new Map((await workspace.listStacks()).map((s) => [s.name, s]));
  const rows = await mapBounded(stacks, options.parallel, async (project): Promise<StatusRow> => {
    const row: StatusRow = {
      customer: project.name,
      role: project.role,
      ...(project.subaccountSid ? { subaccountSid: project.subaccountSid } : {}),
      sipUris: [],
      stage: "created",
      resourceCount: summaries.get(project.name)?.resourceCount ?? 0,
    };
    if (!summaries.has(project.name)) return row;
    try {
      const stack = await Stack.select(project.name, workspace);
      const [outputs, history, tags] = await Promise.all([
        stack.outputs(),
        stack.history(1),
        stack.listTags(),
      ]);
      row.sipUris = sipUrisOf(outputs);
      if (row.sipUris.length > 0) {
        row.stage = outputs.lineConnected?.value === true ? "connected" : "waiting for LINE";
      }
      const last = history[0];
      if (last) {
        row.lastUpdate = {
          kind: last.kind,
          result: last.result,
          time: new Date(last.endTime ?? last.startTime).toISOString(),
        };
      }
      const drift = tags[DRIFT_TAG];
      if (drift === "yes" || drift === "no") {
        row.drift = { drifted: drift === "yes", checkedAt: tags[DRIFT_CHECKED_TAG] ?? "" };
      }
    } catch (error) {
      row.problem = firstErrorLine(String(error));
    }
    return row;
  });
  return rows as StatusRow[];
}
