// `npm run validate -- <stack>`: the program's own config rules on a stack file, no CLI needed.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { LOCAL_PASSPHRASE } from "../../devkit/localStack";
import { validateStackFile } from "../../scripts/validate";
import { withConfigKey } from "../support/stackFileText";

const ROOT = path.resolve(__dirname, "..", "..");
const TOKEN = "c0ffee00c0ffee00c0ffee00c0ffee00";
const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
const run = promisify(execFile);

describe("npm run validate", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "line-call-validate-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const committedProd = readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
  // The committed file as an operator has filled it in (the example carries a placeholder SID).
  const prod = committedProd.replace(/AC0{32}/, ACCOUNT_SID);
  writeFileSync(path.join(dir, "Pulumi.prod.yaml"), prod);

  it("accepts the prod stack once the account SID is filled in and the auth token is in the environment", () => {
    expect(validateStackFile("prod", dir, { TWILIO_AUTH_TOKEN: TOKEN }).errors).toEqual([]);
    expect(validateStackFile("prod", dir, {}).errors).toEqual([
      expect.stringMatching(/twilio:authToken is not set/),
    ]);
  });

  it("accepts the shipped local stack as it is, its token decrypted with the local passphrase", () => {
    expect(validateStackFile("local", ROOT, {})).toMatchObject({
      errors: [],
      notes: [expect.stringContaining("not checked: set PULUMI_CONFIG_PASSPHRASE")],
    });
    expect(
      validateStackFile("local", ROOT, { PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE }),
    ).toMatchObject({ errors: [], notes: [] });
  });

  it("refuses the committed example's placeholder account SID", () => {
    expect(validateStackFile("prod", ROOT, { TWILIO_AUTH_TOKEN: TOKEN }).errors).toEqual([
      expect.stringMatching(/twilio:accountSid is still the placeholder AC000…/),
    ]);
  });

  it("counts an encrypted auth token as set", () => {
    writeFileSync(
      path.join(dir, "Pulumi.secret.yaml"),
      withConfigKey(prod, "twilio:authToken", { secure: "v1:abc:def" }),
    );
    expect(validateStackFile("secret", dir, {}).errors).toEqual([]);
  });

  it("lists every problem, as the program would refuse them", () => {
    writeFileSync(
      path.join(dir, "Pulumi.bad.yaml"),
      prod
        .replace(/line-call:forwardTo: .*/, 'line-call:forwardTo: "03-1234-5678"')
        .replace(/line-call:lineConnected: .*/, "line-call:lineConnected: yes"),
    );
    const { errors } = validateStackFile("bad", dir, { TWILIO_AUTH_TOKEN: TOKEN });
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.join("\n")).toMatch(/forwardTo/);
    expect(errors.join("\n")).toMatch(/lineConnected/);
  });

  it("prints OK or the problems, with exit 0 or 1", async () => {
    const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
    const env = { ...process.env, TWILIO_AUTH_TOKEN: TOKEN };
    const validate = path.join(ROOT, "scripts", "validate.ts");
    const ok = await run(process.execPath, [tsx, validate, "prod"], { cwd: dir, env });
    expect(ok.stdout).toMatch(/Pulumi\.prod\.yaml: OK/);
    const placeholder = await run(process.execPath, [tsx, validate, "prod"], {
      cwd: ROOT,
      env,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(placeholder).toMatchObject({ code: 1 });
    const missing = await run(process.execPath, [tsx, "scripts/validate.ts", "nope"], {
      cwd: ROOT,
      env,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(missing).toMatchObject({ code: 1 });
    expect((missing as { stderr: string }).stderr).toMatch(/does not exist/);
  });
});
