import { describe, expect, it } from 'vitest';
import { InvalidKeyUsageException, ValidationException } from '../../../../src/models/kms/generated/errors.js';
import type { KeySpec, KeyUsageType, SigningAlgorithmSpec } from '../../../../src/models/kms/generated/shapes.js';
import { signingInput } from '../../../../src/core/kms/crypto/signing-rules.js';
import { caughtSync, makeKey } from '../../../support/core.js';

const signingKey = (keySpec: KeySpec, keyUsage: KeyUsageType = 'SIGN_VERIFY') => makeKey({ keySpec, keyUsage });
const bytesOfLength = (length: number) => new Uint8Array(length).fill(7);

describe('signingInput', () => {
  it('returns a RAW input when the request names no message type', () => {
    // Prepare
    const key = signingKey('ECC_NIST_P256');
    const message = bytesOfLength(10);

    // Act
    const input = signingInput(key, 'ECDSA_SHA_256', undefined, message, 'Sign');

    // Assess
    expect(input).toEqual({ messageType: 'RAW', message });
  });

  it.each([
    ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'],
    ['RSA_2048', 'ENCRYPT_DECRYPT'],
    ['HMAC_256', 'GENERATE_VERIFY_MAC'],
    ['ECC_NIST_P256', 'KEY_AGREEMENT'],
  ] as const)('throws InvalidKeyUsageException when the key usage is not SIGN_VERIFY (%s, %s)', (spec, usage) => {
    // Prepare: the key's usage is SIGN_VERIFY.
    const key = signingKey(spec, usage);

    // Act
    const error = caughtSync(() => signingInput(key, 'RSASSA_PSS_SHA_256', 'RAW', bytesOfLength(1), 'Sign'));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
    expect(error.message).toBe(`${key.arn} key usage is ${usage} which is not valid for Sign.`);
  });

  it.each([
    ['RSA_2048', 'ECDSA_SHA_256'],
    ['ECC_NIST_P256', 'ECDSA_SHA_384'],
    ['ECC_NIST_P384', 'ECDSA_SHA_256'],
    ['ECC_NIST_P521', 'ECDSA_SHA_384'],
    ['ECC_SECG_P256K1', 'ECDSA_SHA_512'],
    ['ECC_NIST_EDWARDS25519', 'ECDSA_SHA_512'],
    ['ML_DSA_44', 'ED25519_SHA_512'],
    ['SM2', 'ECDSA_SHA_256'],
    ['ECC_NIST_P256', 'SM2DSA'],
    ['RSA_4096', 'ML_DSA_SHAKE_256'],
  ] as const)('throws InvalidKeyUsageException when the signing algorithm is not one the key spec supports (%s, %s)', (spec, algorithm) => {
    // Prepare: the signing algorithm is one the key spec supports.
    const key = signingKey(spec);

    // Act
    const error = caughtSync(() => signingInput(key, algorithm, 'RAW', bytesOfLength(1), 'Sign'));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
    expect(error.message).toBe(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  });

  describe('EXTERNAL_MU', () => {
    it('returns an EXTERNAL_MU input when an ML-DSA key gets a 64-byte mu', () => {
      // Prepare
      const key = signingKey('ML_DSA_87');
      const mu = bytesOfLength(64);

      // Act
      const input = signingInput(key, 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', mu, 'Sign');

      // Assess
      expect(input).toEqual({ messageType: 'EXTERNAL_MU', message: mu });
    });

    it.each([
      ['RSA_2048', 'RSASSA_PSS_SHA_256'],
      ['ECC_NIST_P256', 'ECDSA_SHA_256'],
      ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512'],
      ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512'],
    ] as const)('throws ValidationException when EXTERNAL_MU is used with %s and %s, as EXTERNAL_MU is for ML-DSA only, and mu is 64 bytes', (spec, algorithm) => {
      // Prepare
      const key = signingKey(spec);

      // Act
      const error = caughtSync(() => signingInput(key, algorithm, 'EXTERNAL_MU', bytesOfLength(64), 'Sign'));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe('MessageType EXTERNAL_MU is only valid with the ML_DSA_SHAKE_256 signing algorithm.');
    });

    it.each([0, 32, 63, 65, 128])('throws ValidationException when the mu is %i bytes, as EXTERNAL_MU is for ML-DSA only, and mu is 64 bytes', (length) => {
      // Prepare
      const key = signingKey('ML_DSA_44');

      // Act
      const error = caughtSync(() => signingInput(key, 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', bytesOfLength(length), 'Sign'));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe('External mu must be 64 bytes for ML_DSA_SHAKE_256.');
    });
  });

  describe('DIGEST', () => {
    it.each([
      ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512'],
      ['ML_DSA_44', 'ML_DSA_SHAKE_256'],
      ['ML_DSA_65', 'ML_DSA_SHAKE_256'],
      ['ML_DSA_87', 'ML_DSA_SHAKE_256'],
    ] as const)('throws ValidationException for %s with %s, as DIGEST is not offered for ML-DSA and pure Ed25519, which sign the message itself', (spec, algorithm) => {
      // Prepare
      const key = signingKey(spec);

      // Act
      const error = caughtSync(() => signingInput(key, algorithm, 'DIGEST', bytesOfLength(64), 'Sign'));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe(`MessageType DIGEST is not valid with the ${algorithm} signing algorithm.`);
    });

    const DIGESTS: readonly (readonly [KeySpec, SigningAlgorithmSpec, number])[] = [
      ['RSA_2048', 'RSASSA_PSS_SHA_256', 32], ['RSA_2048', 'RSASSA_PSS_SHA_384', 48], ['RSA_2048', 'RSASSA_PSS_SHA_512', 64],
      ['RSA_3072', 'RSASSA_PKCS1_V1_5_SHA_256', 32], ['RSA_3072', 'RSASSA_PKCS1_V1_5_SHA_384', 48], ['RSA_4096', 'RSASSA_PKCS1_V1_5_SHA_512', 64],
      ['ECC_NIST_P256', 'ECDSA_SHA_256', 32], ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 32],
      ['ECC_NIST_P384', 'ECDSA_SHA_384', 48], ['ECC_NIST_P521', 'ECDSA_SHA_512', 64],
      ['SM2', 'SM2DSA', 32], ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 64],
    ];

    it.each(DIGESTS)('returns a DIGEST input when a %s key signs with %s a digest of %i bytes', (spec, algorithm, length) => {
      // Prepare
      const key = signingKey(spec);
      const digest = bytesOfLength(length);

      // Act
      const input = signingInput(key, algorithm, 'DIGEST', digest, 'Sign');

      // Assess
      expect(input).toEqual({ messageType: 'DIGEST', message: digest });
    });

    it.each(DIGESTS.flatMap(([spec, algorithm, length]) => [
      [spec, algorithm, length - 1] as const, [spec, algorithm, length + 1] as const, [spec, algorithm, 0] as const,
    ]))('throws ValidationException when a %s key gets for %s a digest of %i bytes, as a digest has the length of the algorithm\'s hash', (spec, algorithm, length) => {
      // Prepare
      const key = signingKey(spec);

      // Act
      const error = caughtSync(() => signingInput(key, algorithm, 'DIGEST', bytesOfLength(length), 'Sign'));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe(`Digest is invalid length for algorithm ${algorithm}.`);
    });
  });

  it('checks the key usage before the message type', () => {
    // Prepare
    const key = signingKey('RSA_2048', 'ENCRYPT_DECRYPT');

    // Act
    const error = caughtSync(() => signingInput(key, 'ECDSA_SHA_256', 'EXTERNAL_MU', bytesOfLength(1), 'Sign'));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
  });
});
