/** Encrypt, Decrypt and ReEncrypt with symmetric keys. */
import { UnsupportedOperationException, ValidationException } from '../../../models/kms/generated/errors.js';
import type { OperationCall, OperationHandler } from '../service.js';
import { isAsymmetricSpec } from '../keys/key-specs.js';
import { findKey, resolveKey } from '../keys/resolve-key.js';
import { assertEncryptionKey, decryptBlob, encryptWithKey } from '../crypto/symmetric.js';
import { assertNotDryRun } from './dry-run.js';
import { needs } from '../../errors/service-error.js';
import { say } from '../messages.js';
import { constraintViolation, sayConstraint, shownValue, validationSummary } from '../../errors/constraint-messages.js';

export const encrypt: OperationHandler<'Encrypt'> = async (call) => {
  const { input } = call;
  const key = await resolveKey(call, input.KeyId, { allowAliases: true, rule: 'Encrypt', action: 'kms:Encrypt' });
  const algorithm = assertEncryptionKey(key, input.EncryptionAlgorithm, 'Encrypt');
  assertNotDryRun(input.DryRun);
  const blob = await encryptWithKey(call, key, algorithm, input.Plaintext, input.EncryptionContext);
  return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: algorithm };
};

export const decrypt: OperationHandler<'Decrypt'> = async (call) => {
  const { input } = call;
  assertNoRecipient(input.Recipient);
  const ciphertext = await requireCiphertext(call, input, 'kms:Decrypt');
  const { key, plaintext, algorithm, keyMaterialId } = await decryptBlob(call, ciphertext, {
    expectedKeyId: input.KeyId,
    context: input.EncryptionContext,
    algorithm: input.EncryptionAlgorithm,
    action: 'kms:Decrypt',
    operation: 'Decrypt',
  });
  assertNotDryRun(input.DryRun);
  return { KeyId: key.arn, Plaintext: plaintext, EncryptionAlgorithm: algorithm, ...(keyMaterialId === undefined ? {} : { KeyMaterialId: keyMaterialId }) };
};

export const reEncrypt: OperationHandler<'ReEncrypt'> = async (call) => {
  const { input } = call;
  const ciphertext = await requireCiphertext(call, { ...input, KeyId: input.SourceKeyId }, 'kms:ReEncryptFrom');
  // kms:ReEncryptOnSameKey on the source side: the destination key as far as it can be found (errors come later, in order).
  const destinationArn = await findKey(call, input.DestinationKeyId, { allowAliases: true }).then((key) => key.arn, () => undefined);
  const source = await decryptBlob(call, ciphertext, {
    expectedKeyId: input.SourceKeyId,
    context: input.SourceEncryptionContext,
    algorithm: input.SourceEncryptionAlgorithm,
    action: 'kms:ReEncryptFrom',
    operation: 'ReEncrypt',
    facts: (key) => ({ reEncryptOnSameKey: key.arn === destinationArn }),
  });
  try {
    const destination = await resolveKey(call, input.DestinationKeyId, {
      allowAliases: true, rule: 'ReEncrypt', action: 'kms:ReEncryptTo', facts: (key) => ({ reEncryptOnSameKey: key.arn === source.key.arn }),
    });
    const algorithm = assertEncryptionKey(destination, input.DestinationEncryptionAlgorithm, 'ReEncrypt');
    assertNotDryRun(input.DryRun);
    const blob = await encryptWithKey(call, destination, algorithm, source.plaintext, input.DestinationEncryptionContext);
    return {
      CiphertextBlob: blob,
      SourceKeyId: source.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: source.algorithm,
      DestinationEncryptionAlgorithm: algorithm,
      ...(source.keyMaterialId === undefined ? {} : { SourceKeyMaterialId: source.keyMaterialId }),
      ...(isAsymmetricSpec(destination.keySpec) ? {} : { DestinationKeyMaterialId: destination.currentBackingKeyId }),
    };
  } finally {
    source.plaintext.fill(0);
  }
};

/**
 * The ciphertext is required unless a dry run asks to ignore it (`DryRunModifiers:
 * ['IGNORE_CIPHERTEXT']`); such a dry run checks the named key and stops.
 */
async function requireCiphertext(
  call: OperationCall<unknown>,
  input: { CiphertextBlob?: Uint8Array; KeyId?: string; DryRun?: boolean; DryRunModifiers?: readonly string[] },
  action: string,
): Promise<Uint8Array> {
  if (input.CiphertextBlob !== undefined) return input.CiphertextBlob;
  if (input.DryRun === true && input.DryRunModifiers?.includes('IGNORE_CIPHERTEXT') === true && input.KeyId !== undefined) {
    await resolveKey(call, input.KeyId, { allowAliases: true, rule: action === 'kms:Decrypt' ? 'Decrypt' : 'ReEncrypt', action });
    assertNotDryRun(true);
  }
  throw new ValidationException(validationSummary([constraintViolation(shownValue(undefined), 'ciphertextBlob', sayConstraint('mustNotBeNull'))]));
}

/** Nitro Enclaves attestation (the `Recipient` member) is not built yet. */
export function assertNoRecipient(recipient: unknown): void {
  needs(recipient === undefined, say('recipientNotSupported'), UnsupportedOperationException);
}

export type AnyCall = OperationCall<unknown>;
