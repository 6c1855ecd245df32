// Turning one stack's `pulumi preview --refresh --expect-no-changes` into the drift check's
// verdict and the body of the issue the scheduled workflow opens or updates.

export type DriftResult = "clean" | "drift" | "error";

/** Older CLIs say "…expected but…", newer ones "…expected for preview but…". */
const CHANGES_PROPOSED = /no changes were expected (for \w+ )?but changes were proposed/;

/** GitHub refuses issue bodies over 65,536 characters; leave room for the text around the log. */
export const MAX_LOG_CHARS = 60_000;

export function classifyPreview(exitCode: number, output: string): DriftResult {
  if (exitCode === 0) return "clean";
  return CHANGES_PROPOSED.test(output) ? "drift" : "error";
}

export function driftIssueTitle(stack: string): string {
  return `Drift detected in stack ${stack}`;
}

/** ANSI colour codes, in case the CLI coloured its output anyway. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

export function driftIssueBody(options: {
  stack: string;
  output: string;
  runUrl: string;
  commit: string;
}): string {
  const { stack, runUrl, commit } = options;
  let log = options.output.replace(ANSI, "").trimEnd();
  let cut = "";
  if (log.length > MAX_LOG_CHARS) {
    // Keep the end: the resource diffs nearest the summary and the summary itself.
    cut = `(the first ${(log.length - MAX_LOG_CHARS).toLocaleString("en-US")} characters are cut; the run has the whole log)\n`;
    log = log.slice(-MAX_LOG_CHARS);
  }
  const fence = log.includes("```") ? "~~~~" : "```";
  return [
    `<!-- line-call:drift stack=${stack} -->`,
    `The scheduled drift check found that stack **${stack}** no longer matches its code and`,
    `config at \`${commit.slice(0, 12)}\`: someone or something changed Twilio or AWS outside`,
    "Pulumi (a console edit, a one-off script, a deleted resource).",
    "",
    `Run: ${runUrl}`,
    "",
    '**What to do** (docs/operations.md, "When the drift check opens an issue"): for each change',
    `below decide whether to keep it — put it into \`Pulumi.${stack}.yaml\` or the code in a pull`,
    `request — or undo it by deploying again (re-run the deploy workflow for \`${stack}\`, or`,
    `\`pulumi up --stack ${stack}\`).`,
    "This issue is updated while the drift lasts and closed by the first clean check.",
    "",
    "<details open><summary><code>pulumi preview --refresh --expect-no-changes --diff</code></summary>",
    "",
    `${fence}diff`,
    `${cut}${log}`,
    fence,
    "",
    "</details>",
    "",
  ].join("\n");
}
