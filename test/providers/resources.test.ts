// The resource classes as a program uses them (under Pulumi's mocks): type tokens, the inputs they
// register (with the serialized provider) and the outputs they expose. Plus the pure parts:
// settings resolution, the concurrency cap and error wrapping.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveTwilioSetting, type TwilioSetting } from "../../model/twilio";
import {
  IpAccessControlList,
  IpAccessControlListMapping,
  IpAddress,
  MAX_CONCURRENT_TWILIO_CALLS,
  SipDomain,
} from "../../providers";
import {
  isNotFound,
  isRetryableTwilioError,
  toProviderError,
  unlessGone,
} from "../../providers/errors";
import { resolveTwilioSettings, withCallSlot } from "../../providers/twilioClient";

const registered: Array<{ type: string; name: string; inputs: Record<string, unknown> }> = [];

beforeAll(() => {
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const sid = `${args.type.endsWith("SipDomain") ? "SD" : "AL"}${"0".repeat(32)}`;
        return {
          id: sid,
          state: {
            ...args.inputs,
            sid,
            accountSid: `AC${"1".repeat(32)}`,
            sipUri: `sip:${args.inputs.domainName}`,
          },
        };
      },
      call: () => ({}),
    },
    "line-call",
    "test",
  );
});

const value = <T>(output: pulumi.Output<T>) =>
  new Promise<T>((resolve) => output.apply((v) => resolve(v)));

describe("resource classes", () => {
  it("register the documented type tokens, inputs and the serialized provider", async () => {
    const domain = new SipDomain("domain", {
      domainName: "line.sip.twilio.com",
      voiceUrl: "https://x.example/voice",
    });
    const list = new IpAccessControlList("list", { friendlyName: "LINE", adopt: true });
    const ip = new IpAddress("ip", { ipAccessControlListSid: list.sid, ipAddress: "203.0.113.10" });
    const mapping = new IpAccessControlListMapping("mapping", {
      domainSid: domain.sid,
      ipAccessControlListSid: list.sid,
    });
    expect(await value(domain.sipUri)).toBe("sip:line.sip.twilio.com");
    expect(await value(domain.accountSid)).toMatch(/^AC/);
    expect(await value(list.sid)).toMatch(/^AL/);
    await value(ip.sid);
    await value(mapping.sid);
    const types = Object.fromEntries(registered.map((r) => [r.name, r.type]));
    expect(types).toEqual({
      domain: "pulumi-nodejs:dynamic/twilio:SipDomain",
      list: "pulumi-nodejs:dynamic/twilio:IpAccessControlList",
      ip: "pulumi-nodejs:dynamic/twilio:IpAddress",
      mapping: "pulumi-nodejs:dynamic/twilio:IpAccessControlListMapping",
    });
    const domainInputs = registered.find((r) => r.name === "domain")?.inputs ?? {};
    expect(domainInputs).toMatchObject({
      domainName: "line.sip.twilio.com",
      voiceUrl: "https://x.example/voice",
    });
    expect(String(domainInputs.__provider)).toContain("exports.handler");
  });
});

describe("settings", () => {
  const lookup = (values: Record<string, string>) => (name: TwilioSetting) =>
    resolveTwilioSetting(name, (key) => values[key], values);

  it("prefers an API key pair, else the auth token; trims a trailing slash of the base URL", () => {
    const account = `AC${"a".repeat(32)}`;
    expect(
      resolveTwilioSettings(
        lookup({
          "twilio:accountSid": account,
          "twilio:authToken": "t",
          "twilio:apiBaseUrl": "http://127.0.0.1:9/",
        }),
      ),
    ).toEqual({
      accountSid: account,
      username: account,
      password: "t",
      apiBaseUrl: "http://127.0.0.1:9",
    });
    expect(
      resolveTwilioSettings(
        lookup({ TWILIO_ACCOUNT_SID: account, TWILIO_API_KEY: "SKx", TWILIO_API_SECRET: "s" }),
      ),
    ).toEqual({ accountSid: account, username: "SKx", password: "s" });
  });

  it("says which key to set", () => {
    expect(() => resolveTwilioSettings(lookup({}))).toThrow(
      /twilio:accountSid.*TWILIO_ACCOUNT_SID/,
    );
    expect(() => resolveTwilioSettings(lookup({ "twilio:accountSid": "SK123" }))).toThrow(
      /AC followed by 32 hex/,
    );
    const account = { "twilio:accountSid": `AC${"a".repeat(32)}` };
    expect(() => resolveTwilioSettings(lookup({ ...account, "twilio:apiKey": "SKx" }))).toThrow(
      /twilio:apiSecret/,
    );
    expect(() =>
      resolveTwilioSettings(lookup({ ...account, "twilio:apiBaseUrl": "localhost" })),
    ).toThrow(/absolute/);
  });
});

describe("concurrency cap", () => {
  it(`lets ${MAX_CONCURRENT_TWILIO_CALLS} calls run at once and queues the rest`, async () => {
    expect(MAX_CONCURRENT_TWILIO_CALLS).toBeGreaterThanOrEqual(50);
    let running = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const total = MAX_CONCURRENT_TWILIO_CALLS + 20;
    const calls = Array.from({ length: total }, () =>
      withCallSlot(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(running).toBe(MAX_CONCURRENT_TWILIO_CALLS);
    while (gates.length > 0 || running > 0) {
      for (const release of gates.splice(0)) release();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(calls);
    expect(peak).toBe(MAX_CONCURRENT_TWILIO_CALLS);
  });
});

describe("errors", () => {
  it("keep .status and .code, so a wrapped 404 still reads as gone", () => {
    const wrapped = toProviderError(
      "read SIP domain SD1",
      Object.assign(new Error("not found"), { status: 404, code: 20404 }),
    );
    expect(wrapped).toMatchObject({ status: 404, code: 20404 });
    expect(isNotFound(wrapped)).toBe(true);
    expect(wrapped.message).toContain("Twilio error 20404");
  });

  it("unlessGone turns only a 404 into undefined (gone); every other failure still throws", async () => {
    const gone = toProviderError(
      "delete SIP domain SD1",
      Object.assign(new Error("not found"), { status: 404, code: 20404 }),
    );
    expect(await unlessGone(Promise.reject(gone))).toBeUndefined();
    expect(await unlessGone(Promise.resolve({ sid: "SD1" }))).toEqual({ sid: "SD1" });
    const refused = Object.assign(new Error("still mapped"), { status: 400, code: 21236 });
    await expect(unlessGone(Promise.reject(refused))).rejects.toBe(refused);
  });

  it("retry 429, 5xx and dropped connections only", () => {
    expect(isRetryableTwilioError({ status: 429 })).toBe(true);
    expect(isRetryableTwilioError({ status: 503 })).toBe(true);
    expect(isRetryableTwilioError({ status: 400 })).toBe(false);
    expect(
      isRetryableTwilioError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })),
    ).toBe(true);
    expect(isRetryableTwilioError(new Error("invalid input"))).toBe(false);
  });
});
