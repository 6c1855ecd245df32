/**
 * What the webhook refuses, over real HTTP: anything Twilio did not sign for this URL (403, no
 * TwiML), unknown routes and methods (404/405), malformed or oversized bodies (400/413). Never a
 * 5xx for bad input.
 */

import { describe, expect, it } from "vitest";
import { ROUTES } from "../../lambda/contract";
import { MAX_FORM_BYTES } from "../../lambda/form";
import { sampleLineCall, twilioSignature } from "../../model/twilioRequest";
import {
  AUTH_TOKEN,
  NUMBER_TARGET_ENV,
  parseTwiml,
  type RunningWebhook,
  webhookPerTest,
} from "./harness";

const start = webhookPerTest();

function expectForbidden(result: { status: number; contentType: string; body: string }) {
  expect(result.status).toBe(403);
  expect(result.contentType).toMatch(/^text\/plain\b/);
  expect(result.body).not.toContain("<Response");
}

describe("requests Twilio did not sign", () => {
  // Every route of the contract: a new one is covered the day it is added.
  const routes = Object.values(ROUTES);

  it.each(routes)(
    "%s: a signature made with another auth token is refused with 403",
    async (route) => {
      const w = await start();
      expectForbidden(await w.post(route, sampleLineCall(), { authToken: "f".repeat(32) }));
      expect(w.requestLogs()[0]).toMatchObject({ status: 403, decision: "rejected-signature" });
    },
  );

  it.each(routes)("%s: a missing X-Twilio-Signature is refused with 403", async (route) => {
    const w = await start();
    expectForbidden(await w.post(route, sampleLineCall(), { signature: null }));
    expect(w.requestLogs()[0]).toMatchObject({ signaturePresent: false });
  });

  it("a signature for another URL is refused", async () => {
    const w = await start();
    expectForbidden(
      await w.post("/voice", sampleLineCall(), { signedUrl: "https://attacker.example/voice" }),
    );
    // The same request signed for another route of this webhook is not valid here either.
    expectForbidden(
      await w.post("/voice", sampleLineCall(), {
        signedUrl: `${w.webhook.publicBaseUrl}/fallback`,
      }),
    );
  });

  it("a tampered parameter invalidates the signature", async () => {
    const w = await start();
    const signed = sampleLineCall();
    const tampered = new URLSearchParams({ ...signed, From: "sip:attacker@198.51.100.7" });
    expectForbidden(await w.post("/voice", signed, { body: tampered.toString() }));
    const added = new URLSearchParams({ ...signed, Extra: "1" });
    expectForbidden(await w.post("/voice", signed, { body: added.toString() }));
  });

  it("a garbage signature header is refused, not a crash", async () => {
    const w = await start();
    expectForbidden(await w.post("/voice", sampleLineCall(), { signature: "not-base64!!" }));
  });
});

describe("PUBLIC_BASE_URL (custom domains)", () => {
  it("checks signatures against PUBLIC_BASE_URL instead of the API's own domain", async () => {
    const w = await start({ ...NUMBER_TARGET_ENV, PUBLIC_BASE_URL: "https://calls.example.com/" });
    expect(w.webhook.publicBaseUrl).toBe("https://calls.example.com");
    const dial = parseTwiml(
      await w.post("/voice", sampleLineCall(), { signedUrl: "https://calls.example.com/voice" }),
    ).getElementsByTagName("Dial")[0];
    expect(dial?.getAttribute("action")).toBe("https://calls.example.com/voice/after-dial");

    const ownDomain = w.webhook.url.replace("http://", "https://");
    expectForbidden(await w.post("/voice", sampleLineCall(), { signedUrl: `${ownDomain}/voice` }));
  });

  it("accepts a base path that the custom domain's API mapping keeps in the request path", async () => {
    const w = await start({
      ...NUMBER_TARGET_ENV,
      PUBLIC_BASE_URL: "https://calls.example.com/line",
    });
    const result = await w.post("/line/voice", sampleLineCall(), {
      signedUrl: "https://calls.example.com/line/voice",
    });
    const dial = parseTwiml(result).getElementsByTagName("Dial")[0];
    expect(dial?.getAttribute("action")).toBe("https://calls.example.com/line/voice/after-dial");
  });
});

describe("routes and methods", () => {
  it("answers 404 for an unknown path, signed or not", async () => {
    const w = await start();
    for (const route of ["/", "/voice/", "/voices", "/voice/after-dial/x"]) {
      const result = await w.post(route);
      expect(result.status, route).toBe(404);
      expect(result.body).not.toContain("<Response");
    }
  });

  it("answers 405 with Allow: POST for other methods on a webhook route", async () => {
    const w = await start();
    for (const method of ["GET", "PUT", "DELETE"]) {
      const response = await fetch(`${w.webhook.url}/voice`, { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
    }
  });
});

describe("malformed and oversized bodies", () => {
  async function postRaw(w: RunningWebhook, body: string | Uint8Array, contentType: string) {
    const url = `${w.webhook.publicBaseUrl}/voice`;
    return fetch(`${w.webhook.url}/voice`, {
      method: "POST",
      headers: {
        "content-type": contentType,
        "x-twilio-signature": twilioSignature(AUTH_TOKEN, url, {}),
      },
      body,
    });
  }

  const malformed: [string, string | Uint8Array, string][] = [
    ["an empty body", "", "application/x-www-form-urlencoded"],
    ["JSON", JSON.stringify(sampleLineCall()), "application/json"],
    ["a broken percent-escape", "CallSid=CA1&From=%E3%8", "application/x-www-form-urlencoded"],
    ["percent-escapes that are not UTF-8", "From=%FF%FE", "application/x-www-form-urlencoded"],
    ["a parameter without a name", "=value&CallSid=CA1", "application/x-www-form-urlencoded"],
    ["a non-UTF-8 charset", "CallSid=CA1", "application/x-www-form-urlencoded; charset=shift_jis"],
    [
      "bytes that are not UTF-8",
      new Uint8Array([0x46, 0x3d, 0xff]),
      "application/x-www-form-urlencoded",
    ],
    ["a binary body", new Uint8Array([1, 2, 3]), "application/octet-stream"],
  ];
  it.each(malformed)("answers 400 to %s", async (_name, body, contentType) => {
    const w = await start();
    const response = await postRaw(w, body, contentType);
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain("<Response");
    expect(w.requestLogs()[0]).toMatchObject({ decision: "rejected-body" });
  });

  it("answers 413 to a body over the form limit", async () => {
    const w = await start();
    const params = sampleLineCall({ Padding: "x".repeat(MAX_FORM_BYTES) });
    const result = await w.post("/voice", params);
    expect(result.status).toBe(413);
    expect(result.body).not.toContain("<Response");
  });

  it("accepts a large but plausible Twilio form just under the limit", async () => {
    const w = await start();
    const params = sampleLineCall({ SipHeader_X_Padding: "x".repeat(MAX_FORM_BYTES - 2000) });
    expect((await w.post("/voice", params)).status).toBe(200);
  });
});

describe("never a 5xx for bad input", () => {
  it("answers every one of 150 random requests with a 4xx", async () => {
    const w = await start();
    // A small deterministic generator, so a failure reproduces.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const paths = ["/voice", "/voice/after-dial", "/fallback", "/status", "/voice?x=%zz", "/%00"];
    const types = ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data", ""];
    for (let i = 0; i < 150; i++) {
      const bytes = new Uint8Array(Math.floor(random() * 300)).map(() =>
        Math.floor(random() * 256),
      );
      const path = pick(paths);
      const response = await fetch(`${w.webhook.url}${path}`, {
        method: "POST",
        headers: {
          "content-type": pick(types),
          ...(random() < 0.5
            ? { "x-twilio-signature": Buffer.from(bytes.slice(0, 20)).toString("base64") }
            : {}),
        },
        body: bytes,
      });
      expect(response.status, `request ${i} to ${path}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `request ${i} to ${path}`).toBeLessThan(500);
    }
  });
});
