/**
 * The move of an older table's keys into the ListKeys index (src/adapters/dynamodb/key-listing-upgrade.ts),
 * against DynamoDB Local: a table made before the index existed gets it, its authentic key items
 * are rewritten into it once, a forged one is reported and left out, and a new table reads nothing.
 */
import { CreateTableCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureTable, tableDefinition } from '../../../src/adapters/dynamodb/create-table.js';
import { DynamoStore } from '../../../src/adapters/dynamodb/dynamo-store.js';
import type { IntegrityFailure } from '../../../src/adapters/dynamodb/item-integrity.js';
import { indexKey, keyMetadataKey, keysListPartition } from '../../../src/adapters/dynamodb/item-keys.js';
import { keyToItem, type Item } from '../../../src/adapters/dynamodb/item-mapping.js';
import { KEY_LISTING_MARKER, upgradeKeyListing } from '../../../src/adapters/dynamodb/key-listing-upgrade.js';
import { GSI1, KEY_LIST_INDEX } from '../../../src/adapters/dynamodb/table-definition.js';
import type { KeyRecord } from '../../../src/core/kms/records.js';
import { testIntegrity } from '../../support/fake-record-authenticator.js';
import { useDynamoDbLocalTables } from '../dynamodb-local-tables.js';
import { REGION, keyIdFor, makeKey, newAccountId } from './fixtures.js';

const dynamo = useDynamoDbLocalTables();
let client: DynamoDBClient;
let tables = 0;

beforeAll(() => {
  client = dynamo.client();
});

/** A table as the version before the ListKeys index made it: gsi1 and the due-date index only. */
async function olderTable(): Promise<string> {
  const tableName = `older-${++tables}`;
  const definition = tableDefinition(tableName);
  const listAttributes: string[] = [KEY_LIST_INDEX.partitionKey, KEY_LIST_INDEX.sortKey];
  await client.send(new CreateTableCommand({
    ...definition,
    AttributeDefinitions: definition.AttributeDefinitions?.filter((attribute) => !listAttributes.includes(attribute.AttributeName ?? '')),
    GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes?.filter((index) => index.IndexName !== KEY_LIST_INDEX.indexName),
  }));
  return tableName;
}

/** A key's metadata item as the older version wrote it (listed through gsi1), with its record MAC. */
async function olderKeyItem(key: KeyRecord): Promise<Item> {
  const { [KEY_LIST_INDEX.partitionKey]: _listPk, [KEY_LIST_INDEX.sortKey]: _listSk, ...rest } = keyToItem(key);
  return testIntegrity().seal({ ...rest, ...indexKey(keysListPartition(key.accountId, key.region), key.keyId) });
}

async function stored(tableName: string, key: KeyRecord): Promise<Item | undefined> {
  return (await client.send(new GetItemCommand({ TableName: tableName, Key: keyMetadataKey(key.accountId, key.region, key.keyId), ConsistentRead: true }))).Item;
}

describe('upgradeKeyListing', () => {
  it('adds the ListKeys index to an older table and moves its keys into it once, out of gsi1', async () => {
    // Prepare
    const tableName = await olderTable();
    const accountId = newAccountId();
    const keys = [1, 2, 3].map((n) => makeKey(accountId, { keyId: keyIdFor(n) }));
    for (const key of keys) await client.send(new PutItemCommand({ TableName: tableName, Item: await olderKeyItem(key) }));
    const integrity = testIntegrity();
    await ensureTable(client, tableName);

    // Act
    const report = await upgradeKeyListing({ client, tableName, integrity });
    const again = await upgradeKeyListing({ client, tableName, integrity });

    // Assess
    expect(report).toEqual({ listed: 3, failures: [] });
    expect(again).toBeUndefined();
    const store = new DynamoStore({ tableName, client, integrity });
    expect((await store.listKeys(accountId, REGION, { limit: 10 })).items.map((key) => key.keyId)).toEqual(keys.map((key) => key.keyId));
    for (const key of keys) {
      const item = await stored(tableName, key);
      expect(item?.[GSI1.partitionKey]).toBeUndefined();
      expect(await store.getKey(key)).toEqual(key);
    }
  });

  it('reports a forged key item and leaves it out of the ListKeys index', async () => {
    // Prepare
    const tableName = await olderTable();
    const accountId = newAccountId();
    const [authentic, forged] = [1, 2].map((n) => makeKey(accountId, { keyId: keyIdFor(n), keyState: 'Disabled' })) as [KeyRecord, KeyRecord];
    await client.send(new PutItemCommand({ TableName: tableName, Item: await olderKeyItem(authentic) }));
    await client.send(new PutItemCommand({ TableName: tableName, Item: { ...(await olderKeyItem(forged)), keyState: { S: 'Enabled' } } }));
    const failures: IntegrityFailure[] = [];
    await ensureTable(client, tableName);

    // Act
    const report = await upgradeKeyListing({ client, tableName, integrity: testIntegrity(failures) });

    // Assess
    expect(report).toEqual({ listed: 1, failures: [expect.objectContaining({ pk: keyMetadataKey(accountId, REGION, forged.keyId)['pk']?.S, reason: 'MAC does not match' })] });
    const listed = await new DynamoStore({ tableName, client, integrity: testIntegrity() }).listKeys(accountId, REGION, { limit: 10 });
    expect(listed.items.map((key) => key.keyId)).toEqual([authentic.keyId]);
    expect((await stored(tableName, forged))?.[GSI1.partitionKey]).toBeDefined();
  });

  it('reads only its marker in a table that ensureTable created', async () => {
    // Prepare
    const tableName = await dynamo.newTable('new');
    const send = vi.spyOn(client, 'send');

    // Act
    const report = await upgradeKeyListing({ client, tableName, integrity: testIntegrity() });

    // Assess
    expect(report).toBeUndefined();
    expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['GetItemCommand']);
    send.mockRestore();
    expect((await client.send(new GetItemCommand({ TableName: tableName, Key: KEY_LISTING_MARKER }))).Item).toBeDefined();
  });
});
