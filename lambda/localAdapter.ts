/**
 * Serves the webhook handler over node:http the way an API Gateway HTTP API (payload format 2.0,
 * `$default` stage) invokes it: lower-cased headers, raw path and query, the Host as
 * `requestContext.domainName`, and form bodies base64-encoded. Used by the tests, by
 * `npm run dev:webhook` and by `npm run local`; never deployed.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Env, readSettings } from "./config";
import { createHandler, type WebhookEvent, type WebhookHandler } from "./handler";
import type { LogSink } from "./log";

/** API Gateway refuses request payloads above 10 MB before Lambda sees them. */
export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface LocalWebhookOptions {
  /** TCP port on 127.0.0.1; 0 or omitted picks a free one. */
  port?: number;
  /** Webhook settings (FORWARD_TO, TWILIO_AUTH_TOKEN, …); defaults to process.env. */
  env?: Env;
  /** Where the handler's JSON log lines go; defaults to stdout. */
  log?: LogSink;
  /** Serve this handler instead of a fresh `createHandler({ env, log, now })` (e.g. the built bundle's). */
  handler?: WebhookHandler;
  /** The handler's clock for business hours (tests, `dev:webhook --at`); the real one otherwise. */
  now?: () => Date;
}

export interface LocalWebhook {
  /** Where to send requests, e.g. http://127.0.0.1:49152 (no trailing slash). */
  url: string;
  /**
   * The base URL the handler checks signatures against, as Twilio would be configured with it:
   * PUBLIC_BASE_URL when set, otherwise https://{Host} (an HTTP API is HTTPS-only). Sign
   * `${publicBaseUrl}/voice`, post to `${url}/voice`.
   */
  publicBaseUrl: string;
  close(): Promise<void>;
}

// Bodies API Gateway passes as text; everything else (forms included) arrives base64-encoded.
const TEXT_CONTENT_TYPE = /^(text\/|application\/(json|xml)\b)/i;

function readBody(request: IncomingMessage): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > API_GATEWAY_MAX_PAYLOAD_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

export function toHttpApiEvent(
  request: IncomingMessage,
  body: Buffer,
  fallbackHost: string,
): WebhookEvent {
  const rawUrl = request.url ?? "/";
  const queryStart = rawUrl.indexOf("?");
  const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? "" : rawUrl.slice(queryStart + 1);

  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headersDistinct)) {
    if (!value) continue;
    if (name === "cookie") cookies.push(...value.flatMap((v) => v.split(/;\s*/)));
    else headers[name] = value.join(",");
  }
  const domainName = headers.host ?? fallbackHost;
  headers.host = domainName;

  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] =
      name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }

  const method = request.method ?? "GET";
  const now = new Date();
  const isText = TEXT_CONTENT_TYPE.test(headers["content-type"] ?? "");
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName,
      domainPrefix: domainName.split(".")[0] ?? domainName,
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? body.toString("utf8") : body.toString("base64") } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

async function serve(
  handler: WebhookHandler,
  fallbackHost: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request);
  if (body === "too-large") {
    response.writeHead(413, { "content-type": "application/json" });
    response.end('{"message":"Request Entity Too Large"}');
    return;
  }
  const result = await handler(toHttpApiEvent(request, body, fallbackHost));
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers["set-cookie"] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(
    result.body === undefined
      ? undefined
      : Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8"),
  );
}

/** Starts the webhook on 127.0.0.1 and resolves once it is listening. */
export async function startLocalWebhook(options: LocalWebhookOptions = {}): Promise<LocalWebhook> {
  const env = options.env ?? process.env;
  const handler = options.handler ?? createHandler({ env, log: options.log, now: options.now });
  let fallbackHost = "127.0.0.1";
  const server = createServer((request, response) => {
    serve(handler, fallbackHost, request, response).catch(() => {
      // Lambda integration errors surface from API Gateway as this 500.
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end('{"message":"Internal Server Error"}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  fallbackHost = `127.0.0.1:${port}`;
  return {
    url: `http://127.0.0.1:${port}`,
    // The same rule the handler applies (an invalid PUBLIC_BASE_URL is ignored there too).
    publicBaseUrl: readSettings(env).publicBaseUrl ?? `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
