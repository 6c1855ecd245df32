/**
 * The Twilio auth token: from TWILIO_AUTH_TOKEN when set (local runs, tests), otherwise from the
 * SSM SecureString named by TWILIO_AUTH_TOKEN_PARAMETER, read once per cold start and cached.
 *
 * SSM is read with the AWS SDK v3 client that the Lambda Node.js runtime ships (so it is left out
 * of the bundle), loaded lazily so a local run with TWILIO_AUTH_TOKEN never loads it. The SDK
 * takes region and credentials from the function's environment like any AWS client, and honours
 * AWS_ENDPOINT_URL_SSM (used by the tests to point it at a local stand-in).
 */
import type { Env } from "./config";
import { type LogSink, writeLog } from "./log";

export type AuthTokenResult = { token: string } | { problem: string };
export type AuthTokenSource = () => Promise<AuthTokenResult>;

/** Problem reported when no token source is configured at all. */
export const NO_AUTH_TOKEN_PROBLEM =
  "Neither TWILIO_AUTH_TOKEN nor TWILIO_AUTH_TOKEN_PARAMETER is set; set TWILIO_AUTH_TOKEN_PARAMETER to the name of the SSM SecureString holding the Twilio auth token";

/** The configuration problem with the token settings, if any (reported with the other settings). */
export function authTokenSettingsProblem(env: Env): string | undefined {
  return env.TWILIO_AUTH_TOKEN?.trim() || env.TWILIO_AUTH_TOKEN_PARAMETER?.trim()
    ? undefined
    : NO_AUTH_TOKEN_PROBLEM;
}

// A slow SSM must not eat Twilio's 15-second webhook timeout.
const SSM_REQUEST_TIMEOUT_MS = 3000;
const SSM_CONNECTION_TIMEOUT_MS = 1000;

export async function readAuthTokenFromSsm(
  name: string,
): Promise<{ token: string; type?: string }> {
  // A plain require, kept as one by esbuild: the runtime's SDK is found through NODE_PATH, which
  // CommonJS resolution honours and `import()` would not.
  const { SSMClient, GetParameterCommand }: typeof import("@aws-sdk/client-ssm") =
    require("@aws-sdk/client-ssm");
  const client = new SSMClient({
    requestHandler: {
      requestTimeout: SSM_REQUEST_TIMEOUT_MS,
      connectionTimeout: SSM_CONNECTION_TIMEOUT_MS,
    },
  });
  try {
    const { Parameter } = await client.send(
      new GetParameterCommand({ Name: name, WithDecryption: true }),
    );
    const token = Parameter?.Value?.trim();
    if (!token) throw new Error(`SSM parameter ${name} has no value`);
    return { token, type: Parameter?.Type };
  } finally {
    client.destroy();
  }
}

function errorSummary(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Builds the token source for one handler instance (one cold start). A successful SSM read is
 * cached for the life of the instance; a failed one is logged and retried on the next call, so a
 * fixed IAM policy or parameter takes effect without a redeploy.
 */
export function authTokenSource(
  env: Env,
  sink: LogSink,
  readParameter: typeof readAuthTokenFromSsm = readAuthTokenFromSsm,
): AuthTokenSource {
  const direct = env.TWILIO_AUTH_TOKEN?.trim();
  if (direct) {
    const result = { token: direct };
    return async () => result;
  }
  const parameterName = env.TWILIO_AUTH_TOKEN_PARAMETER?.trim();
  if (!parameterName) {
    const result = { problem: NO_AUTH_TOKEN_PROBLEM };
    return async () => result;
  }

  let cached: Promise<AuthTokenResult> | undefined;
  const load = async (): Promise<AuthTokenResult> => {
    try {
      const { token, type } = await readParameter(parameterName);
      if (type !== undefined && type !== "SecureString") {
        writeLog(sink, {
          level: "warn",
          msg: "Twilio auth token parameter is not a SecureString; store it encrypted",
          parameter: parameterName,
          type,
        });
      }
      return { token };
    } catch (error) {
      cached = undefined;
      const problem = `could not read TWILIO_AUTH_TOKEN_PARAMETER ${parameterName} from SSM (${errorSummary(error)}); check that it exists and the function's role may ssm:GetParameter it and kms:Decrypt its key`;
      writeLog(sink, { level: "error", msg: "auth token unavailable", problem });
      return { problem };
    }
  };
  return () => {
    cached ??= load();
    return cached;
  };
}
