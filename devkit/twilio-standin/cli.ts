// `npm run twilio-standin [-- --port 4010]`: the Twilio stand-in as a local server, for trying
// the providers or the Twilio SDK by hand without a Twilio account.
import { parseArgs } from "node:util";
import { madeUpSubaccount } from "./accounts";
import { startTwilioStandin } from "./server";

const DEFAULT_PORT = 4010;

function usage(): string {
  return [
    "Usage: npm run twilio-standin -- [--port N] [--host H] [--page-size N] [--latency-ms N]",
    "  --port        port to listen on (default $PORT or 4010; 0 = any free port)",
    "  --host        address to bind (default 127.0.0.1)",
    "  --page-size   default page size of list endpoints (Twilio's is 50)",
    "  --latency-ms  delay added to every response",
    "  --account-sid / --auth-token  credentials of the main (parent) account (default: fixed made-up ones)",
    "  --subaccounts N  hold N subaccounts of it from the start, each with its own token (fixed made-up ones)",
  ].join("\n");
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "page-size": { type: "string" },
      "latency-ms": { type: "string" },
      "account-sid": { type: "string" },
      "auth-token": { type: "string" },
      subaccounts: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(usage());
    return;
  }
  let reported = 0;
  const standin = await startTwilioStandin({
    host: values.host,
    port: integer(values.port ?? process.env.PORT, "--port") ?? DEFAULT_PORT,
    pageSize: integer(values["page-size"], "--page-size"),
    latencyMs: integer(values["latency-ms"], "--latency-ms"),
    accountSid: values["account-sid"],
    authToken: values["auth-token"],
    subaccounts: Array.from({ length: integer(values.subaccounts, "--subaccounts") ?? 0 }, (_, i) =>
      madeUpSubaccount(i + 1),
    ),
    onRequest: (r) => {
      const note = r.fault ? ` [fault ${r.fault}]` : "";
      console.log(
        `${new Date().toISOString()} ${r.method} ${r.path} → ${r.status || "no answer"} ${r.operationId ?? ""}${note}`,
      );
      // Validation problems are stand-in or client bugs: show each one once, under its request.
      const problems = standin.validationErrors;
      while (reported < problems.length) console.log(`  ! ${problems[reported++]}`);
    },
  });

  console.log(`Twilio stand-in listening on ${standin.url}`);
  console.log("Point the providers or the twilio SDK at it with:");
  console.log(`  export TWILIO_API_BASE_URL=${standin.url}`);
  console.log(`  export TWILIO_ACCOUNT_SID=${standin.accountSid}`);
  console.log(`  export TWILIO_AUTH_TOKEN=${standin.authToken}`);
  for (const sub of standin.accounts().slice(1)) {
    // The token only for trying the subaccount's own credentials: a stack reads it with the parent's.
    console.log(
      `Subaccount ${sub.sid} (token ${sub.authToken}): line-call:subaccountSid ${sub.sid}`,
    );
  }
  console.log("Requests and any validation problems are logged below. Ctrl-C stops it.");

  const stop = (signal: string) => {
    console.log(`\n${signal}: stopping the stand-in`);
    standin.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
