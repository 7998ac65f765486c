/** DeriveSharedSecret: ECDH between a KEY_AGREEMENT key's private key and a caller's public key. */
import { InvalidKeyUsageException } from '../../../models/kms/generated/errors.js';
import type { OperationHandler } from '../service.js';
import { resolveKey } from '../keys/resolve-key.js';
import { KEY_SPEC_USAGES } from '../keys/key-specs.js';
import { currentKeyMaterial } from '../crypto/stored-key.js';
import { assertNotDryRun } from './dry-run.js';
import { assertNoRecipient } from './encrypt-decrypt.js';
import { needs } from '../../errors/service-error.js';
import { say } from '../messages.js';

export const deriveSharedSecret: OperationHandler<'DeriveSharedSecret'> = async (call) => {
  const { input } = call;
  assertNoRecipient(input.Recipient);
  const key = await resolveKey(call, input.KeyId, { allowAliases: true, rule: 'DeriveSharedSecret', action: 'kms:DeriveSharedSecret' });
  /* Precondition: the key's usage is KEY_AGREEMENT. */
  needs(key.keyUsage === 'KEY_AGREEMENT', () => say('keyUsageNotValid', { arn: key.arn, usage: key.keyUsage, operation: 'DeriveSharedSecret' }), InvalidKeyUsageException);
  /* Precondition: the key agreement algorithm is one the key spec supports. */
  needs(KEY_SPEC_USAGES[key.keySpec].KEY_AGREEMENT?.includes(input.KeyAgreementAlgorithm) === true,
    () => say('algorithmIncompatible', { algorithm: input.KeyAgreementAlgorithm, keySpec: key.keySpec }), InvalidKeyUsageException);
  assertNotDryRun(input.DryRun);
  const secret = await call.deps.asymmetric.deriveSharedSecret(await currentKeyMaterial(call, key), input.PublicKey);
  return { KeyId: key.arn, SharedSecret: secret, KeyAgreementAlgorithm: input.KeyAgreementAlgorithm, KeyOrigin: key.origin };
};
