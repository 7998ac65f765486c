import { describe, expect, it, vi } from 'vitest';
import { CachingGrants } from '../../../src/adapters/cache/caching-grants.js';
import { issueGrantToken } from '../../../src/core/kms/grants/grant-token.js';
import type { StoredGrant } from '../../../src/core/kms/grants/stored-grant.js';
import type { KeyRecord } from '../../../src/core/kms/records.js';
import { makeKey } from '../../support/core.js';
import { FakeClock } from '../../support/fake-clock.js';
import { InMemoryStore } from '../../support/in-memory-store.js';

const TTL_MS = 5_000;

function makeGrant(key: KeyRecord, n: number): StoredGrant {
  return {
    accountId: key.accountId, region: key.region, keyId: key.keyId, keyArn: key.arn, grantId: n.toString(16).padStart(64, '0'),
    granteePrincipal: `arn:aws:iam::${key.accountId}:role/app`, issuingAccount: `arn:aws:iam::${key.accountId}:root`,
    operations: ['Decrypt'], creationDate: 0, tokenSecret: 'ab'.repeat(32),
  };
}

function setUp() {
  const inner = new InMemoryStore();
  const clock = new FakeClock();
  const grants = new CachingGrants({ store: inner, clock, ttlMs: TTL_MS });
  const key = makeKey();
  inner.putKey(key);
  return { inner, clock, grants, key, allGrants: vi.spyOn(inner, 'allGrants') };
}

const ids = (grants: readonly { grantId: string }[]) => grants.map((grant) => grant.grantId);

describe('CachingGrants', () => {
  it('serves the grants on a key from memory within the TTL, and reads the table again after it', async () => {
    // Prepare
    const { inner, clock, grants, key, allGrants } = setUp();
    await inner.createGrant(makeGrant(key, 1));
    await grants.grantsForKey(key);
    await inner.createGrant(makeGrant(key, 2));

    // Act
    const within = await grants.grantsForKey(key);
    clock.advance(TTL_MS);
    const after = await grants.grantsForKey(key);

    // Assess
    expect(ids(within)).toEqual([makeGrant(key, 1).grantId]);
    expect(ids(after)).toEqual([makeGrant(key, 1).grantId, makeGrant(key, 2).grantId]);
    expect(allGrants).toHaveBeenCalledTimes(2);
  });

  it('drops the cached grants at once when a grant is created or deleted through it', async () => {
    // Prepare
    const { grants, key } = setUp();
    await grants.grantsForKey(key);

    // Act
    await grants.createGrant(makeGrant(key, 1));
    const created = await grants.grantsForKey(key);
    await grants.deleteGrant(key, makeGrant(key, 1).grantId);
    const deleted = await grants.grantsForKey(key);

    // Assess
    expect(ids(created)).toEqual([makeGrant(key, 1).grantId]);
    expect(deleted).toEqual([]);
  });

  it('reads the grants a token names from the table every time, so a new grant is usable at once by its token', async () => {
    // Prepare
    const { inner, grants, key } = setUp();
    await grants.grantsForKey(key);
    const grant = makeGrant(key, 1);
    await inner.createGrant(grant);
    const token = issueGrantToken({ grantId: grant.grantId, keyArn: key.arn, secret: grant.tokenSecret }, '00'.repeat(16));

    // Act
    const byToken = await grants.grantsForTokens([token], key);

    // Assess
    expect(ids(byToken)).toEqual([grant.grantId]);
    expect(await grants.grantsForKey(key)).toEqual([]);
  });

  it('reads the table, not the cache, for the grant operations', async () => {
    // Prepare
    const { inner, grants, key } = setUp();
    await grants.grantsForKey(key);
    await inner.createGrant(makeGrant(key, 1));

    // Act
    const all = await grants.allGrants(key);
    const count = await grants.countGrants(key);

    // Assess
    expect(ids(all)).toEqual([makeGrant(key, 1).grantId]);
    expect(count).toBe(1);
  });
});
