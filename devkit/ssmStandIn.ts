/**
 * A local stand-in for the one SSM action the webhook uses, GetParameter, speaking the service's
 * real wire protocol (AWS JSON 1.1: POST /, `X-Amz-Target: AmazonSSM.GetParameter`). The real AWS
 * SDK client is pointed at it with AWS_ENDPOINT_URL_SSM, so the tests and the bench exercise the SDK call,
 * SigV4 signing included, exactly as the function makes it.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface StoredParameter {
  value: string;
  type?: "String" | "SecureString";
}

export interface GetParameterCall {
  name: unknown;
  withDecryption: unknown;
  /** The SigV4 Authorization header's credential scope, e.g. AKID/20261124/ap-northeast-1/ssm/aws4_request. */
  credentialScope: string | undefined;
}

export interface SsmStandInOptions {
  /** Milliseconds to wait before answering each call (SSM's round trip, for the bench). */
  latencyMs?: number;
  /** Names the caller's role may not read: answered AccessDeniedException, as IAM would. */
  denied?: ReadonlySet<string>;
}

export interface SsmStandIn {
  endpoint: string;
  calls: GetParameterCall[];
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

/** Serves `parameters` (read on each call, so a test may change them while it runs). */
export async function startSsmStandIn(
  parameters: Record<string, StoredParameter>,
  options: SsmStandInOptions = {},
): Promise<SsmStandIn> {
  const calls: GetParameterCall[] = [];
  const server = createServer(async (request, response) => {
    const reply = (status: number, body: object) => {
      response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify(body));
    };
    const target = request.headers["x-amz-target"];
    const authorization = request.headers.authorization ?? "";
    if (request.method !== "POST" || target !== "AmazonSSM.GetParameter") {
      return reply(400, { __type: "UnknownOperationException", message: String(target) });
    }
    const scope = /^AWS4-HMAC-SHA256 Credential=([^,]+),/.exec(authorization)?.[1];
    const input = await readJson(request);
    calls.push({ name: input.Name, withDecryption: input.WithDecryption, credentialScope: scope });
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    if (!scope) {
      return reply(400, { __type: "MissingAuthenticationTokenException", message: "not signed" });
    }
    if (typeof input.Name === "string" && options.denied?.has(input.Name)) {
      return reply(400, {
        __type: "AccessDeniedException",
        message: `User is not authorized to perform: ssm:GetParameter on resource: ${input.Name}`,
      });
    }
    const stored = typeof input.Name === "string" ? parameters[input.Name] : undefined;
    if (!stored) return reply(400, { __type: "ParameterNotFound", message: "" });
    const type = stored.type ?? "SecureString";
    return reply(200, {
      Parameter: {
        Name: input.Name,
        Type: type,
        // A SecureString read without decryption returns ciphertext, as SSM does.
        Value:
          type === "SecureString" && input.WithDecryption !== true
            ? Buffer.from(`kms:${stored.value}`).toString("base64")
            : stored.value,
        Version: 1,
        DataType: "text",
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * What Lambda gives every function (region and the role's credentials in the environment), with
 * the SDK's endpoint overrides pointing at local stand-ins and no other source of AWS settings.
 */
export function lambdaAwsEnvironment(endpoints: Record<string, string>): Record<string, string> {
  return {
    AWS_REGION: "ap-northeast-1",
    AWS_ACCESS_KEY_ID: "AKIDLINECALLTEST0001",
    AWS_SECRET_ACCESS_KEY: "test-secret-access-key",
    AWS_SESSION_TOKEN: "test-session-token",
    ...endpoints,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
  };
}

/** Puts `lambdaAwsEnvironment` into process.env; returns what puts process.env back. */
export function useLambdaAwsEnvironment(endpoints: Record<string, string>): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, lambdaAwsEnvironment(endpoints));
  delete process.env.AWS_PROFILE;
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}
