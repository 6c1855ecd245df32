// `npm run validate -- <stack>`: the program's own config validation on Pulumi.<stack>.yaml,
// without the Pulumi CLI. Prints every problem and exits 1, or prints one OK line.
//
// Values are read as the CLI would pass them (lists and objects as JSON, project defaults from
// Pulumi.yaml), and the policy pack's rules that depend only on the file are applied too
// (devkit/stackCheck.ts, shared with `npm run ip-diff`). Encrypted (`secure:`) values are
// decrypted and checked when the stack uses the passphrase provider and PULUMI_CONFIG_PASSPHRASE
// (or _FILE) is set, as for the CLI; otherwise they count as set and a note says they were not
// checked. TWILIO_* and AWS_REGION come from the environment, as for the program.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { checkStackFile, type StackFileCheck } from "../devkit/stackCheck";
import { loadProjectDefaults, parseStackFile } from "../devkit/stackFile";
import { passphraseFrom } from "../devkit/stackSecrets";

const PROJECT_ROOT = path.resolve(__dirname, "..");

export function validateStackFile(
  stack: string,
  root = PROJECT_ROOT,
  env: NodeJS.ProcessEnv = process.env,
): StackFileCheck & { file: string } {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) {
    return {
      file,
      errors: [`${file} does not exist: name a stack with a Pulumi.<stack>.yaml here`],
      notes: [],
    };
  }
  const parsed = parseStackFile(readFileSync(file, "utf8"), file);
  return {
    file,
    ...checkStackFile(stack, parsed, loadProjectDefaults(root), env, passphraseFrom(env)),
  };
}

function main(): number {
  const stack = process.argv[2];
  if (!stack || stack.startsWith("-")) {
    console.error("usage: npm run validate -- <stack>   (checks Pulumi.<stack>.yaml)");
    return 2;
  }
  // The stack file of the project in the current directory, as the Pulumi CLI would read it.
  const { file, errors, notes } = validateStackFile(stack, process.cwd());
  const shown = path.relative(process.cwd(), file) || file;
  if (errors.length === 0) {
    console.log(`${shown}: OK, the program and the policy pack accept this stack's configuration`);
  } else {
    console.error(`${shown}: ${errors.length} problem${errors.length === 1 ? "" : "s"}`);
    for (const error of errors) console.error(`  - ${error}`);
  }
  for (const note of notes) console.log(`  note: ${note}`);
  return errors.length === 0 ? 0 : 1;
}

if (require.main === module) process.exit(main());
