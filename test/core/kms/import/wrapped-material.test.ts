import { constants, createCipheriv, createDecipheriv, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { splitKeyWrapPayload, WRAPPING_MODULUS_BYTES } from '../../../../src/core/kms/import/wrapped-material.js';

/** The guide's step 3 for RSA_AES_KEY_WRAP_SHA_256, done with Node's OpenSSL instead of the CLI. */
function wrapAsTheGuideDoes(publicKey: ReturnType<typeof generateKeyPairSync>['publicKey'], material: Buffer, aesKey: Buffer): Buffer {
  const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('A65959A6', 'hex'));
  const wrappedMaterial = Buffer.concat([cipher.update(material), cipher.final()]);
  const encryptedAesKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, aesKey);
  return Buffer.concat([encryptedAesKey, wrappedMaterial]);
}

describe('RSA_AES_KEY_WRAP payloads', () => {
  it('the modulus lengths are those of the RSA wrapping key specs, and SM2 has none', () => {
    expect(WRAPPING_MODULUS_BYTES).toEqual({ RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 });
  });

  it('splits a payload made as the guide makes it into parts that unwrap to the material', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const length of [1, 32, 33, 1217]) {
      const material = randomBytes(length);
      const aesKey = randomBytes(32);
      const parts = splitKeyWrapPayload(wrapAsTheGuideDoes(publicKey, material, aesKey), 256);
      expect(parts).toBeDefined();
      const key = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, parts!.encryptedAesKey);
      expect(key.equals(aesKey)).toBe(true);
      const decipher = createDecipheriv('id-aes256-wrap-pad', key, Buffer.from('A65959A6', 'hex'));
      expect(Buffer.concat([decipher.update(parts!.wrappedMaterial), decipher.final()]).equals(material)).toBe(true);
    }
  });

  it('refuses lengths no payload has: too short for a key wrap, or a key wrap not a multiple of 8', () => {
    expect(splitKeyWrapPayload(new Uint8Array(256), 256)).toBeUndefined();
    expect(splitKeyWrapPayload(new Uint8Array(256 + 8), 256)).toBeUndefined();
    expect(splitKeyWrapPayload(new Uint8Array(256 + 17), 256)).toBeUndefined();
    expect(splitKeyWrapPayload(new Uint8Array(100), 256)).toBeUndefined();
    expect(splitKeyWrapPayload(new Uint8Array(256 + 16), 256)?.wrappedMaterial.length).toBe(16);
  });
});
