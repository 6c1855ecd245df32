// Drives Pulumi's Node.js dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) over gRPC
// the way the Pulumi engine does: the same process, the same protocol, the same property
// marshalling (unknowns as the sentinel string, secrets stripped because the host does not accept
// them, `__provider` carrying the serialized provider), without the Pulumi CLI.
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { SECRET_SIG, SPECIAL_SIG_KEY as SECRET_SIG_KEY } from "../../model/pulumiEngine";

// The generated stubs are plain CommonJS without usable typings for these paths.
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");

export const PROJECT_ROOT = path.resolve(__dirname, "../..");
const HOST_SCRIPT = path.join(PROJECT_ROOT, "node_modules/@pulumi/pulumi/cmd/dynamic-provider");

/** What the engine sends for a value not known yet (preview). */

export type Props = Record<string, unknown>;

/** Marks a config value or input as secret, as `pulumi config set --secret` / `pulumi.secret`. */
export class Secret {
  constructor(readonly value: unknown) {}
}
export const secret = (value: unknown) => new Secret(value);

/** A failure the host returned (gRPC status details = the provider's error message). */
export class HostError extends Error {
  constructor(
    readonly method: string,
    readonly details: string,
    readonly grpcCode: number,
  ) {
    super(`${method} failed: ${details}`);
  }
}

export interface CheckFailure {
  property: string;
  reason: string;
}

/** The engine keeps secrets as wrapped values only for providers that accept them; this host does not. */
function stripSecrets(value: unknown): unknown {
  if (value instanceof Secret) return stripSecrets(value.value);
  if (Array.isArray(value)) return value.map(stripSecrets);
  if (value && typeof value === "object") {
    const out: Props = {};
    for (const [k, v] of Object.entries(value)) {
      // The engine never sends an absent value; an undefined input is simply not there.
      if (v !== undefined) out[k] = stripSecrets(v);
    }
    return out;
  }
  return value;
}

function toStruct(props: Props) {
  return structproto.Struct.fromJavaScript(stripSecrets(props));
}

/** Serialized provider text, as `pulumi.dynamic.Resource` puts it in `__provider` (cached per object). */
const serializedProviders = new WeakMap<object, Promise<string>>();
export function serializeProvider(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
  let text = serializedProviders.get(provider);
  if (!text) {
    text = pulumi.runtime
      .serializeFunction(() => provider, { allowSecrets: true })
      .then((sf) => sf.text);
    serializedProviders.set(provider, text);
  }
  return text;
}

export interface HostOptions {
  /** Extra environment for the host process (TWILIO_* are never inherited from the test run). */
  env?: Record<string, string>;
}

/** One running provider host process and a gRPC client for it. */
export class ProviderHost {
  private stderrText = "";
  private constructor(
    private readonly child: ChildProcess,
    // biome-ignore lint/suspicious/noExplicitAny: generated gRPC client
    private readonly client: any,
  ) {
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrText += chunk.toString();
    });
  }

  /** Everything the host wrote to stderr (it logs provider exceptions there). */
  get stderr(): string {
    return this.stderrText;
  }

  static async start(options: HostOptions = {}): Promise<ProviderHost> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith("TWILIO_")) env[k] = v;
    }
    Object.assign(env, { PULUMI_NODEJS_PROJECT: "line-call" }, options.env);
    // argv[1] is the engine's address; the host only keeps it, so any address will do.
    const child = spawn(process.execPath, [HOST_SCRIPT, "127.0.0.1:1"], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    // A test run that crashes must not leave the host behind (the engine kills its plugins too).
    const killHost = () => child.kill();
    process.once("exit", killHost);
    child.once("exit", () => process.off("exit", killHost));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      let err = "";
      const fail = (why: string) =>
        reject(new Error(`provider host did not start (${why}): ${err.trim()}`));
      child.stderr?.on("data", (c: Buffer) => {
        err += c.toString();
      });
      child.once("exit", (code) => fail(`exit ${code}`));
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const newline = out.indexOf("\n");
        if (newline >= 0) resolve(Number(out.slice(0, newline).trim()));
      });
    });
    const client = new provrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    return new ProviderHost(child, client);
  }

  // biome-ignore lint/suspicious/noExplicitAny: generated gRPC messages
  private call<T>(method: string, request: unknown): Promise<any> {
    return new Promise<T>((resolve, reject) => {
      this.client[method](request, (error: grpc.ServiceError | null, response: T) => {
        if (error) reject(new HostError(method, error.details || error.message, error.code));
        else resolve(response);
      });
    });
  }

  /** Configure with the whole stack config; Secret values are sent wrapped, as the engine does. */
  async configure(config: Record<string, string | Secret>): Promise<void> {
    const args: Props = {};
    const req = new provproto.ConfigureRequest();
    const variables = req.getVariablesMap();
    for (const [key, value] of Object.entries(config)) {
      const plain = value instanceof Secret ? String(value.value) : value;
      args[key] = value instanceof Secret ? { [SECRET_SIG_KEY]: SECRET_SIG, value: plain } : plain;
      variables.set(key, plain);
    }
    req.setArgs(structproto.Struct.fromJavaScript(args));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    await this.call("configure", req);
  }

  async check(
    urn: string,
    olds: Props,
    news: Props,
  ): Promise<{ inputs: Props; failures: CheckFailure[] }> {
    const req = new provproto.CheckRequest();
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const resp = await this.call("check", req);
    return {
      inputs: resp.getInputs()?.toJavaScript() ?? {},
      failures: resp.getFailuresList().map((f: { getProperty(): string; getReason(): string }) => ({
        property: f.getProperty(),
        reason: f.getReason(),
      })),
    };
  }

  async diff(
    id: string,
    urn: string,
    olds: Props,
    news: Props,
    oldInputs: Props,
  ): Promise<{
    changes: "none" | "some" | "unknown";
    replaces: string[];
    deleteBeforeReplace: boolean;
  }> {
    const req = new provproto.DiffRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(oldInputs));
    const resp = await this.call("diff", req);
    const kinds = provproto.DiffResponse.DiffChanges;
    const changes = resp.getChanges();
    return {
      changes:
        changes === kinds.DIFF_SOME ? "some" : changes === kinds.DIFF_NONE ? "none" : "unknown",
      replaces: resp.getReplacesList(),
      deleteBeforeReplace: resp.getDeletebeforereplace(),
    };
  }

  async create(urn: string, properties: Props): Promise<{ id: string; properties: Props }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urn);
    req.setProperties(toStruct(properties));
    const resp = await this.call("create", req);
    return { id: resp.getId(), properties: resp.getProperties()?.toJavaScript() ?? {} };
  }

  async read(
    id: string,
    urn: string,
    properties: Props,
    inputs: Props,
  ): Promise<{ id: string; properties: Props; inputs?: Props }> {
    const req = new provproto.ReadRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(toStruct(properties));
    req.setInputs(toStruct(inputs));
    const resp = await this.call("read", req);
    const result: { id: string; properties: Props; inputs?: Props } = {
      id: resp.getId(),
      properties: resp.getProperties()?.toJavaScript() ?? {},
    };
    const readInputs = resp.getInputs()?.toJavaScript();
    if (readInputs) result.inputs = readInputs;
    return result;
  }

  async update(
    id: string,
    urn: string,
    olds: Props,
    news: Props,
    oldInputs: Props,
  ): Promise<{ properties: Props }> {
    const req = new provproto.UpdateRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(oldInputs));
    const resp = await this.call("update", req);
    return { properties: resp.getProperties()?.toJavaScript() ?? {} };
  }

  async delete(id: string, urn: string, properties: Props, oldInputs: Props): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(toStruct(properties));
    req.setOldInputs(toStruct(oldInputs));
    await this.call("delete", req);
  }

  async close(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill();
    });
  }
}
