/**
 * A token whose sessions are gone under the adapter (a Lambda function thawed after CloudHSM
 * dropped its idle connection; here: every session of the process closed through PKCS#11 itself,
 * which also ends the login): the operation that finds them gone reopens the token, logs in again,
 * finds its keys again and runs once more, so callers see no failure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireModule, releaseModule } from '../../../src/adapters/pkcs11/module-registry.js';
import { Pkcs11KeyMaterial } from '../../../src/adapters/pkcs11/pkcs11-key-material.js';
import { Pkcs11RecordAuthenticator } from '../../../src/adapters/pkcs11/record-authenticator.js';
import { ensureSoftHsmToken, type SoftHsmTokenConfig } from '../../../src/local/softhsm-token.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Closes every session this process has on the token: what a dropped HSM connection leaves. */
function dropEverySession(config: SoftHsmTokenConfig): void {
  const module = acquireModule(config.modulePath);
  try {
    const slots = module.getSlots(true);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots.items(i);
      if (slot.getToken().label.trim() === config.tokenLabel) module.lib.C_CloseAllSessions(slot.handle);
    }
  } finally {
    releaseModule(config.modulePath);
  }
}

describe('the token adapter after its sessions are gone', () => {
  let dataDir: string;
  let config: SoftHsmTokenConfig;
  let material: Pkcs11KeyMaterial;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-reconnect-'));
    config = await ensureSoftHsmToken({ dataDir });
    material = await Pkcs11KeyMaterial.open(config);
  }, 30_000);

  afterAll(async () => {
    await material?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('reopens and logs in again on the next operation, which succeeds, and old ciphertext still decrypts', async () => {
    // Prepare
    const key = { backingKeyId: 'reconnect-key', wrappedMaterial: await material.generateSymmetricKey() };
    const aad = utf8('context');
    const before = await material.encrypt(key, utf8('before the drop'), aad);
    dropEverySession(config);

    // Act
    const after = await material.encrypt(key, utf8('after the drop'), aad);

    // Assess
    expect(new TextDecoder().decode(await material.decrypt(key, before, aad))).toBe('before the drop');
    expect(new TextDecoder().decode(await material.decrypt(key, after, aad))).toBe('after the drop');
  });

  it.each([
    ['decrypt', async (m: Pkcs11KeyMaterial, key: { backingKeyId: string; wrappedMaterial: Uint8Array }, sealed: { iv: Uint8Array; ciphertext: Uint8Array }) => new TextDecoder().decode(await m.decrypt(key, sealed, utf8('aad')))],
    ['generateRandom', async (m: Pkcs11KeyMaterial) => String((await m.generateRandom(16)).length)],
    ['openSecret', async (m: Pkcs11KeyMaterial) => new TextDecoder().decode(await m.openSecret(await m.sealSecret(utf8('secret'), utf8('aad')), utf8('aad')))],
    ['a record MAC', async (m: Pkcs11KeyMaterial) => String((await new Pkcs11RecordAuthenticator(m).mac(utf8('record'))).length)],
  ] as const)('answers %s as the first operation after the drop', async (_name, operation) => {
    // Prepare
    const key = { backingKeyId: `reconnect-${_name}`, wrappedMaterial: await material.generateSymmetricKey() };
    const sealed = await material.encrypt(key, utf8('plain'), utf8('aad'));
    const expected = await operation(material, key, sealed);
    dropEverySession(config);

    // Act
    const result = await operation(material, key, sealed);

    // Assess
    expect(result).toBe(expected);
  });
});
