// Credentials reach the providers only through `configure` (stack config, falling back to the
// TWILIO_* environment) and never end up in the serialized provider, the state or the host's log.
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EngineResource } from "../../devkit/engine/engine";
import { ProviderHost, secret } from "../../devkit/engine/providerHost";
import { installedProviders, type ResourceKind } from "../../devkit/engine/twilioBed";
import { startTwilioStandin, type TwilioStandin } from "../../devkit/twilio-standin/server";
import { PROVIDERS_PACKAGE } from "../../providers/installed";
import { configureTwilio } from "../../providers/twilioClient";
import { twilioAccountSid, validateConfig } from "../../stack/config";

const API_KEY = `SK${"5ca1ab1e".repeat(4)}`;
const API_SECRET = "an-api-secret-that-must-stay-out";

let standin: TwilioStandin;
const hosts: ProviderHost[] = [];
let counter = 0;

beforeAll(async () => {
  standin = await startTwilioStandin({ apiKey: API_KEY, apiSecret: API_SECRET });
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  await standin?.close();
});
afterEach(() => {
  expect(standin.validationErrors).toEqual([]);
});

async function hostWith(
  config: Parameters<ProviderHost["configure"]>[0],
  env?: Record<string, string>,
): Promise<ProviderHost> {
  const host = await ProviderHost.start({ env });
  hosts.push(host);
  await host.configure(config);
  return host;
}

const list = (host: ProviderHost) =>
  new EngineResource(
    host,
    "twilio:IpAccessControlList",
    `list-${++counter}`,
    installedProviders().IpAccessControlList,
  );

function expectNoCredential(text: string) {
  for (const credential of [standin.authToken, API_SECRET]) expect(text).not.toContain(credential);
}

describe("credentials", () => {
  it("come from stack config: account SID with a secret auth token", async () => {
    const host = await hostWith({
      "twilio:accountSid": standin.accountSid,
      "twilio:authToken": secret(standin.authToken),
      "twilio:apiBaseUrl": standin.url,
    });
    const acl = list(host);
    await acl.up({ friendlyName: `creds-${counter}` });
    expect(acl.outputs.accountSid).toBe(standin.accountSid);
    expectNoCredential(JSON.stringify(acl.state));
    await acl.destroy();
    expectNoCredential(host.stderr);
  });

  it("or an API key and secret", async () => {
    const host = await hostWith({
      "twilio:accountSid": standin.accountSid,
      "twilio:apiKey": API_KEY,
      "twilio:apiSecret": secret(API_SECRET),
      "twilio:apiBaseUrl": standin.url,
    });
    const acl = list(host);
    await acl.up({ friendlyName: `key-${counter}` });
    expectNoCredential(JSON.stringify(acl.state));
    await acl.destroy();
  });

  it("fall back to the SDK's TWILIO_* environment variables", async () => {
    const host = await hostWith(
      { "line-call:lineConnected": "false" },
      {
        TWILIO_ACCOUNT_SID: standin.accountSid,
        TWILIO_AUTH_TOKEN: standin.authToken,
        TWILIO_API_BASE_URL: standin.url,
      },
    );
    const acl = list(host);
    await acl.up({ friendlyName: `env-${counter}` });
    await acl.destroy();
  });

  it("a missing credential fails with one line naming the key; check still works without", async () => {
    const host = await hostWith({
      "twilio:accountSid": standin.accountSid,
      "twilio:apiBaseUrl": standin.url,
    });
    const acl = list(host);
    expect((await acl.preview({ friendlyName: "preview-only" })).op).toBe("create");
    const error = String(
      await acl.up({ friendlyName: "never-created" }).catch((e: Error) => e.message),
    );
    expect(error).toContain("twilio:authToken");
    expect(error).toContain("--secret");
    expect(error.split("\n")).toHaveLength(1);

    const noAccount = list(await hostWith({ "twilio:authToken": secret("x") }));
    expect(await noAccount.up({ friendlyName: "x" }).catch((e: Error) => e.message)).toContain(
      "twilio:accountSid",
    );
    expect(standin.ipAccessControlLists().map((l) => l.friendly_name)).not.toContain(
      "never-created",
    );
  });

  it("refused credentials surface Twilio's 20003 with what to check", async () => {
    const host = await hostWith({
      "twilio:accountSid": standin.accountSid,
      "twilio:authToken": secret("0".repeat(32)),
      "twilio:apiBaseUrl": standin.url,
    });
    const error = await list(host)
      .up({ friendlyName: "refused" })
      .catch((e: Error) => e.message);
    expect(error).toContain("20003");
    expect(error).toContain("twilio:authToken");
  });

  it("the serialized provider text (stored in state) never contains a credential", async () => {
    // Even after configure ran in this very process, with credentials in config and environment.
    process.env.TWILIO_AUTH_TOKEN = standin.authToken;
    process.env.TWILIO_API_SECRET = API_SECRET;
    try {
      await configureTwilio({
        config: {
          get: (key: string) =>
            ({
              "twilio:accountSid": standin.accountSid,
              "twilio:authToken": standin.authToken,
              "twilio:apiSecret": API_SECRET,
            })[key],
          require: () => "",
        },
      });
      const providers = installedProviders();
      for (const kind of Object.keys(providers) as ResourceKind[]) {
        const provider = providers[kind];
        const { text } = await pulumi.runtime.serializeFunction(() => provider, {
          allowSecrets: true,
        });
        // What users' state holds: a require of the installed module, never its code.
        expect(text).toContain(`require("${PROVIDERS_PACKAGE}/`);
        expectNoCredential(text);
        expect(text).not.toContain("TWILIO_AUTH_TOKEN=");
      }
    } finally {
      delete process.env.TWILIO_AUTH_TOKEN;
      delete process.env.TWILIO_API_SECRET;
    }
  });
});

describe("one precedence for every reader of a Twilio setting", () => {
  // Stack config unless blank, else the environment variable unless blank, else not set: the
  // config check, the program (the smoke test's account) and the providers must all agree.
  const OTHER_ACCOUNT = `AC${"0badacc0".repeat(4)}`;
  const cases: Array<{
    what: string;
    config?: string;
    env?: string;
    uses: "config" | "env" | "none";
  }> = [
    { what: "config only", config: "standin", uses: "config" },
    { what: "config over the environment", config: "standin", env: "other", uses: "config" },
    {
      what: "an empty config value defers to the environment",
      config: "",
      env: "standin",
      uses: "env",
    },
    {
      what: "a blank config value defers to the environment",
      config: "  ",
      env: "standin",
      uses: "env",
    },
    { what: "the environment only", env: "standin", uses: "env" },
    { what: "an empty config value and no environment", config: "", uses: "none" },
    { what: "both blank", config: " ", env: "", uses: "none" },
  ];
  const sid = (which: string | undefined) =>
    which === "standin" ? standin.accountSid : which === "other" ? OTHER_ACCOUNT : which;

  it.each(cases)("$what", async ({ config, env, uses }) => {
    const configValues: Record<string, string> = {
      "twilio:authToken": standin.authToken,
      "twilio:apiBaseUrl": standin.url,
      "line-call:sipDomainName": "acme-line.sip.twilio.com",
      "line-call:lineIpAddresses": JSON.stringify([{ ip: "203.0.113.10" }]),
      "line-call:forwardTo": "sip:reception@pbx.example.com",
      "line-call:webhookBaseUrl": "https://twiml.example.com/line",
    };
    if (config !== undefined) configValues["twilio:accountSid"] = sid(config) as string;
    const environment: Record<string, string> =
      env === undefined ? {} : { TWILIO_ACCOUNT_SID: sid(env) as string };
    const expected = uses === "config" ? sid(config) : uses === "env" ? sid(env) : undefined;

    const source = {
      stack: "test",
      values: configValues,
      secretKeys: new Set(["twilio:authToken"]),
      env: environment,
    };
    const notSet = validateConfig(source).errors.some((e) =>
      e.startsWith("twilio:accountSid is not set"),
    );
    expect({ checkSaysNotSet: notSet, programUses: twilioAccountSid(source) || undefined }).toEqual(
      {
        checkSaysNotSet: expected === undefined,
        programUses: expected,
      },
    );

    const { "twilio:authToken": token, ...rest } = configValues;
    const host = await hostWith({ ...rest, "twilio:authToken": secret(token) }, environment);
    const acl = list(host);
    const result = await acl
      .up({ friendlyName: `precedence-${counter}` })
      .then(() => acl.outputs.accountSid as string)
      .catch((error: Error) => error.message);
    if (expected === undefined)
      expect(result).toMatch(/Twilio account SID missing: set twilio:accountSid/);
    else expect(result).toBe(expected);
    if (expected !== undefined) await acl.destroy();
  });
});
