// Input rules shared by the four providers: one table of fields per resource drives `check`
// (validation naming the property, defaults filled so diffs stay stable), `diff` (which changes
// replace) and the canonical form `read` returns, so a refresh followed by a diff is empty.
// The same tables, declared `as const satisfies Schema` / `OutputTable`, give each resource its
// TypeScript types: the program's args, the resolved inputs `create` and `update` receive, the
// state they return and the resource class's output properties (see the types below).
import type * as pulumi from "@pulumi/pulumi";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { isUnknown } from "../model/pulumiEngine";

/** The TypeScript type of each field kind once checked. */
interface KindTypes {
  string: string;
  url: string;
  method: string;
  sid: string;
  boolean: boolean;
  integer: number;
  /** A set of strings, kept sorted (the order never matters and never shows as a change). */
  stringList: string[];
}

export type FieldKind = keyof KindTypes;

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
  /**
   * Where the object lives (a segment of its Twilio path, like the account), not a field Twilio
   * stores on it: never sent in a create or update body.
   */
  inPath?: boolean;
  /**
   * What an unset value means, when that is not a constant (the credentials' own account): the
   * diff compares the stored value with it. Undefined from it (not known here) counts as no change.
   */
  whenUnset?: () => string | undefined;
  /** Extra rule: returns the problem, or undefined when the value is fine. */
  rule?: (value: never) => string | undefined;
}

export type Schema = Record<string, FieldSpec>;

export type Props = Record<string, unknown>;

/**
 * The outputs Twilio computes, beside the inputs: "string" is Twilio's field of the same name
 * ("" when Twilio has none), "date" its date as ISO text ("" when none).
 */
export type OutputKind = "string" | "date";

export type OutputTable = Record<string, OutputKind>;

/** The outputs Twilio gives every SIP domain, IP access control list and IP entry. */
export const SIP_OBJECT_OUTPUTS = {
  sid: "string",
  accountSid: "string",
  uri: "string",
  dateCreated: "date",
  dateUpdated: "date",
} as const satisfies OutputTable;

type FieldType<F extends FieldSpec> = KindTypes[F["kind"]];

/** The inputs `create` and `update` receive: checked, every field present, nothing unknown. */
export type Resolved<S extends Schema> = { -readonly [K in keyof S]: FieldType<S[K]> };

/** The outputs of a table, as values. */
export type OutputValues<O extends OutputTable> = { -readonly [K in keyof O]: string };

/** What `create`, `update` and `read` return as outputs: the managed inputs and the outputs. */
export type State<S extends Schema, O extends OutputTable> = Resolved<S> & OutputValues<O>;

type RequiredFields<S extends Schema> = {
  [K in keyof S]: S[K] extends { required: true } ? K : never;
}[keyof S];

/** The program's arguments: each field a `pulumi.Input`, optional unless required. */
export type ResourceArgs<S extends Schema> = {
  -readonly [K in RequiredFields<S>]: pulumi.Input<FieldType<S[K]>>;
} & {
  -readonly [K in Exclude<keyof S, RequiredFields<S>>]?: pulumi.Input<FieldType<S[K]>>;
};

/** A resource class's output properties: its Twilio fields (not provider options) and outputs. */
export type OutputProperties<S extends Schema, O extends OutputTable> = {
  readonly [K in keyof S as S[K] extends { option: true } ? never : K]: pulumi.Output<
    FieldType<S[K]>
  >;
} & { readonly [K in keyof O]: pulumi.Output<string> };

/**
 * The props a resource class hands to `pulumi.dynamic.Resource` before its args: every output
 * property named with no value, so the resource exposes it once the provider fills it in.
 */
export function outputSlots(schema: Schema, outputs: OutputTable): Record<string, undefined> {
  return Object.fromEntries(
    [...managedFields(schema), ...Object.keys(outputs)].map((name) => [name, undefined]),
  );
}

/** The Twilio fields of a schema: every field but the provider options. */
export function managedFields<S extends Schema>(schema: S): Array<keyof S & string> {
  return Object.entries(schema)
    .filter(([, spec]) => !spec.option)
    .map(([name]) => name);
}

/** The fields Twilio stores on the object: the managed fields but those naming its path. */
export function bodyFields<S extends Schema>(schema: S): Array<keyof S & string> {
  return managedFields(schema).filter((name) => !schema[name].inPath);
}

/**
 * The longest URL accepted. Twilio's OpenAPI description gives the SIP domain's URL fields no
 * maxLength (only `format: uri`), and its docs state no limit for them; the one limit Twilio
 * documents for a callback URL is 4000 characters (error 21609, a Messages StatusCallback), so
 * that is the bound here. A webhook URL of this project is under 200.
 */
export const MAX_URL_LENGTH = 4000;

const FIELD_HINT: Record<FieldKind, string> = {
  string: "a string",
  url: "an absolute http(s) URL, e.g. https://example.com/voice",
  method: 'GET or POST (Twilio\'s default is "POST")',
  boolean: "true or false",
  integer: "a whole number",
  sid: "a Twilio SID",
  stringList: "a list of strings",
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
    case "url":
      return urlProblem(value);
    case "stringList": {
      if (!Array.isArray(value)) return `must be ${FIELD_HINT.stringList}`;
      const repeated = value.find((item, index) => value.indexOf(item) !== index);
      return repeated === undefined ? undefined : `lists ${JSON.stringify(repeated)} twice`;
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

/** What is wrong with a URL field's value ("" clears the field and is fine). */
function urlProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return `must be ${FIELD_HINT.url}`;
  if (value === "") return undefined;
  // URL parsing drops leading and trailing blanks and tabs or newlines anywhere, so the URL would
  // look fine here while Twilio stores (and calls) the text as given.
  const chars = [...value];
  const blankAt = chars.findIndex((char) => /\s/.test(char) || char < " " || char === "\u007f");
  if (blankAt >= 0) {
    return `must not contain spaces, tabs or newlines (found ${JSON.stringify(chars[blankAt])} at character ${blankAt + 1}): remove them, and write a space that belongs in the URL as %20`;
  }
  if (value.length > MAX_URL_LENGTH) {
    return `is ${value.length} characters; at most ${MAX_URL_LENGTH} are accepted (the limit Twilio documents for callback URLs): shorten the URL, e.g. move long query parameters into the webhook's own settings`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be ${FIELD_HINT.url}, not ${JSON.stringify(value)}`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `must be an http:// or https:// URL, not ${url.protocol}`;
  }
  // Also "https://@host", which parses to an empty user but is still sent as written.
  if (url.username || url.password || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value)) {
    return `must not contain user:password@ credentials (${url.protocol}//${url.host}…): they would be stored in plain text in the Pulumi state and Twilio's settings; remove them, and let the webhook check Twilio's request signature (X-Twilio-Signature) instead`;
  }
  return undefined;
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
    if (holdsUnknown(value)) {
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
    const problem = valueProblem(spec, value);
    if (problem) {
      failures.push({ property: name, reason: `${name} ${problem}` });
      continue;
    }
    inputs[name] = canonical(spec, value);
  }
  // Defaults that depend on other inputs (e.g. an IP entry's name from its address). They obey
  // the field's rules like a declared value, so check never hands create what Twilio refuses.
  for (const [name, value] of Object.entries(defaults(inputs))) {
    if (inputs[name] !== undefined || value === undefined) continue;
    const spec = schema[name];
    const problem = spec && !isUnknown(value) ? valueProblem(spec, value) : undefined;
    if (problem) {
      failures.push({
        property: name,
        reason: `${name} defaults to ${JSON.stringify(value)}, which ${problem}: set ${name}`,
      });
      continue;
    }
    inputs[name] = value;
  }
  return failures.length > 0 ? { inputs, failures } : { inputs };
}

/**
 * Whether the engine does not know the value yet (a preview): the unknown sentinel, or a list with
 * one in it (an element computed from another resource).
 */
function holdsUnknown(value: unknown): boolean {
  return isUnknown(value) || (Array.isArray(value) && value.some(isUnknown));
}

/** What is wrong with a present, known value of a field, or undefined. */
function valueProblem(spec: FieldSpec, value: unknown): string | undefined {
  return (
    fieldProblem(spec, value) ??
    (spec.maxLength !== undefined && typeof value === "string" && value.length > spec.maxLength
      ? `is ${value.length} characters; Twilio allows at most ${spec.maxLength}`
      : undefined) ??
    (spec.rule ? spec.rule(value as never) : undefined)
  );
}

/**
 * The canonical form of a stored value: Twilio's null and a missing field mean "not set". A list
 * left out stays left out (undefined: the resource then omits it), since an empty list says
 * something else; a list is sorted.
 */
export function canonical(spec: FieldSpec, value: unknown): unknown {
  if (spec.kind === "stringList") {
    return Array.isArray(value) ? [...value].map(String).sort() : undefined;
  }
  if (value === undefined || value === null)
    return spec.defaultValue ?? (spec.kind === "boolean" ? false : "");
  if (spec.kind === "method" && typeof value === "string") return value.toUpperCase();
  return value;
}

/** Where the engine keeps a dynamic resource's serialized provider, in its inputs and outputs. */
const PROVIDER_KEY = "__provider";

/** The managed fields whose new value differs from the stored one (an unknown one counts). */
export function changedFields(schema: Schema, olds: Props, news: Props): string[] {
  return Object.entries(schema)
    .filter(([name, spec]) => {
      if (spec.option) return false;
      const declared = news[name];
      const next = declared === undefined && spec.whenUnset ? spec.whenUnset() : declared;
      if (next === undefined && spec.whenUnset) return false;
      return (
        holdsUnknown(next) ||
        JSON.stringify(canonical(spec, olds[name])) !== JSON.stringify(canonical(spec, next))
      );
    })
    .map(([name]) => name);
}

/**
 * The engine's diff: olds are the stored outputs, news the checked inputs. A resource whose
 * stored provider is another than the program's (a stack made when resources carried their
 * provider's code by value, see installed.ts) is an update even with no field changed: only an
 * update writes the new provider into its state, so that refresh and destroy load the installed
 * module. That update changes nothing at Twilio (see `unchangedOutputs`).
 */
export function diffInputs(schema: Schema, olds: Props, news: Props): dynamic.DiffResult {
  const changed = changedFields(schema, olds, news);
  const stored = olds[PROVIDER_KEY];
  const next = news[PROVIDER_KEY];
  const providerMoved =
    typeof stored === "string" && typeof next === "string" && !isUnknown(next) && stored !== next;
  return {
    changes: changed.length > 0 || providerMoved,
    replaces: changed.filter((name) => schema[name].replaces),
    deleteBeforeReplace: false,
  };
}

/**
 * For `update`: the stored outputs, unchanged, when no managed field changed (only the provider
 * moved); undefined when there is something to write.
 */
export function unchangedOutputs<T extends Props>(
  schema: Schema,
  olds: T,
  news: Props,
): { outs: T } | undefined {
  if (changedFields(schema, olds, news).length > 0) return undefined;
  const { [PROVIDER_KEY]: _stored, ...outs } = olds;
  return { outs: outs as T };
}

/** The managed inputs as read from Twilio (canonical), plus the provider options from state. */
export function inputsFromLive<S extends Schema>(
  schema: S,
  live: Props,
  previous: Props,
): Resolved<S> {
  const inputs: Props = {};
  for (const [name, spec] of Object.entries(schema)) {
    const value = spec.option
      ? (previous[name] ?? spec.defaultValue ?? false)
      : canonical(spec, live[name]);
    if (value !== undefined) inputs[name] = value;
  }
  // canonical() gives each kind its type: a stored value of the field, or the kind's default.
  return inputs as Resolved<S>;
}

/**
 * The inputs a `read` hands the engine: the object's fields as read back, except a field whose
 * value is what unset means (`whenUnset`: an object in the credentials' own account). A stack
 * leaves that field out, so reading it back would make every refresh show `+accountSid` and the
 * next preview `-accountSid` beside the real changes. The state (outputs) still records it.
 */
export function readInputs<S extends Schema>(schema: S, live: Props, stored: Props): Resolved<S> {
  const inputs: Props = inputsFromLive(schema, live, stored);
  for (const [name, spec] of Object.entries(schema)) {
    if (spec.whenUnset && inputs[name] !== undefined && inputs[name] === spec.whenUnset()) {
      delete inputs[name];
    }
  }
  return inputs as Resolved<S>;
}

/**
 * A resource's state from the object Twilio returned: its inputs as read back, every output of
 * the table (never undefined), then the values the provider computes itself.
 */
export function stateFromLive<S extends Schema, O extends OutputTable>(
  schema: S,
  outputs: O,
  live: Props,
  previous: Props,
  computed: Partial<State<S, O>> = {},
): State<S, O> {
  const values: Props = {};
  for (const [name, kind] of Object.entries(outputs)) {
    const value = live[name];
    values[name] = kind === "date" ? isoDate(value) : typeof value === "string" ? value : "";
  }
  for (const [name, value] of Object.entries(computed)) {
    if (value !== undefined) values[name] = value;
  }
  return { ...inputsFromLive(schema, live, previous), ...(values as OutputValues<O>) };
}

/** ISO text for Twilio's dates (the SDK gives Date objects, state wants JSON). */
export function isoDate(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString();
  return typeof value === "string" ? value : "";
}
