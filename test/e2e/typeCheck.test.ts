// The program runs without type checking (Pulumi.yaml: runtime.options.tsconfig names
// tsconfig.pulumi.json, whose `noCheck` Pulumi's run script turns into ts-node's transpile-only
// mode), and types are `npm run typecheck`'s job. In a copy of the project with a deliberate type
// error, `npm run typecheck` fails on it while `pulumi preview` through the real CLI runs the
// program; with type checking on (Pulumi's default tsconfig.json) the same preview stops on it.
import { appendFileSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEngineStack,
  type EngineStack,
  engineTestsEnabled,
  expectSuccess,
  previewSteps,
} from "../../devkit/engine/cliStack";
import { languageHostEnv, TSCONFIG_PATH_VARIABLE } from "../../devkit/languageHost";
import { runCommand } from "../support/command";

const enabled = engineTestsEnabled();
const LONG = 120_000;

const DELIBERATE_TYPE_ERROR =
  '\nconst deliberateTypeError: number = "not a number";\nvoid deliberateTypeError;\n';

describe.runIf(enabled)("a deliberate type error", () => {
  let stack: EngineStack;
  let errorLine: number;

  beforeAll(async () => {
    stack = await createEngineStack("type-error");
    const program = path.join(stack.project, "index.ts");
    errorLine = readFileSync(program, "utf8").split("\n").length + 1;
    appendFileSync(program, DELIBERATE_TYPE_ERROR);
  }, LONG);
  afterAll(() => stack?.close());

  it(
    "fails npm run typecheck, naming that line and no other",
    async () => {
      const { code, output } = await runCommand("npm", ["run", "typecheck"], {
        cwd: stack.project,
      });
      expect(code).not.toBe(0);
      const errors = output.split("\n").filter((line) => /error TS\d+/.test(line));
      expect(errors).toEqual([
        `index.ts(${errorLine},7): error TS2322: Type 'string' is not assignable to type 'number'.`,
      ]);
    },
    LONG,
  );

  it(
    "does not stop pulumi preview: the program runs with the tsconfig Pulumi.yaml names",
    async () => {
      expect(stack.env).toMatchObject(languageHostEnv(stack.project));
      const preview = expectSuccess(await stack.pulumi(["preview", "--json"]), "pulumi preview");
      expect(previewSteps(preview.stdout).map((step) => step.urn)).toContainEqual(
        expect.stringContaining("twilio:SipDomain"),
      );
    },
    LONG,
  );

  it(
    "does not stop a preview typed by hand either: the language host reads Pulumi.yaml itself",
    async () => {
      const programTsconfig = stack.env[TSCONFIG_PATH_VARIABLE];
      delete stack.env[TSCONFIG_PATH_VARIABLE];
      try {
        expectSuccess(await stack.pulumi(["preview"]), "pulumi preview without the variable");
      } finally {
        stack.env[TSCONFIG_PATH_VARIABLE] = programTsconfig;
      }
    },
    LONG,
  );

  it(
    "stops the same preview when type checking is on (Pulumi's default tsconfig.json)",
    async () => {
      const programTsconfig = stack.env[TSCONFIG_PATH_VARIABLE];
      stack.env[TSCONFIG_PATH_VARIABLE] = "tsconfig.json";
      try {
        const preview = await stack.pulumi(["preview"]);
        expect(preview.code).not.toBe(0);
        expect(preview.output).toContain(`index.ts(${errorLine},7): error TS2322`);
      } finally {
        stack.env[TSCONFIG_PATH_VARIABLE] = programTsconfig;
      }
    },
    LONG,
  );
});
