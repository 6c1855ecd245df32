// vitest globalSetup of the real-CLI tests (test/e2e/): finds or builds the Pulumi toolchain the
// way `npm run local` does (devkit/pulumiToolchain.ts) and puts it first on PATH for the test
// workers, so the README's test command runs them on a fresh machine too. Where none can be had
// (no Go to build one), it records why; the tests skip and the run's last lines say so and how to
// enable them (test/support/summaryReporter.mts). On CI that is a failure instead.
import * as path from "node:path";
import { ENGINE_TESTS_SKIPPED } from "../../devkit/engine/cliStack";
import { findOrBuildPulumi, PulumiUnavailableError } from "../../devkit/pulumiToolchain";

export default function setup(): void {
  try {
    const bin = findOrBuildPulumi();
    process.stderr.write(`real-CLI tests: pulumi from ${bin}\n`);
    process.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ""}`;
  } catch (error) {
    if (process.env.CI === "true") throw error;
    const fix = error instanceof PulumiUnavailableError ? error.fix : "npm run pulumi-cli";
    process.env[ENGINE_TESTS_SKIPPED] = `${(error as Error).message}; to run them: ${fix}`;
  }
}
