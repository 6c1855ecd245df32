// Pulumi.yaml's runtime options, passed to the program the way the current Node.js language host
// passes them, for the devkit's own runs of the CLI (npm run local, the engine tests, the bench).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { languageHostEnv, TSCONFIG_PATH_VARIABLE } from "../../devkit/languageHost";
import { LANGUAGE_HOST_BINARY, LANGUAGE_HOST_SCRIPT } from "../../devkit/pulumiToolchain";
import { PROJECT_ROOT } from "../support/programHarness";

const dir = mkdtempSync(path.join(tmpdir(), "line-call-language-host-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// The projects below resolve `yaml` from here, as a real project does from its own node_modules.
symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"));

let projects = 0;
function project(pulumiYaml?: string): string {
  projects += 1;
  const root = path.join(dir, String(projects));
  mkdirSync(root);
  if (pulumiYaml !== undefined) writeFileSync(path.join(root, "Pulumi.yaml"), pulumiYaml);
  return root;
}

describe("languageHostEnv", () => {
  it("names this project's program tsconfig as PULUMI_NODEJS_TSCONFIG_PATH", () => {
    expect(languageHostEnv(PROJECT_ROOT)).toEqual({
      PULUMI_NODEJS_TSCONFIG_PATH: "tsconfig.pulumi.json",
    });
  });

  it("passes nothing for a bare runtime, a runtime without options or no Pulumi.yaml", () => {
    expect(languageHostEnv(project("name: p\nruntime: nodejs\n"))).toEqual({});
    expect(languageHostEnv(project("name: p\nruntime:\n  name: nodejs\n"))).toEqual({});
    expect(languageHostEnv(project())).toEqual({});
  });

  it("refuses an option it cannot pass on, naming it, rather than dropping it", () => {
    const root = project(
      "name: p\nruntime:\n  name: nodejs\n  options:\n    nodeargs: --trace-warnings\n",
    );
    expect(() => languageHostEnv(root)).toThrow(/runtime\.options\.nodeargs/);
  });

  it("refuses a tsconfig that is not a file name", () => {
    const root = project("name: p\nruntime:\n  name: nodejs\n  options:\n    tsconfig: true\n");
    expect(() => languageHostEnv(root)).toThrow(/runtime\.options\.tsconfig must be a file name/);
  });
});

describe("the toolchain's pulumi-language-nodejs script", () => {
  // A stand-in for the v3.68.0 host binary that prints what the program would be given.
  const bin = path.join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(path.join(bin, "pulumi-language-nodejs"), LANGUAGE_HOST_SCRIPT, { mode: 0o755 });
  writeFileSync(
    path.join(bin, LANGUAGE_HOST_BINARY),
    `#!/bin/sh\nprintf '%s|%s' "$\{${TSCONFIG_PATH_VARIABLE}:-}" "$*"\n`,
    { mode: 0o755 },
  );
  const { [TSCONFIG_PATH_VARIABLE]: _unset, ...callerEnv } = process.env;
  const start = (root: string, env: NodeJS.ProcessEnv = callerEnv) =>
    execFileSync(path.join(bin, "pulumi-language-nodejs"), ["127.0.0.1:1234"], {
      cwd: root,
      env,
      encoding: "utf8",
    });

  it("gives the program what languageHostEnv gives the devkit's runs, for the same Pulumi.yaml", () => {
    const cases = [
      PROJECT_ROOT,
      project("name: p\nruntime: nodejs\n"),
      project("name: p\nruntime:\n  name: nodejs\n"),
      project("name: p\nruntime:\n  name: nodejs\n  options:\n    tsconfig: other.json\n"),
      project(),
    ];
    for (const root of cases) {
      const expected = languageHostEnv(root)[TSCONFIG_PATH_VARIABLE] ?? "";
      expect(start(root), root).toBe(`${expected}|127.0.0.1:1234`);
    }
  });

  it("leaves a caller's own PULUMI_NODEJS_TSCONFIG_PATH alone (a type-checked run on request)", () => {
    const env = { ...callerEnv, [TSCONFIG_PATH_VARIABLE]: "tsconfig.json" };
    expect(start(PROJECT_ROOT, env)).toBe("tsconfig.json|127.0.0.1:1234");
  });
});
