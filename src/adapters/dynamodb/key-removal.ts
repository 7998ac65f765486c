/**
 * KeyRemoval on the single table: a key whose waiting period is over loses its aliases, its
 * grants, its backing key versions and its metadata item. Usually one transaction does it all (whole or gone);
 * a key with more than 99 other items is removed item by item with the metadata item last, so a
 * crash leaves the key findable and a later run finishes the job.
 */
import {
  ConditionalCheckFailedException, DeleteItemCommand, TransactWriteItemsCommand, type DynamoDBClient, type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import type { KeyRemoval } from '../../core/ports/index.js';
import type { KeyRecord } from '../../core/kms/records.js';
import { cancellationReasons, toKmsError } from './dynamo-errors.js';
import { ALIAS_INDEX_PREFIX, aliasKey, grantsPartition, keyMetadataKey, keyPartition, primaryKey, usageKey, type ItemKey } from './item-keys.js';
import { itemToKey, type Item } from './item-mapping.js';
import { GSI1, TABLE_KEY } from './table-definition.js';
import { opened, type ItemIntegrity } from './item-integrity.js';
import { TableReads } from './table-reads.js';

/** DynamoDB's limit of items in one transaction. */
const TRANSACTION_LIMIT = 100;
/** Rounds of reading and removing when an alias moved away from the key in between. */
const ATTEMPTS = 3;

interface Removal {
  readonly key: ItemKey;
  /** Deletes only while this still holds. */
  readonly condition?: { readonly expression: string; readonly names: Record<string, string>; readonly values: Item };
}

export class DynamoKeyRemoval implements KeyRemoval {
  private readonly reads: TableReads;

  /** `integrity` checks the key's metadata before it is acted on. */
  constructor(private readonly options: { readonly client: DynamoDBClient; readonly tableName: string; readonly integrity: ItemIntegrity }) {
    this.reads = new TableReads(options.client, options.tableName);
  }

  async removeKey(key: KeyRecord): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.reads.getItem(keyMetadataKey(key.accountId, key.region, key.keyId));
      // Gone already: an earlier run finished (or a crash came after its last step).
      if (stored === undefined) return true;
      const current = itemToKey(await opened(this.options.integrity, stored));
      if (current.keyState !== 'PendingDeletion' || current.deletionDate !== key.deletionDate) return false;
      try {
        await this.removeItems(current);
        return true;
      } catch (error) {
        // An alias moved to another key, or the deletion was cancelled, in between: look again.
        if (attempt >= ATTEMPTS || !isConditionFailure(error)) throw toKmsError(error);
      }
    }
  }

  private async removeItems(key: KeyRecord): Promise<void> {
    const others = [
      ...await this.aliasRemovals(key), ...await this.grantRemovals(key), ...await this.backingKeyRemovals(key),
      // The last-use record, whether or not the key was ever used (deleting nothing is no error).
      { key: usageKey(key.accountId, key.region, key.keyId) },
    ];
    const metadata: Removal = {
      key: keyMetadataKey(key.accountId, key.region, key.keyId),
      condition: {
        expression: '#keyState = :pending AND #deletionDate = :date',
        names: { '#keyState': 'keyState', '#deletionDate': 'deletionDate' },
        values: { ':pending': { S: 'PendingDeletion' }, ':date': { N: String(key.deletionDate) } },
      },
    };
    if (others.length < TRANSACTION_LIMIT) {
      await this.options.client.send(new TransactWriteItemsCommand({ TransactItems: [...others, metadata].map((r) => this.transactDelete(r)) }));
      return;
    }
    for (const removal of [...others, metadata]) await this.deleteOne(removal);
  }

  private async aliasRemovals(key: KeyRecord): Promise<Removal[]> {
    const items = await this.reads.queryAll({
      IndexName: GSI1.indexName,
      KeyConditionExpression: '#p = :p AND begins_with(#s, :alias)',
      ExpressionAttributeNames: { '#p': GSI1.partitionKey, '#s': GSI1.sortKey },
      ExpressionAttributeValues: { ':p': { S: keyPartition(key.accountId, key.region, key.keyId) }, ':alias': { S: ALIAS_INDEX_PREFIX } },
    });
    return items.flatMap((item) => {
      const aliasName = item['aliasName']?.S;
      if (aliasName === undefined) return [];
      return [{
        key: aliasKey(key.accountId, key.region, aliasName),
        // An alias pointed at another key meanwhile is not this key's any more.
        condition: { expression: '#target = :keyId', names: { '#target': 'targetKeyId' }, values: { ':keyId': { S: key.keyId } } },
      }];
    });
  }

  /** The key's grants, in a partition of their own. */
  private async grantRemovals(key: KeyRecord): Promise<Removal[]> {
    const partition = grantsPartition(key.accountId, key.region, key.keyId);
    const items = await this.reads.queryAll({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE_KEY.partitionKey, '#sk': TABLE_KEY.sortKey },
      ExpressionAttributeValues: { ':pk': { S: partition } },
      ProjectionExpression: '#pk, #sk',
    });
    return items.flatMap((item) => {
      const sk = item[TABLE_KEY.sortKey]?.S;
      return sk === undefined ? [] : [{ key: primaryKey(partition, sk) }];
    });
  }

  private async backingKeyRemovals(key: KeyRecord): Promise<Removal[]> {
    const items = await this.reads.queryAll({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE_KEY.partitionKey, '#sk': TABLE_KEY.sortKey },
      ExpressionAttributeValues: { ':pk': { S: keyPartition(key.accountId, key.region, key.keyId) } },
      ProjectionExpression: '#pk, #sk',
    });
    return items
      .map((item) => item[TABLE_KEY.sortKey]?.S)
      .filter((sk): sk is string => sk !== undefined && sk !== 'META')
      .map((sk) => ({ key: primaryKey(keyPartition(key.accountId, key.region, key.keyId), sk) }));
  }

  private transactDelete(removal: Removal): TransactWriteItem {
    return {
      Delete: {
        TableName: this.options.tableName,
        Key: removal.key,
        ...(removal.condition === undefined ? {} : {
          ConditionExpression: removal.condition.expression,
          ExpressionAttributeNames: removal.condition.names,
          ExpressionAttributeValues: removal.condition.values,
        }),
      },
    };
  }

  private async deleteOne(removal: Removal): Promise<void> {
    try {
      await this.options.client.send(new DeleteItemCommand({ ...this.transactDelete(removal).Delete, TableName: this.options.tableName, Key: removal.key }));
    } catch (error) {
      // An alias that moved away stays; anything else (the metadata changed) stops the removal.
      if (error instanceof ConditionalCheckFailedException && removal.key[TABLE_KEY.sortKey]?.S !== 'META') return;
      throw error;
    }
  }
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (cancellationReasons(error)?.some((r) => r.Code === 'ConditionalCheckFailed') ?? false);
}
