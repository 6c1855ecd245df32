// `npm run local`: the offline first run. Starts the Twilio stand-in and the webhook where
// Pulumi.local.yaml says they are, then runs `pulumi up --stack local` on a file backend in this
// folder (.pulumi/, git-ignored), so the whole program — dynamic providers, smoke test, the
// LINE-connected switch — runs without a Twilio or AWS account. The servers keep running until
// Ctrl-C, so you can flip lineConnected, preview, refresh and run `pulumi up` again.
//
//   npm run local                 # start both, then pulumi up --stack local (asks to confirm)
//   npm run local -- --yes        # … without the confirmation prompt
//   npm run local -- --no-up      # only start both; print the commands to run yourself
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ensureToolchain, lockedPulumiVersion, pulumiOnPath } from "../devkit/pulumiToolchain";
import {
  DEFAULT_AUTH_TOKEN,
  startTwilioStandin,
  type TwilioStandin,
} from "../devkit/twilio-standin/server";
import { type LocalWebhook, startLocalWebhook } from "../lambda/localAdapter";
import { ConfigError, type LineCallConfig, validateConfig } from "../stack/config";
import { webhookEnvironment } from "../stack/webhookEnvironment";
import { configSource, loadProjectDefaults, parseStackConfig } from "./gitops/stackConfig";

export const PROJECT_ROOT = path.resolve(__dirname, "..");
export const LOCAL_STACK = "local";
/** Encrypts the local stack's (made-up) secrets; nothing real is ever stored under it. */
export const LOCAL_PASSPHRASE = "line-call-local";

export interface LocalStack {
  config: LineCallConfig;
  standin: TwilioStandin;
  webhook: LocalWebhook;
  /** Environment for the Pulumi CLI: file backend here, passphrase, the stand-in's token. */
  pulumiEnv: Record<string, string>;
  close(): Promise<void>;
}

/** Pulumi.local.yaml, validated by the same rules as every stack (and read as `npm run validate` reads one). */
export function localStackConfig(root = PROJECT_ROOT): {
  config: LineCallConfig;
  values: Record<string, string>;
} {
  const file = path.join(root, `Pulumi.${LOCAL_STACK}.yaml`);
  const source = configSource(
    LOCAL_STACK,
    parseStackConfig(readFileSync(file, "utf8"), file),
    loadProjectDefaults(root),
    { TWILIO_AUTH_TOKEN: DEFAULT_AUTH_TOKEN },
  );
  const { config, errors } = validateConfig(source);
  // The problems first: they are what to fix, whatever else the file describes.
  if (!config) throw new ConfigError(errors, LOCAL_STACK);
  if (!config.webhookBaseUrl) {
    throw new Error(
      `${file} must describe an offline stack: set line-call:webhookBaseUrl to the local webhook, ` +
        "e.g. http://127.0.0.1:4011 (without it the stack would deploy the webhook on AWS)",
    );
  }
  return { config, values: source.values };
}

function localPort(url: string | undefined, key: string): number {
  const parsed = url === undefined ? undefined : URL.parse(url);
  if (parsed?.hostname !== "127.0.0.1" || parsed.port === "") {
    throw new Error(
      `${key} in Pulumi.${LOCAL_STACK}.yaml must be http://127.0.0.1:<port>, got ${url ?? "nothing"}`,
    );
  }
  return Number(parsed.port);
}

async function listening<T>(what: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(
        `Port ${port} (${what}) is in use: stop what runs there (another npm run local?), or change the port in Pulumi.${LOCAL_STACK}.yaml`,
      );
    }
    throw error;
  }
}

export async function startLocalStack(
  options: { root?: string; log?: (line: string) => void } = {},
): Promise<LocalStack> {
  const root = options.root ?? PROJECT_ROOT;
  const log = options.log ?? ((line: string) => console.log(line));
  const { config, values } = localStackConfig(root);
  const standinPort = localPort(values["twilio:apiBaseUrl"], "twilio:apiBaseUrl");
  const webhookPort = localPort(config.webhookBaseUrl as string, "line-call:webhookBaseUrl");

  const standin = await listening("Twilio stand-in", standinPort, () =>
    startTwilioStandin({
      port: standinPort,
      accountSid: values["twilio:accountSid"],
      authToken: DEFAULT_AUTH_TOKEN,
      onRequest: (r) => log(`[twilio] ${r.method} ${r.path} → ${r.status || "no answer"}`),
    }),
  );
  let webhook: LocalWebhook;
  try {
    webhook = await listening("webhook", webhookPort, () =>
      startLocalWebhook({
        port: webhookPort,
        env: {
          ...webhookEnvironment(config),
          TWILIO_AUTH_TOKEN: DEFAULT_AUTH_TOKEN,
          // Twilio signs the URL as configured on the domain: the webhookBaseUrl.
          PUBLIC_BASE_URL: config.webhookBaseUrl,
        },
        log: (line) => log(`[webhook] ${line.trimEnd()}`),
      }),
    );
  } catch (error) {
    await standin.close();
    throw error;
  }
  return {
    config,
    standin,
    webhook,
    pulumiEnv: {
      PULUMI_BACKEND_URL: `file://${root}`,
      PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      TWILIO_AUTH_TOKEN: DEFAULT_AUTH_TOKEN,
    },
    close: async () => {
      await Promise.allSettled([webhook.close(), standin.close()]);
    },
  };
}

/**
 * The directory of the `pulumi` to run: the one on PATH, else the toolchain `npm run pulumi-cli`
 * builds from Go modules (built now if it is not there yet), else undefined.
 */
function pulumiDir(log: (line: string) => void): string | undefined {
  try {
    return pulumiOnPath() ?? ensureToolchain(lockedPulumiVersion(PROJECT_ROOT));
  } catch (error) {
    log(`No pulumi on PATH, and it could not be built here: ${(error as Error).message}`);
    return undefined;
  }
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
  const exports = Object.entries(stack.pulumiEnv).map(([k, v]) => `  export ${k}=${v}`);
  const stop = () => {
    console.log("\nStopping the stand-in and the webhook.");
    stack.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  const bin = flags["no-up"] ? undefined : pulumiDir((line) => console.log(line));
  if (bin === undefined) {
    if (!flags["no-up"])
      console.log("Install the Pulumi CLI (https://www.pulumi.com/docs/install/) to go on.");
    console.log(
      [
        "In another terminal, from this folder:",
        ...exports,
        `  pulumi stack select --create ${LOCAL_STACK} --secrets-provider passphrase`,
        `  pulumi up --stack ${LOCAL_STACK} --refresh`,
        "Ctrl-C here stops both servers.",
      ].join("\n"),
    );
    if (flags.yes) {
      await stack.close();
      process.exit(1);
    }
    return;
  }
  // The stand-in starts empty each time: --refresh lets Pulumi notice and create everything again.
  const nonInteractive = flags.yes ? ["--yes", "--non-interactive"] : [];
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
      ...exports,
      `  export PATH=${bin}:$PATH`,
      `  pulumi config set lineConnected true --stack ${LOCAL_STACK} && pulumi up --stack ${LOCAL_STACK}`,
      `  pulumi preview --refresh --expect-no-changes --stack ${LOCAL_STACK}`,
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
