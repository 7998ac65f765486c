/**
 * Keeps authorization's grant lookups off the table once a key is warm: the grants on a key are
 * cached for `ttlMs`, the bounded staleness AWS KMS also has ("eventual consistency" of grants),
 * and dropped at once by every CreateGrant, RetireGrant and RevokeGrant made through this store,
 * so in local mode, where every group shares one instance, nothing is ever stale. The grant
 * operations themselves read the table, never the cache, and grant tokens are always read fresh:
 * a token makes a new grant usable at once anywhere.
 */
import type { GrantRecord } from '../../core/authz/index.js';
import type { StoredGrant } from '../../core/kms/grants/stored-grant.js';
import { StoredGrantLookup } from '../../core/kms/grants/stored-grant-lookup.js';
import type { Clock, GrantLookup, GrantStore, KeyLocator, Page, PageRequest } from '../../core/ports/index.js';
import { TtlCache } from '../../util/ttl-cache.js';

export interface CachingGrantsOptions {
  readonly store: GrantStore;
  readonly clock: Clock;
  /** How long the grants on a key may be served from memory. */
  readonly ttlMs: number;
  readonly maxEntries?: number;
}

export class CachingGrants implements GrantStore, GrantLookup {
  readonly #store: GrantStore;
  readonly #fresh: StoredGrantLookup;
  readonly #cache: TtlCache<string, readonly GrantRecord[]>;
  /** Counts writes, so a read that raced any write does not cache what it read. */
  #writeCount = 0;

  constructor(options: CachingGrantsOptions) {
    this.#store = options.store;
    this.#fresh = new StoredGrantLookup(options.store);
    this.#cache = new TtlCache({ ttlMs: options.ttlMs, maxEntries: options.maxEntries ?? 10_000, clock: options.clock });
  }

  async grantsForKey(key: KeyLocator): Promise<readonly GrantRecord[]> {
    const writesBefore = this.#writeCount;
    const grants = await this.#cache.getOrLoad(cacheKey(key), () => this.#fresh.grantsForKey(key), () => this.#writeCount === writesBefore);
    return grants ?? [];
  }

  grantsForTokens(tokens: readonly string[], key: KeyLocator): Promise<readonly GrantRecord[]> {
    return this.#fresh.grantsForTokens(tokens, key);
  }

  async createGrant(grant: StoredGrant): Promise<void> {
    this.#startWrite(grant);
    try {
      await this.#store.createGrant(grant);
    } finally {
      this.#startWrite(grant);
    }
  }

  getGrant(key: KeyLocator, grantId: string): Promise<StoredGrant | undefined> {
    return this.#store.getGrant(key, grantId);
  }

  listGrants(key: KeyLocator, page: PageRequest & { readonly granteePrincipal?: string }): Promise<Page<StoredGrant>> {
    return this.#store.listGrants(key, page);
  }

  allGrants(key: KeyLocator): Promise<readonly StoredGrant[]> {
    return this.#store.allGrants(key);
  }

  countGrants(key: KeyLocator): Promise<number> {
    return this.#store.countGrants(key);
  }

  listRetirableGrants(region: string, retiringPrincipal: string, page: PageRequest): Promise<Page<StoredGrant>> {
    return this.#store.listRetirableGrants(region, retiringPrincipal, page);
  }

  async deleteGrant(key: KeyLocator, grantId: string): Promise<boolean> {
    this.#startWrite(key);
    try {
      return await this.#store.deleteGrant(key, grantId);
    } finally {
      this.#startWrite(key);
    }
  }

  #startWrite(key: KeyLocator): void {
    this.#cache.delete(cacheKey(key));
    this.#writeCount++;
  }
}

function cacheKey(key: KeyLocator): string {
  return `${key.accountId}:${key.region}:${key.keyId}`;
}
