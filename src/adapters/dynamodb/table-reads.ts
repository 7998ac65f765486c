/**
 * The store's reads: single items and paged queries, with SDK failures already mapped to KMS
 * exceptions.
 */
import { GetItemCommand, QueryCommand, type DynamoDBClient, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { toKmsError } from './dynamo-errors.js';
import type { ItemKey } from './item-keys.js';
import type { Item } from './item-mapping.js';

export type QueryInput = Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>;

export class TableReads {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Strongly consistent: a record written by the previous request is always seen. */
  async getItem(key: ItemKey): Promise<Item | undefined> {
    try {
      const output = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      return output.Item;
    } catch (error) {
      throw toKmsError(error);
    }
  }

  /**
   * Up to `limit` items after `startKey`, and whether more exist. Asks for one item more than the
   * page needs: a LastEvaluatedKey alone does not prove that another item exists.
   */
  async queryPage(input: QueryInput, limit: number, startKey: ItemKey | undefined): Promise<{ items: Item[]; more: boolean }> {
    const items: Item[] = [];
    let exclusiveStartKey = startKey;
    do {
      const output = await this.query(input, limit + 1 - items.length, exclusiveStartKey);
      items.push(...(output.Items ?? []));
      exclusiveStartKey = output.LastEvaluatedKey;
      // A response can stop short of Limit (1 MB per response), so keep reading until the page is full.
    } while (items.length <= limit && exclusiveStartKey !== undefined);
    return { items: items.slice(0, limit), more: items.length > limit };
  }

  /** Every item the query matches, across as many responses as it takes. */
  async queryAll(input: QueryInput): Promise<Item[]> {
    const items: Item[] = [];
    let exclusiveStartKey: ItemKey | undefined;
    do {
      const output = await this.query(input, undefined, exclusiveStartKey);
      items.push(...(output.Items ?? []));
      exclusiveStartKey = output.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
    return items;
  }

  /** How many items the query matches, counted by DynamoDB (no items are returned). */
  async countAll(input: QueryInput): Promise<number> {
    let count = 0;
    let exclusiveStartKey: ItemKey | undefined;
    do {
      const output = await this.query({ ...input, Select: 'COUNT' }, undefined, exclusiveStartKey);
      count += output.Count ?? 0;
      exclusiveStartKey = output.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
    return count;
  }

  private async query(input: QueryInput, limit: number | undefined, startKey: ItemKey | undefined): Promise<QueryCommandOutput> {
    try {
      return await this.client.send(new QueryCommand({ ...input, TableName: this.tableName, Limit: limit, ExclusiveStartKey: startKey }));
    } catch (error) {
      throw toKmsError(error);
    }
  }
}
