// Everything that can be said about a stack file before `pulumi preview`: the program's own
// config check (`validateConfig`) and the policy pack's rules that depend only on the file (an IP
// range wider than /24 without the stack's opt-in), so `npm run validate` and `npm run ip-diff`
// say what the preview and the policy pack will say. With a passphrase at hand the encrypted
// values are decrypted and judged too; otherwise a note says they were not.
import { LINE_IP_ADDRESSES_KEY, parseLineIpAddresses } from "../model/lineIpAddresses";
import { ALLOW_WIDE_IP_RANGES_KEY, POLICY_NAMES, wideRangeProblem } from "../policy/rules";
import type { ConfigSource } from "../stack/config";
import { validateConfig } from "../stack/config";
import {
  configBoolean,
  configSource,
  configValue,
  encryptedValues,
  type StackConfig,
  type StackFile,
} from "./stackFile";
import { decryptStackSecrets } from "./stackSecrets";

export interface StackFileCheck {
  /** What the preview (program or policy pack) would refuse. */
  errors: string[];
  /** What could not be checked, and how to have it checked. */
  notes: string[];
}

export function checkStackFile(
  stack: string,
  file: StackFile,
  defaults: StackConfig,
  env: ConfigSource["env"],
  /** The passphrase to decrypt `secure:` values with; undefined leaves them unchecked. */
  passphrase?: string,
): StackFileCheck {
  const notes: string[] = [];
  const secrets = encryptedValues(file.config);
  const reading = decryptStackSecrets(secrets, file.encryptionSalt, passphrase);
  const decrypted = "decrypted" in reading ? reading.decrypted : {};
  if ("notChecked" in reading) {
    notes.push(
      `encrypted values (${Object.keys(secrets).join(", ")}) not checked: ${reading.notChecked}`,
    );
  }
  const errors = [
    ...validateConfig(configSource(stack, file.config, defaults, env, decrypted)).errors,
  ];
  const allowWideIpRanges = configBoolean(file.config, ALLOW_WIDE_IP_RANGES_KEY, defaults);
  const { entries } = parseLineIpAddresses(
    configValue(file.config, LINE_IP_ADDRESSES_KEY, defaults),
  );
  for (const entry of entries) {
    const problem = wideRangeProblem(entry.ip, entry.cidrPrefixLength, { allowWideIpRanges });
    if (problem) errors.push(`policy ${POLICY_NAMES.ipRangeWidth}: ${problem}`);
  }
  return { errors, notes };
}
