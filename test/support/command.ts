// A command run without blocking the test process (which may be serving the stand-in or a webhook
// the command talks to), with its exit code and its stdout and stderr together.
import { type SpawnOptions, spawn } from "node:child_process";

export interface CommandResult {
  code: number | null;
  output: string;
}

export function runCommand(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    child.on("close", (code) => resolve({ code, output }));
  });
}
