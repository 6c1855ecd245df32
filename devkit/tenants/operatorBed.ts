// An operator's desk for the tests and the bench: a copy of the project with customer stack files,
// the Twilio stand-in with a subaccount and a webhook per customer, a backend (a file backend in the temporary
// folder unless given, e.g. PostgreSQL from devkit/postgres.ts), and `tenants(args)` running the
// real `npm run tenants` command (scripts/tenants.ts) in the copy, as an operator would.
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { type LocalWebhook, startLocalWebhook } from "../../lambda/localAdapter";
import { callSettingsEnvironment } from "../../model/callSettings";
import {
  type CliResult,
  copyProject,
  ENGINE_PASSPHRASE,
  killProcessesIn,
  startCollecting,
} from "../engine/cliStack";
import { localStackConfig } from "../localStack";
import { startTwilioStandin, type TwilioStandin } from "../twilio-standin/server";

export type OperatorRun = CliResult;

export interface OperatorBed {
  dir: string;
  project: string;
  standin: TwilioStandin;
  /** A local webhook checking signatures with `authToken` (a subaccount's), closed with the bed. */
  startWebhook(authToken: string): Promise<LocalWebhook>;
  /** The environment the operator's shell has (backend, passphrase, parent credentials). */
  env: Record<string, string>;
  /**
   * For each customer: a stand-in subaccount, a webhook checking that subaccount's signatures, and
   * Pulumi.<customer>.yaml naming both.
   */
  addCustomers(customers: string[]): Promise<void>;
  /** The subaccount a customer of addCustomers lives in. */
  subaccountOf(customer: string): string;
  /** Starts `npm run tenants -- <args>` in the project copy. */
  start(args: string[]): { child: ChildProcess; done: Promise<OperatorRun> };
  tenants(args: string[]): Promise<OperatorRun>;
  close(): Promise<void>;
}

export interface OperatorBedOptions {
  /** PULUMI_BACKEND_URL; a file backend in the bed's folder when omitted. */
  backendUrl?: string;
  /** Latency of every stand-in answer (the bench's 100 ms). */
  latencyMs?: number;
}

/** The two LINE addresses every customer of the bed declares (documentation addresses). */
export const BED_LINE_IPS = ["203.0.113.10", "203.0.113.11"];

export async function startOperatorBed(options: OperatorBedOptions = {}): Promise<OperatorBed> {
  const dir = mkdtempSync(path.join(tmpdir(), "line-call-tenants-"));
  const { config, values, authToken } = localStackConfig();
  const standin = await startTwilioStandin({
    port: 0,
    accountSid: values["twilio:accountSid"],
    authToken,
    ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}),
  });
  // Twilio signs a subaccount's calls with the subaccount's token: each customer's webhook checks
  // its own (the shared webhook's per-customer choice, issue 18, is tested on its own).
  const webhooks: LocalWebhook[] = [];
  const startWebhook = async (token: string) => {
    const webhookEnv: Record<string, string> = {
      ...callSettingsEnvironment(config.call),
      TWILIO_AUTH_TOKEN: token,
    };
    const webhook = await startLocalWebhook({ port: 0, env: webhookEnv, log: () => {} });
    webhookEnv.PUBLIC_BASE_URL = webhook.url;
    webhooks.push(webhook);
    return webhook;
  };
  const project = copyProject(dir);
  mkdirSync(path.join(dir, "state"));

  const env: Record<string, string> = {
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_BACKEND_URL: options.backendUrl ?? `file://${path.join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: ENGINE_PASSPHRASE,
    // The operator's parent credentials, from the environment as on CI (never in a stack file).
    TWILIO_ACCOUNT_SID: standin.accountSid,
    TWILIO_AUTH_TOKEN: standin.authToken,
    NO_COLOR: "1",
  };
  const subaccounts = new Map<string, string>();
  const customerConfig = (
    customer: string,
    subaccountSid: string,
    webhookUrl: string,
  ): Record<string, unknown> => ({
    "line-call:subaccountSid": subaccountSid,
    "twilio:apiBaseUrl": standin.url,
    "line-call:webhookBaseUrl": webhookUrl,
    "line-call:sipDomainName": `${customer}-line.sip.twilio.com`,
    "line-call:lineConnected": "false",
    "line-call:forwardTo": "+81312345678",
    "line-call:callerId": "+815012345678",
    "line-call:lineIpAddresses": BED_LINE_IPS.map((ip, i) => ({ ip, label: `LINE SIP ${i + 1}` })),
  });

  const start = (args: string[]) =>
    startCollecting(
      process.execPath,
      [path.join(project, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/tenants.ts", ...args],
      project,
      env,
    );

  return {
    dir,
    project,
    standin,
    env,
    addCustomers: async (customers) => {
      for (const customer of customers) {
        // Each customer in a subaccount of its own, made as the operator would in Twilio.
        const subaccount = standin.createSubaccount({ friendlyName: `line-call ${customer}` });
        subaccounts.set(customer, subaccount.sid);
        const webhook = await startWebhook(subaccount.authToken);
        writeFileSync(
          path.join(project, `Pulumi.${customer}.yaml`),
          YAML.stringify({ config: customerConfig(customer, subaccount.sid, webhook.url) }),
        );
      }
    },
    startWebhook,
    subaccountOf: (customer) => {
      const sid = subaccounts.get(customer);
      if (!sid) throw new Error(`${customer} is not a customer of this bed`);
      return sid;
    },
    start,
    tenants: (args) => start(args).done,
    close: async () => {
      killProcessesIn(dir);
      await Promise.allSettled([...webhooks.map((w) => w.close()), standin.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
