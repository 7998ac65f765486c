import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { constantTimeEqual } from '../../../../src/core/kms/crypto/constant-time.js';

const bytesArb = fc.uint8Array({ maxLength: 96 });

describe('constantTimeEqual', () => {
  it.each([
    [true, 'two empty strings', [], []],
    [true, 'equal strings', [1, 2, 3], [1, 2, 3]],
    [false, 'strings differing in the last byte', [1, 2, 3], [1, 2, 4]],
    [false, 'strings differing in the first byte', [0, 2, 3], [1, 2, 3]],
    [false, 'a string and its prefix', [1, 2, 3], [1, 2]],
    [false, 'a string and the same string with a trailing zero', [1, 2], [1, 2, 0]],
    [false, 'an empty string and a zero byte', [], [0]],
  ])('returns %s when comparing %s', (expected, _, left, right) => {
    // Prepare
    const a = Uint8Array.from(left);
    const b = Uint8Array.from(right);

    // Act
    const equal = constantTimeEqual(a, b);

    // Assess
    expect(equal).toBe(expected);
  });

  it('returns true exactly when the two byte strings are equal', () => {
    // Prepare
    const property = fc.property(bytesArb, bytesArb, (a, b) => {
      // Act
      const equal = constantTimeEqual(a, b);

      // Assess
      return equal === Buffer.from(a).equals(Buffer.from(b));
    });

    // Act + Assess
    fc.assert(property, { numRuns: 500 });
  });

  it('returns true when a byte string is compared with a copy of itself', () => {
    // Prepare
    const property = fc.property(bytesArb, (a) => constantTimeEqual(a, Uint8Array.from(a)));

    // Act + Assess
    fc.assert(property);
  });

  it('returns false when one byte of a copy is changed', () => {
    // Prepare
    const property = fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 96 }).chain((a) => fc.tuple(fc.constant(a), fc.nat({ max: a.length - 1 }), fc.integer({ min: 1, max: 255 }))),
      ([a, index, flip]) => {
        const b = Uint8Array.from(a);
        b[index] = (b[index] ?? 0) ^ flip;
        return !constantTimeEqual(a, b);
      },
    );

    // Act + Assess
    fc.assert(property);
  });

  it('returns false when the lengths differ, even when one is a zero-padded copy of the other', () => {
    // Prepare
    const property = fc.property(bytesArb, fc.integer({ min: 1, max: 16 }), (a, extra) => {
      const padded = new Uint8Array(a.length + extra);
      padded.set(a);
      return !constantTimeEqual(a, padded) && !constantTimeEqual(padded, a);
    });

    // Act + Assess
    fc.assert(property);
  });

  it('returns the same answer whichever argument comes first', () => {
    // Prepare
    const property = fc.property(bytesArb, bytesArb, (a, b) => constantTimeEqual(a, b) === constantTimeEqual(b, a));

    // Act + Assess
    fc.assert(property);
  });
});
