// Business hours: when a LINE call is forwarded, and when the caller hears the after-hours message
// instead. One home for the form (`line-call:businessHours` in the stack file, BUSINESS_HOURS as
// compact JSON in the webhook's environment), the judgement of a value (every problem listed), and
// the decision "open at this instant?" that the webhook makes on every call.
//
// Japanese public holidays come from `japanese-holidays`, which computes them from the Public
// Holiday Act's rules (equinoxes by formula, Happy Mondays, substitute and citizens' holidays, the
// one-off days of 2019–2021) for any year, in 5 KB. The dataset `@holiday-jp/holiday_jp` (kept from
// the Cabinet Office's list, to 2050) would cost 170 KB of the webhook's 150 KB budget; it stays a
// development dependency that test/model/businessHours.test.ts compares day by day with the rules,
// so a law change that one of them learns first fails the test (docs/configuration.md says how to
// keep both current).
// The package ships no types: the reference brings its declaration wherever this module is
// type-checked alone (the policy pack's ts-node loads no tsconfig `include`).
/// <reference path="./japaneseHolidays.d.ts" />
import type * as JapaneseHolidaysModule from "japanese-holidays";

export const DEFAULT_TIME_ZONE = "Asia/Tokyo";

/** Weekday keys in the order JavaScript numbers them (Date#getDay: 0 = Sunday). */
export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One opening window on a day, in minutes since local midnight: open from `start` until `end`. */
export interface OpeningWindow {
  start: number;
  end: number;
}

/**
 * Days closed beyond the weekly plan: `from`..`to` inclusive, both `MM-DD` (every year, may wrap
 * over New Year, e.g. 12-29..01-03) or both `YYYY-MM-DD` (once). A single day has from === to.
 */
export interface ClosedPeriod {
  from: string;
  to: string;
}

/** Business hours once judged valid. */
export interface BusinessHours {
  /** IANA time zone the windows and dates are read in. */
  timeZone: string;
  /** Opening windows per weekday, sorted, not overlapping; a day without any is closed. */
  weekly: Record<Weekday, OpeningWindow[]>;
  /** Whether Japan's public holidays (祝日, including substitute holidays) are closed. */
  publicHolidays: "closed" | "open";
  closed: ClosedPeriod[];
}

/** What a value of `businessHours` may hold, and the key names messages suggest. */
const KEYS = ["timeZone", "weekly", "publicHolidays", "closed"] as const;

const WINDOW = /^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;
const ANNUAL_DATE = /^(\d{2})-(\d{2})$/;
const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/**
 * An unquoted date in a stack file (`- 2027-05-06`) is a YAML timestamp to the Pulumi CLI, which
 * hands it to the program as Go prints a time: `2027-05-06 00:00:00 +0000 UTC`. Midnight UTC of a
 * date is read back as that date; any other time of day is not a date.
 */
const CLI_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?(?: ?(?:\+0000 UTC|Z|\+00:00))?$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const EXAMPLE =
  '{"timeZone":"Asia/Tokyo","weekly":{"mon":["09:00-12:00","13:00-18:00"],"sat":["10:00-15:00"]},' +
  '"closed":["12-29..01-03"]}';

const pad = (n: number) => String(n).padStart(2, "0");
const clock = (minutes: number) => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;

function isDateOf(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  if (month === 2 && day === 29) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1];
}

/** A time zone the runtime knows (Node ships full ICU), or undefined. */
function knownTimeZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

function parseWindow(text: string): OpeningWindow | string {
  const match = WINDOW.exec(text.trim());
  if (!match) return `"${text}" is not a window like "09:00-18:00" (24-hour HH:MM-HH:MM)`;
  const start = Number(match[1]) * 60 + Number(match[2]);
  const end = Number(match[3]) * 60 + Number(match[4]);
  if (start >= 24 * 60 || end > 24 * 60) return `"${text}": a time runs from 00:00 to 24:00`;
  if (end <= start) {
    return (
      `"${text}" ends before it starts: a window cannot pass midnight, so split it ` +
      `(e.g. "${clock(start)}-24:00" on this day and "00:00-${clock(end)}" on the next)`
    );
  }
  return { start, end };
}

function parseClosedPeriod(text: string): ClosedPeriod | string {
  const [from = "", to = from, ...rest] = text
    .split("..")
    .map((part) => part.trim())
    .map((part) => CLI_TIMESTAMP.exec(part)?.[1] ?? part);
  const form = `"${text}" is not a date like "2026-05-01", "12-31" (every year) or a range "12-29..01-03"`;
  if (rest.length > 0 || !from || !to) return form;
  const annualFrom = ANNUAL_DATE.exec(from);
  const annualTo = ANNUAL_DATE.exec(to);
  if (annualFrom && annualTo) {
    for (const match of [annualFrom, annualTo]) {
      if (!isDateOf(2000, Number(match[1]), Number(match[2]))) return `"${match[0]}" is not a date`;
    }
    // An every-year range may wrap over New Year (12-29..01-03).
    return { from, to };
  }
  const fullFrom = FULL_DATE.exec(from);
  const fullTo = FULL_DATE.exec(to);
  if (fullFrom && fullTo) {
    for (const match of [fullFrom, fullTo]) {
      if (!isDateOf(Number(match[1]), Number(match[2]), Number(match[3]))) {
        return `"${match[0]}" is not a date`;
      }
    }
    if (to < from) return `"${text}" ends before it starts`;
    return { from, to };
  }
  if ((annualFrom || fullFrom) && (annualTo || fullTo)) {
    return `"${text}" mixes an every-year date (MM-DD) with a dated one (YYYY-MM-DD): use one form`;
  }
  return form;
}

/** The JSON value of a setting: parsed when text, taken as is when the stack already parsed it. */
function asObject(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * Judges a `businessHours` value (JSON text, as Pulumi passes an object and the webhook's
 * environment holds it); never throws. Every problem is one line after `label`.
 */
export function parseBusinessHours(
  raw: string,
  label: string,
): { businessHours?: BusinessHours; problems: string[] } {
  const problems: string[] = [];
  const value = asObject(raw);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      problems: [
        `${label} must be an object with weekly opening windows, e.g. ${EXAMPLE} (in the stack ` +
          "file, as YAML under the key)",
      ],
    };
  }
  const spec = value as Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      const close = KEYS.find((known) => known.toLowerCase() === key.toLowerCase());
      problems.push(
        `${label}.${key} is not a business-hours key: ` +
          (close ? `did you mean ${close}?` : `use ${KEYS.join(", ")}`),
      );
    }
  }

  let timeZone = DEFAULT_TIME_ZONE;
  if (spec.timeZone !== undefined) {
    const zone =
      typeof spec.timeZone === "string" ? knownTimeZone(spec.timeZone.trim()) : undefined;
    if (zone === undefined) {
      problems.push(
        `${label}.timeZone ${JSON.stringify(spec.timeZone)} is not an IANA time zone: ` +
          `use a name like ${DEFAULT_TIME_ZONE} (the default)`,
      );
    } else timeZone = zone;
  }

  const weekly = Object.fromEntries(WEEKDAYS.map((day) => [day, []])) as unknown as Record<
    Weekday,
    OpeningWindow[]
  >;
  const weeklySpec = spec.weekly;
  if (typeof weeklySpec !== "object" || weeklySpec === null || Array.isArray(weeklySpec)) {
    problems.push(
      `${label}.weekly must map days (${WEEKDAYS.join(", ")}) to lists of opening windows, ` +
        'e.g. {"mon":["09:00-18:00"]}; days left out are closed',
    );
  } else {
    for (const [day, windows] of Object.entries(weeklySpec as Record<string, unknown>)) {
      const where = `${label}.weekly.${day}`;
      if (!(WEEKDAYS as readonly string[]).includes(day)) {
        problems.push(`${where}: "${day}" is not a day: use ${WEEKDAYS.join(", ")}`);
        continue;
      }
      const list = typeof windows === "string" ? [windows] : windows;
      if (!Array.isArray(list) || list.some((window) => typeof window !== "string")) {
        problems.push(`${where} must be a list of windows like ["09:00-12:00", "13:00-18:00"]`);
        continue;
      }
      const parsed: OpeningWindow[] = [];
      for (const text of list as string[]) {
        const window = parseWindow(text);
        if (typeof window === "string") problems.push(`${where} ${window}`);
        else parsed.push(window);
      }
      parsed.sort((a, b) => a.start - b.start);
      for (let i = 1; i < parsed.length; i++) {
        if (parsed[i].start < parsed[i - 1].end) {
          problems.push(
            `${where} has overlapping windows ${clock(parsed[i - 1].start)}-${clock(parsed[i - 1].end)} ` +
              `and ${clock(parsed[i].start)}-${clock(parsed[i].end)}: merge them`,
          );
        }
      }
      weekly[day as Weekday] = parsed;
    }
    if (problems.length === 0 && WEEKDAYS.every((day) => weekly[day].length === 0)) {
      problems.push(
        `${label}.weekly has no opening window on any day, so every call would be after hours: ` +
          'add windows, e.g. "mon": ["09:00-18:00"], or remove businessHours to always forward',
      );
    }
  }

  let publicHolidays: BusinessHours["publicHolidays"] = "closed";
  if (spec.publicHolidays !== undefined) {
    if (spec.publicHolidays === "closed" || spec.publicHolidays === "open") {
      publicHolidays = spec.publicHolidays;
    } else {
      problems.push(
        `${label}.publicHolidays ${JSON.stringify(spec.publicHolidays)} must be "closed" ` +
          '(the default: Japanese public holidays are after hours) or "open" (they follow weekly)',
      );
    }
  }

  const closed: ClosedPeriod[] = [];
  if (spec.closed !== undefined) {
    if (!Array.isArray(spec.closed)) {
      problems.push(`${label}.closed must be a list of dates or ranges, e.g. ["12-29..01-03"]`);
    } else {
      for (const entry of spec.closed) {
        const period =
          typeof entry === "string"
            ? parseClosedPeriod(entry)
            : `${JSON.stringify(entry)} is not text`;
        if (typeof period === "string") problems.push(`${label}.closed ${period}`);
        else closed.push(period);
      }
    }
  }

  if (problems.length > 0) return { problems };
  return { problems, businessHours: { timeZone, weekly, publicHolidays, closed } };
}

/** The canonical text of valid business hours: compact JSON that parses back to the same value. */
export function businessHoursText(hours: BusinessHours): string {
  const weekly: Partial<Record<Weekday, string[]>> = {};
  for (const day of WEEKDAYS) {
    if (hours.weekly[day].length > 0) {
      weekly[day] = hours.weekly[day].map((w) => `${clock(w.start)}-${clock(w.end)}`);
    }
  }
  return JSON.stringify({
    timeZone: hours.timeZone,
    weekly,
    ...(hours.publicHolidays === "open" ? { publicHolidays: "open" } : {}),
    ...(hours.closed.length > 0
      ? { closed: hours.closed.map((p) => (p.from === p.to ? p.from : `${p.from}..${p.to}`)) }
      : {}),
  });
}

/** An instant as read on the wall clock of a time zone. */
export interface LocalTime {
  /** YYYY-MM-DD. */
  date: string;
  weekday: Weekday;
  /** Minutes since local midnight. */
  minutes: number;
  /** ISO 8601 with the zone's offset at that instant, e.g. 2026-12-31T22:00:05+09:00. */
  iso: string;
}

// One formatter per zone: building one costs far more than formatting with it.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function localTime(instant: Date, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  const [year, month, day] = [Number(parts.year), Number(parts.month), Number(parts.day)];
  const [hour, minute, second] = [Number(parts.hour), Number(parts.minute), Number(parts.second)];
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetMinutes = Math.round(
    (wallAsUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000,
  );
  const sign = offsetMinutes < 0 ? "-" : "+";
  const offset = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  const date = `${year}-${pad(month)}-${pad(day)}`;
  return {
    date,
    weekday: WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()],
    minutes: hour * 60 + minute,
    iso: `${date}T${pad(hour)}:${pad(minute)}:${pad(second)}${offset}`,
  };
}

// Japan's public holidays per year as "MM-DD", computed once per year a call falls in.
const holidaysByYear = new Map<number, Set<string>>();

/** Whether a date (YYYY-MM-DD) is a public holiday in Japan, substitute holidays included. */
export function isJapanesePublicHoliday(date: string): boolean {
  const year = Number(date.slice(0, 4));
  let days = holidaysByYear.get(year);
  if (!days) {
    // Loaded on first use, like ipaddr.js in lineIpAddresses.ts: the stack's config check, which
    // shares this module, never needs it.
    const holidays = (require("japanese-holidays") as typeof JapaneseHolidaysModule).getHolidaysOf(
      year,
    );
    days = new Set(holidays.map((h) => `${pad(h.month)}-${pad(h.date)}`));
    holidaysByYear.set(year, days);
  }
  return days.has(date.slice(5));
}

function inClosedPeriod(date: string, period: ClosedPeriod): boolean {
  if (period.from.length === 10) return period.from <= date && date <= period.to;
  const monthDay = date.slice(5);
  return period.from <= period.to
    ? period.from <= monthDay && monthDay <= period.to
    : monthDay >= period.from || monthDay <= period.to;
}

export type ClosedReason = "weekly" | "public-holiday" | "closed-date";

export interface OpeningDecision {
  open: boolean;
  /** Why it is closed; absent when open. */
  closedBecause?: ClosedReason;
  local: LocalTime;
}

/** Whether the business is open at `instant`, and why not. */
export function openingAt(hours: BusinessHours, instant: Date): OpeningDecision {
  const local = localTime(instant, hours.timeZone);
  if (hours.closed.some((period) => inClosedPeriod(local.date, period))) {
    return { open: false, closedBecause: "closed-date", local };
  }
  if (hours.publicHolidays === "closed" && isJapanesePublicHoliday(local.date)) {
    return { open: false, closedBecause: "public-holiday", local };
  }
  const open = hours.weekly[local.weekday].some(
    (window) => window.start <= local.minutes && local.minutes < window.end,
  );
  return open ? { open, local } : { open, closedBecause: "weekly", local };
}
