// The import rule of the tree: every folder has a layer, and a file may import only from its own
// folder or from folders of lower layers. Folders on the same layer (lambda/, providers/, policy/)
// do not import each other, so each stays loadable alone (the providers will be installed as one
// module of their own). Product code therefore never reaches scripts/, devkit/, bench/ or test/.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Lowest first. A file's folder is its first path segment; a file at the root is its own folder,
 * named without its extension (imports name index.ts as "../index" or "../index.js").
 */
const LAYERS: readonly (readonly string[])[] = [
  ["model"], // shared rules; imports nothing of ours
  ["lambda", "providers", "policy"], // the webhook, the Twilio providers, the policy pack
  ["stack"], // the components and config the program is built from
  ["index"], // the Pulumi program (index.ts)
  ["devkit"], // tooling shipped for local runs, shared by scripts, bench and tests
  ["scripts"], // the npm run entry points
  ["bench"],
  ["test", "vitest.config"],
];

const SOURCE = /\.(ts|mts|cts|js|cjs|mjs)$/;
const SKIP = new Set(["node_modules", "dist", ".git", ".pulumi"]);

function sourceFiles(dir = ROOT): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (SOURCE.test(entry.name)) files.push(path.relative(ROOT, full));
  }
  return files;
}

/** Every relative module a file imports, requires or loads dynamically, as a project path. */
function importsOf(file: string, text = readFileSync(path.join(ROOT, file), "utf8")): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith("./") || name.startsWith("../"))
    .map((name) => path.normalize(path.join(path.dirname(file), name)));
}

function folderOf(projectPath: string): string {
  const [first, ...rest] = projectPath.split(path.sep);
  return rest.length === 0 ? first.replace(/\.[cm]?[jt]s$/, "") : first;
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

interface Violation {
  from: string;
  to: string;
  why: string;
}

/** The imports that break the rule (the test below also proves it finds a planted one). */
function violations(edges: Array<{ from: string; to: string }>): Violation[] {
  const found: Violation[] = [];
  for (const { from, to } of edges) {
    const source = folderOf(from);
    const target = folderOf(to);
    if (to.startsWith("..")) {
      found.push({ from, to, why: "reaches outside the project" });
    } else if (layerOf(target) === -1) {
      found.push({ from, to, why: `${target} has no layer: add it to LAYERS` });
    } else if (source === target) {
    } else if (layerOf(target) > layerOf(source)) {
      found.push({ from, to, why: `${source} may not import ${target}, a higher layer` });
    } else if (layerOf(target) === layerOf(source)) {
      found.push({
        from,
        to,
        why: `${source} and ${target} are on one layer: neither imports the other`,
      });
    }
  }
  return found;
}

describe("the import layers", () => {
  const files = sourceFiles();
  const edges = files.flatMap((from) => importsOf(from).map((to) => ({ from, to })));

  it("place every top-level source folder and file on a layer", () => {
    const unplaced = [...new Set(files.map(folderOf))].filter((folder) => layerOf(folder) === -1);
    expect(unplaced).toEqual([]);
  });

  it("only point down: no import of a higher layer or a sibling", () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(violations(edges)).toEqual([]);
  });

  it("find a planted upward or sideways import, in every form of import", () => {
    const planted = [
      'import { x } from "../stack/config";',
      'const y = require("../scripts/local");',
      'const z = await import("../lambda/contract");',
      'export { w } from "../test/support/gitRepo";',
    ].join("\n");
    const plantedEdges = importsOf("providers/planted.ts", planted).map((to) => ({
      from: "providers/planted.ts",
      to,
    }));
    expect(violations(plantedEdges).map((v) => v.to)).toEqual([
      path.normalize("stack/config"),
      path.normalize("scripts/local"),
      path.normalize("lambda/contract"),
      path.normalize("test/support/gitRepo"),
    ]);
    expect(violations([{ from: "model/a.ts", to: "model/b" }])).toEqual([]);
    expect(violations([{ from: "stack/a.ts", to: "model/b" }])).toEqual([]);
  });
});
