/**
 * A flush of many keys' last uses keeps a bounded number of writes in flight, and a key whose use
 * is stored already costs one UpdateItem, not a transaction (DynamoDB Local answers too quickly to
 * show how many are outstanding, and does not say which requests were transactions, so the
 * client is mocked; the contract test runs the same writes against DynamoDB Local).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException, DynamoDBClient, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
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
    mock.on(UpdateItemCommand).callsFake(async () => {
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
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(100);
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
    expect(most).toBe(USAGE_WRITES_IN_FLIGHT);
  });

  it.each([
    ['the key\'s first use (no usage item yet) in a transaction that checks the key exists', undefined, 1],
    ['nothing more for a use no later than the stored one', { timestamp: { N: String(usage.timestamp) } }, 0],
  ])('writes %s', async (_, stored, transactions) => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, ...(stored === undefined ? {} : { Item: stored }) }));
    mock.on(TransactWriteItemsCommand).resolves({});

    // Act
    await new DynamoKeyUsageStore({ client, tableName: 'kms' }).putUsages([{ locator: { accountId: '111122223333', region: 'us-east-1', keyId: 'k' }, usage }]);

    // Assess
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(transactions);
  });
});
