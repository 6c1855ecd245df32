// Pulumi.yaml's runtime options, passed to the program the way the current Node.js language host
// passes them, for the devkit's own runs of the CLI (npm run local, the engine tests, the bench).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { languageHostEnv } from "../../devkit/languageHost";
import { PROJECT_ROOT } from "../support/programHarness";

const dir = mkdtempSync(path.join(tmpdir(), "line-call-language-host-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
