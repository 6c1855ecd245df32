#!/usr/bin/env node
// Stops `npm ci`, `npm test` and `npm run local` at once on a Node.js older than package.json's
// `engines` allows, with one line saying what to run. Without it npm only warns (EBADENGINE) and
// the first sign is a tool crashing later for an unrelated-looking reason. Plain CommonJS with no
// dependencies, so it runs on any Node, before `npm ci` has installed anything.

const path = require("node:path");
const { NODE_LTS_RELEASES } = require("./node-lts");

/** The message for Node.js `version` (e.g. "v20.20.2"), or undefined when it is supported. */
function unsupportedNodeMessage(version) {
  const { engines } = require(path.join(__dirname, "..", "package.json"));
  const minimum = Number(/^>=\s*(\d+)/.exec(engines.node)?.[1]);
  if (!minimum) throw new Error(`check-node: engines.node must read ">=N", not ${engines.node}`);
  if (Number(version.replace(/^v/, "").split(".")[0]) >= minimum) return undefined;
  const lines = Object.keys(NODE_LTS_RELEASES).filter((line) => Number(line) >= minimum);
  return (
    `line-call needs Node.js ${lines.join(" or ")} (this is ${version}): ` +
    `export PATH="$(node scripts/node-lts.js ${lines[0]} | tail -n1):$PATH"`
  );
}

module.exports = { unsupportedNodeMessage };

if (require.main === module) {
  const message = unsupportedNodeMessage(process.version);
  if (message) {
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
}
