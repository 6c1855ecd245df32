// `npm run local`: the offline first run. Starts the Twilio stand-in and the webhook where
// Pulumi.local.yaml says they are, then runs `pulumi up --stack local` on a file backend in this
// folder (.pulumi/, git-ignored), so the whole program — dynamic providers, smoke test, the
// LINE-connected switch — runs without a Twilio or AWS account. The servers keep running until
// Ctrl-C, so you can flip lineConnected, preview, refresh and run `pulumi up` again.
//
//   npm run local                 # start both, then pulumi up --stack local (asks to confirm)
//   npm run local -- --yes        # … without the confirmation prompt, then stop both and exit
//   npm run local -- --no-up      # only start both; print the commands to run yourself
import { spawn } from "node:child_process";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { LOCAL_STACK, PROJECT_ROOT, startLocalStack } from "../devkit/localStack";
import { findOrBuildPulumi, PulumiUnavailableError } from "../devkit/pulumiToolchain";

/** The directory of the `pulumi` to run (see findOrBuildPulumi), or why there is none. */
function pulumiDir(): { bin: string } | { problem: string } {
  try {
    return { bin: findOrBuildPulumi(PROJECT_ROOT) };
  } catch (error) {
    const fix =
      error instanceof PulumiUnavailableError
        ? error.fix
        : "install Pulumi (https://www.pulumi.com/docs/install/)";
    return { problem: `No Pulumi CLI: ${(error as Error).message}. To get one: ${fix}` };
  }
}

/** A value as a shell word: as it is when that is safe, else single-quoted. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/** The lines that give a second terminal this run's environment and `pulumi`. */
function environmentLines(env: Record<string, string>, bin: string | undefined): string[] {
  return [
    ...Object.entries(env).map(([key, value]) => `  export ${key}=${shellWord(value)}`),
    ...(bin ? [`  export PATH=${shellWord(bin)}:"$PATH"`] : []),
  ];
}

/**
 * Runs the CLI without blocking: the stand-in and the webhook live in this process and must keep
 * answering while `pulumi up` talks to them (a spawnSync here would stall every request).
 */
function pulumi(args: string[], env: Record<string, string>, bin: string): Promise<number> {
  const child = spawn(path.join(bin, "pulumi"), args, {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
    // The CLI finds its language host and plugins beside it on PATH.
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, ...env },
  });
  return new Promise((resolve) => {
    child.on("error", () => resolve(1));
    child.on("close", (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: { yes: { type: "boolean" }, "no-up": { type: "boolean" } },
  });
  const stack = await startLocalStack();
  console.log(`Twilio stand-in: ${stack.standin.url}   webhook: ${stack.webhook.url}`);
  const stop = () => {
    console.log("\nStopping the stand-in and the webhook.");
    stack.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  const found = pulumiDir();
  if ("problem" in found) console.log(found.problem);
  const bin = "bin" in found ? found.bin : undefined;
  if (!bin || flags["no-up"]) {
    console.log(
      [
        "In another terminal, from this folder:",
        ...environmentLines(stack.pulumiEnv, bin),
        `  pulumi stack select --create ${LOCAL_STACK} --secrets-provider passphrase`,
        `  pulumi up --stack ${LOCAL_STACK} --refresh`,
        "Ctrl-C here stops both servers.",
      ].join("\n"),
    );
    if (flags.yes && !bin) {
      await stack.close();
      process.exit(1);
    }
    return;
  }
  // The stand-in starts empty each time: --refresh lets Pulumi notice and create everything again.
  // With --yes nobody reviews a preview, so the update skips it and runs the program once.
  const nonInteractive = flags.yes ? ["--yes", "--skip-preview", "--non-interactive"] : [];
  const steps: string[][] = [
    ["stack", "select", "--create", LOCAL_STACK, "--secrets-provider", "passphrase"],
    ["up", "--stack", LOCAL_STACK, "--refresh", ...nonInteractive],
  ];
  let failed = false;
  for (const step of steps) {
    const status = await pulumi(step, stack.pulumiEnv, bin);
    if (status !== 0) {
      console.error(`pulumi ${step.join(" ")} failed (exit ${status}).`);
      failed = true;
      break;
    }
  }
  if (flags.yes) {
    // Non-interactive: the run ends here, with the servers (CI, the engine tests, a first try).
    await stack.close();
    if (!failed) console.log("\nDone: the local stack is up. Run npm run local again to try more.");
    process.exit(failed ? 1 : 0);
  }
  console.log(
    [
      "",
      "The stand-in and the webhook keep running. To try more, in another terminal:",
      ...environmentLines(stack.pulumiEnv, bin),
      `  pulumi config set lineConnected true --stack ${LOCAL_STACK} && pulumi up --stack ${LOCAL_STACK}`,
      `  pulumi preview --refresh --expect-no-changes --stack ${LOCAL_STACK}`,
      `  pulumi config set lineConnected false --stack ${LOCAL_STACK}   # Pulumi.local.yaml as committed again`,
      "Ctrl-C here stops both servers.",
    ].join("\n"),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
