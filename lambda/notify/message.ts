/**
 * How a missed call reads in an e-mail (SNS) and in Slack: Japanese for the business, with the
 * reason's code in English so a search or filter finds it. Nothing here may carry a secret or a
 * recording URL (fetching a recording needs the account's credentials): the recording SID is
 * enough to find it in the Twilio console.
 */
import type { MissedCall, MissedCallReason } from "../missedCall";

const REASON_TEXT: Record<MissedCallReason, string> = {
  "after-hours": "営業時間外",
  busy: "話し中",
  "no-answer": "応答なし",
  failed: "転送失敗",
};

/** SNS e-mail subjects must be ASCII, one line, under 100 characters. */
export const SNS_SUBJECT_MAX_LENGTH = 99;

export interface MissedCallMessage {
  /** ASCII, one line (an SNS e-mail subject). */
  subject: string;
  /** Several lines of plain text (the e-mail body, the Slack message). */
  text: string;
}

export function missedCallMessage(call: MissedCall): MissedCallMessage {
  const kind = call.kind === "voicemail" ? "Voicemail" : "Missed LINE call";
  const subject = `${kind} (${call.reason}) ${call.at.replace("T", " ")}`
    .replace(/[^\x20-\x7e]/g, "?")
    .slice(0, SNS_SUBJECT_MAX_LENGTH);
  const lines = [
    call.kind === "voicemail"
      ? "LINE 通話の留守番電話が届きました。"
      : "LINE 通話の不在着信がありました。",
    "",
    `日時: ${call.at} (${call.timeZone})`,
    `理由: ${REASON_TEXT[call.reason]} (${call.reason})`,
    `LINE ユーザー ID: ${call.lineUserId ?? "不明 (LINE から届きませんでした)"}`,
    `発信元 (From): ${call.from ?? "不明"}`,
    `CallSid: ${call.callSid ?? "不明"}`,
  ];
  if (call.kind === "missed-call" && call.voicemailOffered) {
    lines.push("留守番電話: ご案内しました (メッセージが残されると、別にお知らせします)");
  }
  if (call.voicemail) {
    lines.push(
      `留守番電話: ${call.voicemail.durationSeconds} 秒 (録音 SID ${call.voicemail.recordingSid}; Twilio コンソールの Monitor → Call Recordings で再生できます)`,
    );
  }
  return { subject, text: lines.join("\n") };
}
