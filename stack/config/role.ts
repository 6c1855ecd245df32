// What a stack is, from `line-call:role` and `line-call:platformStack`: one rule, applied by the
// program and (through validateConfig) `npm run validate`.
//   single   (default) its Twilio resources and its own webhook on AWS (or webhookBaseUrl's);
//   platform the operator's shared webhook only: Lambda + HTTP API, no Twilio resources;
//   customer its Twilio resources in its subaccount and one SSM parameter the platform's webhook
//            reads; named by platformStack, which implies the role.
import { customerParameterSizeProblem } from "../../lambda/customerParameter";
import type { CallSettings } from "../../model/callSettings";
import type { ProjectKey } from "./keys";
import type { ConfigReader } from "./reader";

export const STACK_ROLES = ["single", "platform", "customer"] as const;
export type StackRole = (typeof STACK_ROLES)[number];

/** A platform stack's fully qualified name, as `pulumi.StackReference` takes it. */
export const PLATFORM_STACK = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Keys only a stack with Twilio resources reads: set on a platform stack, they would do nothing. */
const TWILIO_SIDE_KEYS: ProjectKey[] = [
  "sipDomainName",
  "forwardTo",
  "callerId",
  "greeting",
  "subaccountSid",
  "webhookBaseUrl",
];

export interface RoleSettings {
  /** Undefined when the role keys have a problem (reported). */
  role?: StackRole;
  /** Whether the stack has Twilio resources, so their settings are checked too. */
  hasTwilioSide: boolean;
  /** A customer's platform stack, `<organization>/<project>/<stack>`. */
  platformStack?: string;
}

export function readRole(r: ConfigReader): RoleSettings {
  const roleKey = r.key("role");
  const platformKey = r.key("platformStack");
  const written = r.text("role").trim() || "single";
  const platformStack = r.text("platformStack").trim();
  if (!(STACK_ROLES as readonly string[]).includes(written)) {
    r.problem(
      `${roleKey} "${written}" is not a role: single (the default), platform or customer ` +
        `(a customer is named by ${platformKey})`,
    );
    return { hasTwilioSide: false };
  }
  // Pulumi.yaml's default is "single", so "single" with platformStack is read as a customer.
  const role = written === "single" && platformStack !== "" ? "customer" : (written as StackRole);
  if (role === "platform" && platformStack !== "") {
    r.problem(
      `${platformKey} is set on a platform stack: a platform serves customers and has no platform ` +
        `of its own; remove ${platformKey} (or remove ${roleKey} to make this a customer stack)`,
    );
    return { hasTwilioSide: false };
  }
  if (role === "customer" && platformStack === "") {
    r.problem(
      `${platformKey} is not set: a customer stack names the platform stack whose webhook ` +
        `answers its calls, e.g. pulumi config set ${platformKey} acme/line-call/platform`,
    );
    return { hasTwilioSide: true };
  }
  if (role === "customer" && !PLATFORM_STACK.test(platformStack)) {
    r.problem(
      `${platformKey} "${platformStack}" is not a stack name <organization>/<project>/<stack>, ` +
        "e.g. acme/line-call/platform (organization is your Pulumi organization, or organization " +
        "for the file and S3 backends)",
    );
    return { hasTwilioSide: true };
  }
  if (role === "platform") {
    for (const name of TWILIO_SIDE_KEYS) {
      if ((r.raw(name) ?? "").trim() === "") continue;
      r.problem(
        `${r.key(name)} is set, but a platform stack has no Twilio resources or call settings ` +
          "(each customer stack has its own): remove it",
      );
    }
  }
  if (role === "customer") return { role, platformStack, hasTwilioSide: true };
  return { role, hasTwilioSide: role !== "platform" };
}

/**
 * What a customer stack needs besides a single stack's settings: its subaccount (the parameter is
 * named for it and carries its token), no webhook of its own, and settings that fit the
 * parameter (SSM's standard tier), judged before anything is created.
 */
export function readCustomer(
  r: ConfigReader,
  settings: { webhookBaseUrl?: string; subaccountSid?: string; call?: CallSettings },
): void {
  const platformKey = r.key("platformStack");
  if ((r.raw("webhookBaseUrl") ?? "").trim() !== "") {
    r.problem(
      `${r.key("webhookBaseUrl")} is set on a customer stack, whose calls the platform's webhook ` +
        `answers (${platformKey}): remove it`,
    );
  }
  if ((r.raw("subaccountSid") ?? "").trim() === "") {
    r.problem(
      `${r.key("subaccountSid")} is not set: a customer stack lives in the customer's Twilio ` +
        "subaccount, whose SID names its parameter and whose token the platform's webhook checks " +
        `signatures with (pulumi config set ${r.key("subaccountSid")} AC…)`,
    );
  }
  if (settings.subaccountSid && settings.call) {
    const problem = customerParameterSizeProblem(settings.subaccountSid, settings.call, (name) =>
      r.key(name),
    );
    if (problem) r.problem(problem);
  }
}
