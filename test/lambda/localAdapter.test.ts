/** The local adapter builds the event an HTTP API (payload 2.0, `$default` stage) would. */
import { afterEach, describe, expect, it } from "vitest";
import type { WebhookEvent } from "../../lambda/handler";
import { type LocalWebhook, startLocalWebhook } from "../../lambda/localAdapter";

let webhook: LocalWebhook | undefined;
afterEach(async () => {
  await webhook?.close();
  webhook = undefined;
});

async function capture(): Promise<{ events: WebhookEvent[]; webhook: LocalWebhook }> {
  const events: WebhookEvent[] = [];
  webhook = await startLocalWebhook({
    env: {},
    handler: async (event) => {
      events.push(event);
      return {
        statusCode: 201,
        headers: { "content-type": "text/xml", "x-answer": "yes" },
        cookies: ["a=1; Path=/"],
        body: "<Response/>",
      };
    },
  });
  return { events, webhook };
}

describe("startLocalWebhook", () => {
  it("passes a form post as a base64 body with lower-cased headers, raw path and query", async () => {
    const { events, webhook } = await capture();
    const response = await fetch(`${webhook.url}/voice/after-dial?b=2&a=1&a=3`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": "abc=",
        Cookie: "s=1; t=2",
      },
      body: "CallSid=CA1&From=%2B81",
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-answer")).toBe("yes");
    expect(response.headers.get("set-cookie")).toBe("a=1; Path=/");
    expect(await response.text()).toBe("<Response/>");

    const [event] = events;
    const host = webhook.url.replace("http://", "");
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/voice/after-dial",
      rawQueryString: "b=2&a=1&a=3",
      queryStringParameters: { a: "1,3", b: "2" },
      cookies: ["s=1", "t=2"],
      isBase64Encoded: true,
      body: Buffer.from("CallSid=CA1&From=%2B81").toString("base64"),
      requestContext: {
        domainName: host,
        stage: "$default",
        routeKey: "$default",
        http: { method: "POST", path: "/voice/after-dial", protocol: "HTTP/1.1" },
      },
    });
    expect(event?.headers).toMatchObject({
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": "abc=",
      host,
    });
    expect(webhook.publicBaseUrl).toBe(`https://${host}`);
  });

  it("passes text bodies as text and no body as none", async () => {
    const { events, webhook } = await capture();
    await fetch(`${webhook.url}/x`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    await fetch(`${webhook.url}/x`);
    expect(events[0]).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    expect(events[1]).toMatchObject({ isBase64Encoded: false });
    expect(events[1]?.body).toBeUndefined();
    expect(events[1]?.requestContext.http.method).toBe("GET");
  });

  it("listens on the port asked for, and close() frees it", async () => {
    const first = await startLocalWebhook({ env: {} });
    const port = Number(new URL(first.url).port);
    await first.close();
    webhook = await startLocalWebhook({ port, env: {} });
    expect(webhook.url).toBe(`http://127.0.0.1:${port}`);
  });
});
