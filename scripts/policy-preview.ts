// `npm run policy-preview -- <stack> [pulumi preview flags…]`: `pulumi preview` of a stack with
// the policy pack (policy/) and the stack's policy config, as the preview and deploy workflows
// run it, with any Pulumi CLI: the pack is started through the launcher of
// devkit/policyPackLauncher.ts, which the CLI built here needs and the official CLI accepts too.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { writePolicyPackLauncher } from "../devkit/policyPackLauncher";
import { findOrBuildPulumi } from "../devkit/pulumiToolchain";
import { policyConfigFile } from "./gitops/policyConfig";

function main([stack, ...flags]: string[]): number {
  if (!stack || stack.startsWith("-")) {
    console.error("usage: npm run policy-preview -- <stack> [pulumi preview flags…]");
    return 2;
  }
  const project = process.cwd();
  const config = policyConfigFile(stack, project);
  const bin = findOrBuildPulumi(project);
  const dir = mkdtempSync(path.join(tmpdir(), "line-call-policy-"));
  try {
    const configFile = path.join(dir, "policy-config.json");
    writeFileSync(configFile, config);
    const args = [
      "preview",
      "--stack",
      stack,
      "--policy-pack",
      writePolicyPackLauncher(project, dir),
    ];
    const shown = [
      ...args.slice(0, -1),
      "<launcher of policy/>",
      "--policy-pack-config",
      configFile,
    ];
    console.error(`policy-preview: pulumi ${[...shown, ...flags].join(" ")}`);
    const result = spawnSync(
      path.join(bin, "pulumi"),
      [...args, "--policy-pack-config", configFile, ...flags],
      {
        stdio: "inherit",
        env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
      },
    );
    return result.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`policy-preview: ${(error as Error).message}`);
    process.exitCode = 2;
  }
}
