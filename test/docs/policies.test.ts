// The policy pack's table in docs/gitops.md and in its translation docs/ja/gitops.md against the
// pack's own list of policy names (POLICY_NAMES, which policy/index.ts registers): a policy added
// to the pack and not to both tables, or a table row naming no policy, fails.
import { describe, expect, it } from "vitest";
import { POLICY_NAMES } from "../../policy/rules";
import { firstColumnProblems, type TablePage, tablePage, tampered } from "./markdown";

const PACK_POLICIES: readonly string[] = Object.values(POLICY_NAMES);

const PAGES: readonly TablePage[] = [
  tablePage("docs/gitops.md", "## The policy pack (`policy/`)"),
  tablePage("docs/ja/gitops.md", "## ポリシーパック（`policy/`）"),
];

/** Every difference between a page's policy table and the pack's policies. */
function policyTableProblems(doc: TablePage, policies: readonly string[] = PACK_POLICIES) {
  return firstColumnProblems(doc, policies, "the pack");
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
