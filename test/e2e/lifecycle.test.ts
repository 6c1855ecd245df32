// The user's main job through the real Pulumi CLI: `pulumi up`, the drift gate, connecting LINE,
// drift repaired, an IP list change reviewed, and the state holding no plaintext secret. Each
// step checks the Twilio stand-in's inventory, not only what Pulumi says.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEngineStack,
  type EngineStack,
  engineTestsEnabled,
  expectSuccess,
  previewSteps,
} from "../../devkit/engine/cliStack";
import { DEFAULT_AUTH_TOKEN } from "../../devkit/twilio-standin/server";

const enabled = engineTestsEnabled();
const LONG = 300_000;

type Json = Record<string, unknown>;

describe.runIf(enabled)("pulumi up, drift gate and LINE connection on a local-shaped stack", () => {
  let stack: EngineStack;
  const domain = () => stack.standin.domains()[0] as Json;
  const list = () => stack.standin.ipAccessControlLists()[0] as Json;
  const entries = () => stack.standin.ipAddresses(list().sid as string) as Json[];
  const addresses = () =>
    entries()
      .map((e) => e.ip_address as string)
      .sort();
  const inventoryIsDeclared = (ips: string[]) => {
    expect(stack.standin.domains()).toHaveLength(1);
    expect(stack.standin.ipAccessControlLists()).toHaveLength(1);
    expect(stack.standin.ipAddresses()).toHaveLength(ips.length);
    expect(addresses()).toEqual([...ips].sort());
    expect(stack.standin.ipAccessControlListMappings(domain().sid as string)).toHaveLength(1);
  };

  beforeAll(async () => {
    stack = await createEngineStack("lifecycle");
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it(
    "pulumi up creates domain, list, one entry per IP, mapping and smoke test; Request URL empty",
    async () => {
      expectSuccess(await stack.pulumi(["up", "--yes", "--skip-preview"]), "pulumi up");
      inventoryIsDeclared(["203.0.113.10", "203.0.113.11"]);
      expect(domain()).toMatchObject({
        domain_name: "line-call-local.sip.twilio.com",
        voice_url: null,
        voice_fallback_url: `${stack.webhook.url}/fallback`,
      });
      expect(
        entries()
          .map((e) => e.friendly_name)
          .sort(),
      ).toEqual(["LINE SIP 1 (documentation address)", "LINE SIP 2 (documentation address)"]);

      const outputs = JSON.parse(
        expectSuccess(await stack.pulumi(["stack", "output", "--json"]), "stack output").stdout,
      );
      expect(outputs).toMatchObject({
        sipUri: "sip:line-call-local.sip.twilio.com",
        sipDomainSid: domain().sid,
        accountSid: stack.standin.accountSid,
        webhookBaseUrl: stack.webhook.url,
        voiceUrl: "",
        lineConnected: false,
      });
      expect(outputs.nextStep).toContain("sip:line-call-local.sip.twilio.com");
      expect(outputs.lineIpAddresses.map((e: Json) => e.sid).sort()).toEqual(
        entries()
          .map((e) => e.sid)
          .sort(),
      );

      // The smoke test ran for real: a signed and an unsigned call reached the webhook.
      const state = JSON.parse(
        expectSuccess(await stack.pulumi(["stack", "export"]), "stack export").stdout,
      );
      const smoke = state.deployment.resources.find(
        (r: Json) => r.type === "pulumi-nodejs:dynamic/line-call:WebhookSmokeTestRun",
      );
      expect(smoke.outputs).toMatchObject({ passed: true, voiceUrl: `${stack.webhook.url}/voice` });
    },
    LONG,
  );

  it(
    "the drift gate passes right after",
    async () => {
      expectSuccess(
        await stack.pulumi(["preview", "--refresh", "--expect-no-changes"]),
        "the drift gate",
      );
    },
    LONG,
  );

  it(
    "lineConnected true is exactly one update, the Request URL; false clears it again",
    async () => {
      expectSuccess(
        await stack.pulumi(["config", "set", "line-call:lineConnected", "true"]),
        "config set",
      );
      const preview = previewSteps(
        expectSuccess(await stack.pulumi(["preview", "--json"]), "preview").stdout,
      );
      expect(preview.map((s) => [s.op, s.urn.split("::").pop()])).toEqual([
        ["update", "sip-domain"],
      ]);
      expectSuccess(await stack.pulumi(["up", "--yes", "--skip-preview"]), "pulumi up (connected)");
      expect(domain().voice_url).toBe(`${stack.webhook.url}/voice`);
      const outputs = JSON.parse((await stack.pulumi(["stack", "output", "--json"])).stdout);
      expect(outputs).toMatchObject({
        voiceUrl: `${stack.webhook.url}/voice`,
        lineConnected: true,
      });

      expectSuccess(
        await stack.pulumi(["config", "set", "line-call:lineConnected", "false"]),
        "config set",
      );
      expectSuccess(await stack.pulumi(["up", "--yes"]), "pulumi up (disconnected)");
      expect(domain().voice_url).toBeNull();
      inventoryIsDeclared(["203.0.113.10", "203.0.113.11"]);
    },
    LONG,
  );

  it(
    "drift made in Twilio fails the gate, names the resources, and up --refresh repairs it",
    async () => {
      const [first, second] = [...entries()].sort((a, b) =>
        String(a.ip_address).localeCompare(String(b.ip_address)),
      );
      stack.standin.edit("ipAddress", first.sid as string, {
        friendly_name: "typed in the console",
      });
      stack.standin.edit("domain", domain().sid as string, { voice_url: "https://example.com/x" });
      stack.standin.remove("ipAddress", second.sid as string);

      const gate = await stack.pulumi(["preview", "--refresh", "--expect-no-changes"]);
      expect(gate.code).not.toBe(0);
      expect(gate.output).toMatch(/no changes were expected/i);
      for (const drifted of [
        /IpAddress line-ip-203\.0\.113\.10-32 update \[diff: ~friendlyName\]/,
        /IpAddress line-ip-203\.0\.113\.11-32 create/,
        /SipDomain sip-domain update \[diff: ~voiceUrl\]/,
      ]) {
        expect(gate.output).toMatch(drifted);
      }

      expectSuccess(await stack.pulumi(["up", "--refresh", "--yes"]), "pulumi up --refresh");
      inventoryIsDeclared(["203.0.113.10", "203.0.113.11"]);
      expect(domain().voice_url).toBeNull();
      expect(
        entries()
          .map((e) => e.friendly_name)
          .sort(),
      ).toEqual(["LINE SIP 1 (documentation address)", "LINE SIP 2 (documentation address)"]);
      expectSuccess(
        await stack.pulumi(["preview", "--refresh", "--expect-no-changes"]),
        "the drift gate after the repair",
      );
    },
    LONG,
  );

  it(
    "an IP list edit in the stack file previews as one create, one delete and the list's declared entries",
    async () => {
      const config = stack.readConfig();
      const original = config["line-call:lineIpAddresses"];
      stack.writeConfig({
        ...config,
        "line-call:lineIpAddresses": [
          { ip: "203.0.113.10", label: "LINE SIP 1 (documentation address)" },
          { ip: "198.51.100.7", label: "LINE SIP 3 (documentation address)" },
        ],
      });
      const preview = expectSuccess(await stack.pulumi(["preview", "--json"]), "preview").stdout;
      const steps = previewSteps(preview);
      expect(steps.map((s) => [s.op, s.urn.split("::").pop()]).sort()).toEqual([
        ["create", "line-ip-198.51.100.7-32"],
        ["delete", "line-ip-203.0.113.11-32"],
        ["update", "line-ip-access-control-list"],
      ]);
      // The list's update only records what it declares (and would remove 203.0.113.11/32).
      const list = JSON.parse(preview).steps.find((s: Json) =>
        String(s.urn).endsWith("::line-ip-access-control-list"),
      );
      expect(list.oldState.outputs.declaredEntries).toEqual(["203.0.113.10/32", "203.0.113.11/32"]);
      expect(list.newState.inputs).toMatchObject({
        friendlyName: list.oldState.outputs.friendlyName,
        declaredEntries: ["198.51.100.7/32", "203.0.113.10/32"],
      });
      stack.writeConfig({ ...stack.readConfig(), "line-call:lineIpAddresses": original });
    },
    LONG,
  );

  it(
    "the state holds no plaintext auth token anywhere, __provider included",
    async () => {
      const exported = expectSuccess(
        await stack.pulumi(["stack", "export"]),
        "stack export",
      ).stdout;
      expect(exported).toContain("__provider");
      expect(exported).toContain("secure");
      expect(exported).not.toContain(DEFAULT_AUTH_TOKEN);
    },
    LONG,
  );

  it(
    "pulumi destroy removes everything it created from Twilio",
    async () => {
      expectSuccess(await stack.pulumi(["destroy", "--yes", "--skip-preview"]), "pulumi destroy");
      expect(stack.standin.domains()).toEqual([]);
      expect(stack.standin.ipAccessControlLists()).toEqual([]);
      expect(stack.standin.ipAddresses()).toEqual([]);
    },
    LONG,
  );
});
