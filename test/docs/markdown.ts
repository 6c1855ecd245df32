// What the documentation tests read in Markdown: table rows, the table under a heading, code spans
// in cells, a table's first column against a list from the code; and `tampered`, which the tests use to show each check failing on a changed copy.
import { readFileSync } from "node:fs";
import * as path from "node:path";

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

/** A page of the documentation and the heading one of its tables follows. */
export interface TablePage {
  file: string;
  heading: string;
  text: string;
}

const ROOT = path.resolve(__dirname, "..", "..");

/** A page of the repository, by its repository-relative path, and the heading of its table. */
export function tablePage(file: string, heading: string): TablePage {
  return { file, heading, text: readFileSync(path.join(ROOT, file), "utf8") };
}

/**
 * Every difference between the first column of the table under `page.heading` (one `code` span
 * per row) and the list the code holds; `owner` names that list's home, e.g. "the pack".
 */
export function firstColumnProblems(
  page: TablePage,
  expected: readonly string[],
  owner: string,
): string[] {
  const table = tableUnder(page.text, page.file, page.heading);
  if ("problem" in table) return [table.problem];
  const problems: string[] = [];
  const documented = table.rows.map((row) => backticked(cells(row)[0] ?? "") ?? row);
  for (const name of expected) {
    if (!documented.includes(name)) problems.push(`${owner}'s ${name} is not in ${page.file}`);
  }
  for (const name of documented) {
    if (!expected.includes(name))
      problems.push(`${page.file} lists ${name}, which ${owner} has not`);
  }
  return problems;
}
