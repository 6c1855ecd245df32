// The `--policy-pack-config` file for one stack. CrossGuard policies cannot read stack config,
// so the stack's opt-ins are handed to the policy pack through its policy config, generated
// from `Pulumi.<stack>.yaml` so the stack file stays the one place a reviewer looks.

import * as fs from "node:fs";
import * as path from "node:path";
import {
  ALLOW_WIDE_IP_RANGES_KEY,
  configBoolean,
  loadProjectDefaults,
  parseStackConfig,
  type StackConfig,
} from "../../devkit/stackFile";
import { POLICY_NAMES } from "../../policy/rules";

export function policyConfigFor(
  config: StackConfig,
  defaults: StackConfig = {},
): Record<string, Record<string, unknown>> {
  return {
    [POLICY_NAMES.ipRangeWidth]: {
      allowWideIpRanges: configBoolean(config, ALLOW_WIDE_IP_RANGES_KEY, defaults) === true,
    },
  };
}

/** The policy config file's text for `stack`, from `root`/Pulumi.<stack>.yaml and Pulumi.yaml. */
export function policyConfigFile(stack: string, root = "."): string {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} not found (run from the Pulumi project directory)`);
  }
  const config = parseStackConfig(fs.readFileSync(file, "utf8"), file);
  return `${JSON.stringify(policyConfigFor(config, loadProjectDefaults(root)), null, 2)}\n`;
}
