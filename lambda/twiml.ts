/**
 * TwiML answers, built with the twilio package's own VoiceResponse (which escapes every text and
 * attribute). Deep-imported: `require("twilio")` would load the whole REST client (axios, dayjs,
 * jsonwebtoken, …), multiplying the bundle size and the cold start; this file needs none of it.
 */
import VoiceResponse = require("twilio/lib/twiml/VoiceResponse");

import type { CallSettings } from "../model/callSettings";

/** The SIP header that carries the LINE user's ID to the PBX, for screen pop / CRM lookup. */
export const LINE_USER_ID_SIP_HEADER = "X-LINE-User-Id";

/**
 * The fallback apology depends on nothing configurable, so it works even when the settings are
 * broken (that is when Twilio calls the fallback URL).
 */
export const APOLOGY_MESSAGE =
  "申し訳ございません。ただいまお電話をおつなぎできません。しばらくしてから、おかけ直しください。";
export const APOLOGY_LANGUAGE = "ja-JP";

type SayLanguage = NonNullable<VoiceResponse.SayAttributes["language"]>;

/** Appends the LINE ID as a SIP header in Twilio's `sip:…?X-Header=value` form. */
export function sipUriWithLineUserId(uri: string, lineUserId: string | undefined): string {
  if (lineUserId === undefined) return uri;
  const separator = uri.includes("?") ? "&" : "?";
  return `${uri}${separator}${LINE_USER_ID_SIP_HEADER}=${encodeURIComponent(lineUserId)}`;
}

/** Greeting (optional), then `<Dial>` to FORWARD_TO; the dial outcome is posted to `afterDialUrl`. */
export function forwardCallTwiml(
  settings: CallSettings,
  lineUserId: string | undefined,
  afterDialUrl: string,
): string {
  const response = new VoiceResponse();
  if (settings.greeting) {
    response.say({ language: settings.language as SayLanguage }, settings.greeting);
  }
  const dial = response.dial({
    ...(settings.callerId ? { callerId: settings.callerId } : {}),
    answerOnBridge: true,
    timeout: settings.dialTimeout,
    action: afterDialUrl,
    method: "POST",
  });
  const target = settings.forwardTo;
  if (target.kind === "number") dial.number(target.value);
  else dial.sip(sipUriWithLineUserId(target.value, lineUserId));
  return response.toString();
}

/** Where a voicemail recording reports back: the `<Record>` action and its status callback. */
export interface VoicemailUrls {
  afterRecordUrl: string;
  recordingStatusUrl: string;
}

/**
 * The caller is not put through: `message`, then, with voicemail on, the prompt and a `<Record>`
 * that starts (with a beep) only after both were said; else the call ends.
 */
function notPutThroughTwiml(
  settings: CallSettings,
  message: string,
  voicemail: VoicemailUrls | undefined,
): string {
  const response = new VoiceResponse();
  const language = settings.language as SayLanguage;
  response.say({ language }, message);
  if (voicemail && settings.voicemail) {
    response.say({ language }, settings.voicemailPrompt);
    response.record({
      maxLength: settings.voicemailMaxSeconds,
      playBeep: true,
      // Seconds of silence that end the message; trimmed from the recording.
      timeout: 5,
      trim: "trim-silence",
      action: voicemail.afterRecordUrl,
      method: "POST",
      recordingStatusCallback: voicemail.recordingStatusUrl,
      recordingStatusCallbackMethod: "POST",
      recordingStatusCallbackEvent: ["completed", "absent"],
    });
    // Nothing after <Record>: Twilio continues with its action's answer (afterRecordTwiml).
  } else {
    response.hangup();
  }
  return response.toString();
}

/** Said when the forwarded leg was not answered (busy, no answer, failed); then voicemail or the end. */
export function unavailableTwiml(settings: CallSettings, voicemail?: VoicemailUrls): string {
  return notPutThroughTwiml(settings, settings.unavailableMessage, voicemail);
}

/** Said outside business hours instead of forwarding; then voicemail or the end. */
export function afterHoursTwiml(settings: CallSettings, voicemail?: VoicemailUrls): string {
  return notPutThroughTwiml(settings, settings.afterHoursMessage, voicemail);
}

export function apologyTwiml(): string {
  const response = new VoiceResponse();
  response.say({ language: APOLOGY_LANGUAGE }, APOLOGY_MESSAGE);
  response.hangup();
  return response.toString();
}

export function hangupTwiml(): string {
  const response = new VoiceResponse();
  response.hangup();
  return response.toString();
}
