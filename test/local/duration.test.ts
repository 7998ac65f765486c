import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/local/duration.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it.each([
    ['90d', 90 * DAY], ['8h', 8 * HOUR], ['30m', 30 * MINUTE], ['45s', 45_000], ['1d12h', DAY + 12 * HOUR], ['0d', 0], ['2h30m', 2 * HOUR + 30 * MINUTE],
  ])('returns the milliseconds of %s', (text, ms) => {
    // Prepare / Act
    const parsed = parseDuration(text);

    // Assess
    expect(parsed).toBe(ms);
  });

  it.each(['', '90', 'd', '-1d', '1.5d', '12h1d', '1w', ' 1d', '1d ', `${'9'.repeat(20)}d`])('returns undefined for %j, which is not a duration', (text) => {
    // Prepare / Act
    const parsed = parseDuration(text);

    // Assess
    expect(parsed).toBeUndefined();
  });
});
