// Starts the project's policy pack (policy/) for the Pulumi CLI built here. `pulumi preview
// --policy-pack policy` has the CLI start the pack through its Node.js language host's RunPlugin;
// the language host these machines can build (v3.68.0, see pulumiToolchain.ts) predates
// RunPlugin, so that fails with "could not read plugin [policy]: not supported". The CLI also
// accepts an executable as --policy-pack and runs it as the analyzer plugin: this launcher runs
// @pulumi/pulumi's own policy-pack runner on the folder, as RunPlugin does, so the pack, the
// analyzer protocol and the CLI's enforcement are the real ones. It works with the official CLI too.
import { writeFileSync } from "node:fs";
import * as path from "node:path";

/** The policy pack's folder in a project. */
export const POLICY_PACK_DIR = "policy";

/** Writes the launcher for `project`'s policy pack into `dir`; returns its path, for --policy-pack. */
export function writePolicyPackLauncher(project: string, dir: string): string {
  const runner = path.join(project, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
  const launcher = path.join(dir, "pulumi-analyzer-policy-launcher");
  // The CLI passes the engine's address first.
  const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
  writeFileSync(
    launcher,
    `#!/bin/sh\nexec node ${quote(runner)} "$1" ${quote(path.join(project, POLICY_PACK_DIR))}\n`,
    { mode: 0o755 },
  );
  return launcher;
}
