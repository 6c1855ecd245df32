/**
 * SSM GetParameter, the webhook's one AWS call: with the AWS SDK v3 client the Lambda Node.js
 * runtime ships (left out of the bundle), loaded lazily so a local run that never reads SSM never
 * loads it. The SDK takes region and credentials from the function's environment like any AWS
 * client, and honours AWS_ENDPOINT_URL_SSM (the tests point it at a local stand-in).
 */

export interface SsmParameter {
  value: string;
  type?: string;
}

/** Reads one parameter, decrypted; rejects with the SDK's error (its `name` says why). */
export type ReadSsmParameter = (name: string) => Promise<SsmParameter>;

// A slow SSM must not eat Twilio's 15-second webhook timeout.
const SSM_REQUEST_TIMEOUT_MS = 3000;
const SSM_CONNECTION_TIMEOUT_MS = 1000;

type SsmModule = typeof import("@aws-sdk/client-ssm");

function ssmModule(): SsmModule {
  // A plain require, kept as one by esbuild: the runtime's SDK is found through NODE_PATH, which
  // CommonJS resolution honours and `import()` would not.
  return require("@aws-sdk/client-ssm");
}

function newClient(module: SsmModule) {
  return new module.SSMClient({
    requestHandler: {
      requestTimeout: SSM_REQUEST_TIMEOUT_MS,
      connectionTimeout: SSM_CONNECTION_TIMEOUT_MS,
    },
  });
}

async function getParameter(
  module: SsmModule,
  client: InstanceType<SsmModule["SSMClient"]>,
  name: string,
): Promise<SsmParameter> {
  const { Parameter } = await client.send(
    new module.GetParameterCommand({ Name: name, WithDecryption: true }),
  );
  return { value: Parameter?.Value ?? "", type: Parameter?.Type };
}

/** One read with a client of its own (the single stack's token: read once per cold start). */
export async function readSsmParameterOnce(name: string): Promise<SsmParameter> {
  const module = ssmModule();
  const client = newClient(module);
  try {
    return await getParameter(module, client, name);
  } finally {
    client.destroy();
  }
}

/**
 * A reader that keeps one client (and its kept-alive connection) for the warm instance: the shared
 * webhook reads a parameter per customer, and a new TLS connection per read would add a round trip.
 */
export function ssmParameterReader(): ReadSsmParameter {
  let client: { module: SsmModule; client: InstanceType<SsmModule["SSMClient"]> } | undefined;
  return (name) => {
    if (!client) {
      const module = ssmModule();
      client = { module, client: newClient(module) };
    }
    return getParameter(client.module, client.client, name);
  };
}

/** SSM's answer for a name that holds no parameter: the account is not a customer. */
export function isParameterNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === "ParameterNotFound";
}

export function errorSummary(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
