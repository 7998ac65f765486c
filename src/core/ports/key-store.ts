/** Persistence of KMS keys. */
import type { BackingKeyRecord, KeyRecord } from '../kms/records.js';
import type { Page, PageRequest } from './paging.js';

/** Identifies one KMS key: keys are scoped by account and Region. */
export interface KeyLocator {
  readonly accountId: string;
  readonly region: string;
  readonly keyId: string;
}

/**
 * What a key listing holds of each key: its ID, and its state and deletion date, since a key past
 * its deletion date is not listed even before its records are removed.
 */
export type KeyListing = Pick<KeyRecord, 'keyId' | 'keyState' | 'deletionDate'>;

/**
 * Persistence of keys and their backing key versions.
 * Multi-item changes are atomic: a crash never leaves a half-made key.
 */
export interface KeyStore {
  /**
   * Writes the key, its current backing key and any older backing key versions (a key created
   * already rotated, as seeding does) atomically; fails if the key ID exists. A key for imported
   * key material is created without a backing key (`undefined`).
   */
  createKey(key: KeyRecord, backingKey: BackingKeyRecord | undefined, olderBackingKeys?: readonly BackingKeyRecord[]): Promise<void>;
  getKey(locator: KeyLocator): Promise<KeyRecord | undefined>;
  /**
   * Replaces the key's metadata when the stored `revision` still equals `expectedRevision`;
   * the written record carries `key.revision` (normally `expectedRevision + 1`).
   * Throws `ConflictException` when another writer got there first.
   */
  updateKey(key: KeyRecord, expectedRevision: number): Promise<void>;
  /** The keys of an account and Region, by key ID: only what ListKeys needs of each. */
  listKeys(accountId: string, region: string, page: PageRequest): Promise<Page<KeyListing>>;
  getBackingKey(locator: KeyLocator, backingKeyId: string): Promise<BackingKeyRecord | undefined>;
  /** Every backing key version of the key, in no particular order (a key has a few dozen at most). */
  listBackingKeys(locator: KeyLocator): Promise<readonly BackingKeyRecord[]>;
  /**
   * A rotation: writes the new backing key version and the key's metadata (which names it
   * current) atomically, when the stored `revision` still equals `expectedRevision`; throws as
   * `updateKey` does, and writes nothing then.
   */
  rotateKey(key: KeyRecord, expectedRevision: number, backingKey: BackingKeyRecord): Promise<void>;
  /**
   * Deletes imported key material: removes the backing key version and writes the key's metadata
   * atomically, when the stored `revision` still equals `expectedRevision`; throws as `updateKey`
   * does, and writes nothing then. Removing a version that is already gone is not an error.
   */
  deleteKeyMaterial(key: KeyRecord, expectedRevision: number, backingKeyId: string): Promise<void>;
}
