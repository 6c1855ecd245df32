// The README's main job on a fresh machine: `npm run local -- --yes` runs the offline stack end to
// end (stand-in, local webhook, file backend, `pulumi up`, outputs printed) and exits, leaving
// Pulumi.local.yaml as it found it. With no pulumi on PATH it uses the toolchain
// `npm run pulumi-cli` provides.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyProject, engineTestsEnabled } from "../../devkit/engine/cliStack";
import { freePort } from "../../devkit/freePort";
import { lockedPulumiVersion, pulumiOnPath, toolchainBin } from "../../devkit/pulumiToolchain";

const enabled = engineTestsEnabled();

describe.runIf(enabled)("npm run local -- --yes with the real CLI", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "line-call-local-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("brings the offline stack up, prints its outputs and exits 0", async () => {
    const project = copyProject(dir);
    // Free ports, so it never meets another run (or a developer's own npm run local).
    const stackFile = path.join(project, "Pulumi.local.yaml");
    const [standinPort, webhookPort] = [await freePort(), await freePort()];
    const stackFileBefore = readFileSync(stackFile, "utf8")
      .replace("http://127.0.0.1:4010", `http://127.0.0.1:${standinPort}`)
      .replace("http://127.0.0.1:4011", `http://127.0.0.1:${webhookPort}`);
    writeFileSync(stackFile, stackFileBefore);
    // Without the toolchain's directory on PATH, local.ts must find the toolchain itself.
    const toolchain = toolchainBin(lockedPulumiVersion());
    const onPath = pulumiOnPath();
    const PATH = (process.env.PATH ?? "")
      .split(path.delimiter)
      .filter((entry) => onPath !== toolchain || entry !== toolchain)
      .join(path.delimiter);
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !key.startsWith("TWILIO_") && !key.startsWith("PULUMI_"),
      ),
    );
    const child = spawn(
      process.execPath,
      [path.join(project, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/local.ts", "--yes"],
      {
        cwd: project,
        // No PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION here: local.ts sets it itself.
        env: { ...env, PATH, PULUMI_HOME: path.join(dir, "home") },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(output, output).toContain("Done: the local stack is up");
    expect(code).toBe(0);
    expect(output).toMatch(/sipUri\s*:\s*"sip:line-call-local\.sip\.twilio\.com"/);
    expect(output).toMatch(/\+ \d+ created/);
    // Nobody reviews a preview under --yes: the program runs once, for the update.
    expect(output).not.toContain("Previewing update");
    // pulumi stack init and up found the committed file already in the CLI's own style.
    expect(readFileSync(stackFile, "utf8")).toBe(stackFileBefore);
  }, 300_000);
});
