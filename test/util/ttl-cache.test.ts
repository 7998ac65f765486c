import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/util/ttl-cache.js';
import { FakeClock } from '../support/fake-clock.js';

function makeCache(options: { ttlMs?: number; maxEntries?: number } = {}) {
  const clock = new FakeClock();
  const cache = new TtlCache<string, number>({ ttlMs: options.ttlMs ?? 1_000, maxEntries: options.maxEntries ?? 10, clock });
  return { cache, clock };
}

describe('TtlCache', () => {
  it('returns the value when it is read within the TTL', () => {
    // Prepare
    const { cache, clock } = makeCache({ ttlMs: 1_000 });
    cache.set('a', 1);
    clock.advance(999);

    // Act
    const value = cache.get('a');

    // Assess
    expect(value).toBe(1);
  });

  it('returns undefined when the TTL has passed', () => {
    // Prepare
    const { cache, clock } = makeCache({ ttlMs: 1_000 });
    cache.set('a', 1);
    clock.advance(1_000);

    // Act
    const value = cache.get('a');

    // Assess
    expect(value).toBeUndefined();
  });

  it('returns the value for the full TTL again when it is set again', () => {
    // Prepare
    const { cache, clock } = makeCache({ ttlMs: 1_000 });
    cache.set('a', 1);
    clock.advance(600);
    cache.set('a', 2);
    clock.advance(600);

    // Act
    const value = cache.get('a');

    // Assess
    expect(value).toBe(2);
  });

  it('returns undefined after delete', () => {
    // Prepare
    const { cache } = makeCache();
    cache.set('a', 1);

    // Act
    cache.delete('a');

    // Assess
    expect(cache.get('a')).toBeUndefined();
  });

  it('returns values forever when the TTL is infinite', () => {
    // Prepare
    const { cache, clock } = makeCache({ ttlMs: Number.POSITIVE_INFINITY });
    cache.set('a', 1);
    clock.advance(10 * 365 * 24 * 3600 * 1000);

    // Act
    const value = cache.get('a');

    // Assess
    expect(value).toBe(1);
  });

  it('stores nothing when the TTL is zero', () => {
    // Prepare
    const { cache } = makeCache({ ttlMs: 0 });

    // Act
    cache.set('a', 1);

    // Assess
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts the least recently set entry when the bound is exceeded', () => {
    // Prepare
    const { cache } = makeCache({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);

    // Act
    cache.set('c', 3);

    // Assess
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });

  it('evicts the least recently read entry rather than the oldest when an old entry was read', () => {
    // Prepare
    const { cache } = makeCache({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');

    // Act
    cache.set('c', 3);

    // Assess
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  });
});
