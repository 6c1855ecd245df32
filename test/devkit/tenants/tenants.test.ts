// The tenants command's parts that need no pulumi: which stacks are customers, what the table and
// the progress lines say, the first error line of a pulumi failure, the backend from
// PULUMI_BACKEND_URL, bounded parallelism, and `tenants new`'s stack file and its offline check.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../devkit/localStack";
import { backendOf, backendProblem, withoutPassword } from "../../../devkit/tenants/backend";
import { projectStacks, selectStacks, stackRole } from "../../../devkit/tenants/customers";
import { customerStackFile } from "../../../devkit/tenants/newCustomer";
import { firstErrorLine } from "../../../devkit/tenants/operations";
import { mapBounded } from "../../../devkit/tenants/pool";
import { progressPrinter, reportTable } from "../../../devkit/tenants/report";
import type { RunReport } from "../../../devkit/tenants/runner";

const SUBACCOUNT = `AC${"ab".repeat(16)}`;
/** The operator's parent credentials, from the environment as on CI. */
const PARENT = { TWILIO_ACCOUNT_SID: `AC${"cd".repeat(16)}`, TWILIO_AUTH_TOKEN: "ef".repeat(16) };
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function project(files: Record<string, string>): string {
  dir = mkdtempSync(path.join(tmpdir(), "line-call-tenants-unit-"));
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml")),
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("customer stacks", () => {
  it("are the stack files with a subaccount or a platform stack; --all picks only them", () => {
    const root = project({
      "Pulumi.acme.yaml": `config:\n  line-call:subaccountSid: ${SUBACCOUNT}\n`,
      "Pulumi.bravo.yaml": "config:\n  platformStack: org/line-call/platform\n",
      "Pulumi.platform.yaml": "config:\n  line-call:role: platform\n",
      "Pulumi.prod.yaml": "config:\n  line-call:sipDomainName: x.sip.twilio.com\n",
      "Pulumi.blank.yaml": 'config:\n  line-call:subaccountSid: ""\n',
    });
    const stacks = projectStacks(root);
    expect(stacks.map((s) => [s.name, s.role])).toEqual([
      ["acme", "customer"],
      ["blank", "single"],
      ["bravo", "customer"],
      ["platform", "platform"],
      ["prod", "single"],
    ]);
    expect(stacks[0].subaccountSid).toBe(SUBACCOUNT);
    expect(selectStacks(stacks, { all: true }).map((s) => s.name)).toEqual(["acme", "bravo"]);
    // Named explicitly, any stack runs; each once, in the order given.
    expect(selectStacks(stacks, { names: ["prod", "acme", "prod"] }).map((s) => s.name)).toEqual([
      "prod",
      "acme",
    ]);
    expect(() => selectStacks(stacks, { names: ["acme", "zulu"] })).toThrow(
      /No stack file for Pulumi\.zulu\.yaml.*customers: acme, bravo/,
    );
  });

  it("a platform role wins over a subaccount; role customer is a customer", () => {
    expect(stackRole({ "line-call:role": "customer" })).toBe("customer");
    expect(stackRole({ role: "single" })).toBe("single");
    expect(stackRole({ "line-call:role": "platform", "line-call:subaccountSid": SUBACCOUNT })).toBe(
      "platform",
    );
  });
});

describe("tenants new", () => {
  it("fills the template, adds --config keys and checks the file offline before writing", () => {
    const root = project({});
    const request = {
      customer: "sakura-dental",
      subaccountSid: SUBACCOUNT,
      config: {
        forwardTo: "+81312345678",
        callerId: "+815012345678",
        webhookBaseUrl: "https://hooks.example.com",
        lineIpAddresses: JSON.stringify([{ ip: "203.0.113.10" }]),
      },
    };
    const made = customerStackFile(root, request, PARENT);
    expect(made.errors).toEqual([]);
    expect(made.text).toContain(`line-call:subaccountSid: "${SUBACCOUNT}"`);
    expect(made.text).toContain("line-call:sipDomainName: sakura-dental-line.sip.twilio.com");
    expect(made.text).toContain("line-call:forwardTo: "); // --config without a namespace

    const bad = customerStackFile(
      root,
      { ...request, customer: "Sakura Dental", subaccountSid: "SK123" },
      PARENT,
    );
    expect(bad.errors).toEqual([
      expect.stringContaining('customer name "Sakura Dental"'),
      expect.stringContaining("--subaccount must be an account SID"),
    ]);
    const unchecked = customerStackFile(root, { ...request, config: {} }, PARENT);
    expect(unchecked.errors.join("\n")).toContain("forwardTo");
  });

  it("names the template's placeholders left without a value", () => {
    const root = project({ "template.yaml": "config:\n  line-call:greeting: '{{greeting}}'\n" });
    const made = customerStackFile(
      root,
      {
        customer: "acme",
        subaccountSid: SUBACCOUNT,
        config: {},
        template: path.join(root, "template.yaml"),
      },
      {},
    );
    expect(made.errors[0]).toBe(
      "the template needs {{greeting}}: give each with --config name=value",
    );
  });
});

describe("the run's words", () => {
  const report: RunReport = {
    operation: "drift",
    parallel: 2,
    cancelled: false,
    durationMs: 12_300,
    logDir: "/tmp/logs",
    results: [
      {
        customer: "acme",
        outcome: "succeeded",
        changes: { same: 9 },
        durationMs: 4100,
        drift: false,
      },
      {
        customer: "bravo",
        outcome: "succeeded",
        changes: { same: 8, create: 1 },
        durationMs: 5200,
        drift: true,
      },
      {
        customer: "cafe",
        outcome: "locked",
        changes: {},
        durationMs: 900,
        error: "cafe is locked: another update of it is running",
      },
    ],
  };

  it("the closing table: result, changes by kind, duration, drift, error; totals", () => {
    expect(reportTable(report)).toBe(
      [
        "customer  result     changes   duration  drift  error",
        "--------  ---------  --------  --------  -----  -----------------------------------------------",
        "acme      succeeded  none         4.1 s  no",
        "bravo     succeeded  create 1     5.2 s  yes",
        "cafe      locked                  0.9 s         cafe is locked: another update of it is running",
        "",
        "tenants drift: 3 customers, 2 succeeded, 0 failed, 1 locked, 1 drifted in 12.3 s (--parallel 2)",
        "Each customer's pulumi output: /tmp/logs/<customer>.log",
      ].join("\n"),
    );
  });

  it("progress: plain lines off a terminal, the running customers redrawn on one", () => {
    const written: string[] = [];
    const counts = { total: 3, running: 1, done: 0, failed: 0, drifted: 0 };
    const plain = progressPrinter({ write: (t) => written.push(t) });
    plain({ kind: "start", customer: "acme", counts });
    plain({
      kind: "end",
      result: report.results[1],
      counts: { ...counts, running: 0, done: 1, drifted: 1 },
    });
    expect(written).toEqual([
      "[0/3 done, 1 running] acme: started\n",
      "[1/3 done, 0 running, 1 drifted] bravo: DRIFTED (create 1) (5.2 s)\n",
    ]);
    const tty: string[] = [];
    progressPrinter({ write: (t) => tty.push(t), isTTY: true })({
      kind: "start",
      customer: "acme",
      counts,
    });
    expect(tty).toEqual(["\r\x1b[K", "[0/3 done, 1 running] acme: started\n", "running: acme"]);
  });

  it("the first error line says why, not that it failed", () => {
    expect(
      firstErrorLine(
        [
          "code: 255",
          "stderr: error: update failed",
          "Diagnostics:",
          "  pulumi:pulumi:Stack (line-call-acme):",
          "    error: line-call:subaccountSid AC… is not a subaccount of twilio:accountSid AC…",
        ].join("\n"),
      ),
    ).toBe("line-call:subaccountSid AC… is not a subaccount of twilio:accountSid AC…");
    expect(firstErrorLine("Error: spawn pulumi ENOENT")).toBe("spawn pulumi ENOENT");
    // The backend URL pulumi names in some errors keeps no password.
    expect(
      firstErrorLine('error: unable to open state database "postgres://op:s3cret@db:5432/x"'),
    ).toBe('unable to open state database "postgres://op:***@db:5432/x"');
  });
});

describe("the backend", () => {
  it("is the file backend in the project unless PULUMI_BACKEND_URL names one", () => {
    expect(backendOf("/p", {})).toMatchObject({ url: "file:///p", kind: "file" });
    expect(backendOf("/p", { PULUMI_BACKEND_URL: "postgres://u:pw@db:5432/x" })).toEqual({
      url: "postgres://u:pw@db:5432/x",
      kind: "postgres",
      display: "postgres://u:***@db:5432/x",
    });
    expect(backendOf("/p", { PULUMI_BACKEND_URL: "s3://bucket/prefix" }).kind).toBe("s3");
    expect(withoutPassword("s3://bucket/prefix")).toBe("s3://bucket/prefix");
  });

  it("needs the passphrase on a self-managed backend, said before anything runs", () => {
    expect(backendProblem(backendOf("/p", {}), {})).toContain("set PULUMI_CONFIG_PASSPHRASE");
    expect(backendProblem(backendOf("/p", {}), { PULUMI_CONFIG_PASSPHRASE: "" })).toBeUndefined();
    const cloud = backendOf("/p", { PULUMI_BACKEND_URL: "https://api.pulumi.com" });
    expect(backendProblem(cloud, {})).toBeUndefined();
  });
});

describe("bounded parallelism", () => {
  it("runs at most N at once, keeps the order, and starts nothing once told to stop", async () => {
    let running = 0;
    let most = 0;
    const results = await mapBounded([1, 2, 3, 4, 5, 6], 2, async (n) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return n * 10;
    });
    expect(most).toBe(2);
    expect(results).toEqual([10, 20, 30, 40, 50, 60]);

    let started = 0;
    const stopped = await mapBounded(
      [1, 2, 3, 4],
      1,
      async (n) => {
        started += 1;
        return n;
      },
      () => started >= 2,
    );
    expect(stopped).toEqual([1, 2, undefined, undefined]);
  });
});
