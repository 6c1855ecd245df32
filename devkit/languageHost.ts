// What the Node.js language host hands the program from Pulumi.yaml's `runtime.options`. The
// current host (Pulumi's installer, pulumi/actions) reads them from the CLI's run request and
// turns `tsconfig` into PULUMI_NODEJS_TSCONFIG_PATH for @pulumi/pulumi's run script. The host the
// toolchain here is built with (v3.68.0, devkit/pulumiToolchain.ts) took them as command-line
// flags, which CLI 3.276 no longer passes: it ignores them. So the devkit's own runs of the CLI
// (`npm run local`, the engine tests, the bench) give the program this environment themselves,
// and every run reads the setting from Pulumi.yaml alone.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The one runtime option the devkit passes on, and the variable the current host sets for it. */
const TSCONFIG_OPTION = "tsconfig";
export const TSCONFIG_PATH_VARIABLE = "PULUMI_NODEJS_TSCONFIG_PATH";

/** Pulumi.yaml's `runtime.options` (none for `runtime: nodejs` or without a Pulumi.yaml). */
export function runtimeOptions(root: string): Record<string, unknown> {
  const file = path.join(root, "Pulumi.yaml");
  if (!fs.existsSync(file)) return {};
  const project = parse(fs.readFileSync(file, "utf8")) as { runtime?: unknown } | null;
  const runtime = project?.runtime;
  if (runtime === null || typeof runtime !== "object") return {};
  const options = (runtime as { options?: unknown }).options;
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new Error(`${file}: runtime.options must be a mapping`);
  }
  return options as Record<string, unknown>;
}

/**
 * The environment the current Node.js language host gives the program for `root`'s Pulumi.yaml.
 * Options it cannot pass the way that host does are refused, naming them, rather than dropped.
 */
export function languageHostEnv(root: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(runtimeOptions(root))) {
    if (name !== TSCONFIG_OPTION) {
      throw new Error(
        `Pulumi.yaml runtime.options.${name}: the language host built here cannot pass it to the ` +
          "program (devkit/languageHost.ts passes tsconfig only); add it there first",
      );
    }
    if (typeof value !== "string" || value === "") {
      throw new Error(
        "Pulumi.yaml runtime.options.tsconfig must be a file name, e.g. tsconfig.pulumi.json",
      );
    }
    env[TSCONFIG_PATH_VARIABLE] = value;
  }
  return env;
}
