/**
 * A local stand-in for the two LINE Messaging API operations line-call uses: push a message
 * (POST /v2/bot/message/push, the missed-call follow-up) and get a profile
 * (GET /v2/bot/profile/{userId}, how an operator confirms that a user ID from X-User-To-User is one
 * the channel knows). Every request body and every response of its own is checked against LINE's
 * published OpenAPI description (messaging_api_push.yml, see OPENAPI-SOURCE.md), message types
 * through the spec's discriminator mapping; a request that does not conform gets LINE's 400 and
 * is recorded in `validationErrors`, as is a non-conforming response (a stand-in bug).
 *
 * Like the channel it imitates, it knows one channel access token and the user IDs that are
 * friends of the channel: another token gets 401, another user 400 ("Failed to send messages",
 * as LINE answers a user ID of another provider). A repeated X-Line-Retry-Key gets 409.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { parse } from "yaml";
import { type Fault, readText, type StandinServer, serve, sleep } from "./http";

const SPEC_FILE = join(__dirname, "messaging_api_push.yml");
const SCHEMAS = "line#/components/schemas";

export interface LinePushReceived {
  to: string;
  messages: { type: string; text?: string }[];
  retryKey: string | undefined;
}

export interface LineStandin extends StandinServer {
  /** The channel access token it accepts. */
  channelAccessToken: string;
  /** Pushes accepted, in order. */
  pushes: LinePushReceived[];
  /** Requests and responses that did not conform to the spec; tests expect none. */
  validationErrors: string[];
  fault: Fault | undefined;
}

interface LineSpec {
  components: {
    schemas: Record<string, { discriminator?: { mapping: Record<string, string> } }>;
  };
}

function compileSpec() {
  const spec = parse(readFileSync(SPEC_FILE, "utf8")) as LineSpec;
  // OpenAPI 3.0 keywords that are not JSON Schema (discriminator, externalDocs, example) are
  // annotations here; the discriminator is applied below, per message.
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat("uri", (value: string) => URL.canParse(value));
  ajv.addFormat("int32", { type: "number", validate: Number.isInteger });
  ajv.addFormat("int64", { type: "number", validate: Number.isInteger });
  ajv.addSchema(spec, "line");
  const schema = (name: string) => {
    const validate = ajv.getSchema(`${SCHEMAS}/${name}`);
    if (!validate) throw new Error(`${name} is not in ${SPEC_FILE}`);
    return validate;
  };
  const mapping = spec.components.schemas.Message?.discriminator?.mapping ?? {};
  const messageTypes = new Map<string, ValidateFunction>();
  for (const [type, ref] of Object.entries(mapping)) {
    const name = ref.split("/").pop() ?? "";
    if (spec.components.schemas[name]) messageTypes.set(type, schema(name));
  }
  return {
    pushRequest: schema("PushMessageRequest"),
    pushResponse: schema("PushMessageResponse"),
    profileResponse: schema("UserProfileResponse"),
    errorResponse: schema("ErrorResponse"),
    messageTypes,
    errorsOf: (validate: ValidateFunction) => ajv.errorsText(validate.errors),
  };
}

export async function startLineStandin(
  options: { channelAccessToken?: string; friends?: Record<string, string> } = {},
): Promise<LineStandin> {
  const spec = compileSpec();
  const channelAccessToken = options.channelAccessToken ?? randomUUID().replace(/-/g, "");
  /** User ID → display name: the users the channel knows. */
  const friends = new Map(Object.entries(options.friends ?? {}));
  const pushes: LinePushReceived[] = [];
  const validationErrors: string[] = [];
  const retryKeys = new Set<string>();
  let fault: Fault | undefined;

  const send = (response: ServerResponse, status: number, body: object) => {
    const validate = status === 200 ? undefined : spec.errorResponse;
    if (validate && !validate(body)) {
      validationErrors.push(`response ${status}: ${spec.errorsOf(validate)}`);
    }
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  const checked = (response: ServerResponse, validate: ValidateFunction, body: object) => {
    if (!validate(body)) validationErrors.push(`response 200: ${spec.errorsOf(validate)}`);
    send(response, 200, body);
  };

  const server = await serve(async (request, response) => {
    const text = await readText(request);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.status) return send(response, fault.status, { message: "stand-in fault" });
    if (request.headers.authorization !== `Bearer ${channelAccessToken}`) {
      return send(response, 401, {
        message:
          "Authentication failed. Confirm that the access token in the authorization header is valid.",
      });
    }
    const url = new URL(request.url ?? "/", "http://line.invalid");
    const profile = /^\/v2\/bot\/profile\/([^/]+)$/.exec(url.pathname);
    if (request.method === "GET" && profile) {
      const userId = decodeURIComponent(profile[1]);
      const displayName = friends.get(userId);
      if (displayName === undefined) return send(response, 404, { message: "Not found" });
      return checked(response, spec.profileResponse, { userId, displayName, language: "ja" });
    }
    if (request.method !== "POST" || url.pathname !== "/v2/bot/message/push") {
      return send(response, 404, { message: "Not found" });
    }

    const invalid = (problem: string) => {
      validationErrors.push(`request: ${problem}`);
      send(response, 400, {
        message: "The request body has 1 error(s)",
        details: [{ message: problem }],
      });
    };
    if (!/^application\/json\b/.test(request.headers["content-type"] ?? "")) {
      return invalid("Content-Type must be application/json");
    }
    let body: LinePushReceived;
    try {
      body = JSON.parse(text);
    } catch {
      return invalid("the body is not JSON");
    }
    if (!spec.pushRequest(body)) return invalid(spec.errorsOf(spec.pushRequest));
    for (const [index, message] of body.messages.entries()) {
      const validate = spec.messageTypes.get(message.type);
      if (!validate)
        return invalid(`messages[${index}].type ${message.type} is not a message type`);
      if (!validate(message)) return invalid(`messages[${index}]: ${spec.errorsOf(validate)}`);
    }
    const retryKey = request.headers["x-line-retry-key"];
    const key = typeof retryKey === "string" ? retryKey : undefined;
    if (key !== undefined && !/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(key)) {
      return invalid(`X-Line-Retry-Key ${key} is not a UUID`);
    }
    if (!friends.has(body.to)) return send(response, 400, { message: "Failed to send messages" });
    if (key !== undefined && retryKeys.has(key)) {
      return send(response, 409, { message: "The retry key is already accepted" });
    }
    if (key !== undefined) retryKeys.add(key);
    pushes.push({ to: body.to, messages: body.messages, retryKey: key });
    checked(response, spec.pushResponse, {
      sentMessages: body.messages.map(() => ({ id: String(Date.now()) })),
    });
  });
  return {
    ...server,
    channelAccessToken,
    pushes,
    validationErrors,
    get fault() {
      return fault;
    },
    set fault(value) {
      fault = value;
    },
  };
}
