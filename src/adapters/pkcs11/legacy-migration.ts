/**
 * Retires the root key of earlier versions: every backing key and every sealed secret in the table
 * is moved from it to the new wrapping and sealing keys, then it is destroyed.
 *
 * Crash-safe and idempotent, so it simply runs at every start while the legacy key exists (local
 * mode and each Lambda cold start, concurrently if need be):
 * - each blob is first tried under the new key, so a blob moved by an earlier, interrupted run (or
 *   by another process right now) is left alone;
 * - a moved blob is written back only if the stored one is still the blob that was read
 *   (a conditional write), so two migrating processes cannot overwrite each other;
 * - the legacy key is destroyed only after a full pass found nothing left to move, so a record
 *   written under it meanwhile (by a process still running the old version) is moved first;
 * - a blob neither key opens (damaged, or from another token) is logged by ID and left as it was:
 *   it could not be used before either.
 */
import type { BackingKeyRecord, KeyRecord } from '../../core/kms/records.js';
import type { AccessKeyRecord } from '../../core/iam/records.js';
import type { KeyLocator, Page, PageRequest, SealedData } from '../../core/ports/index.js';
import { parseSealedKey, formatSealedKey, sealedKeyAad } from '../software/sealed-key.js';
import { isEccSpec, isRsaSpec } from './asymmetric/curves.js';
import { isHmacSpec } from '../../core/kms/keys/key-specs.js';
import type { WrapRole } from './key-templates.js';
import type { LegacyRootKey, Moved } from './legacy-root-key.js';

/** What the migration needs from the table. */
export interface MigrationStore {
  getKey(locator: KeyLocator): Promise<KeyRecord | undefined>;
  /** Every backing key of every account and Region, in pages (no order promised). */
  scanBackingKeys(page: PageRequest): Promise<Page<BackingKeyRecord>>;
  /** Every access key, in pages (no order promised). */
  scanAccessKeys(page: PageRequest): Promise<Page<AccessKeyRecord>>;
  /**
   * Replaces the backing key's wrapped material if it still is `expected`; false (and nothing
   * written) when it has changed or the record is gone.
   */
  replaceWrappedMaterial(record: BackingKeyRecord, expected: Uint8Array): Promise<boolean>;
  /** Replaces the access key's sealed secret if it still is `expected`; false otherwise. */
  replaceSealedSecret(record: AccessKeyRecord, expected: SealedData): Promise<boolean>;
}

export interface MigrationLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface MigrationOptions {
  readonly store: MigrationStore;
  /** The AAD an access key's secret is sealed with (`secretAad` of the credential resolver). */
  readonly accessKeyAad: (accessKeyId: string) => Uint8Array;
  readonly logger: MigrationLogger;
  /** Records per page; default 100. */
  readonly pageSize?: number;
}

/** The part of `Pkcs11KeyMaterial` the migration uses. */
export interface LegacyKeyHolder {
  legacyRootKey(): LegacyRootKey | undefined;
}

interface Counts {
  moved: number;
  current: number;
  unreadable: number;
}

/** How a backing key of `spec` and `tier` rests: wrapped under the key of a role, or sealed. */
function restingForm(key: KeyRecord, record: BackingKeyRecord): { wrap: WrapRole } | 'sealed' | undefined {
  if (record.tier === undefined) return key.keySpec === 'SYMMETRIC_DEFAULT' ? { wrap: 'aes' } : undefined;
  if (record.tier === 'software') return 'sealed';
  if (isRsaSpec(key.keySpec)) return { wrap: 'rsa' };
  if (isEccSpec(key.keySpec)) return { wrap: 'ec' };
  if (isHmacSpec(key.keySpec)) return { wrap: 'hmac' };
  return undefined;
}

async function* pages<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): AsyncGenerator<T> {
  let marker: string | undefined;
  do {
    const page = await list(marker === undefined ? { limit } : { limit, marker });
    yield* page.items;
    marker = page.nextMarker;
  } while (marker !== undefined);
}

function tally<T>(counts: Counts, moved: Moved<T>): Moved<T> {
  counts[moved.state] += 1;
  return moved;
}

async function moveBackingKeys(legacy: LegacyRootKey, options: MigrationOptions, counts: Counts): Promise<void> {
  const { store, logger } = options;
  const keys = new Map<string, KeyRecord | undefined>();
  for await (const record of pages((page) => store.scanBackingKeys(page), options.pageSize ?? 100)) {
    const id = `${record.accountId}:${record.region}:${record.keyId}`;
    if (!keys.has(id)) keys.set(id, await store.getKey(record));
    const key = keys.get(id);
    const form = key === undefined ? undefined : restingForm(key, record);
    const where = { keyId: record.keyId, accountId: record.accountId, region: record.region, backingKeyId: record.backingKeyId };
    if (key === undefined || form === undefined) {
      counts.unreadable += 1;
      logger.error('legacy root key migration: backing key of an unknown key or kind left as it is', where);
      continue;
    }
    const moved = tally(counts, form === 'sealed'
      ? resealedKey(legacy, key, record.wrappedMaterial)
      : legacy.rewrap(form.wrap, record.wrappedMaterial));
    if (moved.state === 'unreadable') logger.error('legacy root key migration: backing key opens under no key; left as it is', where);
    if (moved.state === 'moved' && !(await store.replaceWrappedMaterial({ ...record, wrappedMaterial: moved.value }, record.wrappedMaterial))) {
      // Someone else moved it first; the next pass sees their blob.
      counts.moved -= 1;
      counts.current += 1;
    }
  }
}

function resealedKey(legacy: LegacyRootKey, key: KeyRecord, blob: Uint8Array): Moved<Uint8Array> {
  const sealed = parseSealedKey(blob);
  if (sealed === undefined) return { state: 'unreadable' };
  const moved = legacy.reseal(sealed, sealedKeyAad(key.keySpec));
  return moved.state === 'moved' ? { state: 'moved', value: formatSealedKey(moved.value) } : moved;
}

async function moveAccessKeys(legacy: LegacyRootKey, options: MigrationOptions, counts: Counts): Promise<void> {
  const { store, logger } = options;
  for await (const record of pages((page) => store.scanAccessKeys(page), options.pageSize ?? 100)) {
    const moved = tally(counts, legacy.reseal(record.sealedSecret, options.accessKeyAad(record.accessKeyId)));
    if (moved.state === 'unreadable') {
      logger.error('legacy root key migration: access key secret opens under no key; left as it is', { accessKeyId: record.accessKeyId });
    }
    if (moved.state === 'moved' && !(await store.replaceSealedSecret({ ...record, sealedSecret: moved.value }, record.sealedSecret))) {
      counts.moved -= 1;
      counts.current += 1;
    }
  }
}

/**
 * Runs the migration if the token still holds a legacy root key; returns whether it did. Throws
 * (leaving the legacy key in place, to finish at the next start) when the table or the token fails.
 */
export async function migrateLegacyRootKey(material: LegacyKeyHolder, options: MigrationOptions): Promise<boolean> {
  const legacy = material.legacyRootKey();
  if (legacy === undefined) return false;
  options.logger.info('legacy root key migration: started');
  for (let pass = 1; ; pass++) {
    const counts: Counts = { moved: 0, current: 0, unreadable: 0 };
    await moveBackingKeys(legacy, options, counts);
    await moveAccessKeys(legacy, options, counts);
    options.logger.info('legacy root key migration: pass done', { pass, ...counts });
    if (counts.moved === 0) break;
  }
  legacy.retire();
  options.logger.info('legacy root key migration: legacy root key destroyed');
  return true;
}

/**
 * The same, for a process that must start even when the migration cannot finish (a Lambda
 * function whose role may not scan the table): the failure is logged and the migration runs
 * again at the next start; until then keys still under the legacy root key load from it.
 */
export async function migrateLegacyRootKeyOrLog(material: LegacyKeyHolder, options: MigrationOptions): Promise<void> {
  try {
    await migrateLegacyRootKey(material, options);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.name : undefined;
    options.logger.error('legacy root key migration did not complete; it runs again at the next start', {
      error: error instanceof Error ? error.name : 'unknown', ...(cause === undefined ? {} : { cause }),
    });
  }
}
