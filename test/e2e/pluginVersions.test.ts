// A real engine asks for each resource package's plugin at the version its package.json declares
// (`pulumi.version`). A publish that declares none, or another than its npm version (as
// @pulumi/command 4.5.0 did), makes a user's first `pulumi up` fetch a release that does not exist.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");

/** @pulumi/* packages that are SDKs, not resource providers: they need no plugin. */
const SDK_PACKAGES = new Set(["@pulumi/pulumi", "@pulumi/policy"]);

interface Manifest {
  name: string;
  version: string;
  pulumi?: { resource?: boolean; version?: string };
}

/** Why the engine would not find this package's plugin, or undefined when it would. */
function pluginVersionProblem(lockedVersion: string, manifest: Manifest): string | undefined {
  if (manifest.pulumi?.resource !== true) return `${manifest.name} declares no pulumi.resource`;
  if (manifest.pulumi.version === undefined) return `${manifest.name} declares no pulumi.version`;
  if (manifest.pulumi.version !== lockedVersion || manifest.version !== lockedVersion) {
    return `${manifest.name}@${lockedVersion} declares plugin ${manifest.pulumi.version} (package.json version ${manifest.version})`;
  }
  return undefined;
}

const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version: string }>;
};
const resourcePackages = Object.entries(lock.packages)
  .filter(([where]) => /(^|\/)node_modules\/@pulumi\/[^/]+$/.test(where))
  .map(([where, entry]) => ({
    lockedVersion: entry.version,
    manifest: JSON.parse(readFileSync(path.join(ROOT, where, "package.json"), "utf8")) as Manifest,
  }))
  .filter(({ manifest }) => !SDK_PACKAGES.has(manifest.name));

describe("@pulumi/* resource packages in package-lock.json", () => {
  it("include the AWS provider (so this check is looking at something)", () => {
    expect(resourcePackages.map((p) => p.manifest.name)).toContain("@pulumi/aws");
  });

  it.each(resourcePackages.map((p) => [p.manifest.name, p] as const))(
    "%s declares a plugin version equal to its npm version",
    (_name, { lockedVersion, manifest }) => {
      expect(pluginVersionProblem(lockedVersion, manifest)).toBeUndefined();
    },
  );

  it("would catch @pulumi/command 4.5.0's publish and accept its real 1.2.1", () => {
    expect(pluginVersionProblem("4.5.0", { name: "@pulumi/command", version: "v4.5.0" })).toMatch(
      /declares no pulumi.resource/,
    );
    expect(
      pluginVersionProblem("1.2.1", {
        name: "@pulumi/command",
        version: "1.2.1",
        pulumi: { resource: true, version: "1.2.1" },
      }),
    ).toBeUndefined();
  });
});
