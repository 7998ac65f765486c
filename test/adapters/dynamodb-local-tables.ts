/**
 * One DynamoDB Local for a contract test file, started before its tests and stopped after, and a
 * fresh table for each store a test makes, so the fake and the real adapter start equally empty.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { ensureTable } from '../../src/adapters/dynamodb/create-table.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../src/local/dynamodb-local.js';

export interface DynamoDbLocalTables {
  /** The client of the running DynamoDB Local (between the file's beforeAll and afterAll). */
  client(): DynamoDBClient;
  /** Creates a new, empty table named `<prefix>-<n>` and returns its name. */
  newTable(prefix: string): Promise<string>;
}

export function useDynamoDbLocalTables(): DynamoDbLocalTables {
  let local: DynamoDbLocal | undefined;
  let client: DynamoDBClient | undefined;
  let tables = 0;
  beforeAll(async () => {
    local = await startDynamoDbLocal({});
    client = local.client();
  });
  afterAll(async () => {
    client?.destroy();
    await local?.stop();
  });
  const running = (): DynamoDBClient => {
    if (client === undefined) throw new Error('DynamoDB Local is not running');
    return client;
  };
  return {
    client: running,
    async newTable(prefix) {
      const tableName = `${prefix}-${++tables}`;
      await ensureTable(running(), tableName);
      return tableName;
    },
  };
}
