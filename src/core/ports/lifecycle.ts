/** The ports of the key lifecycle: when a key's next lifecycle work is due, and removing a deleted key. */
import type { KeyRecord } from '../kms/records.js';
import type { KeyLocator } from './key-store.js';

/**
 * Runs a key's lifecycle work (deletion at its deletion date, and later rotation and material
 * expiry) when it falls due. The key's metadata is the durable record of what is due; the
 * scheduler is told after every write so that it can (re)arrange the key's one pending run.
 */
export interface Scheduler {
  /** `locator`'s next lifecycle work is due at `dueAt` (epoch ms), or it has none (`undefined`). */
  arrange(locator: KeyLocator, dueAt: number | undefined): Promise<void>;
}

/** A key with lifecycle work, and when it falls due. */
export interface DueKey {
  readonly locator: KeyLocator;
  readonly dueAt: number;
}

/**
 * The sparse due-date index: only keys with lifecycle work appear in it, earliest first, so a
 * scheduler reloads its work at start without scanning the keys.
 */
export interface DueWorkIndex {
  /** Every key whose work is due at or before `until` (epoch ms), earliest first. */
  dueKeys(until: number): Promise<readonly DueKey[]>;
}

/**
 * Removes a key whose waiting period is over: its aliases, its grants, its backing key versions (the only
 * copies of its material, wrapped under the token's keys) and its metadata, the metadata last.
 * Idempotent: removing a key that is gone, or half gone after a crash, finishes the job.
 */
export interface KeyRemoval {
  /**
   * Removes `key` if the stored key is still pending deletion with `key.deletionDate`; a key
   * whose deletion was cancelled or rescheduled meanwhile is left alone (returns false).
   */
  removeKey(key: KeyRecord): Promise<boolean>;
}
