import { describe, expect, it, vi } from 'vitest';
import { StoredCredentialResolver, secretAad } from '../../src/authn/stored-credentials.js';
import type { AccessKeyRecord, UserRecord } from '../../src/core/iam/records.js';
import { ACCOUNT_ID } from '../support/core.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeKeyMaterial } from '../support/fake-key-material.js';
import { InMemoryStore } from '../support/in-memory-store.js';

const ACCESS_KEY_ID = 'AKIAEXAMPLE000000001';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TTL_MS = 5_000;

async function makeAccessKey(material: FakeKeyMaterial, overrides: Partial<AccessKeyRecord> = {}): Promise<AccessKeyRecord> {
  const accessKeyId = overrides.accessKeyId ?? ACCESS_KEY_ID;
  return {
    accessKeyId,
    sealedSecret: await material.sealSecret(new TextEncoder().encode(SECRET), secretAad(accessKeyId)),
    accountId: ACCOUNT_ID,
    principalArn: `arn:aws:iam::${ACCOUNT_ID}:root`,
    principalId: ACCOUNT_ID,
    status: 'Active',
    creationDate: 0,
    ...overrides,
  };
}

async function prepare(overrides: Partial<AccessKeyRecord> = {}, options: { maxUnknownEntries?: number } = {}) {
  const store = new InMemoryStore();
  const material = new FakeKeyMaterial();
  const clock = new FakeClock();
  await store.putAccessKey(await makeAccessKey(material, overrides));
  const getAccessKey = vi.spyOn(store, 'getAccessKey');
  const alice: UserRecord = {
    accountId: ACCOUNT_ID, userName: 'alice', path: '/', userId: 'AIDAEXAMPLE', arn: `arn:aws:iam::${ACCOUNT_ID}:user/alice`,
    createDate: 0, tags: [{ key: 'team', value: 'blue' }], revision: 0,
  };
  const identities = { getUser: (accountId: string, userName: string) => Promise.resolve(accountId === alice.accountId && userName === 'alice' ? alice : undefined) };
  const resolver = new StoredCredentialResolver({ store, material, clock, ttlMs: TTL_MS, identities, ...options });
  return { store, material, clock, resolver, getAccessKey };
}

/** A well-formed access key ID that is not in the table. */
const unknownId = (n: number): string => `AKIAUNKNOWN${String(n).padStart(9, '0')}`;

/** How many table reads asked for each of `ids`. */
const readsOf = (getAccessKey: { mock: { calls: unknown[][] } }, ids: readonly string[]): number =>
  getAccessKey.mock.calls.filter(([id]) => ids.includes(id as string)).length;

describe('StoredCredentialResolver', () => {
  it('returns the opened secret and a Root principal when the access key is active', async () => {
    // Prepare
    const { resolver } = await prepare();

    // Act
    const resolved = await resolver.resolve(ACCESS_KEY_ID);

    // Assess
    expect(resolved).toEqual({
      secretAccessKey: SECRET,
      principal: { type: 'Root', accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:root`, principalId: ACCOUNT_ID, accessKeyId: ACCESS_KEY_ID },
    });
  });

  it('returns an IAMUser principal with the user name and tags when the key belongs to an existing user', async () => {
    // Prepare
    const { resolver } = await prepare({ principalArn: `arn:aws:iam::${ACCOUNT_ID}:user/alice`, principalId: 'AIDAEXAMPLE', userName: 'alice' });

    // Act
    const resolved = await resolver.resolve(ACCESS_KEY_ID);

    // Assess
    expect(resolved?.principal).toMatchObject({ type: 'IAMUser', userName: 'alice', tags: { team: 'blue' } });
  });

  it('resolves nothing for the key of a user that no longer exists', async () => {
    // Prepare
    const { resolver } = await prepare({ principalArn: `arn:aws:iam::${ACCOUNT_ID}:user/bob`, principalId: 'AIDABOB', userName: 'bob' });

    // Act
    const resolved = await resolver.resolve(ACCESS_KEY_ID);

    // Assess
    expect(resolved).toBeUndefined();
  });

  it.each([
    ['the access key is unknown', 'AKIAOTHER00000000000', {}],
    ['the access key is inactive', ACCESS_KEY_ID, { status: 'Inactive' as const }],
  ])('returns undefined when %s', async (_, accessKeyId, overrides) => {
    // Prepare
    const { resolver } = await prepare(overrides);

    // Act
    const resolved = await resolver.resolve(accessKeyId);

    // Assess
    expect(resolved).toBeUndefined();
  });

  it('reads the store once within the TTL and again after it', async () => {
    // Prepare
    const { resolver, clock, getAccessKey } = await prepare();
    await resolver.resolve(ACCESS_KEY_ID);
    clock.advance(TTL_MS - 1);
    await resolver.resolve(ACCESS_KEY_ID);
    clock.advance(1);

    // Act
    await resolver.resolve(ACCESS_KEY_ID);

    // Assess
    expect(getAccessKey).toHaveBeenCalledTimes(2);
  });

  it('throws when the sealed secret is bound to another access key ID', async () => {
    // Prepare
    const store = new InMemoryStore();
    const material = new FakeKeyMaterial();
    const stolen = await makeAccessKey(material, { accessKeyId: 'AKIAOTHER00000000000' });
    await store.putAccessKey({ ...stolen, accessKeyId: ACCESS_KEY_ID });
    const resolver = new StoredCredentialResolver({ store, material, clock: new FakeClock(), ttlMs: TTL_MS });

    // Act
    const result = resolver.resolve(ACCESS_KEY_ID);

    // Assess
    await expect(result).rejects.toThrow();
  });

  describe('unknown access key IDs', () => {
    it('reads the table once per TTL for an unknown access key ID, however often it is sent', async () => {
      // Prepare
      const { resolver, clock, getAccessKey } = await prepare();
      for (let i = 0; i < 100; i++) await resolver.resolve(unknownId(1));
      clock.advance(TTL_MS - 1);
      await resolver.resolve(unknownId(1));
      const readsWithinTtl = getAccessKey.mock.calls.length;
      clock.advance(1);

      // Act
      const resolved = await resolver.resolve(unknownId(1));

      // Assess
      expect(resolved).toBeUndefined();
      expect(readsWithinTtl).toBe(1);
      expect(getAccessKey).toHaveBeenCalledTimes(2);
    });

    it('reads the table once for concurrent requests with the same unknown access key ID', async () => {
      // Prepare
      const { resolver, getAccessKey } = await prepare();

      // Act
      const resolved = await Promise.all(Array.from({ length: 50 }, () => resolver.resolve(unknownId(1))));

      // Assess
      expect(resolved.every((credential) => credential === undefined)).toBe(true);
      expect(getAccessKey).toHaveBeenCalledTimes(1);
    });

    it('reads the table once per ID for a flood of random IDs and remembers at most maxUnknownEntries of them', async () => {
      // Prepare
      const bound = 100;
      const { resolver, getAccessKey } = await prepare({}, { maxUnknownEntries: bound });
      const flood = Array.from({ length: 1_000 }, (_, i) => unknownId(i));
      for (const id of flood) await resolver.resolve(id);
      const floodReads = getAccessKey.mock.calls.length;

      // Act
      for (const id of [...flood.slice(-bound), ...flood.slice(0, bound)]) await resolver.resolve(id);

      // Assess: the newest IDs are still known to be unknown; the oldest were forgotten.
      expect(floodReads).toBe(flood.length);
      expect(readsOf(getAccessKey, flood.slice(-bound))).toBe(bound);
      expect(readsOf(getAccessKey, flood.slice(0, bound))).toBe(2 * bound);
    });

    it('still resolves a known access key after a flood of unknown IDs', async () => {
      // Prepare
      const { resolver } = await prepare({}, { maxUnknownEntries: 10 });
      for (let i = 0; i < 100; i++) await resolver.resolve(unknownId(i));

      // Act
      const resolved = await resolver.resolve(ACCESS_KEY_ID);

      // Assess
      expect(resolved?.secretAccessKey).toBe(SECRET);
    });

    it.each([
      ['shorter than 16 characters', 'AKIASHORT'],
      ['longer than 128 characters', `AKIA${'A'.repeat(125)}`],
      ['with characters IAM never uses', 'AKIA/../../0000000000'],
      ['of no characters', ''],
    ])('returns undefined without reading the table for an ID %s', async (_, accessKeyId) => {
      // Prepare
      const { resolver, getAccessKey } = await prepare();

      // Act
      const resolved = await resolver.resolve(accessKeyId);

      // Assess
      expect(resolved).toBeUndefined();
      expect(getAccessKey).not.toHaveBeenCalled();
    });

    it('resolves an access key created after its ID was looked up, once the TTL has passed', async () => {
      // Prepare
      const { resolver, store, material, clock } = await prepare();
      const laterId = 'AKIALATER00000000001';
      await resolver.resolve(laterId);
      await store.putAccessKey(await makeAccessKey(material, { accessKeyId: laterId }));
      clock.advance(TTL_MS);

      // Act
      const resolved = await resolver.resolve(laterId);

      // Assess
      expect(resolved?.principal.accessKeyId).toBe(laterId);
    });
  });
});
