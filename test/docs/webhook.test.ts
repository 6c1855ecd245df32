// docs/webhook.md and its translation docs/ja/webhook.md against the webhook's own contract: the
// routes table lists exactly ROUTES (lambda/contract.ts, which the stack serves and points Twilio
// at), and each page names, as inline code, every environment variable the webhook reads (the call
// settings' in model/callSettings.ts, WEBHOOK_ENV, NOTIFY_ENV). A route or variable added to the
// code and not to both pages fails.
import { describe, expect, it } from "vitest";
import { ROUTES, WEBHOOK_ENV } from "../../lambda/contract";
import { NOTIFY_ENV } from "../../lambda/notify/settings";
import { CALL_SETTINGS } from "../../model/callSettings";
import { firstColumnProblems, type TablePage, tablePage, tampered } from "./markdown";

const CONTRACT_ROUTES: readonly string[] = Object.values(ROUTES).map((route) => `POST ${route}`);
const WEBHOOK_VARIABLES: readonly string[] = [
  ...Object.values(CALL_SETTINGS).map((setting) => setting.env),
  ...Object.values(WEBHOOK_ENV),
  ...Object.values(NOTIFY_ENV),
];

const PAGES: readonly TablePage[] = [
  tablePage("docs/webhook.md", "## Routes"),
  tablePage("docs/ja/webhook.md", "## ルート"),
];

/** Every difference between a page's routes table and the contract's routes. */
function routesTableProblems(doc: TablePage, routes: readonly string[] = CONTRACT_ROUTES) {
  return firstColumnProblems(doc, routes, "the contract");
}

describe.each(PAGES)("$file's routes table", (doc) => {
  it("lists exactly the contract's routes", () => {
    expect(routesTableProblems(doc)).toEqual([]);
  });

  it("fails on a route the contract gains, and on a row the contract has not", () => {
    expect(routesTableProblems(doc, [...CONTRACT_ROUTES, "POST /sms"])).toEqual([
      `the contract's POST /sms is not in ${doc.file}`,
    ]);
    const renamed = { ...doc, text: tampered(doc.text, "| `POST /status`", "| `POST /statuses`") };
    expect(routesTableProblems(renamed)).toEqual([
      `the contract's POST /status is not in ${doc.file}`,
      `${doc.file} lists POST /statuses, which the contract has not`,
    ]);
  });
});

/** The webhook's variables a page does not name as inline code. */
function undocumentedVariables(doc: TablePage, variables: readonly string[] = WEBHOOK_VARIABLES) {
  return variables
    .filter((name) => !doc.text.includes(`\`${name}\``))
    .map((name) => `${doc.file} does not name the webhook's variable ${name}`);
}

describe.each(PAGES)("$file's environment variables", (doc) => {
  it("name every variable the webhook reads", () => {
    expect(WEBHOOK_VARIABLES).toEqual(expect.arrayContaining(["FORWARD_TO", "PUBLIC_BASE_URL"]));
    expect(undocumentedVariables(doc)).toEqual([]);
  });

  it("fail on a variable the code gains", () => {
    expect(undocumentedVariables(doc, [...WEBHOOK_VARIABLES, "FAREWELL"])).toEqual([
      `${doc.file} does not name the webhook's variable FAREWELL`,
    ]);
  });
});
