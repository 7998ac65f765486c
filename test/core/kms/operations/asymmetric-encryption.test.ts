import { createPublicKey, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DisabledException, InvalidCiphertextException, InvalidKeyUsageException, ValidationException,
} from '../../../../src/models/kms/generated/errors.js';
import type { EncryptionAlgorithmSpec, KeySpec } from '../../../../src/models/kms/generated/shapes.js';
import type { KeyRecord } from '../../../../src/core/kms/records.js';
import { parseCiphertext } from '../../../../src/core/kms/crypto/ciphertext-blob.js';
import { decrypt, encrypt, reEncrypt } from '../../../../src/core/kms/operations/encrypt-decrypt.js';
import { getPublicKey } from '../../../../src/core/kms/operations/sign-verify.js';
import { bytes, caught, makeCore, makeKeyId, runHandler, seedAsymmetricKey, seedKey, type CoreHarness } from '../../../support/core.js';

type RsaSpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096';
type OaepAlgorithm = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256';

/** The largest plaintext per RSA size and OAEP hash (k - 2·hLen - 2), and the ciphertext length k. */
const LIMITS: readonly (readonly [RsaSpec, OaepAlgorithm, number, number])[] = [
  ['RSA_2048', 'RSAES_OAEP_SHA_1', 214, 256], ['RSA_2048', 'RSAES_OAEP_SHA_256', 190, 256],
  ['RSA_3072', 'RSAES_OAEP_SHA_1', 342, 384], ['RSA_3072', 'RSAES_OAEP_SHA_256', 318, 384],
  ['RSA_4096', 'RSAES_OAEP_SHA_1', 470, 512], ['RSA_4096', 'RSAES_OAEP_SHA_256', 446, 512],
];
const CONTEXT = { purpose: 'test' };
const SECRET = bytes('secret');
const NODE_HASH: Readonly<Record<OaepAlgorithm, string>> = { RSAES_OAEP_SHA_1: 'sha1', RSAES_OAEP_SHA_256: 'sha256' };

const rsaKey = (core: CoreHarness, keySpec: KeySpec = 'RSA_2048', overrides: Partial<KeyRecord> = {}) =>
  seedAsymmetricKey(core, { keySpec, keyUsage: 'ENCRYPT_DECRYPT', keyId: makeKeyId(2), ...overrides });

const plaintextOf = (length: number) => Uint8Array.from({ length }, (_, i) => i % 251);

async function rsaEncrypt(core: CoreHarness, key: KeyRecord, algorithm: EncryptionAlgorithmSpec, plaintext = SECRET): Promise<Uint8Array> {
  const { CiphertextBlob } = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: plaintext, EncryptionAlgorithm: algorithm });
  if (CiphertextBlob === undefined) throw new Error('no ciphertext');
  return CiphertextBlob;
}

describe('encrypt with RSA keys', () => {
  it.each(LIMITS)('returns a ciphertext that decrypts when a %s key encrypts with %s a plaintext at the %i-byte limit', async (spec, algorithm, limit, modulusBytes) => {
    // Prepare
    const core = makeCore();
    const key = await rsaKey(core, spec);
    const plaintext = plaintextOf(limit);

    // Act
    const output = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: plaintext, EncryptionAlgorithm: algorithm });

    // Assess
    expect(output.KeyId).toBe(key.arn);
    expect(output.EncryptionAlgorithm).toBe(algorithm);
    expect(output.CiphertextBlob).toHaveLength(modulusBytes);
    const { Plaintext } = await runHandler(core, decrypt, { KeyId: key.keyId, EncryptionAlgorithm: algorithm, CiphertextBlob: output.CiphertextBlob ?? new Uint8Array() });
    expect(Plaintext).toEqual(plaintext);
  });

  it.each(LIMITS)('throws ValidationException when a %s key gets for %s one byte over the %i-byte limit, as the plaintext fits the key size and padding', async (spec, algorithm, limit) => {
    // Prepare
    const core = makeCore();
    const key = await rsaKey(core, spec);

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: plaintextOf(limit + 1), EncryptionAlgorithm: algorithm }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe(`Algorithm ${algorithm} and key spec ${spec} cannot encrypt data larger than ${limit} bytes.`);
  });

  it.each([
    ['no algorithm', undefined, 'SYMMETRIC_DEFAULT'],
    ['SYMMETRIC_DEFAULT', 'SYMMETRIC_DEFAULT', 'SYMMETRIC_DEFAULT'],
    ['SM2PKE', 'SM2PKE', 'SM2PKE'],
  ] as const)('throws InvalidKeyUsageException when an RSA key is asked to encrypt with %s, as the algorithm is one the key spec supports', async (_, algorithm, named) => {
    // Prepare
    const core = makeCore();
    const key = await rsaKey(core);

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: SECRET, EncryptionAlgorithm: algorithm }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
    expect(error.message).toBe(`Algorithm ${named} is incompatible with key spec ${key.keySpec}.`);
  });

  it('throws InvalidKeyUsageException when a symmetric key is asked for RSAES_OAEP_SHA_256, as the algorithm is one the key spec supports', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: SECRET, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
  });

  it('throws InvalidKeyUsageException when the RSA key signs, as the key\'s usage is ENCRYPT_DECRYPT', async () => {
    // Prepare
    const core = makeCore();
    const key = await rsaKey(core, 'RSA_2048', { keyUsage: 'SIGN_VERIFY' });

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: SECRET, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
    expect(error.message).toBe(`${key.arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`);
  });

  it('throws ValidationException when an encryption context is given, as asymmetric encryption takes no encryption context', async () => {
    // Prepare
    const core = makeCore();
    const key = await rsaKey(core);

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: SECRET, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: CONTEXT }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('EncryptionContext is not supported with asymmetric KMS keys.');
  });

  it('returns a ciphertext when the encryption context is empty', async () => {
    // Prepare
    const core = makeCore();
    const key = await rsaKey(core);

    // Act
    const output = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: SECRET, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1', EncryptionContext: {} });

    // Assess
    expect(output.CiphertextBlob).toHaveLength(256);
  });
});

describe('decrypt with RSA keys', () => {
  it.each(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const)('returns the plaintext of a ciphertext Node made with the GetPublicKey SPKI and %s', async (algorithm) => {
    // Prepare
    const core = makeCore();
    const key = await rsaKey(core);
    const { PublicKey } = await runHandler(core, getPublicKey, { KeyId: key.keyId });
    const publicKey = createPublicKey({ key: Buffer.from(PublicKey ?? new Uint8Array()), format: 'der', type: 'spki' });
    const ciphertext = new Uint8Array(publicEncrypt({ key: publicKey, oaepHash: NODE_HASH[algorithm] }, SECRET));

    // Act
    const output = await runHandler(core, decrypt, { KeyId: key.keyId, EncryptionAlgorithm: algorithm, CiphertextBlob: ciphertext });

    // Assess
    expect(output).toEqual({ KeyId: key.arn, Plaintext: SECRET, EncryptionAlgorithm: algorithm });
  });

  it('throws InvalidCiphertextException when the request names no KeyId, as RSA ciphertext carries no key', async () => {
    // Prepare
    const core = makeCore();
    const key = await rsaKey(core);
    const ciphertext = await rsaEncrypt(core, key, 'RSAES_OAEP_SHA_256');

    // Act
    const error = await caught(runHandler(core, decrypt, { EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', CiphertextBlob: ciphertext }));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('throws InvalidKeyUsageException when the request names no algorithm, as the algorithm is one the key spec supports', async () => {
    // Prepare
    const core = makeCore();
    const key = await rsaKey(core);
    const ciphertext = await rsaEncrypt(core, key, 'RSAES_OAEP_SHA_256');

    // Act
    const error = await caught(runHandler(core, decrypt, { KeyId: key.keyId, CiphertextBlob: ciphertext }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
    expect(error.message).toBe(`Algorithm SYMMETRIC_DEFAULT is incompatible with key spec ${key.keySpec}.`);
  });

  it('throws InvalidCiphertextException when the ciphertext was made with the other OAEP hash', async () => {
    // Prepare
    const core = makeCore();
    const key = await rsaKey(core);
    const ciphertext = await rsaEncrypt(core, key, 'RSAES_OAEP_SHA_1');

    // Act
    const error = await caught(runHandler(core, decrypt, { KeyId: key.keyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', CiphertextBlob: ciphertext }));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('throws ValidationException when an encryption context is given, as asymmetric encryption takes no encryption context', async () => {
    // Prepare
    const core = makeCore();
    const key = await rsaKey(core);
    const ciphertext = await rsaEncrypt(core, key, 'RSAES_OAEP_SHA_256');

    // Act
    const error = await caught(runHandler(core, decrypt, { KeyId: key.keyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', CiphertextBlob: ciphertext, EncryptionContext: CONTEXT }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('EncryptionContext is not supported with asymmetric KMS keys.');
  });

  it('throws DisabledException when the RSA key is disabled', async () => {
    // Prepare
    const core = makeCore();
    const key = await rsaKey(core);
    const ciphertext = await rsaEncrypt(core, key, 'RSAES_OAEP_SHA_256');
    core.store.putKey({ ...key, keyState: 'Disabled' });

    // Act
    const error = await caught(runHandler(core, decrypt, { KeyId: key.keyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', CiphertextBlob: ciphertext }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
  });
});

describe('reEncrypt between symmetric and RSA keys', () => {
  it.each(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const)('returns an RSA ciphertext that decrypts when a symmetric ciphertext is re-encrypted with %s', async (algorithm) => {
    // Prepare
    const core = makeCore();
    const source = await seedKey(core);
    const destination = await rsaKey(core);
    const { CiphertextBlob } = await runHandler(core, encrypt, { KeyId: source.keyId, Plaintext: SECRET, EncryptionContext: CONTEXT });

    // Act
    const output = await runHandler(core, reEncrypt, {
      CiphertextBlob: CiphertextBlob ?? new Uint8Array(), SourceEncryptionContext: CONTEXT,
      DestinationKeyId: destination.keyId, DestinationEncryptionAlgorithm: algorithm,
    });

    // Assess
    expect(output).toMatchObject({
      SourceKeyId: source.arn, KeyId: destination.arn, SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: algorithm,
    });
    const { Plaintext } = await runHandler(core, decrypt, { KeyId: destination.keyId, EncryptionAlgorithm: algorithm, CiphertextBlob: output.CiphertextBlob ?? new Uint8Array() });
    expect(Plaintext).toEqual(SECRET);
  });

  it('returns a symmetric ciphertext that decrypts when an RSA ciphertext is re-encrypted under a symmetric key', async () => {
    // Prepare
    const core = makeCore();
    const source = await rsaKey(core);
    const destination = await seedKey(core);
    const ciphertext = await rsaEncrypt(core, source, 'RSAES_OAEP_SHA_256');

    // Act
    const output = await runHandler(core, reEncrypt, {
      CiphertextBlob: ciphertext, SourceKeyId: source.keyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      DestinationKeyId: destination.keyId, DestinationEncryptionContext: CONTEXT,
    });

    // Assess
    expect(output).toMatchObject({
      SourceKeyId: source.arn, KeyId: destination.arn, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    expect(parseCiphertext(output.CiphertextBlob ?? new Uint8Array()).keyArn).toBe(destination.arn);
    const { Plaintext } = await runHandler(core, decrypt, { CiphertextBlob: output.CiphertextBlob ?? new Uint8Array(), EncryptionContext: CONTEXT });
    expect(Plaintext).toEqual(SECRET);
  });

  it('throws InvalidKeyUsageException when the RSA destination names no algorithm, as the algorithm is one the key spec supports', async () => {
    // Prepare
    const core = makeCore();
    const source = await seedKey(core);
    const destination = await rsaKey(core);
    const { CiphertextBlob } = await runHandler(core, encrypt, { KeyId: source.keyId, Plaintext: SECRET });

    // Act
    const error = await caught(runHandler(core, reEncrypt, { CiphertextBlob: CiphertextBlob ?? new Uint8Array(), DestinationKeyId: destination.keyId }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
  });

  it('throws ValidationException when the plaintext is too large for the RSA destination, as the plaintext fits the key size and padding', async () => {
    // Prepare
    const core = makeCore();
    const source = await seedKey(core);
    const destination = await rsaKey(core);
    const { CiphertextBlob } = await runHandler(core, encrypt, { KeyId: source.keyId, Plaintext: plaintextOf(191) });

    // Act
    const error = await caught(runHandler(core, reEncrypt, {
      CiphertextBlob: CiphertextBlob ?? new Uint8Array(), DestinationKeyId: destination.keyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.');
  });

  it('throws ValidationException when the RSA destination gets an encryption context, as asymmetric encryption takes no encryption context', async () => {
    // Prepare
    const core = makeCore();
    const source = await seedKey(core);
    const destination = await rsaKey(core);
    const { CiphertextBlob } = await runHandler(core, encrypt, { KeyId: source.keyId, Plaintext: SECRET });

    // Act
    const error = await caught(runHandler(core, reEncrypt, {
      CiphertextBlob: CiphertextBlob ?? new Uint8Array(), DestinationKeyId: destination.keyId,
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationEncryptionContext: CONTEXT,
    }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
  });

  it('throws InvalidCiphertextException when an RSA ciphertext is re-encrypted without SourceKeyId', async () => {
    // Prepare
    const core = makeCore();
    const source = await rsaKey(core);
    const destination = await seedKey(core);
    const ciphertext = await rsaEncrypt(core, source, 'RSAES_OAEP_SHA_256');

    // Act
    const error = await caught(runHandler(core, reEncrypt, {
      CiphertextBlob: ciphertext, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: destination.keyId,
    }));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });
});
