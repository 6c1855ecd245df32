// `npm run validate` decrypts what the real Pulumi CLI encrypted with a passphrase, so a malformed
// secret auth token is refused before a preview would refuse it; without the passphrase (or with
// the wrong one) it says the encrypted values were not checked.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { engineTestsEnabled } from "../../devkit/engine/cliStack";
import { PROJECT_ROOT } from "../../devkit/localStack";
import { encryptedValues, parseStackFile } from "../../devkit/stackFile";
import { decryptStackSecrets } from "../../devkit/stackSecrets";
import { validateStackFile } from "../../scripts/validate";

const enabled = engineTestsEnabled();
const run = promisify(execFile);
const PASSPHRASE = "a passphrase only this test knows";
const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";

describe.runIf(enabled)("encrypted stack values, as the real CLI writes them", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "line-call-secrets-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const project = path.join(dir, "project");
  mkdirSync(path.join(dir, "state"));
  cpSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  const pulumi = (args: string[]) =>
    run("pulumi", [...args, "--stack", "secret", "--non-interactive"], { cwd: project, env });

  async function stackWithToken(token: string) {
    writeFileSync(
      path.join(project, "Pulumi.secret.yaml"),
      readFileSync(path.join(PROJECT_ROOT, "Pulumi.prod.yaml"), "utf8").replace(
        /AC0{32}/,
        ACCOUNT_SID,
      ),
    );
    await pulumi(["stack", "init", "--secrets-provider", "passphrase"]).catch(() => undefined);
    // Given on the command line only here: a test's made-up value, not a real token.
    await pulumi(["config", "set", "--secret", "twilio:authToken", token]);
    return parseStackFile(readFileSync(path.join(project, "Pulumi.secret.yaml"), "utf8"), "secret");
  }

  it("decrypts them with the passphrase, and tells a wrong or missing one", async () => {
    const file = await stackWithToken("c0ffee00c0ffee00c0ffee00c0ffee00");
    const secrets = encryptedValues(file.config);
    expect(Object.keys(secrets)).toEqual(["twilio:authToken"]);
    expect(decryptStackSecrets(secrets, file.encryptionSalt, PASSPHRASE)).toEqual({
      decrypted: { "twilio:authToken": "c0ffee00c0ffee00c0ffee00c0ffee00" },
    });
    expect(decryptStackSecrets(secrets, file.encryptionSalt, "another")).toEqual({
      notChecked: expect.stringContaining("the passphrase does not open this stack's secrets"),
    });
    expect(decryptStackSecrets(secrets, file.encryptionSalt, undefined)).toEqual({
      notChecked: expect.stringContaining("set PULUMI_CONFIG_PASSPHRASE"),
    });
  });

  it("refuses a malformed secret token when the passphrase is set, and says so when not", async () => {
    await stackWithToken("not-a-token");
    expect(validateStackFile("secret", project, { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE })).toEqual({
      file: expect.any(String),
      errors: [
        expect.stringMatching(/^twilio:authToken is not a Twilio auth token \(32 hex digits\)/),
      ],
      notes: [],
    });
    expect(validateStackFile("secret", project, {})).toEqual({
      file: expect.any(String),
      errors: [],
      notes: [
        expect.stringMatching(
          /^encrypted values \(twilio:authToken\) not checked: set PULUMI_CONFIG_PASSPHRASE/,
        ),
      ],
    });
  });
});
