// Timing the real CLI for the engine benches: one command's wall time, and the middle of repeated
// measurements (the machine is shared: alternating the variants and taking the median keeps one
// disturbed run from deciding a comparison).
import { type EngineStack, expectSuccess } from "../devkit/engine/cliStack";

/** Seconds `pulumi <args>` took in the stack's project copy; fails with the CLI's output. */
export async function timed(stack: EngineStack, args: string[]): Promise<number> {
  const started = performance.now();
  expectSuccess(await stack.pulumi(args), `pulumi ${args.join(" ")}`);
  return (performance.now() - started) / 1000;
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
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
