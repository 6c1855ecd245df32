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
 * Settings come from the environment (same names as on the Lambda function); FORWARD_TO and
 * TWILIO_AUTH_TOKEN get sample values when unset. Nothing leaves this machine.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import type { Env } from "../lambda/config";
import { ROUTES } from "../lambda/contract";
import { startLocalWebhook } from "../lambda/localAdapter";
import {
  hexUserToUser,
  postSignedTwilioForm,
  SAMPLE_LINE_USER_ID,
  sampleLineCall,
} from "../model/twilioRequest";

const USAGE = `usage: npm run dev:webhook -- [--route ${Object.values(ROUTES).join("|")}]
       [--line-user-id ID] [--param Name=value ...] [--port N] [--keep-running] [--help]`;

/** A mistake on the command line: printed with the usage, exit 2. */
class UsageError extends Error {}

const parse = (args: string[]) =>
  parseArgs({
    args,
    options: {
      route: { type: "string", default: ROUTES.voice },
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
  const extraParams: Record<string, string> = {};
  for (const pair of values.param) {
    const equals = pair.indexOf("=");
    if (equals < 1) throw new UsageError(`--param must look like Name=value (got "${pair}")`);
    extraParams[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return { values, extraParams };
}

async function main(): Promise<void> {
  const { values, extraParams } = parseFlags(process.argv.slice(2));
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
    log: (line) => console.log(`log: ${line}`),
  });
  console.log(`webhook listening on ${webhook.url} (Twilio would call ${webhook.publicBaseUrl})`);
  console.log(`FORWARD_TO=${env.FORWARD_TO}${env.CALLER_ID ? ` CALLER_ID=${env.CALLER_ID}` : ""}`);

  const route = values.route;
  const params = sampleLineCall({
    "SipHeader_X-User-To-User": hexUserToUser(values["line-user-id"]),
    ...extraParams,
  });
  console.log(`\nPOST ${route}, signed for ${webhook.publicBaseUrl}${route}:`);
  for (const [name, value] of Object.entries(params)) console.log(`  ${name}=${value}`);

  const result = await postSignedTwilioForm({
    postUrl: `${webhook.url}${route}`,
    signedUrl: `${webhook.publicBaseUrl}${route}`,
    authToken,
    params,
  });
  console.log(`\n${result.status} ${result.contentType}`);
  console.log(result.body ? prettyXml(result.body) : "(no body)");

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
