/** When a key's lifecycle work falls due, read from its metadata alone. */
import type { KeyRecord } from '../records.js';

/** Milliseconds in a day of a waiting period or rotation period. */
export const DAY_MS = 86_400_000;

/** The earliest date at which `key` has lifecycle work (epoch ms), or undefined when it has none. */
export function lifecycleDueAt(key: KeyRecord): number | undefined {
  return key.keyState === 'PendingDeletion' ? key.deletionDate : undefined;
}

/**
 * Whether `key`'s waiting period is over at `now`. Such a key is deleted as far as every caller is
 * concerned, even before the scheduler has removed its items from the table.
 */
export function isDeleted(key: KeyRecord, now: Date): boolean {
  return key.keyState === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate <= now.getTime();
}
