import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidCiphertextException } from '../../../../src/models/kms/generated/errors.js';
import {
  CIPHERTEXT_FORMAT_V1, IV_LENGTH, TAG_LENGTH, encodeCiphertext, encodeHeader, parseCiphertext,
} from '../../../../src/core/kms/crypto/ciphertext-blob.js';
import { caughtSync } from '../../../support/core.js';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function makeBlob(options: { keyArn?: string; backingKeyId?: Uint8Array; iv?: Uint8Array; sealed?: Uint8Array } = {}): Uint8Array {
  const header = encodeHeader({ keyArn: options.keyArn ?? KEY_ARN, backingKeyId: options.backingKeyId ?? new Uint8Array(32).fill(0xab) });
  return encodeCiphertext(header, options.iv ?? new Uint8Array(IV_LENGTH).fill(7), options.sealed ?? new Uint8Array(1 + TAG_LENGTH).fill(9));
}

const arbArn = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789:/-'), minLength: 1, maxLength: 255 });
const arbBackingId = fc.uint8Array({ minLength: 1, maxLength: 64 });
const arbIv = fc.uint8Array({ minLength: IV_LENGTH, maxLength: IV_LENGTH });
const arbSealed = fc.uint8Array({ minLength: 1 + TAG_LENGTH, maxLength: 200 });

describe('parseCiphertext', () => {
  it('returns every field encodeHeader and encodeCiphertext wrote when the blob is parsed back', () => {
    fc.assert(fc.property(arbArn, arbBackingId, arbIv, arbSealed, (keyArn, backingKeyId, iv, sealed) => {
      // Prepare
      const header = encodeHeader({ keyArn, backingKeyId });
      const blob = encodeCiphertext(header, iv, sealed);

      // Act
      const parsed = parseCiphertext(blob);

      // Assess
      expect(parsed.keyArn).toBe(keyArn);
      expect(parsed.backingKeyId).toEqual(backingKeyId);
      expect(parsed.header).toEqual(header);
      expect(parsed.iv).toEqual(iv);
      expect(parsed.sealed).toEqual(sealed);
    }));
  });

  it('throws InvalidCiphertextException without a message for every truncation of a valid blob', () => {
    // Prepare
    const blob = makeBlob();

    for (let length = 0; length < blob.length; length++) {
      // Act
      const error = caughtSync(() => parseCiphertext(blob.subarray(0, length)));

      // Assess
      expect(error, `truncated to ${length} bytes`).toBeInstanceOf(InvalidCiphertextException);
      expect(error.message).toBe('');
    }
  });

  it('throws InvalidCiphertextException and never another error for every truncation of random valid blobs', () => {
    fc.assert(fc.property(arbArn, arbBackingId, arbIv, arbSealed, fc.nat(), (keyArn, backingKeyId, iv, sealed, cut) => {
      // Prepare
      const blob = encodeCiphertext(encodeHeader({ keyArn, backingKeyId }), iv, sealed);
      const headerLength = 3 + keyArn.length + backingKeyId.length;
      const minimum = headerLength + IV_LENGTH + 1 + TAG_LENGTH;
      const length = cut % minimum;

      // Act
      const error = caughtSync(() => parseCiphertext(blob.subarray(0, length)));

      // Assess
      expect(error).toBeInstanceOf(InvalidCiphertextException);
    }));
  });

  it('throws InvalidCiphertextException or parses, and never throws another error, for arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (blob) => {
      // Act
      let error: unknown;
      try {
        parseCiphertext(blob);
      } catch (thrown) {
        error = thrown;
      }

      // Assess
      expect(error === undefined || error instanceof InvalidCiphertextException).toBe(true);
    }));
  });

  it.each([0x00, 0x02, 0xff])('throws InvalidCiphertextException because the blob starts with a known format version (given 0x%s)', (version) => {
    // Prepare
    const blob = makeBlob();
    blob[0] = version;

    // Act
    const error = caughtSync(() => parseCiphertext(blob));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
    expect(error.message).toBe('');
  });

  it('throws InvalidCiphertextException because the key ARN is not empty and fits in the blob (given a zero length)', () => {
    // Prepare
    const blob = makeBlob();
    blob[1] = 0;

    // Act
    const error = caughtSync(() => parseCiphertext(blob));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it.each([
    ['a zero backing key ID length', 0],
    ['a backing key ID longer than 64 bytes', 65],
  ])('throws InvalidCiphertextException because the backing key ID fits and IV, at least one byte of ciphertext and the tag follow (given %s)', (_, length) => {
    // Prepare
    const blob = makeBlob({ sealed: new Uint8Array(200) });
    blob[2 + KEY_ARN.length] = length;

    // Act
    const error = caughtSync(() => parseCiphertext(blob));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('returns the fields when the blob holds exactly one byte of ciphertext', () => {
    // Prepare
    const blob = makeBlob({ sealed: new Uint8Array(1 + TAG_LENGTH) });

    // Act
    const parsed = parseCiphertext(blob);

    // Assess
    expect(blob[0]).toBe(CIPHERTEXT_FORMAT_V1);
    expect(parsed.sealed).toHaveLength(1 + TAG_LENGTH);
  });
});

describe('encodeHeader', () => {
  it.each([
    ['an empty key ARN', '', new Uint8Array(32)],
    ['a key ARN longer than 255 bytes', 'a'.repeat(256), new Uint8Array(32)],
    ['an empty backing key ID', KEY_ARN, new Uint8Array(0)],
    ['a backing key ID longer than 64 bytes', KEY_ARN, new Uint8Array(65)],
  ])('throws InvalidCiphertextException when given %s', (_, keyArn, backingKeyId) => {
    // Act
    const error = caughtSync(() => encodeHeader({ keyArn, backingKeyId }));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });
});
