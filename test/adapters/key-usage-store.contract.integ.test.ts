/**
 * The contract of `KeyUsageStore` (GetKeyLastUsage's storage), run against the in-memory fake and
 * against the DynamoDB adapters on DynamoDB Local: the latest use wins, a key that is gone gets
 * none, the tracking start never moves, and removing a key removes its last use.
 */
import { describe, expect, it } from 'vitest';
import { useDynamoDbLocalTables } from './dynamodb-local-tables.js';
import { DynamoStore } from '../../src/adapters/dynamodb/dynamo-store.js';
import { DynamoKeyRemoval } from '../../src/adapters/dynamodb/key-removal.js';
import { DynamoKeyUsageStore } from '../../src/adapters/dynamodb/key-usage-store.js';
import type { KeyRecord } from '../../src/core/kms/records.js';
import type { KeyRemoval, KeyStore, KeyUsageRecord, KeyUsageStore } from '../../src/core/ports/index.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { keyIdFor, makeBackingKey, makeKey } from './dynamodb/fixtures.js';
import { testIntegrity } from '../support/fake-record-authenticator.js';

type Store = KeyUsageStore & KeyStore & KeyRemoval;

const dynamo = useDynamoDbLocalTables();

const STORES: readonly [string, () => Promise<Store>][] = [
  ['InMemoryStore', async () => new InMemoryStore()],
  ['DynamoDB adapters', async () => {
    const tableName = await dynamo.newTable('usage');
    const client = dynamo.client();
    const keys = new DynamoStore({ tableName, client, integrity: testIntegrity() });
    const usage = new DynamoKeyUsageStore({ client, tableName });
    const removal = new DynamoKeyRemoval({ client, tableName, integrity: testIntegrity() });
    return Object.assign(Object.create(keys) as DynamoStore, {
      putUsages: usage.putUsages.bind(usage),
      getUsage: usage.getUsage.bind(usage),
      trackingStart: usage.trackingStart.bind(usage),
      removeKey: removal.removeKey.bind(removal),
    });
  }],
];

const ACCOUNT = '111122223333';

function use(timestamp: number, operation: KeyUsageRecord['operation'] = 'Encrypt'): KeyUsageRecord {
  return { operation, timestamp, cloudTrailEventId: `event-${timestamp}`, kmsRequestId: `request-${timestamp}` };
}

async function givenKey(store: Store, n = 1): Promise<KeyRecord> {
  const key = makeKey(ACCOUNT, { keyId: keyIdFor(n) });
  await store.createKey(key, makeBackingKey(key));
  return key;
}

describe.each(STORES)('KeyUsageStore contract: %s', (_name, makeStore) => {
  it('keeps the latest use of each key: a later one replaces it, an earlier one does not', async () => {
    // Prepare
    const store = await makeStore();
    const one = await givenKey(store, 1);
    const two = await givenKey(store, 2);

    // Act
    await store.putUsages([{ locator: one, usage: use(2_000) }, { locator: two, usage: use(1_000, 'Sign') }]);
    await store.putUsages([{ locator: one, usage: use(1_500, 'Decrypt') }, { locator: two, usage: use(3_000, 'Verify') }]);

    // Assess
    expect(await store.getUsage(one)).toEqual(use(2_000));
    expect(await store.getUsage(two)).toEqual(use(3_000, 'Verify'));
    expect(await store.getUsage({ ...one, keyId: keyIdFor(3) })).toBeUndefined();
  });

  it('records no use of a key that does not exist, and drops the use when the key is removed', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    await store.putUsages([{ locator: key, usage: use(1_000) }, { locator: { ...key, keyId: keyIdFor(9) }, usage: use(1_000) }]);
    const pending: KeyRecord = { ...key, keyState: 'PendingDeletion', deletionDate: 5_000, revision: 1 };
    await store.updateKey(pending, 0);

    // Act
    await store.removeKey(pending);

    // Assess
    expect(await store.getUsage({ ...key, keyId: keyIdFor(9) })).toBeUndefined();
    expect(await store.getUsage(key)).toBeUndefined();
  });

  it('records no later use of a key once it is removed, though a use of it was stored before', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    await store.putUsages([{ locator: key, usage: use(1_000) }]);
    const pending: KeyRecord = { ...key, keyState: 'PendingDeletion', deletionDate: 5_000, revision: 1 };
    await store.updateKey(pending, 0);
    await store.removeKey(pending);

    // Act
    await store.putUsages([{ locator: key, usage: use(2_000) }]);

    // Assess
    expect(await store.getUsage(key)).toBeUndefined();
  });

  it('gives the date tracking began the first time it is asked, and that date ever after', async () => {
    // Prepare
    const store = await makeStore();

    // Act
    const first = await store.trackingStart(1_000);
    const later = await store.trackingStart(9_000);

    // Assess
    expect([first, later]).toEqual([1_000, 1_000]);
  });
});
