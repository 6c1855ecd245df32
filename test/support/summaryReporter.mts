// Ends every vitest run with one plain "N passed, N failed[, N skipped]" line, the closing line
// CI reads to tell a run that tested something from one that ran nothing; just before it, when
// the real-CLI tests were skipped for want of a Pulumi CLI, one line saying so and what enables them.
import type { Reporter, TestModule } from "vitest/node";
import { ENGINE_TESTS_SKIPPED } from "../../devkit/engine/cliStack.js";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    let realCliSkipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        counts[state] += 1;
        if (state === "skipped" && module.project.name === "real-cli") realCliSkipped += 1;
      }
    }
    const skipped = counts.skipped + counts.pending;
    const why = process.env[ENGINE_TESTS_SKIPPED];
    if (why && realCliSkipped > 0) {
      process.stdout.write(`\nSkipped ${realCliSkipped} real-CLI tests (test/e2e): ${why}\n`);
    }
    process.stdout.write(
      `\nvitest: ${counts.passed} passed, ${counts.failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`,
    );
  }
}
