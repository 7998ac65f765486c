/** Sizes given on the command line: a byte count or a whole number of KB, MB or GB (powers of 1,024). */

/** Bytes in one of each unit a size may be written in. */
export const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30 };

/** The size in bytes, or undefined when `text` is not a positive whole number with an optional unit. */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  if (match === null) return undefined;
  const unit = SIZE_UNITS[(match[2] ?? '').toUpperCase()];
  const bytes = Number(match[1]) * (unit ?? Number.NaN);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}
