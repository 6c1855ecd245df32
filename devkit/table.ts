// The one table layout of the benches and of the tenants command's closing table: a header, a
// rule under it, columns two spaces apart, figures right-aligned so their digits line up, no trailing
// spaces. Plain text, so it reads the same in a terminal, a CI log and a pasted comment (console.table
// adds quotes, an index column and boxes).

export type Cell = string | number;

export interface Column {
  header: string;
  /** Default: right when every filled cell of the column is a number, else left. */
  align?: "left" | "right";
}

/** A right-aligned column, for figures already formatted as text ("1.23 s", "45.2 KB"). */
export function right(header: string): Column {
  return { header, align: "right" };
}

/** Characters as a terminal counts them (code points, so "≤" or "—" is one). */
const width = (text: string) => [...text].length;

export function formatTable(columns: ReadonlyArray<string | Column>, rows: Cell[][]): string {
  const specs = columns.map((column) => (typeof column === "string" ? { header: column } : column));
  const text = rows.map((row) => specs.map((_, index) => String(row[index] ?? "")));
  const widths = specs.map((spec, index) =>
    Math.max(width(spec.header), ...text.map((row) => width(row[index]))),
  );
  const aligns = specs.map(
    (spec, index) =>
      spec.align ??
      (rows.every(
        (row) => row[index] === undefined || row[index] === "" || typeof row[index] === "number",
      )
        ? "right"
        : "left"),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => {
        const padding = " ".repeat(widths[index] - width(cell));
        return aligns[index] === "right" ? padding + cell : cell + padding;
      })
      .join("  ")
      .trimEnd();
  return [
    line(specs.map((spec) => spec.header)),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...text.map(line),
  ].join("\n");
}
