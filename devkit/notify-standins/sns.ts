/**
 * A local stand-in for SNS Publish, speaking the service's wire protocol (the AWS Query protocol:
 * a SigV4-signed form post of Action=Publish, answered in XML). The real AWS SDK v3 SNS client is
 * pointed at it with AWS_ENDPOINT_URL_SNS, so tests exercise the call the function makes. It
 * applies SNS's documented rules to what it gets (a known topic; a subject of ASCII printable
 * characters on one line, under 100; a message of 1 byte to 256 KiB) and answers a breach as SNS
 * does, with an ErrorResponse.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { type Fault, readText, type StandinServer, serve, sleep } from "./http";

export interface PublishedMessage {
  topicArn: string;
  subject: string | undefined;
  message: string;
  /** The SigV4 credential scope, e.g. AKID/20261205/ap-northeast-1/sns/aws4_request. */
  credentialScope: string;
}

export interface SnsStandin extends StandinServer {
  published: PublishedMessage[];
  /** Requests refused, each as "Code: message" (tests expect none unless provoking one). */
  refused: string[];
  /** Applies to every following request until set back to undefined. */
  fault: Fault | undefined;
}

/** SNS: "Subjects must be ASCII text that begins with a letter, number, or punctuation mark … less than 100 characters". */
const SNS_SUBJECT = /^[\x21-\x7e][\x20-\x7e]{0,98}$/;
const SNS_MAX_MESSAGE_BYTES = 256 * 1024;

const xmlEscape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function errorXml(response: ServerResponse, status: number, code: string, message: string) {
  response.writeHead(status, { "content-type": "text/xml" });
  response.end(
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>` +
      `<Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>` +
      `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

export async function startSnsStandin(topicArns: string[]): Promise<SnsStandin> {
  const topics = new Set(topicArns);
  const state = { published: [] as PublishedMessage[], refused: [] as string[] };
  let fault: Fault | undefined;
  const server = await serve(async (request, response) => {
    const form = new URLSearchParams(await readText(request));
    if (fault?.delayMs) await sleep(fault.delayMs);
    const refuse = (status: number, code: string, message: string) => {
      state.refused.push(`${code}: ${message}`);
      errorXml(response, status, code, message);
    };
    if (fault?.status) return refuse(fault.status, "InternalError", "stand-in fault");
    const scope = /^AWS4-HMAC-SHA256 Credential=([^,]+),/.exec(
      request.headers.authorization ?? "",
    )?.[1];
    if (request.method !== "POST" || !scope || !scope.endsWith("/sns/aws4_request")) {
      return refuse(403, "MissingAuthenticationToken", "not a SigV4-signed SNS request");
    }
    if (form.get("Action") !== "Publish" || form.get("Version") !== "2010-03-31") {
      return refuse(400, "InvalidAction", `${form.get("Action")} ${form.get("Version")}`);
    }
    const topicArn = form.get("TopicArn") ?? "";
    if (!topics.has(topicArn)) return refuse(404, "NotFound", "Topic does not exist");
    const subject = form.get("Subject") ?? undefined;
    if (subject !== undefined && !SNS_SUBJECT.test(subject)) {
      return refuse(400, "InvalidParameter", "Invalid parameter: Subject");
    }
    const message = form.get("Message") ?? "";
    const bytes = Buffer.byteLength(message, "utf8");
    if (bytes === 0 || bytes > SNS_MAX_MESSAGE_BYTES) {
      return refuse(400, "InvalidParameter", "Invalid parameter: Message too long or empty");
    }
    state.published.push({ topicArn, subject, message, credentialScope: scope });
    response.writeHead(200, { "content-type": "text/xml" });
    response.end(
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>` +
        `<MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata>` +
        `<RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  });
  return {
    ...server,
    ...state,
    get fault() {
      return fault;
    },
    set fault(value) {
      fault = value;
    },
  };
}
