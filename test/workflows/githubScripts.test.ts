// The actions/github-script steps of the workflows, run the way the action runs them (the step's
// script as the body of an async function of require, github, context, core) against an
// in-memory GitHub: one drift issue per stack, opened, updated and closed; one ip-diff comment
// per PR, created then edited.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const WORKFLOWS = path.resolve(__dirname, "../../.github/workflows");

interface Issue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  comments: string[];
  pull_request?: object;
}

/** The slice of Octokit these scripts use, over a list of issues (PRs are issues too). */
function fakeGitHub(issues: Issue[]) {
  const find = (n: number) => {
    const issue = issues.find((i) => i.number === n);
    if (!issue) throw new Error(`no issue #${n}`);
    return issue;
  };
  const commentIds = new Map<number, { issue: Issue; index: number }>();
  const rest = {
    issues: {
      listForRepo: (q: { state: string; labels: string }) =>
        issues
          .filter((i) => i.state === q.state && i.labels.includes(q.labels))
          .map(({ comments: _c, ...i }) => ({ ...i, labels: i.labels.map((name) => ({ name })) })),
      listComments: (q: { issue_number: number }) =>
        find(q.issue_number).comments.map((body, index) => {
          const id = q.issue_number * 1000 + index;
          commentIds.set(id, { issue: find(q.issue_number), index });
          return { id, body };
        }),
      create: (q: { title: string; body: string; labels: string[] }) => {
        const issue: Issue = { number: issues.length + 1, state: "open", comments: [], ...q };
        issues.push(issue);
        return { data: issue };
      },
      update: (q: { issue_number: number; body?: string; state?: "open" | "closed" }) => {
        const issue = find(q.issue_number);
        if (q.body !== undefined) issue.body = q.body;
        if (q.state !== undefined) issue.state = q.state;
        return { data: issue };
      },
      createComment: (q: { issue_number: number; body: string }) => {
        find(q.issue_number).comments.push(q.body);
        return { data: {} };
      },
      updateComment: (q: { comment_id: number; body: string }) => {
        const found = commentIds.get(q.comment_id);
        if (!found) throw new Error(`no comment ${q.comment_id}`);
        found.issue.comments[found.index] = q.body;
        return { data: {} };
      },
    },
  };
  return {
    rest,
    paginate: async (method: (q: never) => unknown, q: never) => method(q),
  };
}

function scriptOf(workflow: string, job: string): string {
  const parsed = parse(fs.readFileSync(path.join(WORKFLOWS, workflow), "utf8"));
  const step = parsed.jobs[job].steps.find((s: { uses?: string }) =>
    s.uses?.startsWith("actions/github-script@"),
  );
  return step.with.script;
}

/** Runs a github-script body as the action does, with its own process.env and files. */
async function runScript(
  script: string,
  options: { issues: Issue[]; env: Record<string, string>; files: Record<string, string> },
) {
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
  const fakeRequire = (id: string) => {
    if (id !== "node:fs") throw new Error(`unexpected require ${id}`);
    return {
      readFileSync: (file: string) => {
        if (!(file in options.files)) throw new Error(`ENOENT ${file}`);
        return options.files[file];
      },
    };
  };
  const context = {
    repo: { owner: "acme", repo: "line-call" },
    issue: { owner: "acme", repo: "line-call", number: 7 },
    serverUrl: "https://github.com",
    runId: 42,
  };
  const core = { info: () => {} };
  const fn = new AsyncFunction("require", "github", "context", "core", "process", script);
  await fn(fakeRequire, fakeGitHub(options.issues), context, core, { env: options.env });
}

describe("drift check: the stack's issue", () => {
  const script = scriptOf("pulumi-drift.yml", "drift");
  const env = (RESULT: string) => ({ RESULT, STACK: "prod", RUNNER_TEMP: "/tmp/r" });
  const files = { "/tmp/r/drift-issue.md": "the diff, run 1" };

  it("is opened on drift, updated while it lasts, closed by a clean run", async () => {
    const issues: Issue[] = [
      { number: 1, title: "Unrelated", body: "", state: "open", labels: ["drift"], comments: [] },
    ];
    await runScript(script, { issues, env: env("drift"), files });
    expect(issues[1]).toMatchObject({
      number: 2,
      title: "Drift detected in stack prod",
      body: "the diff, run 1",
      labels: ["drift"],
      state: "open",
    });

    await runScript(script, {
      issues,
      env: env("drift"),
      files: { "/tmp/r/drift-issue.md": "the diff, run 2" },
    });
    expect(issues).toHaveLength(2);
    expect(issues[1].body).toBe("the diff, run 2");
    expect(issues[1].comments).toEqual([
      "Still drifted in https://github.com/acme/line-call/actions/runs/42; the description shows the latest diff.",
    ]);

    await runScript(script, { issues, env: env("clean"), files: {} });
    expect(issues[1].state).toBe("closed");
    expect(issues[1].comments.at(-1)).toMatch(/^No drift in prod any more/);
    expect(issues[0].state).toBe("open");
  });

  it("keeps one issue per stack and leaves other stacks' issues alone", async () => {
    const issues: Issue[] = [];
    await runScript(script, { issues, env: env("drift"), files });
    await runScript(script, {
      issues,
      env: { ...env("drift"), STACK: "dev" },
      files,
    });
    expect(issues.map((i) => i.title)).toEqual([
      "Drift detected in stack prod",
      "Drift detected in stack dev",
    ]);
    await runScript(script, { issues, env: { ...env("clean"), STACK: "dev" }, files: {} });
    expect(issues.map((i) => i.state)).toEqual(["open", "closed"]);
  });

  it("does nothing on a clean run when no issue is open", async () => {
    const issues: Issue[] = [];
    await runScript(script, { issues, env: env("clean"), files: {} });
    expect(issues).toEqual([]);
  });
});

describe("pull request: the ip-diff comment", () => {
  const script = scriptOf("pulumi-preview.yml", "ip-diff");
  const pr = (): Issue[] => [
    {
      number: 7,
      title: "Add LINE's new SIP server",
      body: "",
      state: "open",
      labels: [],
      comments: ["LGTM?"],
      pull_request: {},
    },
  ];
  const report = "# prod (Pulumi.prod.yaml): 1 added\n+ 203.0.113.20/32\n";

  it("is created once and then edited in place", async () => {
    const issues = pr();
    const env = { NOTEWORTHY: "true", EXIT_CODE: "0" };
    await runScript(script, { issues, env, files: { "ip-diff.txt": report } });
    expect(issues[0].comments).toHaveLength(2);
    expect(issues[0].comments[1]).toContain("<!-- line-call:ip-diff -->");
    expect(issues[0].comments[1]).toContain("All LINE IP lists and stack configs are valid.");
    expect(issues[0].comments[1]).toContain(`\`\`\`diff\n${report.trimEnd()}\n\`\`\``);

    await runScript(script, {
      issues,
      env: { NOTEWORTHY: "true", EXIT_CODE: "1" },
      files: { "ip-diff.txt": `${report}! bad entry\n` },
    });
    expect(issues[0].comments).toHaveLength(2);
    expect(issues[0].comments[1]).toContain("**Some LINE IP lists or stack configs are invalid**");
    expect(issues[0].comments[1]).toContain("! bad entry");
  });

  it("stays silent for a PR that changes no IP list, and keeps labels inside the block", async () => {
    const issues = pr();
    await runScript(script, {
      issues,
      env: { NOTEWORTHY: "false", EXIT_CODE: "0" },
      files: { "ip-diff.txt": "# prod: no IP list changes\n" },
    });
    expect(issues[0].comments).toEqual(["LGTM?"]);

    await runScript(script, {
      issues,
      env: { NOTEWORTHY: "true", EXIT_CODE: "0" },
      files: { "ip-diff.txt": '+ 203.0.113.9/32  "```<b>"\n' },
    });
    expect(issues[0].comments[1]).toContain('~~~~~diff\n+ 203.0.113.9/32  "```<b>"\n~~~~~');
  });
});

describe("drift check: the one customers' issue", () => {
  const script = scriptOf("pulumi-drift.yml", "customer-drift-issue");
  const env = (RESULT: string) => ({ RESULT, RUNNER_TEMP: "/tmp/r" });
  const body = (text: string) => ({ "/tmp/r/customers-drift-issue.md": text });

  it("is one issue for every customer: opened, updated while drift lasts, closed by a clean run", async () => {
    const issues: Issue[] = [
      {
        number: 1,
        title: "Drift detected in stack prod",
        body: "",
        state: "open",
        labels: ["drift"],
        comments: [],
      },
    ];
    await runScript(script, { issues, env: env("drift"), files: body("| kita | update 1 |") });
    expect(issues[1]).toMatchObject({
      title: "Drift detected in customer stacks",
      body: "| kita | update 1 |",
      labels: ["drift"],
      state: "open",
    });
    await runScript(script, {
      issues,
      env: env("drift"),
      files: body("| aoba | delete 1 |\n| kita | update 1 |"),
    });
    expect(issues).toHaveLength(2);
    expect(issues[1].body).toContain("aoba");
    expect(issues[1].comments).toEqual([
      "Still drifted in https://github.com/acme/line-call/actions/runs/42; the description lists the customers now.",
    ]);
    await runScript(script, { issues, env: env("clean"), files: {} });
    expect(issues[1].state).toBe("closed");
    expect(issues[0].state).toBe("open");
  });
});

describe("pull request: the one customers' comment", () => {
  const script = scriptOf("pulumi-preview.yml", "customers");
  const marker = "<!-- line-call:customers-preview -->";

  it("is created once with a row per customer, then edited in place on each push", async () => {
    const issues: Issue[] = [
      {
        number: 7,
        title: "LINE's new address",
        body: "",
        state: "open",
        labels: [],
        comments: ["LGTM?"],
        pull_request: {},
      },
    ];
    const env = { RUNNER_TEMP: "/tmp/r" };
    const file = (text: string) => ({ "/tmp/r/customers-comment.md": `${marker}\n${text}` });
    await runScript(script, { issues, env, files: file("| aoba | ✅ |") });
    await runScript(script, { issues, env, files: file("| aoba | ✅ |\n| kita | ❌ |") });
    expect(issues[0].comments).toEqual(["LGTM?", `${marker}\n| aoba | ✅ |\n| kita | ❌ |`]);
  });
});
