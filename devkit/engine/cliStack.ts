// The real Pulumi CLI on a stack shaped like `local`: a temporary file backend and PULUMI_HOME, the
// Twilio stand-in and the webhook on free ports, and a copy of the project (its own files, with
// node_modules linked) in a temporary directory, so the stack file `pulumi stack init` writes never
// lands in the repository. AWS stays under mocks (test/stack/): its provider plugin cannot be
// built from Go modules.
import { type ChildProcess, spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { type LocalWebhook, startLocalWebhook } from "../../lambda/localAdapter";
import { callSettingsEnvironment } from "../../model/callSettings";
import { PROVIDERS_PACKAGE } from "../../providers/installed";
import { buildProvidersModule } from "../../stack/providersModule";
import { languageHostEnv } from "../languageHost";
import { localStackConfig, PROJECT_ROOT } from "../localStack";
import { writePolicyPackLauncher } from "../policyPackLauncher";
import { pulumiOnPath } from "../pulumiToolchain";
import { startTwilioStandin, type TwilioStandin } from "../twilio-standin/server";

/**
 * Set by the real-CLI tests' vitest setup (test/support/realCliSetup.ts) when it could neither
 * find nor build a `pulumi`: why, and the one command that enables the tests.
 */
export const ENGINE_TESTS_SKIPPED = "LINE_CALL_ENGINE_TESTS_SKIPPED";

/**
 * Whether the engine tests run: whether a `pulumi` is on PATH, where the tests' vitest setup put
 * the one it found or built. On CI (CI=true) a missing CLI is a failure, never a skip; on a
 * developer machine they are skipped, and the run ends with a line saying why and what enables them.
 */
export function engineTestsEnabled(): boolean {
  if (pulumiOnPath()) return true;
  if (process.env.CI === "true") {
    throw new Error(
      "CI=true but no pulumi on PATH: the real-CLI tests' setup (test/support/realCliSetup.ts) finds or builds one first",
    );
  }
  if (!process.env[ENGINE_TESTS_SKIPPED]) {
    console.warn(
      "Engine tests skipped: no pulumi on PATH. Enable them with\n" +
        '  export PATH="$(npm run -s pulumi-cli | tail -n1):$PATH"',
    );
  }
  return false;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for messages. */
  output: string;
}

export const ENGINE_PASSPHRASE = "line-call-engine-test";

/** What `pulumi up` needs of the project: the program, its code and the policy pack. */
const PROJECT_ENTRIES = [
  "Pulumi.yaml",
  "Pulumi.local.yaml",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.pulumi.json",
  "index.ts",
  "devkit",
  "lambda",
  "model",
  "policy",
  "providers",
  "scripts",
  "stack",
];

export interface CopyOptions {
  /**
   * Give the copy a node_modules of its own, every package linked from the project's except the
   * installed providers module (providers/installed.ts), which the copy builds for itself: for
   * tests that change the copy's provider code without touching the module other tests load.
   */
  ownProvidersModule?: boolean;
}

/** A copy of the program to run the CLI in; returns its directory. */
export function copyProject(into: string, options: CopyOptions = {}): string {
  const project = path.join(into, "project");
  for (const entry of PROJECT_ENTRIES) {
    cpSync(path.join(PROJECT_ROOT, entry), path.join(project, entry), { recursive: true });
  }
  const nodeModules = path.join(PROJECT_ROOT, "node_modules");
  if (!options.ownProvidersModule) {
    symlinkSync(nodeModules, path.join(project, "node_modules"));
    return project;
  }
  const [scope] = PROVIDERS_PACKAGE.split("/");
  mkdirSync(path.join(project, "node_modules"));
  for (const entry of readdirSync(nodeModules)) {
    if (entry === scope) continue;
    symlinkSync(path.join(nodeModules, entry), path.join(project, "node_modules", entry));
  }
  buildProvidersModule(project);
  return project;
}

export interface EngineStack {
  name: string;
  dir: string;
  /** The copy of the project the CLI runs in. */
  project: string;
  configFile: string;
  standin: TwilioStandin;
  webhook: LocalWebhook;
  env: Record<string, string>;
  /** Runs `pulumi <args> --stack <name> --non-interactive` in the project copy. */
  pulumi(args: string[]): Promise<CliResult>;
  /** Starts it and returns the child, for tests that kill it. */
  start(args: string[]): { child: ChildProcess; done: Promise<CliResult> };
  /** The stack file's `config:` block, to read or rewrite (then call writeConfig). */
  readConfig(): Record<string, unknown>;
  writeConfig(config: Record<string, unknown>): void;
  close(): Promise<void>;
}

export interface EngineStackOptions extends CopyOptions {
  /**
   * A stand-in shared with other stacks (several customers of one parent account), started with
   * the local stack's account (`engineStandin`); the stack leaves it running when it closes.
   */
  standin?: TwilioStandin;
  /**
   * A subaccount of the stand-in's main account: the stack's `line-call:subaccountSid`, its
   * credentials stay the parent's, and its webhook checks signatures with the subaccount's token,
   * as Twilio signs a subaccount's calls.
   */
  subaccount?: { sid: string; authToken: string };
}

/** A stand-in with the local stack's account and token, for `EngineStackOptions.standin`. */
export function engineStandin(): Promise<TwilioStandin> {
  const { values, authToken } = localStackConfig();
  return startTwilioStandin({ port: 0, accountSid: values["twilio:accountSid"], authToken });
}

/** Sets up a fresh stack `name` (stack init, secret auth token set through the CLI). */
export async function createEngineStack(
  name: string,
  options: EngineStackOptions = {},
): Promise<EngineStack> {
  const dir = mkdtempSync(path.join(tmpdir(), "line-call-engine-"));
  const { config, authToken } = localStackConfig();
  const standin = options.standin ?? (await engineStandin());
  const { subaccount } = options;
  // The webhook validates signatures against its public URL, known once it listens.
  const webhookEnv: Record<string, string> = {
    ...callSettingsEnvironment(config.call),
    TWILIO_AUTH_TOKEN: subaccount?.authToken ?? authToken,
  };
  const webhook = await startLocalWebhook({ port: 0, env: webhookEnv, log: () => {} });
  webhookEnv.PUBLIC_BASE_URL = webhook.url;

  const project = copyProject(dir, options);
  mkdirSync(path.join(dir, "state"));
  const configFile = path.join(project, `Pulumi.${name}.yaml`);
  // The local stack's encrypted token belongs to its own salt; this stack sets it below.
  const { "twilio:authToken": _localToken, ...localConfig } = YAML.parse(
    readFileSync(path.join(PROJECT_ROOT, "Pulumi.local.yaml"), "utf8"),
  ).config;
  const stackConfig: Record<string, unknown> = {
    ...localConfig,
    "twilio:apiBaseUrl": standin.url,
    "line-call:webhookBaseUrl": webhook.url,
    ...(subaccount ? { "line-call:subaccountSid": subaccount.sid } : {}),
  };
  writeFileSync(configFile, YAML.stringify({ config: stackConfig }));

  const env: Record<string, string> = {
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: ENGINE_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    NO_COLOR: "1",
    // Pulumi.yaml's runtime options, as the current language host passes them (languageHost.ts).
    ...languageHostEnv(project),
  };
  const start = (args: string[]) =>
    startCollecting("pulumi", [...args, "--stack", name, "--non-interactive"], project, env);

  const stack: EngineStack = {
    name,
    dir,
    project,
    configFile,
    standin,
    webhook,
    env,
    pulumi: (args) => start(args).done,
    start: (args) => start(args),
    readConfig: () => YAML.parse(readFileSync(configFile, "utf8")).config,
    writeConfig: (next) => {
      const whole = YAML.parse(readFileSync(configFile, "utf8"));
      writeFileSync(configFile, YAML.stringify({ ...whole, config: next }));
    },
    close: async () => {
      killProcessesIn(dir);
      await Promise.allSettled([webhook.close(), options.standin ? undefined : standin.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const init = await stack.pulumi(["stack", "init", "--secrets-provider", "passphrase"]);
  if (init.code !== 0) throw new Error(`pulumi stack init failed:\n${init.output}`);
  const secret = await stack.pulumi(["config", "set", "--secret", "twilio:authToken", authToken]);
  if (secret.code !== 0) throw new Error(`pulumi config set failed:\n${secret.output}`);
  return stack;
}

/**
 * This process's environment without Twilio, AWS or Pulumi settings: the operator's own shell, so
 * no credentials or backend leak into a test's run from outside.
 */
export function shellEnvWithoutCredentials(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !key.startsWith("TWILIO_") && !key.startsWith("AWS_") && !key.startsWith("PULUMI_"),
    ),
  ) as Record<string, string>;
}

/** Starts `command` in `cwd` with `env` over the clean shell environment, collecting its output. */
export function startCollecting(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(command, args, {
    cwd,
    env: { ...shellEnvWithoutCredentials(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr, output: `${stdout}\n${stderr}` })),
  );
  return { child, done };
}

/**
 * `--policy-pack` argument for the project's policy pack: the launcher of policyPackLauncher.ts,
 * since users' `--policy-pack policy` needs a language host newer than the one built here.
 */
export function policyPackArgument(stack: EngineStack): string {
  return writePolicyPackLauncher(stack.project, stack.dir);
}

/**
 * Ends every process still working in `dir`: a test that kills the CLI (a crash) leaves its plugin
 * hosts running, each in a process group of its own and reparented to init, with the project copy
 * as their working directory. Linux only, like the rest of this harness's process handling.
 */
export function killProcessesIn(dir: string): void {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cwd: string;
    try {
      cwd = readlinkSync(`/proc/${entry}/cwd`).replace(/ \(deleted\)$/, "");
    } catch {
      continue; // gone, or not ours to read
    }
    if (cwd !== dir && !cwd.startsWith(`${dir}${path.sep}`)) continue;
    try {
      process.kill(Number(entry), "SIGKILL");
    } catch {
      // Ended meanwhile.
    }
  }
}

/** Fails with the CLI's own output when a command did not succeed. */
export function expectSuccess(result: CliResult, what: string): CliResult {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.output}`);
  return result;
}

/** The steps of `pulumi preview --json` that change something (every op but "same"). */
export function previewSteps(json: string): Array<{ op: string; urn: string }> {
  const parsed = JSON.parse(json) as { steps?: Array<{ op: string; urn: string }> };
  return (parsed.steps ?? []).filter((step) => step.op !== "same");
}

/** Resolves once `condition` holds, checking every `intervalMs` (for moments inside a CLI run). */
export function waitUntil(condition: () => boolean, intervalMs = 5): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (condition()) {
        clearInterval(poll);
        resolve();
      }
    }, intervalMs);
  });
}

const INSTALLED_PROVIDERS_SOURCE = path.join("providers", "installed.ts");
const LOAD_FROM_MODULE = "return require(modulePath) as dynamic.ResourceProvider;";
const PASS_OBJECT_ITSELF =
  'return require("./index")[INSTALLED_PROVIDERS[name]] as dynamic.ResourceProvider;';

/**
 * Makes a project copy's resources carry their providers the earlier way, by value: each resource
 * passes the provider object from providers/ itself, which Pulumi serializes as code into the
 * state. For the migration test and the bench's before/after; `carryProvidersByReference` undoes it.
 */
export function carryProvidersByValue(project: string): void {
  const file = path.join(project, INSTALLED_PROVIDERS_SOURCE);
  const source = readFileSync(file, "utf8");
  if (!source.includes(LOAD_FROM_MODULE)) {
    throw new Error(`${file} no longer loads the installed module with: ${LOAD_FROM_MODULE}`);
  }
  writeFileSync(file, source.replace(LOAD_FROM_MODULE, PASS_OBJECT_ITSELF));
}

/** Puts the project's own version of one file (a path relative to it) back into a copy. */
export function restoreProjectFile(project: string, file: string): void {
  cpSync(path.join(PROJECT_ROOT, file), path.join(project, file));
}

/** Restores the project's own providers/installed.ts in a copy. */
export function carryProvidersByReference(project: string): void {
  restoreProjectFile(project, INSTALLED_PROVIDERS_SOURCE);
}
