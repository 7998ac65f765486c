/**
 * The key material part of the `KeyStore` contract (`rotateKey`, `listBackingKeys`, a key created
 * without material, `deleteKeyMaterial`), run against the in-memory fake and against DynamoStore
 * on DynamoDB Local: key material and the metadata that names it are written (or deleted)
 * together or not at all.
 */
import { describe, expect, it } from 'vitest';
import { useDynamoDbLocalTables } from './dynamodb-local-tables.js';
import { DynamoStore } from '../../src/adapters/dynamodb/dynamo-store.js';
import type { KeyRecord } from '../../src/core/kms/records.js';
import type { KeyStore } from '../../src/core/ports/index.js';
import { AlreadyExistsException, ConflictException, NotFoundException } from '../../src/models/kms/generated/errors.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { keyIdFor, makeBackingKey, makeKey } from './dynamodb/fixtures.js';
import { testIntegrity } from '../support/fake-record-authenticator.js';

const dynamo = useDynamoDbLocalTables();

const STORES: readonly [string, () => Promise<KeyStore>][] = [
  ['InMemoryStore', async () => new InMemoryStore()],
  ['DynamoStore', async () => {
    const tableName = await dynamo.newTable('rotation');
    const client = dynamo.client();
    return new DynamoStore({ tableName, client, integrity: testIntegrity() });
  }],
];

const ACCOUNT = '111122223333';
const NEW_MATERIAL = 'b'.repeat(64);
const ROTATED_AT = 1_900_000_000_000;

async function givenKey(store: KeyStore, overrides: Partial<KeyRecord> = {}): Promise<KeyRecord> {
  const key = makeKey(ACCOUNT, overrides);
  await store.createKey(key, makeBackingKey(key));
  return key;
}

function rotated(key: KeyRecord): KeyRecord {
  return {
    ...key,
    currentBackingKeyId: NEW_MATERIAL,
    rotation: { periodDays: 90, nextRotationDate: ROTATED_AT + 90 * 86_400_000 },
    onDemandRotations: 1,
    revision: key.revision + 1,
  };
}

describe.each(STORES)('KeyStore rotation contract: %s', (_name, makeStore) => {
  it('writes the new key material and the metadata naming it current together, and lists every version with its rotation', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store, { onDemandRotationStartDate: ROTATED_AT - 1 });
    const { onDemandRotationStartDate: _done, ...withoutPending } = rotated(key);
    const material = makeBackingKey(key, { backingKeyId: NEW_MATERIAL, creationDate: ROTATED_AT, rotation: { date: ROTATED_AT, type: 'ON_DEMAND' } });

    // Act
    await store.rotateKey(withoutPending, key.revision, material);

    // Assess
    expect(await store.getKey(key)).toEqual(withoutPending);
    expect(await store.getBackingKey(key, NEW_MATERIAL)).toEqual(material);
    const versions = [...await store.listBackingKeys(key)].sort((a, b) => a.creationDate - b.creationDate);
    expect(versions).toEqual([makeBackingKey(key), material]);
    expect(await store.listBackingKeys({ ...key, keyId: keyIdFor(2) })).toEqual([]);
  });

  it.each([
    ['a stale revision', (key: KeyRecord) => ({ ...rotated(key), revision: 5 }), 4, (key: KeyRecord) => new ConflictException(`${key.arn} was changed by another request. Retry the request.`)],
    ['a key that does not exist', (key: KeyRecord) => ({ ...rotated(key), keyId: keyIdFor(9), arn: key.arn.replace(keyIdFor(1), keyIdFor(9)) }), 0,
      (key: KeyRecord) => new NotFoundException(`Key '${key.arn.replace(keyIdFor(1), keyIdFor(9))}' does not exist`)],
  ] as const)('throws and writes nothing for %s', async (_case, change, expectedRevision, expected) => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    const next = change(key);

    // Act
    const result = store.rotateKey(next, expectedRevision, makeBackingKey(next, { backingKeyId: NEW_MATERIAL }));

    // Assess
    await expect(result).rejects.toThrow(expected(key));
    expect(await store.getKey(key)).toEqual(key);
    expect(await store.getBackingKey(next, NEW_MATERIAL)).toBeUndefined();
  });

  it('throws AlreadyExistsException and leaves the metadata as it was when the new key material ID is taken', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    const next = { ...rotated(key), currentBackingKeyId: key.currentBackingKeyId };

    // Act
    const result = store.rotateKey(next, key.revision, makeBackingKey(key, { wrappedMaterial: new Uint8Array(40).fill(1) }));

    // Assess
    await expect(result).rejects.toThrow(new AlreadyExistsException(`New key material for '${key.arn}' already exists`));
    expect(await store.getKey(key)).toEqual(key);
    expect(await store.getBackingKey(key, key.currentBackingKeyId)).toEqual(makeBackingKey(key));
  });

  it('creates a key for imported material without key material, then imports and deletes it with the metadata', async () => {
    // Prepare
    const store = await makeStore();
    const key = makeKey(ACCOUNT, { origin: 'EXTERNAL', keyState: 'PendingImport', currentBackingKeyId: '' });
    await store.createKey(key, undefined);
    const withMaterial: KeyRecord = {
      ...key, keyState: 'Enabled', currentBackingKeyId: NEW_MATERIAL, importedMaterial: { expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: ROTATED_AT }, revision: key.revision + 1,
    };
    const material = makeBackingKey(key, { backingKeyId: NEW_MATERIAL });
    const { importedMaterial: _deleted, ...pendingImport } = { ...withMaterial, keyState: 'PendingImport' as const, revision: key.revision + 2 };

    // Act
    const created = { key: await store.getKey(key), versions: await store.listBackingKeys(key) };
    await store.rotateKey(withMaterial, key.revision, material);
    const imported = { key: await store.getKey(key), version: await store.getBackingKey(key, NEW_MATERIAL) };
    await store.deleteKeyMaterial(pendingImport, key.revision + 1, NEW_MATERIAL);
    await store.deleteKeyMaterial({ ...pendingImport, revision: key.revision + 3 }, key.revision + 2, NEW_MATERIAL);

    // Assess
    expect(created).toEqual({ key, versions: [] });
    expect(imported).toEqual({ key: withMaterial, version: material });
    expect(await store.getKey(key)).toEqual({ ...pendingImport, revision: key.revision + 3 });
    expect(await store.getBackingKey(key, NEW_MATERIAL)).toBeUndefined();
  });

  it('throws ConflictException and deletes nothing when deleteKeyMaterial has a stale revision', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);

    // Act
    const result = store.deleteKeyMaterial({ ...key, keyState: 'PendingImport', revision: 9 }, 8, key.currentBackingKeyId);

    // Assess
    await expect(result).rejects.toThrow(new ConflictException(`${key.arn} was changed by another request. Retry the request.`));
    expect(await store.getKey(key)).toEqual(key);
    expect(await store.getBackingKey(key, key.currentBackingKeyId)).toEqual(makeBackingKey(key));
  });
});
