/**
 * A bounded least-recently-used map. Used for token object handles, so an evicted entry is handed
 * to `onEvict` (which destroys the object) instead of being silently dropped.
 */
export class LruCache<K, V> {
  // Map iteration follows insertion order, so the first key is always the least recently used.
  readonly #entries = new Map<K, V>();

  readonly #capacity: number;
  readonly #onEvict: (value: V, key: K) => void;

  constructor(capacity: number, onEvict: (value: V, key: K) => void) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('The cache capacity must be a positive integer.');
    }
    this.#capacity = capacity;
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    const previous = this.#entries.get(key);
    this.#entries.delete(key);
    if (previous !== undefined && previous !== value) this.#onEvict(previous, key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.evict(oldest.value);
    }
  }

  /** Removes the entry and hands it to `onEvict`. */
  evict(key: K): void {
    const value = this.#entries.get(key);
    if (value === undefined) return;
    this.#entries.delete(key);
    this.#onEvict(value, key);
  }

  /** Forgets every entry without calling `onEvict` (for when the objects are already gone). */
  clear(): void {
    this.#entries.clear();
  }
}
