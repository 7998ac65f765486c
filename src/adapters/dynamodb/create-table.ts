/**
 * Creates the single table where nothing else does: local mode and the tests. In AWS the CDK
 * stack owns the table; both derive it from table-definition.ts.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  QueryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type Projection,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DUE_INDEX, GSI1, KEY_LIST_INDEX, TABLE_KEY } from './table-definition.js';
import { markKeyListingComplete } from './key-listing-upgrade.js';

/** How long `ensureTable` waits for a new table to become ACTIVE. */
const ACTIVE_TIMEOUT_SECONDS = 120;

/** The table as the adapter expects it: on-demand billing, pk/sk strings, the gsi1, ListKeys and due-date indexes. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE_KEY.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE_KEY.sortKey, AttributeType: 'S' },
      { AttributeName: GSI1.partitionKey, AttributeType: 'S' },
      { AttributeName: GSI1.sortKey, AttributeType: 'S' },
      ...indexAttributes(KEY_LIST_INDEX),
      ...indexAttributes(DUE_INDEX),
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
      ...ADDED_INDEXES.map(indexDefinition),
    ],
  };
}

type IndexLayout = { readonly indexName: string; readonly partitionKey: string; readonly sortKey: string };

/** Indexes that tables made by an earlier version may lack, with what each projects. */
const ADDED_INDEXES: readonly AddedIndex[] = [
  // ListKeys reads only the listing (table-definition.ts), with its own MAC.
  { index: KEY_LIST_INDEX, projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...KEY_LIST_INDEX.included] } },
  // The scheduler needs only the keys, which every index projects.
  { index: DUE_INDEX, projection: { ProjectionType: 'KEYS_ONLY' as const } },
];

interface AddedIndex {
  readonly index: IndexLayout;
  readonly projection: Projection;
}

function indexAttributes(index: IndexLayout) {
  return [
    { AttributeName: index.partitionKey, AttributeType: 'S' as const },
    { AttributeName: index.sortKey, AttributeType: 'S' as const },
  ];
}

function indexDefinition({ index, projection }: AddedIndex) {
  return {
    IndexName: index.indexName,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: projection,
  };
}

/** Whether the table has the index: a query of one absent partition, in constant time. */
async function hasIndex(client: DynamoDBClient, tableName: string, index: IndexLayout): Promise<boolean> {
  try {
    await client.send(new QueryCommand({
      TableName: tableName,
      IndexName: index.indexName,
      KeyConditionExpression: '#ipk = :probe',
      ExpressionAttributeNames: { '#ipk': index.partitionKey },
      ExpressionAttributeValues: { ':probe': { S: PROBE } },
      Limit: 1,
    }));
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationException') return false;
    throw error;
  }
}

/** Adds an index to a table made by a version without it, and waits until it is ACTIVE (DynamoDB fills it from the items). */
async function addIndex(client: DynamoDBClient, tableName: string, added: AddedIndex): Promise<void> {
  const { indexName } = added.index;
  await client.send(new UpdateTableCommand({
    TableName: tableName,
    AttributeDefinitions: indexAttributes(added.index),
    GlobalSecondaryIndexUpdates: [{ Create: indexDefinition(added) }],
  }));
  const deadline = Date.now() + ACTIVE_TIMEOUT_SECONDS * 1000;
  for (;;) {
    // Described only while the index is being added, once per table.
    const index = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === indexName);
    if (index?.IndexStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`Index ${indexName} of table ${tableName} did not become ACTIVE in ${ACTIVE_TIMEOUT_SECONDS} s.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Creates the table if it is missing and waits until it is ACTIVE. An existing table is only
 * checked: a different key schema or a missing index is reported rather than silently used.
 * The check reads one absent item from the table and from the index instead of calling
 * DescribeTable, which DynamoDB Local answers in time proportional to the number of items.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const existing = await probeTable(client, tableName);
  if (existing === 'ready') {
    // A table made by a version without an index gets it once (one index per UpdateTable).
    for (const added of ADDED_INDEXES) if (!(await hasIndex(client, tableName, added.index))) await addIndex(client, tableName, added);
    return;
  }
  let created = true;
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (error) {
    // Someone else (another test worker, a second instance) created it first: that is fine.
    if (!(error instanceof ResourceInUseException)) throw error;
    created = false;
  }
  // Only a table just created (or being created) is described here, while it is still empty.
  await waitUntilTableExists({ client, maxWaitTime: ACTIVE_TIMEOUT_SECONDS, minDelay: 1 }, { TableName: tableName });
  // A new table has no key of the older layout (whoever created it says so).
  if (created) await markKeyListingComplete(client, tableName);
}

const PROBE = '#layout-probe';

/**
 * Whether the table answers reads with the layout the adapter expects ('ready') or does not exist
 * (or is not active yet: 'missing'), in time that does not grow with the table. Throws when it
 * exists with another layout. Also the health check's probe of the table.
 */
export async function probeTable(client: DynamoDBClient, tableName: string): Promise<'ready' | 'missing'> {
  const expected = `expected keys ${TABLE_KEY.partitionKey}:HASH,${TABLE_KEY.sortKey}:RANGE and ${GSI1.indexName} ${GSI1.partitionKey}:HASH,${GSI1.sortKey}:RANGE`;
  const layoutError = (what: string, error: unknown) => new Error(
    `Table ${tableName} exists with an unexpected layout (${what}: ${error instanceof Error ? error.message : String(error)}); ${expected}.`,
    { cause: error },
  );
  try {
    await client.send(new GetItemCommand({
      TableName: tableName,
      Key: { [TABLE_KEY.partitionKey]: { S: PROBE }, [TABLE_KEY.sortKey]: { S: PROBE } },
    }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return 'missing';
    if (error instanceof Error && error.name === 'ValidationException') throw layoutError('table keys', error);
    throw error;
  }
  try {
    await client.send(new QueryCommand({
      TableName: tableName,
      IndexName: GSI1.indexName,
      KeyConditionExpression: '#gpk = :probe AND #gsk = :probe',
      ExpressionAttributeNames: { '#gpk': GSI1.partitionKey, '#gsk': GSI1.sortKey },
      ExpressionAttributeValues: { ':probe': { S: PROBE } },
      Limit: 1,
    }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationException') throw layoutError(GSI1.indexName, error);
    throw error;
  }
  return 'ready';
}
