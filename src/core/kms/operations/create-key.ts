/**
 * CreateKey for every key spec: symmetric keys get an AES-256 backing key made in the token,
 * HMAC and asymmetric keys a secret or key pair from the asymmetric key material (token tier where
 * the token has the mechanisms, software tier otherwise).
 */
import { UnsupportedOperationException, ValidationException } from '../../../models/kms/generated/errors.js';
import { CustomerMasterKeySpecValues, KeySpecValues, type KeySpec } from '../../../models/kms/generated/shapes.js';
import type { OperationCall, OperationHandler } from '../service.js';
import { scopeOf } from '../service.js';
import type { BackingKeyRecord, KeyRecord } from '../records.js';
import { keyArn, partitionOf } from '../keys/identifiers.js';
import { allowedUsages, assertOfferedInRegion, isAsymmetricSpec, isHmacSpec } from '../keys/key-specs.js';
import { toKeyMetadata } from '../keys/key-metadata.js';
import { defaultKeyPolicy } from '../keys/default-key-policy.js';
import { validateNewTags } from '../keys/tags.js';
import { needs } from '../../errors/service-error.js';
import { say } from '../messages.js';
import { importable } from './imported-material.js';

export const createKey: OperationHandler<'CreateKey'> = async (call) => {
  const { deps, ctx, input, touched } = call;
  await deps.access.onNoResource(call, 'kms:CreateKey');
  /* Precondition: KeySpec and its deprecated twin CustomerMasterKeySpec are not both given. */
  needs(input.KeySpec === undefined || input.CustomerMasterKeySpec === undefined,
    say('bothKeySpecs'), ValidationException);
  const keySpec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  if (input.KeySpec === undefined) assertOfferedInRegion(keySpec, CustomerMasterKeySpecValues, 'customerMasterKeySpec', ctx.region);
  else assertOfferedInRegion(keySpec, KeySpecValues, 'keySpec', ctx.region);
  const keyUsage = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
  const origin = input.Origin ?? 'AWS_KMS';
  /* Precondition: origins and options that are not built yet say so. */
  needs(origin === 'AWS_KMS' || origin === 'EXTERNAL', () => say('originNotSupported', { origin }), UnsupportedOperationException);
  /* Precondition: imported key material is offered for the key specs the token holds. */
  needs(origin !== 'EXTERNAL' || importable(keySpec), () => say('importNotOffered', { keySpec }), UnsupportedOperationException);
  needs(input.CustomKeyStoreId === undefined && input.XksKeyId === undefined, say('customKeyStoresNotSupported'), UnsupportedOperationException);
  needs(input.MultiRegion !== true, say('multiRegionNotSupported'), UnsupportedOperationException);
  /* Precondition: a key whose spec cannot encrypt names its KeyUsage (ENCRYPT_DECRYPT is only the default). */
  needs(input.KeyUsage !== undefined || allowedUsages(keySpec).includes(keyUsage), say('keyUsageRequired'), ValidationException);
  /* Precondition: the key usage is one AWS KMS allows for the key spec. */
  needs(allowedUsages(keySpec).includes(keyUsage),
    () => say('keyUsageIncompatibleWithSpec', { usage: keyUsage, keySpec }), ValidationException);
  const tags = validateNewTags([], input.Tags ?? []);
  const scope = scopeOf(ctx);
  const keyId = deps.ids.uuid();
  const arn = keyArn(scope, keyId);
  const policy = input.Policy ?? defaultKeyPolicy(scope.accountId, partitionOf(scope.region));
  // The default key policy names the caller's account, so it neither locks out nor names an unknown principal.
  if (input.Policy !== undefined) {
    await deps.access.checkNewKeyPolicy(call, { text: input.Policy, keyArn: arn, bypassLockoutCheck: input.BypassPolicyLockoutSafetyCheck === true });
  }
  const now = deps.clock.now().getTime();
  const key: KeyRecord = {
    keyId,
    arn,
    ...scope,
    description: input.Description ?? '',
    keySpec,
    keyUsage,
    origin,
    // A key for imported key material waits for it, with no material ID until the first import.
    keyState: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
    creationDate: now,
    currentBackingKeyId: origin === 'EXTERNAL' ? '' : deps.ids.hex64(),
    tags,
    multiRegion: false,
    policy,
    revision: 1,
  };
  // Tagging a key as it is made needs kms:TagResource from an IAM policy (the new key's policy does not count).
  if (tags.length > 0) await deps.access.onNewKey(call, key, 'kms:TagResource');
  const backingKey: BackingKeyRecord | undefined = origin === 'EXTERNAL' ? undefined : {
    ...scope, keyId, backingKeyId: key.currentBackingKeyId, creationDate: now, ...(await generateMaterial(call, keySpec)),
  };
  await deps.keys.createKey(key, backingKey);
  touched.add(key.arn);
  return { KeyMetadata: toKeyMetadata(key) };
};

async function generateMaterial(call: OperationCall<unknown>, keySpec: KeySpec): Promise<Pick<BackingKeyRecord, 'wrappedMaterial' | 'tier' | 'publicKey'>> {
  const { material, asymmetric } = call.deps;
  if (isHmacSpec(keySpec)) return asymmetric.generateMacKey(keySpec);
  if (isAsymmetricSpec(keySpec)) return asymmetric.generateKeyPair(keySpec);
  return { wrappedMaterial: await material.generateSymmetricKey() };
}
