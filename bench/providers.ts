// Benchmark of the Twilio providers through the real provider host against the Twilio stand-in,
// for a LINE list of 50 IPs: Twilio API calls per phase against the minimum, the serialized
// provider size per resource (it is stored in state for every resource), and the wall time of
// 50 concurrent IP creates with 100 ms of Twilio latency against the same creates made serially.
// Sizes and times are measured side by side for the two forms of provider a resource can carry:
// by reference (the installed module, providers/installed.ts: what the program uses) and by
// value (the provider's code itself, as resources carried it before).
// Prints tables and writes bench/results/providers.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import * as path from "node:path";
import type { EngineResource } from "../devkit/engine/engine";
import { PROJECT_ROOT, serializeProvider } from "../devkit/engine/providerHost";
import {
  installedProviders,
  type ProvidersByKind,
  providersByKind,
  type ResourceKind,
  startTwilioBed,
} from "../devkit/engine/twilioBed";
import { MAX_CONCURRENT_TWILIO_CALLS } from "../providers";
import { INSTALLED_PROVIDERS } from "../providers/installed";
import { formatTable, right } from "./table";

const IP_COUNT = 50;
const LATENCY_MS = 100;

const ips = Array.from(
  { length: IP_COUNT },
  (_, i) => `203.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
);

/**
 * The providers as `pulumi up` serializes them: Pulumi runs a TypeScript program through tsc's
 * CommonJS output, whose plain `exports.x` let the closure serializer take only what is used
 * (tsx/esbuild's getter-based exports would make it copy whole modules, about 40% more).
 */
function compiledProviders(): Providers {
  const outDir = path.join(PROJECT_ROOT, "bench/results/.build");
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      path.join(PROJECT_ROOT, "node_modules/typescript/bin/tsc"),
      ...["--outDir", outDir, "--rootDir", PROJECT_ROOT, "--module", "node16"],
      ...["--target", "ES2022", "--moduleResolution", "node16", "--esModuleInterop"],
      ...["--skipLibCheck", "--types", "node", "--resolveJsonModule", "--sourceMap", "false"],
      // Only the providers, with these options: the project tsconfig would add the whole tree.
      "--ignoreConfig",
      path.join(PROJECT_ROOT, "providers/index.ts"),
    ],
    { stdio: "inherit" },
  );
  const compiled = require(path.join(outDir, "providers/index.js"));
  return providersByKind((name) => compiled[INSTALLED_PROVIDERS[name]]);
}

type Providers = ProvidersByKind;

async function main() {
  const forms: Record<"byReference" | "byValue", Providers> = {
    byReference: installedProviders(),
    byValue: compiledProviders(),
  };
  const phases = await callCounts(forms.byReference);
  const measured = {
    byReference: await sizesAndTimes(forms.byReference),
    byValue: await sizesAndTimes(forms.byValue),
  };
  report(phases, measured);
}

type Phase = { phase: string; calls: number; minimum: number; note: string };

/** Twilio calls per phase of a 50-IP stack's life (the same for either form). */
async function callCounts(providers: Providers): Promise<Phase[]> {
  const bed = await startTwilioBed({ providers });
  const { standin } = bed;
  const calls = () => standin.requests.length;
  const phases: Phase[] = [];
  const measure = async (
    phase: string,
    minimum: number,
    note: string,
    run: () => Promise<void>,
  ) => {
    standin.resetRequests();
    await run();
    phases.push({ phase, calls: calls(), minimum, note });
  };

  // The stack's shape: list, its entries and the domain side by side, then the mapping.
  const list = bed.resource("IpAccessControlList", "line-ips");
  const domain = bed.resource("SipDomain", "line-domain");
  const mapping = bed.resource("IpAccessControlListMapping", "line-mapping");
  const entries = new Map<string, EngineResource>();
  const entryInputs = (ip: string) => ({ ipAccessControlListSid: list.id, ipAddress: ip });
  const domainInputs = { domainName: "line-call-bench.sip.twilio.com" };
  const all = () => [list, domain, mapping, ...entries.values()];

  await measure(
    "create",
    IP_COUNT + 3,
    "one POST per object, +1 for the ACL name-clash look-up; entries of a list this run created need no look-up (in another list, one shared listing finds what a lost create left)",
    async () => {
      await list.up({ friendlyName: "line-call-bench" });
      await Promise.all([
        domain.up(domainInputs),
        ...ips.map((ip) => {
          const entry = bed.resource("IpAddress", `line-ip-${ip}-32`);
          entries.set(ip, entry);
          return entry.up(entryInputs(ip));
        }),
      ]);
      await mapping.up({ domainSid: domain.id, ipAccessControlListSid: list.id });
    },
  );

  await measure("no-op diff (preview)", 0, "check and diff never call Twilio", async () => {
    await list.preview({ friendlyName: "line-call-bench" });
    await domain.preview(domainInputs);
    await mapping.preview({ domainSid: domain.id, ipAccessControlListSid: list.id });
    await Promise.all(ips.map((ip) => entries.get(ip)?.preview(entryInputs(ip))));
  });

  await measure("refresh", IP_COUNT + 3, "one GET per object", async () => {
    await Promise.all(all().map((r) => r.refresh()));
  });

  await measure(
    "change 1 IP",
    2,
    "new entry created, old one deleted (resource name follows the IP)",
    async () => {
      const [oldIp] = ips;
      const newIp = "198.51.100.1";
      const replacement = bed.resource("IpAddress", `line-ip-${newIp}-32`);
      await replacement.up(entryInputs(newIp));
      await entries.get(oldIp)?.destroy();
      entries.delete(oldIp);
      entries.set(newIp, replacement);
    },
  );

  const validationErrors = [...standin.validationErrors];
  await bed.close();
  if (validationErrors.length > 0) throw new Error(`stand-in: ${validationErrors.join("; ")}`);
  return phases;
}

/** The serialized provider's size per resource, and 50 IP creates at once and one by one. */
async function sizesAndTimes(providers: Providers) {
  const bed = await startTwilioBed({ providers });
  const { standin } = bed;
  // Serialized provider per resource: what `__provider` adds to each resource in the state.
  const sizes: Record<string, number> = {};
  for (const kind of Object.keys(providers) as ResourceKind[]) {
    sizes[kind] = Buffer.byteLength(await serializeProvider(providers[kind]));
  }
  const stateBytes =
    sizes.IpAddress * IP_COUNT +
    sizes.SipDomain +
    sizes.IpAccessControlList +
    sizes.IpAccessControlListMapping;

  // 50 IP creates through the host with 100 ms of Twilio latency: all at once, then one by one.
  const timed = async (
    label: string,
    latencyMs: number,
    run: (items: EngineResource[]) => Promise<unknown>,
  ) => {
    const concurrencyList = bed.resource("IpAccessControlList", `timing-${label}`);
    standin.setLatency(0);
    await concurrencyList.up({ friendlyName: `line-call-bench-${label}` });
    standin.setLatency(latencyMs);
    const items = ips.map((ip) => bed.resource("IpAddress", `${label}-${ip}`));
    const inputs = (ip: string) => ({ ipAccessControlListSid: concurrencyList.id, ipAddress: ip });
    const started = performance.now();
    await run(items.map((item, i) => Object.assign(item, { benchInputs: inputs(ips[i]) })));
    const seconds = (performance.now() - started) / 1000;
    if (standin.ipAddresses(concurrencyList.id).length !== IP_COUNT) {
      throw new Error(`${label}: expected ${IP_COUNT} entries`);
    }
    return seconds;
  };
  type WithInputs = EngineResource & { benchInputs: Record<string, unknown> };
  const allAtOnce = (items: EngineResource[]) =>
    Promise.all((items as WithInputs[]).map((item) => item.up(item.benchInputs)));
  // A first unmeasured round warms the host (JIT, connections). Then the same 50 creates without
  // latency (what the host and the harness cost by themselves) and with it, best of two each:
  // the machine is shared, and the minimum is the least disturbed figure.
  await timed("warm-up", 0, allAtOnce);
  const best = async (label: string, latencyMs: number) =>
    Math.min(
      await timed(`${label}-1`, latencyMs, allAtOnce),
      await timed(`${label}-2`, latencyMs, allAtOnce),
    );
  const floorSeconds = await best("floor", 0);
  const concurrentSeconds = await best("concurrent", LATENCY_MS);
  const serialSeconds = await timed("serial", LATENCY_MS, async (items) => {
    for (const item of items as WithInputs[]) await item.up(item.benchInputs);
  });
  standin.setLatency(0);
  const validationErrors = [...standin.validationErrors];
  await bed.close();
  if (validationErrors.length > 0) throw new Error(`stand-in: ${validationErrors.join("; ")}`);
  return {
    serializedProviderBytes: sizes as Record<ResourceKind, number>,
    serializedProviderBytesFor50IpStack: stateBytes,
    concurrentSeconds,
    serialSeconds,
    floorSecondsWithoutLatency: floorSeconds,
  };
}

type Measured = Awaited<ReturnType<typeof sizesAndTimes>>;

function report(phases: Phase[], measured: { byReference: Measured; byValue: Measured }) {
  const { byReference: ref, byValue: val } = measured;
  const result = {
    ipCount: IP_COUNT,
    phases,
    latencyMs: LATENCY_MS,
    concurrencyCap: MAX_CONCURRENT_TWILIO_CALLS,
    byReference: ref,
    byValue: val,
    ratios: {
      serializedProviderBytesFor50IpStack:
        ref.serializedProviderBytesFor50IpStack / val.serializedProviderBytesFor50IpStack,
      concurrentSeconds: ref.concurrentSeconds / val.concurrentSeconds,
    },
    machineLoadAverage: loadavg()[0],
  };

  console.log(
    `\nTwilio providers, LINE list of ${IP_COUNT} IPs (provider host ↔ Twilio stand-in)\n`,
  );
  console.log(
    formatTable(
      ["phase", "Twilio calls", "minimum", right("calls / minimum"), "note"],
      phases.map((p) => [
        p.phase,
        p.calls,
        p.minimum,
        p.minimum === 0 ? (p.calls === 0 ? "—" : "∞") : (p.calls / p.minimum).toFixed(2),
        p.note,
      ]),
    ),
  );
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
  const seconds = (value: number) => `${value.toFixed(2)} s`;
  const row = (label: string, a: number, b: number, unit: (n: number) => string) => [
    label,
    unit(a),
    unit(b),
    `${(a / b).toFixed(3)} ×`,
  ];
  const forms = [right("by reference"), right("by value"), right("reference / value")];
  console.log(
    `\n${formatTable(
      ["serialized provider (in every resource's state)", ...forms],
      [
        ...(Object.keys(ref.serializedProviderBytes) as ResourceKind[]).map((kind) =>
          row(kind, ref.serializedProviderBytes[kind], val.serializedProviderBytes[kind], kib),
        ),
        row(
          `all of a ${IP_COUNT}-IP stack`,
          ref.serializedProviderBytesFor50IpStack,
          val.serializedProviderBytesFor50IpStack,
          kib,
        ),
      ],
    )}\n`,
  );
  console.log(
    formatTable(
      [`${IP_COUNT} IP creates, ${LATENCY_MS} ms Twilio latency`, ...forms],
      [
        row("concurrent", ref.concurrentSeconds, val.concurrentSeconds, seconds),
        row("serial", ref.serialSeconds, val.serialSeconds, seconds),
        row(
          "concurrent, no latency (host floor)",
          ref.floorSecondsWithoutLatency,
          val.floorSecondsWithoutLatency,
          seconds,
        ),
      ],
    ),
  );
  console.log(`load average while measuring: ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);

  const out = path.join(__dirname, "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "providers.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${path.join(out, "providers.json")}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
