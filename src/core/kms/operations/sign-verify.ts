/** Sign, Verify and GetPublicKey. */
import { KMSInvalidSignatureException, UnsupportedOperationException } from '../../../models/kms/generated/errors.js';
import type { OperationHandler } from '../service.js';
import { resolveKey } from '../keys/resolve-key.js';
import { isAsymmetricSpec, keyAlgorithms } from '../keys/key-specs.js';
import { signingInput } from '../crypto/signing-rules.js';
import { currentKeyMaterial, publicKeyOf } from '../crypto/stored-key.js';
import { CustomerMasterKeySpecValues, type CustomerMasterKeySpec } from '../../../models/kms/generated/shapes.js';
import { assertNotDryRun } from './dry-run.js';
import { needs, withoutMessage } from '../../errors/service-error.js';
import { say } from '../messages.js';

export const sign: OperationHandler<'Sign'> = async (call) => {
  const { input } = call;
  const key = await resolveKey(call, input.KeyId, { allowAliases: true, rule: 'Sign', action: 'kms:Sign' });
  const signing = signingInput(key, input.SigningAlgorithm, input.MessageType, input.Message, 'Sign');
  assertNotDryRun(input.DryRun);
  const signature = await call.deps.asymmetric.sign(await currentKeyMaterial(call, key), input.SigningAlgorithm, signing);
  return { KeyId: key.arn, Signature: signature, SigningAlgorithm: input.SigningAlgorithm };
};

export const verify: OperationHandler<'Verify'> = async (call) => {
  const { input } = call;
  const key = await resolveKey(call, input.KeyId, { allowAliases: true, rule: 'Verify', action: 'kms:Verify' });
  const signing = signingInput(key, input.SigningAlgorithm, input.MessageType, input.Message, 'Verify');
  assertNotDryRun(input.DryRun);
  const current = await currentKeyMaterial(call, key);
  const valid = await call.deps.asymmetric.verify({ ...current, publicKey: publicKeyOf(current) }, input.SigningAlgorithm, signing, input.Signature);
  /* Precondition: the signature verifies; AWS answers a bad one with KMSInvalidSignatureException. */
  needs(valid, withoutMessage('The signature does not verify with the key and signing algorithm.'), KMSInvalidSignatureException);
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: input.SigningAlgorithm };
};

export const getPublicKey: OperationHandler<'GetPublicKey'> = async (call) => {
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: true, rule: 'GetPublicKey', action: 'kms:GetPublicKey' });
  /* Precondition: only asymmetric keys have a public key. */
  needs(isAsymmetricSpec(key.keySpec), () => say('notAsymmetricForPublicKey', { arn: key.arn }), UnsupportedOperationException);
  const current = await currentKeyMaterial(call, key);
  return {
    KeyId: key.arn,
    PublicKey: publicKeyOf(current),
    ...((CustomerMasterKeySpecValues as readonly string[]).includes(key.keySpec) ? { CustomerMasterKeySpec: key.keySpec as CustomerMasterKeySpec } : {}),
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    ...keyAlgorithms(key.keySpec, key.keyUsage),
  };
};
