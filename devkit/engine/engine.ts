// The engine's side of one dynamic resource's life, step by step as `pulumi up`, `preview`,
// `refresh` and `destroy` run it: Check(old inputs, new inputs) → Diff(old outputs, checked
// inputs) → Create / Update / replace (create-before-delete unless the provider asks otherwise),
// Read(old outputs, old inputs) for refresh, Delete(old outputs). State is kept here as the engine
// keeps it in the stack's checkpoint.
import type * as pulumi from "@pulumi/pulumi";
import {
  type CheckFailure,
  type Props,
  type ProviderHost,
  type Secret,
  serializeProvider,
} from "./providerHost";

export interface ResourceState {
  id: string;
  inputs: Props;
  outputs: Props;
}

export type StepOp = "create" | "same" | "update" | "replace";

export class CheckFailedError extends Error {
  constructor(readonly failures: CheckFailure[]) {
    super(`check failed: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  }
}

/** Inputs as a program declares them (values may be Secret-wrapped or the UNKNOWN sentinel). */
export type ProgramInputs = Record<string, unknown | Secret>;

export class EngineResource {
  state?: ResourceState;

  constructor(
    readonly host: ProviderHost,
    /** e.g. "twilio:IpAddress" */
    readonly typeName: string,
    readonly name: string,
    readonly provider: pulumi.dynamic.ResourceProvider,
  ) {}

  get type(): string {
    return `pulumi-nodejs:dynamic/${this.typeName}`;
  }

  get urn(): string {
    return `urn:pulumi:test::line-call::${this.type}::${this.name}`;
  }

  get id(): string {
    if (!this.state) throw new Error(`${this.name} has no state`);
    return this.state.id;
  }

  get outputs(): Props {
    if (!this.state) throw new Error(`${this.name} has no state`);
    return this.state.outputs;
  }

  /** What the resource's constructor registers: the inputs plus the serialized provider. */
  async registered(inputs: ProgramInputs): Promise<Props> {
    return { ...inputs, __provider: await serializeProvider(this.provider) };
  }

  private async checked(inputs: ProgramInputs): Promise<Props> {
    const news = await this.registered(inputs);
    const result = await this.host.check(this.urn, this.state?.inputs ?? {}, news);
    if (result.failures.length > 0) throw new CheckFailedError(result.failures);
    return result.inputs;
  }

  /** `pulumi preview` for this resource: Check and Diff only (nothing is created or changed). */
  async preview(inputs: ProgramInputs): Promise<{
    op: StepOp;
    replaces: string[];
    inputs: Props;
  }> {
    const news = await this.checked(inputs);
    if (!this.state) return { op: "create", replaces: [], inputs: news };
    const diff = await this.host.diff(
      this.state.id,
      this.urn,
      this.state.outputs,
      news,
      this.state.inputs,
    );
    const op: StepOp =
      diff.replaces.length > 0 ? "replace" : diff.changes === "none" ? "same" : "update";
    return { op, replaces: diff.replaces, inputs: news };
  }

  /** `pulumi up` for this resource. */
  async up(inputs: ProgramInputs): Promise<{ op: StepOp; replaces: string[] }> {
    const news = await this.checked(inputs);
    if (!this.state) {
      const created = await this.host.create(this.urn, news);
      this.state = { id: created.id, inputs: news, outputs: created.properties };
      return { op: "create", replaces: [] };
    }
    const old = this.state;
    const diff = await this.host.diff(old.id, this.urn, old.outputs, news, old.inputs);
    if (diff.replaces.length > 0) {
      if (diff.deleteBeforeReplace) {
        await this.host.delete(old.id, this.urn, old.outputs, old.inputs);
        this.state = undefined;
      }
      const created = await this.host.create(this.urn, news);
      this.state = { id: created.id, inputs: news, outputs: created.properties };
      if (!diff.deleteBeforeReplace) {
        await this.host.delete(old.id, this.urn, old.outputs, old.inputs);
      }
      return { op: "replace", replaces: diff.replaces };
    }
    if (diff.changes === "none") {
      // The engine records the new inputs even when nothing changes.
      this.state = { ...old, inputs: news };
      return { op: "same", replaces: [] };
    }
    const updated = await this.host.update(old.id, this.urn, old.outputs, news, old.inputs);
    this.state = { id: old.id, inputs: news, outputs: updated.properties };
    return { op: "update", replaces: [] };
  }

  /** `pulumi refresh` for this resource; returns whether it still exists. */
  async refresh(): Promise<{ exists: boolean }> {
    if (!this.state) throw new Error(`${this.name} has no state to refresh`);
    const read = await this.host.read(
      this.state.id,
      this.urn,
      this.state.outputs,
      this.state.inputs,
    );
    if (!read.id) {
      this.state = undefined;
      return { exists: false };
    }
    this.state = {
      id: read.id,
      inputs: read.inputs ?? this.state.inputs,
      outputs: read.properties,
    };
    return { exists: true };
  }

  /** `pulumi destroy` for this resource. */
  async destroy(): Promise<void> {
    if (!this.state) return;
    await this.host.delete(this.state.id, this.urn, this.state.outputs, this.state.inputs);
    this.state = undefined;
  }
}
