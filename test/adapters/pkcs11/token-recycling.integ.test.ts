/**
 * SoftHSM keeps every destroyed session object until the module is finalized; the adapter
 * recycles the module after a bounded number of destructions. These tests destroy many objects
 * (one per handle-cache eviction) and check that recycling happens, that every operation keeps
 * working across it. Whether memory stays flat is measured over time by `npm run soak`: the RSS of
 * one short run depends on the allocator too much to assert (from -1 to +16 MB were seen).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pkcs11AsymmetricKeyMaterial } from '../../../src/adapters/pkcs11/asymmetric/pkcs11-asymmetric-key-material.js';
import { Pkcs11KeyMaterial } from '../../../src/adapters/pkcs11/pkcs11-key-material.js';
import type { StoredKeyRef, WrappedKeyRef } from '../../../src/core/ports/index.js';
import { ensureSoftHsmToken, type SoftHsmTokenConfig } from '../../../src/local/softhsm-token.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('token recycling after many destroyed session objects', () => {
  let dataDir: string;
  let config: SoftHsmTokenConfig;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-recycle-'));
    config = await ensureSoftHsmToken({ dataDir });
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('recycles the module every N destroyed objects and every operation works across it', async () => {
    const material = await Pkcs11KeyMaterial.open({ ...config, handleCacheSize: 4, recycleAfterDestroyedObjects: 50 });
    try {
      const asymmetric = Pkcs11AsymmetricKeyMaterial.create(material);
      const keys: WrappedKeyRef[] = [];
      for (let i = 0; i < 8; i++) keys.push({ backingKeyId: `key-${i}`, wrappedMaterial: await material.generateSymmetricKey() });
      const aad = utf8('context');
      const before = await Promise.all(keys.map((key) => material.encrypt(key, utf8(`secret ${key.backingKeyId}`), aad)));
      const sealedBefore = await material.sealSecret(utf8('a stored secret'), aad);
      const pair = await asymmetric.generateKeyPair('ECC_NIST_P256');
      const ecKey: StoredKeyRef = { backingKeyId: 'ec-key', wrappedMaterial: pair.wrappedMaterial, keySpec: 'ECC_NIST_P256', tier: 'token' };
      const signedBefore = await asymmetric.sign(ecKey, 'ECDSA_SHA_256', { messageType: 'RAW', message: utf8('hello') });

      // 8 keys through a 4-entry cache: every use evicts, so every use destroys an object.
      for (let round = 0; round < 100; round++) {
        for (const key of keys) await material.encrypt(key, utf8('x'), aad);
        await nextTurn();
      }
      expect(material.recycleCount).toBeGreaterThanOrEqual(10);

      for (const [index, key] of keys.entries()) {
        const sealed = before[index];
        if (sealed === undefined) throw new Error('missing ciphertext');
        expect(new TextDecoder().decode(await material.decrypt(key, sealed, aad))).toBe(`secret ${key.backingKeyId}`);
      }
      expect(new TextDecoder().decode(await material.openSecret(sealedBefore, aad))).toBe('a stored secret');
      expect((await material.generateRandom(16)).length).toBe(16);
      const publicKeyRef = { ...ecKey, publicKey: pair.publicKey };
      expect(await asymmetric.verify(publicKeyRef, 'ECDSA_SHA_256', { messageType: 'RAW', message: utf8('hello') }, signedBefore)).toBe(true);
      const signedAfter = await asymmetric.sign(ecKey, 'ECDSA_SHA_256', { messageType: 'RAW', message: utf8('hello') });
      expect(await asymmetric.verify(publicKeyRef, 'ECDSA_SHA_256', { messageType: 'RAW', message: utf8('hello') }, signedAfter)).toBe(true);
      // Keys generated after a recycle wrap under the same wrapping key as before it.
      const later = { backingKeyId: 'later', wrappedMaterial: await material.generateSymmetricKey() };
      const sealedLater = await material.encrypt(later, utf8('later'), aad);
      for (let round = 0; round < 10; round++) {
        for (const key of keys) await material.encrypt(key, utf8('x'), aad);
        await nextTurn();
      }
      expect(new TextDecoder().decode(await material.decrypt(later, sealedLater, aad))).toBe('later');
    } finally {
      await material.close();
    }
  });

  it('waits for key generations running on the thread pool before it recycles, and recycles once they end', async () => {
    const material = await Pkcs11KeyMaterial.open({ ...config, handleCacheSize: 2, recycleAfterDestroyedObjects: 10 });
    try {
      const asymmetric = Pkcs11AsymmetricKeyMaterial.create(material);
      const keys: WrappedKeyRef[] = [];
      for (let i = 0; i < 4; i++) keys.push({ backingKeyId: `gen-key-${i}`, wrappedMaterial: await material.generateSymmetricKey() });
      const before = material.recycleCount;

      // Act: a long generation, while evictions pass the recycle bound many times over.
      const generation = asymmetric.generateKeyPair('RSA_4096');
      let duringGeneration = -1;
      let generated = false;
      void generation.then(() => { generated = true; });
      for (let round = 0; round < 20 && !generated; round++) {
        for (const key of keys) await material.encrypt(key, utf8('x'), utf8(''));
        await nextTurn();
        if (!generated) duringGeneration = material.recycleCount;
      }
      const pair = await generation;
      for (let turn = 0; turn < 5; turn++) await nextTurn();

      // Assess
      expect(duringGeneration).toBe(before);
      expect(material.recycleCount).toBeGreaterThan(before);
      const key: StoredKeyRef = { backingKeyId: 'generated-4096', keySpec: 'RSA_4096', tier: 'token', wrappedMaterial: pair.wrappedMaterial };
      const signature = await asymmetric.sign(key, 'RSASSA_PSS_SHA_256', { messageType: 'RAW', message: utf8('hello') });
      expect(await asymmetric.verify({ ...key, publicKey: pair.publicKey }, 'RSASSA_PSS_SHA_256', { messageType: 'RAW', message: utf8('hello') }, signature)).toBe(true);
    } finally {
      await material.close();
    }
  }, 60_000);

  it('does not recycle a module another user in the process still holds, and both keep working', async () => {
    const first = await Pkcs11KeyMaterial.open({ ...config, handleCacheSize: 2, recycleAfterDestroyedObjects: 10 });
    const second = await Pkcs11KeyMaterial.open(config);
    try {
      const keys: WrappedKeyRef[] = [];
      for (let i = 0; i < 4; i++) keys.push({ backingKeyId: `shared-${i}`, wrappedMaterial: await first.generateSymmetricKey() });
      const sealed = await second.encrypt(keys[0] as WrappedKeyRef, utf8('held by the second user'), utf8(''));
      for (let round = 0; round < 20; round++) {
        for (const key of keys) await first.encrypt(key, utf8('x'), utf8(''));
        await nextTurn();
      }
      expect(first.recycleCount).toBe(0);
      expect(new TextDecoder().decode(await second.decrypt(keys[0] as WrappedKeyRef, sealed, utf8('')))).toBe('held by the second user');
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('rejects a recycle bound that is not a positive integer or Infinity', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      await expect(Pkcs11KeyMaterial.open({ ...config, recycleAfterDestroyedObjects: bad })).rejects.toThrow(RangeError);
    }
  });
});
