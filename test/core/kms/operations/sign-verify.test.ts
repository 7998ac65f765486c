import { createPublicKey, verify as nodeVerify, constants } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DisabledException, DryRunOperationException, InvalidKeyUsageException, KMSInvalidSignatureException,
  UnsupportedOperationException, ValidationException,
} from '../../../../src/models/kms/generated/errors.js';
import type { KeySpec, KeyUsageType, SigningAlgorithmSpec } from '../../../../src/models/kms/generated/shapes.js';
import type { KeyRecord } from '../../../../src/core/kms/records.js';
import { getPublicKey, sign, verify } from '../../../../src/core/kms/operations/sign-verify.js';
import { bytes, caught, makeCore, makeKey, runHandler, seedAsymmetricKey, seedKey, type CoreHarness } from '../../../support/core.js';

const DRY_RUN_MESSAGE = 'The request would have succeeded, but the DryRun option is set.';
const MESSAGE = bytes('the message to sign');

/** Signing pairs the fake material can sign with, with Node's name for the hash. */
const SIGNING: readonly (readonly [KeySpec, SigningAlgorithmSpec, string | null])[] = [
  ['RSA_2048', 'RSASSA_PSS_SHA_256', 'sha256'], ['RSA_2048', 'RSASSA_PSS_SHA_384', 'sha384'], ['RSA_2048', 'RSASSA_PSS_SHA_512', 'sha512'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256', 'sha256'], ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_384', 'sha384'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_512', 'sha512'],
  ['ECC_NIST_P256', 'ECDSA_SHA_256', 'sha256'], ['ECC_NIST_P384', 'ECDSA_SHA_384', 'sha384'],
  ['ECC_NIST_P521', 'ECDSA_SHA_512', 'sha512'], ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'sha256'],
  ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', null],
];

const signingKey = (core: CoreHarness, keySpec: KeySpec, keyUsage: KeyUsageType = 'SIGN_VERIFY', overrides: Partial<KeyRecord> = {}) =>
  seedAsymmetricKey(core, { keySpec, keyUsage, ...overrides });

/** Stores a key record without material: enough for the checks that run before the key is used. */
function recordOnly(core: CoreHarness, keySpec: KeySpec, keyUsage: KeyUsageType = 'SIGN_VERIFY'): KeyRecord {
  const key = makeKey({ keySpec, keyUsage });
  core.store.putKey(key);
  return key;
}

async function signatureOf(core: CoreHarness, key: KeyRecord, algorithm: SigningAlgorithmSpec, message = MESSAGE): Promise<Uint8Array> {
  const { Signature } = await runHandler(core, sign, { KeyId: key.keyId, SigningAlgorithm: algorithm, Message: message });
  if (Signature === undefined) throw new Error('no signature');
  return Signature;
}

function nodeVerifies(spki: Uint8Array, algorithm: SigningAlgorithmSpec, hash: string | null, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  const padding = algorithm.startsWith('RSASSA_PSS')
    ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : {};
  return nodeVerify(hash, message, { key, ...padding }, signature);
}

describe('sign', () => {
  it.each(SIGNING)('returns a signature Node verifies with the public key when a %s key signs with %s', async (spec, algorithm, hash) => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, spec);
    const { PublicKey } = await runHandler(core, getPublicKey, { KeyId: key.keyId });

    // Act
    const output = await runHandler(core, sign, { KeyId: key.keyId, SigningAlgorithm: algorithm, Message: MESSAGE });

    // Assess
    expect(output.KeyId).toBe(key.arn);
    expect(output.SigningAlgorithm).toBe(algorithm);
    expect(nodeVerifies(PublicKey ?? new Uint8Array(), algorithm, hash, MESSAGE, output.Signature ?? new Uint8Array())).toBe(true);
  });

  it.each([
    ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'],
    ['HMAC_256', 'GENERATE_VERIFY_MAC'],
    ['RSA_2048', 'ENCRYPT_DECRYPT'],
    ['ECC_NIST_P256', 'KEY_AGREEMENT'],
  ] as const)('throws InvalidKeyUsageException when a %s key has usage %s, as the key\'s usage is SIGN_VERIFY', async (spec, usage) => {
    // Prepare
    const core = makeCore();
    const key = recordOnly(core, spec, usage);

    // Act
    const error = await caught(runHandler(core, sign, { KeyId: key.keyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: MESSAGE }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
    expect(error.message).toBe(`${key.arn} key usage is ${usage} which is not valid for Sign.`);
  });

  it.each([
    ['RSA_2048', 'ECDSA_SHA_256'], ['ECC_NIST_P256', 'ECDSA_SHA_512'], ['ECC_NIST_EDWARDS25519', 'RSASSA_PSS_SHA_512'], ['ML_DSA_65', 'ED25519_SHA_512'],
  ] as const)('throws InvalidKeyUsageException when a %s key is asked for %s, as the signing algorithm is one the key spec supports', async (spec, algorithm) => {
    // Prepare
    const core = makeCore();
    const key = recordOnly(core, spec);

    // Act
    const error = await caught(runHandler(core, sign, { KeyId: key.keyId, SigningAlgorithm: algorithm, Message: MESSAGE }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
    expect(error.message).toBe(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  });

  describe('MessageType', () => {
    it.each([
      ['RSA_2048', 'RSASSA_PSS_SHA_256', 64],
      ['ECC_NIST_P256', 'ECDSA_SHA_256', 64],
      ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 64],
    ] as const)('throws ValidationException when a %s key gets EXTERNAL_MU for %s, as EXTERNAL_MU is for ML-DSA only, and mu is 64 bytes', async (spec, algorithm, length) => {
      // Prepare
      const core = makeCore();
      const key = recordOnly(core, spec);

      // Act
      const error = await caught(runHandler(core, sign, { KeyId: key.keyId, SigningAlgorithm: algorithm, MessageType: 'EXTERNAL_MU', Message: new Uint8Array(length) }));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe('MessageType EXTERNAL_MU is only valid with the ML_DSA_SHAKE_256 signing algorithm.');
    });

    it.each([32, 63, 65])('throws ValidationException when an ML-DSA key gets an external mu of %i bytes, as EXTERNAL_MU is for ML-DSA only, and mu is 64 bytes', async (length) => {
      // Prepare
      const core = makeCore();
      const key = recordOnly(core, 'ML_DSA_44');

      // Act
      const error = await caught(runHandler(core, sign, { KeyId: key.keyId, SigningAlgorithm: 'ML_DSA_SHAKE_256', MessageType: 'EXTERNAL_MU', Message: new Uint8Array(length) }));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe('External mu must be 64 bytes for ML_DSA_SHAKE_256.');
    });

    it.each([
      ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512'], ['ML_DSA_44', 'ML_DSA_SHAKE_256'], ['ML_DSA_87', 'ML_DSA_SHAKE_256'],
    ] as const)('throws ValidationException when a %s key gets a DIGEST for %s, as DIGEST is not offered for ML-DSA and pure Ed25519, which sign the message itself', async (spec, algorithm) => {
      // Prepare
      const core = makeCore();
      const key = recordOnly(core, spec);

      // Act
      const error = await caught(runHandler(core, sign, { KeyId: key.keyId, SigningAlgorithm: algorithm, MessageType: 'DIGEST', Message: new Uint8Array(64) }));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe(`MessageType DIGEST is not valid with the ${algorithm} signing algorithm.`);
    });

    it.each([
      ['RSA_3072', 'RSASSA_PKCS1_V1_5_SHA_256', 48], ['RSA_4096', 'RSASSA_PSS_SHA_384', 32], ['RSA_2048', 'RSASSA_PSS_SHA_512', 48],
      ['ECC_NIST_P256', 'ECDSA_SHA_256', 33], ['ECC_NIST_P384', 'ECDSA_SHA_384', 64], ['ECC_NIST_P521', 'ECDSA_SHA_512', 66],
      ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 32], ['SM2', 'SM2DSA', 64],
    ] as const)('throws ValidationException when a %s key gets for %s a digest of %i bytes, as a digest has the length of the algorithm\'s hash', async (spec, algorithm, length) => {
      // Prepare
      const core = makeCore();
      const key = recordOnly(core, spec);

      // Act
      const error = await caught(runHandler(core, sign, { KeyId: key.keyId, SigningAlgorithm: algorithm, MessageType: 'DIGEST', Message: new Uint8Array(length) }));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe(`Digest is invalid length for algorithm ${algorithm}.`);
    });
  });

  it('throws DisabledException when the key is disabled', async () => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, 'ECC_NIST_P256', 'SIGN_VERIFY', { keyState: 'Disabled' });

    // Act
    const error = await caught(runHandler(core, sign, { KeyId: key.keyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: MESSAGE }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
    expect(error.message).toBe(`${key.arn} is disabled.`);
  });

  it('throws DryRunOperationException when DryRun is set and the request is valid', async () => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, 'ECC_NIST_P256');

    // Act
    const error = await caught(runHandler(core, sign, { KeyId: key.keyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: MESSAGE, DryRun: true }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
    expect(error.message).toBe(DRY_RUN_MESSAGE);
  });

  it('throws the validation error rather than DryRunOperationException when a dry run is invalid', async () => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, 'ECC_NIST_P256');

    // Act
    const error = await caught(runHandler(core, sign, { KeyId: key.keyId, SigningAlgorithm: 'ECDSA_SHA_384', Message: MESSAGE, DryRun: true }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
  });
});

describe('verify', () => {
  it.each(SIGNING)('returns SignatureValid when a %s key verifies its own %s signature', async (spec, algorithm) => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, spec);
    const signature = await signatureOf(core, key, algorithm);

    // Act
    const output = await runHandler(core, verify, { KeyId: key.keyId, SigningAlgorithm: algorithm, Message: MESSAGE, Signature: signature });

    // Assess
    expect(output).toEqual({ KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm });
  });

  it.each(SIGNING)('throws KMSInvalidSignatureException when a %s signature made with %s is tampered with', async (spec, algorithm) => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, spec);
    const signature = await signatureOf(core, key, algorithm);
    const index = Math.floor(signature.length / 2);
    signature[index] = (signature[index] ?? 0) ^ 0x01;

    // Act
    const error = await caught(runHandler(core, verify, { KeyId: key.keyId, SigningAlgorithm: algorithm, Message: MESSAGE, Signature: signature }));

    // Assess
    expect(error).toBeInstanceOf(KMSInvalidSignatureException);
    expect(error.message).toBe('');
  });

  it.each([
    ['the message is changed', bytes('another message'), (signature: Uint8Array) => signature],
    ['the signature is truncated', MESSAGE, (signature: Uint8Array) => signature.subarray(0, signature.length - 1)],
    ['the signature is empty', MESSAGE, () => new Uint8Array()],
    ['the signature is not DER', MESSAGE, () => bytes('not a signature')],
  ])('throws KMSInvalidSignatureException when %s', async (_, message, change) => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, 'ECC_NIST_P256');
    const signature = change(await signatureOf(core, key, 'ECDSA_SHA_256'));

    // Act
    const error = await caught(runHandler(core, verify, { KeyId: key.keyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: message, Signature: signature }));

    // Assess
    expect(error).toBeInstanceOf(KMSInvalidSignatureException);
  });

  it('throws KMSInvalidSignatureException when an RSA signature made with PSS is verified as PKCS#1 v1.5', async () => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, 'RSA_2048');
    const signature = await signatureOf(core, key, 'RSASSA_PSS_SHA_256');

    // Act
    const error = await caught(runHandler(core, verify, { KeyId: key.keyId, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256', Message: MESSAGE, Signature: signature }));

    // Assess
    expect(error).toBeInstanceOf(KMSInvalidSignatureException);
  });

  it('throws InvalidKeyUsageException when the key does not sign, as the key\'s usage is SIGN_VERIFY', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, verify, { KeyId: key.keyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: MESSAGE, Signature: new Uint8Array(8) }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
  });

  it('throws InvalidKeyUsageException when the algorithm is not the key spec\'s, as the signing algorithm is one the key spec supports', async () => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, 'ECC_NIST_P384');

    // Act
    const error = await caught(runHandler(core, verify, { KeyId: key.keyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: MESSAGE, Signature: new Uint8Array(8) }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
  });

  it('throws ValidationException when the digest has the wrong length, as a digest has the length of the algorithm\'s hash', async () => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, 'ECC_NIST_P256');

    // Act
    const error = await caught(runHandler(core, verify, {
      KeyId: key.keyId, SigningAlgorithm: 'ECDSA_SHA_256', MessageType: 'DIGEST', Message: new Uint8Array(31), Signature: new Uint8Array(8),
    }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('Digest is invalid length for algorithm ECDSA_SHA_256.');
  });

  it('throws DisabledException when the key is disabled', async () => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, 'ECC_NIST_P256', 'SIGN_VERIFY', { keyState: 'Disabled' });

    // Act
    const error = await caught(runHandler(core, verify, { KeyId: key.keyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: MESSAGE, Signature: new Uint8Array(8) }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
  });

  it('throws DryRunOperationException when DryRun is set, even for a signature that would not verify', async () => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, 'ECC_NIST_P256');

    // Act
    const error = await caught(runHandler(core, verify, {
      KeyId: key.keyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: MESSAGE, Signature: new Uint8Array(8), DryRun: true,
    }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
    expect(error.message).toBe(DRY_RUN_MESSAGE);
  });
});

describe('getPublicKey', () => {
  it.each([
    ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'], ['HMAC_224', 'GENERATE_VERIFY_MAC'], ['HMAC_512', 'GENERATE_VERIFY_MAC'],
  ] as const)('throws UnsupportedOperationException when the key is a %s key, as only asymmetric keys have a public key', async (spec, usage) => {
    // Prepare
    const core = makeCore();
    const key = spec === 'SYMMETRIC_DEFAULT' ? await seedKey(core) : await seedAsymmetricKey(core, { keySpec: spec, keyUsage: usage });

    // Act
    const error = await caught(runHandler(core, getPublicKey, { KeyId: key.keyId }));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedOperationException);
    expect(error.message).toBe(`${key.arn} is not an asymmetric KMS key. GetPublicKey is supported only for asymmetric keys.`);
  });

  it.each([
    ['RSA_2048', 'ENCRYPT_DECRYPT', 'rsa', { CustomerMasterKeySpec: 'RSA_2048', EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
    ['RSA_2048', 'SIGN_VERIFY', 'rsa', {
      CustomerMasterKeySpec: 'RSA_2048',
      SigningAlgorithms: ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'],
    }],
    ['ECC_NIST_P256', 'SIGN_VERIFY', 'ec', { CustomerMasterKeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['ECC_NIST_P521', 'KEY_AGREEMENT', 'ec', { CustomerMasterKeySpec: 'ECC_NIST_P521', KeyAgreementAlgorithms: ['ECDH'] }],
    ['ECC_SECG_P256K1', 'SIGN_VERIFY', 'ec', { CustomerMasterKeySpec: 'ECC_SECG_P256K1', SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', 'ed25519', { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] }],
  ] as const)('returns the SPKI public key and algorithm lists when the key is a %s key with usage %s', async (spec, usage, type, lists) => {
    // Prepare
    const core = makeCore();
    const key = await seedAsymmetricKey(core, { keySpec: spec, keyUsage: usage });
    const stored = await core.store.getBackingKey(key, key.currentBackingKeyId);

    // Act
    const output = await runHandler(core, getPublicKey, { KeyId: key.keyId });

    // Assess
    expect(output).toEqual({ KeyId: key.arn, PublicKey: stored?.publicKey, KeySpec: spec, KeyUsage: usage, ...lists });
    expect(createPublicKey({ key: Buffer.from(output.PublicKey ?? new Uint8Array()), format: 'der', type: 'spki' }).asymmetricKeyType).toBe(type);
  });

  it('throws DisabledException when the key is disabled', async () => {
    // Prepare
    const core = makeCore();
    const key = await signingKey(core, 'ECC_NIST_P256', 'SIGN_VERIFY', { keyState: 'Disabled' });

    // Act
    const error = await caught(runHandler(core, getPublicKey, { KeyId: key.keyId }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
  });
});
