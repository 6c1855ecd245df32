// `npm run local` on a Pulumi.local.yaml it cannot run: it headlines what is wrong with the file
// (the program's own validation errors), and asks for webhookBaseUrl only when that is what is
// missing. No servers are started here: the check comes before them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localStackConfig } from "../../devkit/localStack";
import { withConfigKey } from "../support/stackFileText";

const ROOT = path.resolve(__dirname, "..", "..");
const original = readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8");

describe("npm run local on an invalid Pulumi.local.yaml", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "line-call-local-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const withFile = (text: string) => {
    writeFileSync(path.join(dir, "Pulumi.local.yaml"), text);
    return () => localStackConfig(dir);
  };

  it("reads the committed file as an offline stack", () => {
    expect(withFile(original)().config.webhookBaseUrl).toBe("http://127.0.0.1:4011");
  });

  it("headlines the validation errors, not webhookBaseUrl, when webhookBaseUrl is set", () => {
    const broken = withConfigKey(
      withConfigKey(original, "line-call:forwardTo", "03-1234-5678"),
      "line-call:lineConnected",
      "yes",
    );
    const read = withFile(broken);
    expect(read).toThrow(/^Pulumi\.local\.yaml has 2 problems; nothing was changed:\n {2}- /);
    expect(read).toThrow(/- line-call:lineConnected must be true or false, not "yes"/);
    expect(read).toThrow(/- line-call:forwardTo "03-1234-5678" is neither/);
    expect(read).not.toThrow(/offline stack/);
  });

  it("asks for webhookBaseUrl when the file is otherwise valid but would deploy to AWS", () => {
    const read = withFile(
      withConfigKey(
        withConfigKey(original, "line-call:webhookBaseUrl", undefined),
        "aws:region",
        "ap-northeast-1",
      ),
    );
    expect(read).toThrow(
      /Pulumi\.local\.yaml must describe an offline stack: set line-call:webhookBaseUrl/,
    );
  });
});
