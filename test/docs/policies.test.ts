// The policy pack's table in docs/gitops.md and in its translation docs/ja/gitops.md against the
// pack's own list of policy names (POLICY_NAMES, which policy/index.ts registers): a policy added
// to the pack and not to both tables, or a table row naming no policy, fails.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { POLICY_NAMES } from "../../policy/rules";
import { backticked, cells, tableUnder, tampered } from "./markdown";

const ROOT = path.resolve(__dirname, "..", "..");
const PACK_POLICIES: readonly string[] = Object.values(POLICY_NAMES);

/** A page with the policy table, and the heading the table follows. */
interface PolicyPage {
  file: string;
  heading: string;
  text: string;
}

const page = (file: string, heading: string): PolicyPage => ({
  file,
  heading,
  text: readFileSync(path.join(ROOT, file), "utf8"),
});

const PAGES: readonly PolicyPage[] = [
  page("docs/gitops.md", "## The policy pack (`policy/`)"),
  page("docs/ja/gitops.md", "## ポリシーパック（`policy/`）"),
];

/** Every difference between a page's policy table and the pack's policies. */
function policyTableProblems(doc: PolicyPage, policies: readonly string[] = PACK_POLICIES) {
  const table = tableUnder(doc.text, doc.file, doc.heading);
  if ("problem" in table) return [table.problem];
  const problems: string[] = [];
  const documented = table.rows.map((row) => backticked(cells(row)[0] ?? "") ?? row);
  for (const name of policies) {
    if (!documented.includes(name)) problems.push(`the pack's ${name} is not in ${doc.file}`);
  }
  for (const name of documented) {
    if (!policies.includes(name))
      problems.push(`${doc.file} lists ${name}, which the pack has not`);
  }
  return problems;
}

describe.each(PAGES)("$file's policy table", (doc) => {
  it("lists exactly the pack's policies", () => {
    expect(policyTableProblems(doc)).toEqual([]);
  });

  it("fails on a policy the pack gains, and on a row the pack has not", () => {
    expect(policyTableProblems(doc, [...PACK_POLICIES, "line-ip-entries-labelled"])).toEqual([
      `the pack's line-ip-entries-labelled is not in ${doc.file}`,
    ]);
    const renamed = {
      ...doc,
      text: tampered(doc.text, "| `line-ip-list-at-most-100`", "| `line-ip-list-at-most-99`"),
    };
    expect(policyTableProblems(renamed)).toEqual([
      `the pack's line-ip-list-at-most-100 is not in ${doc.file}`,
      `${doc.file} lists line-ip-list-at-most-99, which the pack has not`,
    ]);
  });
});
