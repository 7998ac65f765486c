import { describe, expect, it, vi } from 'vitest';
import { CachingStore } from '../../../src/adapters/cache/caching-store.js';
import { ConflictException } from '../../../src/models/kms/generated/errors.js';
import type { KeyRecord } from '../../../src/core/kms/records.js';
import { ACCOUNT_ID, REGION, makeAlias, makeKey, makeKeyId } from '../../support/core.js';
import { FakeClock } from '../../support/fake-clock.js';
import { InMemoryStore } from '../../support/in-memory-store.js';

const TTL_MS = 5_000;

function makeBackingKey(key: KeyRecord) {
  return {
    keyId: key.keyId, accountId: key.accountId, region: key.region, backingKeyId: key.currentBackingKeyId,
    wrappedMaterial: new Uint8Array([1, 2, 3]), creationDate: key.creationDate,
  };
}

function makeCachingStore(options: { maxEntries?: number } = {}) {
  const inner = new InMemoryStore();
  const clock = new FakeClock();
  const store = new CachingStore({ keys: inner, aliases: inner, clock, ttlMs: TTL_MS, ...options });
  const calls = {
    getKey: vi.spyOn(inner, 'getKey'),
    getBackingKey: vi.spyOn(inner, 'getBackingKey'),
    getAlias: vi.spyOn(inner, 'getAlias'),
    listKeys: vi.spyOn(inner, 'listKeys'),
    listAliases: vi.spyOn(inner, 'listAliases'),
  };
  return { inner, clock, store, calls };
}

/** Lets a test hold the next inner read after it has read the store, until the returned function is called. */
function holdNextRead(inner: InMemoryStore, method: 'getKey' | 'getAlias'): () => void {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  if (method === 'getKey') {
    const read = inner.getKey.bind(inner);
    vi.spyOn(inner, 'getKey').mockImplementationOnce(async (locator) => {
      const value = await read(locator);
      await gate;
      return value;
    });
  } else {
    const read = inner.getAlias.bind(inner);
    vi.spyOn(inner, 'getAlias').mockImplementationOnce(async (accountId, region, aliasName) => {
      const value = await read(accountId, region, aliasName);
      await gate;
      return value;
    });
  }
  return () => release();
}

describe('CachingStore keys', () => {
  it('serves a key from memory within the TTL', async () => {
    // Prepare
    const { inner, clock, store, calls } = makeCachingStore();
    const key = makeKey();
    inner.putKey(key);
    await store.getKey(key);
    clock.advance(TTL_MS - 1);

    // Act
    const again = await store.getKey(key);

    // Assess
    expect(again).toEqual(key);
    expect(calls.getKey).toHaveBeenCalledTimes(1);
  });

  it('reads the key again once the TTL has passed, and sees changes made by other writers then', async () => {
    // Prepare
    const { inner, clock, store, calls } = makeCachingStore();
    const key = makeKey();
    inner.putKey(key);
    await store.getKey(key);
    await inner.updateKey({ ...key, description: 'elsewhere', revision: 2 }, 1);
    const withinTtl = await store.getKey(key);
    clock.advance(TTL_MS);

    // Act
    const afterTtl = await store.getKey(key);

    // Assess
    expect(withinTtl?.description).toBe('');
    expect(afterTtl?.description).toBe('elsewhere');
    expect(calls.getKey).toHaveBeenCalledTimes(2);
  });

  it('does not remember a key that does not exist', async () => {
    // Prepare
    const { inner, store, calls } = makeCachingStore();
    const key = makeKey();
    await store.getKey(key);
    inner.putKey(key);

    // Act
    const found = await store.getKey(key);

    // Assess
    expect(found).toEqual(key);
    expect(calls.getKey).toHaveBeenCalledTimes(2);
  });

  it('serves a key it created without reading it', async () => {
    // Prepare
    const { store, calls } = makeCachingStore();
    const key = makeKey();
    await store.createKey(key, makeBackingKey(key));

    // Act
    const found = await store.getKey(key);

    // Assess
    expect(found).toEqual(key);
    expect(calls.getKey).not.toHaveBeenCalled();
  });

  it('serves the backing keys of a key it created, current and older, without reading them', async () => {
    // Prepare
    const { store, calls } = makeCachingStore();
    const key = makeKey();
    const older = { ...makeBackingKey(key), backingKeyId: 'cd'.repeat(32) };
    await store.createKey(key, makeBackingKey(key), [older]);

    // Act
    const current = await store.getBackingKey(key, key.currentBackingKeyId);
    const previous = await store.getBackingKey(key, older.backingKeyId);

    // Assess
    expect(current).toEqual(makeBackingKey(key));
    expect(previous).toEqual(older);
    expect(calls.getBackingKey).not.toHaveBeenCalled();
  });

  it('serves the written key at once after an update through it', async () => {
    // Prepare
    const { inner, store, calls } = makeCachingStore();
    const key = makeKey();
    inner.putKey(key);
    await store.getKey(key);
    const updated = { ...key, keyState: 'Disabled' as const, revision: 2 };

    // Act
    await store.updateKey(updated, 1);

    // Assess
    expect(await store.getKey(key)).toEqual(updated);
    expect(await inner.getKey(key)).toEqual(updated);
    expect(calls.getKey).toHaveBeenCalledTimes(2);
  });

  it('forgets the key and rethrows when an update loses to another writer', async () => {
    // Prepare
    const { inner, store, calls } = makeCachingStore();
    const key = makeKey();
    inner.putKey(key);
    await store.getKey(key);
    await inner.updateKey({ ...key, description: 'winner', revision: 2 }, 1);

    // Act
    const error = await store.updateKey({ ...key, description: 'loser', revision: 2 }, 1).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(ConflictException);
    expect((await store.getKey(key))?.description).toBe('winner');
    expect(calls.getKey).toHaveBeenCalledTimes(2);
  });

  it('never serves a value older than a write made through it, even when a read was in flight', async () => {
    // Prepare
    const { inner, store } = makeCachingStore();
    const key = makeKey();
    inner.putKey(key);
    const release = holdNextRead(inner, 'getKey');
    const slowRead = store.getKey(key);
    await new Promise((resolve) => setImmediate(resolve));
    await store.updateKey({ ...key, keyState: 'Disabled', revision: 2 }, 1);
    release();
    await slowRead;

    // Act
    const found = await store.getKey(key);

    // Assess
    expect(found?.keyState).toBe('Disabled');
  });

  it('keeps backing keys past the TTL', async () => {
    // Prepare
    const { inner, clock, store, calls } = makeCachingStore();
    const key = makeKey();
    inner.putKey(key, makeBackingKey(key));
    await store.getBackingKey(key, key.currentBackingKeyId);
    clock.advance(365 * 24 * 3600 * 1000);

    // Act
    const backing = await store.getBackingKey(key, key.currentBackingKeyId);

    // Assess
    expect(backing?.wrappedMaterial).toEqual(new Uint8Array([1, 2, 3]));
    expect(calls.getBackingKey).toHaveBeenCalledTimes(1);
  });

  it('always asks the inner store to list keys', async () => {
    // Prepare
    const { inner, store, calls } = makeCachingStore();
    inner.putKey(makeKey());

    // Act
    await store.listKeys(ACCOUNT_ID, REGION, { limit: 10 });
    await store.listKeys(ACCOUNT_ID, REGION, { limit: 10 });

    // Assess
    expect(calls.listKeys).toHaveBeenCalledTimes(2);
  });

  it('holds at most maxEntries keys, dropping the least recently used', async () => {
    // Prepare
    const { inner, store, calls } = makeCachingStore({ maxEntries: 2 });
    const [a, b, c] = [1, 2, 3].map((n) => makeKey({ keyId: makeKeyId(n) })) as [KeyRecord, KeyRecord, KeyRecord];
    for (const key of [a, b, c]) inner.putKey(key);
    await store.getKey(a);
    await store.getKey(b);
    await store.getKey(a);
    await store.getKey(c);
    calls.getKey.mockClear();

    // Act
    await store.getKey(a);
    await store.getKey(c);
    await store.getKey(b);

    // Assess
    expect(calls.getKey.mock.calls.map(([locator]) => locator.keyId)).toEqual([b.keyId]);
  });
});

describe('CachingStore aliases', () => {
  it('serves an alias from memory within the TTL and reads it again after', async () => {
    // Prepare
    const { inner, clock, store, calls } = makeCachingStore();
    inner.putKey(makeKey());
    await inner.createAlias(makeAlias());
    await store.getAlias(ACCOUNT_ID, REGION, 'alias/test');
    clock.advance(TTL_MS - 1);
    await store.getAlias(ACCOUNT_ID, REGION, 'alias/test');
    clock.advance(1);

    // Act
    await store.getAlias(ACCOUNT_ID, REGION, 'alias/test');

    // Assess
    expect(calls.getAlias).toHaveBeenCalledTimes(2);
  });

  it('serves an alias it created without reading it', async () => {
    // Prepare
    const { inner, store, calls } = makeCachingStore();
    inner.putKey(makeKey());
    await store.createAlias(makeAlias());

    // Act
    const alias = await store.getAlias(ACCOUNT_ID, REGION, 'alias/test');

    // Assess
    expect(alias).toEqual(makeAlias());
    expect(calls.getAlias).not.toHaveBeenCalled();
  });

  it('serves the new target at once after an update through it', async () => {
    // Prepare
    const { inner, store } = makeCachingStore();
    inner.putKey(makeKey({ keyId: makeKeyId(1) }));
    inner.putKey(makeKey({ keyId: makeKeyId(2) }));
    await store.createAlias(makeAlias({ targetKeyId: makeKeyId(1) }));

    // Act
    await store.updateAlias(makeAlias({ targetKeyId: makeKeyId(2) }));

    // Assess
    expect((await store.getAlias(ACCOUNT_ID, REGION, 'alias/test'))?.targetKeyId).toBe(makeKeyId(2));
  });

  it('answers undefined at once after a delete through it', async () => {
    // Prepare
    const { inner, store } = makeCachingStore();
    inner.putKey(makeKey());
    await store.createAlias(makeAlias());
    await store.getAlias(ACCOUNT_ID, REGION, 'alias/test');

    // Act
    await store.deleteAlias(ACCOUNT_ID, REGION, 'alias/test');

    // Assess
    expect(await store.getAlias(ACCOUNT_ID, REGION, 'alias/test')).toBeUndefined();
  });

  it('never serves a deleted alias when a read was in flight during the delete', async () => {
    // Prepare
    const { inner, store } = makeCachingStore();
    inner.putKey(makeKey());
    await inner.createAlias(makeAlias());
    const release = holdNextRead(inner, 'getAlias');
    const slowRead = store.getAlias(ACCOUNT_ID, REGION, 'alias/test');
    await new Promise((resolve) => setImmediate(resolve));
    await store.deleteAlias(ACCOUNT_ID, REGION, 'alias/test');
    release();
    await slowRead;

    // Act
    const alias = await store.getAlias(ACCOUNT_ID, REGION, 'alias/test');

    // Assess
    expect(alias).toBeUndefined();
  });

  it('always asks the inner store to list aliases', async () => {
    // Prepare
    const { store, calls } = makeCachingStore();

    // Act
    await store.listAliases(ACCOUNT_ID, REGION, { limit: 10 });
    await store.listAliases(ACCOUNT_ID, REGION, { limit: 10, keyId: makeKeyId(1) });

    // Assess
    expect(calls.listAliases).toHaveBeenCalledTimes(2);
  });
});

describe('CachingStore single-flight reads', () => {
  it('shares one inner read among concurrent misses on the same key', async () => {
    // Prepare
    const inner = new InMemoryStore();
    const key = makeKey();
    await inner.createKey(key, makeBackingKey(key));
    let reads = 0;
    const counting = Object.assign(Object.create(inner) as InMemoryStore, {
      getKey: async (locator: Parameters<InMemoryStore['getKey']>[0]) => {
        reads++;
        return inner.getKey(locator);
      },
    });
    const store = new CachingStore({ keys: counting, aliases: inner, clock: new FakeClock(), ttlMs: 5_000 });

    // Act
    const results = await Promise.all(Array.from({ length: 8 }, () => store.getKey(key)));

    // Assess
    expect(reads).toBe(1);
    expect(results.every((result) => result?.keyId === key.keyId)).toBe(true);
  });
});
