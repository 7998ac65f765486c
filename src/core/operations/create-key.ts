/** CreateKey: a symmetric encryption key whose AES-256 backing key is made inside the token. */
import {
  MalformedPolicyDocumentException, UnsupportedOperationException, ValidationException,
} from '../generated/errors.js';
import type { OperationHandler } from '../service.js';
import { scopeOf } from '../service.js';
import type { KeyRecord } from '../records.js';
import { keyArn } from '../keys/identifiers.js';
import { KEY_USAGES_BY_SPEC, SUPPORTED_KEY_SPECS } from '../keys/key-specs.js';
import { toKeyMetadata } from '../keys/key-metadata.js';
import { defaultKeyPolicy } from '../keys/default-key-policy.js';
import { validateNewTags } from '../keys/tags.js';
import { needs } from '../errors/kms-error.js';

export const createKey: OperationHandler<'CreateKey'> = async ({ deps, ctx, input, touched }) => {
  /* Precondition: KeySpec and its deprecated twin CustomerMasterKeySpec are not both given. */
  needs(input.KeySpec === undefined || input.CustomerMasterKeySpec === undefined,
    'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.', ValidationException);
  const keySpec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  const keyUsage = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
  const origin = input.Origin ?? 'AWS_KMS';
  /* Precondition: key specs, origins and options that are not built yet say so. */
  needs(SUPPORTED_KEY_SPECS.has(keySpec), `KeySpec ${keySpec} is not supported yet by this service.`, UnsupportedOperationException);
  needs(origin === 'AWS_KMS', `Origin ${origin} is not supported yet by this service.`, UnsupportedOperationException);
  needs(input.CustomKeyStoreId === undefined && input.XksKeyId === undefined, 'Custom key stores are not supported yet by this service.', UnsupportedOperationException);
  needs(input.MultiRegion !== true, 'Multi-Region keys are not supported yet by this service.', UnsupportedOperationException);
  /* Precondition: the key usage is one AWS KMS allows for the key spec. */
  needs(KEY_USAGES_BY_SPEC[keySpec]?.includes(keyUsage) === true,
    `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`, ValidationException);
  const tags = validateNewTags([], input.Tags ?? []);
  const scope = scopeOf(ctx);
  const policy = input.Policy ?? defaultKeyPolicy(scope.accountId);
  /* Precondition: a key policy is a JSON object. */
  needs(isJsonObject(policy), 'The policy document is not valid JSON.', MalformedPolicyDocumentException);

  const keyId = deps.ids.uuid();
  const backingKeyId = deps.ids.hex64();
  const wrappedMaterial = await deps.material.generateSymmetricKey();
  const now = deps.clock.now().getTime();
  const key: KeyRecord = {
    keyId,
    arn: keyArn(scope, keyId),
    ...scope,
    description: input.Description ?? '',
    keySpec,
    keyUsage,
    origin,
    keyState: 'Enabled',
    creationDate: now,
    currentBackingKeyId: backingKeyId,
    tags,
    multiRegion: false,
    policy,
    revision: 1,
  };
  await deps.keys.createKey(key, { ...scope, keyId, backingKeyId, wrappedMaterial, creationDate: now });
  touched.add(key.arn);
  return { KeyMetadata: toKeyMetadata(key) };
};

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}
