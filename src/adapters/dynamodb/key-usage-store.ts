/**
 * KeyUsageStore on the service's one table: each key's last use in an item of its own partition
 * (`USAGE#<acct>:<region>:<keyId>` / `META`), written only while the key exists and only by a
 * later use than the one stored; and the date usage tracking began (`SERVICE#usage-tracking`).
 */
import {
  ConditionalCheckFailedException, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { KeyLocator, KeyUsageRecord, KeyUsageStore } from '../../core/ports/index.js';
import { KeyLastUsageTrackingOperationValues, type KeyLastUsageTrackingOperation } from '../../models/kms/generated/shapes.js';
import { cancellationReasons, toKmsError } from './dynamo-errors.js';
import { keyMetadataKey, primaryKey, servicePartition, usageKey } from './item-keys.js';
import { MalformedItemError, type Item } from './item-mapping.js';
import { TABLE_KEY } from './table-definition.js';
import { TableReads } from './table-reads.js';

const TRACKING_START = primaryKey(servicePartition('usage-tracking'), 'START');
const OPERATIONS: ReadonlySet<string> = new Set(KeyLastUsageTrackingOperationValues);

/** How many last-use writes one flush keeps in flight. */
export const USAGE_WRITES_IN_FLIGHT = 8;

export class DynamoKeyUsageStore implements KeyUsageStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #reads: TableReads;

  constructor(options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#reads = new TableReads(options.client, options.tableName);
  }

  async putUsages(entries: readonly { readonly locator: KeyLocator; readonly usage: KeyUsageRecord }[]): Promise<void> {
    // One write a key: a key deleted meanwhile, or a later use stored by another process, skips only that key.
    // At most USAGE_WRITES_IN_FLIGHT at a time: a flush of traffic spread over 10,000 keys would
    // otherwise start 10,000 requests at once (about 1 GB of requests in flight in the soak) and
    // queue the table reads of live requests behind them.
    let next = 0;
    const writer = async (): Promise<void> => {
      for (let entry = entries[next++]; entry !== undefined; entry = entries[next++]) await this.#put(entry.locator, entry.usage);
    };
    await Promise.all(Array.from({ length: Math.min(USAGE_WRITES_IN_FLIGHT, entries.length) }, writer));
  }

  /**
   * Writes one key's use. A key whose use is stored already gets a plain UpdateItem, on condition
   * that its usage item exists and holds an earlier use: the key existed when that item was
   * written, and removing the key removes the item in the same transaction, so the item's
   * existence stands for the key's. Only the first use (no item yet) needs the transaction that
   * checks the key itself. DynamoDB Local keeps every transaction's token in its file for good
   * (DynamoDB keeps one ten minutes), so a transaction a key a minute grew the data folder without bound.
   */
  async #put(locator: KeyLocator, usage: KeyUsageRecord): Promise<void> {
    const key = usageKey(locator.accountId, locator.region, locator.keyId);
    const { names, values, update } = usageUpdate(usage);
    try {
      await this.#client.send(new UpdateItemCommand({
        TableName: this.#table,
        Key: key,
        UpdateExpression: update,
        ConditionExpression: 'attribute_exists(#timestamp) AND #timestamp < :timestamp',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw toKmsError(error);
      // A later (or the same) use is stored: nothing to write. No item yet: the first use, below.
      if (error.Item !== undefined) return;
    }
    try {
      await this.#client.send(new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: this.#table,
              Key: keyMetadataKey(locator.accountId, locator.region, locator.keyId),
              ConditionExpression: 'attribute_exists(#pk)',
              ExpressionAttributeNames: { '#pk': TABLE_KEY.partitionKey },
            },
          },
          {
            Update: {
              TableName: this.#table,
              Key: key,
              UpdateExpression: update,
              ConditionExpression: 'attribute_not_exists(#timestamp) OR #timestamp < :timestamp',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
        ],
      }));
    } catch (error) {
      // The key is gone, or a later use was stored meanwhile: nothing to write.
      if (cancellationReasons(error)?.some((reason) => reason.Code === 'ConditionalCheckFailed') === true) return;
      throw toKmsError(error);
    }
  }

  async getUsage(locator: KeyLocator): Promise<KeyUsageRecord | undefined> {
    const item = await this.#reads.getItem(usageKey(locator.accountId, locator.region, locator.keyId));
    return item === undefined ? undefined : itemToUsage(item);
  }

  async trackingStart(now: number): Promise<number> {
    try {
      await this.#client.send(new PutItemCommand({
        TableName: this.#table,
        Item: { ...TRACKING_START, type: { S: 'UsageTrackingStart' }, startDate: { N: String(now) } },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLE_KEY.partitionKey },
      }));
      return now;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw toKmsError(error);
    }
    const value = Number((await this.#reads.getItem(TRACKING_START))?.['startDate']?.N);
    if (!Number.isFinite(value)) throw toKmsError(new MalformedItemError('startDate'));
    return value;
  }
}

/** The update that stores `usage` in a key's usage item. */
function usageUpdate(usage: KeyUsageRecord) {
  return {
    update: 'SET #type = :type, #operation = :operation, #timestamp = :timestamp, #eventId = :eventId, #requestId = :requestId',
    names: { '#type': 'type', '#operation': 'operation', '#timestamp': 'timestamp', '#eventId': 'cloudTrailEventId', '#requestId': 'kmsRequestId' },
    values: {
      ':type': { S: 'KeyUsage' }, ':operation': { S: usage.operation }, ':timestamp': { N: String(usage.timestamp) },
      ':eventId': { S: usage.cloudTrailEventId }, ':requestId': { S: usage.kmsRequestId },
    },
  };
}

function itemToUsage(item: Item): KeyUsageRecord {
  const operation = item['operation']?.S;
  const timestamp = Number(item['timestamp']?.N);
  const cloudTrailEventId = item['cloudTrailEventId']?.S;
  const kmsRequestId = item['kmsRequestId']?.S;
  if (operation === undefined || !OPERATIONS.has(operation)) throw toKmsError(new MalformedItemError('operation'));
  if (!Number.isFinite(timestamp) || cloudTrailEventId === undefined || kmsRequestId === undefined) throw toKmsError(new MalformedItemError('timestamp'));
  return { operation: operation as KeyLastUsageTrackingOperation, timestamp, cloudTrailEventId, kmsRequestId };
}
