// Typed reads of the raw config values, collecting every problem instead of stopping at the first:
// each concern (domain, forwarding, call, hosting, Twilio) reads through one reader, and the
// caller reports all of their problems together.
import { PROJECT, projectKey } from "../../model/project";
import { resolveTwilioSetting, type TwilioSetting } from "../../model/twilio";
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

  /** Reports every `line-call:` key that is not a setting, with the closest one when near. */
  unknownKeys(): void {
    for (const fullKey of Object.keys(this.source.values)) {
      if (!fullKey.startsWith(`${PROJECT}:`)) continue;
      const name = fullKey.slice(PROJECT.length + 1);
      if (name in PROJECT_KEYS) continue;
      const closest = Object.keys(PROJECT_KEYS)
        .map((known) => ({ known, d: distance(name.toLowerCase(), known.toLowerCase()) }))
        .sort((x, y) => x.d - y.d)[0];
      this.problem(
        `${fullKey} is not a line-call setting: ` +
          (closest.d <= 3
            ? `did you mean ${projectKey(closest.known)}?`
            : `remove it (known keys: ${Object.keys(PROJECT_KEYS).join(", ")})`),
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
