/** GenerateDataKey, GenerateDataKeyWithoutPlaintext and GenerateRandom. */
import { UnsupportedOperationException, ValidationException } from '../../../models/kms/generated/errors.js';
import type { DataKeySpec } from '../../../models/kms/generated/shapes.js';
import type { OperationCall, OperationHandler } from '../service.js';
import { resolveKey } from '../keys/resolve-key.js';
import { assertEncryptionKey, encryptUnderKey } from '../crypto/symmetric.js';
import { assertNotDryRun } from './dry-run.js';
import { assertNoRecipient } from './encrypt-decrypt.js';
import { needs } from '../../errors/service-error.js';
import { say } from '../messages.js';

const DATA_KEY_BYTES: Readonly<Record<DataKeySpec, number>> = { AES_128: 16, AES_256: 32 };

interface DataKeyInput {
  readonly KeyId: string;
  readonly KeySpec?: DataKeySpec;
  readonly NumberOfBytes?: number;
  readonly EncryptionContext?: Readonly<Record<string, string>>;
  readonly DryRun?: boolean;
}

async function generateDataKeyCore(call: OperationCall<unknown>, input: DataKeyInput, operation: 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext') {
  /* Precondition: exactly one of KeySpec and NumberOfBytes is given. */
  needs((input.KeySpec === undefined) !== (input.NumberOfBytes === undefined),
    say('numberOfBytesOrKeySpec'), ValidationException);
  const key = await resolveKey(call, input.KeyId, { allowAliases: true, rule: operation, action: `kms:${operation}` });
  assertEncryptionKey(key, undefined, operation);
  assertNotDryRun(input.DryRun);
  const length = input.KeySpec === undefined ? (input.NumberOfBytes ?? 0) : DATA_KEY_BYTES[input.KeySpec];
  const plaintext = await call.deps.material.generateRandom(length);
  const blob = await encryptUnderKey(call, key, plaintext, input.EncryptionContext);
  return { key, plaintext, blob };
}

export const generateDataKey: OperationHandler<'GenerateDataKey'> = async (call) => {
  assertNoRecipient(call.input.Recipient);
  const { key, plaintext, blob } = await generateDataKeyCore(call, call.input, 'GenerateDataKey');
  return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: key.arn, KeyMaterialId: key.currentBackingKeyId };
};

export const generateDataKeyWithoutPlaintext: OperationHandler<'GenerateDataKeyWithoutPlaintext'> = async (call) => {
  const { key, plaintext, blob } = await generateDataKeyCore(call, call.input, 'GenerateDataKeyWithoutPlaintext');
  plaintext.fill(0);
  return { CiphertextBlob: blob, KeyId: key.arn, KeyMaterialId: key.currentBackingKeyId };
};

export const generateRandom: OperationHandler<'GenerateRandom'> = async (call) => {
  const { deps, input } = call;
  await deps.access.onNoResource(call, 'kms:GenerateRandom');
  assertNoRecipient(input.Recipient);
  needs(input.CustomKeyStoreId === undefined, say('customKeyStoresNotSupported'), UnsupportedOperationException);
  /* Precondition: the number of bytes is given (the model's range check covers 1 to 1024). */
  needs(input.NumberOfBytes !== undefined, say('numberOfBytesRequired'), ValidationException);
  return { Plaintext: await deps.material.generateRandom(input.NumberOfBytes) };
};
