/**
 * A local stand-in for a Slack incoming webhook: POST a JSON body with a non-empty `text` to the
 * webhook's secret path and get `ok`, as Slack answers; anything else gets Slack's error answers
 * (`invalid_payload`, `no_text`, 404 `no_service` for a wrong path).
 */
import { randomBytes } from "node:crypto";
import { type Fault, readText, type StandinServer, serve, sleep } from "./http";

export interface SlackStandin extends StandinServer {
  /** The incoming-webhook URL to configure: the stand-in's address plus a secret path. */
  webhookUrl: string;
  /** The `text` of every message accepted. */
  messages: string[];
  fault: Fault | undefined;
}

export async function startSlackStandin(): Promise<SlackStandin> {
  // Shaped like Slack's: /services/T…/B…/<24 secret characters>.
  const secretPath = `/services/T0LINECALL/B0NOTIFY/${randomBytes(12).toString("hex")}`;
  const messages: string[] = [];
  let fault: Fault | undefined;
  const server = await serve(async (request, response) => {
    const body = await readText(request);
    if (fault?.delayMs) await sleep(fault.delayMs);
    const answer = (status: number, text: string) => {
      response.writeHead(status, { "content-type": "text/html" });
      response.end(text);
    };
    if (fault?.status) return answer(fault.status, "stand-in fault");
    if (request.method !== "POST" || request.url !== secretPath) return answer(404, "no_service");
    if (!/^application\/json\b/.test(request.headers["content-type"] ?? "")) {
      return answer(400, "invalid_payload");
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return answer(400, "invalid_payload");
    }
    const text = (payload as { text?: unknown }).text;
    if (typeof text !== "string" || text.trim() === "") return answer(400, "no_text");
    messages.push(text);
    answer(200, "ok");
  });
  return {
    ...server,
    webhookUrl: `${server.url}${secretPath}`,
    messages,
    get fault() {
      return fault;
    },
    set fault(value) {
      fault = value;
    },
  };
}
