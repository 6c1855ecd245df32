// A real PostgreSQL server for the tests and the bench, from the machine's packages (Debian's
// postgresql: /usr/lib/postgresql/<version>/bin), in a temporary folder on a free port, reachable
// only from 127.0.0.1, stopped and removed by stop(). PostgreSQL refuses to run as root, so as
// root the server runs as the `postgres` user the package creates (through runuser).
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import * as path from "node:path";
import { freePort } from "./freePort";

const INSTALL = "apt-get update && apt-get install -y postgresql";
const PACKAGES = "/usr/lib/postgresql";
/** The database user the server is created with (trusted from 127.0.0.1; nothing else reaches it). */
const DATABASE_USER = "pulumi";

export interface PostgresServer {
  /** A URL for Pulumi's PostgreSQL backend: postgres://pulumi@127.0.0.1:<port>/postgres?sslmode=disable */
  url: string;
  port: number;
  version: string;
  /** Runs one SQL statement through psql, returning its unaligned output. */
  sql(statement: string): string;
  stop(): Promise<void>;
}

/** The newest installed server's bin folder, or an error saying how to install one. */
export function postgresBin(): { bin: string; version: string } {
  const versions = existsSync(PACKAGES)
    ? readdirSync(PACKAGES)
        .filter((v) => existsSync(path.join(PACKAGES, v, "bin", "pg_ctl")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(`No PostgreSQL server installed (${PACKAGES}/<version>/bin): ${INSTALL}`);
  }
  return { bin: path.join(PACKAGES, versions[0], "bin"), version: versions[0] };
}

/** As root, the user the server runs as; undefined when this process may run it itself. */
function serverUser(): { name: string; uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    try {
      const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
      return { name, uid, gid };
    } catch {
      // No such user; try the next.
    }
  }
  throw new Error("PostgreSQL refuses to run as root and there is no postgres or nobody user");
}

export async function startPostgres(): Promise<PostgresServer> {
  const { bin, version } = postgresBin();
  const user = serverUser();
  const dir = mkdtempSync(path.join(tmpdir(), "line-call-postgres-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (tool: string, args: string[]) => {
    const command = path.join(bin, tool);
    const [file, argv] = user
      ? ["runuser", ["-u", user.name, "--", command, ...args]]
      : [command, args];
    return execFileSync(file, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  };
  const data = path.join(dir, "data");
  const port = await freePort();
  try {
    run("initdb", ["-D", data, "-A", "trust", "-U", DATABASE_USER, "--no-sync", "-E", "UTF8"]);
    run("pg_ctl", [
      "-D",
      data,
      "-l",
      path.join(dir, "server.log"),
      "-w",
      "-o",
      // Sockets in the temporary folder, TCP on 127.0.0.1 only; a test server need not survive a
      // power cut, so no fsync.
      `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      "start",
    ]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`PostgreSQL ${version} did not start: ${(error as Error).message}\n${stderr}`);
  }
  let stopped = false;
  return {
    url: `postgres://${DATABASE_USER}@127.0.0.1:${port}/postgres?sslmode=disable`,
    port,
    version,
    sql: (statement) =>
      run("psql", [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        DATABASE_USER,
        "-d",
        "postgres",
        "-At",
        "-c",
        statement,
      ]),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
