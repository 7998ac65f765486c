/**
 * The data folder of a stopped local service, reached the way someone holding its files would:
 * the embedded table through DynamoDB Local's own API, and the SoftHSM token through PKCS#11
 * with the PIN of `token.json`. Only while the service is stopped (the folder's lock is free).
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SessionFlag, UserType, type ObjectClass } from 'graphene-pk11';
import { DEFAULT_TABLE_NAME } from '../../../src/adapters/dynamodb/table-definition.js';
import { acquireModule, releaseModule } from '../../../src/adapters/pkcs11/module-registry.js';
import { startDynamoDbLocal } from '../../../src/local/dynamodb-local.js';
import { ensureSoftHsmToken } from '../../../src/local/softhsm-token.js';

export type Item = Record<string, AttributeValue>;

/** The table key of an item. */
export interface TableKey {
  readonly pk: string;
  readonly sk: string;
}

/** Runs `task` with a client of the folder's embedded database, started for it and stopped after. */
export async function withTable<T>(dataDir: string, task: (table: EmbeddedTable) => Promise<T>): Promise<T> {
  const database = await startDynamoDbLocal({ dataDir });
  const client = database.client();
  try {
    return await task(new EmbeddedTable(client));
  } finally {
    client.destroy();
    await database.stop();
  }
}

/** The service's table, read and written with the low-level DynamoDB commands (no MAC is touched unless asked). */
export class EmbeddedTable {
  constructor(readonly client: DynamoDBClient, readonly tableName: string = DEFAULT_TABLE_NAME) {}

  async get(key: TableKey): Promise<Item> {
    const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: keyOf(key), ConsistentRead: true }));
    if (item === undefined) throw new Error(`The table holds no item ${key.pk} ${key.sk}.`);
    return item;
  }

  /** Writes `item` as it is, replacing whatever is stored under its key. */
  async put(item: Item): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item }));
  }

  /** Rewrites the stored item under `key` with `change` applied to it; returns the key. */
  async forge(key: TableKey, change: (item: Item) => Item): Promise<TableKey> {
    await this.put(change(await this.get(key)));
    return key;
  }

  /** Deletes the item under `key`; true if there was one. */
  async delete(key: TableKey): Promise<boolean> {
    const { Attributes: old } = await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyOf(key), ReturnValues: 'ALL_OLD' }));
    return old !== undefined;
  }

  /** Removes the attribute `name` from the stored item under `key` (which must exist). */
  async removeAttribute(key: TableKey, name: string): Promise<void> {
    await this.client.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: keyOf(key),
      UpdateExpression: 'REMOVE #name',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#name': name },
    }));
  }

  /** The items of one partition whose sort key begins with `prefix`. */
  async query(pk: string, prefix = ''): Promise<Item[]> {
    const { Items: items = [], LastEvaluatedKey: more } = await this.client.send(new QueryCommand({
      TableName: this.tableName,
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': { S: pk }, ':prefix': { S: prefix } },
    }));
    if (more !== undefined) throw new Error(`The partition ${pk} has more items than one page.`);
    return items;
  }

  /** Every item of the table. */
  async scan(): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }
}

export function keyOf(key: TableKey): Item {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

export function tableKeyOf(item: Item): TableKey {
  const pk = item['pk']?.S;
  const sk = item['sk']?.S;
  if (pk === undefined || sk === undefined) throw new Error('An item has no table key.');
  return { pk, sk };
}

/**
 * Destroys every token object of `objectClass` labelled `label`, logged in as the user; returns
 * how many there were. The process must hold no other session of the module (the service is stopped).
 */
export async function destroyTokenObjects(dataDir: string, objectClass: ObjectClass, label: string): Promise<number> {
  const config = await ensureSoftHsmToken({ dataDir });
  const module = acquireModule(config.modulePath);
  try {
    const slots = module.getSlots(true);
    const slot = Array.from({ length: slots.length }, (_, i) => slots.items(i)).find((s) => s.getToken().label.trim() === config.tokenLabel);
    if (slot === undefined) throw new Error(`No slot holds the token ${config.tokenLabel}.`);
    const session = slot.open(SessionFlag.RW_SESSION | SessionFlag.SERIAL_SESSION);
    try {
      session.login(config.pin, UserType.USER);
      return session.destroy({ class: objectClass, token: true, label });
    } finally {
      session.close();
    }
  } finally {
    releaseModule(config.modulePath);
  }
}
