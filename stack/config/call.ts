// What the caller hears and how long the forwarded leg rings: the words Twilio says, their
// language, and the `<Dial>` timeout, within the ranges Twilio and the webhook accept.
import {
  MAX_DIAL_TIMEOUT_SECONDS,
  MIN_DIAL_TIMEOUT_SECONDS,
  SAY_LANGUAGE,
} from "../../lambda/contract";
import type { ConfigReader } from "./reader";

/** Twilio's limit on the text of one `<Say>`. */
export const MAX_SAY_LENGTH = 4096;

export interface CallSettings {
  greeting: string;
  unavailableMessage: string;
  language: string;
  dialTimeout?: number;
}

export function readCall(r: ConfigReader): CallSettings {
  const greeting = r.text("greeting");
  const unavailableMessage = r.text("unavailableMessage");
  for (const [name, value] of [
    ["greeting", greeting],
    ["unavailableMessage", unavailableMessage],
  ] as const) {
    if (value.length > MAX_SAY_LENGTH) {
      r.problem(
        `${r.key(name)} is ${value.length} characters; Twilio's <Say> takes at most ${MAX_SAY_LENGTH}: shorten it`,
      );
    }
  }

  const language = r.text("language").trim();
  if (!SAY_LANGUAGE.test(language)) {
    r.problem(
      `${r.key("language")} "${language}" is not a <Say> language tag: use a form like ja-JP or en-US`,
    );
  }

  const dialTimeout = r.integer("dialTimeout");
  const inRange =
    dialTimeout !== undefined &&
    dialTimeout >= MIN_DIAL_TIMEOUT_SECONDS &&
    dialTimeout <= MAX_DIAL_TIMEOUT_SECONDS;
  if (!inRange) {
    r.problem(
      `${r.key("dialTimeout")} ${JSON.stringify(r.text("dialTimeout"))} must be a whole number of seconds ` +
        `from ${MIN_DIAL_TIMEOUT_SECONDS} to ${MAX_DIAL_TIMEOUT_SECONDS} (Twilio's <Dial timeout> range); 30 is usual`,
    );
  }
  return { greeting, unavailableMessage, language, ...(inRange ? { dialTimeout } : {}) };
}
