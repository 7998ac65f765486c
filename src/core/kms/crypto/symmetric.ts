/**
 * Symmetric encryption under a KMS key: the blob format, the encryption context as AAD and the
 * token's AES-256-GCM, combined. Shared by Encrypt, Decrypt, ReEncrypt and GenerateDataKey*.
 */
import {
  IncorrectKeyException, InvalidCiphertextException, InvalidKeyUsageException,
} from '../../../models/kms/generated/errors.js';
import { currentKeyMaterial } from './stored-key.js';
import type { EncryptionAlgorithmSpec } from '../../../models/kms/generated/shapes.js';
import type { KeyRecord } from '../records.js';
import type { KeyAccessFacts, OperationCall } from '../service.js';
import { resolveKey } from '../keys/resolve-key.js';
import { assertKeyStateAllows } from '../keys/key-states.js';
import { KEY_SPEC_USAGES, isAsymmetricSpec } from '../keys/key-specs.js';
import { decryptWithPrivateKey, encryptWithPublicKey } from './asymmetric-encryption.js';
import { encodeCiphertext, encodeHeader, parseCiphertext } from './ciphertext-blob.js';
import { canonicalEncryptionContext, concatBytes, type EncryptionContext } from './encryption-context.js';
import { needs, withoutMessage } from '../../errors/service-error.js';
import { bytesToHex, hexToBytes } from '../../encoding.js';
import { operationOfAction, say } from '../messages.js';

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-z-]+$/;

/** Checks that `key` can encrypt with `algorithm` (SYMMETRIC_DEFAULT unless stated) and returns it. */
export function assertEncryptionKey(key: KeyRecord, algorithm: EncryptionAlgorithmSpec | undefined, operation: string): EncryptionAlgorithmSpec {
  /* Precondition: the key's usage is ENCRYPT_DECRYPT. */
  needs(key.keyUsage === 'ENCRYPT_DECRYPT', () => say('keyUsageNotValid', { arn: key.arn, usage: key.keyUsage, operation }), InvalidKeyUsageException);
  const chosen = algorithm ?? 'SYMMETRIC_DEFAULT';
  /* Precondition: the algorithm is one the key spec supports. */
  needs(KEY_SPEC_USAGES[key.keySpec].ENCRYPT_DECRYPT?.includes(chosen) === true,
    () => say('algorithmIncompatible', { algorithm: chosen, keySpec: key.keySpec }), InvalidKeyUsageException);
  return chosen;
}

/** Encrypts under any ENCRYPT_DECRYPT key: the blob format for symmetric keys, raw RSA/SM2 ciphertext otherwise. */
export async function encryptWithKey(
  call: OperationCall<unknown>,
  key: KeyRecord,
  algorithm: EncryptionAlgorithmSpec,
  plaintext: Uint8Array,
  context: EncryptionContext | undefined,
): Promise<Uint8Array> {
  if (isAsymmetricSpec(key.keySpec)) return encryptWithPublicKey(call, key, algorithm, plaintext, context);
  return encryptUnderKey(call, key, plaintext, context);
}

export async function encryptUnderKey(
  call: OperationCall<unknown>,
  key: KeyRecord,
  plaintext: Uint8Array,
  context: EncryptionContext | undefined,
): Promise<Uint8Array> {
  const backingKey = await currentKeyMaterial(call, key);
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
  /** The key state table's row: Decrypt, or ReEncrypt for its source key. */
  readonly operation: 'Decrypt' | 'ReEncrypt';
  /** Facts for the action's condition keys, given the key (kms:ReEncryptOnSameKey). */
  readonly facts?: (key: KeyRecord) => KeyAccessFacts;
}

/** Decrypts a symmetric ciphertext blob, returning the key that made it and the plaintext. */
export async function decryptBlob(
  call: OperationCall<unknown>,
  blob: Uint8Array,
  options: DecryptOptions,
): Promise<{ key: KeyRecord; plaintext: Uint8Array; algorithm: EncryptionAlgorithmSpec; keyMaterialId?: string }> {
  const named = options.expectedKeyId === undefined
    ? undefined
    : await resolveKey(call, options.expectedKeyId, { allowAliases: true, rule: 'DescribeKey', action: options.action, ...facts(options) });
  if (named !== undefined && isAsymmetricSpec(named.keySpec)) {
    // Asymmetric ciphertext carries no header: the request's KeyId and algorithm say how to read it.
    assertKeyStateAllows(named, options.operation);
    const algorithm = assertEncryptionKey(named, options.algorithm, operationOfAction(options.action));
    return { key: named, algorithm, plaintext: await decryptWithPrivateKey(call, named, algorithm, blob, options.context) };
  }
  const parsed = parseCiphertext(blob);
  /* Precondition: the blob names a well-formed key ARN. */
  needs(KEY_ARN.test(parsed.keyArn), withoutMessage('The ciphertext blob names no well-formed key ARN.'), InvalidCiphertextException);
  /* Precondition: a KeyId in the request names the key the ciphertext was made with. */
  needs(named === undefined || named.arn === parsed.keyArn,
    say('incorrectKey'), IncorrectKeyException);
  const key = await resolveKey(call, parsed.keyArn, { allowAliases: false, rule: options.operation, action: options.action, ...facts(options) });
  const algorithm = assertEncryptionKey(key, options.algorithm, operationOfAction(options.action));
  const backingKeyId = bytesToHex(parsed.backingKeyId);
  const backingKey = await call.deps.keys.getBackingKey(key, backingKeyId);
  needs(backingKey !== undefined, withoutMessage('The ciphertext blob names a backing key the KMS key does not have.'), InvalidCiphertextException);
  const aad = concatBytes(parsed.header, canonicalEncryptionContext(options.context));
  try {
    const plaintext = await call.deps.material.decrypt(backingKey, { iv: parsed.iv, ciphertext: parsed.sealed }, aad);
    // The key material that decrypted, which AWS returns as KeyMaterialId for symmetric keys.
    return { key, plaintext, algorithm, keyMaterialId: backingKeyId };
  } catch (error) {
    // AWS answers a failed authentication with an InvalidCiphertextException that has no message.
    if (error instanceof InvalidCiphertextException) {
      throw new InvalidCiphertextException('', { reason: 'The ciphertext does not authenticate: a changed blob, or another encryption context than the one it was made with.' });
    }
    throw error;
  }
}

function facts(options: DecryptOptions): { facts?: (key: KeyRecord) => KeyAccessFacts } {
  return options.facts === undefined ? {} : { facts: options.facts };
}
