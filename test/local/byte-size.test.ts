import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../../src/local/byte-size.js';

const CASES: readonly (readonly [string, number | undefined])[] = [
  ['1MB', 2 ** 20],
  ['100MB', 100 * 2 ** 20],
  ['2GB', 2 * 2 ** 30],
  ['64KB', 64 * 2 ** 10],
  ['5000', 5000],
  ['5000B', 5000],
  ['10mb', 10 * 2 ** 20],
  ['0', undefined],
  ['0MB', undefined],
  ['-1MB', undefined],
  ['1.5MB', undefined],
  ['1TB', undefined],
  ['MB', undefined],
  ['', undefined],
  ['99999999999999999999', undefined],
];

describe('parseByteSize', () => {
  it.each(CASES)('reads %j as %j', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });
});
