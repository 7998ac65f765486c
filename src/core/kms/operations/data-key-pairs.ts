/** GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext. */
import { DataKeyPairSpecValues, type DataKeyPairSpec } from '../../../models/kms/generated/shapes.js';
import type { OperationCall, OperationHandler } from '../service.js';
import { resolveKey } from '../keys/resolve-key.js';
import { assertOfferedInRegion } from '../keys/key-specs.js';
import { assertEncryptionKey, encryptUnderKey } from '../crypto/symmetric.js';
import { assertNotDryRun } from './dry-run.js';
import { assertNoRecipient } from './encrypt-decrypt.js';

interface DataKeyPairInput {
  readonly KeyId: string;
  readonly KeyPairSpec: DataKeyPairSpec;
  readonly EncryptionContext?: Readonly<Record<string, string>>;
  readonly DryRun?: boolean;
}

async function generatePair(call: OperationCall<unknown>, input: DataKeyPairInput, operation: 'GenerateDataKeyPair' | 'GenerateDataKeyPairWithoutPlaintext') {
  assertOfferedInRegion(input.KeyPairSpec, DataKeyPairSpecValues, 'keyPairSpec', call.ctx.region);
  const key = await resolveKey(call, input.KeyId, { allowAliases: true, rule: operation, action: `kms:${operation}` });
  /* Precondition: the private key is encrypted under a symmetric encryption key. */
  assertEncryptionKey(key, 'SYMMETRIC_DEFAULT', operation);
  assertNotDryRun(input.DryRun);
  const pair = await call.deps.asymmetric.generateDataKeyPair(input.KeyPairSpec);
  const blob = await encryptUnderKey(call, key, pair.privateKey, input.EncryptionContext);
  return {
    key,
    pair,
    common: {
      PrivateKeyCiphertextBlob: blob,
      PublicKey: pair.publicKey,
      KeyId: key.arn,
      KeyPairSpec: input.KeyPairSpec,
      KeyMaterialId: key.currentBackingKeyId,
    },
  };
}

export const generateDataKeyPair: OperationHandler<'GenerateDataKeyPair'> = async (call) => {
  assertNoRecipient(call.input.Recipient);
  const { pair, common } = await generatePair(call, call.input, 'GenerateDataKeyPair');
  return { ...common, PrivateKeyPlaintext: pair.privateKey };
};

export const generateDataKeyPairWithoutPlaintext: OperationHandler<'GenerateDataKeyPairWithoutPlaintext'> = async (call) => {
  const { pair, common } = await generatePair(call, call.input, 'GenerateDataKeyPairWithoutPlaintext');
  pair.privateKey.fill(0);
  return common;
};
