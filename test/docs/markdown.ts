// What the documentation tests read in Markdown: table rows and the table under a heading, code
// spans in cells; and `tampered`, which the tests use to show each check failing on a changed copy.

/** The cells of one table row; `\|` is a literal pipe inside a cell. */
export function cells(row: string): string[] {
  const parts = row
    .trim()
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
  return parts.slice(1, parts.length - 1);
}

/** The header cells (lower-cased) and the body rows of the first table under `heading`. */
export function tableUnder(
  markdown: string,
  file: string,
  heading: string,
): { header: string[]; rows: string[] } | { problem: string } {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start === -1) return { problem: `${file} has no heading "${heading}"` };
  const first = lines.findIndex((line, i) => i > start && line.trimStart().startsWith("|"));
  const next = lines.findIndex((line, i) => i > start && line.startsWith("#"));
  if (first === -1 || (next !== -1 && next < first)) {
    return { problem: `${file} has no table under "${heading}"` };
  }
  const rows: string[] = [];
  for (let i = first; i < lines.length && lines[i].trimStart().startsWith("|"); i++) {
    rows.push(lines[i]);
  }
  return { header: cells(rows[0]).map((cell) => cell.toLowerCase()), rows: rows.slice(2) };
}

/** The text of a cell that is one `code span`, else undefined. */
export const backticked = (cell: string) => /^`([^`]*)`$/.exec(cell)?.[1];

/** `text` with `from` replaced; throws when `from` is not there, so a tamper never silently misses. */
export function tampered(text: string, from: string | RegExp, to: string): string {
  const result = text.replace(from, to);
  if (result === text) throw new Error(`nothing to tamper: ${String(from)} not found`);
  return result;
}
