// Input rules shared by the four providers: one table of fields per resource drives `check`
// (validation naming the property, defaults filled so diffs stay stable), `diff` (which changes
// replace) and the canonical form `read` returns, so a refresh followed by a diff is empty.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { isUnknown } from "../model/pulumiEngine";

export type FieldKind = "string" | "url" | "method" | "boolean" | "integer" | "sid";

export interface FieldSpec {
  kind: FieldKind;
  required?: boolean;
  /** Filled in by `check` when the program leaves the field out ("" clears a string in Twilio). */
  defaultValue?: string | number | boolean;
  maxLength?: number;
  /** For kind "sid": the two-letter prefix, e.g. "AL". */
  sidPrefix?: string;
  /** For a required field: what to set it to, shown when it is missing. */
  example?: string;
  /** A change to this field replaces the resource instead of updating it. */
  replaces?: boolean;
  /** Provider options (like `adopt`) that are not Twilio fields and never cause a diff. */
  option?: boolean;
  /** Extra rule: returns the problem, or undefined when the value is fine. */
  rule?: (value: never) => string | undefined;
}

export type Schema = Record<string, FieldSpec>;

export type Props = Record<string, unknown>;

const FIELD_HINT: Record<FieldKind, string> = {
  string: "a string",
  url: "an absolute http(s) URL, e.g. https://example.com/voice",
  method: 'GET or POST (Twilio\'s default is "POST")',
  boolean: "true or false",
  integer: "a whole number",
  sid: "a Twilio SID",
};

function fieldProblem(spec: FieldSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case "boolean":
      return typeof value === "boolean" ? undefined : `must be ${FIELD_HINT.boolean}`;
    case "integer":
      return typeof value === "number" && Number.isInteger(value)
        ? undefined
        : `must be ${FIELD_HINT.integer}`;
    case "method":
      return typeof value === "string" && /^(GET|POST)$/i.test(value)
        ? undefined
        : `must be ${FIELD_HINT.method}, not ${JSON.stringify(value)}`;
    case "url": {
      if (typeof value !== "string") return `must be ${FIELD_HINT.url}`;
      if (value === "") return undefined;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return `must be ${FIELD_HINT.url}, not ${JSON.stringify(value)}`;
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        return `must be an http:// or https:// URL, not ${url.protocol}`;
      }
      return undefined;
    }
    case "sid": {
      const pattern = new RegExp(`^${spec.sidPrefix ?? "[A-Z]{2}"}[0-9a-fA-F]{32}$`);
      return typeof value === "string" && pattern.test(value)
        ? undefined
        : `must be ${spec.sidPrefix ? `a ${spec.sidPrefix}… SID` : FIELD_HINT.sid} (two letters and 32 hex digits), not ${JSON.stringify(value)}`;
    }
    default:
      return typeof value === "string" ? undefined : `must be ${FIELD_HINT.string}`;
  }
}

/**
 * Validates news against the schema and returns the canonical inputs: every field present,
 * defaults filled, methods upper-cased. Unknown values (preview) pass through unchecked.
 */
export function checkInputs(
  schema: Schema,
  news: Props,
  defaults: (inputs: Props) => Props = () => ({}),
): dynamic.CheckResult {
  const failures: dynamic.CheckFailure[] = [];
  const inputs: Props = {};
  for (const name of Object.keys(news)) {
    if (name !== "__provider" && !(name in schema) && news[name] !== undefined) {
      failures.push({
        property: name,
        reason: `${name} is not a known property; use ${Object.keys(schema).join(", ")}`,
      });
    }
  }
  for (const [name, spec] of Object.entries(schema)) {
    const value = news[name];
    if (isUnknown(value)) {
      inputs[name] = value;
      continue;
    }
    if (value === undefined || value === null) {
      if (spec.required) {
        failures.push({
          property: name,
          reason: `${name} is required${spec.example ? `: ${spec.example}` : ""}`,
        });
      } else if (spec.defaultValue !== undefined) {
        inputs[name] = spec.defaultValue;
      }
      continue;
    }
    const problem =
      fieldProblem(spec, value) ??
      (spec.maxLength !== undefined && typeof value === "string" && value.length > spec.maxLength
        ? `is ${value.length} characters; Twilio allows at most ${spec.maxLength}`
        : undefined) ??
      (spec.rule ? spec.rule(value as never) : undefined);
    if (problem) {
      failures.push({ property: name, reason: `${name} ${problem}` });
      continue;
    }
    inputs[name] = spec.kind === "method" ? (value as string).toUpperCase() : value;
  }
  // Defaults that depend on other inputs (e.g. an IP entry's name from its address).
  for (const [name, value] of Object.entries(defaults(inputs))) {
    if (inputs[name] === undefined && value !== undefined) inputs[name] = value;
  }
  return failures.length > 0 ? { inputs, failures } : { inputs };
}

/** The canonical form of a stored value: Twilio's null and a missing field mean "not set". */
export function canonical(spec: FieldSpec, value: unknown): unknown {
  if (value === undefined || value === null)
    return spec.defaultValue ?? (spec.kind === "boolean" ? false : "");
  if (spec.kind === "method" && typeof value === "string") return value.toUpperCase();
  return value;
}

/** The engine's diff: olds are the stored outputs, news the checked inputs. */
export function diffInputs(schema: Schema, olds: Props, news: Props): dynamic.DiffResult {
  const replaces: string[] = [];
  const changed: string[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    if (spec.option) continue;
    const next = news[name];
    const differs = isUnknown(next) || canonical(spec, olds[name]) !== canonical(spec, next);
    if (!differs) continue;
    changed.push(name);
    if (spec.replaces) replaces.push(name);
  }
  return {
    changes: changed.length > 0,
    replaces,
    deleteBeforeReplace: false,
  };
}

/** Removes undefined values (the host would fail after Twilio already acted). */
export function withoutUndefined<T extends Props>(props: T): T {
  const result: Props = {};
  for (const [key, value] of Object.entries(props)) {
    if (value !== undefined) result[key] = value;
  }
  return result as T;
}

/** The managed inputs as read from Twilio (canonical), plus the provider options from state. */
export function inputsFromLive(schema: Schema, live: Props, previous: Props): Props {
  const inputs: Props = {};
  for (const [name, spec] of Object.entries(schema)) {
    inputs[name] = spec.option
      ? (previous[name] ?? spec.defaultValue ?? false)
      : canonical(spec, live[name]);
  }
  return inputs;
}

/** ISO text for Twilio's dates (the SDK gives Date objects, state wants JSON). */
export function isoDate(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString();
  return typeof value === "string" ? value : "";
}
