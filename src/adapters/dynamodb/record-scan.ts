/**
 * Whole-table passes over the authenticated items (`item-integrity.ts`): the one-time upgrade that
 * gives every item of an older data folder its MAC, and the verification that reports every item
 * that fails (`npm run verify`, and the deployment's scheduled check). Neither runs on a request path.
 */
import { ConditionalCheckFailedException, ScanCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ItemKey } from './item-keys.js';
import type { Item } from './item-mapping.js';
import { MAC_ATTRIBUTE, isAuthenticatedPartition, type IntegrityFailure, type ItemIntegrity } from './item-integrity.js';
import { TABLE_KEY } from './table-definition.js';

export interface RecordScanOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly integrity: ItemIntegrity;
}

/** What a verification found. */
export interface VerificationReport {
  /** Authenticated items checked. */
  readonly checked: number;
  readonly failures: readonly IntegrityFailure[];
}

/** Every item of the table, page by page, read consistently. */
async function* scanItems(client: DynamoDBClient, tableName: string): AsyncGenerator<Item> {
  let startKey: ItemKey | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
}

function authenticated(item: Item): boolean {
  const pk = item[TABLE_KEY.partitionKey]?.S;
  return pk !== undefined && isAuthenticatedPartition(pk);
}

/** Checks every authenticated item of the table; reports nothing itself (the caller decides how). */
export async function verifyRecords(options: RecordScanOptions): Promise<VerificationReport> {
  let checked = 0;
  const failures: IntegrityFailure[] = [];
  for await (const item of scanItems(options.client, options.tableName)) {
    if (!authenticated(item)) continue;
    checked++;
    const failure = await options.integrity.check(item);
    if (failure !== undefined) failures.push(failure);
  }
  return { checked, failures };
}

/** What the upgrade did. */
export interface UpgradeReport {
  /** Items that had no MAC and were given one. */
  readonly sealed: number;
  /** Items that had a MAC (written by this version before a crash ended an earlier upgrade) that does not match. */
  readonly failures: readonly IntegrityFailure[];
}

/**
 * Gives every authenticated item without a MAC its MAC, then marks the upgrade done in the token,
 * after which an item without a MAC is refused. Undefined when the token says it was done already:
 * nothing is read. A crash part-way leaves the marker unset, and the next start carries on (an
 * item that has its MAC is left as it is).
 */
export async function upgradeRecords(options: RecordScanOptions): Promise<UpgradeReport | undefined> {
  const { client, tableName, integrity } = options;
  if (integrity.upgraded) return undefined;
  let sealed = 0;
  const failures: IntegrityFailure[] = [];
  for await (const item of scanItems(client, tableName)) {
    if (!authenticated(item)) continue;
    if (item[MAC_ATTRIBUTE] !== undefined) {
      const failure = await integrity.check(item);
      if (failure !== undefined) failures.push(failure);
      continue;
    }
    if (await setMac(client, tableName, item, integrity)) sealed++;
  }
  await integrity.markUpgraded();
  return { sealed, failures };
}

/** Sets the MAC of an item that has none; false if it was changed or given one meanwhile. */
async function setMac(client: DynamoDBClient, tableName: string, item: Item, integrity: ItemIntegrity): Promise<boolean> {
  const pk = item[TABLE_KEY.partitionKey];
  const sk = item[TABLE_KEY.sortKey];
  if (pk === undefined || sk === undefined) return false;
  try {
    await client.send(new UpdateItemCommand({
      TableName: tableName,
      Key: { [TABLE_KEY.partitionKey]: pk, [TABLE_KEY.sortKey]: sk },
      UpdateExpression: 'SET #mac = :mac',
      ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#mac)',
      ExpressionAttributeNames: { '#pk': TABLE_KEY.partitionKey, '#mac': MAC_ATTRIBUTE },
      ExpressionAttributeValues: { ':mac': await integrity.macOf(item) },
    }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
