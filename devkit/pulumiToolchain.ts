// A real Pulumi toolchain on this machine (`npm run pulumi-cli`, `npm run local` and the real-CLI
// tests use it).
//
// Users have the CLI from Pulumi's installer (https://www.pulumi.com/docs/install/): when `pulumi`
// is on PATH, its directory is printed and nothing is built. Otherwise the toolchain is built,
// once, from Pulumi's Go modules (the only source machines without the installer can reach) into
// ${LINE_CALL_TOOLS:-$HOME/.cache/line-call}/pulumi-v<version>/bin, at the version of
// @pulumi/pulumi in package-lock.json, so the CLI and the SDK always match. A second run is
// instant. Set LINE_CALL_BUILD_PULUMI=1 to build even when a `pulumi` is on PATH.
import { type ExecFileSyncOptions, execFileSync } from "node:child_process";
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

const PROJECT_ROOT = path.resolve(__dirname, "..");

const CLI_MODULE = "github.com/pulumi/pulumi/pkg/v3";
const CLI_PACKAGE = `${CLI_MODULE}/cmd/pulumi`;
const SDK_MODULE = "github.com/pulumi/pulumi/sdk/v3";
const VERSION_SYMBOL = `${SDK_MODULE}/go/common/version.Version`;

/**
 * The Node.js language host (`pulumi-language-nodejs`, which starts the program for the CLI).
 * Since May 2023 it is its own module, github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3,
 * which has no version tags and which the Go module proxy these machines use does not serve at any
 * pseudo-version (tried for the v3.224–v3.276 release commits). Before the split it lived in the
 * SDK module itself; v3.68.0 is the last release carrying it there, and it drives current SDKs:
 * the host only starts `@pulumi/pulumi`'s own run script from node_modules, which does the rest
 * (the engine tests prove it with every command they run).
 */
const LANGUAGE_HOST = {
  module: SDK_MODULE,
  version: "v3.68.0",
  package: `${SDK_MODULE}/nodejs/cmd/pulumi-language-nodejs`,
};

/** The v3.68.0 host binary; `pulumi-language-nodejs` beside it is LANGUAGE_HOST_SCRIPT. */
export const LANGUAGE_HOST_BINARY = `pulumi-language-nodejs-${LANGUAGE_HOST.version}`;

/**
 * The `pulumi-language-nodejs` the CLI starts. The v3.68.0 host took Pulumi.yaml's
 * `runtime.options` as command-line flags, which CLI 3.276 no longer passes (it sends them in the
 * run request, which that host does not read), so a `pulumi` typed by hand would type-check the
 * program although Pulumi.yaml says `tsconfig: tsconfig.pulumi.json`. The CLI starts the host in
 * the project root; this script reads the option there and hands it to the program the way the
 * current host does (PULUMI_NODEJS_TSCONFIG_PATH, unless the caller set it), then becomes the real
 * host (`exec`: the CLI's signals reach it, nothing is left behind). It reads Pulumi.yaml with the
 * project's own `yaml` module; without one it passes nothing, as before. devkit/languageHost.ts is
 * the same rule for the devkit's own runs; test/devkit/languageHost.test.ts feeds both the same
 * Pulumi.yaml files.
 */
export const LANGUAGE_HOST_SCRIPT = `#!/bin/sh
# Written by line-call's devkit/pulumiToolchain.ts: see LANGUAGE_HOST_SCRIPT there for why.
if [ -z "\${PULUMI_NODEJS_TSCONFIG_PATH:-}" ] && [ -f Pulumi.yaml ]; then
  tsconfig=$(node -e '
    const yaml = require(require.resolve("yaml", { paths: [process.cwd()] }));
    const project = yaml.parse(require("fs").readFileSync("Pulumi.yaml", "utf8"));
    const value = project && project.runtime && project.runtime.options && project.runtime.options.tsconfig;
    if (typeof value === "string") process.stdout.write(value);
  ' 2>/dev/null)
  if [ -n "$tsconfig" ]; then export PULUMI_NODEJS_TSCONFIG_PATH="$tsconfig"; fi
fi
exec "$(dirname "$0")/${LANGUAGE_HOST_BINARY}" "$@"
`;

/** What a usable toolchain directory holds. */
export const TOOLCHAIN_FILES = [
  "pulumi",
  "pulumi-language-nodejs",
  LANGUAGE_HOST_BINARY,
  // The dynamic-provider plugin: a shell script in the SDK module that starts
  // @pulumi/pulumi/cmd/dynamic-provider from the program's node_modules.
  "pulumi-resource-pulumi-nodejs",
] as const;

/** The @pulumi/pulumi version the lock file pins: the one setting the CLI version follows. */
export function lockedPulumiVersion(root = PROJECT_ROOT): string {
  const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
    packages?: Record<string, { version?: string }>;
  };
  const version = lock.packages?.["node_modules/@pulumi/pulumi"]?.version;
  if (!version) throw new Error("package-lock.json pins no @pulumi/pulumi: run npm install");
  return version;
}

export function toolsDir(): string {
  return process.env.LINE_CALL_TOOLS || path.join(homedir(), ".cache", "line-call");
}

export function toolchainBin(version: string): string {
  return path.join(toolsDir(), `pulumi-v${version}`, "bin");
}

export function log(line: string): void {
  process.stderr.write(`pulumi-cli: ${line}\n`);
}

/** The directory of the `pulumi` on PATH, or undefined. */
export function pulumiOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, "pulumi"))) return dir;
  }
  return undefined;
}

/** No `pulumi` can be had here without the user's help; `fix` is the one command that gives one. */
export class PulumiUnavailableError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

/** Pulumi's installer at the locked version: a `pulumi` without Go. */
export function installPulumiCommand(version: string): string {
  return `curl -fsSL https://get.pulumi.com | sh -s -- --version ${version} && export PATH="$HOME/.pulumi/bin:$PATH"`;
}

/**
 * The directory of the `pulumi` to run, found the one way `npm run pulumi-cli`, `npm run local`
 * and the real-CLI tests all use: the one on PATH (unless LINE_CALL_BUILD_PULUMI is set), else the
 * toolchain built from Go modules, built now when it is not there yet.
 */
export function findOrBuildPulumi(root = PROJECT_ROOT): string {
  const onPath = process.env.LINE_CALL_BUILD_PULUMI ? undefined : pulumiOnPath();
  if (onPath === undefined) return ensureToolchain(lockedPulumiVersion(root));
  // A toolchain built here earlier, put on PATH from `npm run pulumi-cli`'s last line.
  if (path.relative(toolsDir(), onPath).startsWith("pulumi-v")) upgradeLanguageHost(onPath);
  return onPath;
}

function run(command: string, args: string[], options: ExecFileSyncOptions = {}): string {
  return execFileSync(command, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    ...options,
  }) as string;
}

/** The Go module's source directory and go.mod in the module cache (downloaded if needed). */
function moduleSource(module: string, version: string, env: NodeJS.ProcessEnv) {
  const info = JSON.parse(
    run("go", ["mod", "download", "-json", `${module}@${version}`], { env }),
  ) as {
    Dir?: string;
    GoMod?: string;
    Error?: string;
  };
  if (!info.Dir || !info.GoMod)
    throw new Error(`go mod download ${module}@${version}: ${info.Error}`);
  return { dir: info.Dir, goMod: info.GoMod };
}

/**
 * The `replace` lines of a go.mod that a wrapper must repeat: `go install pkg@version` refuses
 * modules whose go.mod has replace directives, so the binaries are built from a throwaway module
 * that requires them, and replacements of real upstream modules (not local paths) carry over.
 */
export function carriedReplaces(goMod: string): string[] {
  const lines: string[] = [];
  const text = goMod.replace(/\r/g, "");
  const entries = [
    ...[...text.matchAll(/^replace\s+\(\n([\s\S]*?)\n\)/gm)].flatMap((m) => m[1].split("\n")),
    ...[...text.matchAll(/^replace\s+([^(\n].*)$/gm)].map((m) => m[1]),
  ];
  for (const raw of entries) {
    const entry = raw.replace(/\/\/.*$/, "").trim();
    const target = entry.split("=>")[1]?.trim();
    if (!target || target.startsWith(".") || target.startsWith("/")) continue;
    lines.push(`replace ${entry}`);
  }
  return lines;
}

interface BuildStep {
  binary: string;
  version: string;
  package: string;
  /** The version the binary reports. */
  reports: string;
  replaces: string[];
}

function goBuild(step: BuildStep, workDir: string, outDir: string, env: NodeJS.ProcessEnv): void {
  const wrapper = path.join(workDir, step.binary);
  mkdirSync(wrapper, { recursive: true });
  writeFileSync(
    path.join(wrapper, "go.mod"),
    [`module line-call.local/${step.binary}`, "", "go 1.26", "", ...step.replaces, ""].join("\n"),
  );
  run("go", ["get", `${step.package}@${step.version}`], {
    cwd: wrapper,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  // As Pulumi's release build: static, no user/cgo lookups, version stamped in.
  run(
    "go",
    [
      "build",
      "-trimpath",
      "-tags",
      "osusergo,grpcnotrace",
      "-ldflags",
      `-s -w -X ${VERSION_SYMBOL}=${step.reports}`,
      "-o",
      path.join(outDir, step.binary),
      step.package,
    ],
    { cwd: wrapper, env: { ...env, CGO_ENABLED: "0" } },
  );
}

/**
 * A toolchain built before LANGUAGE_HOST_SCRIPT has the host binary under the script's name:
 * move it aside and put the script in its place, instead of rebuilding everything.
 */
function upgradeLanguageHost(bin: string): void {
  const host = path.join(bin, "pulumi-language-nodejs");
  if (!existsSync(host) || existsSync(path.join(bin, LANGUAGE_HOST_BINARY))) return;
  if (readFileSync(host).subarray(0, 2).toString() === "#!") return;
  // Link, then replace by rename: a CLI starting the host meanwhile finds one or the other.
  linkSync(host, path.join(bin, LANGUAGE_HOST_BINARY));
  const script = `${host}.${process.pid}`;
  writeFileSync(script, LANGUAGE_HOST_SCRIPT, { mode: 0o755 });
  renameSync(script, host);
  log(`${host}: now hands Pulumi.yaml's runtime.options.tsconfig to the program`);
}

/** Builds the toolchain for `version` (e.g. "3.276.0") unless it is already there; returns bin. */
export function ensureToolchain(version: string): string {
  const bin = toolchainBin(version);
  upgradeLanguageHost(bin);
  if (TOOLCHAIN_FILES.every((file) => existsSync(path.join(bin, file)))) return bin;

  try {
    run("go", ["version"], { stdio: "ignore" });
  } catch {
    throw new PulumiUnavailableError(
      "no pulumi on PATH, and no Go 1.26 to build one here",
      installPulumiCommand(version),
    );
  }
  const home = path.dirname(bin);
  mkdirSync(path.dirname(home), { recursive: true });
  const staging = mkdtempSync(path.join(path.dirname(home), `.pulumi-v${version}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, GOFLAGS: "-mod=mod", GOWORK: "off" };
  try {
    const out = path.join(staging, "bin");
    mkdirSync(out);
    const tag = `v${version}`;

    log(`1/4 fetching ${CLI_MODULE}@${tag} from the Go module proxy …`);
    const cli = moduleSource(CLI_MODULE, tag, env);

    log(`2/4 building pulumi ${tag} (a few minutes the first time) …`);
    goBuild(
      {
        binary: "pulumi",
        version: tag,
        package: CLI_PACKAGE,
        reports: tag,
        replaces: carriedReplaces(readFileSync(cli.goMod, "utf8")),
      },
      staging,
      out,
      env,
    );

    log(
      `3/4 building pulumi-language-nodejs from ${LANGUAGE_HOST.module}@${LANGUAGE_HOST.version} …`,
    );
    goBuild(
      {
        binary: LANGUAGE_HOST_BINARY,
        ...LANGUAGE_HOST,
        reports: LANGUAGE_HOST.version,
        replaces: [],
      },
      staging,
      out,
      env,
    );

    writeFileSync(path.join(out, "pulumi-language-nodejs"), LANGUAGE_HOST_SCRIPT, { mode: 0o755 });

    log(`4/4 copying pulumi-resource-pulumi-nodejs from ${SDK_MODULE}@${tag} …`);
    const sdk = moduleSource(SDK_MODULE, tag, env);
    const script = readFileSync(
      path.join(sdk.dir, "nodejs", "dist", "pulumi-resource-pulumi-nodejs"),
    );
    writeFileSync(path.join(out, "pulumi-resource-pulumi-nodejs"), script, { mode: 0o755 });

    const reported = run(path.join(out, "pulumi"), ["version"], {
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    }).trim();
    if (reported !== tag) throw new Error(`the built pulumi reports ${reported}, expected ${tag}`);
    // Moved into place last, so an interrupted build never leaves a half toolchain behind.
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    renameSync(out, bin);
    log(`pulumi ${tag} ready in ${bin}`);
    return bin;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
