/** Which signing algorithm and message type a key accepts, with AWS's errors when it does not. */
import { InvalidKeyUsageException, ValidationException } from '../../../models/kms/generated/errors.js';
import type { MessageType, SigningAlgorithmSpec } from '../../../models/kms/generated/shapes.js';
import type { KeyRecord } from '../records.js';
import type { SigningInput } from '../../ports/index.js';
import { DIGEST_LENGTHS, EXTERNAL_MU_LENGTH, KEY_SPEC_USAGES } from '../keys/key-specs.js';
import { needs } from '../../errors/service-error.js';
import { say } from '../messages.js';

export function signingInput(
  key: KeyRecord, algorithm: SigningAlgorithmSpec, messageType: MessageType | undefined, message: Uint8Array, operation: 'Sign' | 'Verify',
): SigningInput {
  /* Precondition: the key's usage is SIGN_VERIFY. */
  needs(key.keyUsage === 'SIGN_VERIFY', () => say('keyUsageNotValid', { arn: key.arn, usage: key.keyUsage, operation }), InvalidKeyUsageException);
  /* Precondition: the signing algorithm is one the key spec supports. */
  needs(KEY_SPEC_USAGES[key.keySpec].SIGN_VERIFY?.includes(algorithm) === true,
    () => say('algorithmIncompatible', { algorithm, keySpec: key.keySpec }), InvalidKeyUsageException);
  const type = messageType ?? 'RAW';
  if (type === 'EXTERNAL_MU') {
    /* Precondition: EXTERNAL_MU is for ML-DSA only, and mu is 64 bytes. */
    needs(algorithm === 'ML_DSA_SHAKE_256', say('externalMuAlgorithm'), ValidationException);
    needs(message.length === EXTERNAL_MU_LENGTH, () => say('externalMuLength', { length: EXTERNAL_MU_LENGTH }), ValidationException);
  }
  /* Precondition: ED25519_PH_SHA_512 takes a SHA-512 digest (MessageType DIGEST), as AWS defines it. */
  needs(algorithm !== 'ED25519_PH_SHA_512' || type === 'DIGEST',
    say('ed25519PhNeedsDigest'), ValidationException);
  if (type === 'DIGEST') {
    const digestLength = DIGEST_LENGTHS[algorithm];
    /* Precondition: DIGEST is not offered for ML-DSA and pure Ed25519, which sign the message itself. */
    needs(digestLength !== undefined, () => say('digestNotOffered', { algorithm }), ValidationException);
    /* Precondition: a digest has the length of the algorithm's hash. */
    needs(message.length === digestLength, () => say('digestLength', { algorithm }), ValidationException);
  }
  return { messageType: type, message };
}
