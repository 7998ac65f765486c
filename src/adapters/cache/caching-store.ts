/**
 * Keeps the hot path off the table once a key is warm: key metadata and aliases are cached for
 * `ttlMs` (the bounded staleness other processes' writes can see), backing keys, which never
 * change, until evicted; each cache holds at most `maxEntries`, least recently used dropped first.
 * Writes made through this store update or drop its entries at once, and CreateKey leaves the new
 * key and its backing keys cached, so in local mode, where every group shares one instance and no
 * other process writes the table, entries need no TTL (`ttlMs` Infinity) and nothing is ever stale.
 */
import type { AliasStore, Clock, KeyListing, KeyLocator, KeyStore, Page, PageRequest } from '../../core/ports/index.js';
import type { AliasRecord, BackingKeyRecord, KeyRecord } from '../../core/kms/records.js';
import { TtlCache } from '../../util/ttl-cache.js';

export interface CachingStoreOptions {
  readonly keys: KeyStore;
  readonly aliases: AliasStore;
  readonly clock: Clock;
  /** How long key metadata and aliases may be served from memory. */
  readonly ttlMs: number;
  readonly maxEntries?: number;
}

export class CachingStore implements KeyStore, AliasStore {
  readonly #keys: KeyStore;
  readonly #aliases: AliasStore;
  readonly #keyCache: TtlCache<string, KeyRecord>;
  readonly #aliasCache: TtlCache<string, AliasRecord>;
  readonly #backingCache: TtlCache<string, BackingKeyRecord>;
  /** Counts writes, so a read that raced any write does not cache what it read (the next read will). */
  #writeCount = 0;

  constructor(options: CachingStoreOptions) {
    this.#keys = options.keys;
    this.#aliases = options.aliases;
    const maxEntries = options.maxEntries ?? 10_000;
    this.#keyCache = new TtlCache({ ttlMs: options.ttlMs, maxEntries, clock: options.clock });
    this.#aliasCache = new TtlCache({ ttlMs: options.ttlMs, maxEntries, clock: options.clock });
    this.#backingCache = new TtlCache({ ttlMs: Number.POSITIVE_INFINITY, maxEntries, clock: options.clock });
  }

  async createKey(key: KeyRecord, backingKey: BackingKeyRecord | undefined, olderBackingKeys?: readonly BackingKeyRecord[]): Promise<void> {
    await this.#keys.createKey(key, backingKey, olderBackingKeys);
    this.#keyCache.set(keyCacheKey(key), key);
    // Its first use then reads nothing: backing keys never change once written (only deleted).
    for (const written of [...(olderBackingKeys ?? []), ...(backingKey === undefined ? [] : [backingKey])]) {
      this.#backingCache.set(`${keyCacheKey(key)}#${written.backingKeyId}`, written);
    }
  }

  getKey(locator: KeyLocator): Promise<KeyRecord | undefined> {
    return this.#readThrough(this.#keyCache, keyCacheKey(locator), () => this.#keys.getKey(locator));
  }

  async updateKey(key: KeyRecord, expectedRevision: number): Promise<void> {
    await this.#writeKey(key, () => this.#keys.updateKey(key, expectedRevision));
  }

  listKeys(accountId: string, region: string, page: PageRequest): Promise<Page<KeyListing>> {
    return this.#keys.listKeys(accountId, region, page);
  }

  getBackingKey(locator: KeyLocator, backingKeyId: string): Promise<BackingKeyRecord | undefined> {
    return this.#readThrough(this.#backingCache, `${keyCacheKey(locator)}#${backingKeyId}`,
      () => this.#keys.getBackingKey(locator, backingKeyId));
  }

  listBackingKeys(locator: KeyLocator): Promise<readonly BackingKeyRecord[]> {
    return this.#keys.listBackingKeys(locator);
  }

  async rotateKey(key: KeyRecord, expectedRevision: number, backingKey: BackingKeyRecord): Promise<void> {
    await this.#writeKey(key, () => this.#keys.rotateKey(key, expectedRevision, backingKey));
    // The new version's first use then reads nothing, as a new key's.
    this.#backingCache.set(`${keyCacheKey(key)}#${backingKey.backingKeyId}`, backingKey);
  }

  async deleteKeyMaterial(key: KeyRecord, expectedRevision: number, backingKeyId: string): Promise<void> {
    const cacheKey = `${keyCacheKey(key)}#${backingKeyId}`;
    this.#startWrite(this.#backingCache, cacheKey);
    await this.#writeKey(key, () => this.#keys.deleteKeyMaterial(key, expectedRevision, backingKeyId));
    this.#startWrite(this.#backingCache, cacheKey);
  }

  /** Runs `write` of `key`'s metadata with its cache entry dropped around it, then caches what was written. */
  async #writeKey(key: KeyRecord, write: () => Promise<void>): Promise<void> {
    const cacheKey = keyCacheKey(key);
    this.#startWrite(this.#keyCache, cacheKey);
    await write();
    this.#startWrite(this.#keyCache, cacheKey);
    this.#keyCache.set(cacheKey, key);
  }

  async createAlias(alias: AliasRecord): Promise<void> {
    await this.#aliases.createAlias(alias);
    this.#aliasCache.set(aliasCacheKey(alias.accountId, alias.region, alias.aliasName), alias);
  }

  getAlias(accountId: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    return this.#readThrough(this.#aliasCache, aliasCacheKey(accountId, region, aliasName),
      () => this.#aliases.getAlias(accountId, region, aliasName));
  }

  async updateAlias(alias: AliasRecord): Promise<void> {
    const cacheKey = aliasCacheKey(alias.accountId, alias.region, alias.aliasName);
    this.#startWrite(this.#aliasCache, cacheKey);
    await this.#aliases.updateAlias(alias);
    this.#startWrite(this.#aliasCache, cacheKey);
    this.#aliasCache.set(cacheKey, alias);
  }

  async deleteAlias(accountId: string, region: string, aliasName: string): Promise<void> {
    const cacheKey = aliasCacheKey(accountId, region, aliasName);
    this.#startWrite(this.#aliasCache, cacheKey);
    await this.#aliases.deleteAlias(accountId, region, aliasName);
    this.#startWrite(this.#aliasCache, cacheKey);
  }

  listAliases(accountId: string, region: string, page: PageRequest & { readonly keyId?: string }): Promise<Page<AliasRecord>> {
    return this.#aliases.listAliases(accountId, region, page);
  }
  /** Reads through `cache`, caching the result only if no write started meanwhile. */
  #readThrough<V>(cache: TtlCache<string, V>, cacheKey: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const writesBefore = this.#writeCount;
    return cache.getOrLoad(cacheKey, load, () => this.#writeCount === writesBefore);
  }

  #startWrite(cache: TtlCache<string, unknown>, cacheKey: string): void {
    // Deleting also stops later reads from joining a read that started before this write.
    cache.delete(cacheKey);
    this.#writeCount++;
  }

}

function keyCacheKey(locator: KeyLocator): string {
  return `${locator.accountId}:${locator.region}:${locator.keyId}`;
}

function aliasCacheKey(accountId: string, region: string, aliasName: string): string {
  return `${accountId}:${region}:${aliasName}`;
}
