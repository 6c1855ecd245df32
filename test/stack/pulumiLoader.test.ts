// `pulumi up` does not run index.ts through vitest's transform but through Pulumi's own ts-node
// registration, type-checked with this project's tsconfig.json and TypeScript. This loads the
// program that way (fixtures/loadLikePulumi.js mirrors @pulumi/pulumi/cmd/run) so a tsconfig or
// typing problem that only that loader sees fails here, not on a user's first `pulumi up`.
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const loader = path.join(__dirname, "fixtures", "loadLikePulumi.js");

describe("index.ts under Pulumi's TypeScript loader", () => {
  it("type-checks and declares the prod stack's resources", async () => {
    const { stdout } = await run(process.execPath, [loader, "prod"], {
      cwd: path.resolve(__dirname, "..", ".."),
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
