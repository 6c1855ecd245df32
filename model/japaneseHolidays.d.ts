// The part of `japanese-holidays` (which ships no types) that model/businessHours.ts uses.
declare module "japanese-holidays" {
  /** The holidays of a year in Japan; with `furikae` (default true) substitute holidays too. */
  export function getHolidaysOf(
    year: number,
    furikae?: boolean,
  ): { month: number; date: number; name: string }[];
}
