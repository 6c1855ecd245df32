// Reading `Pulumi.<stack>.yaml` files as text, outside the Pulumi engine, for the review and CI
// tools (`npm run ip-diff`, the policy config and the workflows' stack matrix). Values are
// interpreted the way the program receives them from the engine.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT, projectKey } from "../model/project";
import type { ConfigSource } from "../stack/config";

export const LINE_CONNECTED_KEY = projectKey("lineConnected");
export { ALLOW_WIDE_IP_RANGES_KEY } from "../policy/rules";

/** `Pulumi.<stack>.yaml` (or `.yml`); `Pulumi.yaml` itself is the project file. */
const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;

export function stackNameOf(fileName: string): string | undefined {
  return STACK_FILE.exec(fileName)?.[1];
}

export type StackConfig = Record<string, unknown>;

/** A stack file as far as the tools read it. */
export interface StackFile {
  config: StackConfig;
  /** The passphrase secrets provider's salt; absent for other providers or without secrets. */
  encryptionSalt?: string;
}

/** The `config:` block of a stack file; throws with the file name when it is not valid YAML. */
export function parseStackConfig(text: string, fileName: string): StackConfig {
  return parseStackFile(text, fileName).config;
}

/** A stack file's config and encryption salt; throws with the file name when it is not valid YAML. */
export function parseStackFile(text: string, fileName: string): StackFile {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new Error(`${fileName} is not valid YAML: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) return { config: {} };
  if (typeof document !== "object" || Array.isArray(document)) {
    throw new Error(`${fileName} must be a YAML mapping with a config: block`);
  }
  const { config, encryptionsalt } = document as { config?: unknown; encryptionsalt?: unknown };
  const salt = typeof encryptionsalt === "string" ? { encryptionSalt: encryptionsalt } : {};
  if (config === undefined || config === null) return { config: {}, ...salt };
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new Error(`${fileName}: config must be a mapping of key: value`);
  }
  return { config: config as StackConfig, ...salt };
}

/** The encrypted values of a stack file's config, by their full key. */
export function encryptedValues(config: StackConfig): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value !== null && typeof value === "object" && "secure" in value) {
      const full = key.includes(":") ? key : projectKey(key);
      secrets[full] = String((value as { secure: unknown }).secure);
    }
  }
  return secrets;
}

/** Project defaults declared in Pulumi.yaml's `config:` block (`key: {default: …}`). */
export function parseProjectDefaults(text: string | undefined): StackConfig {
  if (text === undefined) return {};
  const declared = parseStackConfig(text, "Pulumi.yaml");
  const defaults: StackConfig = {};
  for (const [name, spec] of Object.entries(declared)) {
    const full = name.includes(":") ? name : projectKey(name);
    if (spec !== null && typeof spec === "object" && !Array.isArray(spec)) {
      if ("default" in spec) defaults[full] = (spec as { default: unknown }).default;
      else if ("value" in spec) defaults[full] = (spec as { value: unknown }).value;
    } else {
      defaults[full] = spec;
    }
  }
  return defaults;
}

/**
 * A key's value: the stack file's (written `line-call:name`, or bare `name` for a project key),
 * else the project default. A string holding JSON is parsed, as `pulumi config set` without
 * `--path` stores lists and objects that way and the program JSON-parses them.
 */
export function configValue(config: StackConfig, key: string, defaults: StackConfig = {}): unknown {
  const bare = key.startsWith(`${PROJECT}:`) ? key.slice(PROJECT.length + 1) : undefined;
  const value =
    key in config
      ? config[key]
      : bare !== undefined && bare in config
        ? config[bare]
        : defaults[key];
  if (typeof value === "string" && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * Where a stack's value of `key` comes from: its own file, else Pulumi.yaml (a project-level
 * `value:` every stack shares, such as LINE's IP list, or a `default:`), else nowhere. The Pulumi
 * CLI resolves it the same way before the program runs (test/e2e/sharedIpList.test.ts feeds both
 * the same files).
 */
export function configOrigin(
  config: StackConfig,
  key: string,
  defaults: StackConfig = {},
): "stack" | "project" | undefined {
  const bare = key.startsWith(`${PROJECT}:`) ? key.slice(PROJECT.length + 1) : undefined;
  if (key in config || (bare !== undefined && bare in config)) return "stack";
  return key in defaults ? "project" : undefined;
}

/** A boolean setting as the program reads it (`true`/`false`, or their string forms). */
export function configBoolean(
  config: StackConfig,
  key: string,
  defaults: StackConfig = {},
): boolean | undefined {
  const value = configValue(config, key, defaults);
  return typeof value === "boolean" ? value : booleanText(value);
}

function booleanText(value: unknown): boolean | undefined {
  const text = typeof value === "string" ? value.trim() : undefined;
  return text === "true" ? true : text === "false" ? false : undefined;
}

/** Stands in for an encrypted value: shaped like one, so only its presence is judged. */
const ENCRYPTED_PLACEHOLDER = "0".repeat(32);

/**
 * A stack file's config the way the Pulumi CLI hands it to the program, for the program's own
 * `validateConfig`: project defaults under the file's values, every key as `namespace:key`, lists
 * and objects as JSON. Encrypted (`secure:`) values are taken from `decrypted` when given
 * (devkit/stackSecrets.ts); otherwise they count as set and secret, and are not checked for their
 * format.
 */
export function configSource(
  stack: string,
  config: StackConfig,
  defaults: StackConfig,
  env: ConfigSource["env"],
  decrypted: Record<string, string> = {},
): ConfigSource {
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [key, value] of Object.entries({ ...defaults, ...config })) {
    const full = key.includes(":") ? key : projectKey(key);
    if (value !== null && typeof value === "object" && "secure" in value) {
      values[full] = decrypted[full] ?? ENCRYPTED_PLACEHOLDER;
      secretKeys.add(full);
    } else if (value !== undefined && value !== null) {
      values[full] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { stack, values, secretKeys, env };
}

/** Project defaults from <root>/Pulumi.yaml, the one the next deploy uses (none when absent). */
export function loadProjectDefaults(root = "."): StackConfig {
  const file = path.join(root, "Pulumi.yaml");
  return parseProjectDefaults(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);
}
