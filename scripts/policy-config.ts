// `npx tsx scripts/policy-config.ts <stack> [out.json]`: writes the policy pack config for a
// stack (from its Pulumi.<stack>.yaml), for `pulumi preview --policy-pack policy
// --policy-pack-config <out.json>`. Prints to stdout when no file is given.
import * as fs from "node:fs";
import { policyConfigFile } from "./gitops/policyConfig";

function main([stack, out]: string[]): number {
  if (!stack) {
    console.error("usage: npx tsx scripts/policy-config.ts <stack> [out.json]");
    return 2;
  }
  const json = policyConfigFile(stack);
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
