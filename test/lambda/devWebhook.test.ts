/** `npm run dev:webhook` end to end: it serves, signs, posts and prints the TwiML. */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const projectRoot = path.resolve(__dirname, "../..");

function run(args: string[], env: Record<string, string> = {}) {
  return promisify(execFile)(
    process.execPath,
    [
      path.join(projectRoot, "node_modules", "tsx", "dist", "cli.mjs"),
      "scripts/dev-webhook.ts",
      ...args,
    ],
    { cwd: projectRoot, env: { PATH: process.env.PATH, ...env } },
  );
}

async function devWebhook(args: string[], env: Record<string, string> = {}) {
  return (await run(args, env)).stdout;
}

/** A run that must fail: its exit code and stderr. */
async function refused(args: string[]) {
  const error = await run(args).then(
    () => undefined,
    (failure: { code: number; stderr: string }) => failure,
  );
  expect(error, `npm run dev:webhook -- ${args.join(" ")} must fail`).toBeDefined();
  return { code: error?.code, stderr: error?.stderr ?? "" };
}

describe("npm run dev:webhook", () => {
  it("posts a signed sample LINE call and prints the forwarding TwiML", async () => {
    const stdout = await devWebhook(["--line-user-id", "Udev0001"]);
    expect(stdout).toContain("200 text/xml");
    expect(stdout).toContain("<Sip>sip:reception@pbx.example.com?X-LINE-User-Id=Udev0001</Sip>");
    expect(stdout).toContain('"decision":"forward-sip"');
  });

  it("uses the environment's settings and any route and parameters given", async () => {
    const stdout = await devWebhook(
      ["--route", "/voice/after-dial", "--param", "DialCallStatus=no-answer"],
      {
        FORWARD_TO: "+81312345678",
        CALLER_ID: "+815012345678",
        UNAVAILABLE_MESSAGE: "Closed today",
      },
    );
    expect(stdout).toContain('<Say language="ja-JP">Closed today</Say>');
    expect(stdout).toContain("<Hangup/>");
  });

  it("--at simulates a call after hours: the after-hours TwiML, the voicemail and both missed-call events", async () => {
    const stdout = await devWebhook(
      ["--at", "2026-12-31T22:00+09:00", "--voicemail-seconds", "12"],
      {
        BUSINESS_HOURS: '{"weekly":{"thu":["09:00-18:00"]},"closed":["12-29..01-03"]}',
        VOICEMAIL: "true",
      },
    );
    expect(stdout).toContain('"decision":"after-hours-voicemail"');
    expect(stdout).toMatch(/<Record maxLength="120" playBeep="true"/);
    expect(stdout).toContain("POST /voicemail/recording-status");
    const events = stdout
      .split("\n")
      .filter((line) => line.startsWith("missed-call event: "))
      .map((line) => JSON.parse(line.slice("missed-call event: ".length)));
    expect(events).toEqual([
      expect.objectContaining({
        kind: "missed-call",
        reason: "after-hours",
        at: "2026-12-31T22:00:00+09:00",
      }),
      expect.objectContaining({
        kind: "voicemail",
        voicemail: expect.objectContaining({ durationSeconds: 12 }),
      }),
    ]);
  });

  it("--outcome follows the forward with the after-dial request and prints its TwiML", async () => {
    const stdout = await devWebhook(["--at", "2026-12-07T10:00+09:00", "--outcome", "busy"], {
      BUSINESS_HOURS: '{"weekly":{"mon":["09:00-18:00"]}}',
      UNAVAILABLE_MESSAGE: "Busy now",
    });
    expect(stdout).toContain('"decision":"forward-sip"');
    expect(stdout).toContain("POST /voice/after-dial");
    expect(stdout).toContain("DialCallStatus=busy");
    expect(stdout).toContain('<Say language="ja-JP">Busy now</Say>');
    expect(stdout).toMatch(/missed-call event: .*"reason":"busy"/);
  });

  it("--outcome all walks every way the forward can end, with each voicemail", async () => {
    const stdout = await devWebhook(["--outcome", "all"], { VOICEMAIL: "true" });
    const decisions = [...stdout.matchAll(/"decision":"([a-z-]+)"/g)].map((match) => match[1]);
    expect(decisions).toEqual([
      "forward-sip",
      "hangup",
      "unavailable-voicemail",
      "voicemail-recorded",
      "unavailable-voicemail",
      "voicemail-recorded",
      "unavailable-voicemail",
      "voicemail-recorded",
      "hangup",
    ]);
  });

  it("prints the usage and exits 2 on an unknown flag, a stray word or a bad value", async () => {
    for (const [args, why] of [
      [["--rout", "/fallback"], "Unknown option '--rout'"],
      [["fallback"], "Unexpected argument 'fallback'"],
      [
        ["--route", "/vioce"],
        '--route must be one of /voice, /voice/after-dial, /voice/after-record, /voicemail/recording-status, /fallback, /status (got "/vioce")',
      ],
      [["--port", "http"], "--port must be a port number"],
      [["--at", "2026-12-31 22:00"], "--at must be a date and time with its offset"],
      [["--at", "2026-12-31T22:00"], "--at must be a date and time with its offset"],
      [
        ["--outcome", "busy-signal"],
        "--outcome must be one of answered, busy, no-answer, failed, canceled, all",
      ],
      [["--param", "DialCallStatus"], "--param must look like Name=value"],
    ] as const) {
      const { code, stderr } = await refused([...args]);
      expect(code).toBe(2);
      expect(stderr).toContain(`dev:webhook: ${why}`);
      expect(stderr).toContain("usage: npm run dev:webhook -- [--route /voice|");
    }
  });
});
