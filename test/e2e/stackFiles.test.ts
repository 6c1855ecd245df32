// The committed stack files as the real Pulumi CLI rewrites them. `pulumi stack init` adds the
// passphrase salt and any `pulumi config set` writes the whole file back in Pulumi's style
// (booleans and numbers as strings, secrets as `secure:` objects). Pulumi.local.yaml is committed
// in that style, so `npm run local` and a set back to its value leave it byte for byte as it is;
// every other file reads as the same configuration either way (devkit/stackFile.ts), so a user's
// `pulumi config set` never breaks the tools or the tests that read the files.
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { engineTestsEnabled } from "../../devkit/engine/cliStack";
import { LOCAL_PASSPHRASE, LOCAL_STACK, PROJECT_ROOT } from "../../devkit/localStack";
import {
  configSource,
  LINE_CONNECTED_KEY,
  loadProjectDefaults,
  parseStackConfig,
  stackNameOf,
} from "../../devkit/stackFile";
import { DEFAULT_AUTH_TOKEN } from "../../devkit/twilio-standin/server";

const enabled = engineTestsEnabled();
const run = promisify(execFile);
const STACKS = readdirSync(PROJECT_ROOT)
  .map(stackNameOf)
  .filter((name): name is string => name !== undefined);

describe.runIf(enabled)("stack files written back by the Pulumi CLI", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "line-call-stack-files-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    ...process.env,
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_BACKEND_URL: `file://${dir}`,
    PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  const pulumi = (args: string[]) =>
    run("pulumi", [...args, "--non-interactive"], { cwd: dir, env });
  copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const read = (stack: string, text: string) =>
    configSource(
      stack,
      parseStackConfig(text, `Pulumi.${stack}.yaml`),
      loadProjectDefaults(dir),
      {},
    );

  it.each(STACKS)(
    "Pulumi.%s.yaml reads the same after stack init and config set",
    async (stack) => {
      const file = path.join(dir, `Pulumi.${stack}.yaml`);
      copyFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), file);
      const committed = readFileSync(file, "utf8");
      const before = read(stack, committed);

      await pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]);
      const lineConnected = before.values[LINE_CONNECTED_KEY];
      await pulumi(["config", "set", LINE_CONNECTED_KEY, lineConnected, "--stack", stack]);
      const rewritten = readFileSync(file, "utf8");
      if (stack === LOCAL_STACK) expect(rewritten).toBe(committed);
      else expect(rewritten).toContain("encryptionsalt:");
      expect(read(stack, rewritten)).toEqual(before);

      await pulumi([
        "config",
        "set",
        "--secret",
        "twilio:authToken",
        DEFAULT_AUTH_TOKEN,
        "--stack",
        stack,
      ]);
      const withSecret = read(stack, readFileSync(file, "utf8"));
      expect(withSecret.secretKeys).toContain("twilio:authToken");
      const { "twilio:authToken": token, ...rest } = withSecret.values;
      expect(token).toBeDefined();
      // The local stack holds its made-up token already; the others get it here.
      const { "twilio:authToken": _committedToken, ...committedRest } = before.values;
      expect(rest).toEqual(committedRest);
    },
  );
});
