/**
 * The Twilio auth token: from TWILIO_AUTH_TOKEN when set (local runs, tests), otherwise from the
 * SSM SecureString named by TWILIO_AUTH_TOKEN_PARAMETER, read once per cold start and cached
 * (a failed read is retried after a backoff, not on every request).
 *
 * SSM is read through ./ssm.ts (the runtime's AWS SDK, loaded only when a parameter is read).
 */
import type { Env } from "./config";
import { WEBHOOK_ENV } from "./contract";
import { type LogSink, writeLog } from "./log";
import { errorSummary, readSsmParameterOnce } from "./ssm";

export type AuthTokenResult = { token: string } | { problem: string };
export type AuthTokenSource = () => Promise<AuthTokenResult>;

/** Problem reported when no token source is configured at all. */
export const NO_AUTH_TOKEN_PROBLEM = `Neither ${WEBHOOK_ENV.authToken} nor ${WEBHOOK_ENV.authTokenParameter} is set; set ${WEBHOOK_ENV.authTokenParameter} to the name of the SSM SecureString holding the Twilio auth token`;

/** The configuration problem with the token settings, if any (reported with the other settings). */
export function authTokenSettingsProblem(env: Env): string | undefined {
  return env[WEBHOOK_ENV.authToken]?.trim() || env[WEBHOOK_ENV.authTokenParameter]?.trim()
    ? undefined
    : NO_AUTH_TOKEN_PROBLEM;
}

/**
 * Reads one SSM parameter, decrypted and trimmed (an empty one is an error). Also reads the
 * notification secrets (lambda/notify/settings.ts), the other SecureString the function holds.
 */
export async function readSsmParameter(name: string): Promise<{ value: string; type?: string }> {
  const { value, type } = await readSsmParameterOnce(name);
  const trimmed = value.trim();
  if (!trimmed) throw new Error(`SSM parameter ${name} has no value`);
  return { value: trimmed, type };
}

/**
 * While SSM fails, the wait before the next read: doubling from the first failure, capped. Each
 * request in the meantime gets the last failure's answer (the apology) without an SSM call of its
 * own, so a missing parameter or IAM grant does not turn every call into a GetParameter (and a
 * throttled SSM into a storm); a fix still takes effect within the cap, without a redeploy.
 */
export const SSM_RETRY_BACKOFF_MS = { first: 1_000, max: 30_000 } as const;

export function ssmRetryDelayMs(failures: number): number {
  return Math.min(SSM_RETRY_BACKOFF_MS.first * 2 ** (failures - 1), SSM_RETRY_BACKOFF_MS.max);
}

/**
 * Builds the token source for one handler instance (one cold start: on Lambda the handler, and
 * with it this state, lives in the module scope of the warm instance). A successful SSM read is
 * cached for the life of the instance. A failed one is logged and retried after a backoff
 * (SSM_RETRY_BACKOFF_MS), so a fixed IAM policy or parameter takes effect without a redeploy.
 * Concurrent calls share the one read in flight.
 */
export function authTokenSource(
  env: Env,
  sink: LogSink,
  readParameter: typeof readSsmParameter = readSsmParameter,
): AuthTokenSource {
  const direct = env[WEBHOOK_ENV.authToken]?.trim();
  if (direct) {
    const result = { token: direct };
    return async () => result;
  }
  const parameterName = env[WEBHOOK_ENV.authTokenParameter]?.trim();
  if (!parameterName) {
    const result = { problem: NO_AUTH_TOKEN_PROBLEM };
    return async () => result;
  }

  /** The read in flight, or the token once read. */
  let cached: Promise<AuthTokenResult> | undefined;
  /** The last failed read: its answer, how many in a row, and when SSM may be asked again. */
  let failed: { result: Promise<AuthTokenResult>; failures: number; retryAt: number } | undefined;
  const load = async (): Promise<AuthTokenResult> => {
    try {
      const { value: token, type } = await readParameter(parameterName);
      if (type !== undefined && type !== "SecureString") {
        writeLog(sink, {
          level: "warn",
          msg: "Twilio auth token parameter is not a SecureString; store it encrypted",
          parameter: parameterName,
          type,
        });
      }
      failed = undefined;
      return { token };
    } catch (error) {
      const failures = (failed?.failures ?? 0) + 1;
      const retryInMs = ssmRetryDelayMs(failures);
      const problem = `could not read ${WEBHOOK_ENV.authTokenParameter} ${parameterName} from SSM (${errorSummary(error)}); check that it exists and the function's role may ssm:GetParameter it and kms:Decrypt its key`;
      writeLog(sink, {
        level: "error",
        msg: "auth token unavailable",
        problem,
        failures,
        retryInMs,
      });
      const result = { problem };
      failed = { result: Promise.resolve(result), failures, retryAt: Date.now() + retryInMs };
      return result;
    }
  };
  return () => {
    if (cached) return cached;
    if (failed && Date.now() < failed.retryAt) return failed.result;
    // Only a token stays cached; a failure leaves the next read to the backoff above.
    cached = load().then((result) => {
      if ("problem" in result) cached = undefined;
      return result;
    });
    return cached;
  };
}
