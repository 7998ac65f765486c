/**
 * ImportKeyMaterial's unwrap on SoftHSM (`Pkcs11KeyImport`): material wrapped by independent
 * implementations (Node's crypto, and the OpenSSL command line as the Developer Guide's step 3
 * does it) under a wrapping key the token generated, for every wrapping algorithm and every kind
 * of key material; each imported key then works as the original key does.
 */
import { execFileSync } from 'node:child_process';
import { constants, createDecipheriv, createHmac, createPublicKey, generateKeyPairSync, randomBytes, verify as nodeVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asymmetricMaterialFor } from '../../../src/composition/asymmetric-material.js';
import { Pkcs11KeyMaterial } from '../../../src/adapters/pkcs11/pkcs11-key-material.js';
import { Pkcs11KeyImport } from '../../../src/adapters/pkcs11/import/pkcs11-key-import.js';
import type { AsymmetricKeyMaterial, WrappingKeyPair } from '../../../src/core/ports/index.js';
import type { AlgorithmSpec, KeySpec, WrappingKeySpec } from '../../../src/models/kms/generated/shapes.js';
import { IncorrectKeyMaterialException, InvalidCiphertextException } from '../../../src/models/kms/generated/errors.js';
import { ensureSoftHsmToken } from '../../../src/local/softhsm-token.js';
import { wrapForImport } from '../../support/wrap-for-import.js';

const MESSAGE = Buffer.from('imported through a wrapping key');
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-1111-2222-3333-444455556666';
const KEY_WRAP: readonly AlgorithmSpec[] = ['RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'];
const ALL: readonly AlgorithmSpec[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', ...KEY_WRAP];
let nextId = 0;

const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'der' });
const spkiOf = (key: KeyObject) => Buffer.from(key.export({ type: 'spki', format: 'der' }));

describe('Pkcs11KeyImport', () => {
  let dataDir: string;
  let material: Pkcs11KeyMaterial;
  let asymmetric: AsymmetricKeyMaterial;
  let keyImport: Pkcs11KeyImport;
  const pairs = new Map<WrappingKeySpec, WrappingKeyPair>();

  const wrapping = async (spec: WrappingKeySpec) => {
    let pair = pairs.get(spec);
    if (pair === undefined) {
      pair = await keyImport.generateWrappingKeyPair(spec);
      pairs.set(spec, pair);
    }
    return pair;
  };

  const importOf = async (keySpec: KeySpec, algorithm: AlgorithmSpec, value: Buffer, wrappingKeySpec: WrappingKeySpec = 'RSA_4096') => {
    const pair = await wrapping(wrappingKeySpec);
    const encryptedKeyMaterial = wrapForImport(pair.publicKey, algorithm, value);
    return keyImport.unwrapKeyMaterial({ wrappingKeySpec, algorithm, wrappedPrivateKey: pair.wrappedPrivateKey, encryptedKeyMaterial, keySpec, keyArn: KEY_ARN });
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-material-import-'));
    material = await Pkcs11KeyMaterial.open(await ensureSoftHsmToken({ dataDir }));
    asymmetric = asymmetricMaterialFor(material);
    keyImport = Pkcs11KeyImport.create(material);
  }, 60_000);

  afterAll(async () => {
    await material?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it.each(['RSA_2048', 'RSA_3072', 'RSA_4096'] as const)('generates a %s wrapping key whose public key is a DER SPKI of that size', async (spec) => {
    // Act
    const pair = await wrapping(spec);
    // Assess
    const key = createPublicKey({ key: Buffer.from(pair.publicKey), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(Number(spec.slice(4)));
    expect(pair.wrappedPrivateKey.length).toBeGreaterThan(0);
  }, 60_000);

  describe.each(ALL)('%s', (algorithm) => {
    it('imports symmetric material that encrypts as Node does with the original key', async () => {
      // Prepare
      const value = randomBytes(32);
      // Act
      const imported = await importOf('SYMMETRIC_DEFAULT', algorithm, value);
      // Assess
      const ref = { backingKeyId: `bk-${++nextId}`, wrappedMaterial: imported.wrappedMaterial };
      const sealed = await material.encrypt(ref, MESSAGE, new Uint8Array());
      const ciphertext = Buffer.from(sealed.ciphertext);
      const decipher = createDecipheriv('aes-256-gcm', value, sealed.iv).setAuthTag(ciphertext.subarray(-16));
      expect(Buffer.concat([decipher.update(ciphertext.subarray(0, -16)), decipher.final()])).toEqual(MESSAGE);
      expect(imported.publicKey).toBeUndefined();
    });

    it.each([
      ['HMAC_224', 28, 'sha224', 'HMAC_SHA_224'], ['HMAC_256', 32, 'sha256', 'HMAC_SHA_256'],
      ['HMAC_384', 48, 'sha384', 'HMAC_SHA_384'], ['HMAC_512', 64, 'sha512', 'HMAC_SHA_512'],
    ] as const)(
      'imports %s material whose MAC is the one Node computes', async (keySpec, length, hash, macAlgorithm) => {
        // Prepare
        const value = randomBytes(length);
        // Act
        const imported = await importOf(keySpec, algorithm, value);
        // Assess
        const mac = await asymmetric.generateMac({ backingKeyId: `bk-${++nextId}`, keySpec, ...imported }, macAlgorithm, MESSAGE);
        expect(Buffer.from(mac)).toEqual(createHmac(hash, value).update(MESSAGE).digest());
      });

    it.each(['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_SECG_P256K1'] as const)(
      'imports %s material: the public key is the original one and its signatures verify with it', async (keySpec) => {
        // Prepare
        const namedCurve = { ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_SECG_P256K1: 'secp256k1' }[keySpec];
        const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
        // Act
        const imported = await importOf(keySpec, algorithm, pkcs8(privateKey));
        // Assess
        expect(Buffer.from(imported.publicKey ?? [])).toEqual(spkiOf(publicKey));
        const key = { backingKeyId: `bk-${++nextId}`, keySpec, ...imported };
        const signature = await asymmetric.sign(key, 'ECDSA_SHA_256', { messageType: 'RAW', message: MESSAGE });
        expect(nodeVerify('sha256', MESSAGE, publicKey, signature)).toBe(true);
      });
  });

  describe.each(KEY_WRAP)('%s (material larger than one RSA block)', (algorithm) => {
    it('imports RSA_2048 material that signs what verifies with the original public key', async () => {
      // Prepare
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      // Act
      const imported = await importOf('RSA_2048', algorithm, pkcs8(privateKey), 'RSA_2048');
      // Assess
      expect(Buffer.from(imported.publicKey ?? [])).toEqual(spkiOf(publicKey));
      const key = { backingKeyId: `bk-${++nextId}`, keySpec: 'RSA_2048' as const, ...imported };
      const signature = await asymmetric.sign(key, 'RSASSA_PSS_SHA_256', { messageType: 'RAW', message: MESSAGE });
      expect(nodeVerify('sha256', MESSAGE, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)).toBe(true);
    });

    it('imports ECC_NIST_P521 material with the original public key', async () => {
      // Prepare
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
      // Act
      const imported = await importOf('ECC_NIST_P521', algorithm, pkcs8(privateKey), 'RSA_2048');
      // Assess
      expect(Buffer.from(imported.publicKey ?? [])).toEqual(spkiOf(publicKey));
    });
  });

  it('imports material wrapped by the OpenSSL command line as the guide does it (RSA_AES_KEY_WRAP_SHA_256)', async () => {
    // Prepare
    const pair = await wrapping('RSA_3072');
    const dir = await mkdtemp(join(tmpdir(), 'openssl-wrap-'));
    const value = randomBytes(32);
    const aesKey = randomBytes(32);
    await writeFile(join(dir, 'WrappingPublicKey.bin'), pair.publicKey);
    await writeFile(join(dir, 'PlaintextKeyMaterial.bin'), value);
    await writeFile(join(dir, 'aes-key.bin'), aesKey);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir });
    openssl('enc', '-id-aes256-wrap-pad', '-K', aesKey.toString('hex'), '-iv', 'A65959A6', '-in', 'PlaintextKeyMaterial.bin', '-out', 'key-material-wrapped.bin');
    openssl('pkeyutl', '-encrypt', '-in', 'aes-key.bin', '-out', 'aes-key-wrapped.bin', '-inkey', 'WrappingPublicKey.bin', '-keyform', 'DER', '-pubin',
      '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256');
    const encryptedKeyMaterial = Buffer.concat([await readFile(join(dir, 'aes-key-wrapped.bin')), await readFile(join(dir, 'key-material-wrapped.bin'))]);
    await rm(dir, { recursive: true, force: true });
    // Act
    const imported = await keyImport.unwrapKeyMaterial({
      wrappingKeySpec: 'RSA_3072', algorithm: 'RSA_AES_KEY_WRAP_SHA_256', wrappedPrivateKey: pair.wrappedPrivateKey, encryptedKeyMaterial, keySpec: 'SYMMETRIC_DEFAULT', keyArn: KEY_ARN,
    });
    // Assess
    const direct = await importOf('SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', value);
    expect(Buffer.from(imported.fingerprint)).toEqual(Buffer.from(direct.fingerprint));
  }, 60_000);

  it('gives the same material the same fingerprint whatever wraps it, and other material another', async () => {
    // Prepare
    const value = randomBytes(32);
    // Act
    const first = await importOf('SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_256', value);
    const again = await importOf('SYMMETRIC_DEFAULT', 'RSA_AES_KEY_WRAP_SHA_1', value, 'RSA_2048');
    const other = await importOf('SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_256', randomBytes(32));
    // Assess
    expect(Buffer.from(again.fingerprint)).toEqual(Buffer.from(first.fingerprint));
    expect(Buffer.from(other.fingerprint)).not.toEqual(Buffer.from(first.fingerprint));
  });

  it.each([
    ['SYMMETRIC_DEFAULT', 16], ['SYMMETRIC_DEFAULT', 31], ['SYMMETRIC_DEFAULT', 33], ['HMAC_256', 48], ['HMAC_512', 32],
  ] as const)('refuses %s material of %i bytes with IncorrectKeyMaterialException', async (keySpec, length) => {
    // Act
    const result = importOf(keySpec, 'RSA_AES_KEY_WRAP_SHA_256', randomBytes(length));
    // Assess
    await expect(result).rejects.toBeInstanceOf(IncorrectKeyMaterialException);
  });

  it('refuses a private key of another curve or type with IncorrectKeyMaterialException', async () => {
    // Prepare
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    // Act
    const otherCurve = importOf('ECC_NIST_P256', 'RSA_AES_KEY_WRAP_SHA_1', pkcs8(p384));
    const otherType = importOf('ECC_NIST_P256', 'RSA_AES_KEY_WRAP_SHA_1', pkcs8(rsa));
    const otherSize = importOf('RSA_3072', 'RSA_AES_KEY_WRAP_SHA_1', pkcs8(rsa));
    // Assess
    await expect(otherCurve).rejects.toBeInstanceOf(IncorrectKeyMaterialException);
    await expect(otherType).rejects.toBeInstanceOf(IncorrectKeyMaterialException);
    await expect(otherSize).rejects.toBeInstanceOf(IncorrectKeyMaterialException);
  });

  it.each(ALL)('refuses %s material encrypted under another wrapping key with InvalidCiphertextException', async (algorithm) => {
    // Prepare
    const pair = await wrapping('RSA_2048');
    const other = await keyImport.generateWrappingKeyPair('RSA_2048');
    const encryptedKeyMaterial = wrapForImport(other.publicKey, algorithm, randomBytes(32));
    // Act
    const result = keyImport.unwrapKeyMaterial({
      wrappingKeySpec: 'RSA_2048', algorithm, wrappedPrivateKey: pair.wrappedPrivateKey, encryptedKeyMaterial, keySpec: 'SYMMETRIC_DEFAULT', keyArn: KEY_ARN,
    });
    // Assess
    await expect(result).rejects.toBeInstanceOf(InvalidCiphertextException);
  }, 60_000);

  it('refuses EncryptedKeyMaterial of the wrong length for the wrapping key with InvalidCiphertextException', async () => {
    // Prepare
    const pair = await wrapping('RSA_2048');
    // Act
    const results = (['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1'] as const).map((algorithm) => keyImport.unwrapKeyMaterial({
      wrappingKeySpec: 'RSA_2048', algorithm, wrappedPrivateKey: pair.wrappedPrivateKey, encryptedKeyMaterial: randomBytes(100), keySpec: 'SYMMETRIC_DEFAULT', keyArn: KEY_ARN,
    }));
    // Assess
    for (const result of results) await expect(result).rejects.toBeInstanceOf(InvalidCiphertextException);
  });
});
