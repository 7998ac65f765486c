import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, GetItemCommand, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureTable } from '../../../src/adapters/dynamodb/create-table.js';
import { DynamoStore } from '../../../src/adapters/dynamodb/dynamo-store.js';
import { encodeMarker } from '../../../src/adapters/dynamodb/marker.js';
import {
  AlreadyExistsException,
  ConflictException,
  InvalidMarkerException,
  KMSInternalException,
  KMSInvalidStateException,
  NotFoundException,
} from '../../../src/models/kms/generated/errors.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../../src/local/dynamodb-local.js';
import type { KeyRecord } from '../../../src/core/kms/records.js';
import { REGION, keyIdFor, makeAccessKey, makeAlias, makeBackingKey, makeKey, newAccountId } from './fixtures.js';
import { testIntegrity } from '../../support/fake-record-authenticator.js';
import { KEY_LIST_INDEX } from '../../../src/adapters/dynamodb/table-definition.js';
import { keyListIndexKey, keyMetadataKey, keysListPartition } from '../../../src/adapters/dynamodb/item-keys.js';
import type { Item } from '../../../src/adapters/dynamodb/item-mapping.js';
import type { IntegrityFailure } from '../../../src/adapters/dynamodb/item-integrity.js';

const TABLE = 'kms';

let local: DynamoDbLocal;
let client: DynamoDBClient;
let store: DynamoStore;

function clientFor(database: DynamoDbLocal): DynamoDBClient {
  return database.client();
}

/** Creates a key (with its backing key) and returns its record. */
async function givenKey(accountId: string, overrides: Partial<KeyRecord> = {}): Promise<KeyRecord> {
  const key = makeKey(accountId, overrides);
  await store.createKey(key, makeBackingKey(key));
  return key;
}

beforeAll(async () => {
  local = await startDynamoDbLocal({});
  client = clientFor(local);
  await ensureTable(client, TABLE);
  store = new DynamoStore({ tableName: TABLE, client, integrity: testIntegrity() });
});

afterAll(async () => {
  client?.destroy();
  await local?.stop();
});

describe('DynamoStore keys', () => {
  it('returns the key and its backing key when createKey wrote them', async () => {
    // Prepare
    const key = makeKey(newAccountId(), {
      description: 'payroll',
      deletionDate: 1_800_000_000_000,
      tags: Array.from({ length: 50 }, (_, i) => ({ tagKey: `k${i}`, tagValue: `v${i}` })),
    });
    const backingKey = makeBackingKey(key);

    // Act
    await store.createKey(key, backingKey);
    const storedKey = await store.getKey(key);
    const storedBackingKey = await store.getBackingKey(key, key.currentBackingKeyId);

    // Assess
    expect(storedKey).toEqual(key);
    expect(storedBackingKey).toEqual({ ...backingKey, wrappedMaterial: expect.any(Uint8Array) });
    expect(Buffer.from(storedBackingKey!.wrappedMaterial)).toEqual(Buffer.from(backingKey.wrappedMaterial));
  });

  it('returns every backing key version when createKey wrote older ones with the current one', async () => {
    // Prepare
    const key = makeKey(newAccountId());
    const current = makeBackingKey(key);
    const older = [makeBackingKey(key, { backingKeyId: 'b'.repeat(64) }), makeBackingKey(key, { backingKeyId: 'c'.repeat(64) })];

    // Act
    await store.createKey(key, current, older);
    const stored = await Promise.all([current, ...older].map((version) => store.getBackingKey(key, version.backingKeyId)));

    // Assess
    expect(stored.map((version) => version?.backingKeyId)).toEqual([current, ...older].map((version) => version.backingKeyId));
  });

  it('returns undefined when the key or the backing key does not exist', async () => {
    // Prepare
    const key = await givenKey(newAccountId());

    // Act
    const missingKey = await store.getKey({ ...key, keyId: keyIdFor(99) });
    const missingBackingKey = await store.getBackingKey(key, 'b'.repeat(64));

    // Assess
    expect(missingKey).toBeUndefined();
    expect(missingBackingKey).toBeUndefined();
  });

  it('throws AlreadyExistsException and keeps the first key when the key ID exists', async () => {
    // Prepare
    const key = await givenKey(newAccountId(), { description: 'first' });
    const duplicate = { ...key, description: 'second' };

    // Act
    const result = store.createKey(duplicate, makeBackingKey(duplicate, { backingKeyId: 'c'.repeat(64) }));

    // Assess
    await expect(result).rejects.toThrow(new AlreadyExistsException(`Key '${key.arn}' already exists`));
    expect(await store.getKey(key)).toEqual(key);
    expect(await store.getBackingKey(key, 'c'.repeat(64))).toBeUndefined();
  });

  it('returns the new record when updateKey expected the stored revision', async () => {
    // Prepare
    const key = await givenKey(newAccountId());
    const updated: KeyRecord = { ...key, keyState: 'Disabled', tags: [{ tagKey: 'team', tagValue: 'a' }], revision: 1 };

    // Act
    await store.updateKey(updated, 0);

    // Assess
    expect(await store.getKey(key)).toEqual(updated);
  });

  it('throws ConflictException when the stored revision moved on', async () => {
    // Prepare
    const key = await givenKey(newAccountId());
    await store.updateKey({ ...key, description: 'winner', revision: 1 }, 0);

    // Act
    const result = store.updateKey({ ...key, description: 'loser', revision: 1 }, 0);

    // Assess
    await expect(result).rejects.toThrow(ConflictException);
    expect((await store.getKey(key))?.description).toBe('winner');
  });

  it('throws NotFoundException when updateKey targets a key that does not exist', async () => {
    // Prepare
    const key = makeKey(newAccountId(), { revision: 1 });

    // Act
    const result = store.updateKey(key, 0);

    // Assess
    await expect(result).rejects.toThrow(NotFoundException);
  });

  it('lets exactly one of two concurrent writers win when both expected the same revision', async () => {
    // Prepare
    const key = await givenKey(newAccountId());
    const writers = ['left', 'right'].map((description) => ({ ...key, description, revision: 1 }));

    // Act
    const results = await Promise.allSettled(writers.map((writer) => store.updateKey(writer, 0)));

    // Assess
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(ConflictException);
    const winner = writers[results.indexOf(won[0]!)];
    expect(await store.getKey(key)).toEqual(winner);
  });
});

describe('DynamoStore listKeys', () => {
  it('returns the keys in pages with a marker after each page but the last', async () => {
    // Prepare
    const accountId = newAccountId();
    const keys = await Promise.all([1, 2, 3, 4, 5].map((n) => givenKey(accountId, { keyId: keyIdFor(n) })));
    await givenKey(accountId, { keyId: keyIdFor(6), region: 'us-east-2' });
    await givenKey(newAccountId(), { keyId: keyIdFor(7) });

    // Act
    const first = await store.listKeys(accountId, REGION, { limit: 2 });
    const second = await store.listKeys(accountId, REGION, { limit: 2, marker: first.nextMarker! });
    const third = await store.listKeys(accountId, REGION, { limit: 2, marker: second.nextMarker! });

    // Assess
    const listed = keys.map((key) => ({ keyId: key.keyId, keyState: key.keyState }));
    expect(first).toEqual({ items: listed.slice(0, 2), nextMarker: encodeMarker('keys', keyIdFor(2)) });
    expect(second).toEqual({ items: listed.slice(2, 4), nextMarker: encodeMarker('keys', keyIdFor(4)) });
    expect(third).toEqual({ items: listed.slice(4) });
  });

  it('lists a key pending deletion with its state and deletion date', async () => {
    // Prepare
    const accountId = newAccountId();
    await givenKey(accountId, { keyState: 'PendingDeletion', deletionDate: 1_800_000_000_000 });

    // Act
    const page = await store.listKeys(accountId, REGION, { limit: 10 });

    // Assess
    expect(page.items).toEqual([{ keyId: keyIdFor(1), keyState: 'PendingDeletion', deletionDate: 1_800_000_000_000 }]);
  });

  it('keeps in the ListKeys index only the listing of a key, whatever its policy and tags', async () => {
    // Prepare
    const accountId = newAccountId();
    await givenKey(accountId, {
      policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(4000), Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }] }),
      tags: Array.from({ length: 50 }, (_, i) => ({ tagKey: `k${i}`, tagValue: `v${i}` })),
      deletionDate: 1_800_000_000_000,
      keyState: 'PendingDeletion',
    });

    // Act
    const output = await client.send(new QueryCommand({
      TableName: TABLE,
      IndexName: KEY_LIST_INDEX.indexName,
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': KEY_LIST_INDEX.partitionKey },
      ExpressionAttributeValues: { ':p': { S: keysListPartition(accountId, REGION) } },
    }));

    // Assess
    expect(Object.keys(output.Items?.[0] ?? {}).sort()).toEqual(['deletionDate', 'keyState', 'listMac', 'listPk', 'listSk', 'pk', 'sk']);
  });

  it.each([
    ['moved into another account\'s listing', (item: Item, otherAccount: string): Item => ({ ...item, ...keyListIndexKey(otherAccount, REGION, item['keyId']!.S!) })],
    ['shown as enabled while pending deletion', (item: Item): Item => ({ ...item, keyState: { S: 'Enabled' } })],
    ['without its listing MAC', (item: Item): Item => Object.fromEntries(Object.entries(item).filter(([name]) => name !== KEY_LIST_INDEX.mac))],
  ])('refuses a listing %s (KMSInternalException), and reports it', async (_, forge) => {
    // Prepare
    const failures: IntegrityFailure[] = [];
    const checking = new DynamoStore({ tableName: TABLE, client, integrity: testIntegrity(failures) });
    const accountId = newAccountId();
    const otherAccount = newAccountId();
    const key = await givenKey(accountId, { keyState: 'PendingDeletion', deletionDate: 1_800_000_000_000 });
    const stored = (await client.send(new GetItemCommand({ TableName: TABLE, Key: keyMetadataKey(accountId, REGION, key.keyId) }))).Item!;
    const forged = forge(stored, otherAccount);
    await client.send(new PutItemCommand({ TableName: TABLE, Item: forged }));
    const listedUnder = forged[KEY_LIST_INDEX.partitionKey]!.S === keysListPartition(otherAccount, REGION) ? otherAccount : accountId;

    // Act
    const result = checking.listKeys(listedUnder, REGION, { limit: 10 });

    // Assess
    await expect(result).rejects.toThrow(KMSInternalException);
    expect(failures).toEqual([expect.objectContaining({ pk: stored['pk']!.S, sk: 'META', type: 'keyList index entry' })]);
  });

  it('returns no marker when the last page is exactly full', async () => {
    // Prepare
    const accountId = newAccountId();
    await Promise.all([1, 2, 3, 4].map((n) => givenKey(accountId, { keyId: keyIdFor(n) })));
    const first = await store.listKeys(accountId, REGION, { limit: 2 });

    // Act
    const last = await store.listKeys(accountId, REGION, { limit: 2, marker: first.nextMarker! });

    // Assess
    expect(last.items.map((key) => key.keyId)).toEqual([keyIdFor(3), keyIdFor(4)]);
    expect(last.nextMarker).toBeUndefined();
  });

  it('returns an empty page when the account has no keys', async () => {
    // Act
    const page = await store.listKeys(newAccountId(), REGION, { limit: 10 });

    // Assess
    expect(page).toEqual({ items: [] });
  });

  it.each([
    ['not base64url JSON', 'garbage!'],
    ['a marker of another listing', encodeMarker('aliases', 'alias/a')],
    ['a marker with trailing characters', `${encodeMarker('keys', keyIdFor(1))}AA`],
    ['JSON of the wrong shape', Buffer.from('{"v":1,"list":"keys","after":7}').toString('base64url')],
  ])('throws InvalidMarkerException when the marker is %s', async (_, marker) => {
    // Prepare
    const accountId = newAccountId();

    // Act
    const result = store.listKeys(accountId, REGION, { limit: 2, marker });

    // Assess
    await expect(result).rejects.toThrow(InvalidMarkerException);
  });
});

describe('DynamoStore aliases', () => {
  it('returns the alias when createAlias wrote it', async () => {
    // Prepare
    const key = await givenKey(newAccountId());
    const alias = makeAlias(key, 'alias/app');

    // Act
    await store.createAlias(alias);

    // Assess
    expect(await store.getAlias(key.accountId, REGION, 'alias/app')).toEqual(alias);
    expect(await store.getAlias(key.accountId, REGION, 'alias/other')).toBeUndefined();
  });

  it('throws AlreadyExistsException naming the alias ARN when the name is taken', async () => {
    // Prepare
    const accountId = newAccountId();
    const first = await givenKey(accountId, { keyId: keyIdFor(1) });
    const second = await givenKey(accountId, { keyId: keyIdFor(2) });
    await store.createAlias(makeAlias(first, 'alias/app'));

    // Act
    const result = store.createAlias(makeAlias(second, 'alias/app'));

    // Assess
    await expect(result).rejects.toThrow(AlreadyExistsException);
    await expect(result).rejects.toThrow(`An alias with the name arn:aws:kms:${REGION}:${accountId}:alias/app already exists`);
    expect((await store.getAlias(accountId, REGION, 'alias/app'))?.targetKeyId).toBe(first.keyId);
  });

  it('throws NotFoundException when the target key does not exist', async () => {
    // Prepare
    const key = makeKey(newAccountId());

    // Act
    const result = store.createAlias(makeAlias(key, 'alias/app'));

    // Assess
    await expect(result).rejects.toThrow(NotFoundException);
    await expect(result).rejects.toThrow(`Key '${key.arn}' does not exist`);
    expect(await store.getAlias(key.accountId, REGION, 'alias/app')).toBeUndefined();
  });

  it('throws KMSInvalidStateException when the target key is pending deletion', async () => {
    // Prepare
    const key = await givenKey(newAccountId(), { keyState: 'PendingDeletion', deletionDate: 1_800_000_000_000 });

    // Act
    const result = store.createAlias(makeAlias(key, 'alias/app'));

    // Assess
    await expect(result).rejects.toThrow(KMSInvalidStateException);
    await expect(result).rejects.toThrow(`${key.arn} is pending deletion.`);
  });

  it('points the alias at the new key when updateAlias succeeds', async () => {
    // Prepare
    const accountId = newAccountId();
    const first = await givenKey(accountId, { keyId: keyIdFor(1) });
    const second = await givenKey(accountId, { keyId: keyIdFor(2) });
    await store.createAlias(makeAlias(first, 'alias/app'));
    const moved = makeAlias(second, 'alias/app', { lastUpdatedDate: 1_700_000_009_000 });

    // Act
    await store.updateAlias(moved);

    // Assess
    expect(await store.getAlias(accountId, REGION, 'alias/app')).toEqual(moved);
    expect((await store.listAliases(accountId, REGION, { limit: 10, keyId: first.keyId })).items).toEqual([]);
    expect((await store.listAliases(accountId, REGION, { limit: 10, keyId: second.keyId })).items).toEqual([moved]);
  });

  it('throws NotFoundException when updateAlias finds no alias', async () => {
    // Prepare
    const key = await givenKey(newAccountId());

    // Act
    const result = store.updateAlias(makeAlias(key, 'alias/gone'));

    // Assess
    await expect(result).rejects.toThrow(NotFoundException);
    await expect(result).rejects.toThrow(`Alias arn:aws:kms:${REGION}:${key.accountId}:alias/gone is not found.`);
    expect(await store.getAlias(key.accountId, REGION, 'alias/gone')).toBeUndefined();
  });

  it('throws NotFoundException or KMSInvalidStateException when updateAlias targets an unusable key', async () => {
    // Prepare
    const accountId = newAccountId();
    const current = await givenKey(accountId, { keyId: keyIdFor(1) });
    const pending = await givenKey(accountId, { keyId: keyIdFor(2), keyState: 'PendingDeletion' });
    const missing = makeKey(accountId, { keyId: keyIdFor(3) });
    await store.createAlias(makeAlias(current, 'alias/app'));

    // Act
    const toMissing: unknown = await store.updateAlias(makeAlias(missing, 'alias/app')).catch((error: unknown) => error);
    const toPending: unknown = await store.updateAlias(makeAlias(pending, 'alias/app')).catch((error: unknown) => error);

    // Assess
    expect(toMissing).toBeInstanceOf(NotFoundException);
    expect(toPending).toBeInstanceOf(KMSInvalidStateException);
    expect((await store.getAlias(accountId, REGION, 'alias/app'))?.targetKeyId).toBe(current.keyId);
  });

  it('removes the alias when deleteAlias finds it, and throws NotFoundException the second time', async () => {
    // Prepare
    const key = await givenKey(newAccountId());
    await store.createAlias(makeAlias(key, 'alias/app'));

    // Act
    await store.deleteAlias(key.accountId, REGION, 'alias/app');
    const again: unknown = await store.deleteAlias(key.accountId, REGION, 'alias/app').catch((error: unknown) => error);

    // Assess
    expect(await store.getAlias(key.accountId, REGION, 'alias/app')).toBeUndefined();
    expect(again).toBeInstanceOf(NotFoundException);
  });

  it('returns the aliases by name in pages, for the account or for one key', async () => {
    // Prepare
    const accountId = newAccountId();
    const first = await givenKey(accountId, { keyId: keyIdFor(1) });
    const second = await givenKey(accountId, { keyId: keyIdFor(2) });
    const names = ['alias/a', 'alias/b', 'alias/c', 'alias/d', 'alias/e'];
    for (const [i, name] of names.entries()) await store.createAlias(makeAlias(i % 2 === 0 ? first : second, name));

    // Act
    const all1 = await store.listAliases(accountId, REGION, { limit: 3 });
    const all2 = await store.listAliases(accountId, REGION, { limit: 3, marker: all1.nextMarker! });
    const ofFirst1 = await store.listAliases(accountId, REGION, { limit: 2, keyId: first.keyId });
    const ofFirst2 = await store.listAliases(accountId, REGION, { limit: 2, keyId: first.keyId, marker: ofFirst1.nextMarker! });

    // Assess
    expect(all1.items.map((alias) => alias.aliasName)).toEqual(['alias/a', 'alias/b', 'alias/c']);
    expect(all1.nextMarker).toBe(encodeMarker('aliases', 'alias/c'));
    expect(all2).toEqual({ items: [makeAlias(second, 'alias/d'), makeAlias(first, 'alias/e')] });
    expect(ofFirst1.items.map((alias) => alias.aliasName)).toEqual(['alias/a', 'alias/c']);
    expect(ofFirst1.nextMarker).toBe(encodeMarker('aliases', 'alias/c'));
    expect(ofFirst2).toEqual({ items: [makeAlias(first, 'alias/e')] });
  });

  it('throws InvalidMarkerException when the alias marker is unreadable', async () => {
    // Act
    const result = store.listAliases(newAccountId(), REGION, { limit: 2, marker: encodeMarker('keys', keyIdFor(1)) });

    // Assess
    await expect(result).rejects.toThrow(InvalidMarkerException);
  });
});

describe('DynamoStore access keys', () => {
  it('returns the access key when putAccessKey stored it', async () => {
    // Prepare
    const record = makeAccessKey('AKIAEXAMPLE00000001');

    // Act
    await store.putAccessKey(record);

    // Assess
    expect(await store.getAccessKey('AKIAEXAMPLE00000001')).toEqual(record);
    expect(await store.getAccessKey('AKIAEXAMPLE00000404')).toBeUndefined();
  });

  it('throws AlreadyExistsException when the access key ID exists', async () => {
    // Prepare
    await store.putAccessKey(makeAccessKey('AKIAEXAMPLE00000002'));

    // Act
    const result = store.putAccessKey(makeAccessKey('AKIAEXAMPLE00000002', { status: 'Inactive' }));

    // Assess
    await expect(result).rejects.toThrow(new AlreadyExistsException('Access key AKIAEXAMPLE00000002 already exists'));
    expect((await store.getAccessKey('AKIAEXAMPLE00000002'))?.status).toBe('Active');
  });

  it('returns only the access keys of the principal when listAccessKeys is asked', async () => {
    // Prepare
    const mine = [makeAccessKey('AKIAEXAMPLE00000011', { accountId: '222233334444' }), makeAccessKey('AKIAEXAMPLE00000012', { accountId: '222233334444' })];
    for (const record of [...mine, makeAccessKey('AKIAEXAMPLE00000013', { accountId: '555566667777' })]) await store.putAccessKey(record);

    // Act
    const listed = await store.listAccessKeys('arn:aws:iam::222233334444:root');

    // Assess
    expect(listed).toEqual(mine);
  });
});

describe('ensureTable', () => {
  it('returns quietly when the table already exists', async () => {
    // Act
    const result = ensureTable(client, TABLE);

    // Assess
    await expect(result).resolves.toBeUndefined();
  });

  it('throws when a table of that name has another key schema', async () => {
    // Prepare
    await client.send(
      new CreateTableCommand({
        TableName: 'foreign',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );

    // Act
    const result = ensureTable(client, 'foreign');

    // Assess
    await expect(result).rejects.toThrow(/unexpected layout/);
  });

  it('throws when a table of that name has the keys but not the gsi1 index', async () => {
    // Prepare
    await client.send(
      new CreateTableCommand({
        TableName: 'no-index',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }),
    );

    // Act
    const result = ensureTable(client, 'no-index');

    // Assess
    await expect(result).rejects.toThrow(/unexpected layout \(gsi1/);
  });

  it('checks an existing table with four reads of absent items (table, gsi1, ListKeys and due-date indexes), not DescribeTable (whose cost grows with the items)', async () => {
    // Prepare
    const send = vi.spyOn(client, 'send');

    // Act
    await ensureTable(client, TABLE);

    // Assess
    expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['GetItemCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand']);
    send.mockRestore();
  });
});

describe('DynamoDB Local with a data folder', () => {
  it('returns the stored key after a restart on the same folder', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'dynamodb-local-'));
    const key = makeKey(newAccountId(), { description: 'survives restarts' });
    const backingKey = makeBackingKey(key);
    try {
      const before = await startDynamoDbLocal({ dataDir });
      const writer = clientFor(before);
      await ensureTable(writer, TABLE);
      await new DynamoStore({ tableName: TABLE, client: writer, integrity: testIntegrity() }).createKey(key, backingKey);
      writer.destroy();
      await before.stop();

      // Act
      const after = await startDynamoDbLocal({ dataDir });
      const reader = clientFor(after);
      const restarted = new DynamoStore({ tableName: TABLE, client: reader, integrity: testIntegrity() });
      const storedKey = await restarted.getKey(key);
      const storedBackingKey = await restarted.getBackingKey(key, backingKey.backingKeyId);
      reader.destroy();
      await after.stop();

      // Assess
      expect(storedKey).toEqual(key);
      expect(Buffer.from(storedBackingKey!.wrappedMaterial)).toEqual(Buffer.from(backingKey.wrappedMaterial));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
