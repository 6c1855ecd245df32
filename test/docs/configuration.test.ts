// The configuration reference, in English (docs/configuration.md) and in Japanese
// (docs/ja/configuration.md), against the code. Each page's table of project keys must list exactly
// Pulumi.yaml's `config:` keys and the program's own key list (PROJECT_KEYS), with the same types
// and defaults; each page's table of Twilio and AWS keys must list exactly the Twilio settings the
// program resolves (TWILIO_SETTINGS) with their environment variables, and aws:region. One list
// from the code feeds both pages, so a key documented in English but not in Japanese fails. The
// checks are functions of the texts, so each is also shown to fail on a tampered copy.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { TWILIO_SETTINGS } from "../../model/twilio";
import { PROJECT_KEYS } from "../../stack/config";
import { backticked, cells, tableUnder, tampered } from "./markdown";

const ROOT = path.resolve(__dirname, "..", "..");
const PULUMI_YAML = readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
const PROGRAM_KEYS = Object.keys(PROJECT_KEYS);
const PROJECT = "line-call";

/** A reference page: where it is, its text, and the headings its two tables follow. */
interface Reference {
  file: string;
  text: string;
  projectKeysHeading: string;
  providerKeysHeading: string;
}

function reference(file: string, projectKeysHeading: string, providerKeysHeading: string) {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  return { file, text, projectKeysHeading, providerKeysHeading } satisfies Reference;
}

const ENGLISH = reference(
  "docs/configuration.md",
  "## Project keys (`line-call:`)",
  "## Twilio and AWS keys",
);
const JAPANESE = reference(
  "docs/ja/configuration.md",
  "## プロジェクトのキー（`line-call:`）",
  "## Twilio と AWS のキー",
);
const REFERENCES: readonly Reference[] = [ENGLISH, JAPANESE];

/**
 * The keys outside `line-call:` that the references document, with their environment fallbacks:
 * the Twilio settings as model/twilio.ts resolves them, and the AWS region stack/config/hosting.ts
 * reads (AWS_REGION first).
 */
const PROVIDER_KEYS: ReadonlyMap<string, string> = new Map([
  ...Object.values(TWILIO_SETTINGS).map(({ config, env }) => [config, env] as const),
  ["aws:region", "AWS_REGION"],
]);

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

/** A column's index by its name in either language (-1: none). */
function column(header: string[], ...names: string[]): number {
  return header.findIndex((cell) => names.includes(cell));
}

/**
 * The rows of a reference's table of project keys. A type cell is the Pulumi.yaml type in
 * backticks (anything else: no type declared); a default cell is a YAML scalar in backticks
 * (anything else, e.g. "— (required)": no default).
 */
function documentedKeys(ref: Reference): { keys: Declarations; problems: string[] } {
  const keys: Declarations = new Map();
  const problems: string[] = [];
  const table = tableUnder(ref.text, ref.file, ref.projectKeysHeading);
  if ("problem" in table) return { keys, problems: [table.problem] };
  const keyColumn = column(table.header, "key", "キー");
  const typeColumn = column(table.header, "type", "型");
  const defaultColumn = column(table.header, "default", "デフォルト");
  if (keyColumn === -1 || typeColumn === -1 || defaultColumn === -1) {
    const header = table.header.join(" | ");
    return {
      keys,
      problems: [`${ref.file}: the table's header must name key, type and default: ${header}`],
    };
  }
  for (const row of table.rows) {
    const rowCells = cells(row);
    const key = backticked(rowCells[keyColumn] ?? "");
    if (key === undefined) {
      problems.push(`${ref.file}: a row's key is not one \`name\`: ${row}`);
      continue;
    }
    if (keys.has(key)) problems.push(`${ref.file} lists ${key} twice`);
    const type = backticked(rowCells[typeColumn] ?? "");
    const defaultText = backticked(rowCells[defaultColumn] ?? "");
    let defaultValue: unknown;
    if (defaultText !== undefined) {
      try {
        defaultValue = YAML.parse(defaultText);
      } catch (error) {
        problems.push(`${ref.file}: ${key}'s default is not YAML: ${error}`);
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

/** The rows of a reference's table of Twilio and AWS keys: key → its first environment variable. */
function documentedProviderKeys(ref: Reference): { keys: Map<string, string>; problems: string[] } {
  const keys = new Map<string, string>();
  const problems: string[] = [];
  const table = tableUnder(ref.text, ref.file, ref.providerKeysHeading);
  if ("problem" in table) return { keys, problems: [table.problem] };
  for (const row of table.rows) {
    const [keyCell = "", envCell = ""] = cells(row);
    const key = backticked(keyCell);
    if (key === undefined) {
      problems.push(`${ref.file}: a row's key is not one \`name\`: ${row}`);
      continue;
    }
    if (keys.has(key)) problems.push(`${ref.file} lists ${key} twice`);
    keys.set(key, /`([^`]*)`/.exec(envCell)?.[1] ?? "");
  }
  return { keys, problems };
}

const shown = (value: unknown) => JSON.stringify(value);

/** Every disagreement between one reference's table of project keys, Pulumi.yaml and the program. */
function projectKeyProblems(declared: ReturnType<typeof pulumiYamlKeys>, ref: Reference): string[] {
  const documented = documentedKeys(ref);
  const problems = [...documented.problems];
  for (const key of declared.keys.keys()) {
    if (!documented.keys.has(key)) {
      problems.push(`${PROJECT}:${key} is in Pulumi.yaml but not in ${ref.file}`);
    }
  }
  for (const key of documented.keys.keys()) {
    if (!declared.keys.has(key)) {
      problems.push(`${PROJECT}:${key} is in ${ref.file} but not in Pulumi.yaml`);
    }
  }
  for (const [key, yaml] of declared.keys) {
    const doc = documented.keys.get(key);
    if (!doc) continue;
    if (yaml.type !== doc.type) {
      problems.push(
        `${PROJECT}:${key}: Pulumi.yaml's type is ${yaml.type ?? "(none)"}, ${ref.file} says ${doc.type ?? "(none)"}`,
      );
    }
    if (yaml.hasDefault !== doc.hasDefault) {
      problems.push(
        yaml.hasDefault
          ? `${PROJECT}:${key}: Pulumi.yaml's default is ${shown(yaml.defaultValue)}, ${ref.file} gives none`
          : `${PROJECT}:${key}: ${ref.file}'s default is ${shown(doc.defaultValue)}, Pulumi.yaml declares none`,
      );
    } else if (yaml.hasDefault && shown(yaml.defaultValue) !== shown(doc.defaultValue)) {
      problems.push(
        `${PROJECT}:${key}: Pulumi.yaml's default is ${shown(yaml.defaultValue)}, ${ref.file} says ${shown(doc.defaultValue)}`,
      );
    }
  }
  return problems;
}

/** Every disagreement between one reference's table of Twilio and AWS keys and the code's list. */
function providerKeyProblems(ref: Reference, providerKeys: ReadonlyMap<string, string>): string[] {
  const documented = documentedProviderKeys(ref);
  const problems = [...documented.problems];
  for (const [key, env] of providerKeys) {
    const documentedEnv = documented.keys.get(key);
    if (documentedEnv === undefined) {
      problems.push(`${key} is read by the program but not in ${ref.file}`);
    } else if (documentedEnv !== env) {
      problems.push(`${key}: the program falls back to ${env}, ${ref.file} says ${documentedEnv}`);
    }
  }
  for (const key of documented.keys.keys()) {
    if (!providerKeys.has(key))
      problems.push(`${key} is in ${ref.file} but the program reads no such key`);
  }
  return problems;
}

/**
 * Every disagreement between Pulumi.yaml, the program's key lists and each reference page: the
 * same lists from the code are held against every page, English and Japanese alike.
 */
function configurationProblems(
  pulumiYaml: string,
  references: readonly Reference[],
  programKeys: readonly string[] = PROGRAM_KEYS,
  providerKeys: ReadonlyMap<string, string> = PROVIDER_KEYS,
): string[] {
  const declared = pulumiYamlKeys(pulumiYaml);
  const problems = [...declared.problems];
  for (const key of declared.keys.keys()) {
    if (!programKeys.includes(key)) {
      problems.push(
        `${PROJECT}:${key} is in Pulumi.yaml but not in PROJECT_KEYS (stack/config/keys.ts)`,
      );
    }
  }
  for (const key of programKeys) {
    if (!declared.keys.has(key)) {
      problems.push(
        `${PROJECT}:${key} is in PROJECT_KEYS (stack/config/keys.ts) but not in Pulumi.yaml`,
      );
    }
  }
  for (const ref of references) {
    problems.push(...projectKeyProblems(declared, ref));
    problems.push(...providerKeyProblems(ref, providerKeys));
  }
  return problems;
}

/** A reference with its text tampered. */
function tamperedRef(ref: Reference, from: string | RegExp, to: string): Reference {
  return { ...ref, text: tampered(ref.text, from, to) };
}

/** A reference with one cell of `key`'s row replaced (0: key, 1: type, 2: default, 3: meaning). */
function withCell(ref: Reference, key: string, columnIndex: number, text: string): Reference {
  const row = new RegExp(`^\\|\\s*\`${key}\`\\s*\\|.*$`, "m");
  const line = row.exec(ref.text)?.[0];
  if (line === undefined) throw new Error(`nothing to tamper: no row for ${key} in ${ref.file}`);
  const values = cells(line);
  values[columnIndex] = text;
  return { ...ref, text: ref.text.replace(line, `| ${values.join(" | ")} |`) };
}

describe.each(REFERENCES)("$file", (ref) => {
  it("lists exactly Pulumi.yaml's and the program's keys, with their types, defaults and environment variables", () => {
    expect(configurationProblems(PULUMI_YAML, [ref])).toEqual([]);
  });

  it("has a row for every key (the tables are really read)", () => {
    const documented = documentedKeys(ref);
    expect(documented.problems).toEqual([]);
    expect([...documented.keys.keys()].sort()).toEqual([...PROGRAM_KEYS].sort());
    expect(documented.keys.get("dialTimeout")).toEqual({
      type: "integer",
      hasDefault: true,
      defaultValue: 30,
    });
    expect(documented.keys.get("lineIpAddresses")).toEqual({ hasDefault: false });
    const providers = documentedProviderKeys(ref);
    expect(providers.problems).toEqual([]);
    expect(providers.keys.get("twilio:authToken")).toBe("TWILIO_AUTH_TOKEN");
    expect(providers.keys.get("aws:region")).toBe("AWS_REGION");
  });
});

describe("the English and Japanese references", () => {
  it("cross-link", () => {
    expect(ENGLISH.text).toContain("[ja/configuration.md](ja/configuration.md)");
    expect(JAPANESE.text).toContain("[../configuration.md](../configuration.md)");
  });

  it("fail together when a key is documented in English but not in Japanese", () => {
    const japanese = tamperedRef(JAPANESE, /^\|\s*`greeting`\s*\|.*\n/m, "");
    expect(configurationProblems(PULUMI_YAML, [ENGLISH, japanese])).toEqual([
      "line-call:greeting is in Pulumi.yaml but not in docs/ja/configuration.md",
    ]);
    const noRegion = tamperedRef(JAPANESE, /^\|\s*`aws:region`\s*\|.*\n/m, "");
    expect(configurationProblems(PULUMI_YAML, [ENGLISH, noRegion])).toEqual([
      "aws:region is read by the program but not in docs/ja/configuration.md",
    ]);
  });

  it("fail together when the program gains a key only the English page documents", () => {
    const yaml = tampered(
      PULUMI_YAML,
      /^config:\n/m,
      'config:\n  farewell:\n    type: string\n    default: ""\n    description: Said before hanging up.\n',
    );
    const english = tamperedRef(
      ENGLISH,
      /^(\|\s*`greeting`\s*\|.*\n)/m,
      '$1| `farewell` | `string` | `""` | Said before hanging up. |\n',
    );
    expect(configurationProblems(yaml, [english, JAPANESE], [...PROGRAM_KEYS, "farewell"])).toEqual(
      ["line-call:farewell is in Pulumi.yaml but not in docs/ja/configuration.md"],
    );
  });
});

describe("the drift check fails", () => {
  const problems = (yaml: string, ref: Reference, programKeys = PROGRAM_KEYS) =>
    configurationProblems(yaml, [ref], programKeys);

  it("when a reference loses a key's row", () => {
    const ref = tamperedRef(ENGLISH, /^\|\s*`greeting`\s*\|.*\n/m, "");
    expect(problems(PULUMI_YAML, ref)).toEqual([
      "line-call:greeting is in Pulumi.yaml but not in docs/configuration.md",
    ]);
  });

  it("when a reference documents a key Pulumi.yaml does not declare", () => {
    const ref = tamperedRef(
      JAPANESE,
      /^(\|\s*`greeting`\s*\|.*\n)/m,
      '$1| `farewell` | `string` | `""` | 電話を切る前に読み上げる。 |\n',
    );
    expect(problems(PULUMI_YAML, ref)).toEqual([
      "line-call:farewell is in docs/ja/configuration.md but not in Pulumi.yaml",
    ]);
  });

  it("when Pulumi.yaml declares a key the references and the program lack", () => {
    const yaml = tampered(
      PULUMI_YAML,
      /^config:\n/m,
      "config:\n  farewell:\n    type: string\n    description: Said before hanging up.\n",
    );
    expect(configurationProblems(yaml, REFERENCES)).toEqual([
      "line-call:farewell is in Pulumi.yaml but not in PROJECT_KEYS (stack/config/keys.ts)",
      "line-call:farewell is in Pulumi.yaml but not in docs/configuration.md",
      "line-call:farewell is in Pulumi.yaml but not in docs/ja/configuration.md",
    ]);
  });

  it("when the program reads a key Pulumi.yaml does not declare", () => {
    expect(problems(PULUMI_YAML, ENGLISH, [...PROGRAM_KEYS, "farewell"])).toEqual([
      "line-call:farewell is in PROJECT_KEYS (stack/config/keys.ts) but not in Pulumi.yaml",
    ]);
  });

  it("when a type differs", () => {
    const ref = withCell(JAPANESE, "dialTimeout", 1, "`string`");
    expect(problems(PULUMI_YAML, ref)).toEqual([
      "line-call:dialTimeout: Pulumi.yaml's type is integer, docs/ja/configuration.md says string",
    ]);
  });

  it("when a default differs, in value or in type", () => {
    const value = withCell(ENGLISH, "language", 2, "`en-US`");
    expect(problems(PULUMI_YAML, value)).toEqual([
      'line-call:language: Pulumi.yaml\'s default is "ja-JP", docs/configuration.md says "en-US"',
    ]);
    const quoted = withCell(JAPANESE, "dialTimeout", 2, '`"30"`');
    expect(problems(PULUMI_YAML, quoted)).toEqual([
      'line-call:dialTimeout: Pulumi.yaml\'s default is 30, docs/ja/configuration.md says "30"',
    ]);
  });

  it("when only one side has a default", () => {
    const yaml = tampered(
      PULUMI_YAML,
      /( {2}lineConnected:\n(?: {4}.*\n)*?) {4}default: false\n/,
      "$1",
    );
    expect(problems(yaml, ENGLISH)).toEqual([
      "line-call:lineConnected: docs/configuration.md's default is false, Pulumi.yaml declares none",
    ]);
    const ref = withCell(ENGLISH, "callerId", 2, "—");
    expect(problems(PULUMI_YAML, ref)).toEqual([
      'line-call:callerId: Pulumi.yaml\'s default is "", docs/configuration.md gives none',
    ]);
  });

  it("when a Twilio or AWS key is missing, extra or has another environment variable", () => {
    const missing = tamperedRef(ENGLISH, /^\|\s*`twilio:apiKey`\s*\|.*\n/m, "");
    expect(problems(PULUMI_YAML, missing)).toEqual([
      "twilio:apiKey is read by the program but not in docs/configuration.md",
    ]);
    const extra = tamperedRef(
      JAPANESE,
      /^(\|\s*`twilio:apiKey`\s*\|.*\n)/m,
      "$1| `twilio:region` | `TWILIO_REGION` | リージョン。 |\n",
    );
    expect(problems(PULUMI_YAML, extra)).toEqual([
      "twilio:region is in docs/ja/configuration.md but the program reads no such key",
    ]);
    const otherEnv = withCell(JAPANESE, "twilio:authToken", 1, "`TWILIO_TOKEN`");
    expect(problems(PULUMI_YAML, otherEnv)).toEqual([
      "twilio:authToken: the program falls back to TWILIO_AUTH_TOKEN, docs/ja/configuration.md says TWILIO_TOKEN",
    ]);
  });

  it("when a table cannot be found", () => {
    const ref = tamperedRef(JAPANESE, JAPANESE.projectKeysHeading, "## キー");
    expect(problems(PULUMI_YAML, ref)[0]).toBe(
      'docs/ja/configuration.md has no heading "## プロジェクトのキー（`line-call:`）"',
    );
  });
});
