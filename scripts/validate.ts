// `npm run validate -- <stack>`: the program's own config validation on Pulumi.<stack>.yaml,
// without the Pulumi CLI. Prints every problem and exits 1, or prints one OK line.
//
// Values are read as the CLI would pass them (lists and objects as JSON, project defaults from
// Pulumi.yaml). Encrypted (`secure:`) values cannot be read without the stack's passphrase, so
// they count as set and are checked for being secret, not for their format; TWILIO_* and
// AWS_REGION come from the environment, as for the program.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { configSource, loadProjectDefaults, parseStackConfig } from "../devkit/stackFile";
import { validateConfig } from "../stack/config";

const PROJECT_ROOT = path.resolve(__dirname, "..");

export function validateStackFile(stack: string, root = PROJECT_ROOT, env = process.env) {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) {
    return {
      file,
      errors: [`${file} does not exist: name a stack with a Pulumi.<stack>.yaml here`],
    };
  }
  const config = parseStackConfig(readFileSync(file, "utf8"), file);
  const source = configSource(stack, config, loadProjectDefaults(root), env);
  return { file, errors: validateConfig(source).errors };
}

function main(): number {
  const stack = process.argv[2];
  if (!stack || stack.startsWith("-")) {
    console.error("usage: npm run validate -- <stack>   (checks Pulumi.<stack>.yaml)");
    return 2;
  }
  // The stack file of the project in the current directory, as the Pulumi CLI would read it.
  const { file, errors } = validateStackFile(stack, process.cwd());
  const shown = path.relative(process.cwd(), file) || file;
  if (errors.length === 0) {
    console.log(`${shown}: OK, the program accepts this stack's configuration`);
    return 0;
  }
  console.error(`${shown}: ${errors.length} problem${errors.length === 1 ? "" : "s"}`);
  for (const error of errors) console.error(`  - ${error}`);
  return 1;
}

if (require.main === module) process.exit(main());
