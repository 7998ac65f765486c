import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_ENCRYPTION_CONTEXT_BYTES, canonicalEncryptionContext, concatBytes, encryptionContextProblem,
} from '../../../../src/core/kms/crypto/encryption-context.js';
import { ValidationException } from '../../../../src/models/kms/generated/errors.js';
import { caughtSync } from '../../../support/core.js';

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('canonicalEncryptionContext', () => {
  it('returns the same bytes whatever the order of the pairs', () => {
    // Prepare
    const a = { purpose: 'test', tenant: 'acme', 'é': 'x', Z: 'upper' };
    const b = { Z: 'upper', 'é': 'x', tenant: 'acme', purpose: 'test' };

    // Act
    const left = canonicalEncryptionContext(a);
    const right = canonicalEncryptionContext(b);

    // Assess
    expect(left).toEqual(right);
  });

  it('returns the documented layout when given one pair', () => {
    // Prepare
    const context = { k: 'vv' };

    // Act
    const encoded = canonicalEncryptionContext(context);

    // Assess
    expect(hexOf(encoded)).toBe('00000001' + '00000001' + '6b' + '00000002' + '7676');
  });

  it('returns pairs sorted by the UTF-8 bytes of their keys rather than by UTF-16 code units', () => {
    // Prepare: in UTF-16 U+1F600 (d83d de00) sorts before U+FF5E; in UTF-8 it sorts after.
    const context = { '\u{1F600}': '1', '\uFF5E': '2' };

    // Act
    const encoded = canonicalEncryptionContext(context);

    // Assess: the UTF-8 encoding of U+FF5E (ef bd 9e) sorts before U+1F600 (f0 9f 98 80).
    expect(hexOf(encoded).indexOf('efbd9e')).toBeLessThan(hexOf(encoded).indexOf('f09f9880'));
  });

  it.each([
    ['undefined', undefined],
    ['an empty context', {}],
  ])('returns a zero pair count when given %s', (_, context) => {
    // Act
    const encoded = canonicalEncryptionContext(context);

    // Assess
    expect(hexOf(encoded)).toBe('00000000');
  });

  it.each([
    ['a changed value', { a: '1', b: '3' }],
    ['a changed key', { a: '1', c: '2' }],
    ['a missing pair', { a: '1' }],
    ['an extra pair', { a: '1', b: '2', c: '3' }],
    ['a pair moved across the key/value boundary', { a: '1b', '': '2' }],
    ['an empty context', {}],
  ])('returns different bytes when the context has %s', (_, changed) => {
    // Prepare
    const original = { a: '1', b: '2' };

    // Act
    const before = canonicalEncryptionContext(original);
    const after = canonicalEncryptionContext(changed);

    // Assess
    expect(hexOf(after)).not.toBe(hexOf(before));
  });

  it('returns different bytes for different contexts and equal bytes for equal ones (injective)', () => {
    const arbContext = fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 4 });
    fc.assert(fc.property(arbContext, arbContext, (a, b) => {
      // Prepare
      const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

      // Act
      const equalBytes = hexOf(canonicalEncryptionContext(a)) === hexOf(canonicalEncryptionContext(b));

      // Assess
      expect(equalBytes).toBe(same);
    }), { numRuns: 500 });
  });

  it('returns different bytes when one pair of a random context is changed, removed or added', () => {
    const arbContext = fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { minKeys: 1, maxKeys: 5 });
    fc.assert(fc.property(arbContext, fc.nat(), fc.string({ minLength: 1, maxLength: 4 }), fc.constantFrom('change', 'remove', 'add'), (context, pick, extra, how) => {
      // Prepare
      const keys = Object.keys(context);
      const key = keys[pick % keys.length] ?? '';
      const changed: Record<string, string> = { ...context };
      if (how === 'change') changed[key] = `${context[key] ?? ''}${extra}`;
      if (how === 'remove') delete changed[key];
      if (how === 'add') changed[`${keys.join('')}${extra}`] = extra;

      // Act
      const before = hexOf(canonicalEncryptionContext(context));
      const after = hexOf(canonicalEncryptionContext(changed));

      // Assess
      expect(after).not.toBe(before);
    }));
  });
});

describe('canonicalEncryptionContext and strings that are not well-formed Unicode', () => {
  it('throws ValidationException because an encryption context bound into AAD is well-formed Unicode ({"tenant":"\\ud83d"} and {"tenant":"\\udc00"} no longer collide)', () => {
    // Prepare: both would encode as U+FFFD and give the same AAD.
    const high = { tenant: '\ud83d' };
    const low = { tenant: '\udc00' };

    // Act
    const errors = [caughtSync(() => canonicalEncryptionContext(high)), caughtSync(() => canonicalEncryptionContext(low))];

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe("The encryption context in 'encryptionContext' must be well-formed Unicode: the value of 'tenant' contains an unpaired surrogate.");
    }
  });

  it('returns no problem for any well-formed context and one for any context with a lone surrogate', () => {
    const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
    const wellFormed = fc.string({ unit: 'grapheme', maxLength: 6 });
    fc.assert(fc.property(wellFormed, wellFormed, wellFormed, loneSurrogate, fc.boolean(), (key, before, after, lone, inKey) => {
      // Prepare
      const good = { [key]: `${before}${after}` };
      const bad = inKey ? { [`${key}${lone}`]: before } : { [key]: `${before}${lone}${after}` };

      // Act
      const goodProblem = encryptionContextProblem(good, 'encryptionContext');
      const badProblem = encryptionContextProblem(bad, 'encryptionContext');

      // Assess
      expect(goodProblem).toBeUndefined();
      expect(badProblem).toMatch(/must be well-formed Unicode/);
    }), { numRuns: 300 });
  });

  it('throws ValidationException because an encryption context bound into AAD is within the size limit', () => {
    // Prepare
    const atLimit = { k: 'v'.repeat(MAX_ENCRYPTION_CONTEXT_BYTES - 1) };
    const overLimit = { k: 'v'.repeat(MAX_ENCRYPTION_CONTEXT_BYTES) };

    // Act
    const accepted = canonicalEncryptionContext(atLimit);
    const error = caughtSync(() => canonicalEncryptionContext(overLimit));

    // Assess
    expect(accepted.length).toBe(4 + 8 + MAX_ENCRYPTION_CONTEXT_BYTES);
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toMatch(/is 8193 bytes long/);
  });
});

describe('concatBytes', () => {
  it('returns the parts one after another', () => {
    // Act
    const joined = concatBytes(new Uint8Array([1]), new Uint8Array([]), new Uint8Array([2, 3]));

    // Assess
    expect([...joined]).toEqual([1, 2, 3]);
  });
});
