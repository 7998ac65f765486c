/**
 * A flush of many keys' last uses keeps a bounded number of writes in flight (DynamoDB Local
 * answers too quickly to show how many are outstanding, so the client is mocked).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DynamoKeyUsageStore, USAGE_WRITES_IN_FLIGHT } from '../../../src/adapters/dynamodb/key-usage-store.js';

const usage = { operation: 'Encrypt' as const, timestamp: 1_733_300_000_000, cloudTrailEventId: 'e', kmsRequestId: 'r' };

describe('DynamoKeyUsageStore.putUsages', () => {
  it('writes every key\'s use, never more than USAGE_WRITES_IN_FLIGHT at a time', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const mock = mockClient(client);
    let inFlight = 0;
    let most = 0;
    mock.on(TransactWriteItemsCommand).callsFake(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(2);
      inFlight--;
      return {};
    });
    const store = new DynamoKeyUsageStore({ client, tableName: 'kms' });
    const entries = Array.from({ length: 100 }, (_, i) => ({ locator: { accountId: '111122223333', region: 'us-east-1', keyId: `key-${i}` }, usage }));

    // Act
    await store.putUsages(entries);

    // Assess
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(100);
    expect(most).toBe(USAGE_WRITES_IN_FLIGHT);
  });

  it('writes a single use at once', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock.on(TransactWriteItemsCommand).resolves({});

    // Act
    await new DynamoKeyUsageStore({ client, tableName: 'kms' }).putUsages([{ locator: { accountId: '111122223333', region: 'us-east-1', keyId: 'k' }, usage }]);

    // Assess
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
  });
});
