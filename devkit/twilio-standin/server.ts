// A stateful stand-in for Twilio's REST API (the SIP domain, IP access control list, IP address
// and the domain's Auth/Calls IP-ACL mapping, and the accounts: a parent with its subaccounts), so
// the providers can be tested end to end without Twilio. Every request and every response is
// checked against Twilio's own OpenAPI description (twilio_api_v2010_sip.json and
// twilio_api_v2010_accounts.json); anything that does not conform is answered like Twilio would
// and recorded in `validationErrors`, which tests assert stays empty.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Account, AccountStore, type SubaccountSeed } from "./accounts";
import { coerceFormValue, loadTwilioSpec, type Operation } from "./spec";
import {
  type FormValues,
  type MappingView,
  notFound,
  type ResourceKind,
  type SipStore,
  TwilioApiError,
} from "./store";

export type { SubaccountSeed } from "./accounts";
export { TwilioApiError } from "./store";

/** A valid but obviously made-up account, so nothing can be mistaken for a real one. */
export const DEFAULT_ACCOUNT_SID = `AC${"1ca11ed0".repeat(4)}`;
export const DEFAULT_AUTH_TOKEN = "7d3c1e0f".repeat(4);

export interface StandinOptions {
  host?: string;
  port?: number;
  accountSid?: string;
  authToken?: string;
  /** Optional "SK…" API key of the main account, accepted with apiSecret (Basic auth user = key). */
  apiKey?: string;
  apiSecret?: string;
  /** Subaccounts of the main account to hold from the start (each with its own auth token). */
  subaccounts?: SubaccountSeed[];
  /** Default page size of list endpoints (Twilio's is 50); a PageSize parameter overrides it. */
  pageSize?: number;
  /** Added to every response. */
  latencyMs?: number;
  /** Called after each request is answered (or deliberately not answered); the CLI logs with it. */
  onRequest?: (record: RequestRecord) => void;
}

export interface Fault {
  /** "GET" | "POST" | "DELETE"; any when omitted. */
  method?: string;
  /** Matched against the request path (a string matches as a substring). */
  path?: RegExp | string;
  /**
   * "drop": close the socket without answering, before doing the write.
   * "lost-response": perform the request (state changes), then destroy the socket unanswered.
   * "429": Twilio's 20429 Too Many Requests; "500"/"503": Twilio's error body.
   * "latency": delay the matching requests by latencyMs, then serve them normally.
   */
  kind: "429" | "500" | "503" | "drop" | "lost-response" | "latency";
  /** How many matching requests it hits (default 1; Infinity until clearFaults). */
  times?: number;
  /** Delay before the fault happens (for kind "latency", the delay itself). */
  latencyMs?: number;
  /** For kind "429": send `Retry-After: <seconds>` (Twilio may or may not send one). */
  retryAfterSeconds?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  /** HTTP status answered; 0 when a fault dropped the connection without an answer. */
  status: number;
  operationId?: string;
  /** The account whose credentials made the request (absent when they were refused). */
  callerAccountSid?: string;
  /** The fault that hit this request, if any. */
  fault?: Fault["kind"];
  /** When the request arrived and when it was answered (or dropped), in this process's
   * performance.now() milliseconds: for timing a run's Twilio calls (bench/firstRun.ts). */
  receivedMs: number;
  answeredMs?: number;
}

/** One account's SIP resources, as Twilio's JSON. */
export interface AccountInventory {
  domains(): Record<string, unknown>[];
  ipAccessControlLists(): Record<string, unknown>[];
  ipAddresses(ipAccessControlListSid?: string): Record<string, unknown>[];
  ipAccessControlListMappings(domainSid?: string): Record<string, unknown>[];
}

export interface StandinAccount {
  sid: string;
  authToken: string;
  /** The parent's SID (the main account's is its own). */
  ownerAccountSid: string;
  friendlyName: string;
  status: string;
}

/** The main account's inventory at the top level; `account(sid)` gives any account's. */
export interface TwilioStandin extends AccountInventory {
  url: string;
  /** The main (parent) account and its token. */
  accountSid: string;
  authToken: string;
  close(): Promise<void>;
  /**
   * A new subaccount of the main account (or of `parentSid`), as `POST /Accounts.json` with the
   * parent's credentials makes one.
   */
  createSubaccount(seed?: SubaccountSeed, parentSid?: string): StandinAccount;
  /** Another main account (another operator), for SIDs the main account's credentials cannot reach. */
  createMainAccount(seed?: SubaccountSeed): StandinAccount;
  /** Every account: the main one first, then the others in the order they were made. */
  accounts(): StandinAccount[];
  /** One account's SIP resources. */
  account(sid: string): AccountInventory;
  requests: RequestRecord[];
  resetRequests(): void;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  edit(kind: string, sid: string, patch: Record<string, unknown>): void;
  remove(kind: string, sid: string): void;
  validationErrors: string[];
}

type Json = Record<string, unknown>;

interface Reply {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
}

interface HandlerContext {
  params: Record<string, string>;
  query: Json;
  form: FormValues;
  /** Request path without the query string, as sent. */
  path: string;
  /** The account whose credentials made the request. */
  caller: string;
}

const RESOURCE_KINDS: readonly ResourceKind[] = [
  "domain",
  "ipAccessControlList",
  "ipAddress",
  "mapping",
];

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** URLSearchParams → object; a repeated name becomes an array (which scalar schemas refuse). */
function paramsToObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    const existing = out[key];
    out[key] =
      existing === undefined
        ? value
        : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return out;
}

function kindOf(kind: string): ResourceKind {
  if (!(RESOURCE_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`Unknown resource kind "${kind}"; use one of ${RESOURCE_KINDS.join(", ")}`);
  }
  return kind as ResourceKind;
}

/** The operations on accounts themselves (the rest act inside one account, under its path). */
const ACCOUNT_OPERATIONS = ["ListAccount", "CreateAccount", "FetchAccount", "UpdateAccount"];

class Standin {
  readonly spec = loadTwilioSpec();
  readonly accounts: AccountStore;
  readonly requests: RequestRecord[] = [];
  readonly validationErrors: string[] = [];
  private faults: { fault: Fault; remaining: number }[] = [];
  latencyMs: number;
  private readonly pageSize: number;

  constructor(
    private readonly options: StandinOptions & { accountSid: string; authToken: string },
  ) {
    this.accounts = new AccountStore(options.accountSid, options.authToken);
    for (const seed of options.subaccounts ?? []) this.accounts.createSubaccount(seed);
    this.latencyMs = options.latencyMs ?? 0;
    this.pageSize = options.pageSize ?? 50;
  }

  injectFault(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /**
   * Takes one hit from each matching latency fault and from the first other matching fault
   * (faults apply in the order they were injected); their delays add up.
   */
  private takeFaults(method: string, path: string): { latencyMs: number; fault?: Fault } {
    let latencyMs = 0;
    let fault: Fault | undefined;
    for (const entry of this.faults) {
      const f = entry.fault;
      if (entry.remaining <= 0) continue;
      if (f.method && f.method.toUpperCase() !== method) continue;
      if (f.path instanceof RegExp ? !f.path.test(path) : f.path && !path.includes(f.path))
        continue;
      if (f.kind === "latency") {
        latencyMs += f.latencyMs ?? 0;
        entry.remaining--;
      } else if (!fault) {
        fault = f;
        latencyMs += f.latencyMs ?? 0;
        entry.remaining--;
      }
    }
    this.faults = this.faults.filter((entry) => entry.remaining > 0);
    return { latencyMs, fault };
  }

  /** The account whose credentials the request carries, or undefined when they are not valid. */
  private caller(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization ?? "";
    const m = /^Basic\s+(\S+)$/i.exec(header);
    if (!m) return undefined;
    const decoded = Buffer.from(m[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const { accountSid, apiKey, apiSecret } = this.options;
    if (apiKey !== undefined && apiSecret !== undefined && user === apiKey) {
      return password === apiSecret ? accountSid : undefined;
    }
    return this.accounts.authenticate(user, password);
  }

  /**
   * Twilio's refusal of a request outside the caller's accounts, or undefined when it may go on:
   * an account's credentials reach that account and, for a parent, its subaccounts. A path under
   * any other account (the parent's, a sibling's, one that does not exist) is answered 401 20003,
   * as Twilio answers credentials that do not match the path's account; fetching or updating
   * another account's own record is answered 404 20404, as if it did not exist.
   */
  private refusal(
    operation: Operation,
    params: Record<string, string>,
    caller: string,
    path: string,
  ): TwilioApiError | undefined {
    if (params.AccountSid !== undefined && !this.accounts.mayReach(caller, params.AccountSid)) {
      return new TwilioApiError(401, 20003, "Authenticate");
    }
    if (ACCOUNT_OPERATIONS.includes(operation.operationId) && params.Sid !== undefined) {
      if (!this.accounts.mayReach(caller, params.Sid)) return notFound(path);
    }
    return undefined;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://standin.invalid");
    const path = url.pathname;
    const record: RequestRecord = { method, path, status: 0, receivedMs: performance.now() };
    this.requests.push(record);
    const rawBody = await readBody(req);

    const finish = (reply: Reply | undefined, operation?: Operation): void => {
      record.answeredMs = performance.now();
      if (reply) {
        record.status = reply.status;
        this.send(res, reply, operation);
      } else {
        // Deliberately unanswered: the client sees a reset connection.
        res.socket?.destroy();
      }
      this.options.onRequest?.(record);
    };

    const caller = this.caller(req);
    if (caller !== undefined) record.callerAccountSid = caller;
    if (caller === undefined) {
      await sleep(this.latencyMs);
      finish({
        status: 401,
        body: new TwilioApiError(401, 20003, "Authenticate").body(),
        headers: { "WWW-Authenticate": 'Basic realm="Twilio API"' },
      });
      return;
    }

    const { match, pathKnown } = this.spec.match(method, path);
    if (!match) {
      const problem = pathKnown
        ? `${method} ${path}: the Twilio API description has no ${method} operation on this path`
        : `${method} ${path}: not a path in the Twilio API description`;
      this.validationErrors.push(problem);
      const error = pathKnown
        ? new TwilioApiError(405, 20004, "Method not allowed")
        : notFound(path);
      await sleep(this.latencyMs);
      finish({ status: error.status, body: error.body() });
      return;
    }
    const { operation, params } = match;
    record.operationId = operation.operationId;

    // Faults hit only authenticated requests to a described operation, so a fault is never
    // used up by a request that could not have reached Twilio's handlers anyway.
    const { latencyMs, fault } = this.takeFaults(method, path);
    if (fault) record.fault = fault.kind;
    await sleep(this.latencyMs + latencyMs);

    if (fault?.kind === "drop") {
      finish(undefined);
      return;
    }
    if (fault?.kind === "429" || fault?.kind === "500" || fault?.kind === "503") {
      finish(this.faultReply(fault), operation);
      return;
    }

    let reply: Reply;
    const parsed = this.validateRequest(operation, params, url.searchParams, rawBody, req);
    if ("problem" in parsed) {
      this.validationErrors.push(`${operation.operationId} request: ${parsed.problem}`);
      reply = { status: 400, body: new TwilioApiError(400, 20001, parsed.problem).body() };
    } else {
      try {
        const refused = this.refusal(operation, params, caller, path);
        if (refused) throw refused;
        const ctx = { params, query: parsed.query, form: parsed.form, path, caller };
        reply = ACCOUNT_OPERATIONS.includes(operation.operationId)
          ? this.dispatchAccount(operation, ctx)
          : this.dispatch(operation, this.accounts.require(params.AccountSid).sip, ctx);
      } catch (error) {
        if (!(error instanceof TwilioApiError)) throw error;
        reply = { status: error.status, body: error.body() };
      }
    }

    if (fault?.kind === "lost-response") {
      finish(undefined);
      return;
    }
    finish(reply, operation);
  }

  private faultReply(fault: Fault): Reply {
    if (fault.kind === "429") {
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined)
        headers["Retry-After"] = String(fault.retryAfterSeconds);
      return {
        status: 429,
        body: new TwilioApiError(429, 20429, "Too Many Requests").body(),
        headers,
      };
    }
    const error =
      fault.kind === "500"
        ? new TwilioApiError(500, 20500, "Internal Server Error")
        : new TwilioApiError(503, 20503, "Service Unavailable");
    return { status: error.status, body: error.body() };
  }

  /** Checks path parameters, query and form body against the operation's description. */
  private validateRequest(
    operation: Operation,
    params: Record<string, string>,
    search: URLSearchParams,
    rawBody: string,
    req: IncomingMessage,
  ): { query: Json; form: FormValues } | { problem: string } {
    const pathProblem = operation.validatePath(params);
    if (pathProblem) return { problem: `path parameter ${pathProblem}` };

    const query: Json = {};
    for (const [name, value] of Object.entries(paramsToObject(search))) {
      query[name] = coerceFormValue(value, operation.queryProperties[name]);
    }
    const queryProblem = operation.validateQuery(query);
    if (queryProblem) return { problem: `query parameter ${queryProblem}` };

    if (!operation.validateBody) {
      if (rawBody.length > 0) return { problem: `${operation.method} takes no request body` };
      return { query, form: {} };
    }
    const contentType = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (rawBody.length > 0 && contentType !== "application/x-www-form-urlencoded") {
      return { problem: `body must be application/x-www-form-urlencoded, not "${contentType}"` };
    }
    const form: FormValues = {};
    const checked: Json = {};
    for (const [name, value] of Object.entries(paramsToObject(new URLSearchParams(rawBody)))) {
      if (value === "" && name in operation.bodyProperties) {
        if (operation.bodyRequired.includes(name)) {
          return { problem: `Missing required parameter ${name} in the post body` };
        }
        form[name] = null; // Twilio: an empty value clears the field.
        continue;
      }
      const coerced = coerceFormValue(value, operation.bodyProperties[name]);
      form[name] = coerced;
      checked[name] = coerced;
    }
    for (const name of operation.bodyRequired) {
      if (!(name in form))
        return { problem: `Missing required parameter ${name} in the post body` };
    }
    const bodyProblem = operation.validateBody(checked);
    if (bodyProblem) return { problem: `parameter ${bodyProblem}` };
    return { query, form };
  }

  private send(res: ServerResponse, reply: Reply, operation?: Operation): void {
    this.validateResponse(reply, operation);
    const headers: Record<string, string> = {
      "Twilio-Request-Id": `RQ${randomBytes(16).toString("hex")}`,
      ...reply.headers,
    };
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...headers,
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": String(Buffer.byteLength(text)),
    });
    res.end(text);
  }

  /** A response that breaks the description is a stand-in bug: record it so tests fail. */
  private validateResponse(reply: Reply, operation?: Operation): void {
    const where = operation ? operation.operationId : "(no operation)";
    if (reply.status >= 400) {
      const problem = this.spec.validateErrorBody(reply.body);
      if (problem) this.validationErrors.push(`${where} response ${reply.status}: ${problem}`);
      return;
    }
    if (!operation?.responses.has(reply.status)) {
      this.validationErrors.push(`${where} response: status ${reply.status} is not declared`);
      return;
    }
    const validate = operation.responses.get(reply.status);
    if (!validate) {
      if (reply.body !== undefined) {
        this.validationErrors.push(`${where} response ${reply.status}: declared without a body`);
      }
      return;
    }
    const problem = validate(reply.body);
    if (problem) this.validationErrors.push(`${where} response ${reply.status}: ${problem}`);
  }

  private paginate(items: Json[], key: string, ctx: HandlerContext): Reply {
    const pageSize = (ctx.query.PageSize as number | undefined) ?? this.pageSize;
    const page = (ctx.query.Page as number | undefined) ?? 0;
    const token = ctx.query.PageToken as string | undefined;
    let startIndex = page * pageSize;
    // Twilio's tokens: "PA<sid>" = the page after that record, "PB<sid>" = the page before it.
    // Following them keeps paging stable when records are added or deleted in between.
    const at = token ? items.findIndex((item) => item.sid === token.slice(2)) : -1;
    if (token?.startsWith("PA") && at >= 0) startIndex = at + 1;
    if (token?.startsWith("PB") && at >= 0) startIndex = Math.max(0, at - pageSize);
    const slice = items.slice(startIndex, startIndex + pageSize);
    const pageUri = (p: number, pageToken?: string) =>
      `${ctx.path}?PageSize=${pageSize}&Page=${p}${pageToken ? `&PageToken=${pageToken}` : ""}`;
    const start = page * pageSize;
    return {
      status: 200,
      body: {
        [key]: slice,
        end: slice.length > 0 ? start + slice.length - 1 : start,
        first_page_uri: pageUri(0),
        next_page_uri:
          startIndex + pageSize < items.length
            ? pageUri(page + 1, `PA${String(slice[slice.length - 1].sid)}`)
            : null,
        page,
        page_size: pageSize,
        previous_page_uri:
          page > 0
            ? pageUri(page - 1, slice.length > 0 ? `PB${String(slice[0].sid)}` : undefined)
            : null,
        start,
        uri: pageUri(page, token),
      },
    };
  }

  /** The accounts' own operations; `refusal` has already kept the caller to its accounts. */
  private dispatchAccount(operation: Operation, ctx: HandlerContext): Reply {
    const a = this.accounts;
    const { params, query, form, caller } = ctx;
    switch (operation.operationId) {
      case "ListAccount": {
        const records = a
          .visibleTo(caller)
          .filter((r) => query.FriendlyName === undefined || r.friendly_name === query.FriendlyName)
          .filter((r) => query.Status === undefined || r.status === query.Status);
        return this.paginate(
          records.map((r) => a.render(r, caller)),
          "accounts",
          ctx,
        );
      }
      case "CreateAccount": {
        const created = a.createSubaccount(
          typeof form.FriendlyName === "string" ? { friendlyName: form.FriendlyName } : {},
          caller,
        );
        return { status: 201, body: a.render(created.record, caller) };
      }
      case "FetchAccount":
        return { status: 200, body: a.render(a.require(params.Sid).record, caller) };
      case "UpdateAccount":
        return { status: 200, body: a.render(a.update(params.Sid, form), caller) };
      default:
        throw new Error(`${operation.operationId} is not an account operation`);
    }
  }

  private dispatch(operation: Operation, s: SipStore, ctx: HandlerContext): Reply {
    const { params, form, path } = ctx;
    const mappingView: MappingView = operation.template.includes("/Auth/Calls/")
      ? "authCalls"
      : "legacy";
    switch (operation.operationId) {
      case "ListSipDomain":
        return this.paginate(
          [...s.domains.values()].map((d) => s.renderDomain(d)),
          "domains",
          ctx,
        );
      case "CreateSipDomain":
        return { status: 201, body: s.renderDomain(s.createDomain(form)) };
      case "FetchSipDomain":
        return { status: 200, body: s.renderDomain(s.requireDomain(params.Sid, path)) };
      case "UpdateSipDomain":
        return { status: 200, body: s.renderDomain(s.updateDomain(params.Sid, path, form)) };
      case "DeleteSipDomain":
        s.deleteDomain(params.Sid, path);
        return { status: 204 };

      case "ListSipIpAccessControlList":
        return this.paginate(
          [...s.ipAccessControlLists.values()].map((l) => s.renderIpAccessControlList(l)),
          "ip_access_control_lists",
          ctx,
        );
      case "CreateSipIpAccessControlList":
        return {
          status: 201,
          body: s.renderIpAccessControlList(s.createIpAccessControlList(form)),
        };
      case "FetchSipIpAccessControlList":
        return {
          status: 200,
          body: s.renderIpAccessControlList(s.requireIpAccessControlList(params.Sid, path)),
        };
      case "UpdateSipIpAccessControlList":
        return {
          status: 200,
          body: s.renderIpAccessControlList(s.updateIpAccessControlList(params.Sid, path, form)),
        };
      case "DeleteSipIpAccessControlList":
        s.deleteIpAccessControlList(params.Sid, path);
        return { status: 204 };

      case "ListSipIpAddress":
        s.requireIpAccessControlList(params.IpAccessControlListSid, path);
        return this.paginate(
          s.ipAddressesOf(params.IpAccessControlListSid).map((ip) => s.renderIpAddress(ip)),
          "ip_addresses",
          ctx,
        );
      case "CreateSipIpAddress":
        return {
          status: 201,
          body: s.renderIpAddress(s.createIpAddress(params.IpAccessControlListSid, path, form)),
        };
      case "FetchSipIpAddress":
        return {
          status: 200,
          body: s.renderIpAddress(
            s.requireIpAddress(params.IpAccessControlListSid, params.Sid, path),
          ),
        };
      case "UpdateSipIpAddress":
        return {
          status: 200,
          body: s.renderIpAddress(
            s.updateIpAddress(params.IpAccessControlListSid, params.Sid, path, form),
          ),
        };
      case "DeleteSipIpAddress":
        s.deleteIpAddress(params.IpAccessControlListSid, params.Sid, path);
        return { status: 204 };

      // The domain's Auth → Calls IP ACL mappings and the older Domains/{SD}/IpAccessControlListMappings
      // are two views of the same mappings (as in Twilio), each with its own representation.
      case "ListSipAuthCallsIpAccessControlListMapping":
      case "ListSipIpAccessControlListMapping": {
        s.requireDomain(params.DomainSid, path);
        const items = s
          .mappedAclSids(params.DomainSid)
          .map((acl) => s.renderMapping(params.DomainSid, acl, mappingView));
        const key = mappingView === "authCalls" ? "contents" : "ip_access_control_list_mappings";
        return this.paginate(items, key, ctx);
      }
      case "CreateSipAuthCallsIpAccessControlListMapping":
      case "CreateSipIpAccessControlListMapping": {
        const aclSid = s.createMapping(params.DomainSid, path, form);
        return { status: 201, body: s.renderMapping(params.DomainSid, aclSid, mappingView) };
      }
      case "FetchSipAuthCallsIpAccessControlListMapping":
      case "FetchSipIpAccessControlListMapping":
        s.requireDomain(params.DomainSid, path);
        s.requireMapping(params.DomainSid, params.Sid, path);
        return { status: 200, body: s.renderMapping(params.DomainSid, params.Sid, mappingView) };
      case "DeleteSipAuthCallsIpAccessControlListMapping":
      case "DeleteSipIpAccessControlListMapping":
        s.deleteMapping(params.DomainSid, params.Sid, path);
        return { status: 204 };

      default:
        // Credential lists and registrations are in the description but not in this product.
        this.validationErrors.push(
          `${operation.operationId}: described by Twilio but not implemented by the stand-in`,
        );
        throw new TwilioApiError(
          404,
          20404,
          `${operation.operationId} is not implemented by the stand-in`,
        );
    }
  }
}

export async function startTwilioStandin(options: StandinOptions = {}): Promise<TwilioStandin> {
  const accountSid = options.accountSid ?? DEFAULT_ACCOUNT_SID;
  const authToken = options.authToken ?? DEFAULT_AUTH_TOKEN;
  const standin = new Standin({ ...options, accountSid, authToken });
  const server = createServer((req, res) => {
    standin.handle(req, res).catch((error: unknown) => {
      // A crash inside the stand-in is a stand-in bug; surface it to the test, answer 500.
      standin.validationErrors.push(
        `stand-in crashed: ${String((error as Error)?.stack ?? error)}`,
      );
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "application/json" });
        res.end(JSON.stringify(new TwilioApiError(500, 20500, "Internal Server Error").body()));
      }
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const accounts = standin.accounts;
  /** The account that holds the object, for edits and removals behind the client's back. */
  const holderOf = (kind: ResourceKind, sid: string): SipStore => {
    const holder = [...accounts.accounts.values()].find(({ sip }) => sip.holds(kind, sid));
    if (!holder) throw new Error(`No ${kind} ${sid} in any account of the stand-in`);
    return holder.sip;
  };
  const describeAccount = ({ record }: Account): StandinAccount => ({
    sid: record.sid,
    authToken: record.auth_token,
    ownerAccountSid: record.owner_account_sid,
    friendlyName: record.friendly_name,
    status: record.status,
  });

  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    accountSid,
    authToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    ...inventoryOf(accounts.main.sip),
    createSubaccount: (seed, parentSid) =>
      describeAccount(accounts.createSubaccount(seed, parentSid)),
    createMainAccount: (seed) => describeAccount(accounts.createMainAccount(seed)),
    accounts: () => [...accounts.accounts.values()].map(describeAccount),
    account: (sid) => inventoryOf(accounts.require(sid).sip),
    requests: standin.requests,
    resetRequests: () => {
      standin.requests.length = 0;
    },
    injectFault: (fault) => standin.injectFault(fault),
    clearFaults: () => standin.clearFaults(),
    setLatency: (ms) => {
      standin.latencyMs = ms;
    },
    edit: (kind, sid, patch) => holderOf(kindOf(kind), sid).edit(kindOf(kind), sid, patch),
    remove: (kind, sid) => holderOf(kindOf(kind), sid).remove(kindOf(kind), sid),
    validationErrors: standin.validationErrors,
  };
}

function inventoryOf(store: SipStore): AccountInventory {
  return {
    domains: () => [...store.domains.values()].map((d) => store.renderDomain(d)),
    ipAccessControlLists: () =>
      [...store.ipAccessControlLists.values()].map((l) => store.renderIpAccessControlList(l)),
    ipAddresses: (ipAccessControlListSid?: string) =>
      [...store.ipAddresses.values()]
        .filter(
          (ip) =>
            !ipAccessControlListSid || ip.ip_access_control_list_sid === ipAccessControlListSid,
        )
        .map((ip) => store.renderIpAddress(ip)),
    ipAccessControlListMappings: (domainSid?: string) =>
      [...store.mappings.keys()]
        .filter((sd) => !domainSid || sd === domainSid)
        .flatMap((sd) =>
          store.mappedAclSids(sd).map((al) => store.renderMapping(sd, al, "authCalls")),
        ),
  };
}
