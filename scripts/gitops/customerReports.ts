// What the workflows say about the customer stacks, from `npm run tenants -- … --json` runs: the
// pull request's one comment with a row per customer it previews, and the nightly drift check's
// one issue listing the drifted customers across every shard. Pure: the CLI
// (scripts/customer-report.ts) reads the files and GitHub does the posting.
import { changesText, seconds } from "../../devkit/tenants/report";
import type { RunReport } from "../../devkit/tenants/runner";
import type { TouchedStack } from "./ciStacks";

export const PREVIEW_COMMENT_MARKER = "<!-- line-call:customers-preview -->";
export const CUSTOMERS_DRIFT_MARKER = "<!-- line-call:drift customers -->";
export const CUSTOMERS_DRIFT_TITLE = "Drift detected in customer stacks";

/**
 * A `tenants --json` report from a file: the JSON document it printed (anything a tool printed
 * before it is skipped). Throws saying what the file held instead.
 */
export function readRunReport(text: string, file: string): RunReport {
  const starts = [0, ...[...text.matchAll(/\n\{/g)].map((m) => (m.index as number) + 1)];
  for (const start of starts.reverse()) {
    try {
      const parsed = JSON.parse(text.slice(start)) as RunReport;
      if (Array.isArray(parsed.results) && typeof parsed.operation === "string") return parsed;
    } catch {
      // not the report yet: try an earlier start
    }
  }
  const head = text.trim().split("\n")[0] ?? "";
  throw new Error(
    `${file} holds no tenants --json report` +
      (head ? ` (it starts: ${head.slice(0, 120)})` : " (it is empty)"),
  );
}

/** A table cell: one line, no column breaks. */
const cell = (text: string) => text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|").trim();

const OUTCOME_MARK: Record<string, string> = {
  succeeded: "✅ succeeded",
  failed: "❌ failed",
  locked: "🔒 locked",
  cancelled: "⏹ cancelled",
  "not run": "not run",
};

/** How each workflow words its run: the PR's previews, the merge's deploys. */
const WORDING = {
  preview: {
    title: "Customer previews (`npm run tenants -- preview`)",
    change: "This pull request",
    run: "preview",
    runs: "previews",
    after: "Merging deploys exactly these customers.",
    blocked: "this pull request cannot be deployed as is.",
  },
  up: {
    title: "Customer deploys (`npm run tenants -- up`)",
    change: "This push",
    run: "deploy",
    runs: "deploys",
    after: "",
    blocked: "run `npm run tenants -- up <customer>` (or this workflow by hand) once it is fixed.",
  },
} as const;

export type CustomerRun = keyof typeof WORDING;

function whyTouched(touched: TouchedStack[], run: CustomerRun): string {
  const { change, runs } = WORDING[run];
  if (touched.length === 0) return `${change} touches no customer stack.`;
  const shared = touched.find((t) => t.scope === "shared");
  const count = `${touched.length} customer${touched.length === 1 ? "" : "s"}`;
  if (shared) {
    const what =
      shared.because === "Pulumi.yaml"
        ? "`Pulumi.yaml` (the shared LINE IP list and the project's settings)"
        : `\`${shared.because}\`, which every stack deploys`;
    return `${change} changes ${what}: every customer's ${WORDING[run].run} runs (${count}).`;
  }
  return `${change} changes the stack files of ${count}; only their ${runs} run.`;
}

/**
 * The pull request's comment (`preview`), or the deploy's job summary (`up`): one row per
 * customer the change touches.
 */
export function customerRunReport(options: {
  run: CustomerRun;
  touched: TouchedStack[];
  /** The tenants preview's report; undefined when it produced none (`problem` says why). */
  report?: RunReport;
  problem?: string;
  runUrl: string;
}): { body: string; ok: boolean } {
  const { touched, report, runUrl } = options;
  const words = WORDING[options.run];
  const results = new Map((report?.results ?? []).map((r) => [r.customer, r]));
  const rows = touched.map((t) => {
    const result = results.get(t.stack);
    if (!result) return `| ${cell(t.stack)} | \`${cell(t.because)}\` | not run | | | |`;
    return [
      "",
      cell(result.customer),
      `\`${cell(t.because)}\``,
      OUTCOME_MARK[result.outcome] ?? cell(result.outcome),
      cell(changesText(result)),
      result.outcome === "not run" ? "" : seconds(result.durationMs),
      cell(result.error ?? ""),
      "",
    ]
      .join(" | ")
      .trim();
  });
  const failed = touched.filter((t) => results.get(t.stack)?.outcome !== "succeeded");
  const ok = options.problem === undefined && failed.length === 0;
  const verdict = options.problem
    ? `**The ${words.runs} could not run**: ${cell(options.problem)}`
    : ok
      ? `All ${touched.length} ${touched.length === 1 ? words.run : words.runs} succeeded. ${words.after}`.trimEnd()
      : `**${failed.length} of ${touched.length} failed** (${failed.map((t) => t.stack).join(", ")}): ${words.blocked}`;
  const body = [
    PREVIEW_COMMENT_MARKER,
    `### ${words.title}`,
    "",
    whyTouched(touched, options.run),
    verdict,
    "",
    "| customer | touched by | result | changes | duration | error |",
    "| --- | --- | --- | --- | ---: | --- |",
    ...rows,
    "",
    `Each customer's whole ${words.run} is in the job log: ${runUrl}`,
    "",
  ].join("\n");
  return { body, ok };
}

export type CustomersDriftResult = "clean" | "drift" | "error";

/**
 * The nightly verdict over every shard's `tenants drift` report: drift when any customer drifted;
 * error when none did but a check could not run (a failed, locked or cancelled customer, a shard
 * whose report is missing); clean only when every shard reported and every customer is clean.
 */
export function customersDriftResult(
  reports: RunReport[],
  problems: string[],
): CustomersDriftResult {
  const results = reports.flatMap((r) => r.results);
  if (results.some((r) => r.drift === true)) return "drift";
  if (problems.length > 0 || results.some((r) => r.outcome !== "succeeded")) return "error";
  return "clean";
}

/** The one drift issue's body: the drifted customers, then the checks that could not run. */
export function customersDriftIssueBody(options: {
  reports: RunReport[];
  problems: string[];
  runUrl: string;
  commit: string;
}): string {
  const results = options.reports
    .flatMap((r) => r.results)
    .sort((a, b) => a.customer.localeCompare(b.customer));
  const drifted = results.filter((r) => r.drift === true);
  const unchecked = results.filter((r) => r.outcome !== "succeeded" && r.drift !== true);
  const lines = [
    CUSTOMERS_DRIFT_MARKER,
    `The nightly drift check found **${drifted.length} of ${results.length} customer stacks** no longer`,
    `matching their code and config at \`${options.commit.slice(0, 12)}\`: someone or something changed`,
    "Twilio outside Pulumi (a console edit, a one-off script, a deleted resource).",
    "",
    `Run: ${options.runUrl}`,
    "",
    "| customer | would change |",
    "| --- | --- |",
    ...drifted.map((r) => `| ${cell(r.customer)} | ${cell(changesText(r)) || "see the log"} |`),
    "",
  ];
  if (unchecked.length > 0 || options.problems.length > 0) {
    lines.push(
      "Not checked this time (their status is unknown):",
      "",
      ...unchecked.map(
        (r) => `- ${cell(r.customer)}: ${r.outcome}${r.error ? `: ${cell(r.error)}` : ""}`,
      ),
      ...options.problems.map((p) => `- ${cell(p)}`),
      "",
    );
  }
  lines.push(
    '**What to do** (docs/tenants.md and docs/operations.md, "When the drift check opens an issue"):',
    "see each customer's diff with `npm run tenants -- drift <customer>` (its log names every",
    "change); keep a change by putting it into `Pulumi.<customer>.yaml` or the code in a pull",
    "request, or undo it with `npm run tenants -- up <customer>`.",
    "This issue is updated while drift lasts and closed by the first run that finds none.",
    "",
  );
  return lines.join("\n");
}
