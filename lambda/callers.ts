/**
 * Whose call a signed request is, which token its signature is checked with, and which settings
 * answer it. Single mode (a single stack's function): the one token (./authToken.ts) and the call
 * settings of the function's environment. Shared mode (a platform stack's function,
 * CUSTOMER_PARAMETER_PREFIX set): the customer named by the request's AccountSid
 * (./customers.ts), with its own token and settings.
 */
import type { CallSettings } from "../model/callSettings";
import { authTokenSettingsProblem, authTokenSource } from "./authToken";
import { type Env, readPublicBaseUrl, readSettings } from "./config";
import { WEBHOOK_ENV } from "./contract";
import { customerParameterPrefixProblem } from "./customerParameter";
import { customerDirectory } from "./customers";
import { type FormParams, param } from "./form";
import type { LogSink } from "./log";
import { type ReadSsmParameter, ssmParameterReader } from "./ssm";

export type Caller =
  /** Check the signature with `token`; answer with `call` (absent: settings broken, apology). */
  | {
      kind: "caller";
      token: string;
      call: CallSettings | undefined;
      detail?: Record<string, unknown>;
    }
  /** 403 without TwiML: there is no token to check this request with. */
  | { kind: "refused"; decision: string; detail: Record<string, unknown> }
  /** Nothing can be verified: the apology (a 204 on /status), nothing forwarded. */
  | { kind: "unavailable"; decision: string; detail?: Record<string, unknown> };

export interface CallerSource {
  /** Configuration problems, reported once in one line. */
  problems: string[];
  publicBaseUrl: string | undefined;
  caller(params: FormParams): Promise<Caller>;
  /** Starts what can be read before the first call (the single stack's token). */
  prefetch(): void;
}

export interface CallerOptions {
  /** How a customer parameter is read (defaults to SSM; the bench adds latency). */
  readParameter?: ReadSsmParameter;
}

function singleMode(env: Env, sink: LogSink): CallerSource {
  const settings = readSettings(env);
  const authToken = authTokenSource(env, sink);
  const tokenProblem = authTokenSettingsProblem(env);
  return {
    problems: [...settings.problems, ...(tokenProblem ? [tokenProblem] : [])],
    publicBaseUrl: settings.publicBaseUrl,
    caller: async () => {
      const token = await authToken();
      // Without the token nothing can be verified, and nothing is forwarded; callers hear the
      // apology instead of dead air.
      if ("problem" in token) return { kind: "unavailable", decision: "token-unavailable" };
      return { kind: "caller", token: token.token, call: settings.call };
    },
    prefetch: () => {
      // Never rejects: a failed read is logged and retried on the next call.
      void authToken();
    },
  };
}

function sharedMode(
  env: Env,
  prefix: string,
  sink: LogSink,
  options: CallerOptions & { now: () => number },
): CallerSource {
  const problems: string[] = [];
  const publicBaseUrl = readPublicBaseUrl(env, problems);
  const prefixProblem = customerParameterPrefixProblem(prefix);
  if (prefixProblem) problems.push(`${WEBHOOK_ENV.customerParameterPrefix} ${prefixProblem}`);
  const customers = customerDirectory({
    prefix,
    read: options.readParameter ?? ssmParameterReader(),
    sink,
    now: options.now,
  });
  return {
    problems,
    publicBaseUrl,
    caller: async (params) => {
      if (prefixProblem) return { kind: "unavailable", decision: "customer-unavailable" };
      const accountSid = param(params, "AccountSid");
      const found = await customers.lookup(accountSid);
      switch (found.kind) {
        case "customer":
          return {
            kind: "caller",
            token: found.customer.authToken,
            call: found.customer.call,
            detail: { accountSid },
          };
        case "refused":
          return {
            kind: "refused",
            decision: "rejected-account",
            detail: { accountSid: accountSid ?? null, reason: found.reason },
          };
        case "unavailable":
          return {
            kind: "unavailable",
            decision: "customer-unavailable",
            detail: { accountSid, parameter: found.parameter },
          };
      }
    },
    prefetch: () => {},
  };
}

/** The caller source for this environment: shared mode when CUSTOMER_PARAMETER_PREFIX is set. */
export function callerSource(
  env: Env,
  sink: LogSink,
  /** `now`: the handler's clock in ms, which the customer cache expires by (tests move it). */
  options: CallerOptions & { now: () => number },
): CallerSource {
  const prefix = env[WEBHOOK_ENV.customerParameterPrefix]?.trim();
  return prefix ? sharedMode(env, prefix, sink, options) : singleMode(env, sink);
}
