// Where LINE calls ring (a landline or a PBX) and the caller ID a landline needs. The accepted
// forms are the webhook's own (lambda/contract.ts), so a value `pulumi up` accepts is one the
// webhook accepts too.
import { E164, type ForwardTarget, parseForwardTarget } from "../../lambda/contract";
import type { ConfigReader } from "./reader";

export interface ForwardingSettings {
  forwardTo?: ForwardTarget;
  /** Empty when not set (allowed only when forwarding to a SIP URI). */
  callerId: string;
}

/** Suggests the E.164 form of a Japanese domestic number such as 03-1234-5678. */
function e164Hint(value: string): string {
  const digits = value.replace(/[\s()-]/g, "");
  if (/^0\d{9,10}$/.test(digits)) return `, e.g. +81${digits.slice(1)} for ${value}`;
  return ", e.g. +81312345678";
}

export function readForwarding(r: ConfigReader): ForwardingSettings {
  const forwardText = r.text("forwardTo").trim();
  const forwardTo = forwardText === "" ? undefined : parseForwardTarget(forwardText);
  if (forwardText === "") {
    r.problem(
      `${r.key("forwardTo")} is not set: give the landline in E.164 form (e.g. +81312345678) ` +
        "or your PBX as a sip: URI (e.g. sip:reception@pbx.example.com)",
    );
  } else if (!forwardTo && /^sips?:/i.test(forwardText)) {
    r.problem(
      `${r.key("forwardTo")} "${forwardText}" is not a SIP URI Twilio can dial: write sip:user@host ` +
        "(add ;transport=tls for TLS), e.g. sip:reception@pbx.example.com",
    );
  } else if (!forwardTo) {
    r.problem(
      `${r.key("forwardTo")} "${forwardText}" is neither an E.164 number nor a sip: URI: ` +
        `write the number with + and country code${e164Hint(forwardText)}`,
    );
  }

  const callerId = r.text("callerId").trim();
  if (callerId === "") {
    if (forwardTo?.kind === "number") {
      r.problem(
        `${r.key("callerId")} is not set: forwarding to a phone number needs one of your Twilio ` +
          "numbers as caller ID (pulumi config set callerId +815012345678)",
      );
    }
  } else if (!E164.test(callerId)) {
    r.problem(
      `${r.key("callerId")} "${callerId}" must be one of your Twilio numbers in E.164 form` +
        e164Hint(callerId),
    );
  }
  return { ...(forwardTo ? { forwardTo } : {}), callerId };
}
