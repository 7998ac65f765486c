/**
 * AES-256-GCM as single-part PKCS#11 operations on raw handles: three native calls per message
 * once the key handle is known, no object lookups.
 */
import { MechanismEnum, MechParams } from './graphene.js';
import type { Session } from 'graphene-pk11';
import { InvalidCiphertextException } from '../../models/kms/generated/errors.js';
import { AUTHENTICATION_FAILURES, pkcs11Code } from './pkcs11-codes.js';

type Cryptoki = Session['lib'];
type Handle = Buffer;

export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** A zero-copy Buffer view of caller-owned bytes, so no extra copy of a secret is left behind. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function gcmMechanism(iv: Uint8Array, aad: Uint8Array) {
  // CK_GCM_PARAMS as of PKCS#11 v2.40 (with ulIvBits), the layout SoftHSM and current HSMs expect.
  const parameter = {
    type: MechParams.AesGCMv240,
    iv: asBuffer(iv),
    ivBits: GCM_IV_BYTES * 8,
    aad: asBuffer(aad),
    tagBits: GCM_TAG_BYTES * 8,
  };
  return { mechanism: MechanismEnum.AES_GCM, parameter };
}

/** Returns ciphertext followed by the 16-byte tag. */
export function gcmEncrypt(
  cryptoki: Cryptoki,
  session: Handle,
  key: Handle,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Buffer {
  cryptoki.C_EncryptInit(session, gcmMechanism(iv, aad), key);
  const out = Buffer.alloc(plaintext.length + GCM_TAG_BYTES);
  // A zero-length input reaches the token as a NULL pointer, which C_Encrypt rejects while
  // leaving the operation active; C_EncryptFinal alone produces the tag of an empty message.
  if (plaintext.length === 0) return cryptoki.C_EncryptFinal(session, out);
  return cryptoki.C_Encrypt(session, asBuffer(plaintext), out);
}

/**
 * Verifies the tag and returns the plaintext.
 * Throws `InvalidCiphertextException` (empty message) when the token rejects the ciphertext.
 */
export function gcmDecrypt(
  cryptoki: Cryptoki,
  session: Handle,
  key: Handle,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  aad: Uint8Array,
): Buffer {
  if (iv.length !== GCM_IV_BYTES || ciphertext.length < GCM_TAG_BYTES) {
    throw new InvalidCiphertextException('');
  }
  cryptoki.C_DecryptInit(session, gcmMechanism(iv, aad), key);
  // Tokens ask for room for the whole input (SoftHSM answers CKR_BUFFER_TOO_SMALL otherwise).
  const out = Buffer.alloc(ciphertext.length);
  try {
    return cryptoki.C_Decrypt(session, asBuffer(ciphertext), out);
  } catch (error) {
    out.fill(0);
    const code = pkcs11Code(error);
    if (code !== undefined && AUTHENTICATION_FAILURES.has(code)) throw new InvalidCiphertextException('');
    throw error;
  }
}
