// The pre-go-live call check against the Twilio stand-in and a local webhook over real HTTP: the
// SIP domain, its mapped IP lists and its Request URL are read through the project's Twilio client,
// the webhook gets the signed request Twilio would send, and each way a call can be stopped is
// named at the step it happens.
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCallCheck } from "../../devkit/callCheck";
import { freePort } from "../../devkit/freePort";
import { startLineStandin } from "../../devkit/notify-standins/line";
import { standinTwilioClient } from "../../devkit/twilio-standin/client";
import { startTwilioStandin, type TwilioStandin } from "../../devkit/twilio-standin/server";
import { type LocalWebhook, startLocalWebhook } from "../../lambda/localAdapter";
import { SAMPLE_LINE_USER_ID } from "../../model/twilioRequest";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const DOMAIN = "acme-line.sip.twilio.com";
const LINE_IP = "203.0.113.5";
/** Weekdays 09:00–18:00 in Tokyo, voicemail after hours. */
const BUSINESS_HOURS = JSON.stringify({
  weekly: Object.fromEntries(
    ["mon", "tue", "wed", "thu", "fri"].map((day) => [day, ["09:00-18:00"]]),
  ),
});

let standin: TwilioStandin;
let webhook: LocalWebhook;
let root: string;
let domainSid: string;
let env: NodeJS.ProcessEnv;
const webhookLog: string[] = [];

async function startWebhook(authToken: string): Promise<LocalWebhook> {
  const port = await freePort();
  return startLocalWebhook({
    port,
    log: (line) => webhookLog.push(line),
    env: {
      TWILIO_AUTH_TOKEN: authToken,
      // As configured in Twilio: the URL Twilio signs.
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      FORWARD_TO: "+81312345678",
      CALLER_ID: "+815012345678",
    },
  });
}

beforeAll(async () => {
  standin = await startTwilioStandin();
  webhook = await startWebhook(standin.authToken);
  const sip = standinTwilioClient(standin).api.v2010.accounts(standin.accountSid).sip;
  const domain = await sip.domains.create({
    domainName: DOMAIN,
    friendlyName: "line-call check",
    voiceUrl: `${webhook.url}/voice`,
    voiceMethod: "POST",
  });
  domainSid = domain.sid;
  const list = await sip.ipAccessControlLists.create({ friendlyName: "line-call check: LINE" });
  await sip.ipAccessControlLists(list.sid).ipAddresses.create({
    friendlyName: "LINE range",
    ipAddress: "203.0.113.0",
    cidrPrefixLength: 28,
  });
  await sip.domains(domain.sid).auth.calls.ipAccessControlListMappings.create({
    ipAccessControlListSid: list.sid,
  });

  root = mkdtempSync(path.join(tmpdir(), "line-call-call-check-"));
  copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
  writeFileSync(
    path.join(root, "Pulumi.check.yaml"),
    [
      "config:",
      `  line-call:sipDomainName: ${DOMAIN}`,
      '  line-call:forwardTo: "+81312345678"',
      '  line-call:callerId: "+815012345678"',
      "  line-call:voicemail: true",
      `  line-call:businessHours: '${BUSINESS_HOURS}'`,
      "",
    ].join("\n"),
  );
  // The providers' fallbacks: the stand-in's account and where its API is.
  env = {
    TWILIO_ACCOUNT_SID: standin.accountSid,
    TWILIO_AUTH_TOKEN: standin.authToken,
    TWILIO_API_BASE_URL: standin.url,
  };
});

afterAll(async () => {
  await webhook?.close();
  await standin?.close();
  rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  expect(standin.validationErrors).toEqual([]);
});

const check = (from: string, extra: { at?: Date; stack?: string } = {}) =>
  runCallCheck({
    stack: extra.stack ?? "check",
    from,
    root,
    env,
    ...(extra.at ? { at: extra.at } : {}),
  });

describe("npm run call-check", () => {
  it("admits a LINE address in a mapped list and says what the caller hears, from the webhook itself", async () => {
    const requestsBefore = webhookLog.length;
    const result = await check(LINE_IP);
    expect(result.steps.map((s) => [s.step, s.outcome])).toEqual([
      ["SIP domain", "ok"],
      ["IP lists", "ok"],
      ["Request URL", "ok"],
      ["webhook answer", "ok"],
    ]);
    expect(result.admitted).toBe(true);
    expect(result.steps[1]?.detail).toBe(
      `${LINE_IP} is admitted by 203.0.113.0/28 in line-call check: LINE`,
    );
    expect(result.callerHears).toBe("caller rings Number +81312345678 for 30 s");
    // The deployed webhook really answered a signed request (not a copy of its code).
    const answered = webhookLog.slice(requestsBefore).map((line) => JSON.parse(line));
    expect(answered).toContainEqual(
      expect.objectContaining({
        msg: "twilio request",
        decision: "forward-number",
        from: `sip:call-check@${LINE_IP}`,
      }),
    );
  });

  it("with --at, also answers for that time with the stack's settings: after hours, voicemail", async () => {
    const result = await check(LINE_IP, { at: new Date("2026-12-31T22:00:00+09:00") });
    const atStep = result.steps.at(-1);
    expect(atStep?.step).toBe("at 2026-12-31T13:00:00.000Z");
    expect(atStep?.outcome).toBe("note");
    expect(atStep?.detail).toMatch(
      /^closed at 2026-12-31T22:00:00\+09:00 \(weekly\); with the stack's settings the caller says "お電話ありがとうございます。ただいま営業時間外です。.*", then says ".*", then records a voicemail after a beep \(at most 120 s\)$/,
    );
  });

  it("stops at the IP lists for an address LINE does not send from", async () => {
    const result = await check("198.51.100.7");
    expect(result.admitted).toBe(false);
    expect(result.stoppedAt).toEqual({
      step: "IP lists",
      outcome: "stop",
      detail:
        "198.51.100.7 is in none of the 1 entries of the 1 mapped list(s): Twilio answers LINE's INVITE with 403 (add it to line-call:lineIpAddresses if LINE gave it to you)",
    });
  });

  it("stops at the Request URL while LINE is not connected (empty voiceUrl)", async () => {
    standin.edit("domain", domainSid, { voice_url: null });
    try {
      const result = await check(LINE_IP);
      expect(result.stoppedAt?.step).toBe("Request URL");
      expect(result.stoppedAt?.detail).toMatch(/is empty: Twilio rejects the call/);
    } finally {
      standin.edit("domain", domainSid, { voice_url: `${webhook.url}/voice` });
    }
  });

  it("stops at the webhook's answer when it checks signatures with another token", async () => {
    const other = await startWebhook("0".repeat(32));
    standin.edit("domain", domainSid, { voice_url: `${other.url}/voice` });
    try {
      const result = await check(LINE_IP);
      expect(result.stoppedAt?.step).toBe("webhook answer");
      expect(result.stoppedAt?.detail).toMatch(/^403: the webhook refused the signature/);
    } finally {
      standin.edit("domain", domainSid, { voice_url: `${webhook.url}/voice` });
      await other.close();
    }
  });

  it("stops at the webhook's answer when nothing listens at the Request URL", async () => {
    const port = await freePort();
    standin.edit("domain", domainSid, { voice_url: `http://127.0.0.1:${port}/voice` });
    try {
      const result = await check(LINE_IP);
      expect(result.stoppedAt?.step).toBe("webhook answer");
      expect(result.stoppedAt?.detail).toMatch(
        /could not be reached within Twilio's 15 s .*ECONNREFUSED/,
      );
    } finally {
      standin.edit("domain", domainSid, { voice_url: `${webhook.url}/voice` });
    }
  });

  it("stops at the SIP domain when the stack's domain does not exist in the account", async () => {
    writeFileSync(
      path.join(root, "Pulumi.missing.yaml"),
      "config:\n  line-call:sipDomainName: nobody-here.sip.twilio.com\n",
    );
    const result = await check(LINE_IP, { stack: "missing" });
    expect(result.stoppedAt?.step).toBe("SIP domain");
    expect(result.stoppedAt?.detail).toMatch(
      /^nobody-here.sip.twilio.com does not exist in account AC/,
    );
  });

  it("with --line-user-id, asks LINE whether the channel knows the ID the call carries", async () => {
    const line = await startLineStandin({ friends: { [SAMPLE_LINE_USER_ID]: "LINE taro" } });
    const lineEnv = {
      ...env,
      LINE_CHANNEL_ACCESS_TOKEN: line.channelAccessToken,
      LINE_API_BASE_URL: line.url,
    };
    try {
      const known = await runCallCheck({
        stack: "check",
        from: LINE_IP,
        root,
        env: lineEnv,
        lineUserId: SAMPLE_LINE_USER_ID,
      });
      expect(known.steps.at(-1)).toEqual({
        step: "LINE user ID",
        outcome: "ok",
        detail: `${SAMPLE_LINE_USER_ID} is known to the channel (display name "LINE taro"): the follow-up reaches this caller`,
      });
      const stranger = `U${"0".repeat(32)}`;
      const unknown = await runCallCheck({
        stack: "check",
        from: LINE_IP,
        root,
        env: lineEnv,
        lineUserId: stranger,
      });
      expect(unknown.admitted).toBe(true);
      expect(unknown.steps.at(-1)?.detail).toMatch(/is not known to the channel \(404\)/);
      const noToken = await runCallCheck({
        stack: "check",
        from: LINE_IP,
        root,
        env,
        lineUserId: stranger,
      });
      expect(noToken.steps.at(-1)?.detail).toMatch(/^not asked: no LINE channel access token/);
      expect(line.validationErrors).toEqual([]);
    } finally {
      await line.close();
    }
  });

  it("runs as a command: one table, one verdict line, exit 0 when admitted and 1 when stopped", async () => {
    const run = (from: string) =>
      promisify(execFile)(
        process.execPath,
        [
          path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
          path.join(PROJECT_ROOT, "scripts", "call-check.ts"),
          "check",
          "--from",
          from,
        ],
        { cwd: root, env: { PATH: process.env.PATH, ...env } },
      ).then(
        (out) => ({ code: 0, stdout: out.stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    const admitted = await run(LINE_IP);
    expect(admitted.code).toBe(0);
    expect(admitted.stdout.split("\n")[0]).toMatch(/^step +result +detail$/);
    expect(admitted.stdout).toContain(
      `ADMITTED: Twilio would let a call from ${LINE_IP} in, and the caller rings Number +81312345678 for 30 s`,
    );
    const stopped = await run("198.51.100.7");
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toMatch(/STOPPED at "IP lists": 198\.51\.100\.7 is in none/);
  });
});
