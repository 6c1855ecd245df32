// `tenants new <customer> --subaccount AC…`: the customer's stack file from a template, checked
// offline by the same rules as `npm run validate` (devkit/stackCheck.ts) before it is written, so
// a file that would fail its first preview is never added.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { ACCOUNT_SID, accountSidProblem } from "../../model/twilio";
import { checkStackFile } from "../stackCheck";
import { loadProjectDefaults, parseStackFile } from "../stackFile";
import { SUBACCOUNT_SID_KEY } from "./customers";

/** A customer's name is its stack's name: what Pulumi accepts, kept to what reads well in a URL. */
const CUSTOMER_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface NewCustomer {
  customer: string;
  subaccountSid: string;
  /** Values for the template's {{placeholders}} and extra keys (`--config key=value`). */
  config: Record<string, string>;
  /** A stack file whose `config:` is the template; {{customer}} and {{subaccountSid}} are filled in. */
  template?: string;
}

/** The template used without --template: every customer the same but for its name and subaccount. */
export const DEFAULT_TEMPLATE = `# Customer {{customer}}: its LINE Call connection in Twilio subaccount {{subaccountSid}}, managed
# with the operator's (parent account's) credentials (docs/tenants.md). Written by
# \`npm run tenants -- new\`; review it in a pull request like any stack file.
config:
  ${SUBACCOUNT_SID_KEY}: "{{subaccountSid}}"
  line-call:sipDomainName: {{customer}}-line.sip.twilio.com
  line-call:lineConnected: "false"
`;

export interface NewCustomerResult {
  file: string;
  errors: string[];
  notes: string[];
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** The stack file's text, or the problems with the request (nothing is written then). */
export function customerStackFile(
  root: string,
  request: NewCustomer,
  env: NodeJS.ProcessEnv = process.env,
): { text?: string; file: string; errors: string[]; notes: string[] } {
  const file = path.join(root, `Pulumi.${request.customer}.yaml`);
  const errors: string[] = [];
  if (!CUSTOMER_NAME.test(request.customer)) {
    errors.push(
      `customer name "${request.customer}": use lower-case letters, digits and "-" (at most 63), e.g. acme-dental`,
    );
  }
  const sidProblem = ACCOUNT_SID.test(request.subaccountSid)
    ? undefined
    : (accountSidProblem(request.subaccountSid) ?? "is not an account SID");
  if (sidProblem) errors.push(`--subaccount ${sidProblem}`);
  if (existsSync(file)) errors.push(`${path.basename(file)} exists already: edit it instead`);
  if (errors.length > 0) return { file, errors, notes: [] };

  const template =
    request.template === undefined ? DEFAULT_TEMPLATE : readFileSync(request.template, "utf8");
  const text = fill(template, {
    ...request.config,
    customer: request.customer,
    subaccountSid: request.subaccountSid,
  });
  const document = YAML.parseDocument(text);
  for (const [key, value] of Object.entries(request.config)) {
    if (template.includes(`{{${key}}}`)) continue;
    document.setIn(["config", key.includes(":") ? key : `line-call:${key}`], value);
  }
  const written = document.toString();
  const parsed = parseStackFile(written, path.basename(file));
  const unfilled = written.match(/\{\{\w+\}\}/g);
  if (unfilled) {
    errors.push(
      `the template needs ${[...new Set(unfilled)].join(", ")}: give each with --config name=value`,
    );
  }
  const check = checkStackFile(
    request.customer,
    parsed,
    loadProjectDefaults(root),
    env,
    env.PULUMI_CONFIG_PASSPHRASE,
  );
  errors.push(...check.errors);
  return { text: written, file, errors, notes: check.notes };
}

/** Writes the customer's stack file when it passes the offline check. */
export function writeCustomerStackFile(
  root: string,
  request: NewCustomer,
  env: NodeJS.ProcessEnv = process.env,
): NewCustomerResult {
  const { text, file, errors, notes } = customerStackFile(root, request, env);
  if (errors.length === 0 && text !== undefined) writeFileSync(file, text);
  return { file, errors, notes };
}
