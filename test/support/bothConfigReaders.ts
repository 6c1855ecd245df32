// One stack file through both readers of the config rules: the program's check (validateConfig,
// with Pulumi.yaml's values under the file's, as the CLI passes them) and `npm run validate` /
// `npm run ip-diff` (devkit/stackCheck.ts). Tests feed both the same cases so they cannot disagree.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll } from "vitest";
import { checkStackFile } from "../../devkit/stackCheck";
import { loadProjectDefaults, parseStackFile } from "../../devkit/stackFile";
import { validateConfig } from "../../stack/config";
import { PROJECT_ROOT } from "./programHarness";

/** For a test file: returns `bothReaders(stack, text, env)`; its temporary folder is removed after. */
export function configReadersPerFile() {
  const dir = mkdtempSync(path.join(tmpdir(), "line-call-config-readers-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (stack: string, text: string, env: Record<string, string>) => {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    writeFileSync(file, text);
    const parsed = parseStackFile(readFileSync(file, "utf8"), file);
    const defaults = loadProjectDefaults(PROJECT_ROOT);
    const byStackCheck = checkStackFile(stack, parsed, defaults, env).errors;
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed.config)) {
      values[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    for (const [key, value] of Object.entries(defaults)) {
      // As the CLI passes Pulumi.yaml's values: lists (the shared LINE IP list) as JSON.
      if (values[key] === undefined && value !== undefined) {
        values[key] = typeof value === "string" ? value : JSON.stringify(value);
      }
    }
    const { config, platform, errors } = validateConfig({
      stack,
      values,
      secretKeys: new Set(),
      env,
    });
    return { byStackCheck, byProgram: errors, config, platform };
  };
}
