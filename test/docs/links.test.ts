// Every relative link in README.md and docs/**/*.md points to a file or folder that exists in the
// repository, and every #anchor to a heading of its target (GitHub's anchor rules). The English
// runbook and its Japanese translation link to each other and have the same sections. The checks
// are functions of the texts, so each is also shown to fail on a tampered copy.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");

/** README.md and every Markdown file under docs/, by repository-relative POSIX path. */
function documentation(): Record<string, string> {
  const files = [
    "README.md",
    ...readdirSync(path.join(ROOT, "docs"), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".md"))
      .map((file) => `docs/${file.split(path.sep).join("/")}`),
  ];
  return Object.fromEntries(
    files.map((file) => [file, readFileSync(path.join(ROOT, file), "utf8")]),
  );
}

const DOCS = documentation();

/** The lines outside fenced code blocks. */
function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      continue;
    }
    if (fence === undefined) lines.push(line);
  }
  return lines;
}

/**
 * GitHub's anchor for a heading: the rendered text lower-cased, punctuation removed (letters,
 * digits and marks of every script stay, so Japanese does), spaces turned into "-".
 */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[`*]/g, "")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

/** The anchors of a document's headings; a repeated heading gets -1, -2, … as on GitHub. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** The targets of inline links `[text](target)` and reference definitions `[name]: target`. */
function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(markdown)) {
    const prose = line.replace(/`[^`]*`/g, "``");
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
      targets.push(match[1]);
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(prose)?.[1];
    if (definition !== undefined) targets.push(definition);
  }
  return targets;
}

/**
 * Every broken relative link in `sources` (path → text). Targets are read from `sources` first,
 * then from the repository, so a tampered copy of a target counts.
 */
function linkProblems(sources: Record<string, string>, root = ROOT): string[] {
  const problems: string[] = [];
  const read = (file: string): string | undefined =>
    sources[file] ??
    (existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), "utf8") : undefined);
  for (const [file, text] of Object.entries(sources)) {
    for (const target of linkTargets(text)) {
      if (target === "" || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // external
      const [rawPath, anchor] = target.split("#", 2);
      const linked =
        rawPath === ""
          ? file
          : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(rawPath)));
      const where = `${file}: link ${target}`;
      if (linked.startsWith("../") || path.posix.isAbsolute(linked)) {
        problems.push(`${where} leaves the repository`);
        continue;
      }
      const isFile = linked in sources || existsSync(path.join(root, linked));
      if (!isFile) {
        problems.push(`${where}: ${linked} does not exist`);
        continue;
      }
      if (anchor === undefined || anchor === "") continue;
      if (!linked.endsWith(".md")) {
        problems.push(`${where}: an anchor into ${linked}, which is not Markdown`);
        continue;
      }
      const targetText = read(linked) ?? "";
      if (!anchors(targetText).has(decodeURIComponent(anchor))) {
        problems.push(`${where}: ${linked} has no heading with the anchor #${anchor}`);
      }
    }
  }
  return problems;
}

/** The level-2 headings of a document, in order. */
function sections(markdown: string): string[] {
  return proseLines(markdown).filter((line) => /^##\s/.test(line));
}

/** The English runbook and its translation: cross-linked, and section for section the same. */
function translationProblems(english: string, japanese: string): string[] {
  const problems: string[] = [];
  if (!linkTargets(english).includes("ja/operations.md")) {
    problems.push("docs/operations.md does not link to ja/operations.md");
  }
  if (!linkTargets(japanese).includes("../operations.md")) {
    problems.push("docs/ja/operations.md does not link to ../operations.md");
  }
  const [en, ja] = [sections(english), sections(japanese)];
  if (en.length !== ja.length) {
    problems.push(
      `docs/operations.md has ${en.length} sections, docs/ja/operations.md ${ja.length}: translate every section`,
    );
  }
  return problems;
}

function tampered(text: string, from: string | RegExp, to: string): string {
  const result = text.replace(from, to);
  if (result === text) throw new Error(`nothing to tamper: ${String(from)} not found`);
  return result;
}

describe("links in README.md and docs/", () => {
  it("reads the README and every document under docs/", () => {
    expect(Object.keys(DOCS)).toEqual(
      expect.arrayContaining([
        "README.md",
        "docs/operations.md",
        "docs/ja/operations.md",
        "docs/configuration.md",
        "docs/gitops.md",
        "docs/providers.md",
        "docs/webhook.md",
        "docs/development.md",
      ]),
    );
  });

  it("all point to existing files and headings", () => {
    expect(linkProblems(DOCS)).toEqual([]);
  });

  it("follow GitHub's anchor rules, Japanese included", () => {
    expect(githubSlug("When `pulumi up` was interrupted")).toBe("when-pulumi-up-was-interrupted");
    expect(githubSlug("Project keys (`line-call:`)")).toBe("project-keys-line-call");
    expect(githubSlug("`pulumi up` が中断されたとき")).toBe("pulumi-up-が中断されたとき");
    // The anchor GitHub gave the old README's Japanese section.
    expect(githubSlug("LINE 接続手順（日本語）")).toBe("line-接続手順日本語");
    expect([...anchors("# A\n## B\n## B\n```\n## not a heading\n```\n")]).toEqual([
      "a",
      "b",
      "b-1",
    ]);
  });

  it("fail on a link to a missing file", () => {
    const readme = tampered(DOCS["README.md"], "(docs/gitops.md)", "(docs/gitops-guide.md)");
    expect(linkProblems({ ...DOCS, "README.md": readme })).toEqual([
      "README.md: link docs/gitops-guide.md: docs/gitops-guide.md does not exist",
    ]);
  });

  it("fail on an anchor no heading has", () => {
    const readme = tampered(DOCS["README.md"], "#first-run-offline", "#first-run");
    expect(linkProblems({ ...DOCS, "README.md": readme })).toEqual([
      "README.md: link docs/operations.md#first-run: docs/operations.md has no heading with the anchor #first-run",
    ]);
  });

  it("fail when a linked heading is renamed, in Japanese too", () => {
    const japanese = tampered(
      DOCS["docs/ja/operations.md"],
      "## スタックの削除",
      "## スタックを削除する",
    );
    expect(linkProblems({ ...DOCS, "docs/ja/operations.md": japanese })).toEqual([
      "docs/ja/operations.md: link #スタックの削除: docs/ja/operations.md has no heading with the anchor #スタックの削除",
    ]);
  });

  it("fail on a link out of the repository, and ignore links in code", () => {
    expect(linkProblems({ "README.md": "[up](../../elsewhere.md)" })).toEqual([
      "README.md: link ../../elsewhere.md leaves the repository",
    ]);
    expect(
      linkProblems({ "README.md": "```md\n[x](missing.md)\n```\n`[y](missing.md)`\n" }),
    ).toEqual([]);
  });
});

describe("the Japanese runbook", () => {
  const english = DOCS["docs/operations.md"];
  const japanese = DOCS["docs/ja/operations.md"];

  it("links to the English one and back, and has every section", () => {
    expect(translationProblems(english, japanese)).toEqual([]);
  });

  it("fails when a section is left untranslated", () => {
    const shorter = tampered(japanese, /^## スタックの削除\n[\s\S]*$/m, "");
    expect(translationProblems(english, shorter)).toEqual([
      `docs/operations.md has ${sections(english).length} sections, docs/ja/operations.md ${sections(english).length - 1}: translate every section`,
    ]);
  });

  it("fails when the cross-link is gone", () => {
    const unlinked = tampered(english, "[ja/operations.md](ja/operations.md)", "ja/operations.md");
    expect(translationProblems(unlinked, japanese)).toEqual([
      "docs/operations.md does not link to ja/operations.md",
    ]);
  });
});
