// Every relative link in README.md and docs/**/*.md points to a file or folder that exists in the
// repository, and every #anchor to a heading of its target (GitHub's anchor rules). Every English
// page docs/<page>.md has its Japanese translation docs/ja/<page>.md, kept in step with it: the two
// link to each other, have the same headings at the same levels, the same code blocks (comments
// aside: those are translated), section by section every inline `code` of the English (keys,
// commands, values) and every figure of its prose, and Japanese prose wherever the English has prose; README.md links every
// Japanese page. The checks are functions of the texts, so each is also shown to fail on a
// tampered copy.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { tampered } from "./markdown";

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

/** A heading outside code: its level and text. */
interface Heading {
  level: number;
  text: string;
}

/** The headings of a document, in order. */
function headings(markdown: string): Heading[] {
  const result: Heading[] = [];
  for (const line of proseLines(markdown)) {
    const match = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (match) result.push({ level: match[1].length, text: match[2] });
  }
  return result;
}

/**
 * The fenced code blocks of a document, each as its lines with comments removed (a `#` or `//` at
 * the start of a line or after a blank, to the end of the line): the commands, keys and values a
 * translation keeps as they are, while it translates the comments.
 */
function codeBlocks(markdown: string): string[][] {
  const blocks: string[][] = [];
  let fence: string | undefined;
  let block: string[] = [];
  for (const line of markdown.split("\n")) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined && (fence === undefined || marker[0] === fence)) {
      if (fence === undefined) {
        fence = marker[0];
        block = [];
      } else {
        blocks.push(block);
        fence = undefined;
      }
      continue;
    }
    if (fence !== undefined) block.push(line.replace(/(^|\s)(#|\/\/)(\s.*)?$/, "").trimEnd());
  }
  return blocks;
}

/**
 * The inline code of each level-2 section (the part before the first `##` included), by section:
 * a span may run over a line break, and its blanks count as one.
 */
function sectionCode(markdown: string): Set<string>[] {
  const sections: string[][] = [[]];
  for (const line of proseLines(markdown)) {
    if (/^##\s/.test(line)) sections.push([]);
    else sections[sections.length - 1].push(line);
  }
  return sections.map(
    (lines) =>
      new Set(
        [...lines.join("\n").matchAll(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g)].map((match) =>
          match[2].replace(/\s+/g, " ").trim(),
        ),
      ),
  );
}

/**
 * The prose of each part of a document between headings (the part before the first heading
 * first), with code, link targets and HTML entities left out: what a translation must put in
 * Japanese.
 */
function headingParts(markdown: string): string[] {
  const parts: string[][] = [[]];
  for (const line of proseLines(markdown)) {
    if (/^#{1,6}\s/.test(line)) parts.push([]);
    else parts[parts.length - 1].push(line);
  }
  return parts.map((lines) =>
    lines
      .join("\n")
      .replace(/(`+)[\s\S]*?\1/g, " ")
      .replace(/\]\([^)]*\)/g, "]")
      .replace(/&[a-z]+;/g, " "),
  );
}

/** Written in Japanese: holds kana or kanji. */
const JAPANESE_SCRIPT = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;
/** Holds English prose: three words in a row. */
const ENGLISH_PROSE = /[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}/;

/**
 * The figures of each level-2 section's prose (the part before the first `##` included): every
 * number outside code and link targets, as written (`1,200`, `0.4`, `4096`).
 */
function sectionFigures(markdown: string): Set<string>[] {
  const sections: string[][] = [[]];
  for (const line of proseLines(markdown)) {
    if (/^##\s/.test(line)) sections.push([]);
    else sections[sections.length - 1].push(line);
  }
  return sections.map((lines) => {
    const prose = lines
      .join("\n")
      .replace(/(`+)[\s\S]*?\1/g, " ")
      .replace(/\]\([^)]*\)/g, "]");
    return new Set(prose.match(/(?<![\w.])\d+(?:[.,]\d+)*/g) ?? []);
  });
}

/** The English pages under docs/ (not their translations), by file name. */
function englishPages(docs: Record<string, string>): string[] {
  return Object.keys(docs)
    .filter((file) => /^docs\/[^/]+\.md$/.test(file))
    .map((file) => file.slice("docs/".length))
    .sort();
}

/**
 * What keeps docs/ja/<page> from being a translation of docs/<page> kept in step with it; an
 * absent translation is one problem.
 */
function translationProblems(
  page: string,
  english: string,
  japanese: string | undefined,
): string[] {
  const [en, ja] = [`docs/${page}`, `docs/ja/${page}`];
  if (japanese === undefined) return [`${en} has no Japanese translation ${ja}`];
  const problems: string[] = [];
  if (!linkTargets(english).includes(`ja/${page}`))
    problems.push(`${en} does not link to ja/${page}`);
  if (!linkTargets(japanese).includes(`../${page}`))
    problems.push(`${ja} does not link to ../${page}`);
  const [enHeadings, jaHeadings] = [headings(english), headings(japanese)];
  const shown = (heading: Heading | undefined) =>
    heading ? `"${"#".repeat(heading.level)} ${heading.text}"` : "nothing";
  const differ = enHeadings.findIndex((heading, i) => heading.level !== jaHeadings[i]?.level);
  if (differ !== -1 || enHeadings.length !== jaHeadings.length) {
    const i = differ === -1 ? enHeadings.length : differ;
    problems.push(
      `${en} has ${enHeadings.length} headings, ${ja} ${jaHeadings.length}; they part at heading ${i + 1}, ${shown(enHeadings[i])} in English, ${shown(jaHeadings[i])} in Japanese: translate every section, in the same order, at the same level`,
    );
    return problems;
  }
  const [enBlocks, jaBlocks] = [codeBlocks(english), codeBlocks(japanese)];
  if (enBlocks.length !== jaBlocks.length) {
    problems.push(`${en} has ${enBlocks.length} code blocks, ${ja} ${jaBlocks.length}`);
  } else {
    enBlocks.forEach((block, i) => {
      const line = block.findIndex((text, j) => text !== jaBlocks[i][j]);
      if (line !== -1 || block.length !== jaBlocks[i].length) {
        const j = line === -1 ? block.length : line;
        problems.push(
          `${ja}'s code block ${i + 1} differs from ${en}'s at line ${j + 1} (comments aside): ${JSON.stringify(block[j] ?? "")} in English, ${JSON.stringify(jaBlocks[i][j] ?? "")} in Japanese`,
        );
      }
    });
  }
  const [enParts, jaParts] = [headingParts(english), headingParts(japanese)];
  enParts.forEach((prose, i) => {
    if (ENGLISH_PROSE.test(prose) && !JAPANESE_SCRIPT.test(jaParts[i])) {
      const where = i === 0 ? "its introduction" : `its part under ${shown(jaHeadings[i - 1])}`;
      problems.push(`${ja} has ${where} not in Japanese: translate it`);
    }
  });
  const [enCode, jaCode] = [sectionCode(english), sectionCode(japanese)];
  const sectionTitles = [
    "(the introduction)",
    ...enHeadings.filter((h) => h.level === 2).map((h) => h.text),
  ];
  enCode.forEach((spans, i) => {
    const missing = [...spans].filter((span) => !jaCode[i].has(span));
    if (missing.length > 0) {
      problems.push(
        `${ja} lacks, in its translation of "${sectionTitles[i]}", the English's ${missing.map((span) => `\`${span}\``).join(", ")}`,
      );
    }
  });
  const jaFigures = sectionFigures(japanese);
  sectionFigures(english).forEach((figures, i) => {
    const missing = [...figures].filter((figure) => !jaFigures[i].has(figure));
    if (missing.length > 0) {
      problems.push(
        `${ja} lacks, in its translation of "${sectionTitles[i]}", the English's figures ${missing.join(", ")}`,
      );
    }
  });
  return problems;
}

/** The Japanese pages README.md does not link to (its 日本語 paragraph lists them all). */
function unlistedJapanesePages(docs: Record<string, string>): string[] {
  const linked = linkTargets(docs["README.md"]);
  return Object.keys(docs)
    .filter((file) => file.startsWith("docs/ja/") && !linked.includes(file))
    .map((file) => `README.md does not link to ${file}`);
}

/**
 * The sections a page's contents list leaves out: a page whose introduction lists its sections
 * (`- [title](#anchor)`) must list every level-2 heading.
 */
function contentsProblems(docs: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, text] of Object.entries(docs)) {
    const introduction = proseLines(text.split(/^## /m)[0]).join("\n");
    const listed = new Set(
      [...introduction.matchAll(/^\s*- \[[^\]]*\]\(#([^)]+)\)/gm)].map((match) => match[1]),
    );
    if (listed.size === 0) continue;
    for (const heading of headings(text).filter((h) => h.level === 2)) {
      if (!listed.has(githubSlug(heading.text))) {
        problems.push(`${file}'s contents list leaves out "## ${heading.text}"`);
      }
    }
  }
  return problems;
}

/** Every English page's translation problems. */
function allTranslationProblems(docs: Record<string, string>): string[] {
  return englishPages(docs).flatMap((page) =>
    translationProblems(page, docs[`docs/${page}`], docs[`docs/ja/${page}`]),
  );
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

describe("contents lists", () => {
  it("name every section of their page", () => {
    expect(contentsProblems(DOCS)).toEqual([]);
  });

  it("fail when a section is missing from one", () => {
    const page = DOCS["docs/gitops.md"];
    const shorter = tampered(page, /^- \[Drift issues\]\(#drift-issues\)\n/m, "");
    expect(contentsProblems({ "docs/gitops.md": shorter })).toEqual([
      'docs/gitops.md\'s contents list leaves out "## Drift issues"',
    ]);
  });
});

describe("the Japanese translations", () => {
  it("exist for every English page, and each links back and keeps its headings, code and inline code", () => {
    expect(englishPages(DOCS)).toEqual(
      expect.arrayContaining(["configuration.md", "gitops.md", "operations.md", "webhook.md"]),
    );
    expect(allTranslationProblems(DOCS)).toEqual([]);
  });

  it("read headings, code blocks and inline code as written", () => {
    const page =
      "# T\n\nIntro `a`.\n\n## One\n\n```sh\nrun it   # why\n# only a comment\n```\n\nSee `did you\nmean x?` and ``b`c``.\n### Sub\n";
    expect(headings(page)).toEqual([
      { level: 1, text: "T" },
      { level: 2, text: "One" },
      { level: 3, text: "Sub" },
    ]);
    expect(codeBlocks(page)).toEqual([["run it", ""]]);
    expect(sectionCode(page).map((spans) => [...spans])).toEqual([
      ["a"],
      ["did you mean x?", "b`c"],
    ]);
  });

  const english = DOCS["docs/operations.md"];
  const japanese = DOCS["docs/ja/operations.md"];

  it("are each linked from the README", () => {
    expect(unlistedJapanesePages(DOCS)).toEqual([]);
    expect(unlistedJapanesePages({ ...DOCS, "docs/ja/billing.md": "# 請求\n" })).toEqual([
      "README.md does not link to docs/ja/billing.md",
    ]);
  });

  it("fail when a page has no translation", () => {
    expect(allTranslationProblems({ ...DOCS, "docs/billing.md": "# Billing\n" })).toEqual([
      "docs/billing.md has no Japanese translation docs/ja/billing.md",
    ]);
  });

  it("fail when a section is left untranslated", () => {
    const shorter = tampered(japanese, /^## スタックの削除\n[\s\S]*$/m, "");
    expect(translationProblems("operations.md", english, shorter)).toEqual([
      `docs/operations.md has ${headings(english).length} headings, docs/ja/operations.md ${headings(english).length - 1}; they part at heading ${headings(english).length}, "## Removing a stack" in English, nothing in Japanese: translate every section, in the same order, at the same level`,
    ]);
    const added = tampered(
      english,
      /^## Removing a stack$/m,
      "## Notifications\n\nText.\n\n## Removing a stack",
    );
    expect(translationProblems("operations.md", added, japanese)[0]).toMatch(
      /^docs\/operations\.md has (\d+) headings, docs\/ja\/operations\.md \d+; they part at heading \1, "## Removing a stack" in English, nothing in Japanese/,
    );
  });

  it("fail when the cross-link is gone", () => {
    const unlinked = tampered(english, "[ja/operations.md](ja/operations.md)", "ja/operations.md");
    expect(translationProblems("operations.md", unlinked, japanese)).toEqual([
      "docs/operations.md does not link to ja/operations.md",
    ]);
    const back = tampered(japanese, "[../operations.md](../operations.md)", "../operations.md");
    expect(translationProblems("operations.md", english, back)).toEqual([
      "docs/ja/operations.md does not link to ../operations.md",
    ]);
  });

  it("fail when a command differs, but not when only a comment does", () => {
    const command = tampered(
      japanese,
      "pulumi preview --stack dev\n",
      "pulumi preview --stack prod\n",
    );
    expect(translationProblems("operations.md", english, command)).toEqual([
      expect.stringMatching(
        /^docs\/ja\/operations\.md's code block \d+ differs from docs\/operations\.md's at line \d+ \(comments aside\): "pulumi preview --stack dev" in English, "pulumi preview --stack prod" in Japanese$/,
      ),
    ]);
    const comment = tampered(japanese, "# 現在のバックエンドから書き出す", "# 書き出し");
    expect(translationProblems("operations.md", english, comment)).toEqual([]);
  });

  it("fail when a part is left in English", () => {
    const englishBody = /^## When LINE changes its IP addresses\n([\s\S]*?)^## /m.exec(
      english,
    )?.[1];
    expect(englishBody).toBeDefined();
    const untranslated = tampered(
      japanese,
      /^(## LINE の IP アドレスが変わったとき\n)[\s\S]*?(?=^## )/m,
      `$1${englishBody}`,
    );
    expect(translationProblems("operations.md", english, untranslated)).toEqual([
      'docs/ja/operations.md has its part under "## LINE の IP アドレスが変わったとき" not in Japanese: translate it',
    ]);
  });

  it("fail when a figure differs", () => {
    const changed = tampered(japanese, "最大 90 秒間再試行します", "最大 60 秒間再試行します");
    expect(translationProblems("operations.md", english, changed)).toEqual([
      'docs/ja/operations.md lacks, in its translation of "What gets deployed", the English\'s figures 90',
    ]);
  });

  it("fail when an English section gains inline code its translation lacks", () => {
    const configuration = DOCS["docs/configuration.md"];
    const changed = tampered(
      configuration,
      "Lists (`lineIpAddresses`) are easiest",
      "Lists (`lineIpAddresses`, `businessHours`) are easiest",
    );
    expect(
      translationProblems("configuration.md", changed, DOCS["docs/ja/configuration.md"]),
    ).toEqual([
      'docs/ja/configuration.md lacks, in its translation of "Setting values", the English\'s `businessHours`',
    ]);
  });
});
