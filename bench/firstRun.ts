// The first `pulumi` run in a fresh checkout (every CI job, every new clone), through the real CLI
// against the Twilio stand-in, side by side in one run, each variant alternated ALTERNATIONS times
// and reported by its fastest run (the machine is shared; other work only adds time):
//
// 1. `pulumi preview` of the local-shaped stack, first and second run in a copy, with the project's
//    setting (Pulumi.yaml: tsconfig.pulumi.json, no type checking) and with type checking on
//    (Pulumi's default tsconfig.json, what the project did before). ts-node keeps compiled files in
//    the temp directory, which hides the cost on a developer's second run but never in CI: each
//    first run gets an empty temp directory of its own (TMPDIR), so "first" is honest.
// 2. The first `pulumi up` of a 50-IP stack with 100 ms of Twilio latency, broken down from the
//    stand-in's request log: start until the first Twilio call (CLI, language host, program,
//    provider host), the span of the Twilio calls, the rest until the CLI exits, the most calls
//    in flight at once; for the project's setting at the default --parallel (CPU cores × 4) and
//    at a higher one, and with type checking on; beside the no-op `up` that follows it. Target:
//    the first `up` within the no-op `up` + 2 s.
//
// Needs `pulumi` on PATH (npm run pulumi-cli). Prints tables and writes bench/results/first-run.json.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import * as path from "node:path";
import { createEngineStack, type EngineStack, expectSuccess } from "../devkit/engine/cliStack";
import { languageHostEnv, TSCONFIG_PATH_VARIABLE } from "../devkit/languageHost";
import { PROJECT_ROOT } from "../devkit/localStack";
import type { RequestRecord } from "../devkit/twilio-standin/server";
import { fastest, IP_COUNT, LATENCY_MS, timed, useLineIpList } from "./cliRuns";
import { formatTable, right } from "./table";

const ALTERNATIONS = 5;
/** Above the stack's resource count, so no resource operation waits for a slot. */
const HIGH_PARALLEL = 64;
const TARGET_OVER_NOOP_SECONDS = 2;

type Checking = "setting" | "typeCheck";

/** Runs the program with the project's setting, or with type checking on (Pulumi's default). */
function useChecking(stack: EngineStack, checking: Checking, programTsconfig: string): void {
  stack.env[TSCONFIG_PATH_VARIABLE] = checking === "setting" ? programTsconfig : "tsconfig.json";
}

/** An empty temp directory for the next runs: ts-node's compile cache starts empty, as in CI. */
function freshTempDir(stack: EngineStack): void {
  stack.env.TMPDIR = mkdtempSync(path.join(stack.dir, "tmp-"));
}

async function firstPreviews(programTsconfig: string) {
  const stack = await createEngineStack("bench-first-preview");
  const runs: Record<Checking, { first: number[]; second: number[] }> = {
    setting: { first: [], second: [] },
    typeCheck: { first: [], second: [] },
  };
  try {
    for (let round = 1; round <= ALTERNATIONS; round++) {
      for (const checking of ["setting", "typeCheck"] as const) {
        useChecking(stack, checking, programTsconfig);
        freshTempDir(stack);
        runs[checking].first.push(await timed(stack, ["preview"]));
        runs[checking].second.push(await timed(stack, ["preview"]));
        console.error(`first preview, round ${round}: ${checking} done`);
      }
    }
  } finally {
    await stack.close();
  }
  return runs;
}

interface TwilioCalls {
  /** From the CLI's start to the first Twilio request. */
  startSeconds: number;
  /** From the first Twilio request to the last answer. */
  spanSeconds: number;
  /** From the last answer until the CLI exited. */
  afterSeconds: number;
  calls: number;
  maxInFlight: number;
}

function twilioCalls(requests: RequestRecord[], startedMs: number, endedMs: number): TwilioCalls {
  if (requests.length === 0) throw new Error("the first up made no Twilio call");
  const first = Math.min(...requests.map((r) => r.receivedMs));
  const last = Math.max(...requests.map((r) => r.answeredMs ?? r.receivedMs));
  // +1 at each arrival, -1 at each answer; answers first at equal times.
  const events = requests
    .flatMap((r) => [
      { at: r.receivedMs, delta: 1 },
      { at: r.answeredMs ?? r.receivedMs, delta: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let inFlight = 0;
  let maxInFlight = 0;
  for (const event of events) {
    inFlight += event.delta;
    maxInFlight = Math.max(maxInFlight, inFlight);
  }
  return {
    startSeconds: (first - startedMs) / 1000,
    spanSeconds: (last - first) / 1000,
    afterSeconds: (endedMs - last) / 1000,
    calls: requests.length,
    maxInFlight,
  };
}

interface Variant {
  label: string;
  checking: Checking;
  parallel?: number;
}

const VARIANTS: Variant[] = [
  { label: "setting, default --parallel", checking: "setting" },
  { label: `setting, --parallel ${HIGH_PARALLEL}`, checking: "setting", parallel: HIGH_PARALLEL },
  { label: "type checking on, default --parallel", checking: "typeCheck" },
];

async function firstUps(programTsconfig: string) {
  const stack = await createEngineStack("bench-first-up");
  const runs = new Map<Variant, Array<TwilioCalls & { upSeconds: number; noopSeconds: number }>>(
    VARIANTS.map((variant) => [variant, []]),
  );
  try {
    useLineIpList(stack);
    for (let round = 1; round <= ALTERNATIONS; round++) {
      for (const variant of VARIANTS) {
        const parallel = variant.parallel ? ["--parallel", String(variant.parallel)] : [];
        useChecking(stack, variant.checking, programTsconfig);
        freshTempDir(stack);
        stack.standin.setLatency(LATENCY_MS);
        stack.standin.resetRequests();
        const startedMs = performance.now();
        expectSuccess(
          await stack.pulumi(["up", "--yes", "--skip-preview", ...parallel]),
          `first up (${variant.label})`,
        );
        const endedMs = performance.now();
        const calls = twilioCalls([...stack.standin.requests], startedMs, endedMs);
        const noopSeconds = await timed(stack, ["up", "--yes", "--skip-preview", ...parallel]);
        runs.get(variant)?.push({ ...calls, upSeconds: (endedMs - startedMs) / 1000, noopSeconds });
        // Back to an empty stack (and an empty Twilio account) for the next first up.
        stack.standin.setLatency(0);
        await timed(stack, ["destroy", "--yes", "--skip-preview"]);
        console.error(`first up, round ${round}: ${variant.label} done`);
      }
    }
  } finally {
    await stack.close();
  }
  return runs;
}

async function main() {
  const programTsconfig = languageHostEnv(PROJECT_ROOT)[TSCONFIG_PATH_VARIABLE];
  if (!programTsconfig) {
    throw new Error("Pulumi.yaml names no runtime.options.tsconfig: nothing to compare");
  }
  const loadAtStart = loadavg()[0];
  const previews = await firstPreviews(programTsconfig);
  const ups = await firstUps(programTsconfig);

  const seconds = (value: number) => Number(value.toFixed(2));
  const least = (values: number[]) => seconds(fastest(values, (value) => value));
  const bestOf = (runs: { first: number[]; second: number[] }) => ({
    firstSeconds: least(runs.first),
    secondSeconds: least(runs.second),
  });
  const preview = { setting: bestOf(previews.setting), typeCheck: bestOf(previews.typeCheck) };
  const firstUpRows = VARIANTS.map((variant) => {
    const runs = ups.get(variant) ?? [];
    // The breakdown of the fastest first up, so its parts add up; the fastest no-op beside it.
    const best = fastest(runs, (run) => run.upSeconds);
    const upSeconds = best.upSeconds;
    const noopSeconds = fastest(runs, (run) => run.noopSeconds).noopSeconds;
    return {
      variant: variant.label,
      upSeconds: seconds(upSeconds),
      startSeconds: seconds(best.startSeconds),
      twilioSpanSeconds: seconds(best.spanSeconds),
      afterSeconds: seconds(best.afterSeconds),
      twilioCalls: best.calls,
      maxInFlight: best.maxInFlight,
      noopUpSeconds: seconds(noopSeconds),
      overNoopSeconds: seconds(upSeconds - noopSeconds),
      withinTarget: upSeconds - noopSeconds <= TARGET_OVER_NOOP_SECONDS,
    };
  });
  const result = {
    ipCount: IP_COUNT,
    latencyMs: LATENCY_MS,
    alternations: ALTERNATIONS,
    programTsconfig,
    defaultParallel: `${cpus().length} cores × 4`,
    highParallel: HIGH_PARALLEL,
    targetOverNoopSeconds: TARGET_OVER_NOOP_SECONDS,
    machineLoadAverage: {
      start: Number(loadAtStart.toFixed(2)),
      end: Number(loadavg()[0].toFixed(2)),
    },
    preview,
    firstPreviewTypeCheckOverSetting: Number(
      (preview.typeCheck.firstSeconds / preview.setting.firstSeconds).toFixed(2),
    ),
    firstUp: firstUpRows,
  };

  console.log(
    [
      `First pulumi preview in a copy (local stack, empty ts-node cache), fastest of ${ALTERNATIONS}`,
      formatTable(
        [
          "program run",
          right("first preview (s)"),
          right("second preview (s)"),
          right("first / setting's first"),
        ],
        (["setting", "typeCheck"] as const).map((checking) => [
          checking === "setting"
            ? `${programTsconfig} (no type check)`
            : "tsconfig.json (type check)",
          preview[checking].firstSeconds.toFixed(2),
          preview[checking].secondSeconds.toFixed(2),
          (preview[checking].firstSeconds / preview.setting.firstSeconds).toFixed(2),
        ]),
      ),
      "",
      `First pulumi up, ${IP_COUNT} IPs, ${LATENCY_MS} ms Twilio latency, fastest of ${ALTERNATIONS} ` +
        `(default --parallel: ${result.defaultParallel})`,
      formatTable(
        [
          "variant",
          right("first up (s)"),
          right("start → 1st call (s)"),
          right("Twilio span (s)"),
          right("after (s)"),
          right("calls"),
          right("max in flight"),
          right("no-op up (s)"),
          right("up − no-op (s)"),
          `≤ no-op + ${TARGET_OVER_NOOP_SECONDS} s`,
        ],
        firstUpRows.map((row) => [
          row.variant,
          row.upSeconds.toFixed(2),
          row.startSeconds.toFixed(2),
          row.twilioSpanSeconds.toFixed(2),
          row.afterSeconds.toFixed(2),
          row.twilioCalls,
          row.maxInFlight,
          row.noopUpSeconds.toFixed(2),
          row.overNoopSeconds.toFixed(2),
          row.withinTarget ? "yes" : "no",
        ]),
      ),
      `load average: ${result.machineLoadAverage.start} at the start, ` +
        `${result.machineLoadAverage.end} at the end, on ${cpus().length} cores`,
    ].join("\n"),
  );
  const out = path.join(__dirname, "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "first-run.json"), `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
