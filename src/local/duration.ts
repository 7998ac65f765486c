/** Durations on the command line: `90d`, `8h`, `30m`, `45s`, or several, largest first (`1d12h`). */

const UNIT_MS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Milliseconds of a duration such as `90d` or `1d12h`; undefined when `text` is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null || text === '') return undefined;
  const [, days, hours, minutes, seconds] = match;
  const parts: [string | undefined, string][] = [[days, 'd'], [hours, 'h'], [minutes, 'm'], [seconds, 's']];
  let total = 0;
  for (const [value, unit] of parts) if (value !== undefined) total += Number(value) * (UNIT_MS[unit] ?? 0);
  return Number.isSafeInteger(total) ? total : undefined;
}
