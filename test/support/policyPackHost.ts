// Boots `policy/` the way `pulumi preview --policy-pack policy` does — Pulumi's
// `run-policy-pack` entry point with the pack directory as the working directory, TypeScript
// compiled by its ts-node — and talks to it over the Analyzer gRPC protocol as the engine does.
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterAll, beforeAll } from "vitest";

const root = path.resolve(__dirname, "../..");
export const POLICY_PACK_DIR = path.join(root, "policy");
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));

// The generated protobuf modules are untyped CommonJS; keep `any` at this boundary only.
// biome-ignore lint/suspicious/noExplicitAny: generated gRPC/protobuf classes
type Proto = any;
const grpc: Proto = pulumiRequire("@grpc/grpc-js");
const analyzerGrpc: Proto = pulumiRequire("./proto/analyzer_grpc_pb.js");
const analyzerPb: Proto = pulumiRequire("./proto/analyzer_pb.js");
const structPb: Proto = pulumiRequire("google-protobuf/google/protobuf/struct_pb.js");
const emptyPb: Proto = pulumiRequire("google-protobuf/google/protobuf/empty_pb.js");

export interface Diagnostic {
  policyName: string;
  message: string;
  urn: string;
  enforcementLevel: "advisory" | "mandatory" | "disabled" | "remediate";
}

export interface EngineResource {
  type: string;
  name: string;
  /** Defaults to a top-level resource's URN in stack prod. */
  urn?: string;
  properties: Record<string, unknown>;
  propertyDependencies?: Record<string, string[]>;
}

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

export const urnOf = (type: string, name: string, stack = "prod") =>
  `urn:pulumi:${stack}::line-call::${type}::${name}`;

/** Fills the fields AnalyzeRequest and AnalyzerResource share. */
function fillResource(message: Proto, resource: EngineResource): Proto {
  message.setType(resource.type);
  message.setName(resource.name);
  message.setUrn(resource.urn ?? urnOf(resource.type, resource.name));
  message.setProperties(structPb.Struct.fromJavaScript(resource.properties));
  const opts = new analyzerPb.AnalyzerResourceOptions();
  opts.setProtect(false);
  message.setOptions(opts);
  return message;
}

function diagnostics(response: Proto): Diagnostic[] {
  return response.getDiagnosticsList().map((d: Proto) => ({
    policyName: d.getPolicyname(),
    message: d.getMessage(),
    urn: d.getUrn(),
    enforcementLevel: LEVELS[d.getEnforcementlevel()],
  }));
}

export class PolicyPackHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: Proto,
  ) {}

  static async start(): Promise<PolicyPackHost> {
    const runner = pulumiRequire.resolve("./cmd/run-policy-pack");
    // The first argument is the engine address; the pack only uses it to log, which these
    // requests never trigger.
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], {
      cwd: POLICY_PACK_DIR,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      let err = "";
      child.stdout?.on("data", (chunk) => {
        out += chunk;
        const match = /^(\d+)\s*$/m.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.stderr?.on("data", (chunk) => {
        err += chunk;
      });
      child.on("exit", (code) =>
        reject(new Error(`policy pack exited with ${code} before serving:\n${out}\n${err}`)),
      );
    });
    const client = new analyzerGrpc.AnalyzerClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    return new PolicyPackHost(child, client);
  }

  private call<T>(method: string, request: Proto): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client[method](request, (error: Error | null, response: T) =>
        error ? reject(error) : resolve(response),
      );
    });
  }

  async info(): Promise<{
    name: string;
    policies: { name: string; enforcementLevel: string; configSchema?: unknown }[];
  }> {
    const info: Proto = await this.call("getAnalyzerInfo", new emptyPb.Empty());
    return {
      name: info.getName(),
      policies: info.getPoliciesList().map((p: Proto) => ({
        name: p.getName(),
        enforcementLevel: LEVELS[p.getEnforcementlevel()],
        configSchema: p.getConfigschema()?.getProperties()?.toJavaScript(),
      })),
    };
  }

  /** What `--policy-pack-config <file>` makes the engine send: `{policyName: {...props}}`. */
  async configure(config: Record<string, Record<string, unknown>>): Promise<void> {
    const request = new analyzerPb.ConfigureAnalyzerRequest();
    for (const [policy, properties] of Object.entries(config)) {
      const entry = new analyzerPb.PolicyConfig();
      entry.setEnforcementlevel(analyzerPb.EnforcementLevel.MANDATORY);
      entry.setProperties(structPb.Struct.fromJavaScript(properties));
      request.getPolicyconfigMap().set(policy, entry);
    }
    await this.call("configure", request);
  }

  /** Resource-level policies, as the engine calls them for each resource it registers. */
  async analyze(resource: EngineResource): Promise<Diagnostic[]> {
    const request = fillResource(new analyzerPb.AnalyzeRequest(), resource);
    return diagnostics(await this.call("analyze", request));
  }

  /** Stack-level policies, as the engine calls them once all resources are known. */
  async analyzeStack(resources: EngineResource[]): Promise<Diagnostic[]> {
    const request = new analyzerPb.AnalyzeStackRequest();
    request.setResourcesList(
      resources.map((resource) => {
        const r = fillResource(new analyzerPb.AnalyzerResource(), resource);
        const urns = new Set<string>();
        for (const [key, deps] of Object.entries(resource.propertyDependencies ?? {})) {
          const d = new analyzerPb.AnalyzerPropertyDependencies();
          d.setUrnsList(deps);
          r.getPropertydependenciesMap().set(key, d);
          for (const urn of deps) urns.add(urn);
        }
        r.setDependenciesList([...urns]);
        return r;
      }),
    );
    return diagnostics(await this.call("analyzeStack", request));
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill();
    await exited;
  }
}

/** Boots one pack for the enclosing describe block; stops it afterwards. */
export function usePolicyPack(): () => PolicyPackHost {
  let pack: PolicyPackHost | undefined;
  beforeAll(async () => {
    pack = await PolicyPackHost.start();
  });
  afterAll(async () => {
    await pack?.stop();
  });
  return () => {
    if (!pack) throw new Error("the policy pack has not started");
    return pack;
  };
}
