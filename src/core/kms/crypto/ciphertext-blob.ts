/**
 * The symmetric ciphertext blob, format version 1 (documented in docs/ciphertext-format.md):
 *
 * | bytes | field |
 * |---|---|
 * | 1 | format version, `0x01` |
 * | 1 | length K of the key ARN (1–255) |
 * | K | key ARN, ASCII (names account, Region and key, so cross-account and multi-Region decryption can find the key) |
 * | 1 | length B of the backing key ID (1–64) |
 * | B | backing key version ID, raw bytes |
 * | 12 | AES-GCM IV |
 * | n | AES-256-GCM ciphertext |
 * | 16 | GCM tag |
 *
 * Everything before the IV is the header; the header and the canonical encryption context are
 * the GCM additional authenticated data, so neither can be changed without failing decryption.
 */
import { InvalidCiphertextException } from '../../../models/kms/generated/errors.js';
import { needs, withoutMessage } from '../../errors/service-error.js';

export const CIPHERTEXT_FORMAT_V1 = 0x01;
export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;
const MAX_ID_LENGTH = 64;
const MAX_ARN_LENGTH = 255;

export interface CiphertextHeader {
  readonly keyArn: string;
  readonly backingKeyId: Uint8Array;
}

export interface ParsedCiphertext extends CiphertextHeader {
  /** The serialized header, exactly as it was read (part of the AAD). */
  readonly header: Uint8Array;
  readonly iv: Uint8Array;
  /** Ciphertext followed by the GCM tag. */
  readonly sealed: Uint8Array;
}

export function encodeHeader(header: CiphertextHeader): Uint8Array {
  const keyId = new TextEncoder().encode(header.keyArn);
  needs(keyId.length >= 1 && keyId.length <= MAX_ARN_LENGTH, withoutMessage('The key ARN is too long for the ciphertext header.'), InvalidCiphertextException);
  needs(header.backingKeyId.length >= 1 && header.backingKeyId.length <= MAX_ID_LENGTH, withoutMessage('The backing key ID is too long for the ciphertext header.'), InvalidCiphertextException);
  const out = new Uint8Array(3 + keyId.length + header.backingKeyId.length);
  out[0] = CIPHERTEXT_FORMAT_V1;
  out[1] = keyId.length;
  out.set(keyId, 2);
  out[2 + keyId.length] = header.backingKeyId.length;
  out.set(header.backingKeyId, 3 + keyId.length);
  return out;
}

export function encodeCiphertext(header: Uint8Array, iv: Uint8Array, sealed: Uint8Array): Uint8Array {
  const out = new Uint8Array(header.length + iv.length + sealed.length);
  out.set(header, 0);
  out.set(iv, header.length);
  out.set(sealed, header.length + iv.length);
  return out;
}

/**
 * Reads a blob defensively: every length is checked before it is used, and anything malformed
 * fails with `InvalidCiphertextException` (AWS sends it without a message).
 */
export function parseCiphertext(blob: Uint8Array): ParsedCiphertext {
  /* Precondition: the blob starts with a known format version. */
  needs(blob.length >= 1 && blob[0] === CIPHERTEXT_FORMAT_V1, withoutMessage('The ciphertext blob does not start with a known format version.'), InvalidCiphertextException);
  const keyIdLength = blob[1] ?? 0;
  /* Precondition: the key ARN is not empty and fits in the blob. */
  needs(keyIdLength >= 1 && blob.length > 2 + keyIdLength, withoutMessage('The ciphertext blob is shorter than its key ARN length says.'), InvalidCiphertextException);
  const keyArn = new TextDecoder('latin1').decode(blob.subarray(2, 2 + keyIdLength));
  const backingLength = blob[2 + keyIdLength] ?? 0;
  const headerLength = 3 + keyIdLength + backingLength;
  /* Precondition: the backing key ID fits and IV, at least one byte of ciphertext and the tag follow. */
  needs(backingLength >= 1 && backingLength <= MAX_ID_LENGTH && blob.length >= headerLength + IV_LENGTH + 1 + TAG_LENGTH,
    withoutMessage('The ciphertext blob is too short for its header, IV and tag.'), InvalidCiphertextException);
  return {
    keyArn,
    backingKeyId: blob.slice(3 + keyIdLength, headerLength),
    header: blob.slice(0, headerLength),
    iv: blob.slice(headerLength, headerLength + IV_LENGTH),
    sealed: blob.slice(headerLength + IV_LENGTH),
  };
}
