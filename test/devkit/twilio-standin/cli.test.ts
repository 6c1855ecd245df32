// `npm run twilio-standin`: starts, tells the user what to export, logs requests, stops cleanly.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { rawRequest } from "../../../devkit/twilio-standin/client";

const PROJECT = join(__dirname, "..", "..", "..");
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
});

function waitFor(read: () => string, pattern: RegExp, what: string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const m = read().match(pattern);
      if (m) {
        clearInterval(poll);
        resolve(m);
      } else if (Date.now() - started > 30_000) {
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${what}; output so far:\n${read()}`));
      }
    }, 25);
  });
}

it("prints the variables to export and the subaccounts, logs each request and stops on SIGTERM", async () => {
  // `node --import tsx` (what `tsx` runs) in one process, so a failed test leaves no orphan behind.
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", "devkit/twilio-standin/cli.ts", "--port", "0", "--subaccounts", "2"],
    {
      cwd: PROJECT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child = proc;
  let output = "";
  proc.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  proc.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });

  const [, url] = await waitFor(
    () => output,
    /export TWILIO_API_BASE_URL=(http:\/\/127\.0\.0\.1:\d+)\n/,
    "the URL",
  );
  const [, accountSid] = await waitFor(
    () => output,
    /export TWILIO_ACCOUNT_SID=(AC[0-9a-f]{32})\n/,
    "the SID",
  );
  const [, authToken] = await waitFor(
    () => output,
    /export TWILIO_AUTH_TOKEN=([0-9a-f]{32})\n/,
    "the token",
  );

  const subaccounts = [
    ...(
      await waitFor(
        () => output,
        /(?:Subaccount (AC[0-9a-f]{32}) \(token ([0-9a-f]{32})\).*\n){2}/,
        "the subaccounts",
      )
    )[0].matchAll(
      /Subaccount (AC[0-9a-f]{32}) \(token ([0-9a-f]{32})\): line-call:subaccountSid \1/g,
    ),
  ].map(([, sid, token]) => ({ sid, token }));
  expect(subaccounts).toHaveLength(2);
  expect(subaccounts[0].sid).not.toBe(subaccounts[1].sid);
  // Each subaccount's own credentials work under its own path; the parent's too.
  for (const { sid, token } of subaccounts) {
    const own = { url, accountSid: sid, authToken: token };
    expect((await rawRequest(own, "GET", "/SIP/Domains.json")).status).toBe(200);
    const byParent = await rawRequest(
      { url, accountSid, authToken },
      "GET",
      `/2010-04-01/Accounts/${sid}/SIP/Domains.json`,
    );
    expect(byParent.status).toBe(200);
  }

  const res = await rawRequest(
    { url, accountSid, authToken },
    "POST",
    "/SIP/IpAccessControlLists.json",
    {
      form: { FriendlyName: "from the cli test" },
    },
  );
  expect(res.status).toBe(201);
  await rawRequest({ url, accountSid, authToken }, "POST", "/SIP/IpAccessControlLists.json", {
    form: { FriendlyName: "x", Bogus: "1" },
  });
  await waitFor(
    () => output,
    /POST \/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/SIP\/IpAccessControlLists\.json → 201 CreateSipIpAccessControlList/,
    "the request log line",
  );
  await waitFor(
    () => output,
    /! CreateSipIpAccessControlList request: .*unknown field "Bogus"/,
    "the validation problem",
  );

  const exited = new Promise<number | null>((resolve) =>
    proc.once("exit", (code) => resolve(code)),
  );
  proc.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(output).toContain("SIGTERM: stopping the stand-in");
});
