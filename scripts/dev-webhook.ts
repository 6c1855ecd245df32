/**
 * `npm run dev:webhook`: try the webhook locally. Starts it on 127.0.0.1 behind the HTTP API
 * adapter, posts one sample LINE call signed exactly as Twilio signs (the twilio package's own
 * signing), and prints the TwiML it answered.
 *
 *   npm run dev:webhook                                   # sample settings, POST /voice
 *   FORWARD_TO=+81312345678 CALLER_ID=+815012345678 npm run dev:webhook
 *   npm run dev:webhook -- --route /voice/after-dial --param DialCallStatus=no-answer
 *   npm run dev:webhook -- --line-user-id Uxxxxxxxx --keep-running
 *
 * A whole call, as an operator checks it before go-live: `--at` sets the webhook's clock (business
 * hours are judged at that instant), `--outcome` says how the forward ends (the after-dial request
 * follows), and when the answer records a voicemail its recording status callback follows too
 * (`--voicemail-seconds`, 0 for none); every TwiML answer and missed-call event is printed.
 *
 *   BUSINESS_HOURS='{"weekly":{"mon":["09:00-18:00"]},"closed":["12-29..01-03"]}' VOICEMAIL=true \
 *     npm run dev:webhook -- --at 2026-12-31T22:00+09:00
 *   npm run dev:webhook -- --at 2026-12-07T10:00+09:00 --outcome busy
 *   VOICEMAIL=true npm run dev:webhook -- --outcome all    # answered, busy, no-answer, failed, canceled
 *
 * Settings come from the environment (same names as on the Lambda function); FORWARD_TO and
 * TWILIO_AUTH_TOKEN get sample values when unset. Nothing leaves this machine.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import type { Env } from "../lambda/config";
import { ROUTES } from "../lambda/contract";
import { startLocalWebhook } from "../lambda/localAdapter";
import { MISSED_CALL_REASONS } from "../lambda/missedCall";
import {
  hexUserToUser,
  postSignedTwilioForm,
  SAMPLE_LINE_USER_ID,
  sampleLineCall,
} from "../model/twilioRequest";

/** How the forwarded leg may end: Twilio's DialCallStatus values ("answered" ends "completed"). */
const DIAL_OUTCOMES = [
  "answered",
  ...MISSED_CALL_REASONS.filter((r) => r !== "after-hours"),
  "canceled",
];
/** `all` walks every outcome in turn, each from the same forwarded call. */
const OUTCOMES = [...DIAL_OUTCOMES, "all"];

const USAGE = `usage: npm run dev:webhook -- [--route ${Object.values(ROUTES).join("|")}]
       [--at 2026-12-31T22:00+09:00] [--outcome ${OUTCOMES.join("|")}] [--voicemail-seconds N]
       [--line-user-id ID] [--param Name=value ...] [--port N] [--keep-running] [--help]`;

/** ISO 8601 with a time zone (Z or ±hh:mm): a bare local time would depend on this machine's zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A mistake on the command line: printed with the usage, exit 2. */
class UsageError extends Error {}

const parse = (args: string[]) =>
  parseArgs({
    args,
    options: {
      route: { type: "string", default: ROUTES.voice },
      at: { type: "string" },
      outcome: { type: "string", default: "answered" },
      "voicemail-seconds": { type: "string", default: "20" },
      "line-user-id": { type: "string", default: SAMPLE_LINE_USER_ID },
      param: { type: "string", multiple: true, default: [] },
      port: { type: "string", default: "0" },
      "keep-running": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });

function parseFlags(args: string[]) {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    // Unknown flags (--rout), a missing value, stray words: node's parseArgs says which.
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const routes: string[] = Object.values(ROUTES);
  if (!routes.includes(values.route)) {
    throw new UsageError(`--route must be one of ${routes.join(", ")} (got "${values.route}")`);
  }
  if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
    throw new UsageError(`--port must be a port number, 0 for any free one (got "${values.port}")`);
  }
  const at = values.at === undefined ? undefined : new Date(values.at);
  if (values.at !== undefined && (!INSTANT.test(values.at) || Number.isNaN(at?.getTime()))) {
    throw new UsageError(
      `--at must be a date and time with its offset, e.g. 2026-12-31T22:00+09:00 (got "${values.at}")`,
    );
  }
  if (!OUTCOMES.includes(values.outcome)) {
    throw new UsageError(
      `--outcome must be one of ${OUTCOMES.join(", ")} (got "${values.outcome}")`,
    );
  }
  if (!/^\d{1,4}$/.test(values["voicemail-seconds"])) {
    throw new UsageError(
      `--voicemail-seconds must be whole seconds, 0 for a caller who leaves none (got "${values["voicemail-seconds"]}")`,
    );
  }
  const extraParams: Record<string, string> = {};
  for (const pair of values.param) {
    const equals = pair.indexOf("=");
    if (equals < 1) throw new UsageError(`--param must look like Name=value (got "${pair}")`);
    extraParams[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return { values, extraParams, at };
}

async function main(): Promise<void> {
  const { values, extraParams, at } = parseFlags(process.argv.slice(2));
  if (values.help) {
    console.log(USAGE);
    return;
  }

  const authToken = process.env.TWILIO_AUTH_TOKEN?.trim() || randomBytes(16).toString("hex");
  const env: Env = {
    ...process.env,
    FORWARD_TO: process.env.FORWARD_TO || "sip:reception@pbx.example.com",
    TWILIO_AUTH_TOKEN: authToken,
  };
  const webhook = await startLocalWebhook({
    port: Number(values.port),
    env,
    log: (line) =>
      console.log(
        (JSON.parse(line) as { msg?: string }).msg === "missed call"
          ? `missed-call event: ${line}`
          : `log: ${line}`,
      ),
    ...(at ? { now: () => at } : {}),
  });
  console.log(`webhook listening on ${webhook.url} (Twilio would call ${webhook.publicBaseUrl})`);
  console.log(`FORWARD_TO=${env.FORWARD_TO}${env.CALLER_ID ? ` CALLER_ID=${env.CALLER_ID}` : ""}`);
  if (at) {
    console.log(
      `clock: ${at.toISOString()}` +
        (env.BUSINESS_HOURS?.trim() ? "" : " (BUSINESS_HOURS is not set: always open)"),
    );
  }

  const post = async (route: string, params: Record<string, string>, signedUrl?: string) => {
    const url = signedUrl ?? `${webhook.publicBaseUrl}${route}`;
    console.log(`\nPOST ${route}, signed for ${url}:`);
    for (const [name, value] of Object.entries(params)) console.log(`  ${name}=${value}`);
    const result = await postSignedTwilioForm({
      postUrl: `${webhook.url}${url.slice(webhook.publicBaseUrl.length)}`,
      signedUrl: url,
      authToken,
      params,
    });
    console.log(`\n${result.status} ${result.contentType}`);
    console.log(result.body ? prettyXml(result.body) : "(no body)");
    return result.body;
  };

  /** When an answer records a voicemail, its recording status callback, as Twilio would send it. */
  const followRecording = async (answer: string) => {
    const recordingStatusUrl = /recordingStatusCallback="([^"]+)"/.exec(answer)?.[1];
    if (!recordingStatusUrl) return;
    const seconds = Number(values["voicemail-seconds"]);
    await post(
      ROUTES.recordingStatus,
      {
        AccountSid: call.AccountSid,
        CallSid: call.CallSid,
        RecordingSid: "RE00000000000000000000000000000001",
        RecordingStatus: seconds > 0 ? "completed" : "absent",
        RecordingDuration: String(seconds),
        RecordingSource: "RecordVerb",
      },
      recordingStatusUrl.replaceAll("&amp;", "&"),
    );
  };

  const call = sampleLineCall({
    "SipHeader_X-User-To-User": hexUserToUser(values["line-user-id"]),
    ...extraParams,
  });
  const twiml = await post(values.route, call);
  if (!twiml.includes("<Dial")) {
    await followRecording(twiml);
  } else {
    // Follow the call as Twilio would: the forward's outcome, then a voicemail's recording.
    const outcomes = values.outcome === "all" ? DIAL_OUTCOMES : [values.outcome];
    for (const outcome of outcomes) {
      if (outcomes.length > 1) console.log(`\n--- the forward ends: ${outcome} ---`);
      const afterDial = await post(ROUTES.afterDial, {
        ...call,
        CallStatus: "in-progress",
        DialCallStatus: outcome === "answered" ? "completed" : outcome,
      });
      await followRecording(afterDial);
    }
  }

  if (values["keep-running"]) {
    console.log(
      `\nStill serving on ${webhook.url}; sign requests with TWILIO_AUTH_TOKEN=${authToken}. Ctrl-C to stop.`,
    );
    process.once("SIGINT", () => webhook.close());
  } else {
    await webhook.close();
  }
}

/** One element per line, indented, for reading; the webhook itself answers compact XML. */
function prettyXml(xml: string): string {
  let depth = 0;
  return xml
    .replace(/>\s*</g, ">\n<")
    .split("\n")
    .map((line) => {
      const opensElement = /^<[A-Za-z]/.test(line) && !line.includes("</") && !line.endsWith("/>");
      if (line.startsWith("</")) depth--;
      const indented = `${"  ".repeat(Math.max(depth, 0))}${line}`;
      if (opensElement) depth++;
      return indented;
    })
    .join("\n");
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`dev:webhook: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
