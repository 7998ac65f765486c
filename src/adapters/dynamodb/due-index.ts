/** DueWorkIndex on the table's sparse `due` index: the keys with lifecycle work, earliest first. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DueKey, DueWorkIndex } from '../../core/ports/index.js';
import { DUE_PARTITION, dueSortKey } from './item-keys.js';
import { DUE_INDEX, TABLE_KEY } from './table-definition.js';
import { TableReads } from './table-reads.js';

const KEY_PARTITION = /^KEY#(\d{12}):([a-z0-9-]+):(.+)$/;
const DUE_SORT_KEY = /^(\d{15})#/;

export class DynamoDueIndex implements DueWorkIndex {
  private readonly reads: TableReads;

  constructor(options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.reads = new TableReads(options.client, options.tableName);
  }

  async dueKeys(until: number): Promise<readonly DueKey[]> {
    const items = await this.reads.queryAll({
      IndexName: DUE_INDEX.indexName,
      KeyConditionExpression: '#p = :p AND #s < :until',
      ExpressionAttributeNames: { '#p': DUE_INDEX.partitionKey, '#s': DUE_INDEX.sortKey },
      // Every key due at `until` sorts before the next millisecond's first key.
      ExpressionAttributeValues: { ':p': { S: DUE_PARTITION }, ':until': { S: dueSortKey(until + 1, '', '', '') } },
    });
    return items.flatMap((item): DueKey[] => {
      const partition = KEY_PARTITION.exec(item[TABLE_KEY.partitionKey]?.S ?? '');
      const date = DUE_SORT_KEY.exec(item[DUE_INDEX.sortKey]?.S ?? '');
      // The table may be written by an attacker: an item that is not a key's is skipped.
      if (partition === null || date === null || item[TABLE_KEY.sortKey]?.S !== 'META') return [];
      const [, accountId = '', region = '', keyId = ''] = partition;
      return [{ locator: { accountId, region, keyId }, dueAt: Number(date[1]) }];
    });
  }
}
