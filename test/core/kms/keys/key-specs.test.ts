import { describe, expect, it } from 'vitest';
import { KeySpecValues, SigningAlgorithmSpecValues, type KeySpec, type KeyUsageType } from '../../../../src/models/kms/generated/shapes.js';
import {
  CHINA_ONLY_SPECS, CHINA_REGIONS, DIGEST_LENGTHS, EXTERNAL_MU_LENGTH, KEY_SPEC_USAGES, RSA_PLAINTEXT_LIMITS,
  allowedUsages, isAsymmetricSpec, isHmacSpec, keyAlgorithms,
} from '../../../../src/core/kms/keys/key-specs.js';

/** The key usages AWS KMS documents for each key spec. */
const EXPECTED_USAGES: Readonly<Record<KeySpec, readonly KeyUsageType[]>> = {
  SYMMETRIC_DEFAULT: ['ENCRYPT_DECRYPT'],
  RSA_2048: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_3072: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_4096: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  ECC_NIST_P256: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P384: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P521: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_SECG_P256K1: ['SIGN_VERIFY'],
  ECC_NIST_EDWARDS25519: ['SIGN_VERIFY'],
  HMAC_224: ['GENERATE_VERIFY_MAC'],
  HMAC_256: ['GENERATE_VERIFY_MAC'],
  HMAC_384: ['GENERATE_VERIFY_MAC'],
  HMAC_512: ['GENERATE_VERIFY_MAC'],
  ML_DSA_44: ['SIGN_VERIFY'],
  ML_DSA_65: ['SIGN_VERIFY'],
  ML_DSA_87: ['SIGN_VERIFY'],
  SM2: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'],
};

const HASH_BYTES = { SHA_1: 20, SHA_256: 32, SHA_384: 48, SHA_512: 64 } as const;
const RSA_MODULUS_BYTES = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 } as const;

describe('allowedUsages', () => {
  it.each(KeySpecValues.map((spec) => [spec, EXPECTED_USAGES[spec]] as const))('returns the usages AWS allows when the key spec is %s', (spec, expected) => {
    // Prepare
    const want = [...expected].sort();

    // Act
    const usages = allowedUsages(spec);

    // Assess
    expect([...usages].sort()).toEqual(want);
  });
});

describe('isHmacSpec and isAsymmetricSpec', () => {
  it.each(KeySpecValues.map((spec) => [spec] as const))('puts %s in exactly one of symmetric, HMAC and asymmetric', (spec) => {
    // Prepare
    const symmetric = spec === 'SYMMETRIC_DEFAULT';

    // Act
    const hmac = isHmacSpec(spec);
    const asymmetric = isAsymmetricSpec(spec);

    // Assess
    expect(hmac).toBe(spec.startsWith('HMAC_'));
    expect([symmetric, hmac, asymmetric].filter(Boolean)).toHaveLength(1);
  });
});

describe('keyAlgorithms', () => {
  it.each([
    ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }],
    ['RSA_2048', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
    ['RSA_4096', 'SIGN_VERIFY', {
      SigningAlgorithms: ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
        'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'],
    }],
    ['ECC_NIST_P256', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['ECC_NIST_P384', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_384'] }],
    ['ECC_NIST_P521', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_512'] }],
    ['ECC_SECG_P256K1', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] }],
    ['ECC_NIST_P384', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
    ['HMAC_224', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_224'] }],
    ['HMAC_512', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_512'] }],
    ['ML_DSA_65', 'SIGN_VERIFY', { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
    ['SM2', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['SM2PKE'] }],
    ['SM2', 'SIGN_VERIFY', { SigningAlgorithms: ['SM2DSA'] }],
    ['SM2', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
  ] as const)('returns the algorithm list of %s keys when the usage is %s', (spec, usage, expected) => {
    // Prepare (nothing: the table is the input)

    // Act
    const algorithms = keyAlgorithms(spec, usage);

    // Assess
    expect(algorithms).toEqual(expected);
  });

  it('returns a fresh list each time, so a caller cannot change the table', () => {
    // Prepare
    const first = keyAlgorithms('RSA_2048', 'SIGN_VERIFY');

    // Act
    first.SigningAlgorithms?.push('ML_DSA_SHAKE_256');

    // Assess
    expect(keyAlgorithms('RSA_2048', 'SIGN_VERIFY').SigningAlgorithms).not.toContain('ML_DSA_SHAKE_256');
    expect(KEY_SPEC_USAGES.RSA_2048.SIGN_VERIFY).not.toContain('ML_DSA_SHAKE_256');
  });
});

describe('RSA_PLAINTEXT_LIMITS', () => {
  it.each([
    ['RSA_2048', 'RSAES_OAEP_SHA_1', 214], ['RSA_2048', 'RSAES_OAEP_SHA_256', 190],
    ['RSA_3072', 'RSAES_OAEP_SHA_1', 342], ['RSA_3072', 'RSAES_OAEP_SHA_256', 318],
    ['RSA_4096', 'RSAES_OAEP_SHA_1', 470], ['RSA_4096', 'RSAES_OAEP_SHA_256', 446],
  ] as const)('returns the OAEP bound k - 2·hLen - 2 when the key is %s and the algorithm %s', (spec, algorithm, expected) => {
    // Prepare
    const hashBytes = HASH_BYTES[algorithm === 'RSAES_OAEP_SHA_1' ? 'SHA_1' : 'SHA_256'];

    // Act
    const limit = RSA_PLAINTEXT_LIMITS[spec]?.[algorithm];

    // Assess
    expect(limit).toBe(expected);
    expect(limit).toBe(RSA_MODULUS_BYTES[spec] - 2 * hashBytes - 2);
  });

  it('returns 1024 bytes for SM2PKE, as AWS documents', () => {
    // Prepare (nothing)

    // Act
    const limit = RSA_PLAINTEXT_LIMITS.SM2?.SM2PKE;

    // Assess
    expect(limit).toBe(1024);
  });
});

describe('DIGEST_LENGTHS', () => {
  it.each(SigningAlgorithmSpecValues.map((algorithm) => [algorithm] as const))('returns the hash length named by %s, or none when the algorithm signs the message itself', (algorithm) => {
    // Prepare
    const pure = algorithm === 'ED25519_SHA_512' || algorithm === 'ML_DSA_SHAKE_256';
    const hash = algorithm === 'SM2DSA' ? 'SHA_256' : (['SHA_256', 'SHA_384', 'SHA_512'] as const).find((name) => algorithm.endsWith(name));

    // Act
    const length = DIGEST_LENGTHS[algorithm];

    // Assess
    expect(length).toBe(pure || hash === undefined ? undefined : HASH_BYTES[hash]);
  });

  it('returns 64 bytes as the length of an ML-DSA external mu', () => {
    // Prepare (nothing)

    // Act
    const length = EXTERNAL_MU_LENGTH;

    // Assess
    expect(length).toBe(64);
  });
});

describe('China-only key specs', () => {
  it('returns SM2 as the only China-only spec, offered in cn-north-1 and cn-northwest-1', () => {
    // Prepare (nothing)

    // Act
    const specs = [...CHINA_ONLY_SPECS];
    const regions = [...CHINA_REGIONS].sort();

    // Assess
    expect(specs).toEqual(['SM2']);
    expect(regions).toEqual(['cn-north-1', 'cn-northwest-1']);
  });
});
