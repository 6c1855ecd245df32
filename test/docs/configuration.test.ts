// The configuration reference (docs/configuration.md, its table of project keys) against
// Pulumi.yaml's `config:` and the program's own key list (PROJECT_KEYS): a key in one and not in
// another, or a type or default that differs, fails. The checks are functions of the texts, so
// each is also shown to fail on a tampered copy.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { PROJECT_KEYS } from "../../stack/config";

const ROOT = path.resolve(__dirname, "..", "..");
const PULUMI_YAML = readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
const REFERENCE = readFileSync(path.join(ROOT, "docs", "configuration.md"), "utf8");
const PROGRAM_KEYS = Object.keys(PROJECT_KEYS);

/** The heading the table of project keys follows in docs/configuration.md. */
const TABLE_HEADING = "## Project keys (`line-call:`)";
const PROJECT = "line-call";

/** A key's declared type (absent: none) and default (absent: none, the key is required). */
interface KeyDeclaration {
  type?: string;
  hasDefault: boolean;
  defaultValue?: unknown;
}

type Declarations = Map<string, KeyDeclaration>;

/** The project keys of Pulumi.yaml's `config:` block (bare, or written `line-call:<key>`). */
function pulumiYamlKeys(text: string): { keys: Declarations; problems: string[] } {
  const keys: Declarations = new Map();
  const problems: string[] = [];
  const project = YAML.parse(text) as { config?: Record<string, unknown> } | null;
  const config = project?.config;
  if (config === undefined || config === null || typeof config !== "object") {
    return { keys, problems: ["Pulumi.yaml has no config: block"] };
  }
  for (const [name, spec] of Object.entries(config)) {
    if (name.includes(":") && !name.startsWith(`${PROJECT}:`)) continue;
    const key = name.replace(`${PROJECT}:`, "");
    if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
      problems.push(`Pulumi.yaml: ${key} is not declared as {type, description, default}`);
      continue;
    }
    const declared = spec as Record<string, unknown>;
    keys.set(key, {
      ...(typeof declared.type === "string" ? { type: declared.type } : {}),
      hasDefault: "default" in declared,
      ...("default" in declared ? { defaultValue: declared.default } : {}),
    });
  }
  return { keys, problems };
}

/** The cells of one table row; `\|` is a literal pipe inside a cell. */
function cells(row: string): string[] {
  const parts = row
    .trim()
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
  return parts.slice(1, parts.length - 1);
}

/**
 * The rows of the table under TABLE_HEADING. A type cell is the Pulumi.yaml type in backticks
 * (anything else: no type declared); a default cell is a YAML scalar in backticks (anything else,
 * e.g. "— (required)": no default).
 */
function documentedKeys(markdown: string): { keys: Declarations; problems: string[] } {
  const keys: Declarations = new Map();
  const problems: string[] = [];
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.trim() === TABLE_HEADING);
  if (start === -1) {
    return { keys, problems: [`docs/configuration.md has no heading "${TABLE_HEADING}"`] };
  }
  const first = lines.findIndex((line, i) => i > start && line.trimStart().startsWith("|"));
  const next = lines.findIndex((line, i) => i > start && line.startsWith("#"));
  if (first === -1 || (next !== -1 && next < first)) {
    return { keys, problems: [`docs/configuration.md has no table under "${TABLE_HEADING}"`] };
  }
  const rows: string[] = [];
  for (let i = first; i < lines.length && lines[i].trimStart().startsWith("|"); i++) {
    rows.push(lines[i]);
  }
  const header = cells(rows[0]).map((cell) => cell.toLowerCase());
  const column = (name: string) => header.indexOf(name);
  const [keyColumn, typeColumn, defaultColumn] = ["key", "type", "default"].map(column);
  if (keyColumn === -1 || typeColumn === -1 || defaultColumn === -1) {
    return { keys, problems: [`the table's header must name key, type and default: ${rows[0]}`] };
  }
  const backticked = (cell: string) => /^`([^`]*)`$/.exec(cell)?.[1];
  for (const row of rows.slice(2)) {
    const rowCells = cells(row);
    const key = backticked(rowCells[keyColumn] ?? "");
    if (key === undefined) {
      problems.push(`docs/configuration.md: a row's key is not one \`name\`: ${row}`);
      continue;
    }
    if (keys.has(key)) problems.push(`docs/configuration.md lists ${key} twice`);
    const type = backticked(rowCells[typeColumn] ?? "");
    const defaultText = backticked(rowCells[defaultColumn] ?? "");
    let defaultValue: unknown;
    if (defaultText !== undefined) {
      try {
        defaultValue = YAML.parse(defaultText);
      } catch (error) {
        problems.push(`docs/configuration.md: ${key}'s default is not YAML: ${error}`);
      }
    }
    keys.set(key, {
      ...(type !== undefined ? { type } : {}),
      hasDefault: defaultText !== undefined,
      ...(defaultText !== undefined ? { defaultValue } : {}),
    });
  }
  return { keys, problems };
}

const shown = (value: unknown) => JSON.stringify(value);

/** Every disagreement between Pulumi.yaml, the reference's table and the program's keys. */
function configurationProblems(
  pulumiYaml: string,
  reference: string,
  programKeys: readonly string[],
): string[] {
  const declared = pulumiYamlKeys(pulumiYaml);
  const documented = documentedKeys(reference);
  const problems = [...declared.problems, ...documented.problems];
  for (const key of declared.keys.keys()) {
    if (!documented.keys.has(key)) {
      problems.push(`${PROJECT}:${key} is in Pulumi.yaml but not in docs/configuration.md`);
    }
    if (!programKeys.includes(key)) {
      problems.push(
        `${PROJECT}:${key} is in Pulumi.yaml but not in PROJECT_KEYS (stack/config.ts)`,
      );
    }
  }
  for (const key of documented.keys.keys()) {
    if (!declared.keys.has(key)) {
      problems.push(`${PROJECT}:${key} is in docs/configuration.md but not in Pulumi.yaml`);
    }
  }
  for (const key of programKeys) {
    if (!declared.keys.has(key)) {
      problems.push(
        `${PROJECT}:${key} is in PROJECT_KEYS (stack/config.ts) but not in Pulumi.yaml`,
      );
    }
  }
  for (const [key, yaml] of declared.keys) {
    const doc = documented.keys.get(key);
    if (!doc) continue;
    if (yaml.type !== doc.type) {
      problems.push(
        `${PROJECT}:${key}: Pulumi.yaml's type is ${yaml.type ?? "(none)"}, docs/configuration.md says ${doc.type ?? "(none)"}`,
      );
    }
    if (yaml.hasDefault !== doc.hasDefault) {
      problems.push(
        yaml.hasDefault
          ? `${PROJECT}:${key}: Pulumi.yaml's default is ${shown(yaml.defaultValue)}, docs/configuration.md gives none`
          : `${PROJECT}:${key}: docs/configuration.md's default is ${shown(doc.defaultValue)}, Pulumi.yaml declares none`,
      );
    } else if (yaml.hasDefault && shown(yaml.defaultValue) !== shown(doc.defaultValue)) {
      problems.push(
        `${PROJECT}:${key}: Pulumi.yaml's default is ${shown(yaml.defaultValue)}, docs/configuration.md says ${shown(doc.defaultValue)}`,
      );
    }
  }
  return problems;
}

/** `text` with `from` replaced; throws when `from` is not there, so a tamper never silently misses. */
function tampered(text: string, from: string | RegExp, to: string): string {
  const result = text.replace(from, to);
  if (result === text) throw new Error(`nothing to tamper: ${String(from)} not found`);
  return result;
}

/** The reference with one cell of `key`'s row replaced (0: key, 1: type, 2: default, 3: meaning). */
function withCell(markdown: string, key: string, column: number, text: string): string {
  const row = new RegExp(`^\\|\\s*\`${key}\`\\s*\\|.*$`, "m");
  const line = row.exec(markdown)?.[0];
  if (line === undefined) throw new Error(`nothing to tamper: no row for ${key}`);
  const values = cells(line);
  values[column] = text;
  return markdown.replace(line, `| ${values.join(" | ")} |`);
}

describe("docs/configuration.md", () => {
  it("lists exactly Pulumi.yaml's and the program's line-call keys, with their types and defaults", () => {
    expect(configurationProblems(PULUMI_YAML, REFERENCE, PROGRAM_KEYS)).toEqual([]);
  });

  it("has a row for every key (the table is really read)", () => {
    const documented = documentedKeys(REFERENCE);
    expect(documented.problems).toEqual([]);
    expect([...documented.keys.keys()].sort()).toEqual([...PROGRAM_KEYS].sort());
    expect(documented.keys.get("dialTimeout")).toEqual({
      type: "integer",
      hasDefault: true,
      defaultValue: 30,
    });
    expect(documented.keys.get("lineIpAddresses")).toEqual({ hasDefault: false });
  });
});

describe("the drift check fails", () => {
  const problems = (yaml: string, reference: string, programKeys = PROGRAM_KEYS) =>
    configurationProblems(yaml, reference, programKeys);

  it("when the reference loses a key's row", () => {
    const reference = tampered(REFERENCE, /^\|\s*`greeting`\s*\|.*\n/m, "");
    expect(problems(PULUMI_YAML, reference)).toEqual([
      "line-call:greeting is in Pulumi.yaml but not in docs/configuration.md",
    ]);
  });

  it("when the reference documents a key Pulumi.yaml does not declare", () => {
    const reference = tampered(
      REFERENCE,
      /^(\|\s*`greeting`\s*\|.*\n)/m,
      '$1| `farewell` | `string` | `""` | Said before hanging up. |\n',
    );
    expect(problems(PULUMI_YAML, reference)).toEqual([
      "line-call:farewell is in docs/configuration.md but not in Pulumi.yaml",
    ]);
  });

  it("when Pulumi.yaml declares a key the reference and the program lack", () => {
    const yaml = tampered(
      PULUMI_YAML,
      /^config:\n/m,
      "config:\n  farewell:\n    type: string\n    description: Said before hanging up.\n",
    );
    expect(problems(yaml, REFERENCE)).toEqual([
      "line-call:farewell is in Pulumi.yaml but not in docs/configuration.md",
      "line-call:farewell is in Pulumi.yaml but not in PROJECT_KEYS (stack/config.ts)",
    ]);
  });

  it("when the program reads a key Pulumi.yaml does not declare", () => {
    expect(problems(PULUMI_YAML, REFERENCE, [...PROGRAM_KEYS, "farewell"])).toEqual([
      "line-call:farewell is in PROJECT_KEYS (stack/config.ts) but not in Pulumi.yaml",
    ]);
  });

  it("when a type differs", () => {
    const reference = withCell(REFERENCE, "dialTimeout", 1, "`string`");
    expect(problems(PULUMI_YAML, reference)).toEqual([
      "line-call:dialTimeout: Pulumi.yaml's type is integer, docs/configuration.md says string",
    ]);
  });

  it("when a default differs, in value or in type", () => {
    const value = withCell(REFERENCE, "language", 2, "`en-US`");
    expect(problems(PULUMI_YAML, value)).toEqual([
      'line-call:language: Pulumi.yaml\'s default is "ja-JP", docs/configuration.md says "en-US"',
    ]);
    const quoted = withCell(REFERENCE, "dialTimeout", 2, '`"30"`');
    expect(problems(PULUMI_YAML, quoted)).toEqual([
      'line-call:dialTimeout: Pulumi.yaml\'s default is 30, docs/configuration.md says "30"',
    ]);
  });

  it("when only one side has a default", () => {
    const yaml = tampered(
      PULUMI_YAML,
      /( {2}lineConnected:\n(?: {4}.*\n)*?) {4}default: false\n/,
      "$1",
    );
    expect(problems(yaml, REFERENCE)).toEqual([
      "line-call:lineConnected: docs/configuration.md's default is false, Pulumi.yaml declares none",
    ]);
    const reference = withCell(REFERENCE, "callerId", 2, "—");
    expect(problems(PULUMI_YAML, reference)).toEqual([
      'line-call:callerId: Pulumi.yaml\'s default is "", docs/configuration.md gives none',
    ]);
  });

  it("when the table cannot be found", () => {
    const reference = tampered(REFERENCE, TABLE_HEADING, "## Keys");
    expect(problems(PULUMI_YAML, reference)[0]).toMatch(/has no heading/);
  });
});
