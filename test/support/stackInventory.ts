// What the real-CLI fault tests check after each step: the stack's state against the Twilio
// stand-in's inventory, object by object, so nothing Twilio holds is left untracked.
import { expect } from "vitest";
import { type EngineStack, expectSuccess } from "../../devkit/engine/cliStack";

type Json = Record<string, unknown>;

const TYPE_PREFIX = "pulumi-nodejs:dynamic/twilio:";

/** The stack's exported deployment. */
export async function exportedDeployment(stack: EngineStack): Promise<Json> {
  const exported = expectSuccess(await stack.pulumi(["stack", "export"]), "stack export");
  return JSON.parse(exported.stdout).deployment;
}

/**
 * Every SIP domain, IP list, IP entry and mapping Twilio holds is one the state tracks, and the
 * state tracks nothing else: no untracked object, no duplicate.
 */
export async function expectStateMatchesTwilio(stack: EngineStack): Promise<void> {
  const resources = ((await exportedDeployment(stack)).resources ?? []) as Json[];
  const tracked = (type: string) =>
    resources
      .filter((r) => r.type === `${TYPE_PREFIX}${type}`)
      .map((r) => String(r.id))
      .sort();
  const { standin } = stack;
  const sids = (objects: Json[]) => objects.map((o) => String(o.sid)).sort();
  expect({
    domains: tracked("SipDomain"),
    lists: tracked("IpAccessControlList"),
    entries: tracked("IpAddress"),
    mappings: tracked("IpAccessControlListMapping"),
  }).toEqual({
    domains: sids(standin.domains()),
    lists: sids(standin.ipAccessControlLists()),
    entries: sids(standin.ipAddresses()),
    mappings: standin
      .domains()
      .flatMap((d) =>
        standin.ipAccessControlListMappings(String(d.sid)).map((m) => `${d.sid}/${m.sid}`),
      )
      .sort(),
  });
}

/** Sets the stack's LINE addresses (`line-call:lineIpAddresses`) to these, in order. */
export function declareAddresses(stack: EngineStack, ips: string[]): void {
  stack.writeConfig({
    ...stack.readConfig(),
    "line-call:lineIpAddresses": ips.map((ip, i) => ({ ip, label: `LINE SIP ${i + 1}` })),
  });
}

/** Twilio holds exactly these addresses, in one list, for one domain. */
export function expectExactlyDeclared(stack: EngineStack, ips: string[]): void {
  const entries = stack.standin.ipAddresses() as Json[];
  expect(entries.map((e) => e.ip_address).sort()).toEqual([...ips].sort());
  expect(stack.standin.ipAccessControlLists()).toHaveLength(1);
  expect(stack.standin.domains()).toHaveLength(1);
}

/** `pulumi preview --refresh --expect-no-changes`, the drift check, with `--diff` as CI runs it. */
export function driftGate(stack: EngineStack) {
  return stack.pulumi(["preview", "--refresh", "--expect-no-changes", "--diff"]);
}

/**
 * Where every recovery must end: Twilio holds exactly the declared addresses, the state tracks
 * everything Twilio holds, and the drift check passes.
 */
export async function expectDeclaredTrackedAndClean(
  stack: EngineStack,
  ips: string[],
): Promise<void> {
  expectExactlyDeclared(stack, ips);
  await expectStateMatchesTwilio(stack);
  expectSuccess(await driftGate(stack), "the drift check");
}
