// A real headless Chromium for the page tests: the machine's own (Debian's `chromium`, installed
// by .ci/run when missing) driven by playwright-core, which downloads no browser of its own.
import * as fs from "node:fs";
import * as path from "node:path";
import { type Browser, chromium } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** Where the tests keep what a person may want to look at afterwards (gitignored). */
export const ARTIFACTS = path.resolve(__dirname, "../../test-artifacts");

/** The browser executable: CHROMIUM_PATH, else the first system one found; throws saying how to get one. */
export function chromiumPath(): string {
  const found = [process.env.CHROMIUM_PATH, ...CANDIDATES].find(
    (candidate): candidate is string => !!candidate && fs.existsSync(candidate),
  );
  if (!found) {
    throw new Error(
      "No Chromium for the browser tests: install it with " +
        "`apt-get install -y chromium` (as .ci/run does) or set CHROMIUM_PATH",
    );
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox"],
  });
}
