/**
 * The contract of the lifecycle's table ports (the sparse due-date index and key removal), run
 * against the in-memory fake and against the DynamoDB adapters on DynamoDB Local; then what only
 * DynamoDB can show: a crash between the steps of a removal, and a table made before the index.
 */
import {
  CreateTableCommand, DescribeTableCommand, PutItemCommand, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { useDynamoDbLocalTables } from './dynamodb-local-tables.js';
import { ensureTable, tableDefinition } from '../../src/adapters/dynamodb/create-table.js';
import { DynamoStore } from '../../src/adapters/dynamodb/dynamo-store.js';
import { DynamoDueIndex } from '../../src/adapters/dynamodb/due-index.js';
import { DynamoKeyRemoval } from '../../src/adapters/dynamodb/key-removal.js';
import { backingKeyToItem } from '../../src/adapters/dynamodb/item-mapping.js';
import { DUE_INDEX } from '../../src/adapters/dynamodb/table-definition.js';
import type { AliasStore, DueWorkIndex, KeyRemoval, KeyStore } from '../../src/core/ports/index.js';
import type { KeyRecord } from '../../src/core/kms/records.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { keyIdFor, makeAlias, makeBackingKey, makeKey, newAccountId } from './dynamodb/fixtures.js';
import { testIntegrity } from '../support/fake-record-authenticator.js';

type Store = KeyStore & AliasStore & DueWorkIndex & KeyRemoval;

const dynamo = useDynamoDbLocalTables();
const client = (): DynamoDBClient => dynamo.client();

async function dynamoParts() {
  const tableName = await dynamo.newTable('lifecycle');
  const store = new DynamoStore({ tableName, client: client(), integrity: testIntegrity() });
  const index = new DynamoDueIndex({ client: client(), tableName });
  const removal = new DynamoKeyRemoval({ client: client(), tableName, integrity: testIntegrity() });
  const combined: Store = Object.assign(Object.create(store) as DynamoStore, {
    dueKeys: (until: number) => index.dueKeys(until),
    removeKey: (key: KeyRecord) => removal.removeKey(key),
  });
  return { store: combined, tableName, removal };
}

const STORES: readonly [string, () => Promise<Store>][] = [
  ['InMemoryStore', async () => new InMemoryStore()],
  ['DynamoDB adapters', async () => (await dynamoParts()).store],
];

/** A key with two backing key versions and two aliases, then pending deletion at `deletionDate`. */
async function pendingKey(store: Store, accountId: string, n: number, deletionDate: number): Promise<KeyRecord> {
  const key = makeKey(accountId, { keyId: keyIdFor(n) });
  await store.createKey(key, makeBackingKey(key), [makeBackingKey(key, { backingKeyId: 'b'.repeat(64) })]);
  await store.createAlias(makeAlias(key, `alias/a${n}`));
  await store.createAlias(makeAlias(key, `alias/b${n}`));
  const pending: KeyRecord = { ...key, keyState: 'PendingDeletion', deletionDate, revision: 1 };
  await store.updateKey(pending, 0);
  return pending;
}

describe.each(STORES)('the lifecycle ports on %s', (_, makeStore) => {
  it('lists the keys with lifecycle work due until a date, earliest first, and drops a key whose deletion was cancelled', async () => {
    // Prepare
    const store = await makeStore();
    const accountId = newAccountId();
    const late = await pendingKey(store, accountId, 1, 3_000);
    const early = await pendingKey(store, accountId, 2, 1_000);
    const cancelled = await pendingKey(store, accountId, 3, 2_000);
    await pendingKey(store, accountId, 4, 9_000);
    const { deletionDate: _, ...rest } = cancelled;
    await store.updateKey({ ...rest, keyState: 'Disabled', revision: 2 }, 1);

    // Act
    const due = await store.dueKeys(3_000);

    // Assess
    expect(due).toEqual([early, late].map((key) => ({ locator: { accountId, region: key.region, keyId: key.keyId }, dueAt: key.deletionDate })));
  });

  it('removes the key, every backing key version and its aliases, and a second removal finds nothing to do', async () => {
    // Prepare
    const store = await makeStore();
    const accountId = newAccountId();
    const key = await pendingKey(store, accountId, 1, 1_000);
    const other = makeKey(accountId, { keyId: keyIdFor(2) });
    await store.createKey(other, makeBackingKey(other));
    await store.createAlias(makeAlias(other, 'alias/other'));

    // Act
    const first = await store.removeKey(key);
    const second = await store.removeKey(key);

    // Assess
    expect([first, second]).toEqual([true, true]);
    expect(await store.getKey(key)).toBeUndefined();
    expect(await store.getBackingKey(key, 'a'.repeat(64))).toBeUndefined();
    expect(await store.getBackingKey(key, 'b'.repeat(64))).toBeUndefined();
    expect((await store.listAliases(accountId, key.region, { limit: 10 })).items.map((a) => a.aliasName)).toEqual(['alias/other']);
    expect(await store.dueKeys(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('leaves a key whose deletion was cancelled or moved to another date', async () => {
    // Prepare
    const store = await makeStore();
    const key = await pendingKey(store, newAccountId(), 1, 1_000);
    await store.updateKey({ ...key, deletionDate: 5_000, revision: 2 }, 1);

    // Act
    const removed = await store.removeKey(key);

    // Assess
    expect(removed).toBe(false);
    expect((await store.getKey(key))?.deletionDate).toBe(5_000);
  });
});

describe('key removal on DynamoDB when a step fails', () => {
  /** The client, failing every command from the `failFrom`-th on as a crash would. */
  function crashingClient(failFrom: number) {
    let sent = 0;
    const crashing = {
      send: (command: Parameters<DynamoDBClient['send']>[0]) => {
        sent++;
        if (sent >= failFrom && command.constructor.name !== 'GetItemCommand' && command.constructor.name !== 'QueryCommand') {
          return Promise.reject(new Error('simulated crash'));
        }
        return client().send(command);
      },
    };
    return crashing as unknown as DynamoDBClient;
  }

  it('leaves the key whole and pending when the removal transaction does not commit, and a retry finishes', async () => {
    // Prepare
    const { store, tableName } = await dynamoParts();
    const key = await pendingKey(store, newAccountId(), 1, 1_000);
    const crashed = new DynamoKeyRemoval({ client: crashingClient(1), tableName, integrity: testIntegrity() });

    // Act
    const failure = await crashed.removeKey(key).then(() => undefined, (error: unknown) => error);
    const afterCrash = { key: await store.getKey(key), aliases: (await store.listAliases(key.accountId, key.region, { limit: 10 })).items.length };
    const retried = await store.removeKey(key);

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect(afterCrash).toEqual({ key, aliases: 2 });
    expect(retried).toBe(true);
    expect(await store.getKey(key)).toBeUndefined();
  });

  it('keeps the metadata (pending, in the due index) until the last step when a key has too many items for one transaction, and a retry finishes', async () => {
    // Prepare
    const { store, tableName } = await dynamoParts();
    const key = await pendingKey(store, newAccountId(), 1, 1_000);
    for (let i = 0; i < 110; i++) {
      await client().send(new PutItemCommand({ TableName: tableName, Item: backingKeyToItem(makeBackingKey(key, { backingKeyId: i.toString(16).padStart(64, '0') })) }));
    }
    const crashed = new DynamoKeyRemoval({ client: crashingClient(60), tableName, integrity: testIntegrity() });

    // Act
    const failure = await crashed.removeKey(key).then(() => undefined, (error: unknown) => error);
    const pendingAfterCrash = await store.getKey(key);
    const dueAfterCrash = await store.dueKeys(1_000);
    const retried = await store.removeKey(key);

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect(pendingAfterCrash).toEqual(key);
    expect(dueAfterCrash.map((due) => due.locator.keyId)).toEqual([key.keyId]);
    expect(retried).toBe(true);
    expect(await store.getKey(key)).toBeUndefined();
    expect(await store.getBackingKey(key, '0'.repeat(64))).toBeUndefined();
    expect(await store.dueKeys(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });
});

describe('ensureTable and the due-date index', () => {
  it('adds the due-date index to a table made before it, and keeps the items', async () => {
    // Prepare
    const tableName = 'lifecycle-old';
    const definition = tableDefinition(tableName);
    await client().send(new CreateTableCommand({
      ...definition,
      AttributeDefinitions: definition.AttributeDefinitions?.filter((a) => !a.AttributeName?.startsWith('due')),
      GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes?.filter((i) => i.IndexName !== DUE_INDEX.indexName),
    }));
    const key = makeKey(newAccountId());
    await new DynamoStore({ tableName, client: client(), integrity: testIntegrity() }).createKey(key, makeBackingKey(key));

    // Act
    await ensureTable(client(), tableName);

    // Assess
    const { Table } = await client().send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['due', 'gsi1', 'keyList']);
    expect(await new DynamoStore({ tableName, client: client(), integrity: testIntegrity() }).getKey(key)).toEqual(key);
  });
});
