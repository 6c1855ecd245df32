// The benches' table layout (bench/table.ts), shared by the providers, webhook and engine benches.
import { describe, expect, it } from "vitest";
import { formatTable, right } from "../../bench/table";

describe("formatTable", () => {
  it("aligns columns under a rule: text left, numbers right, no trailing spaces", () => {
    expect(
      formatTable(
        ["phase", "Twilio calls", "note"],
        [
          ["create", 53, "one POST per object"],
          ["no-op diff (preview)", 0, ""],
        ],
      ),
    ).toBe(
      [
        "phase                 Twilio calls  note",
        "--------------------  ------------  -------------------",
        "create                          53  one POST per object",
        "no-op diff (preview)             0",
      ].join("\n"),
    );
  });

  it("right-aligns formatted figures when asked, counting ≤, — and × as one character each", () => {
    expect(
      formatTable(
        ["metric", right("value"), "budget"],
        [
          ["bundle size", "45.2 KB", "≤ 100 KB"],
          ["calls / minimum", "—", ""],
          ["serial / concurrent", "5.0 ×", "—"],
        ],
      ),
    ).toBe(
      [
        "metric                 value  budget",
        "-------------------  -------  --------",
        "bundle size          45.2 KB  ≤ 100 KB",
        "calls / minimum            —",
        "serial / concurrent    5.0 ×  —",
      ].join("\n"),
    );
  });

  it("fills missing cells and widens a column to its header", () => {
    expect(formatTable(["a", "a long header"], [["x"], ["yy", 7]])).toBe(
      ["a   a long header", "--  -------------", "x", "yy              7"].join("\n"),
    );
  });
});
