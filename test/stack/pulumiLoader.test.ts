// `pulumi up` does not run index.ts through vitest's transform but through Pulumi's own ts-node
// registration, with the tsconfig Pulumi.yaml names (runtime.options.tsconfig) and this project's
// TypeScript. This loads the program that way (fixtures/loadLikePulumi.js mirrors
// @pulumi/pulumi/cmd/run) so a tsconfig or loader problem that only that path sees fails here, not
// on a user's first `pulumi up`; and checks that the tsconfig it runs with turns type checking off
// without changing how the program compiles, while tsconfig.json (`npm run typecheck`) checks.
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { languageHostEnv, TSCONFIG_PATH_VARIABLE } from "../../devkit/languageHost";
import { PROJECT_ROOT } from "../support/programHarness";

const run = promisify(execFile);
const loader = path.join(__dirname, "fixtures", "loadLikePulumi.js");
// Pulumi's own reader of a tsconfig's compilerOptions, the one its run script uses.
const tsutils = require("@pulumi/pulumi/tsutils") as {
  loadTypeScriptCompilerOptions(file: string): Record<string, unknown>;
};

const programTsconfig = languageHostEnv(PROJECT_ROOT)[TSCONFIG_PATH_VARIABLE];
const inProject = (file: string) => path.join(PROJECT_ROOT, file);

/** The options TypeScript itself resolves for a tsconfig (with `extends`), paths made relative. */
function resolvedOptions(file: string): Record<string, unknown> {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    inProject(file),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!parsed || parsed.errors.length > 0) throw new Error(`${file} does not parse`);
  const { configFilePath: _, ...options } = parsed.options;
  return options;
}

describe("the tsconfig the program runs with", () => {
  it("is the one Pulumi.yaml names, and turns type checking off for Pulumi's run script", () => {
    expect(programTsconfig).toBe("tsconfig.pulumi.json");
    expect(tsutils.loadTypeScriptCompilerOptions(inProject(programTsconfig)).noCheck).toBe(true);
  });

  it("leaves type checking on in tsconfig.json, which npm run typecheck and editors use", () => {
    expect(
      tsutils.loadTypeScriptCompilerOptions(inProject("tsconfig.json")).noCheck,
    ).toBeUndefined();
    expect(resolvedOptions("tsconfig.json").noCheck).toBeUndefined();
  });

  it("compiles the program with tsconfig.json's settings, restating those the run script would replace", () => {
    const { noCheck, ...rest } = resolvedOptions(programTsconfig);
    expect(noCheck).toBe(true);
    expect(rest).toEqual(resolvedOptions("tsconfig.json"));
    // The run script reads this file's own compilerOptions only (no `extends`) and puts its own
    // target and module defaults under them.
    const own = tsutils.loadTypeScriptCompilerOptions(inProject(programTsconfig));
    const checked = tsutils.loadTypeScriptCompilerOptions(inProject("tsconfig.json"));
    for (const key of ["target", "module", "moduleResolution"]) {
      expect(String(own[key]).toLowerCase(), key).toBe(String(checked[key]).toLowerCase());
    }
  });
});

describe("index.ts under Pulumi's TypeScript loader", () => {
  it("declares the prod stack's resources", async () => {
    const { stdout } = await run(process.execPath, [loader, "prod"], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...languageHostEnv(PROJECT_ROOT) },
      timeout: 120_000,
    });
    const types: string[] = JSON.parse(stdout.trim().split("\n").pop() ?? "[]");
    for (const type of [
      "pulumi-nodejs:dynamic/twilio:SipDomain",
      "pulumi-nodejs:dynamic/twilio:IpAccessControlList",
      "pulumi-nodejs:dynamic/twilio:IpAddress",
      "pulumi-nodejs:dynamic/twilio:IpAccessControlListMapping",
      "aws:lambda/function:Function",
      "aws:apigatewayv2/api:Api",
    ]) {
      expect(types).toContain(type);
    }
  }, 120_000);
});
