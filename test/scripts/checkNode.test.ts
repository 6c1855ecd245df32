// scripts/check-node.js, run before `npm ci`, `npm test` and `npm run local`: one line naming the
// command that gets a supported Node.js, on an older one; silence on a supported one.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");
const { unsupportedNodeMessage } = require(path.join(ROOT, "scripts", "check-node.js")) as {
  unsupportedNodeMessage(version: string): string | undefined;
};

describe("scripts/check-node.js", () => {
  it("stops an older Node.js with the command that fetches Node.js 22", () => {
    expect(unsupportedNodeMessage("v20.20.2")).toBe(
      'line-call needs Node.js 22 or 24 (this is v20.20.2): export PATH="$(node scripts/node-lts.js 22 | tail -n1):$PATH"',
    );
  });

  it("lets the LTS lines and newer releases through", () => {
    for (const version of ["v22.0.0", "v24.22.3", "v25.1.0"]) {
      expect(unsupportedNodeMessage(version)).toBeUndefined();
    }
  });

  it("prints nothing and exits 0 on the Node.js running the tests", () => {
    expect(
      execFileSync(process.execPath, [path.join(ROOT, "scripts", "check-node.js")]).toString(),
    ).toBe("");
  });
});
