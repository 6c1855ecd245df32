// Builds the installed module the providers load from (providers/installed.ts explains why):
// node_modules/@line-call/providers, one CommonJS bundle of providers/ (third-party packages left
// as requires, resolved from the project's node_modules) and one small file per provider whose
// whole export is that provider object.
//
// Built on `npm ci` (postinstall), by `npm test`, and by the program whenever its sources changed,
// so neither a user nor a developer editing providers/ has a reinstall step to remember; and
// written to a fresh directory that replaces the old one in one rename, so a provider host starting
// meanwhile never loads half a module.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { INSTALLED_PROVIDERS, PROVIDERS_PACKAGE } from "../providers/installed";

const PROJECT_ROOT = path.resolve(__dirname, "..");
/** The folders the bundle is built from (providers/ imports only model/). */
const SOURCE_DIRS = ["providers", "model"];
const BUNDLE = "providers.js";

export interface ProvidersModule {
  /** The installed module's directory. */
  dir: string;
  /** sha256 over the sources it was built from. */
  sourceHash: string;
}

function sourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts")) files.push(full);
    }
  };
  for (const dir of SOURCE_DIRS) walk(path.join(root, dir));
  return files;
}

/** What the module is built from: every source file's path and contents. */
export function providersSourceHash(root = PROJECT_ROOT): string {
  const hash = createHash("sha256");
  for (const file of sourceFiles(root)) {
    hash.update(path.relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

export function providersModuleDir(root = PROJECT_ROOT): string {
  return path.join(root, "node_modules", ...PROVIDERS_PACKAGE.split("/"));
}

function installedHash(dir: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    return typeof manifest.lineCallSourceHash === "string"
      ? manifest.lineCallSourceHash
      : undefined;
  } catch {
    return undefined;
  }
}

/** The bundle's exports, loaded once to check them and then dropped from the require cache. */
function exportsOf(bundle: string): Record<string, unknown> {
  try {
    return require(bundle) as Record<string, unknown>;
  } finally {
    delete require.cache[require.resolve(bundle)];
  }
}

/**
 * Puts the staged module in place of the installed one. Two programs may rebuild at once (the
 * real-CLI tests run several): when the other one's module lands first and was built from the
 * same sources, it is as good as this one.
 */
function swapIn(staging: string, dir: string, sourceHash: string): void {
  const previous = `${dir}.previous-${process.pid}-${Date.now()}`;
  try {
    renameSync(dir, previous);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  try {
    renameSync(staging, dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code !== "ENOTEMPTY" && code !== "EEXIST") || installedHash(dir) !== sourceHash) {
      throw error;
    }
  } finally {
    rmSync(previous, { recursive: true, force: true });
  }
}

/** Builds the module from the sources under root into root/node_modules, always. */
export function buildProvidersModule(root = PROJECT_ROOT): ProvidersModule {
  return build(root, providersSourceHash(root));
}

function build(root: string, sourceHash: string): ProvidersModule {
  const dir = providersModuleDir(root);
  const staging = `${dir}.staging-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    buildSync({
      absWorkingDir: root,
      entryPoints: [path.join(root, "providers", "index.ts")],
      outfile: path.join(staging, BUNDLE),
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node22",
      // twilio, ipaddr.js and @pulumi/pulumi stay requires: the provider methods load them from
      // the project's node_modules when they run.
      packages: "external",
      logLevel: "warning",
    });
    const exported = exportsOf(path.join(staging, BUNDLE));
    for (const [name, exportName] of Object.entries(INSTALLED_PROVIDERS)) {
      if (typeof exported[exportName] !== "object") {
        throw new Error(`providers/index.ts does not export ${exportName} (for ${name}.js)`);
      }
      writeFileSync(
        path.join(staging, `${name}.js`),
        `"use strict";\n// The ${exportName} object itself: a resource's state names this file.\n` +
          `module.exports = require("./${BUNDLE}").${exportName};\n`,
      );
    }
    writeFileSync(
      path.join(staging, "package.json"),
      `${JSON.stringify(
        {
          name: PROVIDERS_PACKAGE,
          private: true,
          description:
            "line-call's Twilio providers, built from providers/ by stack/providersModule.ts",
          main: BUNDLE,
          lineCallSourceHash: sourceHash,
        },
        null,
        2,
      )}\n`,
    );
    swapIn(staging, dir, sourceHash);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { dir, sourceHash };
}

/** Builds the module only when the installed one was built from other sources (or is missing). */
export function ensureProvidersModule(root = PROJECT_ROOT): ProvidersModule {
  const dir = providersModuleDir(root);
  const sourceHash = providersSourceHash(root);
  if (installedHash(dir) === sourceHash) return { dir, sourceHash };
  return build(root, sourceHash);
}
