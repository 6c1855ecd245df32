/**
 * The TwiML webhook for LINE calls: an AWS Lambda function behind an API Gateway HTTP API
 * (payload format 2.0, `$default` stage). Routes (all POST, all signed by Twilio):
 *
 *   /voice             the SIP domain's Request URL: inside BUSINESS_HOURS (or when unset) greet,
 *                      then forward to FORWARD_TO; outside, AFTER_HOURS_MESSAGE (then voicemail)
 *   /voice/after-dial  <Dial action>: say UNAVAILABLE_MESSAGE (then voicemail) when nobody answered
 *   /voice/after-record  <Record action>: the message ended with the caller on the line: hang up
 *   /voicemail/recording-status  <Record recordingStatusCallback>: a voicemail was recorded
 *   /fallback          the SIP domain's fallback URL: a fixed apology, then hang up
 *   /status            call status callbacks: validated and logged
 *
 * Each call not put through is reported as a missed call, and each voicemail once more
 * (missedCall.ts), from one place: `reportMissedCall` below.
 *
 * Answers: 404 unknown path, 405 wrong method, 400 malformed body, 413 oversized body, 403 bad or
 * missing signature (never TwiML). Broken configuration gives callers the apology, not silence.
 * With CUSTOMER_PARAMETER_PREFIX set (a platform stack) it serves many customers: the request's
 * AccountSid picks the token and the settings (./callers.ts, ./customers.ts).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { DEFAULT_TIME_ZONE, localTime, openingAt } from "../model/businessHours";
import type { CallSettings } from "../model/callSettings";
import { WEBHOOK_DECISION_HEADER } from "../model/twilioRequest";
import { type CallerOptions, type CallerSource, callerSource } from "./callers";
import type { Env } from "./config";
import { ROUTES, type RouteName } from "./contract";
import { type FormParams, headerValue, param, parseTwilioForm } from "./form";
import { type LogSink, stdoutSink, writeLog } from "./log";
import {
  isMissedCallReason,
  type MissedCall,
  type MissedCallReason,
  type MissedCallReporter,
} from "./missedCall";
import { createNotifier, type Notifier } from "./notify/notifier";
import { isSignedByTwilio, publicLocation, signedUrl } from "./signature";
import {
  afterHoursTwiml,
  apologyTwiml,
  forwardCallTwiml,
  hangupTwiml,
  unavailableTwiml,
  type VoicemailUrls,
} from "./twiml";
import { lineUserIdFrom } from "./uui";

export type WebhookEvent = APIGatewayProxyEventV2;
export type WebhookResult = APIGatewayProxyStructuredResultV2;
export type WebhookHandler = (event: WebhookEvent) => Promise<WebhookResult>;

/** Each route's name by its path. */
const ROUTE_BY_PATH = new Map<string, RouteName>(
  Object.entries(ROUTES).map(([name, path]) => [path, name as RouteName]),
);

/** Dial outcomes after which the caller hears UNAVAILABLE_MESSAGE: each is a missed call's reason. */
const UNANSWERED_DIAL_STATUSES = new Set<MissedCallReason>(["busy", "no-answer", "failed"]);

/** The query parameters of the recording status URL that carry the missed call to it. */
const RECORDING_QUERY = { reason: "reason", from: "from", lineUserId: "lineUserId" } as const;

export interface HandlerOptions extends CallerOptions {
  /** Settings source; defaults to process.env, read on the first request. */
  env?: Env;
  /** Where JSON log lines go; defaults to stdout. */
  log?: LogSink;
  /**
   * Read the settings and start fetching the auth token now rather than on the first request.
   * On Lambda this runs during the init phase (full CPU, before any caller waits), so the first
   * call does not also pay for the SSM round trip.
   */
  prefetch?: boolean;
  /** The clock business hours are judged by; defaults to the real one (tests, dev:webhook --at). */
  now?: () => Date;
  /**
   * Delivers each missed call (after it is logged). A rejection is logged and changes nothing
   * the caller hears. Absent: the channels the environment configures (lambda/notify: SNS,
   * Slack, the LINE follow-up), each bounded in time; with none, the log line is the only report.
   */
  reportMissedCall?: MissedCallReporter;
}

interface Reply {
  statusCode: number;
  decision: string;
  body?: string;
  contentType?: "text/xml" | "text/plain";
  headers?: Record<string, string>;
  /** Extra fields for the log line. */
  detail?: Record<string, unknown>;
  /** The parsed form, once there is one, for the log line's call fields. */
  params?: FormParams;
  /** A call not put through, or a voicemail left: reported once the answer is ready. */
  missedCall?: MissedCall;
}

function toResult(reply: Reply): WebhookResult {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body !== undefined) {
    headers["content-type"] = `${reply.contentType ?? "text/plain"}; charset=utf-8`;
  }
  if (reply.contentType === "text/xml") headers[WEBHOOK_DECISION_HEADER] = reply.decision;
  return { statusCode: reply.statusCode, headers, body: reply.body ?? "" };
}

function twiml(decision: string, body: string, detail?: Record<string, unknown>): Reply {
  return { statusCode: 200, decision, body, contentType: "text/xml", detail };
}

function plain(statusCode: number, decision: string, body: string): Reply {
  return { statusCode, decision, body, contentType: "text/plain" };
}

/** The call's identity for the log line; the same fields on every line, null when absent. */
function callFields(params: FormParams | undefined) {
  const lineUser = params ? lineUserIdFrom(params) : {};
  const field = (name: string) => (params && param(params, name)) ?? null;
  return {
    callSid: field("CallSid"),
    lineUserId: lineUser.lineUserId ?? null,
    ...(lineUser.source ? { lineUserIdSource: lineUser.source } : {}),
    ...(lineUser.problem ? { lineUserIdProblem: lineUser.problem } : {}),
    from: field("From"),
    to: field("To"),
    sipDomain: field("SipDomain"),
  };
}

/** What a signed request to one route is answered with. */
interface SignedRequest {
  params: FormParams;
  /** Absent when the settings are broken (the caller then hears the apology). */
  call: CallSettings | undefined;
  /** The webhook's public base URL, for the URLs the TwiML points back at. */
  base: string;
  /** The request's query string, as received (the recording status URL carries the call in it). */
  query: URLSearchParams;
  /** When the request is answered. */
  now: Date;
}

/** The missed-call event of this request's call, as of now. */
function missedCall(
  request: SignedRequest,
  call: CallSettings,
  fields: Pick<MissedCall, "kind" | "reason" | "lineUserId" | "from" | "voicemail">,
): MissedCall {
  const timeZone = call.businessHours?.timeZone ?? DEFAULT_TIME_ZONE;
  return {
    kind: fields.kind,
    reason: fields.reason,
    at: localTime(request.now, timeZone).iso,
    timeZone,
    callSid: param(request.params, "CallSid") ?? null,
    lineUserId: fields.lineUserId,
    from: fields.from,
    voicemailOffered: call.voicemail,
    ...(fields.voicemail ? { voicemail: fields.voicemail } : {}),
  };
}

/**
 * The caller was not put through: the missed call, and with voicemail on the URLs the recording
 * reports to (the recording status URL carrying the call, since Twilio's recording callback does not).
 */
function notPutThrough(request: SignedRequest, call: CallSettings, reason: MissedCallReason) {
  const lineUserId = lineUserIdFrom(request.params).lineUserId ?? null;
  const from = param(request.params, "From") ?? null;
  const query = new URLSearchParams({ [RECORDING_QUERY.reason]: reason });
  if (from !== null) query.set(RECORDING_QUERY.from, from);
  if (lineUserId !== null) query.set(RECORDING_QUERY.lineUserId, lineUserId);
  const voicemail: VoicemailUrls | undefined = call.voicemail
    ? {
        afterRecordUrl: `${request.base}${ROUTES.afterRecord}`,
        recordingStatusUrl: `${request.base}${ROUTES.recordingStatus}?${query}`,
      }
    : undefined;
  return {
    voicemail,
    missedCall: missedCall(request, call, { kind: "missed-call", reason, lineUserId, from }),
  };
}

/**
 * The answer of every route, one entry per ROUTES name: a route added to the contract without an
 * answer here fails the type check instead of being answered like another route.
 */
const ANSWERS: { [Route in RouteName]: (request: SignedRequest) => Reply } = {
  voice: (request) => {
    const { params, call, base, now } = request;
    if (!call) return twiml("config-error-apology", apologyTwiml());
    const opening = call.businessHours ? openingAt(call.businessHours, now) : undefined;
    if (opening && !opening.open) {
      const { voicemail, missedCall } = notPutThrough(request, call, "after-hours");
      return {
        ...twiml(
          voicemail ? "after-hours-voicemail" : "after-hours-message",
          afterHoursTwiml(call, voicemail),
          { closedBecause: opening.closedBecause, localTime: opening.local.iso },
        ),
        missedCall,
      };
    }
    const { lineUserId } = lineUserIdFrom(params);
    return twiml(
      `forward-${call.forwardTo.kind}`,
      forwardCallTwiml(call, lineUserId, `${base}${ROUTES.afterDial}`),
    );
  },
  afterDial: (request) => {
    const { params, call } = request;
    if (!call) return twiml("config-error-apology", apologyTwiml());
    const dialCallStatus = param(params, "DialCallStatus");
    if (isMissedCallReason(dialCallStatus) && UNANSWERED_DIAL_STATUSES.has(dialCallStatus)) {
      const { voicemail, missedCall } = notPutThrough(request, call, dialCallStatus);
      return {
        ...twiml(
          voicemail ? "unavailable-voicemail" : "unavailable-message",
          unavailableTwiml(call, voicemail),
          { dialCallStatus },
        ),
        missedCall,
      };
    }
    // Answered and finished, or the caller hung up (canceled): nothing more to say.
    return twiml("hangup", hangupTwiml(), { dialCallStatus });
  },
  afterRecord: ({ params }) =>
    // The caller stayed on the line past the message (silence, a key, or maxLength): goodbye.
    twiml("voicemail-ended", hangupTwiml(), {
      recordingDuration: param(params, "RecordingDuration"),
    }),
  recordingStatus: (request) => {
    const { params, call, query } = request;
    const recordingStatus = param(params, "RecordingStatus");
    const recordingSid = param(params, "RecordingSid");
    const reason = query.get(RECORDING_QUERY.reason) ?? undefined;
    const detail = {
      recordingStatus,
      recordingSid,
      recordingDuration: param(params, "RecordingDuration"),
    };
    if (recordingStatus !== "completed" || !recordingSid) {
      // "absent": the caller hung up or said nothing; the missed call was reported already.
      return { statusCode: 204, decision: "recording-not-kept", detail };
    }
    if (!call || !isMissedCallReason(reason)) {
      return {
        statusCode: 204,
        decision: "recording-unattributed",
        detail: { ...detail, reason: reason ?? null },
      };
    }
    const voicemail = {
      recordingSid,
      durationSeconds: Number(param(params, "RecordingDuration") ?? 0) || 0,
    };
    return {
      statusCode: 204,
      decision: "voicemail-recorded",
      detail,
      missedCall: missedCall(request, call, {
        kind: "voicemail",
        reason,
        lineUserId: query.get(RECORDING_QUERY.lineUserId),
        from: query.get(RECORDING_QUERY.from),
        voicemail,
      }),
    };
  },
  fallback: ({ params }) =>
    twiml("fallback-apology", apologyTwiml(), { errorCode: param(params, "ErrorCode") }),
  status: ({ params }) => ({
    statusCode: 204,
    decision: "status-logged",
    detail: {
      callStatus: param(params, "CallStatus"),
      callDuration: param(params, "CallDuration"),
      sequenceNumber: param(params, "SequenceNumber"),
    },
  }),
};

/**
 * Builds a handler with its own settings and token cache: one per Lambda cold start in
 * production, one per local server or test otherwise.
 */
export function createHandler(options: HandlerOptions = {}): WebhookHandler {
  const sink = options.log ?? stdoutSink;
  const clock = options.now ?? (() => new Date());

  /**
   * The one place a missed call or voicemail leaves the handler: logged (no secrets: the event
   * holds none), then delivered; a failed delivery is logged and the caller still gets the answer.
   */
  const reportMissedCall = async (
    call: MissedCall,
    settings: CallSettings | undefined,
  ): Promise<void> => {
    writeLog(sink, { level: "info", msg: "missed call", ...call });
    try {
      if (options.reportMissedCall) await options.reportMissedCall(call);
      else await notify(call, settings);
    } catch (error) {
      writeLog(sink, {
        level: "error",
        msg: "missed call not delivered",
        callSid: call.callSid,
        kind: call.kind,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  let state: { callers: CallerSource; notifier: Notifier } | undefined;
  /**
   * The default delivery: the configured channels, the follow-up as the settings of the call's
   * own account say (the customer's, on a shared webhook).
   */
  const notify = async (call: MissedCall, settings: CallSettings | undefined) => {
    const { notifier } = state ?? initialise();
    if (!notifier.configured) return;
    const followUp = settings?.followUp ? settings.followUpMessage : undefined;
    await notifier.notify(call, { followUpText: followUp });
  };

  // Read once, and report every configuration problem once, in one line.
  const initialise = () => {
    const env = options.env ?? process.env;
    const callers = callerSource(env, sink, {
      now: () => clock().getTime(),
      readParameter: options.readParameter,
    });
    if (callers.problems.length > 0) {
      writeLog(sink, {
        level: "error",
        msg: "invalid webhook configuration: calls get the apology until it is fixed",
        problems: callers.problems,
      });
    }
    state = { callers, notifier: createNotifier({ env, log: sink }) };
    return state;
  };

  if (options.prefetch) {
    // Never rejects: a failed read is logged and retried on the next call.
    const { callers, notifier } = initialise();
    callers.prefetch();
    notifier.prefetch();
  }

  const answer = async (event: WebhookEvent): Promise<Reply> => {
    const { callers } = state ?? initialise();
    const location = publicLocation(
      event.requestContext.domainName,
      event.rawPath,
      callers.publicBaseUrl,
    );
    const route = ROUTE_BY_PATH.get(location.routePath);
    if (route === undefined) return plain(404, "not-found", "Not Found");
    if (event.requestContext.http.method !== "POST") {
      return {
        ...plain(405, "method-not-allowed", "Method Not Allowed"),
        headers: { allow: "POST" },
      };
    }

    const form = parseTwilioForm({
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
      headers: event.headers ?? {},
    });
    if (!form.ok) {
      const reason = form.statusCode === 413 ? "Payload Too Large" : "Bad Request";
      return {
        ...plain(form.statusCode, "rejected-body", reason),
        detail: { reason: form.reason },
      };
    }
    const params = form.params;

    const caller = await callers.caller(params);
    if (caller.kind === "unavailable") {
      // Nothing can be verified, and nothing is forwarded; callers hear the apology instead of
      // dead air.
      const reply =
        route === "status"
          ? { statusCode: 204, decision: caller.decision }
          : twiml(`${caller.decision}-apology`, apologyTwiml());
      return { ...reply, params, detail: caller.detail };
    }
    if (caller.kind === "refused") {
      return { ...plain(403, caller.decision, "Forbidden"), params, detail: caller.detail };
    }

    const url = signedUrl(location, event.rawQueryString);
    const signature = headerValue(event.headers ?? {}, "x-twilio-signature");
    if (!isSignedByTwilio(caller.token, signature, url, params)) {
      return {
        ...plain(403, "rejected-signature", "Forbidden"),
        params,
        detail: { ...caller.detail, signaturePresent: Boolean(signature), signedUrl: url },
      };
    }
    const reply = ANSWERS[route]({
      params,
      call: caller.call,
      base: location.base,
      query: new URLSearchParams(event.rawQueryString ?? ""),
      now: clock(),
    });
    if (reply.missedCall) await reportMissedCall(reply.missedCall, caller.call);
    return { ...reply, params, detail: { ...caller.detail, ...reply.detail } };
  };

  return async (event) => {
    const started = performance.now();
    let reply: Reply;
    try {
      reply = await answer(event);
    } catch (error) {
      // A bug, not bad input: a 5xx makes Twilio play the fallback URL's apology.
      writeLog(sink, {
        level: "error",
        msg: "webhook failed",
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      reply = plain(500, "internal-error", "Internal Server Error");
    }
    writeLog(sink, {
      level: reply.statusCode < 400 ? "info" : "warn",
      msg: "twilio request",
      route: event.rawPath,
      // API Gateway's request ID, to join this line with the API's access log.
      requestId: event.requestContext?.requestId,
      status: reply.statusCode,
      decision: reply.decision,
      ...callFields(reply.params),
      ...reply.detail,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
    });
    return toResult(reply);
  };
}

/** The Lambda entry point (`index.handler` in the bundle); prefetches only when on Lambda. */
export const handler: WebhookHandler = createHandler({
  prefetch: Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME),
});
