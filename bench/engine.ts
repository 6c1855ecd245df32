// The real Pulumi CLI on a 50-IP local-shaped stack against the Twilio stand-in with 100 ms of
// latency per request: wall time of `pulumi up`, a no-op `pulumi up`, `pulumi preview --refresh`
// and `pulumi destroy`, and the state file's size, side by side in one run for three forms: the
// providers by reference from the installed module (what the program does now), by value (as
// before: each resource carries the provider's code), and by reference with `--parallel 1`.
// Needs `pulumi` on PATH (npm run pulumi-cli). Prints a table and writes bench/results/engine.json.
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { carryProvidersByValue, createEngineStack, expectSuccess } from "../devkit/engine/cliStack";
import { IP_COUNT, LATENCY_MS, timed, useLineIpList } from "./cliRuns";
import { formatTable, right } from "./table";

/** One full cycle on a fresh stack; `extra` is appended to every command (e.g. --parallel 1). */
async function cycle(label: string, extra: string[], byValue = false) {
  const stack = await createEngineStack(`bench-${label}`);
  try {
    if (byValue) carryProvidersByValue(stack.project);
    useLineIpList(stack);
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
  const byReference = await cycle("reference", []);
  const byValue = await cycle("value", [], true);
  const serial = await cycle("serial", ["--parallel", "1"]);
  const seconds = (value: number) => Number(value.toFixed(2));
  const rows = (["up", "noopUp", "previewRefresh", "destroy"] as const).map((step) => ({
    step,
    byReferenceSeconds: seconds(byReference[step]),
    byValueSeconds: seconds(byValue[step]),
    referenceOverValue: Number((byReference[step] / byValue[step]).toFixed(3)),
    parallel1Seconds: seconds(serial[step]),
    parallel1OverDefault: Number((serial[step] / byReference[step]).toFixed(2)),
  }));
  const kib = (bytes: number) => Number((bytes / 1024).toFixed(1));
  const result = {
    ipCount: IP_COUNT,
    latencyMs: LATENCY_MS,
    rows,
    stateKiB: { byReference: kib(byReference.stateBytes), byValue: kib(byValue.stateBytes) },
    stateReferenceOverValue: Number((byReference.stateBytes / byValue.stateBytes).toFixed(3)),
  };
  console.log(
    [
      `pulumi CLI, ${IP_COUNT} IPs, ${LATENCY_MS} ms Twilio latency`,
      formatTable(
        [
          "step",
          right("by reference (s)"),
          right("by value (s)"),
          right("reference / value"),
          right("--parallel 1 (s)"),
          right("--parallel 1 / default"),
        ],
        [
          ...rows.map((r) => [
            r.step,
            r.byReferenceSeconds.toFixed(2),
            r.byValueSeconds.toFixed(2),
            r.referenceOverValue.toFixed(3),
            r.parallel1Seconds.toFixed(2),
            r.parallel1OverDefault.toFixed(2),
          ]),
          [
            "state file (KiB)",
            result.stateKiB.byReference.toFixed(1),
            result.stateKiB.byValue.toFixed(1),
            result.stateReferenceOverValue.toFixed(3),
            "",
            "",
          ],
        ],
      ),
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
