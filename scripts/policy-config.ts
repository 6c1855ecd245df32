// `npx tsx scripts/policy-config.ts <stack> [out.json]`: writes the policy pack config for a
// stack (from its Pulumi.<stack>.yaml), for `pulumi preview --policy-pack policy
// --policy-pack-config <out.json>`. Prints to stdout when no file is given.
import * as fs from "node:fs";
import { loadProjectDefaults, parseStackConfig } from "../devkit/stackFile";
import { policyConfigFor } from "./gitops/policyConfig";

function main([stack, out]: string[]): number {
  if (!stack) {
    console.error("usage: npx tsx scripts/policy-config.ts <stack> [out.json]");
    return 2;
  }
  const file = `Pulumi.${stack}.yaml`;
  if (!fs.existsSync(file)) {
    console.error(`policy-config: ${file} not found (run from the Pulumi project directory)`);
    return 2;
  }
  const defaults = loadProjectDefaults();
  const json = `${JSON.stringify(policyConfigFor(parseStackConfig(fs.readFileSync(file, "utf8"), file), defaults), null, 2)}\n`;
  if (out) fs.writeFileSync(out, json);
  else process.stdout.write(json);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`policy-config: ${(error as Error).message}`);
  process.exitCode = 2;
}
