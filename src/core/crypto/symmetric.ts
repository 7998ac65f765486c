/**
 * Symmetric encryption under a KMS key: the blob format, the encryption context as AAD and the
 * token's AES-256-GCM, combined. Shared by Encrypt, Decrypt, ReEncrypt and GenerateDataKey*.
 */
import {
  IncorrectKeyException, InvalidCiphertextException, InvalidKeyUsageException, KMSInternalException,
} from '../generated/errors.js';
import type { EncryptionAlgorithmSpec } from '../generated/shapes.js';
import type { KeyRecord } from '../records.js';
import type { OperationCall } from '../service.js';
import { resolveKey } from '../keys/resolve-key.js';
import { encodeCiphertext, encodeHeader, parseCiphertext } from './ciphertext-blob.js';
import { canonicalEncryptionContext, concatBytes, type EncryptionContext } from './encryption-context.js';
import { needs } from '../errors/kms-error.js';

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-z-]+$/;

/** Checks that `key` can encrypt with `algorithm` (SYMMETRIC_DEFAULT unless stated). */
export function assertEncryptionKey(key: KeyRecord, algorithm: EncryptionAlgorithmSpec | undefined): EncryptionAlgorithmSpec {
  /* Precondition: the key's usage is ENCRYPT_DECRYPT. */
  needs(key.keyUsage === 'ENCRYPT_DECRYPT', `${key.arn} key usage is ${key.keyUsage} which is not valid for this operation.`, InvalidKeyUsageException);
  const chosen = algorithm ?? 'SYMMETRIC_DEFAULT';
  /* Precondition: a symmetric key encrypts only with SYMMETRIC_DEFAULT. */
  needs(key.keySpec !== 'SYMMETRIC_DEFAULT' || chosen === 'SYMMETRIC_DEFAULT',
    `The operation failed because the KMS key ${key.arn} does not support the ${chosen} encryption algorithm.`, InvalidKeyUsageException);
  return chosen;
}

export async function encryptUnderKey(
  call: OperationCall<unknown>,
  key: KeyRecord,
  plaintext: Uint8Array,
  context: EncryptionContext | undefined,
): Promise<Uint8Array> {
  const backingKey = await call.deps.keys.getBackingKey(key, key.currentBackingKeyId);
  // A key without its current backing key is a broken store, not a caller's mistake.
  if (backingKey === undefined) throw new KMSInternalException('An internal error occurred.');
  const header = encodeHeader({ keyArn: key.arn, backingKeyId: hexToBytes(backingKey.backingKeyId) });
  const sealed = await call.deps.material.encrypt(backingKey, plaintext, concatBytes(header, canonicalEncryptionContext(context)));
  return encodeCiphertext(header, sealed.iv, sealed.ciphertext);
}

export interface DecryptOptions {
  /** The `KeyId` member, when the caller named the key it expects. */
  readonly expectedKeyId?: string;
  readonly context: EncryptionContext | undefined;
  readonly algorithm: EncryptionAlgorithmSpec | undefined;
  readonly action: string;
}

/** Decrypts a symmetric ciphertext blob, returning the key that made it and the plaintext. */
export async function decryptBlob(
  call: OperationCall<unknown>,
  blob: Uint8Array,
  options: DecryptOptions,
): Promise<{ key: KeyRecord; plaintext: Uint8Array; algorithm: EncryptionAlgorithmSpec }> {
  const parsed = parseCiphertext(blob);
  /* Precondition: the blob names a well-formed key ARN. */
  needs(KEY_ARN.test(parsed.keyArn), '', InvalidCiphertextException);
  if (options.expectedKeyId !== undefined) {
    const expected = await resolveKey(call, options.expectedKeyId, { allowAliases: true, rule: 'any', action: options.action });
    /* Precondition: a KeyId in the request names the key the ciphertext was made with. */
    needs(expected.arn === parsed.keyArn,
      'The key ID in the request does not identify a CMK that can perform this operation.', IncorrectKeyException);
  }
  const key = await resolveKey(call, parsed.keyArn, { allowAliases: false, rule: 'cryptographic', action: options.action });
  const algorithm = assertEncryptionKey(key, options.algorithm);
  const backingKeyId = bytesToHex(parsed.backingKeyId);
  const backingKey = await call.deps.keys.getBackingKey(key, backingKeyId);
  needs(backingKey !== undefined, '', InvalidCiphertextException);
  const aad = concatBytes(parsed.header, canonicalEncryptionContext(options.context));
  try {
    const plaintext = await call.deps.material.decrypt(backingKey, { iv: parsed.iv, ciphertext: parsed.sealed }, aad);
    return { key, plaintext, algorithm };
  } catch (error) {
    // AWS answers a failed authentication with an InvalidCiphertextException that has no message.
    if (error instanceof InvalidCiphertextException) throw new InvalidCiphertextException('');
    throw error;
  }
}

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
