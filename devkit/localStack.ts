// The offline stack `npm run local` runs (and the real-CLI tests copy): Pulumi.local.yaml, read and
// validated like every stack file, and the Twilio stand-in and webhook it points at, started where
// it says they are.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { type LocalWebhook, startLocalWebhook } from "../lambda/localAdapter";
import { callSettingsEnvironment } from "../model/callSettings";
import { ConfigError, type LineCallConfig, validateConfig } from "../stack/config";
import { languageHostEnv } from "./languageHost";
import { configSource, encryptedValues, loadProjectDefaults, parseStackFile } from "./stackFile";
import { decryptStackSecrets } from "./stackSecrets";
import { startTwilioStandin, type TwilioStandin } from "./twilio-standin/server";

export const PROJECT_ROOT = path.resolve(__dirname, "..");
export const LOCAL_STACK = "local";
/** Encrypts the local stack's (made-up) secrets; nothing real is ever stored under it. */
export const LOCAL_PASSPHRASE = "line-call-local";

export interface LocalStack {
  config: LineCallConfig;
  /** The auth token the stand-in accepts and the webhook checks, from the stack file. */
  authToken: string;
  standin: TwilioStandin;
  webhook: LocalWebhook;
  /** Environment for the Pulumi CLI: file backend here, passphrase, no plugin downloads, the stand-in's token. */
  pulumiEnv: Record<string, string>;
  close(): Promise<void>;
}

/** Pulumi.local.yaml, validated by the same rules as every stack (and read as `npm run validate` reads one). */
export function localStackConfig(root = PROJECT_ROOT): {
  config: LineCallConfig;
  /** Every value as the CLI passes it, the auth token decrypted. */
  values: Record<string, string>;
  /** The stand-in's made-up token, as the stack file holds it (encrypted with LOCAL_PASSPHRASE). */
  authToken: string;
} {
  const file = path.join(root, `Pulumi.${LOCAL_STACK}.yaml`);
  const stackFile = parseStackFile(readFileSync(file, "utf8"), file);
  const secrets = decryptStackSecrets(
    encryptedValues(stackFile.config),
    stackFile.encryptionSalt,
    LOCAL_PASSPHRASE,
  );
  if ("notChecked" in secrets)
    throw new Error(`${file}: its secrets cannot be read: ${secrets.notChecked}`);
  const source = configSource(
    LOCAL_STACK,
    stackFile.config,
    loadProjectDefaults(root),
    {},
    secrets.decrypted,
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
  const authToken = source.values["twilio:authToken"];
  if (!authToken) {
    throw new Error(
      `${file} must hold the stand-in's auth token: PULUMI_CONFIG_PASSPHRASE=${LOCAL_PASSPHRASE} pulumi config set --secret twilio:authToken --stack ${LOCAL_STACK}`,
    );
  }
  return { config, values: source.values, authToken };
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
  const { config, values, authToken } = localStackConfig(root);
  const standinPort = localPort(values["twilio:apiBaseUrl"], "twilio:apiBaseUrl");
  const webhookPort = localPort(config.webhookBaseUrl as string, "line-call:webhookBaseUrl");

  const standin = await listening("Twilio stand-in", standinPort, () =>
    startTwilioStandin({
      port: standinPort,
      accountSid: values["twilio:accountSid"],
      authToken,
      onRequest: (r) => log(`[twilio] ${r.method} ${r.path} → ${r.status || "no answer"}`),
    }),
  );
  let webhook: LocalWebhook;
  try {
    webhook = await listening("webhook", webhookPort, () =>
      startLocalWebhook({
        port: webhookPort,
        env: {
          ...callSettingsEnvironment(config.call),
          TWILIO_AUTH_TOKEN: authToken,
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
    authToken,
    standin,
    webhook,
    pulumiEnv: {
      PULUMI_BACKEND_URL: `file://${root}`,
      PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      // The local stack declares no AWS resource, yet the CLI would try to download the plugin of
      // every @pulumi/* package in package.json (@pulumi/aws: a large download, or seconds of
      // failed lookups offline) before each preview and update. It needs none beyond its own.
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      // Pulumi.yaml's runtime options, as the current language host passes them (languageHost.ts).
      ...languageHostEnv(root),
    },
    close: async () => {
      await Promise.allSettled([webhook.close(), standin.close()]);
    },
  };
}
