/**
 * The one-time move of an older data folder's keys into the ListKeys index. Key metadata items
 * written before it existed are listed through gsi1 (`gsi1pk` = `KEYS#…`), which projects whole
 * items; each is rewritten once with its listing attributes and MACs (`item-integrity.ts`) and
 * without the gsi1 ones. A marker item then says it is done, so later starts read nothing more. Not
 * on a request path; local mode runs it at start, after the record upgrade (every item has a MAC).
 */
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KEYS_LIST_PREFIX, keyListIndexKey, primaryKey, servicePartition, type ItemKey } from './item-keys.js';
import type { Item } from './item-mapping.js';
import { MAC_ATTRIBUTE, type IntegrityFailure, type ItemIntegrity } from './item-integrity.js';
import { GSI1, KEY_LIST_INDEX } from './table-definition.js';

/**
 * Present once every key is in the ListKeys index: a new table gets it when it is created. Not
 * authenticated (a service record, `item-integrity.ts`): one written by someone else only keeps
 * older keys out of ListKeys, no more than deleting them would.
 */
export const KEY_LISTING_MARKER = primaryKey(servicePartition('key-listing'), 'COMPLETE');

export interface KeyListingUpgradeOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly integrity: ItemIntegrity;
}

/** What the upgrade did. */
export interface KeyListingUpgradeReport {
  /** Keys put into the ListKeys index. */
  readonly listed: number;
  /** Key items that failed their integrity check: left as they are (and so not listed). */
  readonly failures: readonly IntegrityFailure[];
}

/** Writes the marker: the table holds no key outside the ListKeys index. */
export async function markKeyListingComplete(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new PutItemCommand({ TableName: tableName, Item: { ...KEY_LISTING_MARKER, at: { N: String(Date.now()) } } }));
}

/**
 * Puts every key item still listed through gsi1 into the ListKeys index, then writes the marker.
 * Undefined when the marker is there: one GetItem, nothing else read. A crash part-way leaves the
 * marker unwritten and the next start carries on; an item a writer changed meanwhile already has
 * the new layout (this version writes no other) and is left alone.
 */
export async function upgradeKeyListing(options: KeyListingUpgradeOptions): Promise<KeyListingUpgradeReport | undefined> {
  const { client, tableName, integrity } = options;
  const marker = await client.send(new GetItemCommand({ TableName: tableName, Key: KEY_LISTING_MARKER, ConsistentRead: true }));
  if (marker.Item !== undefined) return undefined;
  let listed = 0;
  const failures: IntegrityFailure[] = [];
  for await (const item of unlistedKeys(client, tableName)) {
    const failure = await integrity.check(item);
    if (failure !== undefined) {
      failures.push(failure);
      continue;
    }
    if (await relist(client, tableName, integrity, item)) listed++;
  }
  await markKeyListingComplete(client, tableName);
  return { listed, failures };
}

/** Key metadata items of the older layout: in gsi1's `KEYS#` partitions, not in the ListKeys index. */
async function* unlistedKeys(client: DynamoDBClient, tableName: string): AsyncGenerator<Item> {
  let startKey: ItemKey | undefined;
  do {
    const page = await client.send(new ScanCommand({
      TableName: tableName,
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
      FilterExpression: 'begins_with(#gpk, :keys) AND attribute_not_exists(#lpk)',
      ExpressionAttributeNames: { '#gpk': GSI1.partitionKey, '#lpk': KEY_LIST_INDEX.partitionKey },
      ExpressionAttributeValues: { ':keys': { S: KEYS_LIST_PREFIX } },
    }));
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
}

/** Rewrites one checked key item in the new layout; false if it changed since it was read. */
async function relist(client: DynamoDBClient, tableName: string, integrity: ItemIntegrity, item: Item): Promise<boolean> {
  const { [GSI1.partitionKey]: _gsi1pk, [GSI1.sortKey]: _gsi1sk, [MAC_ATTRIBUTE]: mac, ...rest } = item;
  const accountId = rest['accountId']?.S;
  const region = rest['region']?.S;
  const keyId = rest['keyId']?.S;
  // A key item that checks out was written by this service, which always gave it these.
  if (accountId === undefined || region === undefined || keyId === undefined || mac === undefined) return false;
  try {
    await client.send(new PutItemCommand({
      TableName: tableName,
      Item: await integrity.seal({ ...rest, ...keyListIndexKey(accountId, region, keyId) }),
      ConditionExpression: '#mac = :mac',
      ExpressionAttributeNames: { '#mac': MAC_ATTRIBUTE },
      ExpressionAttributeValues: { ':mac': mac },
    }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
