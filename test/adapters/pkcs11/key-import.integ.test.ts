/**
 * Keys imported in the clear (`importSymmetricKey`, `importKeyPair`, `importMacKey`) through the
 * tiered material on SoftHSM: each works for every operation its spec allows and agrees with an
 * independent implementation holding the original key (Node's crypto; @noble for Ed25519ph and
 * ML-DSA, which Node 20 lacks).
 */
import {
  constants, createCipheriv, createDecipheriv, createHmac, createPublicKey, diffieHellman, generateKeyPairSync,
  publicEncrypt, randomBytes, sign as nodeSign, verify as nodeVerify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asymmetricMaterialFor } from '../../../src/composition/asymmetric-material.js';
import { Pkcs11KeyMaterial } from '../../../src/adapters/pkcs11/pkcs11-key-material.js';
import { TAG_OCTET_STRING, TAG_SEQUENCE, derElement, derOid } from '../../../src/adapters/der.js';
import { sm2Encrypt } from '../../../src/adapters/software/sm2-encryption.js';
import { decodeSpki } from '../../../src/adapters/software/spki.js';
import type { AsymmetricKeyMaterial, StoredKeyRef } from '../../../src/core/ports/index.js';
import type { AsymmetricKeySpec, HmacKeySpec } from '../../../src/core/kms/keys/key-specs.js';
import { ValidationException } from '../../../src/models/kms/generated/errors.js';
import { ensureSoftHsmToken } from '../../../src/local/softhsm-token.js';

const MESSAGE = new TextEncoder().encode('imported key material');
const der = (key: KeyObject) => new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
const spki = (key: KeyObject) => new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
let nextId = 0;

describe('imported keys', () => {
  let dataDir: string;
  let material: Pkcs11KeyMaterial;
  let asymmetric: AsymmetricKeyMaterial;

  const stored = async (spec: AsymmetricKeySpec, pkcs8: Uint8Array) => {
    const imported = await asymmetric.importKeyPair(spec, Uint8Array.from(pkcs8));
    return { backingKeyId: `bk-import-${++nextId}`, keySpec: spec, ...imported };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-import-'));
    material = await Pkcs11KeyMaterial.open(await ensureSoftHsmToken({ dataDir }));
    asymmetric = asymmetricMaterialFor(material);
  }, 30_000);

  afterAll(async () => {
    await material?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  describe('importSymmetricKey', () => {
    it('encrypts and decrypts with AES-256-GCM exactly as Node does with the original key', async () => {
      // Prepare
      const key = randomBytes(32);
      const ref = { backingKeyId: `bk-import-${++nextId}`, wrappedMaterial: await material.importSymmetricKey(Uint8Array.from(key)) };
      const aad = Buffer.from('aad');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
      const byNode = Buffer.concat([cipher.update(MESSAGE), cipher.final(), cipher.getAuthTag()]);
      // Act
      const sealed = await material.encrypt(ref, MESSAGE, aad);
      const opened = await material.decrypt(ref, { iv, ciphertext: byNode }, aad);
      // Assess
      const ciphertext = Buffer.from(sealed.ciphertext);
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv).setAAD(aad).setAuthTag(ciphertext.subarray(-16));
      expect(Buffer.concat([decipher.update(ciphertext.subarray(0, -16)), decipher.final()])).toEqual(Buffer.from(MESSAGE));
      expect(Buffer.from(opened)).toEqual(Buffer.from(MESSAGE));
    });

    it('throws ValidationException when the key is not 32 bytes long', async () => {
      // Act
      const result = material.importSymmetricKey(new Uint8Array(16));
      // Assess
      await expect(result).rejects.toBeInstanceOf(ValidationException);
    });
  });

  describe.each([
    ['RSA_2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['RSA_3072', () => generateKeyPairSync('rsa', { modulusLength: 3072 })],
  ] as const)('importKeyPair %s', (spec, generate) => {
    it('signs (PKCS#1 v1.5 and PSS) what Node verifies, decrypts what Node encrypts, and returns the original public key', async () => {
      // Prepare
      const pair = generate();
      const key = await stored(spec, der(pair.privateKey));
      const oaep = publicEncrypt({ key: pair.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, MESSAGE);
      // Act
      const pkcs1 = await asymmetric.sign(key, 'RSASSA_PKCS1_V1_5_SHA_256', { messageType: 'RAW', message: MESSAGE });
      const pss = await asymmetric.sign(key, 'RSASSA_PSS_SHA_384', { messageType: 'RAW', message: MESSAGE });
      const decrypted = await asymmetric.decryptWithPrivateKey(key, 'RSAES_OAEP_SHA_256', oaep);
      // Assess
      expect(key.tier).toBe('token');
      expect(Buffer.from(key.publicKey)).toEqual(Buffer.from(spki(pair.privateKey)));
      expect(nodeVerify('sha256', MESSAGE, pair.publicKey, pkcs1)).toBe(true);
      expect(nodeVerify('sha384', MESSAGE, { key: pair.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, pss)).toBe(true);
      expect(Buffer.from(decrypted)).toEqual(Buffer.from(MESSAGE));
    }, 60_000);
  });

  describe.each([
    ['ECC_NIST_P256', 'prime256v1', 'ECDSA_SHA_256', 'sha256'],
    ['ECC_NIST_P384', 'secp384r1', 'ECDSA_SHA_384', 'sha384'],
    ['ECC_NIST_P521', 'secp521r1', 'ECDSA_SHA_512', 'sha512'],
    ['ECC_SECG_P256K1', 'secp256k1', 'ECDSA_SHA_256', 'sha256'],
  ] as const)('importKeyPair %s', (spec, namedCurve, algorithm, hash) => {
    it('signs what Node verifies with the original key, and derives the shared secret Node derives', async () => {
      // Prepare
      const pair = generateKeyPairSync('ec', { namedCurve });
      const peer = generateKeyPairSync('ec', { namedCurve });
      const key = await stored(spec, der(pair.privateKey));
      // Act
      const signature = await asymmetric.sign(key, algorithm, { messageType: 'RAW', message: MESSAGE });
      const shared = spec === 'ECC_SECG_P256K1' ? undefined : await asymmetric.deriveSharedSecret(key, spki(peer.privateKey));
      // Assess
      expect(Buffer.from(key.publicKey)).toEqual(Buffer.from(spki(pair.privateKey)));
      expect(nodeVerify(hash, MESSAGE, pair.publicKey, signature)).toBe(true);
      if (shared !== undefined) expect(Buffer.from(shared)).toEqual(diffieHellman({ privateKey: peer.privateKey, publicKey: pair.publicKey }));
    });
  });

  it('signs pure Ed25519 that Node verifies and Ed25519ph that @noble verifies, with the original public key (software tier)', async () => {
    // Prepare
    const pair = generateKeyPairSync('ed25519');
    const key = await stored('ECC_NIST_EDWARDS25519', der(pair.privateKey));
    const digest = new Uint8Array(64).fill(7);
    // Act
    const pure = await asymmetric.sign(key, 'ED25519_SHA_512', { messageType: 'RAW', message: MESSAGE });
    const prehash = await asymmetric.sign(key, 'ED25519_PH_SHA_512', { messageType: 'DIGEST', message: digest });
    // Assess
    const raw = Buffer.from(pair.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    expect(key.tier).toBe('software');
    expect(Buffer.from(key.publicKey)).toEqual(Buffer.from(spki(pair.privateKey)));
    expect(nodeSign(null, MESSAGE, pair.privateKey)).toEqual(Buffer.from(pure));
    expect(ed25519ph.verify(prehash, digest, raw)).toBe(true);
  });

  describe.each([
    ['ML_DSA_44', ml_dsa44, '2.16.840.1.101.3.4.3.17'],
    ['ML_DSA_65', ml_dsa65, '2.16.840.1.101.3.4.3.18'],
    ['ML_DSA_87', ml_dsa87, '2.16.840.1.101.3.4.3.19'],
  ] as const)('importKeyPair %s', (spec, dsa, oid) => {
    const seed = randomBytes(32);
    const { secretKey, publicKey } = dsa.keygen(seed);
    const pkcs8 = (privateKey: Uint8Array) =>
      derElement(TAG_SEQUENCE, Uint8Array.of(2, 1, 0), derElement(TAG_SEQUENCE, derOid(oid)), derElement(TAG_OCTET_STRING, privateKey));
    it.each([
      ['seed', () => pkcs8(derElement(0x80, seed))],
      ['expandedKey', () => pkcs8(derElement(TAG_OCTET_STRING, secretKey))],
      ['both', () => pkcs8(derElement(TAG_SEQUENCE, derElement(TAG_OCTET_STRING, seed), derElement(TAG_OCTET_STRING, secretKey)))],
    ] as const)('signs what @noble verifies with the original public key when the key is given as %s', async (_form, encoding) => {
      // Prepare
      const key = await stored(spec, encoding());
      // Act
      const signature = await asymmetric.sign(key, 'ML_DSA_SHAKE_256', { messageType: 'RAW', message: MESSAGE });
      // Assess
      expect(Buffer.from(decodeSpki(spec, key.publicKey))).toEqual(Buffer.from(publicKey));
      expect(dsa.verify(signature, MESSAGE, publicKey)).toBe(true);
    });

    it('throws ValidationException when the seed and the expanded key disagree', async () => {
      // Prepare
      const other = dsa.keygen(randomBytes(32)).secretKey;
      const encoding = pkcs8(derElement(TAG_SEQUENCE, derElement(TAG_OCTET_STRING, seed), derElement(TAG_OCTET_STRING, other)));
      // Act
      const result = asymmetric.importKeyPair(spec, encoding);
      // Assess
      await expect(result).rejects.toBeInstanceOf(ValidationException);
    });
  });

  it('returns the public key OpenSSL derives for an SM2 key, signs what verifies, and decrypts SM2PKE to it', async () => {
    // Prepare
    const pair = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const key = await stored('SM2', der(pair.privateKey));
    const ciphertext = sm2Encrypt(decodeSpki('SM2', spki(pair.privateKey)), MESSAGE);
    // Act
    const signature = await asymmetric.sign(key, 'SM2DSA', { messageType: 'RAW', message: MESSAGE });
    const verified = await asymmetric.verify(key, 'SM2DSA', { messageType: 'RAW', message: MESSAGE }, signature);
    const decrypted = await asymmetric.decryptWithPrivateKey(key, 'SM2PKE', ciphertext);
    // Assess
    expect(Buffer.from(key.publicKey)).toEqual(Buffer.from(spki(pair.privateKey)));
    expect(verified).toBe(true);
    expect(Buffer.from(decrypted)).toEqual(Buffer.from(MESSAGE));
  });

  it.each([
    ['an RSA_2048 key given as RSA_3072', 'RSA_3072', () => der(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)],
    ['a P-256 key given as ECC_NIST_P384', 'ECC_NIST_P384', () => der(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey)],
    ['an Ed25519 key given as ECC_NIST_P256', 'ECC_NIST_P256', () => der(generateKeyPairSync('ed25519').privateKey)],
    ['a P-256 key given as ECC_NIST_EDWARDS25519', 'ECC_NIST_EDWARDS25519', () => der(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey)],
    ['a P-256 key given as SM2', 'SM2', () => der(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey)],
    ['an Ed25519 key given as ML_DSA_44', 'ML_DSA_44', () => der(generateKeyPairSync('ed25519').privateKey)],
    ['bytes that are no PKCS#8', 'RSA_2048', () => Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)],
    ['an Ed25519 key with trailing bytes', 'ECC_NIST_EDWARDS25519', () => Uint8Array.from([...der(generateKeyPairSync('ed25519').privateKey), 0])],
  ] as const)('throws ValidationException when importKeyPair gets %s', async (_case, spec, pkcs8) => {
    // Act
    const result = asymmetric.importKeyPair(spec, pkcs8());
    // Assess
    await expect(result).rejects.toBeInstanceOf(ValidationException);
  });

  describe.each([
    ['HMAC_224', 'HMAC_SHA_224', 28],
    ['HMAC_256', 'HMAC_SHA_256', 32],
    ['HMAC_384', 'HMAC_SHA_384', 48],
    ['HMAC_512', 'HMAC_SHA_512', 64],
  ] as const)('importMacKey %s', (spec: HmacKeySpec, algorithm, length) => {
    it('returns the MAC Node computes with the original key', async () => {
      // Prepare
      const value = randomBytes(length);
      const key: StoredKeyRef = { backingKeyId: `bk-import-${++nextId}`, keySpec: spec, ...(await asymmetric.importMacKey(spec, Uint8Array.from(value))) };
      // Act
      const mac = await asymmetric.generateMac(key, algorithm, MESSAGE);
      // Assess
      expect(Buffer.from(mac)).toEqual(createHmac(`sha${algorithm.slice(-3)}`, value).update(MESSAGE).digest());
    });

    it('throws ValidationException when the key does not have the length of the key spec', async () => {
      // Act
      const result = asymmetric.importMacKey(spec, new Uint8Array(length - 1));
      // Assess
      await expect(result).rejects.toBeInstanceOf(ValidationException);
    });
  });
});
