// Typed reads of the raw config values, collecting every problem instead of stopping at the first:
// each concern (domain, forwarding, call, hosting, Twilio) reads through one reader, and the
// caller reports all of their problems together.
import { PROJECT, projectKey } from "../../model/project";
import { resolveTwilioSetting, TWILIO_SETTINGS, type TwilioSetting } from "../../model/twilio";
import { type ConfigSource, PROJECT_KEYS, type ProjectKey, type ProjectKeySpec } from "./keys";

export class ConfigReader {
  readonly problems: string[] = [];

  constructor(readonly source: ConfigSource) {}

  /** Records a problem: one line naming the key and the fix. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** The full key, e.g. `line-call:forwardTo`, for messages. */
  key(name: ProjectKey): string {
    return projectKey(name);
  }

  /** The value as the CLI passed it, or undefined when the stack does not set it. */
  raw(name: ProjectKey): string | undefined {
    return this.source.values[projectKey(name)];
  }

  /** The value, or its Pulumi.yaml default ("" when it has none). */
  text(name: ProjectKey): string {
    const value = this.raw(name);
    if (value !== undefined) return value;
    const fallback = (PROJECT_KEYS[name] as ProjectKeySpec).default;
    return fallback === undefined ? "" : String(fallback);
  }

  boolean(name: ProjectKey): boolean {
    const value = this.text(name).trim();
    if (value === "true" || value === "false") return value === "true";
    this.problem(`${this.key(name)} must be true or false, not ${JSON.stringify(value)}`);
    return false;
  }

  /** A whole number, or undefined (the caller words the problem: it knows the range). */
  integer(name: ProjectKey): number | undefined {
    const value = this.text(name).trim();
    return /^-?\d+$/.test(value) ? Number(value) : undefined;
  }

  /** A Twilio setting as the providers resolve it (`resolveTwilioSetting`). */
  twilio(name: TwilioSetting): string | undefined {
    return resolveTwilioSetting(name, (key) => this.source.values[key], this.source.env);
  }

  /**
   * Reports every key of a namespace this project owns (`line-call:`, and `twilio:`, which the
   * Twilio providers read) that is not one of its settings, with the closest one when near: a
   * misspelt key would otherwise be silently ignored and its setting read as unset.
   */
  unknownKeys(): void {
    const owned: Record<string, string[]> = {
      [PROJECT]: Object.keys(PROJECT_KEYS),
      twilio: Object.values(TWILIO_SETTINGS).map(({ config }) => config.slice("twilio:".length)),
    };
    for (const fullKey of Object.keys(this.source.values)) {
      const namespace = fullKey.slice(0, fullKey.indexOf(":"));
      const known = owned[namespace];
      if (!known) continue;
      const name = fullKey.slice(namespace.length + 1);
      if (known.includes(name)) continue;
      const closest = known
        .map((candidate) => ({
          candidate,
          d: distance(name.toLowerCase(), candidate.toLowerCase()),
        }))
        .sort((x, y) => x.d - y.d)[0];
      this.problem(
        `${fullKey} is not a ${namespace} setting: ` +
          (closest.d <= 3
            ? `did you mean ${namespace}:${closest.candidate}?`
            : `remove it (known keys: ${known.join(", ")})`),
      );
    }
  }
}

/** Levenshtein distance, for "did you mean" on misspelt keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
