// Runs the Pulumi program (index.ts) under `pulumi.runtime.setMocks`, with the stack config set
// the way the CLI hands it over (every value a string, lists as JSON, secret keys named), and
// records every resource registration exactly as the engine would receive it.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import YAML from "yaml";
import { loadProjectDefaults } from "../../devkit/stackFile";
import { SECRET_SIG, SPECIAL_SIG_KEY, UNKNOWN } from "../../model/pulumiEngine";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export interface Registration {
  type: string;
  name: string;
  /** Inputs after deserialization (secrets unwrapped). */
  inputs: Record<string, unknown>;
  /** The property struct as sent to the engine: secrets still wrapped in their signature. */
  wire: Record<string, unknown>;
  /** URNs this resource depends on (explicit and through its inputs). */
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  parent: string;
  urn: string;
}

export interface ProgramRun {
  registrations: Registration[];
  /** The program's exports, resolved. */
  outputs: Record<string, unknown>;
  /** Outputs of each exported value as they travel: secret ones still wrapped. */
  error?: Error;
  /** The bundled handler's file as the Lambda ships it (read during the run). */
  byType(type: string): Registration[];
  one(type: string, name?: string): Registration;
}

export interface StackSettings {
  stack: string;
  /** `namespace:key` → value as written in Pulumi.<stack>.yaml (objects allowed). */
  config: Record<string, unknown>;
  secretKeys?: string[];
  preview?: boolean;
  /** Environment variables for the run (TWILIO_* fallbacks, AWS_REGION …); others are cleared. */
  env?: Record<string, string>;
  /**
   * Preview a deployment in which the smoke test has yet to run: the engine reports no outputs
   * for it, so what depends on its result is unknown (needs `preview: true`).
   */
  smokeTestPending?: boolean;
  /** The outputs of the stacks a StackReference names, by fully qualified stack name. */
  stackReferences?: Record<string, Record<string, unknown>>;
}

/** The account and region the mocked AWS invokes report (aws.getCallerIdentity, getRegion…). */
export const MOCK_AWS = { accountId: "123456789012", region: "ap-northeast-1", partition: "aws" };

/** What the mocked engine answers an invoke with: AWS's identity look-ups, else the inputs. */
function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: MOCK_AWS.accountId,
        arn: `arn:aws:iam::${MOCK_AWS.accountId}:user/operator`,
        id: MOCK_AWS.accountId,
        userId: "AIDAEXAMPLE",
      };
    case "aws:index/getRegion:getRegion":
      return { name: MOCK_AWS.region, region: MOCK_AWS.region, id: MOCK_AWS.region };
    case "aws:index/getPartition:getPartition":
      return { partition: MOCK_AWS.partition, id: MOCK_AWS.partition, dnsSuffix: "amazonaws.com" };
    default:
      return inputs;
  }
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** A URN as the engine writes it: the mock monitor puts the root stack's type in its children's. */
function withoutRootStack(urn: string): string {
  return urn.replace(`::${ROOT_STACK_TYPE}$`, "::");
}

/** Reads Pulumi.<stack>.yaml's `config:` block. */
export function stackFileConfig(stack: string): Record<string, unknown> {
  const file = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
  const parsed = YAML.parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  // Under the file's own values, Pulumi.yaml's (the shared LINE IP list, the defaults), as the
  // CLI merges them before the program runs.
  return { ...loadProjectDefaults(PROJECT_ROOT), ...(parsed.config ?? {}) };
}

/** The smoke test's dynamic resource type (providers/webhookSmokeTest.ts). */
export const SMOKE_TEST_RUN_TYPE = "pulumi-nodejs:dynamic/line-call:WebhookSmokeTestRun";

/** A made-up auth token, recognisable in any output it must never appear in. */
export const TEST_AUTH_TOKEN = "c0ffee00c0ffee00c0ffee00c0ffee00";
export const TEST_ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";

/** A Twilio-style SID for mocks: prefix + 32 hex digits derived from the name. */
function sid(prefix: string, name: string): string {
  let hash = 0n;
  for (const char of name) hash = (hash * 131n + BigInt(char.charCodeAt(0))) % 2n ** 128n;
  return prefix + hash.toString(16).padStart(32, "0");
}

const API_ID = "abc123defg";
export const MOCK_API_ENDPOINT = `https://${API_ID}.execute-api.ap-northeast-1.amazonaws.com`;

/** Outputs the mock engine reports for a resource: its inputs plus what the cloud would add. */
export function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): { id: string; state: Record<string, unknown> } {
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:ap-northeast-1:123456789012:${resource}`;
  switch (type) {
    case "pulumi-nodejs:dynamic/twilio:SipDomain": {
      const id = sid("SD", name);
      return {
        id,
        state: {
          ...inputs,
          voiceUrl: inputs.voiceUrl ?? "",
          sid: id,
          // The account it lives in: its own accountSid input (a subaccount), else the credentials'.
          accountSid: inputs.accountSid ?? TEST_ACCOUNT_SID,
          sipUri: `sip:${inputs.domainName}`,
        },
      };
    }
    case "pulumi-nodejs:dynamic/twilio:IpAccessControlList": {
      const id = sid("AL", name);
      return {
        id,
        state: { ...inputs, sid: id, accountSid: inputs.accountSid ?? TEST_ACCOUNT_SID },
      };
    }
    case "pulumi-nodejs:dynamic/twilio:IpAddress": {
      const id = sid("IP", name);
      return { id, state: { ...inputs, sid: id } };
    }
    case "pulumi-nodejs:dynamic/twilio:IpAccessControlListMapping": {
      const id = `${inputs.domainSid}/${inputs.ipAccessControlListSid}`;
      return { id, state: { ...inputs, sid: String(inputs.ipAccessControlListSid) } };
    }
    case "aws:ssm/parameter:Parameter":
      return {
        id: String(inputs.name),
        state: { ...inputs, arn: arn("ssm", `parameter${inputs.name}`), version: 1 },
      };
    case "aws:sns/topic:Topic":
      return {
        id: arn("sns", String(inputs.name)),
        state: { ...inputs, arn: arn("sns", String(inputs.name)) },
      };
    case "aws:cloudwatch/logGroup:LogGroup":
      return {
        id: `${name}-1a2b3c`,
        state: { ...inputs, name: `${name}-1a2b3c`, arn: arn("logs", `log-group:${name}-1a2b3c`) },
      };
    case "aws:iam/role:Role":
      return {
        id: `${name}-1a2b3c`,
        state: { ...inputs, name: `${name}-1a2b3c`, arn: `arn:aws:iam::123456789012:role/${name}` },
      };
    case "aws:lambda/function:Function": {
      const fnArn = arn("lambda", `function:${name}-1a2b3c`);
      return {
        id: `${name}-1a2b3c`,
        state: {
          ...inputs,
          name: `${name}-1a2b3c`,
          arn: fnArn,
          invokeArn: `arn:aws:apigateway:ap-northeast-1:lambda:path/2015-03-31/functions/${fnArn}/invocations`,
        },
      };
    }
    case "aws:apigatewayv2/api:Api":
      return {
        id: API_ID,
        state: {
          ...inputs,
          apiEndpoint: MOCK_API_ENDPOINT,
          executionArn: arn("execute-api", API_ID),
        },
      };
    case SMOKE_TEST_RUN_TYPE:
      return {
        id: `${name}-id`,
        state: { ...inputs, passed: true, attempts: 1, summary: "webhook smoke test passed" },
      };
    default:
      return { id: `${name}-id`, state: { ...inputs } };
  }
}

/** Config values as the CLI passes them to the program: strings, structured values as JSON. */
function asCliConfig(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

function promiseOf(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    // An unknown output (preview) never runs its apply callbacks: report it as the engine would.
    const output = value as pulumi.Output<unknown> & { isKnown: Promise<boolean> };
    return output.isKnown.then((known) =>
      known ? new Promise((resolve) => output.apply(resolve)) : UNKNOWN,
    );
  }
  if (Array.isArray(value)) return Promise.all(value.map(promiseOf));
  if (value && typeof value === "object") {
    return Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await promiseOf(v)] as const),
    ).then(Object.fromEntries);
  }
  return Promise.resolve(value);
}

const ENV_KEYS_TO_CLEAR = [
  "TWILIO_ACCOUNT_SID",
  "TWILIO_AUTH_TOKEN",
  "TWILIO_API_KEY",
  "TWILIO_API_SECRET",
  "TWILIO_API_BASE_URL",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
];

/** Runs index.ts fresh (new module instances) against the given stack settings. */
export async function runProgram(settings: StackSettings): Promise<ProgramRun> {
  vi.resetModules();
  const savedEnv = Object.fromEntries(ENV_KEYS_TO_CLEAR.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS_TO_CLEAR) delete process.env[k];
  Object.assign(process.env, settings.env ?? {});

  const registrations: Registration[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        if (args.type === "pulumi:pulumi:StackReference") {
          const name = String(args.inputs.name);
          const outputs = settings.stackReferences?.[name] ?? {};
          return { id: name, state: { name, outputs, secretOutputNames: [] } };
        }
        const mocked = mockState(args.type, args.name, args.inputs);
        if (settings.smokeTestPending && args.type === SMOKE_TEST_RUN_TYPE) {
          const { passed: _passed, attempts: _attempts, summary: _summary, ...rest } = mocked.state;
          return { id: mocked.id, state: rest };
        }
        return mocked;
      },
      call: (args) => mockCall(args.token, args.inputs),
    },
    "line-call",
    settings.stack,
    settings.preview ?? false,
  );
  pulumi.runtime.setAllConfig(asCliConfig(settings.config), settings.secretKeys ?? []);

  // Record each registration as the engine receives it (secrets still wrapped).
  // biome-ignore lint/suspicious/noExplicitAny: the mock monitor is untyped
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  // biome-ignore lint/suspicious/noExplicitAny: protobuf request
  monitor.registerResource = (request: any, callback: any) => {
    const type: string = request.getType();
    const name: string = request.getName();
    // The engine's root resource: not one the program declares, and no part of its children's URNs.
    if (type === ROOT_STACK_TYPE) return register(request, callback);
    const registeredParent: string = request.getParent();
    const parent = registeredParent.includes(`::${ROOT_STACK_TYPE}::`) ? "" : registeredParent;
    const propertyDependencies: Record<string, string[]> = {};
    request
      .getPropertydependenciesMap()
      // biome-ignore lint/suspicious/noExplicitAny: protobuf map entry
      .forEach((deps: any, key: string) => {
        propertyDependencies[key] = deps.getUrnsList().map(withoutRootStack);
      });
    const parentType = parent ? parent.split("::")[2].split("$").pop() : undefined;
    registrations.push({
      type,
      name,
      parent,
      urn: `urn:pulumi:${settings.stack}::line-call::${parentType ? `${parentType}$` : ""}${type}::${name}`,
      wire: request.getObject().toJavaScript(),
      inputs: pulumi.runtime.deserializeProperties(request.getObject()),
      dependencies: request.getDependenciesList().map(withoutRootStack),
      propertyDependencies,
    });
    return register(request, callback);
  };

  let outputs: Record<string, unknown> = {};
  let error: Error | undefined;
  try {
    // index.ts assigns its role's outputs to `exports`, which the import's interop also offers
    // as `default`; Pulumi reads module.exports itself, so `default` is no output.
    // The program runs inside the root stack resource, as under the CLI (stack transformations
    // such as stack/subaccount.ts's need it).
    // The root resource is registered first, then the program is loaded under it.
    await pulumi.runtime.runInPulumiStack(async () => ({}));
    const { default: _moduleExports, ...program } = await import("../../index.js");
    outputs = (await promiseOf(program)) as Record<string, unknown>;
    // Resources nothing exports (stage, permission…) may still be registering.
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  } catch (caught) {
    error = caught as Error;
  } finally {
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const byType = (type: string) => registrations.filter((r) => r.type === type);
  return {
    registrations,
    outputs,
    error,
    byType,
    one(type: string, name?: string) {
      const found = byType(type).filter((r) => name === undefined || r.name === name);
      if (found.length !== 1) {
        throw new Error(`expected one ${type}${name ? ` ${name}` : ""}, found ${found.length}`);
      }
      return found[0];
    },
  };
}

/** Everything sent to the engine, with secret-wrapped values left out. */
export function plaintextParts(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plaintextParts);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SPECIAL_SIG_KEY] === SECRET_SIG) return "[secret]";
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, plaintextParts(v)]));
  }
  return value;
}
