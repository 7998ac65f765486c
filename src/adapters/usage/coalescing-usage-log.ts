/**
 * KeyUsageLog that keeps the hot path off the table: `note` only remembers each key's latest use
 * in memory, and a timer writes what was noted every `flushMs` (one write a key, however many
 * requests used it). Reads see the uses not yet written too, so in one process GetKeyLastUsage is
 * never stale; another process sees a use at most `flushMs` later. A write that fails is tried
 * again with the next flush, unless a later use of the key replaced it meanwhile.
 */
import type { Clock, KeyLocator, KeyUsageLog, KeyUsageRecord, KeyUsageStore } from '../../core/ports/index.js';
import { NODE_TIMERS, type Timers } from '../scheduler/local-scheduler.js';

/**
 * How long a use may wait in memory before it is written (the staleness bound for other
 * processes). A minute keeps traffic spread over many keys from costing a table write per
 * request: a key used many times a minute is written once.
 */
export const DEFAULT_USAGE_FLUSH_MS = 60_000;

interface Noted {
  readonly locator: KeyLocator;
  readonly usage: KeyUsageRecord;
}

export interface CoalescingUsageLogOptions {
  readonly store: KeyUsageStore;
  /** The lifecycle clock: uses are dated as creation dates are. */
  readonly clock: Clock;
  readonly flushMs?: number;
  /** Told about a flush that failed (the uses stay pending). */
  readonly onError?: (error: unknown) => void;
  readonly timers?: Timers;
}

export class CoalescingUsageLog implements KeyUsageLog {
  readonly #options: CoalescingUsageLogOptions;
  readonly #timers: Timers;
  /** Noted and not yet handed to the store, by key. */
  #pending = new Map<string, Noted>();
  /** Handed to the store by the flush under way. */
  #writing = new Map<string, Noted>();
  #timer: unknown;
  #flushing: Promise<void> = Promise.resolve();
  #trackingStart: Promise<number> | undefined;

  constructor(options: CoalescingUsageLogOptions) {
    this.#options = options;
    this.#timers = options.timers ?? NODE_TIMERS;
  }

  note(locator: KeyLocator, usage: Omit<KeyUsageRecord, 'timestamp'>): void {
    const noted = { locator: { accountId: locator.accountId, region: locator.region, keyId: locator.keyId }, usage: { ...usage, timestamp: this.#options.clock.now().getTime() } };
    const id = idOf(locator);
    const earlier = this.#pending.get(id);
    if (earlier === undefined || earlier.usage.timestamp <= noted.usage.timestamp) this.#pending.set(id, noted);
    this.#arm();
  }

  async lastUsage(locator: KeyLocator): Promise<KeyUsageRecord | undefined> {
    const id = idOf(locator);
    const inMemory = this.#pending.get(id)?.usage ?? this.#writing.get(id)?.usage;
    const stored = await this.#options.store.getUsage(locator);
    if (inMemory === undefined) return stored;
    return stored === undefined || stored.timestamp < inMemory.timestamp ? inMemory : stored;
  }

  trackingStartDate(): Promise<number> {
    return this.#trackingStartFrom(this.#options.clock.now().getTime());
  }

  /** The recorded tracking start, recording `at` if none is yet (a store keeps the first it is given). */
  #trackingStartFrom(at: number): Promise<number> {
    const known = this.#trackingStart ?? this.#options.store.trackingStart(at);
    this.#trackingStart = known;
    // A failed first read is tried again by the next caller.
    known.catch(() => { if (this.#trackingStart === known) this.#trackingStart = undefined; });
    return known;
  }

  /** Writes every use noted so far; resolves when they are stored (or the write failed and they wait). */
  flush(): Promise<void> {
    this.#disarm();
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  /** Stops the timer and writes what is pending. */
  async stop(): Promise<void> {
    await this.flush();
    this.#disarm();
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    this.#writing = this.#pending;
    this.#pending = new Map();
    try {
      const entries = [...this.#writing.values()];
      // Tracking began no later than the first use written.
      await this.#trackingStartFrom(Math.min(...entries.map((entry) => entry.usage.timestamp)));
      await this.#options.store.putUsages(entries);
    } catch (error) {
      for (const [id, noted] of this.#writing) if (!this.#pending.has(id)) this.#pending.set(id, noted);
      this.#options.onError?.(error);
      this.#arm();
    } finally {
      this.#writing = new Map();
    }
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#options.flushMs ?? DEFAULT_USAGE_FLUSH_MS);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function idOf(locator: KeyLocator): string {
  return `${locator.accountId}:${locator.region}:${locator.keyId}`;
}
