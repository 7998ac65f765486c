import { describe, expect, it } from 'vitest';
import {
  LimitExceededException, MalformedPolicyDocumentException, TagException, UnsupportedOperationException, ValidationException,
} from '../../../../src/models/kms/generated/errors.js';
import type { CreateKeyRequest } from '../../../../src/models/kms/generated/shapes.js';
import { defaultKeyPolicy } from '../../../../src/core/kms/keys/default-key-policy.js';
import { createKey } from '../../../../src/core/kms/operations/create-key.js';
import { encrypt } from '../../../../src/core/kms/operations/encrypt-decrypt.js';
import { ACCOUNT_ID, REGION, bytes, caught, makeCall, makeCore, runHandler } from '../../../support/core.js';

const makeTags = (count: number, prefix = 'k') =>
  Array.from({ length: count }, (_, i) => ({ TagKey: `${prefix}${i}`, TagValue: `v${i}` }));

describe('createKey', () => {
  it('returns the metadata of an enabled symmetric key when the request names nothing', async () => {
    // Prepare
    const core = makeCore();

    // Act
    const { KeyMetadata } = await runHandler(core, createKey, {});

    // Assess
    const keyId = '00000000-0000-4000-8000-000000000001';
    expect(KeyMetadata).toEqual({
      AWSAccountId: ACCOUNT_ID,
      KeyId: keyId,
      Arn: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${keyId}`,
      CreationDate: core.clock.now(),
      Enabled: true,
      Description: '',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
      CurrentKeyMaterialId: '1'.padStart(64, '0'),
    });
  });

  it('stores the key with the default key policy, its first backing key and revision 1', async () => {
    // Prepare
    const core = makeCore();

    // Act
    const { KeyMetadata } = await runHandler(core, createKey, { Description: 'orders', Tags: [{ TagKey: 'team', TagValue: 'a' }] });

    // Assess
    const stored = await core.store.getKey({ accountId: ACCOUNT_ID, region: REGION, keyId: KeyMetadata?.KeyId ?? '' });
    expect(stored).toMatchObject({
      description: 'orders',
      policy: defaultKeyPolicy(ACCOUNT_ID),
      revision: 1,
      tags: [{ tagKey: 'team', tagValue: 'a' }],
      currentBackingKeyId: '1'.padStart(64, '0'),
    });
    const backing = await core.store.getBackingKey(stored ?? { accountId: '', region: '', keyId: '' }, '1'.padStart(64, '0'));
    expect(backing?.wrappedMaterial.length).toBeGreaterThan(0);
  });

  it('records the new key among the touched resources', async () => {
    // Prepare
    const core = makeCore();
    const call = makeCall<CreateKeyRequest>(core, {});

    // Act
    const { KeyMetadata } = await createKey(call);

    // Assess
    expect(call.touched.list()).toEqual([KeyMetadata?.Arn]);
  });

  it('returns a key that can encrypt at once', async () => {
    // Prepare
    const core = makeCore();
    const { KeyMetadata } = await runHandler(core, createKey, {});

    // Act
    const output = await runHandler(core, encrypt, { KeyId: KeyMetadata?.KeyId ?? '', Plaintext: bytes('hi') });

    // Assess
    expect(output.KeyId).toBe(KeyMetadata?.Arn);
  });

  it.each<[string, CreateKeyRequest]>([
    ['KeySpec', { KeySpec: 'SYMMETRIC_DEFAULT' }],
    ['CustomerMasterKeySpec', { CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' }],
    ['KeyUsage ENCRYPT_DECRYPT', { KeyUsage: 'ENCRYPT_DECRYPT' }],
    ['Origin AWS_KMS', { Origin: 'AWS_KMS' }],
    ['MultiRegion false', { MultiRegion: false }],
    ['a policy of its own', { Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Root', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }],
    }) }],
  ])('returns a symmetric key when the request names %s', async (_, input) => {
    // Prepare
    const core = makeCore();

    // Act
    const { KeyMetadata } = await runHandler(core, createKey, input);

    // Assess
    expect(KeyMetadata?.KeySpec).toBe('SYMMETRIC_DEFAULT');
  });

  it('throws ValidationException because KeySpec and its deprecated twin CustomerMasterKeySpec are not both given', async () => {
    // Prepare
    const core = makeCore();

    // Act
    const error = await caught(runHandler(core, createKey, { KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
  });

  it.each<[string, CreateKeyRequest, string]>([
    ['Origin AWS_CLOUDHSM', { Origin: 'AWS_CLOUDHSM' }, 'Origin AWS_CLOUDHSM is not supported yet by this service.'],
    ['Origin EXTERNAL_KEY_STORE', { Origin: 'EXTERNAL_KEY_STORE' }, 'Origin EXTERNAL_KEY_STORE is not supported yet by this service.'],
    ['a custom key store', { CustomKeyStoreId: 'cks-1234567890abcdef0' }, 'Custom key stores are not supported yet by this service.'],
    ['an external key', { XksKeyId: 'xks-key-1' }, 'Custom key stores are not supported yet by this service.'],
    ['a multi-Region key', { MultiRegion: true }, 'Multi-Region keys are not supported yet by this service.'],
  ])('throws UnsupportedOperationException because origins and options that are not built yet say so (given %s)', async (_, input, message) => {
    // Prepare
    const core = makeCore();

    // Act
    const error = await caught(runHandler(core, createKey, input));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedOperationException);
    expect(error.message).toBe(message);
    expect((await core.store.listKeys(ACCOUNT_ID, REGION, { limit: 10 })).items).toEqual([]);
  });

  it.each(['SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const)(
    'throws ValidationException because the key usage is one AWS KMS allows for the key spec (given %s)', async (usage) => {
      // Prepare
      const core = makeCore();

      // Act
      const error = await caught(runHandler(core, createKey, { KeyUsage: usage }));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe(`KeyUsage ${usage} is not compatible with KeySpec SYMMETRIC_DEFAULT`);
    });

  it.each<[string, CreateKeyRequest['Tags'], typeof TagException | typeof LimitExceededException, string]>([
    ['a tag key beginning with aws:', [{ TagKey: 'AWS:owner', TagValue: 'x' }], TagException, 'Tags beginning with aws: are reserved'],
    ['a tag key twice', [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '2' }], TagException, 'Duplicate tag keys'],
    ['51 tags', makeTags(51), TagException, 'Too many tags'],
  ])('throws when the tags have %s', async (_, tags, ErrorClass, message) => {
    // Prepare
    const core = makeCore();

    // Act
    const error = await caught(runHandler(core, createKey, { Tags: tags }));

    // Assess
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.message).toBe(message);
  });

  it('returns a key with 50 tags when the request has exactly 50', async () => {
    // Prepare
    const core = makeCore();

    // Act
    const { KeyMetadata } = await runHandler(core, createKey, { Tags: makeTags(50) });

    // Assess
    const stored = await core.store.getKey({ accountId: ACCOUNT_ID, region: REGION, keyId: KeyMetadata?.KeyId ?? '' });
    expect(stored?.tags).toHaveLength(50);
  });

  it.each([
    ['text that is not JSON', 'not json', 'The policy document is not valid JSON: syntax error.'],
    ['a JSON array', '[]', 'The policy document must be a JSON object.'],
    ['JSON null', 'null', 'The policy document must be a JSON object.'],
    ['a JSON string', '"policy"', 'The policy document must be a JSON object.'],
  ])('throws MalformedPolicyDocumentException because a key policy is a JSON object (given %s)', async (_, policy, message) => {
    // Prepare
    const core = makeCore();

    // Act
    const error = await caught(runHandler(core, createKey, { Policy: policy }));

    // Assess
    expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
    expect(error.message).toBe(message);
  });
});
