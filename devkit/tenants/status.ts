// Where every customer stands, read from the backend without running the program: the stack file
// (subaccount), the stack's outputs (SIP URI, whether LINE is connected), its last update, the
// tags the last drift check left, and its resource count. One row per customer, for
// `tenants status` (table, --json) and the status page (--html).
import { LocalWorkspace, type PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { edgeSipUri, TOKYO_EDGE } from "../../stack/naming";
import { configValue } from "../stackFile";
import type { ProjectStack } from "./customers";
import { DRIFT_TAG, firstErrorLine } from "./operations";
import { mapBounded } from "./pool";
import { type CustomerStatusRow, customerStage, type UpdateResult } from "./statusPage";

export interface StatusOptions {
  root: string;
  env: Record<string, string>;
  pulumi: PulumiCommand;
  parallel: number;
}

/**
 * The SIP URIs to give LINE, as the runbook orders them: the Tokyo edge's first (LINE's servers
 * are in Japan), then the global one.
 */
function sipUrisOf(outputs: Record<string, { value: unknown }>): string[] {
  const many = outputs.sipUris?.value;
  if (Array.isArray(many)) return many.filter((uri): uri is string => typeof uri === "string");
  return [outputs.sipUriTokyo?.value, outputs.sipUri?.value].filter(
    (uri): uri is string => typeof uri === "string" && uri !== "",
  );
}

/** The SIP URIs the stack file declares, for a customer not deployed yet. */
function declaredSipUris(stack: ProjectStack): string[] {
  const domain = configValue(stack.config, "line-call:sipDomainName");
  if (typeof domain !== "string" || domain === "") return [];
  return [edgeSipUri(`sip:${domain}`, TOKYO_EDGE), `sip:${domain}`];
}

const RESULTS: ReadonlySet<string> = new Set<UpdateResult>(["succeeded", "failed", "in-progress"]);

/** One row per stack in `stacks`, in their order (the status page's rows: statusPage.ts). */
export async function statusRows(
  stacks: ProjectStack[],
  options: StatusOptions,
): Promise<CustomerStatusRow[]> {
  const workspace = await LocalWorkspace.create({
    workDir: options.root,
    envVars: options.env,
    pulumiCommand: options.pulumi,
  });
  const summaries = new Map((await workspace.listStacks()).map((s) => [s.name, s]));
  const rows = await mapBounded(stacks, options.parallel, async (project) => {
    const row: CustomerStatusRow = {
      customer: project.name,
      ...(project.subaccountSid ? { subaccountSid: project.subaccountSid } : {}),
      sipUris: declaredSipUris(project),
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
      const deployed = sipUrisOf(outputs);
      if (deployed.length > 0) row.sipUris = deployed;
      row.stage = customerStage({
        deployed: deployed.length > 0,
        lineConnected: outputs.lineConnected?.value === true,
      });
      const last = history[0];
      if (last && RESULTS.has(last.result)) {
        row.lastUpdate = {
          kind: last.kind,
          result: last.result as UpdateResult,
          time: new Date(last.endTime ?? last.startTime).toISOString(),
        };
      }
      const drift = tags[DRIFT_TAG];
      if (drift === "yes" || drift === "no") row.drifted = drift === "yes";
    } catch (error) {
      row.error = firstErrorLine(String(error));
    }
    return row;
  });
  return rows as CustomerStatusRow[];
}
