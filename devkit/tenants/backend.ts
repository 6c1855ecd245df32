// Where the customers' state lives and the environment every pulumi process of the tenants command
// gets. The backend is Pulumi's own, chosen by PULUMI_BACKEND_URL like any Pulumi project: unset
// means the file backend in the project folder (.pulumi/, git-ignored; nothing to start), as
// `npm run local` uses; postgres://… is the CLI's built-in PostgreSQL backend and s3://… S3, both
// with the CLI's own stack locking, for several operators or machines (docs/tenants.md).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { languageHostEnv } from "../languageHost";

export type BackendKind = "file" | "postgres" | "s3" | "cloud" | "other";

export interface Backend {
  url: string;
  kind: BackendKind;
  /** The URL with any password replaced, for messages and logs. */
  display: string;
}

export function backendOf(root: string, env: NodeJS.ProcessEnv = process.env): Backend {
  const url = env.PULUMI_BACKEND_URL?.trim() || `file://${root}`;
  const scheme = url.slice(0, Math.max(0, url.indexOf("://"))).toLowerCase();
  const kind: BackendKind =
    scheme === "file"
      ? "file"
      : scheme === "postgres" || scheme === "postgresql"
        ? "postgres"
        : scheme === "s3"
          ? "s3"
          : scheme === "https" || scheme === "http"
            ? "cloud"
            : "other";
  return { url, kind, display: withoutPassword(url) };
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function withoutPassword(url: string): string {
  return url.replace(/^([a-z0-9+.-]+:\/\/[^:/@\s]*):[^@/\s]*@/i, "$1:***@");
}

/** Every URL's password in a text replaced (pulumi names the backend URL in some errors). */
export function withoutPasswords(text: string): string {
  return text.replace(/\b([a-z0-9+.-]+:\/\/[^:/@\s"']*):[^@/\s"']*@/gi, "$1:***@");
}

/**
 * The environment the tenants command adds to its own for every pulumi process: the backend, no
 * update check, no plugin downloads (the program needs none beyond its own, as for the local
 * stack), and Pulumi.yaml's runtime options as the current language host passes them.
 */
export function operatorEnv(
  root: string,
  backend: Backend,
  /** The real pulumi's directory: its language host and plugins are found beside it. */
  binDir: string,
): Record<string, string> {
  return {
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: backend.url,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ...languageHostEnv(root),
  };
}

/**
 * What must hold before any customer runs, as one message naming the fix: the self-managed
 * backends keep secrets with the passphrase provider, which needs the passphrase in the environment.
 */
export function backendProblem(
  backend: Backend,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (backend.kind === "cloud") return undefined;
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE) {
    return undefined;
  }
  return (
    `The ${backend.kind} backend (${backend.display}) keeps the customers' secrets with the ` +
    "passphrase provider: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the " +
    "operator's passphrase first"
  );
}

export interface OperatorPulumi {
  command: PulumiCommand;
  /** Whether each pulumi runs in a session of its own (see below). */
  ownSession: boolean;
  /** Removes the launcher. */
  close(): void;
}

/**
 * The `pulumi` in `binDir` for the Automation API, started through `setsid` where there is one:
 * each customer's pulumi then runs in a session of its own, out of reach of the terminal's Ctrl-C,
 * so it gets exactly one SIGINT — the one the runner sends through the Automation API — and
 * cancels gracefully. (Without it, the terminal's SIGINT and the runner's would reach it both,
 * and a second SIGINT makes pulumi stop at once, leaving the stack locked.)
 */
export function operatorPulumi(binDir: string): Promise<OperatorPulumi> {
  const real = path.join(binDir, "pulumi");
  const setsid = ["/usr/bin/setsid", "/bin/setsid"].find((file) => existsSync(file));
  if (!setsid) {
    return PulumiCommand.get({ root: path.dirname(binDir), skipVersionCheck: true }).then(
      (command) => ({ command, ownSession: false, close: () => {} }),
    );
  }
  const launcher = mkdtempSync(path.join(tmpdir(), "line-call-tenants-bin-"));
  mkdirSync(path.join(launcher, "bin"));
  const script = path.join(launcher, "bin", "pulumi");
  writeFileSync(script, `#!/bin/sh\nexec ${setsid} ${shellQuote(real)} "$@"\n`, { mode: 0o755 });
  return PulumiCommand.get({ root: launcher, skipVersionCheck: true }).then((command) => ({
    command,
    ownSession: true,
    close: () => rmSync(launcher, { recursive: true, force: true }),
  }));
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
