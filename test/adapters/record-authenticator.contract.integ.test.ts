/**
 * The RecordAuthenticator contract, run against the fake and the token (SoftHSM): MACs that only
 * the same key reproduces, verification in constant time of any length, and an upgrade marker that
 * the token keeps across a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecordAuthenticator } from '../../src/core/ports/index.js';
import { Pkcs11KeyMaterial } from '../../src/adapters/pkcs11/pkcs11-key-material.js';
import { Pkcs11RecordAuthenticator } from '../../src/adapters/pkcs11/record-authenticator.js';
import { ensureSoftHsmToken } from '../../src/local/softhsm-token.js';
import { FakeRecordAuthenticator } from '../support/fake-record-authenticator.js';

const DATA = new TextEncoder().encode('a canonical record');
const OTHER = new TextEncoder().encode('a canonical recorc');

interface Subject {
  /** A fresh authenticator, as a new data folder has it. */
  open(): Promise<RecordAuthenticator>;
  /** The same store opened again (a restart). */
  reopen(): Promise<RecordAuthenticator>;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function fakeSubject(): Subject {
  let current: FakeRecordAuthenticator | undefined;
  const key = new Uint8Array(32).fill(3);
  return {
    open: async () => (current = new FakeRecordAuthenticator({ upgraded: false, key })),
    // The fake's marker lives in the instance: a restart keeps the same instance.
    reopen: async () => current ?? new FakeRecordAuthenticator({ upgraded: false, key }),
  };
}

function tokenSubject(): Subject {
  let dataDir: string | undefined;
  let material: Pkcs11KeyMaterial | undefined;
  const openToken = async (): Promise<RecordAuthenticator> => {
    dataDir ??= await mkdtemp(join(tmpdir(), 'kms-record-mac-'));
    await material?.close();
    material = await Pkcs11KeyMaterial.open(await ensureSoftHsmToken({ dataDir }));
    return new Pkcs11RecordAuthenticator(material);
  };
  cleanups.push(async () => {
    await material?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });
  return { open: openToken, reopen: openToken };
}

describe.each([
  ['the fake', fakeSubject()],
  ['the token (SoftHSM)', tokenSubject()],
] as const)('RecordAuthenticator: %s', (_name, subject) => {
  it('gives the same 32-byte MAC for the same data and another for other data, and verifies only the right one', async () => {
    // Prepare
    const authenticator = await subject.open();

    // Act
    const mac = await authenticator.mac(DATA);

    // Assess
    expect(mac).toHaveLength(32);
    expect(await authenticator.mac(DATA)).toEqual(mac);
    expect(await authenticator.mac(OTHER)).not.toEqual(mac);
    expect(await authenticator.verify(DATA, mac)).toBe(true);
    expect(await authenticator.verify(OTHER, mac)).toBe(false);
    expect(await authenticator.verify(DATA, mac.subarray(0, 31))).toBe(false);
    expect(await authenticator.verify(DATA, new Uint8Array(0))).toBe(false);
  });

  it('is not upgraded at first, is once marked, and stays so after a restart with the same key', async () => {
    // Prepare
    const authenticator = await subject.open();
    const before = await authenticator.upgraded();
    const mac = await authenticator.mac(DATA);

    // Act
    await authenticator.markUpgraded();
    await authenticator.markUpgraded();
    const restarted = await subject.reopen();

    // Assess
    expect(before).toBe(false);
    expect(await restarted.upgraded()).toBe(true);
    expect(await restarted.verify(DATA, mac)).toBe(true);
  });
});
