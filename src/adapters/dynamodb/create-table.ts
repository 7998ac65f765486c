/**
 * Creates the single table where nothing else does: local mode and the tests. In AWS the CDK
 * stack owns the table; both derive it from table-definition.ts.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { DUE_INDEX, GSI1, TABLE_KEY } from './table-definition.js';

/** How long `ensureTable` waits for a new table to become ACTIVE. */
const ACTIVE_TIMEOUT_SECONDS = 120;

/** The table as the adapter expects it: on-demand billing, pk/sk strings and the gsi1 index. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE_KEY.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE_KEY.sortKey, AttributeType: 'S' },
      { AttributeName: GSI1.partitionKey, AttributeType: 'S' },
      { AttributeName: GSI1.sortKey, AttributeType: 'S' },
      { AttributeName: DUE_INDEX.partitionKey, AttributeType: 'S' },
      { AttributeName: DUE_INDEX.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEY.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEY.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI1.indexName,
        KeySchema: [
          { AttributeName: GSI1.partitionKey, KeyType: 'HASH' },
          { AttributeName: GSI1.sortKey, KeyType: 'RANGE' },
        ],
        // Listings read whole records from the index instead of a second round trip per item.
        Projection: { ProjectionType: 'ALL' },
      },
      dueIndexDefinition(),
    ],
  };
}

/** The due-date index; the scheduler needs only the keys, which every index projects. */
function dueIndexDefinition() {
  return {
    IndexName: DUE_INDEX.indexName,
    KeySchema: [
      { AttributeName: DUE_INDEX.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: DUE_INDEX.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'KEYS_ONLY' as const },
  };
}

/** Adds the due-date index to a table made by a version without it, and waits until it is ACTIVE. */
async function addDueIndex(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new UpdateTableCommand({
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: DUE_INDEX.partitionKey, AttributeType: 'S' },
      { AttributeName: DUE_INDEX.sortKey, AttributeType: 'S' },
    ],
    GlobalSecondaryIndexUpdates: [{ Create: dueIndexDefinition() }],
  }));
  const deadline = Date.now() + ACTIVE_TIMEOUT_SECONDS * 1000;
  for (;;) {
    const index = (await describe(client, tableName))?.GlobalSecondaryIndexes?.find((i) => i.IndexName === DUE_INDEX.indexName);
    if (index?.IndexStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`Index ${DUE_INDEX.indexName} of table ${tableName} did not become ACTIVE in ${ACTIVE_TIMEOUT_SECONDS} s.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Creates the table if it is missing and waits until it is ACTIVE. An existing table is only
 * checked: a different key schema or a missing index is reported rather than silently used.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const existing = await describe(client, tableName);
  if (existing !== undefined) {
    assertCompatible(existing, tableName);
    if (existing.GlobalSecondaryIndexes?.some((i) => i.IndexName === DUE_INDEX.indexName) !== true) {
      await waitUntilTableExists({ client, maxWaitTime: ACTIVE_TIMEOUT_SECONDS, minDelay: 1 }, { TableName: tableName });
      await addDueIndex(client, tableName);
      return;
    }
    if (existing.TableStatus === 'ACTIVE') return;
  } else {
    try {
      await client.send(new CreateTableCommand(tableDefinition(tableName)));
    } catch (error) {
      // Someone else (another test worker, a second instance) created it first: that is fine.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: ACTIVE_TIMEOUT_SECONDS, minDelay: 1 }, { TableName: tableName });
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

function assertCompatible(table: TableDescription, tableName: string): void {
  const keys = table.KeySchema?.map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  const index = table.GlobalSecondaryIndexes?.find((i) => i.IndexName === GSI1.indexName);
  const indexKeys = index?.KeySchema?.map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  const expectedKeys = `${TABLE_KEY.partitionKey}:HASH,${TABLE_KEY.sortKey}:RANGE`;
  const expectedIndexKeys = `${GSI1.partitionKey}:HASH,${GSI1.sortKey}:RANGE`;
  if (keys !== expectedKeys || indexKeys !== expectedIndexKeys) {
    throw new Error(
      `Table ${tableName} exists with an unexpected layout (keys ${keys ?? 'none'}, ${GSI1.indexName} ${indexKeys ?? 'missing'}); ` +
        `expected keys ${expectedKeys} and ${GSI1.indexName} ${expectedIndexKeys}.`,
    );
  }
}
