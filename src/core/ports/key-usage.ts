/** When each KMS key was last used for a cryptographic operation (GetKeyLastUsage). */
import type { KeyLastUsageTrackingOperation } from '../../models/kms/generated/shapes.js';
import type { KeyLocator } from './key-store.js';

/** One successful cryptographic use of a key. Timestamps are epoch milliseconds. */
export interface KeyUsageRecord {
  readonly operation: KeyLastUsageTrackingOperation;
  readonly timestamp: number;
  /** The audit event's `eventID`. */
  readonly cloudTrailEventId: string;
  /** The request's ID (`x-amzn-RequestId`, the audit event's `requestID`). */
  readonly kmsRequestId: string;
}

/**
 * The record of each key's last use. `note` is on the hot path and never waits for storage: uses
 * are coalesced per key and written in the background, so the last use read elsewhere may lag
 * behind by the write interval.
 */
export interface KeyUsageLog {
  /** Notes a successful use of the key now; the latest use of a key wins. */
  note(locator: KeyLocator, usage: Omit<KeyUsageRecord, 'timestamp'>): void;
  /** The key's last use, or undefined when none was recorded. */
  lastUsage(locator: KeyLocator): Promise<KeyUsageRecord | undefined>;
  /** When this service began recording uses (epoch ms). */
  trackingStartDate(): Promise<number>;
}

/** Where coalesced uses are kept: one record per key beside its metadata. */
export interface KeyUsageStore {
  /** Writes each key's use unless a later one is stored already; a key that is gone is skipped. */
  putUsages(entries: readonly { readonly locator: KeyLocator; readonly usage: KeyUsageRecord }[]): Promise<void>;
  getUsage(locator: KeyLocator): Promise<KeyUsageRecord | undefined>;
  /** The date recording began: `now` the first time it is asked, the same date ever after. */
  trackingStart(now: number): Promise<number>;
}
