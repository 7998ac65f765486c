import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationException } from '../../../../src/models/kms/generated/errors.js';
import {
  KeySpecValues, KeyUsageTypeValues, type EncryptionAlgorithmSpec, type KeyMetadata, type KeySpec, type KeyUsageType,
  type SigningAlgorithmSpec,
} from '../../../../src/models/kms/generated/shapes.js';
import type { GeneratedKeyPair } from '../../../../src/core/ports/index.js';
import { createKey } from '../../../../src/core/kms/operations/create-key.js';
import { FakeAsymmetricMaterial } from '../../../support/fake-asymmetric-material.js';
import { ACCOUNT_ID, REGION, caught, makeContext, makeCore, runHandler, withAsymmetric } from '../../../support/core.js';

/** Key material that answers at once with placeholder bytes, for tests of metadata only (RSA, ML-DSA and SM2 included). */
class PlaceholderKeyPairs extends FakeAsymmetricMaterial {
  override async generateKeyPair(): Promise<GeneratedKeyPair> {
    return { wrappedMaterial: Uint8Array.of(1, 2, 3), tier: 'software', publicKey: Uint8Array.of(4, 5, 6) };
  }
}

const fastCore = () => withAsymmetric(makeCore(), new PlaceholderKeyPairs());
const CHINA = makeContext({ region: 'cn-north-1' });
/** SM2 exists only in the China Regions, so the matrix asks for it there. */
const contextFor = (spec: KeySpec) => (spec === 'SM2' ? CHINA : makeContext());

const RSA_SIGNING: SigningAlgorithmSpec[] = [
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
];
const RSA_ENCRYPTION: EncryptionAlgorithmSpec[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];

/** The KeyMetadata algorithm list of every (KeySpec, KeyUsage) pair AWS KMS allows, as the AWS KMS Developer Guide lists them. */
const ALLOWED: Readonly<Record<KeySpec, Partial<Record<KeyUsageType, Partial<KeyMetadata>>>>> = {
  SYMMETRIC_DEFAULT: { ENCRYPT_DECRYPT: { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] } },
  RSA_2048: { ENCRYPT_DECRYPT: { EncryptionAlgorithms: RSA_ENCRYPTION }, SIGN_VERIFY: { SigningAlgorithms: RSA_SIGNING } },
  RSA_3072: { ENCRYPT_DECRYPT: { EncryptionAlgorithms: RSA_ENCRYPTION }, SIGN_VERIFY: { SigningAlgorithms: RSA_SIGNING } },
  RSA_4096: { ENCRYPT_DECRYPT: { EncryptionAlgorithms: RSA_ENCRYPTION }, SIGN_VERIFY: { SigningAlgorithms: RSA_SIGNING } },
  ECC_NIST_P256: { SIGN_VERIFY: { SigningAlgorithms: ['ECDSA_SHA_256'] }, KEY_AGREEMENT: { KeyAgreementAlgorithms: ['ECDH'] } },
  ECC_NIST_P384: { SIGN_VERIFY: { SigningAlgorithms: ['ECDSA_SHA_384'] }, KEY_AGREEMENT: { KeyAgreementAlgorithms: ['ECDH'] } },
  ECC_NIST_P521: { SIGN_VERIFY: { SigningAlgorithms: ['ECDSA_SHA_512'] }, KEY_AGREEMENT: { KeyAgreementAlgorithms: ['ECDH'] } },
  ECC_SECG_P256K1: { SIGN_VERIFY: { SigningAlgorithms: ['ECDSA_SHA_256'] } },
  ECC_NIST_EDWARDS25519: { SIGN_VERIFY: { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] } },
  HMAC_224: { GENERATE_VERIFY_MAC: { MacAlgorithms: ['HMAC_SHA_224'] } },
  HMAC_256: { GENERATE_VERIFY_MAC: { MacAlgorithms: ['HMAC_SHA_256'] } },
  HMAC_384: { GENERATE_VERIFY_MAC: { MacAlgorithms: ['HMAC_SHA_384'] } },
  HMAC_512: { GENERATE_VERIFY_MAC: { MacAlgorithms: ['HMAC_SHA_512'] } },
  ML_DSA_44: { SIGN_VERIFY: { SigningAlgorithms: ['ML_DSA_SHAKE_256'] } },
  ML_DSA_65: { SIGN_VERIFY: { SigningAlgorithms: ['ML_DSA_SHAKE_256'] } },
  ML_DSA_87: { SIGN_VERIFY: { SigningAlgorithms: ['ML_DSA_SHAKE_256'] } },
  SM2: {
    ENCRYPT_DECRYPT: { EncryptionAlgorithms: ['SM2PKE'] },
    SIGN_VERIFY: { SigningAlgorithms: ['SM2DSA'] },
    KEY_AGREEMENT: { KeyAgreementAlgorithms: ['ECDH'] },
  },
};

const PAIRS = KeySpecValues.flatMap((spec) => KeyUsageTypeValues.map((usage) => [spec, usage] as const));
const ALLOWED_PAIRS = PAIRS.filter(([spec, usage]) => ALLOWED[spec][usage] !== undefined);
const REFUSED_PAIRS = PAIRS.filter(([spec, usage]) => ALLOWED[spec][usage] === undefined);
const LEGACY_SPECS: readonly KeySpec[] = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2',
];
const ALGORITHM_MEMBERS = ['EncryptionAlgorithms', 'SigningAlgorithms', 'MacAlgorithms', 'KeyAgreementAlgorithms'] as const;

/** AWS's enum list for KeySpec in a Region without SM2. */
const KEY_SPECS_WITHOUT_SM2 = 'RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, '
  + 'SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, HMAC_384, HMAC_512, ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519';
/** AWS's enum list for the deprecated CustomerMasterKeySpec in a Region without SM2. */
const CUSTOMER_MASTER_KEY_SPECS_WITHOUT_SM2 = 'RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, '
  + 'ECC_SECG_P256K1, SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, HMAC_384, HMAC_512';

describe('createKey for every key spec', () => {
  describe('the KeySpec × KeyUsage matrix', () => {
    it.each(ALLOWED_PAIRS)('returns KeyMetadata with the algorithm list of %s keys when the usage is %s', async (spec, usage) => {
      // Prepare
      const core = fastCore();
      const expected = ALLOWED[spec][usage] ?? {};

      // Act
      const { KeyMetadata } = await runHandler(core, createKey, { KeySpec: spec, KeyUsage: usage }, contextFor(spec));

      // Assess
      expect(KeyMetadata).toMatchObject({ KeySpec: spec, KeyUsage: usage, KeyState: 'Enabled', Enabled: true, Origin: 'AWS_KMS', ...expected });
      for (const member of ALGORITHM_MEMBERS) {
        expect(KeyMetadata?.[member] !== undefined, member).toBe(member in expected);
      }
      expect(KeyMetadata?.CustomerMasterKeySpec).toBe(LEGACY_SPECS.includes(spec) ? spec : undefined);
    });

    it.each(REFUSED_PAIRS)('throws ValidationException when the key spec %s is asked for usage %s, as the key usage is one AWS KMS allows for the key spec', async (spec, usage) => {
      // Prepare
      const core = fastCore();

      // Act
      const error = await caught(runHandler(core, createKey, { KeySpec: spec, KeyUsage: usage }, contextFor(spec)));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe(`KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
      expect((await core.store.listKeys(ACCOUNT_ID, contextFor(spec).region, { limit: 10 })).items).toEqual([]);
    });
  });

  it.each(KeySpecValues.filter((spec) => spec !== 'SYMMETRIC_DEFAULT' && spec !== 'RSA_2048' && spec !== 'RSA_3072' && spec !== 'RSA_4096' && spec !== 'SM2'))(
    'throws ValidationException when a %s key names no KeyUsage because a key whose spec cannot encrypt names its KeyUsage',
    async (spec) => {
      // Prepare
      const core = fastCore();

      // Act
      const error = await caught(runHandler(core, createKey, { KeySpec: spec }));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
    },
  );

  it.each(['ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const)('throws ValidationException when an ML-DSA key is asked for %s, as ML-DSA keys only sign and verify', async (usage) => {
    // Prepare
    const core = fastCore();

    // Act
    const errors = await Promise.all((['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const).map((spec) => caught(runHandler(core, createKey, { KeySpec: spec, KeyUsage: usage }))));

    // Assess
    for (const error of errors) expect(error).toBeInstanceOf(ValidationException);
  });

  it.each(KeySpecValues.filter((spec) => spec !== 'SM2'))('returns CurrentKeyMaterialId only when the key spec is SYMMETRIC_DEFAULT (%s)', async (spec) => {
    // Prepare
    const core = fastCore();
    const usage = Object.keys(ALLOWED[spec])[0] as KeyUsageType;

    // Act
    const { KeyMetadata } = await runHandler(core, createKey, { KeySpec: spec, KeyUsage: usage });

    // Assess
    expect(KeyMetadata?.CurrentKeyMaterialId).toBe(spec === 'SYMMETRIC_DEFAULT' ? '1'.padStart(64, '0') : undefined);
  });

  it('returns the key spec when the deprecated CustomerMasterKeySpec names an asymmetric spec', async () => {
    // Prepare
    const core = fastCore();

    // Act
    const { KeyMetadata } = await runHandler(core, createKey, { CustomerMasterKeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });

    // Assess
    expect(KeyMetadata).toMatchObject({ KeySpec: 'ECC_SECG_P256K1', CustomerMasterKeySpec: 'ECC_SECG_P256K1', SigningAlgorithms: ['ECDSA_SHA_256'] });
  });

  describe('material', () => {
    it.each([
      ['ECC_NIST_P256', 'SIGN_VERIFY', 'ec', 'prime256v1'],
      ['ECC_NIST_P384', 'KEY_AGREEMENT', 'ec', 'secp384r1'],
      ['ECC_NIST_P521', 'SIGN_VERIFY', 'ec', 'secp521r1'],
      ['ECC_SECG_P256K1', 'SIGN_VERIFY', 'ec', 'secp256k1'],
      ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', 'ed25519', undefined],
      ['RSA_2048', 'ENCRYPT_DECRYPT', 'rsa', undefined],
    ] as const)('stores a %s key pair with its SPKI public key when the usage is %s', async (spec, usage, type, curve) => {
      // Prepare
      const core = makeCore();

      // Act
      const { KeyMetadata } = await runHandler(core, createKey, { KeySpec: spec, KeyUsage: usage });

      // Assess
      const key = await core.store.getKey({ accountId: ACCOUNT_ID, region: REGION, keyId: KeyMetadata?.KeyId ?? '' });
      const backing = key === undefined ? undefined : await core.store.getBackingKey(key, key.currentBackingKeyId);
      expect(backing?.tier).toBe('token');
      const publicKey = createPublicKey({ key: Buffer.from(backing?.publicKey ?? new Uint8Array()), format: 'der', type: 'spki' });
      expect(publicKey.asymmetricKeyType).toBe(type);
      expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe(curve);
    });

    it.each([['HMAC_224', 28], ['HMAC_256', 32], ['HMAC_384', 48], ['HMAC_512', 64]] as const)('stores a %s secret of %i bytes and no public key', async (spec, length) => {
      // Prepare
      const core = makeCore();

      // Act
      const { KeyMetadata } = await runHandler(core, createKey, { KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });

      // Assess
      const key = await core.store.getKey({ accountId: ACCOUNT_ID, region: REGION, keyId: KeyMetadata?.KeyId ?? '' });
      const backing = key === undefined ? undefined : await core.store.getBackingKey(key, key.currentBackingKeyId);
      expect(backing?.wrappedMaterial).toHaveLength(length);
      expect(backing?.publicKey).toBeUndefined();
    });
  });

  describe('SM2 and the China Regions', () => {
    it.each(['us-east-1', 'eu-west-1', 'us-gov-west-1', 'ap-east-1'])('throws ValidationException listing the key specs without SM2 when SM2 is asked for in %s', async (region) => {
      // Prepare
      const core = fastCore();

      // Act
      const error = await caught(runHandler(core, createKey, { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }, makeContext({ region })));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe(
        `1 validation error detected: Value 'SM2' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [${KEY_SPECS_WITHOUT_SM2}]`,
      );
    });

    it('throws ValidationException listing the CustomerMasterKeySpec values without SM2 when the deprecated member asks for SM2 outside China', async () => {
      // Prepare
      const core = fastCore();

      // Act
      const error = await caught(runHandler(core, createKey, { CustomerMasterKeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe(
        `1 validation error detected: Value 'SM2' at 'customerMasterKeySpec' failed to satisfy constraint: Member must satisfy enum value set: [${CUSTOMER_MASTER_KEY_SPECS_WITHOUT_SM2}]`,
      );
    });

    it('checks the Region before the key usage, as the enum check comes first', async () => {
      // Prepare
      const core = fastCore();

      // Act
      const error = await caught(runHandler(core, createKey, { KeySpec: 'SM2', KeyUsage: 'GENERATE_VERIFY_MAC' }));

      // Assess
      expect(error.message).toContain("Value 'SM2' at 'keySpec'");
    });

    it.each(['cn-north-1', 'cn-northwest-1'])('returns an SM2 key with an aws-cn ARN when the Region is %s', async (region) => {
      // Prepare
      const core = fastCore();

      // Act
      const { KeyMetadata } = await runHandler(core, createKey, { KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' }, makeContext({ region }));

      // Assess
      expect(KeyMetadata?.Arn).toBe(`arn:aws-cn:kms:${region}:${ACCOUNT_ID}:key/${KeyMetadata?.KeyId ?? ''}`);
      expect(KeyMetadata).toMatchObject({ KeySpec: 'SM2', CustomerMasterKeySpec: 'SM2', EncryptionAlgorithms: ['SM2PKE'] });
    });

    it.each([
      ['cn-north-1', 'aws-cn'], ['cn-northwest-1', 'aws-cn'], ['us-gov-west-1', 'aws-us-gov'], ['us-gov-east-1', 'aws-us-gov'],
      ['us-east-1', 'aws'], ['eu-central-1', 'aws'],
    ])('returns a key ARN in the partition of %s (%s)', async (region, partition) => {
      // Prepare
      const core = makeCore();

      // Act
      const { KeyMetadata } = await runHandler(core, createKey, {}, makeContext({ region }));

      // Assess
      expect(KeyMetadata?.Arn).toBe(`arn:${partition}:kms:${region}:${ACCOUNT_ID}:key/${KeyMetadata?.KeyId ?? ''}`);
    });
  });
});
