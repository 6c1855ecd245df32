// The business-hours decision the webhook makes on every call: local time in the configured zone,
// weekly windows, Japan's public holidays and extra closed days; and the holiday rules checked day
// by day against the Cabinet Office-derived dataset @holiday-jp/holiday_jp.
import holidayJp from "@holiday-jp/holiday_jp";
import { describe, expect, it } from "vitest";
import {
  type BusinessHours,
  businessHoursText,
  isJapanesePublicHoliday,
  localTime,
  openingAt,
  parseBusinessHours,
} from "../../model/businessHours";

function parse(value: Record<string, unknown>): BusinessHours {
  const { businessHours, problems } = parseBusinessHours(JSON.stringify(value), "businessHours");
  expect(problems).toEqual([]);
  if (!businessHours) throw new Error("invalid business hours");
  return businessHours;
}

const SPEC = {
  weekly: {
    mon: ["09:00-12:00", "13:00-18:00"],
    tue: ["09:00-18:00"],
    wed: ["09:00-18:00"],
    thu: ["09:00-18:00"],
    fri: ["09:00-18:00", "20:00-24:00"],
    sat: ["00:00-01:00"],
  },
  closed: ["12-29..01-03", "2027-08-13..2027-08-16"],
};
const WEEKDAYS_9_TO_6 = parse(SPEC);

const at = (iso: string) => openingAt(WEEKDAYS_9_TO_6, new Date(iso));

describe("openingAt", () => {
  it.each([
    ["2026-12-07T08:59:59+09:00", false, "weekly"], // Monday, before opening
    ["2026-12-07T09:00:00+09:00", true, undefined],
    ["2026-12-07T11:59:59+09:00", true, undefined],
    ["2026-12-07T12:00:00+09:00", false, "weekly"], // lunch break
    ["2026-12-07T13:00:00+09:00", true, undefined],
    ["2026-12-07T18:00:00+09:00", false, "weekly"], // the end of a window is closed
    ["2026-12-11T23:59:59+09:00", true, undefined], // Friday's window to midnight…
    ["2026-12-12T00:00:00+09:00", true, undefined], // …continued by Saturday's from 00:00
    ["2026-12-12T01:00:00+09:00", false, "weekly"],
    ["2026-12-13T10:00:00+09:00", false, "weekly"], // Sunday: no windows
  ] as const)("%s: open %s (%s)", (iso, open, closedBecause) => {
    const decision = at(iso);
    expect(decision.open).toBe(open);
    expect(decision.closedBecause).toBe(closedBecause);
  });

  it("reads the clock in the zone, not the server's: 23:30 UTC Monday is 08:30 Tuesday in Tokyo", () => {
    const decision = at("2026-12-07T23:30:00Z");
    expect(decision.local).toMatchObject({ date: "2026-12-08", weekday: "tue" });
    expect(decision.local.iso).toBe("2026-12-08T08:30:00+09:00");
    expect(decision.open).toBe(false);
    expect(at("2026-12-08T00:30:00Z").open).toBe(true); // 09:30 Tuesday in Tokyo
  });

  it("closes on Japanese public holidays, substitute holidays included, unless told they are open", () => {
    // 2026-11-23 (Labour Thanksgiving Day) is a Monday; 2026-05-06 is a substitute holiday.
    expect(at("2026-11-23T10:00:00+09:00")).toMatchObject({
      open: false,
      closedBecause: "public-holiday",
    });
    expect(at("2026-05-06T10:00:00+09:00")).toMatchObject({ closedBecause: "public-holiday" });
    expect(at("2026-11-24T10:00:00+09:00").open).toBe(true);
    const holidaysOpen = { ...WEEKDAYS_9_TO_6, publicHolidays: "open" as const };
    expect(openingAt(holidaysOpen, new Date("2026-11-23T10:00:00+09:00")).open).toBe(true);
  });

  it("closes on every-year ranges across New Year and on dated ranges", () => {
    for (const iso of [
      "2026-12-29T10:00:00+09:00", // Tuesday
      "2026-12-31T10:00:00+09:00",
      "2027-01-01T10:00:00+09:00",
      "2027-01-03T10:00:00+09:00",
      "2027-08-13T10:00:00+09:00", // Friday of the dated summer closure
      "2027-08-16T10:00:00+09:00",
    ]) {
      expect(at(iso), iso).toMatchObject({ open: false, closedBecause: "closed-date" });
    }
    expect(at("2026-12-28T10:00:00+09:00").open).toBe(true);
    expect(at("2027-01-04T10:00:00+09:00").open).toBe(true); // Monday after the closure
    expect(at("2027-08-17T10:00:00+09:00").open).toBe(true);
    // Dated ranges are once: 2028-08-14 (Monday) is open.
    expect(at("2028-08-14T10:00:00+09:00").open).toBe(true);
  });

  it("follows daylight saving time in zones that have it", () => {
    const newYork = parse({ timeZone: "America/New_York", weekly: { mon: ["09:00-17:00"] } });
    // 09:30 local both times: EDT (-04:00) in July, EST (-05:00) in December.
    const july = openingAt(newYork, new Date("2027-07-05T13:30:00Z"));
    const december = openingAt(newYork, new Date("2026-12-07T14:30:00Z"));
    expect(july.local.iso).toBe("2027-07-05T09:30:00-04:00");
    expect(december.local.iso).toBe("2026-12-07T09:30:00-05:00");
    expect(july.open && december.open).toBe(true);
  });
});

describe("Japan's public holidays", () => {
  it("agree day by day with @holiday-jp/holiday_jp's dataset from 1970 to its last year", () => {
    const dataset = new Set(Object.keys(holidayJp.holidays));
    const lastYear = Math.max(...[...dataset].map((date) => Number(date.slice(0, 4))));
    expect(lastYear).toBeGreaterThanOrEqual(2050);
    const disagreements: string[] = [];
    for (let day = Date.UTC(1970, 0, 1); day <= Date.UTC(lastYear, 11, 31); day += 86_400_000) {
      const date = new Date(day).toISOString().slice(0, 10);
      if (isJapanesePublicHoliday(date) !== dataset.has(date)) disagreements.push(date);
    }
    expect(disagreements).toEqual([]);
  });

  it("go on past the dataset's horizon", () => {
    expect(isJapanesePublicHoliday("2061-01-01")).toBe(true);
    expect(isJapanesePublicHoliday("2061-01-04")).toBe(false);
  });
});

describe("the canonical text", () => {
  it("parses back to the same business hours, defaults written out", () => {
    const text = businessHoursText(WEEKDAYS_9_TO_6);
    expect(JSON.parse(text)).toEqual({ timeZone: "Asia/Tokyo", ...SPEC });
    expect(parseBusinessHours(text, "x").businessHours).toEqual(WEEKDAYS_9_TO_6);
  });

  it("reads an unquoted stack-file date (a YAML timestamp to the CLI) back as the date", () => {
    const hours = parse({
      weekly: { mon: ["09:00-18:00"] },
      closed: ["2027-05-06 00:00:00 +0000 UTC", "2027-05-07T00:00:00Z"],
    });
    expect(JSON.parse(businessHoursText(hours)).closed).toEqual(["2027-05-06", "2027-05-07"]);
  });

  it("sorts windows and takes a single window as text", () => {
    const hours = parse({ weekly: { mon: ["13:00-18:00", "09:00-12:00"], tue: "10:00-11:00" } });
    expect(JSON.parse(businessHoursText(hours)).weekly).toEqual({
      mon: ["09:00-12:00", "13:00-18:00"],
      tue: ["10:00-11:00"],
    });
  });
});

describe("localTime", () => {
  it("formats the instant with the zone's offset, to the second", () => {
    expect(localTime(new Date("2026-12-31T13:00:05.900Z"), "Asia/Tokyo")).toEqual({
      date: "2026-12-31",
      weekday: "thu",
      minutes: 22 * 60,
      iso: "2026-12-31T22:00:05+09:00",
    });
    expect(localTime(new Date("2026-12-31T13:00:05Z"), "Asia/Kolkata").iso).toBe(
      "2026-12-31T18:30:05+05:30",
    );
  });
});
