/**
 * The layout of ImportKeyMaterial's EncryptedKeyMaterial for the RSA_AES_KEY_WRAP algorithms, as
 * the guide's step 3 builds it: `cat aes-key-wrapped.bin key-material-wrapped.bin`, the AES key
 * encrypted under the RSA wrapping key with RSAES-OAEP (exactly one modulus long) followed by the
 * key material wrapped under that AES key with AES key wrap with padding (RFC 5649,
 * `openssl enc -id-aes256-wrap-pad`), whose output is a multiple of 8 bytes and at least 16.
 */
import type { WrappingKeySpec } from '../../../models/kms/generated/shapes.js';

/** Bytes of the modulus of each RSA wrapping key spec (the length of an RSAES-OAEP ciphertext). */
export const WRAPPING_MODULUS_BYTES: Readonly<Partial<Record<WrappingKeySpec, number>>> = {
  RSA_2048: 256,
  RSA_3072: 384,
  RSA_4096: 512,
};

/** The two parts of an RSA_AES_KEY_WRAP payload. */
export interface KeyWrapPayload {
  /** The ephemeral AES key, RSAES-OAEP encrypted under the wrapping public key. */
  readonly encryptedAesKey: Uint8Array;
  /** The key material, RFC 5649-wrapped under the ephemeral AES key. */
  readonly wrappedMaterial: Uint8Array;
}

const MIN_KEY_WRAP_BYTES = 16;
const KEY_WRAP_BLOCK = 8;

/** Splits an RSA_AES_KEY_WRAP payload for a `modulusBytes` wrapping key; `undefined` when its length cannot be one. */
export function splitKeyWrapPayload(encrypted: Uint8Array, modulusBytes: number): KeyWrapPayload | undefined {
  const rest = encrypted.length - modulusBytes;
  if (rest < MIN_KEY_WRAP_BYTES || rest % KEY_WRAP_BLOCK !== 0) return undefined;
  return { encryptedAesKey: encrypted.subarray(0, modulusBytes), wrappedMaterial: encrypted.subarray(modulusBytes) };
}
