/** When a key's lifecycle work falls due, read from its metadata alone. */
import type { KeyRecord } from '../records.js';

/** Milliseconds in a day of a waiting period or rotation period. */
export const DAY_MS = 86_400_000;

/**
 * The earliest date at which `key` has lifecycle work (epoch ms), or undefined when it has none:
 * its deletion while it is pending deletion; while it is Enabled, an on-demand rotation that was
 * accepted and its next automatic rotation. A Disabled key is not rotated ("while a KMS key is
 * disabled, AWS KMS does not rotate it"); enabling it makes a missed rotation due at once.
 * Imported key material expires at its ValidTo in every state.
 */
export function lifecycleDueAt(key: KeyRecord): number | undefined {
  const expiry = key.importedMaterial?.validTo;
  const dates = [
    ...(key.keyState === 'PendingDeletion' ? [key.deletionDate] : pendingRotations(key).map((rotation) => rotation.at)),
    expiry,
  ].filter((date): date is number => date !== undefined);
  return dates.length === 0 ? undefined : Math.min(...dates);
}

/** Whether `key`'s imported key material has expired at `now` (and is still there to delete). */
export function materialExpired(key: KeyRecord, now: Date): boolean {
  const expiry = key.importedMaterial?.validTo;
  return expiry !== undefined && expiry <= now.getTime();
}

/** The rotations an Enabled key has waiting, an accepted on-demand one first; none for a key in any other state. */
function pendingRotations(key: KeyRecord): { readonly type: 'ON_DEMAND' | 'AUTOMATIC'; readonly at: number }[] {
  if (key.keyState !== 'Enabled') return [];
  return [
    ...(key.onDemandRotationStartDate === undefined ? [] : [{ type: 'ON_DEMAND' as const, at: key.onDemandRotationStartDate }]),
    ...(key.rotation === undefined ? [] : [{ type: 'AUTOMATIC' as const, at: key.rotation.nextRotationDate }]),
  ];
}

/**
 * Whether `key`'s waiting period is over at `now`. Such a key is deleted as far as every caller is
 * concerned, even before the scheduler has removed its items from the table.
 */
export function isDeleted(key: Pick<KeyRecord, 'keyState' | 'deletionDate'>, now: Date): boolean {
  return key.keyState === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate <= now.getTime();
}

/** The rotation `key` is due for at `now`, if any: an accepted on-demand one first. */
export function dueRotation(key: KeyRecord, now: Date): 'ON_DEMAND' | 'AUTOMATIC' | undefined {
  return pendingRotations(key).find((rotation) => rotation.at <= now.getTime())?.type;
}
