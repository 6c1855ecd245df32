// The webhook's code as the function ships it. Rebuilt from lambda/ on every program run, so a
// plain `pulumi up` after `npm ci` always deploys the handler in the working tree, never a stale
// dist/ left from an earlier build.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { buildLambdaBundle } from "../scripts/build-lambda";
import type { LambdaBundle } from "./awsWebhook";

export async function currentLambdaBundle(): Promise<LambdaBundle> {
  const built = await buildLambdaBundle();
  const contents = await readFile(built.outfile);
  return { path: built.outfile, sha256: createHash("sha256").update(contents).digest("hex") };
}
