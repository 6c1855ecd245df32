/**
 * The missed-call event: one per call that was not put through (after hours, or the forward was
 * busy, unanswered or failed), and one more per voicemail a caller left. The handler builds it at
 * the one place each happens (see `reportMissedCall` in handler.ts) and hands it to a reporter:
 * the default writes it as a JSON log line ("missed call"); the notification delivery (SNS, Slack,
 * the LINE push, issue 20) plugs in as `HandlerOptions.reportMissedCall` and must never change
 * what the caller hears. Nothing secret is in it: no token, no signature, no recording URL.
 */

/** Why the call was not put through. */
export const MISSED_CALL_REASONS = ["after-hours", "busy", "no-answer", "failed"] as const;
export type MissedCallReason = (typeof MISSED_CALL_REASONS)[number];

export function isMissedCallReason(value: string | undefined): value is MissedCallReason {
  return (MISSED_CALL_REASONS as readonly string[]).includes(value ?? "");
}

export interface MissedCall {
  /**
   * `missed-call` when the call was not put through (reported at once, so a caller who hangs up
   * during the message is still known); `voicemail` when the recording of a message completed.
   */
  kind: "missed-call" | "voicemail";
  reason: MissedCallReason;
  /** Local time of the event in `timeZone`, ISO 8601 with offset: 2026-12-31T22:00:05+09:00. */
  at: string;
  /** The business hours' time zone (Asia/Tokyo when none are set). */
  timeZone: string;
  /** Twilio's CallSid, to match the two events of one call. */
  callSid: string | null;
  /** The LINE user's ID (from SipHeader_X-User-To-User), to follow up on LINE; null when absent. */
  lineUserId: string | null;
  /** The caller as Twilio gives `From` (LINE's SIP URI for the user). */
  from: string | null;
  /** Whether the caller was invited to leave a message (a `voicemail` event follows if they did). */
  voicemailOffered: boolean;
  /** The message left: only on `voicemail` events. */
  voicemail?: { recordingSid: string; durationSeconds: number };
}

/** Delivers one event; may reject (the handler logs that and the caller hears nothing of it). */
export type MissedCallReporter = (call: MissedCall) => Promise<void>;
