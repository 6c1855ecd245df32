/**
 * Test harness: the webhook served over real HTTP by the local HTTP API adapter, requests signed
 * by the twilio package, and TwiML parsed back with a real XML parser.
 */
import { DOMParser, type Element } from "@xmldom/xmldom";
import { afterEach, expect } from "vitest";
import type { Env } from "../../lambda/config";
import { createHandler, type HandlerOptions, type WebhookHandler } from "../../lambda/handler";
import { type LocalWebhook, startLocalWebhook } from "../../lambda/localAdapter";
import {
  type PostResult,
  postSignedTwilioForm,
  type SignedPost,
  sampleLineCall,
  type TwilioParams,
} from "../../model/twilioRequest";

export const AUTH_TOKEN = "0123456789abcdef0123456789abcdef";

export const NUMBER_TARGET_ENV: Env = {
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  FORWARD_TO: "+81312345678",
  CALLER_ID: "+815012345678",
  GREETING: "お電話ありがとうございます。担当者におつなぎします。",
  DIAL_TIMEOUT: "25",
};

export interface RunningWebhook {
  webhook: LocalWebhook;
  /** Every JSON log line the handler wrote, parsed. */
  logs: () => Record<string, unknown>[];
  /** The raw log text, to prove secrets never reach it. */
  rawLog: () => string;
  /** Post a Twilio-signed form to `route` (signed for `${publicBaseUrl}${route}` unless overridden). */
  post: (
    route: string,
    params?: TwilioParams,
    overrides?: Partial<SignedPost>,
  ) => Promise<PostResult>;
  /** The log lines for Twilio requests (one per request). */
  requestLogs: () => Record<string, unknown>[];
  close: () => Promise<void>;
}

/** A handler of a given build (the bundle's), or options for a fresh one (a clock, a reporter). */
export type HandlerChoice = WebhookHandler | Pick<HandlerOptions, "now" | "reportMissedCall">;

export async function startWebhook(env: Env, choice?: HandlerChoice): Promise<RunningWebhook> {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const handler =
    typeof choice === "function"
      ? choice
      : choice
        ? createHandler({ env, log, ...choice })
        : undefined;
  const webhook = await startLocalWebhook({ env, handler, log });
  const logs = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    webhook,
    logs,
    rawLog: () => lines.join("\n"),
    requestLogs: () => logs().filter((entry) => entry.msg === "twilio request"),
    post: (route, params = sampleLineCall(), overrides = {}) =>
      postSignedTwilioForm({
        postUrl: `${webhook.url}${route}`,
        signedUrl: `${webhook.publicBaseUrl}${route}`,
        authToken: AUTH_TOKEN,
        params,
        ...overrides,
      }),
    close: () => webhook.close(),
  };
}

/**
 * For a test file: returns `start(env)`, which serves a fresh webhook (closing the previous one)
 * and is cleaned up after each test.
 */
export function webhookPerTest(): (env?: Env, handler?: HandlerChoice) => Promise<RunningWebhook> {
  let running: RunningWebhook | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  return async (env = NUMBER_TARGET_ENV, handler) => {
    await running?.close();
    running = await startWebhook(env, handler);
    return running;
  };
}

/** Parses TwiML strictly (any XML error fails the test) and returns the <Response> element. */
export function parseTwiml(result: PostResult): Element {
  expect(result.status).toBe(200);
  expect(result.contentType).toMatch(/^text\/xml\b/);
  const document = new DOMParser({
    onError: (level, message) => {
      throw new Error(`TwiML is not well-formed XML (${level}): ${message}`);
    },
  }).parseFromString(result.body, "text/xml");
  const root = document.documentElement;
  if (!root) throw new Error("TwiML has no root element");
  expect(root.tagName).toBe("Response");
  return root;
}

/** Child elements as [tagName, attributes, text] for whole-structure assertions. */
export function describeChildren(element: Element): [string, Record<string, string>, string][] {
  const children: [string, Record<string, string>, string][] = [];
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== node.ELEMENT_NODE) continue;
    const child = node as Element;
    const attributes: Record<string, string> = {};
    for (let i = 0; i < child.attributes.length; i++) {
      const attribute = child.attributes.item(i);
      if (attribute) attributes[attribute.name] = attribute.value;
    }
    children.push([child.tagName, attributes, child.textContent ?? ""]);
  }
  return children;
}

export function onlyChild(element: Element, tagName: string): Element {
  const matches = Array.from(element.getElementsByTagName(tagName));
  expect(matches).toHaveLength(1);
  return matches[0] as Element;
}
