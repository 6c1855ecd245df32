// `npm run tenants -- <command> [customer…|--all]`: the operator's command over the customer
// stacks (docs/tenants.md). Every customer runs in its own pulumi process through the Automation
// API, at most --parallel at once; the backend is PULUMI_BACKEND_URL's (the file backend in this
// folder when unset).
//
//   npm run tenants -- list
//   npm run tenants -- new acme --subaccount AC… [--config forwardTo=+81…] [--template file]
//   npm run tenants -- preview|up|drift --all [--parallel N] [--json]
//   npm run tenants -- destroy acme [--yes]
//   npm run tenants -- status [--json]
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT } from "../devkit/localStack";
import { findOrBuildPulumi } from "../devkit/pulumiToolchain";
import { formatTable } from "../devkit/table";
import {
  backendOf,
  backendProblem,
  type OperatorPulumi,
  operatorEnv,
  operatorPulumi,
} from "../devkit/tenants/backend";
import { type ProjectStack, projectStacks, selectStacks } from "../devkit/tenants/customers";
import { writeCustomerStackFile } from "../devkit/tenants/newCustomer";
import { OPERATIONS, type Operation } from "../devkit/tenants/operations";
import { progressPrinter, reportJson, reportTable } from "../devkit/tenants/report";
import { defaultParallel, exitCodeOf, newLogDir, runCustomers } from "../devkit/tenants/runner";
import { parseShard, type Shard, shardOf } from "../devkit/tenants/shard";
import { statusRows } from "../devkit/tenants/status";
import { writeStatusPage } from "../devkit/tenants/statusPage";

const COMMANDS = ["list", "new", "status", ...OPERATIONS] as const;
type Command = (typeof COMMANDS)[number];

const USAGE = `usage: npm run tenants -- <command> [customer…|--all] [options]
  list                                   the project's stacks and which are customers
  new <customer> --subaccount AC…        write Pulumi.<customer>.yaml from the template, check it
        [--config key=value]… [--template file]   and create the stack on the backend
  preview|up|drift [customer…|--all]     run on the customers, at most --parallel at once
  destroy <customer>… [--yes] [--remove] remove the customers' resources (asks unless --yes);
                                         --remove also deletes the stack and Pulumi.<customer>.yaml
  status [customer…|--all] [--html file] where each customer stands (default: all customers);
                                         --html writes the status page
options: --parallel N (default ${defaultParallel()}), --json,
         --shard i/N (preview|up|drift: only the i-th of N slices of the customers, for a CI matrix)`;

class UsageError extends Error {}

function shardArgument(text: string): Shard {
  try {
    return parseShard(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parallelOf(text: string | undefined): number {
  if (text === undefined) return defaultParallel();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`--parallel must be a whole number from 1, got ${text}`);
  }
  return n;
}

function configPairs(pairs: string[] | undefined): Record<string, string> {
  const config: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--config takes key=value, got ${pair}`);
    config[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return config;
}

async function confirmDestroy(stacks: ProjectStack[]): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new UsageError(
      "destroy removes the customers' Twilio resources: run it in a terminal to confirm, or add --yes",
    );
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await prompt.question(
    `Destroy every resource of ${stacks.map((s) => s.name).join(", ")}? Type "yes": `,
  );
  prompt.close();
  return answer.trim() === "yes";
}

interface Context {
  root: string;
  pulumi: OperatorPulumi;
  env: Record<string, string>;
}

async function operatorContext(root: string): Promise<Context> {
  const backend = backendOf(root);
  const problem = backendProblem(backend);
  if (problem) throw new UsageError(problem);
  const binDir = findOrBuildPulumi(root);
  return {
    root,
    pulumi: await operatorPulumi(binDir),
    env: operatorEnv(root, backend, binDir),
  };
}

async function main(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      all: { type: "boolean" },
      parallel: { type: "string" },
      shard: { type: "string" },
      json: { type: "boolean" },
      yes: { type: "boolean" },
      remove: { type: "boolean" },
      subaccount: { type: "string" },
      config: { type: "string", multiple: true },
      template: { type: "string" },
      html: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, ...names] = positionals;
  if (flags.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !flags.help ? 2 : 0;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command ${command}\n${USAGE}`);
  }
  const root = PROJECT_ROOT;
  const stacks = projectStacks(root);

  switch (command as Command) {
    case "list": {
      if (flags.json) {
        console.log(
          JSON.stringify(
            stacks.map(({ config: _config, ...stack }) => stack),
            null,
            2,
          ),
        );
      } else {
        console.log(
          formatTable(
            ["stack", "role", "subaccount"],
            stacks.map((s) => [s.name, s.role, s.subaccountSid ?? ""]),
          ),
        );
      }
      return 0;
    }
    case "new": {
      const [customer, ...extra] = names;
      if (!customer || extra.length > 0 || !flags.subaccount) {
        throw new UsageError("usage: npm run tenants -- new <customer> --subaccount AC…");
      }
      const written = writeCustomerStackFile(root, {
        customer,
        subaccountSid: flags.subaccount,
        config: configPairs(flags.config),
        ...(flags.template ? { template: flags.template } : {}),
      });
      for (const note of written.notes) console.log(`note: ${note}`);
      if (written.errors.length > 0) {
        console.error(
          `Pulumi.${customer}.yaml not written; ${written.errors.length} problem(s):\n` +
            written.errors.map((e) => `  - ${e}`).join("\n"),
        );
        return 1;
      }
      const context = await operatorContext(root);
      try {
        const workspace = await LocalWorkspace.create({
          workDir: root,
          envVars: context.env,
          pulumiCommand: context.pulumi.command,
        });
        await Stack.createOrSelect(customer, workspace);
      } finally {
        context.pulumi.close();
      }
      console.log(
        `Wrote ${written.file} and created stack ${customer} on ${backendOf(root).display}.\n` +
          `Next: review it in a pull request, then \`npm run tenants -- preview ${customer}\` and \`up ${customer}\`.`,
      );
      return 0;
    }
    case "status": {
      const selected =
        names.length > 0 ? selectStacks(stacks, { names }) : selectStacks(stacks, { all: true });
      const context = await operatorContext(root);
      try {
        const rows = await statusRows(selected, {
          root,
          env: context.env,
          pulumi: context.pulumi.command,
          parallel: parallelOf(flags.parallel),
        });
        if (flags.html) {
          const file = writeStatusPage(flags.html, rows, {
            generatedAt: new Date(),
            backend: backendOf(root).display,
          });
          console.log(`Wrote the status page of ${rows.length} customers to ${file}`);
        } else if (flags.json) {
          console.log(JSON.stringify(rows, null, 2));
        } else {
          console.log(
            formatTable(
              ["customer", "subaccount", "SIP URI", "stage", "last update", "drift", "resources"],
              rows.map((r) => [
                r.customer,
                r.subaccountSid ?? "",
                r.sipUris.join(" "),
                r.stage,
                r.lastUpdate
                  ? `${r.lastUpdate.kind} ${r.lastUpdate.result} ${r.lastUpdate.time}`
                  : "",
                r.drifted === undefined ? "not checked" : r.drifted ? "yes" : "no",
                r.resourceCount,
              ]),
            ),
          );
          for (const r of rows.filter((row) => row.error)) {
            console.log(`${r.customer}: ${r.error}`);
          }
        }
      } finally {
        context.pulumi.close();
      }
      return 0;
    }
    default: {
      const operation = command as Operation;
      if (flags.all && names.length > 0) {
        throw new UsageError("give customers by name or --all, not both");
      }
      if (!flags.all && names.length === 0) {
        throw new UsageError(`name the customers to ${operation}, or --all for every customer`);
      }
      if (flags.remove && operation !== "destroy") {
        throw new UsageError("--remove goes with destroy only");
      }
      if (operation === "destroy" && flags.all) {
        throw new UsageError("destroy takes customers by name only, never --all");
      }
      if (flags.shard !== undefined && operation === "destroy") {
        throw new UsageError("destroy takes customers by name only, never --shard");
      }
      const chosen = selectStacks(stacks, flags.all ? { all: true } : { names });
      const selected =
        flags.shard === undefined ? chosen : shardOf(chosen, shardArgument(flags.shard));
      if (operation === "destroy" && !flags.yes && !(await confirmDestroy(selected))) {
        console.error("Nothing destroyed.");
        return 1;
      }
      const parallel = parallelOf(flags.parallel);
      const context = await operatorContext(root);
      const abort = new AbortController();
      const cancelRunning = new AbortController();
      let interrupts = 0;
      const onInterrupt = () => {
        interrupts += 1;
        if (interrupts > 1) {
          console.error(
            "Second Ctrl-C: leaving now; the running pulumi processes finish their cancel on their own.",
          );
          process.exit(130);
        }
        console.error(
          "\nCtrl-C: cancelling. Running updates are cancelled by the engine (in-flight Twilio calls finish, the state is saved, the lock released); no new customer starts. Ctrl-C again quits at once.",
        );
        abort.abort();
        // In a session of their own the pulumi processes heard nothing: forward the one SIGINT.
        // Otherwise a terminal's Ctrl-C reached them already (and a second one would kill them).
        if (context.pulumi.ownSession || !process.stdin.isTTY) cancelRunning.abort();
      };
      process.on("SIGINT", onInterrupt);
      process.on("SIGTERM", onInterrupt);
      try {
        const report = await runCustomers({
          operation,
          customers: selected.map((s) => s.name),
          root,
          env: context.env,
          pulumi: context.pulumi.command,
          parallel,
          signal: abort.signal,
          remove: flags.remove === true,
          cancelRunning: cancelRunning.signal,
          logDir: newLogDir(operation),
          onEvent: progressPrinter(flags.json ? process.stderr : process.stdout),
        });
        console.log(flags.json ? reportJson(report) : `\n${reportTable(report)}`);
        return report.cancelled ? 130 : exitCodeOf(report);
      } finally {
        context.pulumi.close();
        process.off("SIGINT", onInterrupt);
        process.off("SIGTERM", onInterrupt);
      }
    }
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error((error as Error).message);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
