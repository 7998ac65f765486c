/** Encrypt and Decrypt with RSA (RSAES-OAEP) and SM2 (SM2PKE) keys, as AWS KMS does them. */
import { KMSInternalException, ValidationException } from '../../../models/kms/generated/errors.js';
import type { EncryptionAlgorithmSpec } from '../../../models/kms/generated/shapes.js';
import type { KeyRecord } from '../records.js';
import type { OperationCall } from '../service.js';
import { isAsymmetricSpec, RSA_PLAINTEXT_LIMITS } from '../keys/key-specs.js';
import { needs } from '../../errors/service-error.js';
import type { EncryptionContext } from './encryption-context.js';
import { currentKeyMaterial, publicKeyOf } from './stored-key.js';
import { say } from '../messages.js';

/* Precondition: asymmetric encryption takes no encryption context. */
function assertNoContext(context: EncryptionContext | undefined): void {
  needs(context === undefined || Object.keys(context).length === 0,
    say('contextWithAsymmetricKey'), ValidationException);
}

export async function encryptWithPublicKey(
  call: OperationCall<unknown>,
  key: KeyRecord,
  algorithm: EncryptionAlgorithmSpec,
  plaintext: Uint8Array,
  context: EncryptionContext | undefined,
): Promise<Uint8Array> {
  assertNoContext(context);
  const limit = RSA_PLAINTEXT_LIMITS[key.keySpec]?.[algorithm] ?? 0;
  /* Precondition: the plaintext fits the key size and padding. */
  needs(plaintext.length <= limit,
    () => say('plaintextTooLarge', { algorithm, keySpec: key.keySpec, limit }), ValidationException);
  if (!isAsymmetricSpec(key.keySpec)) throw new KMSInternalException(say('internalError'), { reason: 'encryptWithPublicKey was called with a symmetric key.' });
  const current = await currentKeyMaterial(call, key);
  return call.deps.asymmetric.encryptWithPublicKey(key.keySpec, publicKeyOf(current), algorithm, plaintext);
}

export async function decryptWithPrivateKey(
  call: OperationCall<unknown>,
  key: KeyRecord,
  algorithm: EncryptionAlgorithmSpec,
  ciphertext: Uint8Array,
  context: EncryptionContext | undefined,
): Promise<Uint8Array> {
  assertNoContext(context);
  const current = await currentKeyMaterial(call, key);
  return call.deps.asymmetric.decryptWithPrivateKey(current, algorithm, ciphertext);
}
