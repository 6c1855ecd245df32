// The `--policy-pack-config` file for one stack. CrossGuard policies cannot read stack config,
// so the stack's opt-ins are handed to the policy pack through its policy config, generated
// from `Pulumi.<stack>.yaml` so the stack file stays the one place a reviewer looks.

import { ALLOW_WIDE_IP_RANGES_KEY, configBoolean, type StackConfig } from "../../devkit/stackFile";
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
