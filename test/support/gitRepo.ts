// A throwaway git repository for running the repo's review scripts on real history.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

export class TempGitRepo {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "line-call-gitops-"));

  constructor() {
    this.git("init", "--quiet", "--initial-branch=main");
  }

  git(...args: string[]): string {
    return execFileSync("git", args, {
      cwd: this.dir,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "Reviewer",
        GIT_AUTHOR_EMAIL: "reviewer@example.com",
        GIT_COMMITTER_NAME: "Reviewer",
        GIT_COMMITTER_EMAIL: "reviewer@example.com",
      },
    });
  }

  write(files: Record<string, string | null>): void {
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(this.dir, name);
      if (text === null) fs.rmSync(file, { force: true });
      else {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
      }
    }
  }

  commit(message: string, files: Record<string, string | null>): string {
    this.write(files);
    this.git("add", "--all");
    this.git("commit", "--quiet", "-m", message);
    return this.git("rev-parse", "HEAD").trim();
  }

  /** Run one of the repo's TypeScript scripts here, as `npm run <script> -- args` would. */
  run(script: string, args: string[], cwd = this.dir, env: Record<string, string> = {}) {
    const result = spawnSync(TSX, [path.join(ROOT, script), ...args], {
      cwd,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", ...env },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
