// `npm run call-check -- <stack> --from <LINE IP> [--at <time>] [--line-user-id U…]`: before
// go-live, asks Twilio (or the stand-in named by twilio:apiBaseUrl / TWILIO_API_BASE_URL) what it
// holds for the stack's SIP domain and sends its Request URL the signed request Twilio would send
// for a LINE call from that address. Ends in one table and one verdict line; exits 0 when the call
// would be admitted and answered, 1 when something would stop it, 2 on bad arguments.
//
// Credentials as the providers read them: the stack file (secrets decrypted with
// PULUMI_CONFIG_PASSPHRASE) or TWILIO_*. After hours the request counts as a missed call for the
// deployed webhook: its channels get one notification from "sip:call-check@<ip>".
import { parseArgs } from "node:util";
import { runCallCheck } from "../devkit/callCheck";
import { formatTable } from "../devkit/table";

const USAGE =
  "usage: npm run call-check -- <stack> --from <LINE SIP server IP> [--at 2026-12-31T22:00+09:00] [--line-user-id U…]";

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        from: { type: "string" },
        at: { type: "string" },
        "line-user-id": { type: "string" },
        help: { type: "boolean" },
      },
    });
  try {
    parsed = parse();
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const stack = positionals[0];
  if (values.help || !stack || !values.from) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  let at: Date | undefined;
  if (values.at !== undefined) {
    at = new Date(values.at);
    if (Number.isNaN(at.getTime())) {
      console.error(`--at ${values.at} is not a time: write e.g. 2026-12-31T22:00+09:00\n${USAGE}`);
      return 2;
    }
  }
  try {
    const result = await runCallCheck({
      stack,
      from: values.from,
      ...(at ? { at } : {}),
      ...(values["line-user-id"] ? { lineUserId: values["line-user-id"] } : {}),
      root: process.cwd(),
      env,
      progress: (step) => process.stderr.write(`checking ${step}…\n`),
    });
    console.log(
      formatTable(
        ["step", "result", "detail"],
        result.steps.map((s) => [s.step, s.outcome, s.detail]),
      ),
    );
    console.log(
      result.admitted
        ? `ADMITTED: Twilio would let a call from ${values.from} in, and the ${result.callerHears}`
        : `STOPPED at "${result.stoppedAt?.step}": ${result.stoppedAt?.detail}`,
    );
    return result.admitted ? 0 : 1;
  } catch (error) {
    console.error(`call-check: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
