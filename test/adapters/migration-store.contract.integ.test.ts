/**
 * The contract of `MigrationStore` (what the legacy root key migration needs from the table), run
 * against the in-memory fake and against DynamoStore on DynamoDB Local.
 */
import { describe, expect, it } from 'vitest';
import { useDynamoDbLocalTables } from './dynamodb-local-tables.js';
import { DynamoStore } from '../../src/adapters/dynamodb/dynamo-store.js';
import type { MigrationStore } from '../../src/adapters/pkcs11/legacy-migration.js';
import { InvalidMarkerException } from '../../src/models/kms/generated/errors.js';
import type { KeyStore, CredentialStore, Page, PageRequest } from '../../src/core/ports/index.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { keyIdFor, makeAccessKey, makeAlias, makeBackingKey, makeKey } from './dynamodb/fixtures.js';
import { testIntegrity } from '../support/fake-record-authenticator.js';

type Store = MigrationStore & KeyStore & CredentialStore & { createAlias: InMemoryStore['createAlias'] };

const dynamo = useDynamoDbLocalTables();

const STORES: readonly [string, () => Promise<Store>][] = [
  ['InMemoryStore', async () => new InMemoryStore()],
  ['DynamoStore', async () => {
    const tableName = await dynamo.newTable('migration');
    const client = dynamo.client();
    return new DynamoStore({ tableName, client, integrity: testIntegrity() });
  }],
];

async function all<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const page = await list(marker === undefined ? { limit } : { limit, marker });
    items.push(...page.items);
    marker = page.nextMarker;
  } while (marker !== undefined);
  return items;
}

/** Three keys in two accounts and two Regions, one with two backing keys, an alias and two access keys. */
async function populate(store: Store) {
  const first = makeKey('111111111111', { keyId: keyIdFor(1) });
  const second = makeKey('111111111111', { keyId: keyIdFor(2), region: 'us-west-2' });
  const third = makeKey('222222222222', { keyId: keyIdFor(3) });
  const backingKeys = [makeBackingKey(first), makeBackingKey(second), makeBackingKey(third)];
  for (const [i, key] of [first, second, third].entries()) await store.createKey(key, backingKeys[i]);
  await store.createAlias(makeAlias(first, 'alias/one'));
  const accessKeys = [makeAccessKey('AKIAAAAAAAAAAAAAAAA1'), makeAccessKey('AKIAAAAAAAAAAAAAAAA2', { accountId: '222222222222' })];
  for (const accessKey of accessKeys) await store.putAccessKey(accessKey);
  return { backingKeys, accessKeys };
}

describe.each(STORES)('MigrationStore contract: %s', (_name, makeStore) => {
  it('returns every backing key of every account and Region exactly once when scanned in small pages', async () => {
    // Prepare
    const store = await makeStore();
    const { backingKeys } = await populate(store);
    // Act
    const scanned = await all((page) => store.scanBackingKeys(page), 2);
    // Assess
    const ids = (records: readonly { keyId: string; region: string; accountId: string }[]) => records.map((r) => `${r.accountId}/${r.region}/${r.keyId}`).sort();
    expect(ids(scanned)).toEqual(ids(backingKeys));
    expect(scanned.every((record) => record.wrappedMaterial instanceof Uint8Array)).toBe(true);
  });

  it('returns every access key exactly once, and no other item, when scanned in small pages', async () => {
    // Prepare
    const store = await makeStore();
    const { accessKeys } = await populate(store);
    // Act
    const scanned = await all((page) => store.scanAccessKeys(page), 1);
    // Assess
    expect(scanned.map((record) => record.accessKeyId).sort()).toEqual(accessKeys.map((record) => record.accessKeyId));
    expect(scanned[0]?.sealedSecret.iv).toEqual(accessKeys[0]?.sealedSecret.iv);
  });

  it('replaces the wrapped material when the stored material is the expected one, and not otherwise', async () => {
    // Prepare
    const store = await makeStore();
    const { backingKeys: [record] } = await populate(store);
    const replacement = { ...record!, wrappedMaterial: Uint8Array.from({ length: 40 }, () => 0xee) };
    // Act
    const stale = await store.replaceWrappedMaterial(replacement, Uint8Array.of(1, 2, 3));
    const afterStale = await store.getBackingKey(record!, record!.backingKeyId);
    const replaced = await store.replaceWrappedMaterial(replacement, record!.wrappedMaterial);
    const again = await store.replaceWrappedMaterial({ ...replacement, wrappedMaterial: Uint8Array.of(9) }, record!.wrappedMaterial);
    const missing = await store.replaceWrappedMaterial({ ...replacement, backingKeyId: 'f'.repeat(64) }, record!.wrappedMaterial);
    // Assess
    expect([stale, replaced, again, missing]).toEqual([false, true, false, false]);
    expect(Buffer.from(afterStale!.wrappedMaterial)).toEqual(Buffer.from(record!.wrappedMaterial));
    expect(Buffer.from((await store.getBackingKey(record!, record!.backingKeyId))!.wrappedMaterial)).toEqual(Buffer.from(replacement.wrappedMaterial));
  });

  it('replaces the sealed secret when the stored one is the expected one, and not otherwise', async () => {
    // Prepare
    const store = await makeStore();
    const { accessKeys: [record] } = await populate(store);
    const replacement = { ...record!, sealedSecret: { iv: new Uint8Array(12).fill(1), ciphertext: new Uint8Array(56).fill(2) } };
    // Act
    const stale = await store.replaceSealedSecret(replacement, { iv: record!.sealedSecret.iv, ciphertext: new Uint8Array(56) });
    const replaced = await store.replaceSealedSecret(replacement, record!.sealedSecret);
    const missing = await store.replaceSealedSecret({ ...replacement, accessKeyId: 'AKIAMISSINGMISSING00' }, record!.sealedSecret);
    // Assess
    expect([stale, replaced, missing]).toEqual([false, true, false]);
    expect((await store.getAccessKey(record!.accessKeyId))?.sealedSecret).toEqual(replacement.sealedSecret);
  });

  it('throws InvalidMarkerException when the scan marker is not one it issued', async () => {
    // Prepare
    const store = await makeStore();
    // Act
    const result = store.scanBackingKeys({ limit: 1, marker: 'not-a-marker' });
    // Assess
    await expect(result).rejects.toBeInstanceOf(InvalidMarkerException);
  });
});
