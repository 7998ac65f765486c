/**
 * The import methods of the key-material ports, one contract run against the test fakes and the
 * real adapters (SoftHSM token tier, software tier for Ed25519): imported material must work as
 * the very key that was given, checked with Node's own crypto.
 */
import { createDecipheriv, createHmac, createPublicKey, generateKeyPairSync, randomBytes, verify as nodeVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationException } from '../../src/models/kms/generated/errors.js';
import type { AsymmetricKeyMaterial, KeyMaterial } from '../../src/core/ports/index.js';
import type { AsymmetricKeySpec } from '../../src/core/kms/keys/key-specs.js';
import type { SigningAlgorithmSpec } from '../../src/models/kms/generated/shapes.js';
import { Pkcs11KeyMaterial } from '../../src/adapters/pkcs11/pkcs11-key-material.js';
import { asymmetricMaterialFor } from '../../src/composition/asymmetric-material.js';
import { ensureSoftHsmToken } from '../../src/local/softhsm-token.js';
import { FakeKeyMaterial } from '../support/fake-key-material.js';
import { FakeAsymmetricMaterial } from '../support/fake-asymmetric-material.js';

interface Materials {
  readonly material: KeyMaterial;
  readonly asymmetric: AsymmetricKeyMaterial;
}

const MESSAGE = new TextEncoder().encode('imported keys sign like the originals');

function pkcs8Of(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
}

function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
}

const PAIRS: readonly (readonly [AsymmetricKeySpec, SigningAlgorithmSpec, () => KeyObject, string | null])[] = [
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'sha256'],
  ['ECC_NIST_P256', 'ECDSA_SHA_256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, 'sha256'],
  ['ECC_NIST_P384', 'ECDSA_SHA_384', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey, 'sha384'],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey, 'sha256'],
  ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', () => generateKeyPairSync('ed25519').privateKey, null],
];

function importContract(name: string, open: () => Promise<Materials & { close(): Promise<void> }>): void {
  describe(`key import (${name})`, () => {
    let materials: Materials & { close(): Promise<void> };
    beforeAll(async () => {
      materials = await open();
    });
    afterAll(() => materials.close());

    it('encrypts under the very AES key given when importSymmetricKey imported it', async () => {
      // Prepare
      const key = new Uint8Array(randomBytes(32));
      const aad = new TextEncoder().encode('header');

      // Act
      const wrappedMaterial = await materials.material.importSymmetricKey(Uint8Array.from(key));
      const sealed = await materials.material.encrypt({ backingKeyId: `import-${name}`, wrappedMaterial }, MESSAGE, aad);

      // Assess
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.ciphertext.subarray(-16));
      expect(Buffer.concat([decipher.update(sealed.ciphertext.subarray(0, -16)), decipher.final()])).toEqual(Buffer.from(MESSAGE));
      expect(Buffer.from(wrappedMaterial).includes(Buffer.from(key))).toBe(false);
    });

    it('refuses an AES key that is not 32 bytes long', async () => {
      // Prepare
      const key = new Uint8Array(16);

      // Act
      const result = materials.material.importSymmetricKey(key);

      // Assess
      await expect(result).rejects.toThrow(/32 bytes/);
    });

    it.each(PAIRS)('signs like the original %s key and reports its public key when importKeyPair imported it', async (spec, algorithm, generate, hash) => {
      // Prepare
      const original = generate();

      // Act
      const imported = await materials.asymmetric.importKeyPair(spec, pkcs8Of(original));
      const signature = await materials.asymmetric.sign(
        { backingKeyId: `import-${name}-${spec}`, wrappedMaterial: imported.wrappedMaterial, keySpec: spec, tier: imported.tier },
        algorithm, { messageType: 'RAW', message: MESSAGE },
      );

      // Assess
      expect(Buffer.from(imported.publicKey)).toEqual(Buffer.from(spkiOf(original)));
      const dsa = spec.startsWith('ECC_NIST_P') || spec === 'ECC_SECG_P256K1' ? { dsaEncoding: 'der' as const } : {};
      expect(nodeVerify(hash, MESSAGE, { key: createPublicKey(original), ...dsa }, signature)).toBe(true);
    });

    it('throws ValidationException when importKeyPair gets a key of another spec', async () => {
      // Prepare
      const p256 = pkcs8Of(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
      const rsa3072 = pkcs8Of(generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey);

      // Act
      const wrongFamily = materials.asymmetric.importKeyPair('RSA_2048', p256);
      const wrongSize = materials.asymmetric.importKeyPair('RSA_2048', rsa3072);
      const wrongCurve = materials.asymmetric.importKeyPair('ECC_NIST_P384', p256);
      const notDer = materials.asymmetric.importKeyPair('ECC_NIST_P256', Uint8Array.of(1, 2, 3));

      // Assess
      for (const result of [wrongFamily, wrongSize, wrongCurve, notDer]) await expect(result).rejects.toBeInstanceOf(ValidationException);
    });

    it('computes the HMAC of the very key given when importMacKey imported it', async () => {
      // Prepare
      const key = new Uint8Array(randomBytes(32));

      // Act
      const imported = await materials.asymmetric.importMacKey('HMAC_256', Uint8Array.from(key));
      const mac = await materials.asymmetric.generateMac(
        { backingKeyId: `import-${name}-hmac`, wrappedMaterial: imported.wrappedMaterial, keySpec: 'HMAC_256', tier: imported.tier },
        'HMAC_SHA_256', MESSAGE,
      );

      // Assess
      expect(Buffer.from(mac)).toEqual(createHmac('sha256', key).update(MESSAGE).digest());
    });

    it('throws ValidationException when importMacKey gets a key of another length than the key spec names', async () => {
      // Prepare
      const key = new Uint8Array(48);

      // Act
      const result = materials.asymmetric.importMacKey('HMAC_256', key);

      // Assess
      await expect(result).rejects.toBeInstanceOf(ValidationException);
    });
  });
}

importContract('fakes', async () => ({
  material: new FakeKeyMaterial(),
  asymmetric: new FakeAsymmetricMaterial(),
  close: async () => undefined,
}));

importContract('SoftHSM and the software tier', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kms-import-'));
  const material = await Pkcs11KeyMaterial.open(await ensureSoftHsmToken({ dataDir }));
  return {
    material,
    asymmetric: asymmetricMaterialFor(material),
    close: async () => {
      await material.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
