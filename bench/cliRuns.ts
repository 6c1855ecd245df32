// Timing the real CLI for the engine benches: one command's wall time, and the fastest of repeated
// measurements (the machine is shared: other work only ever adds time, so with the variants
// alternated, the fastest run of each is its least disturbed figure).
import { type EngineStack, expectSuccess } from "../devkit/engine/cliStack";

/** Seconds `pulumi <args>` took in the stack's project copy; fails with the CLI's output. */
export async function timed(stack: EngineStack, args: string[]): Promise<number> {
  const started = performance.now();
  expectSuccess(await stack.pulumi(args), `pulumi ${args.join(" ")}`);
  return (performance.now() - started) / 1000;
}

/** The run with the least of `seconds`: the least disturbed of repeated measurements. */
export function fastest<T>(runs: T[], seconds: (run: T) => number): T {
  if (runs.length === 0) throw new Error("no runs to compare");
  return runs.reduce((best, run) => (seconds(run) < seconds(best) ? run : best));
}

/** The engine benches' stack: a LINE list of 50 IPs, Twilio answering after 100 ms. */
export const IP_COUNT = 50;
export const LATENCY_MS = 100;

/** Gives the stack a LINE list of `count` documentation addresses (203.0.113.1, …). */
export function useLineIpList(stack: EngineStack, count = IP_COUNT): void {
  stack.writeConfig({
    ...stack.readConfig(),
    "line-call:lineIpAddresses": Array.from({ length: count }, (_, i) => ({
      ip: `203.0.113.${i + 1}`,
      label: `LINE SIP ${i + 1}`,
    })),
  });
}
