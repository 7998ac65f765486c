/** GenerateMac and VerifyMac with HMAC keys. */
import { InvalidKeyUsageException, KMSInvalidMacException } from '../../../models/kms/generated/errors.js';
import type { MacAlgorithmSpec } from '../../../models/kms/generated/shapes.js';
import type { KeyRecord } from '../records.js';
import type { OperationCall, OperationHandler } from '../service.js';
import { resolveKey } from '../keys/resolve-key.js';
import { KEY_SPEC_USAGES } from '../keys/key-specs.js';
import { currentKeyMaterial } from '../crypto/stored-key.js';
import { constantTimeEqual } from '../crypto/constant-time.js';
import { assertNotDryRun } from './dry-run.js';
import { needs, withoutMessage } from '../../errors/service-error.js';
import { say } from '../messages.js';

function assertMacKey(key: KeyRecord, algorithm: MacAlgorithmSpec, operation: string): void {
  /* Precondition: the key's usage is GENERATE_VERIFY_MAC. */
  needs(key.keyUsage === 'GENERATE_VERIFY_MAC', () => say('keyUsageNotValid', { arn: key.arn, usage: key.keyUsage, operation }), InvalidKeyUsageException);
  /* Precondition: the MAC algorithm is the one of the key spec. */
  needs(KEY_SPEC_USAGES[key.keySpec].GENERATE_VERIFY_MAC?.includes(algorithm) === true,
    () => say('algorithmIncompatible', { algorithm, keySpec: key.keySpec }), InvalidKeyUsageException);
}

async function computeMac(call: OperationCall<unknown>, keyId: string, algorithm: MacAlgorithmSpec, message: Uint8Array, dryRun: boolean | undefined, operation: 'GenerateMac' | 'VerifyMac') {
  const key = await resolveKey(call, keyId, { allowAliases: true, rule: operation, action: `kms:${operation}` });
  assertMacKey(key, algorithm, operation);
  assertNotDryRun(dryRun);
  return { key, mac: await call.deps.asymmetric.generateMac(await currentKeyMaterial(call, key), algorithm, message) };
}

export const generateMac: OperationHandler<'GenerateMac'> = async (call) => {
  const { input } = call;
  const { key, mac } = await computeMac(call, input.KeyId, input.MacAlgorithm, input.Message, input.DryRun, 'GenerateMac');
  return { Mac: mac, MacAlgorithm: input.MacAlgorithm, KeyId: key.arn };
};

export const verifyMac: OperationHandler<'VerifyMac'> = async (call) => {
  const { input } = call;
  const { key, mac } = await computeMac(call, input.KeyId, input.MacAlgorithm, input.Message, input.DryRun, 'VerifyMac');
  /* Precondition: the MAC matches, compared in constant time. */
  needs(constantTimeEqual(mac, input.Mac), withoutMessage('The MAC does not match the message.'), KMSInvalidMacException);
  return { KeyId: key.arn, MacValid: true, MacAlgorithm: input.MacAlgorithm };
};
