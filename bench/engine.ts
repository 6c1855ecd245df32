// The real Pulumi CLI on a 50-IP local-shaped stack against the Twilio stand-in with 100 ms of
// latency per request: wall time of `pulumi up`, a no-op `pulumi up`, `pulumi preview --refresh`
// and `pulumi destroy`, each beside the same command with `--parallel 1` in the same run (ratio),
// plus the state file's size. Needs `pulumi` on PATH (npm run pulumi-cli). Prints a table and
// writes bench/results/engine.json.
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createEngineStack, type EngineStack, expectSuccess } from "../devkit/engine/cliStack";
import { formatTable, right } from "./table";

const IP_COUNT = 50;
const LATENCY_MS = 100;

const ips = Array.from({ length: IP_COUNT }, (_, i) => `203.0.113.${i + 1}`);

async function timed(stack: EngineStack, args: string[]): Promise<number> {
  const started = performance.now();
  expectSuccess(await stack.pulumi(args), `pulumi ${args.join(" ")}`);
  return (performance.now() - started) / 1000;
}

/** One full cycle on a fresh stack; `extra` is appended to every command (e.g. --parallel 1). */
async function cycle(label: string, extra: string[]) {
  const stack = await createEngineStack(`bench-${label}`);
  try {
    stack.writeConfig({
      ...stack.readConfig(),
      "line-call:lineIpAddresses": ips.map((ip, i) => ({ ip, label: `LINE SIP ${i + 1}` })),
    });
    stack.standin.setLatency(LATENCY_MS);
    const up = await timed(stack, ["up", "--yes", "--skip-preview", ...extra]);
    const noopUp = await timed(stack, ["up", "--yes", "--skip-preview", ...extra]);
    const previewRefresh = await timed(stack, ["preview", "--refresh", ...extra]);
    const exported = expectSuccess(await stack.pulumi(["stack", "export"]), "stack export").stdout;
    const destroy = await timed(stack, ["destroy", "--yes", "--skip-preview", ...extra]);
    return { up, noopUp, previewRefresh, destroy, stateBytes: Buffer.byteLength(exported) };
  } finally {
    await stack.close();
  }
}

async function main() {
  const parallel = await cycle("default", []);
  const serial = await cycle("serial", ["--parallel", "1"]);
  const rows = (["up", "noopUp", "previewRefresh", "destroy"] as const).map((step) => ({
    step,
    defaultSeconds: Number(parallel[step].toFixed(2)),
    parallel1Seconds: Number(serial[step].toFixed(2)),
    ratio: Number((serial[step] / parallel[step]).toFixed(2)),
  }));
  const result = {
    ipCount: IP_COUNT,
    latencyMs: LATENCY_MS,
    rows,
    stateBytes: parallel.stateBytes,
    stateKiB: Number((parallel.stateBytes / 1024).toFixed(1)),
  };
  console.log(
    [
      `pulumi CLI, ${IP_COUNT} IPs, ${LATENCY_MS} ms Twilio latency`,
      formatTable(
        ["step", right("default (s)"), right("--parallel 1 (s)"), right("ratio")],
        rows.map((r) => [
          r.step,
          r.defaultSeconds.toFixed(2),
          r.parallel1Seconds.toFixed(2),
          r.ratio.toFixed(2),
        ]),
      ),
      `state file: ${result.stateKiB} KiB`,
    ].join("\n"),
  );
  const out = path.join(__dirname, "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "engine.json"), `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
