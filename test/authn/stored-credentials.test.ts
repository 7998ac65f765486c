import { describe, expect, it, vi } from 'vitest';
import { StoredCredentialResolver, secretAad } from '../../src/authn/stored-credentials.js';
import type { AccessKeyRecord } from '../../src/core/iam/records.js';
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

async function prepare(overrides: Partial<AccessKeyRecord> = {}) {
  const store = new InMemoryStore();
  const material = new FakeKeyMaterial();
  const clock = new FakeClock();
  await store.putAccessKey(await makeAccessKey(material, overrides));
  const getAccessKey = vi.spyOn(store, 'getAccessKey');
  const resolver = new StoredCredentialResolver({ store, material, clock, ttlMs: TTL_MS });
  return { store, material, clock, resolver, getAccessKey };
}

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

  it('returns an IAMUser principal when the ARN names a user', async () => {
    // Prepare
    const { resolver } = await prepare({ principalArn: `arn:aws:iam::${ACCOUNT_ID}:user/alice`, principalId: 'AIDAEXAMPLE' });

    // Act
    const resolved = await resolver.resolve(ACCESS_KEY_ID);

    // Assess
    expect(resolved?.principal.type).toBe('IAMUser');
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
});
