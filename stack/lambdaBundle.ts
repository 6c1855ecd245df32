/**
 * The webhook's deployable bundle: `dist/lambda/index.js`, one minified CommonJS file for the
 * Lambda Node.js runtime below, exporting `handler` (so the function's handler is
 * `index.handler`). The AWS SDK v3 is left out because the runtime ships it.
 *
 * The program rebuilds it from lambda/ on every run, so a plain `pulumi up` after `npm ci` always
 * deploys the handler in the working tree, never a stale dist/ left from an earlier build.
 * `npm run build:lambda` (scripts/build-lambda.ts) builds the same bundle by hand.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { type BuildOptions, build, type Plugin } from "esbuild";

const projectRoot = path.resolve(__dirname, "..");

/** The handler module the bundle is built from. */
export const LAMBDA_ENTRY = path.join(projectRoot, "lambda", "handler.ts");
/** Directory to ship as the function's code (an AssetArchive / FileArchive of it). */
export const LAMBDA_OUTDIR = path.join(projectRoot, "dist", "lambda");
export const LAMBDA_OUTFILE = path.join(LAMBDA_OUTDIR, "index.js");
/** The Lambda function's `handler` setting for this bundle. */
export const LAMBDA_HANDLER = "index.handler";
/**
 * The runtime the bundle targets; the function must use it (or a newer Node.js). Node.js 24, the
 * newest LTS line: @pulumi/aws offers it, Lambda supports it until 2028, and it is one of the two
 * lines CI tests the webhook on.
 */
export const LAMBDA_RUNTIME = "nodejs24.x";

/**
 * xmlbuilder's index requires its callback builder (`begin`) and stream writer (`streamWriter`)
 * up front, 11 KB the webhook never runs: TwiML is built with `create` and written with
 * `toString`. They are bundled as a module that throws if ever called, so a future use fails
 * loudly in the tests instead of shipping a webhook that cannot answer.
 */
const leaveOutUnusedXmlbuilderModules: Plugin = {
  name: "leave-out-unused-xmlbuilder-modules",
  setup(build) {
    build.onResolve({ filter: /^\.\/(XMLDocumentCB|XMLStreamWriter)$/ }, (args) =>
      args.resolveDir.includes(`${path.sep}xmlbuilder${path.sep}`)
        ? { path: args.path.slice(2), namespace: "left-out" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "left-out" }, (args) => ({
      contents: `module.exports=function(){throw new Error("xmlbuilder's ${args.path} is left out of the webhook bundle (stack/lambdaBundle.ts)")}`,
      loader: "js",
    }));
  },
};

/**
 * How the webhook is bundled, apart from what goes in and where it is written. The webhook bench
 * bundles the full `twilio` package with these same settings to compare against.
 */
export const LAMBDA_BUNDLE_SETTINGS = {
  bundle: true,
  platform: "node",
  target: "node24",
  format: "cjs",
  minify: true,
  // Provided by the Lambda runtime; bundling it would add megabytes and a second copy.
  external: ["@aws-sdk/*"],
  // The Japanese texts as UTF-8 (3 bytes a character) rather than \uXXXX escapes (6).
  charset: "utf8",
  plugins: [leaveOutUnusedXmlbuilderModules],
} as const satisfies BuildOptions;

export interface BuildLambdaOptions {
  /** Write the bundle elsewhere (tests); defaults to dist/lambda. The file is always index.js. */
  outdir?: string;
}

export interface LambdaBundle {
  /** Absolute path of the bundle, `<outdir>/index.js`. */
  outfile: string;
  /** Absolute path of the directory holding only the bundle. */
  outdir: string;
  /** Size of the bundle in bytes. */
  bytes: number;
  /** sha256 of the bundle's contents: changes exactly when the shipped code changes. */
  sha256: string;
  /** npm packages bundled in (the rest of the code is ours), to keep an eye on what gets pulled in. */
  packages: string[];
}

function packageOf(input: string): string | undefined {
  const afterNodeModules = input.split("node_modules/").pop();
  if (afterNodeModules === undefined || afterNodeModules === input) return undefined;
  const [scopeOrName = "", name] = afterNodeModules.split("/");
  return scopeOrName.startsWith("@") ? `${scopeOrName}/${name}` : scopeOrName;
}

export async function buildLambdaBundle(options: BuildLambdaOptions = {}): Promise<LambdaBundle> {
  const outdir = path.resolve(options.outdir ?? LAMBDA_OUTDIR);
  const outfile = path.join(outdir, "index.js");
  const result = await build({
    absWorkingDir: projectRoot,
    entryPoints: [LAMBDA_ENTRY],
    outfile,
    ...LAMBDA_BUNDLE_SETTINGS,
    metafile: true,
    logLevel: "warning",
  });
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const name = packageOf(input);
    if (name) packages.add(name);
  }
  const contents = readFileSync(outfile);
  return {
    outfile,
    outdir,
    bytes: contents.length,
    sha256: createHash("sha256").update(contents).digest("hex"),
    packages: [...packages].sort(),
  };
}
