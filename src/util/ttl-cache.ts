/** A small LRU map whose entries also expire after a fixed time. */
import type { Clock } from '../core/ports/index.js';

export class TtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number }>();
  /** Loads in flight, so concurrent misses on one key share one load. */
  readonly #loading = new Map<K, Promise<V | undefined>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #clock: Clock;

  constructor(options: { ttlMs: number; maxEntries: number; clock: Clock }) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#clock = options.clock;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#clock.now().getTime()) {
      this.#entries.delete(key);
      return undefined;
    }
    // Re-insert to mark as most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    if (this.#ttlMs <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#clock.now().getTime() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  /** Drops every entry; loads in flight will not be shared with later callers. */
  clear(): void {
    this.#entries.clear();
    this.#loading.clear();
  }

  /** Drops the entry; a load already in flight for it will not be shared with later callers. */
  delete(key: K): void {
    this.#entries.delete(key);
    this.#loading.delete(key);
  }

  /**
   * Returns the cached value, or runs `load` once for all concurrent callers of the same key and
   * caches its result when it is defined and `mayStore()` still agrees (a write may have raced it).
   */
  getOrLoad(key: K, load: () => Promise<V | undefined>, mayStore: () => boolean = () => true): Promise<V | undefined> {
    const cached = this.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    const inFlight = this.#loading.get(key);
    if (inFlight !== undefined) return inFlight;
    const loading = load()
      .then((value) => {
        if (value !== undefined && mayStore()) this.set(key, value);
        return value;
      })
      .finally(() => {
        if (this.#loading.get(key) === loading) this.#loading.delete(key);
      });
    this.#loading.set(key, loading);
    return loading;
  }
}
