// Twilio's own OpenAPI description (the SIP cut in twilio_api_v2010_sip.json and the accounts cut
// in twilio_api_v2010_accounts.json) turned into routes and ajv validators. Nothing here restates Twilio's schemas by hand: every parameter,
// enum, pattern and response shape comes from the JSON file, so the stand-in is exactly as
// strict as the published API description.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";

/** Checks a value; returns what is wrong with it, or undefined when it conforms. */
export type Validator = (value: unknown) => string | undefined;

type Json = Record<string, unknown>;

interface ParameterSpec {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: Json;
}

interface OperationSpec {
  operationId: string;
  parameters?: ParameterSpec[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}

export interface Operation {
  operationId: string;
  method: "GET" | "POST" | "DELETE";
  /** The spec's path template, e.g. `/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{Sid}.json`. */
  template: string;
  pathParamNames: string[];
  /** Form parameters the operation declares, with their JSON-schema types (for coercion). */
  bodyProperties: Record<string, Json>;
  bodyRequired: string[];
  queryProperties: Record<string, Json>;
  validatePath: Validator;
  validateQuery: Validator;
  validateBody: Validator | undefined;
  /** Status code → validator of the JSON body (undefined for a body-less status like 204). */
  responses: Map<number, Validator | undefined>;
}

export interface RouteMatch {
  operation: Operation;
  params: Record<string, string>;
}

/** The cuts of Twilio's description the stand-in serves (see OPENAPI-SOURCE.md). */
export const SPEC_FILES = [
  join(__dirname, "twilio_api_v2010_sip.json"),
  join(__dirname, "twilio_api_v2010_accounts.json"),
];

const HTTP_METHODS = ["get", "post", "delete"] as const;

/**
 * Formats the spec uses. Requests must carry absolute http(s) URLs (Twilio refuses anything
 * else as a webhook); in responses Twilio's list envelopes declare `format: uri` for
 * relative references such as `first_page_uri`, so there a leading-slash path is a URI too.
 */
function addTwilioFormats(ajv: Ajv, uriKind: "absolute" | "reference"): void {
  ajv.addFormat("uri", (value: string) => {
    if (uriKind === "reference" && value.startsWith("/")) return true;
    try {
      const url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch {
      return false;
    }
  });
  ajv.addFormat("http-method", /^(HEAD|GET|POST|PATCH|PUT|DELETE)$/);
  ajv.addFormat(
    "date-time-rfc-2822",
    /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/,
  );
  ajv.addFormat("uri-map", {
    type: "string",
    validate: () => true,
  });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
}

function newAjv(uriKind: "absolute" | "reference"): Ajv {
  // strict: false because the spec carries OpenAPI/Twilio keywords (x-twilio, example) that are
  // not JSON Schema; ajv 8 understands OpenAPI's `nullable` natively.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addTwilioFormats(ajv, uriKind);
  return ajv;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Inline `#/components/schemas/...` references so each validator stands alone. */
function resolveRefs(schema: unknown, components: Record<string, Json>): unknown {
  if (Array.isArray(schema)) return schema.map((item) => resolveRefs(item, components));
  if (schema === null || typeof schema !== "object") return schema;
  const object = schema as Json;
  if (typeof object.$ref === "string") {
    const name = object.$ref.replace("#/components/schemas/", "");
    const target = components[name];
    if (!target) throw new Error(`Unresolvable $ref ${object.$ref} in the Twilio spec`);
    return resolveRefs(clone(target), components);
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(object)) out[key] = resolveRefs(value, components);
  return out;
}

/**
 * Twilio always returns every declared field (null when unset) and nothing else. The spec's
 * schemas only list the fields, so the response validators add that closure: every object
 * with `properties` requires all of them and allows no others. A stand-in that forgets a field
 * or invents one is caught.
 */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) {
    out[key] =
      key === "properties" && value && typeof value === "object"
        ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, closeObjects(v)]))
        : closeObjects(value);
  }
  if (out.properties && typeof out.properties === "object") {
    out.required = Object.keys(out.properties as Json);
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Compiles on first use: a test process touches a dozen of the spec's operations, and compiling
 * all of them up front would cost about a second per stand-in process.
 */
function lazyValidator(ajv: Ajv, schema: Json): Validator {
  let compiled: ValidateFunction | undefined;
  return (value) => {
    compiled ??= ajv.compile(schema);
    return compiled(value) ? undefined : describeErrors(compiled.errors);
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function templateToRegExp(template: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const pattern = template
    .split(/(\{[A-Za-z]+\})/)
    .map((part) => {
      const m = /^\{([A-Za-z]+)\}$/.exec(part);
      if (m) {
        names.push(m[1]);
        return "([^/]+?)";
      }
      return escapeRegExp(part);
    })
    .join("");
  return { regex: new RegExp(`^${pattern}$`), names };
}

function objectSchemaOf(params: ParameterSpec[]): Json {
  return {
    type: "object",
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required).map((p) => p.name),
    additionalProperties: false,
  };
}

export class TwilioSpec {
  private readonly routes: { regex: RegExp; template: string; operations: Operation[] }[] = [];
  readonly operations = new Map<string, Operation>();
  /** Checks an error body (status ≥ 400). */
  readonly validateErrorBody: Validator;

  constructor(specFiles: string[] = SPEC_FILES) {
    // The cuts come from one description, so their paths and component names never collide.
    const cuts = specFiles.map(
      (file) =>
        JSON.parse(readFileSync(file, "utf8")) as {
          paths: Record<string, Record<string, unknown>>;
          components: { schemas: Record<string, Json> };
        },
    );
    const spec = {
      paths: Object.assign({}, ...cuts.map((cut) => cut.paths)) as Record<
        string,
        Record<string, unknown>
      >,
    };
    const components = Object.assign({}, ...cuts.map((cut) => cut.components.schemas)) as Record<
      string,
      Json
    >;
    const requestAjv = newAjv("absolute");
    const responseAjv = newAjv("reference");

    for (const [template, pathItem] of Object.entries(spec.paths)) {
      const { regex, names } = templateToRegExp(template);
      const operations: Operation[] = [];
      for (const method of HTTP_METHODS) {
        const op = pathItem[method] as OperationSpec | undefined;
        if (!op?.operationId) continue;
        // A parameter's schema may name a component too (the accounts' Status enum).
        const params = (op.parameters ?? []).map((p) => ({
          ...p,
          schema: resolveRefs(p.schema, components) as Json,
        }));
        const pathParams = params.filter((p) => p.in === "path");
        const queryParams = params.filter((p) => p.in === "query");
        const bodySchema = op.requestBody?.content["application/x-www-form-urlencoded"]?.schema;
        const closedBody: Json | undefined = bodySchema
          ? { ...(resolveRefs(bodySchema, components) as Json), additionalProperties: false }
          : undefined;
        const responses = new Map<number, Validator | undefined>();
        for (const [status, response] of Object.entries(op.responses)) {
          const schema = response.content?.["application/json"]?.schema;
          responses.set(
            Number(status),
            schema
              ? lazyValidator(responseAjv, closeObjects(resolveRefs(schema, components)) as Json)
              : undefined,
          );
        }
        const operation: Operation = {
          operationId: op.operationId,
          method: method.toUpperCase() as Operation["method"],
          template,
          pathParamNames: names,
          bodyProperties: (closedBody?.properties as Record<string, Json>) ?? {},
          bodyRequired: (closedBody?.required as string[]) ?? [],
          queryProperties: Object.fromEntries(queryParams.map((p) => [p.name, p.schema])),
          validatePath: lazyValidator(requestAjv, objectSchemaOf(pathParams)),
          validateQuery: lazyValidator(requestAjv, objectSchemaOf(queryParams)),
          validateBody: closedBody ? lazyValidator(requestAjv, closedBody) : undefined,
          responses,
        };
        operations.push(operation);
        this.operations.set(operation.operationId, operation);
      }
      this.routes.push({ regex, template, operations });
    }

    // The spec declares no error responses; Twilio's error body is fixed and documented.
    this.validateErrorBody = lazyValidator(responseAjv, {
      type: "object",
      properties: {
        code: { type: "integer" },
        message: { type: "string" },
        more_info: { type: "string", format: "uri" },
        status: { type: "integer" },
      },
      required: ["code", "message", "more_info", "status"],
      additionalProperties: false,
    });
  }

  /**
   * Finds the operation for a request path and method. `pathKnown` tells a path the spec
   * describes under another method (405) from a path it does not describe at all (404).
   */
  match(method: string, path: string): { match?: RouteMatch; pathKnown: boolean } {
    let pathKnown = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathKnown = true;
      const operation = route.operations.find((op) => op.method === method);
      if (!operation) continue;
      const params: Record<string, string> = {};
      operation.pathParamNames.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1]);
      });
      return { match: { operation, params }, pathKnown };
    }
    return { pathKnown };
  }
}

let shared: TwilioSpec | undefined;
/** Compiling the validators takes a moment; one compiled spec serves a whole process. */
export function loadTwilioSpec(): TwilioSpec {
  shared ??= new TwilioSpec();
  return shared;
}

export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const where = e.instancePath ? e.instancePath.slice(1).replaceAll("/", ".") : "(root)";
      if (e.keyword === "additionalProperties") {
        return `${where} has unknown field ${JSON.stringify(e.params.additionalProperty)}`;
      }
      if (e.keyword === "enum") {
        return `${where} must be one of ${(e.params.allowedValues as unknown[]).join(", ")}`;
      }
      return `${where} ${e.message}`;
    })
    .join("; ");
}

/** Twilio reads form values as strings; coerce them to the types the spec declares. */
export function coerceFormValue(value: string | string[], schema: Json | undefined): unknown {
  if (Array.isArray(value)) return value; // a repeated scalar parameter: left for ajv to reject
  const type = schema?.type;
  if (type === "boolean") {
    if (value === "true") return true;
    if (value === "false") return false;
    return value;
  }
  if (type === "integer" || type === "number") {
    return /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return value;
}
