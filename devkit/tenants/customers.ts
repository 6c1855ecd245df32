// Which stacks of the project are customers: the stack files (Pulumi.<stack>.yaml) read as text,
// each given its role the way the program gives it (docs/tenants.md). A customer stack names the
// Twilio subaccount it lives in (line-call:subaccountSid) or the platform stack whose webhook it
// uses (line-call:platformStack); the platform stack (line-call:role: platform) and single stacks
// (today's dev, prod, local) are never picked by --all, only by name.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { projectKey } from "../../model/project";
import type { StackRole } from "../../stack/config/role";
import { configValue, parseStackFile, type StackConfig, stackNameOf } from "../stackFile";

export const SUBACCOUNT_SID_KEY = projectKey("subaccountSid");
export const PLATFORM_STACK_KEY = projectKey("platformStack");
export const ROLE_KEY = projectKey("role");

export interface ProjectStack {
  /** The stack name: for a customer, the customer's name. */
  name: string;
  role: StackRole;
  /** The Twilio subaccount a customer stack lives in, as its stack file says. */
  subaccountSid?: string;
  /** Pulumi.<name>.yaml, absolute. */
  file: string;
  config: StackConfig;
}

/**
 * A stack's role for the operator, from its stack file's config. It reads the program's roles
 * (stack/config/role.ts: platformStack implies a customer) and counts one more stack as a
 * customer: a single stack in a subaccount, which has its own webhook but is one customer.
 */
export function stackRole(config: StackConfig): StackRole {
  const role = configValue(config, ROLE_KEY);
  if (role === "platform") return "platform";
  if (role === "customer") return "customer";
  const named = (key: string) => {
    const value = configValue(config, key);
    return typeof value === "string" && value.trim() !== "";
  };
  return named(SUBACCOUNT_SID_KEY) || named(PLATFORM_STACK_KEY) ? "customer" : "single";
}

/** Every stack file of the project at `root`, sorted by name. */
export function projectStacks(root: string): ProjectStack[] {
  const stacks: ProjectStack[] = [];
  for (const entry of readdirSync(root).sort()) {
    const name = stackNameOf(entry);
    if (name === undefined) continue;
    const file = path.join(root, entry);
    const { config } = parseStackFile(readFileSync(file, "utf8"), file);
    const subaccount = configValue(config, SUBACCOUNT_SID_KEY);
    stacks.push({
      name,
      role: stackRole(config),
      ...(typeof subaccount === "string" && subaccount !== "" ? { subaccountSid: subaccount } : {}),
      file,
      config,
    });
  }
  return stacks;
}

/**
 * The stacks a command runs on: every customer for `all`, else exactly the ones named (any role:
 * naming one is the operator's explicit choice). Unknown names are an error listing them all
 * before anything runs.
 */
export function selectStacks(
  stacks: ProjectStack[],
  selection: { all: true } | { names: string[] },
): ProjectStack[] {
  if ("all" in selection) return stacks.filter((stack) => stack.role === "customer");
  const byName = new Map(stacks.map((stack) => [stack.name, stack]));
  const unknown = selection.names.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    const customers = stacks.filter((s) => s.role === "customer").map((s) => s.name);
    throw new Error(
      `No stack file for ${unknown.map((name) => `Pulumi.${name}.yaml`).join(", ")}: ` +
        `add one with \`npm run tenants -- new <customer> --subaccount AC…\`` +
        (customers.length > 0 ? ` (customers: ${customers.join(", ")})` : " (no customers yet)"),
    );
  }
  const unique = [...new Set(selection.names)];
  return unique.map((name) => byName.get(name) as ProjectStack);
}
