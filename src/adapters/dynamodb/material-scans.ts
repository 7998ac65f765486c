/**
 * What the one-time legacy root key migration needs from the table (see
 * src/adapters/pkcs11/legacy-migration.ts): every backing key and every access key, read with a
 * paged Scan filtered on the item `type`, and conditional replacement of the wrapped or sealed
 * bytes. Nothing on the request path uses these.
 *
 * A scan marker is base64url of the JSON `{"pk":…,"sk":…}` of DynamoDB's LastEvaluatedKey; a page
 * may hold fewer items than asked for (the filter applies after Limit) or none, with a marker.
 */
import { ConditionalCheckFailedException, ScanCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MAC_ATTRIBUTE } from './item-integrity.js';
import { InvalidMarkerException } from '../../models/kms/generated/errors.js';
import type { Page, PageRequest, SealedData } from '../../core/ports/index.js';
import type { BackingKeyRecord } from '../../core/kms/records.js';
import type { AccessKeyRecord } from '../../core/iam/records.js';
import { toKmsError } from './dynamo-errors.js';
import { accessKeyKey, backingKeyKey, primaryKey, type ItemKey } from './item-keys.js';
import type { Item } from './item-mapping.js';
import { TABLE_KEY } from './table-definition.js';
import { say } from '../../core/kms/messages.js';

function encodeScanMarker(key: ItemKey): string {
  const pk = key[TABLE_KEY.partitionKey]?.S;
  const sk = key[TABLE_KEY.sortKey]?.S;
  return Buffer.from(JSON.stringify({ pk, sk }), 'utf8').toString('base64url');
}

function decodeScanMarker(marker: string): ItemKey {
  try {
    const { pk, sk } = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8')) as { pk?: unknown; sk?: unknown };
    if (typeof pk === 'string' && typeof sk === 'string') return primaryKey(pk, sk);
  } catch {
    // Falls through to the exception below.
  }
  throw new InvalidMarkerException(say('invalidMarker'));
}

/** One page of the items of `type` (`BackingKey`, `AccessKey`), decoded by `decode`. */
export async function scanType<T>(
  client: DynamoDBClient, tableName: string, type: string, page: PageRequest, decode: (item: Item) => Promise<T>,
): Promise<Page<T>> {
  try {
    const output = await client.send(new ScanCommand({
      TableName: tableName,
      FilterExpression: '#type = :type',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':type': { S: type } },
      Limit: page.limit,
      ConsistentRead: true,
      ...(page.marker === undefined ? {} : { ExclusiveStartKey: decodeScanMarker(page.marker) }),
    }));
    const items = await Promise.all((output.Items ?? []).map(decode));
    return output.LastEvaluatedKey === undefined ? { items } : { items, nextMarker: encodeScanMarker(output.LastEvaluatedKey) };
  } catch (error) {
    throw toKmsError(error);
  }
}

async function conditionalUpdate(client: DynamoDBClient, command: UpdateItemCommand): Promise<boolean> {
  try {
    await client.send(command);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw toKmsError(error);
  }
}

/** Replaces the wrapped material and, with it, the item's MAC (`mac`, computed over the item as it will be). */
export function replaceWrappedMaterial(
  client: DynamoDBClient, tableName: string, record: BackingKeyRecord, expected: Uint8Array, mac: AttributeValue,
): Promise<boolean> {
  return conditionalUpdate(client, new UpdateItemCommand({
    TableName: tableName,
    Key: backingKeyKey(record.accountId, record.region, record.keyId, record.backingKeyId),
    UpdateExpression: 'SET #material = :replacement, #mac = :mac',
    ConditionExpression: '#material = :expected',
    ExpressionAttributeNames: { '#material': 'wrappedMaterial', '#mac': MAC_ATTRIBUTE },
    ExpressionAttributeValues: { ':replacement': { B: record.wrappedMaterial }, ':expected': { B: expected }, ':mac': mac },
  }));
}

/** Replaces the sealed secret and, with it, the item's MAC (`mac`, computed over the item as it will be). */
export function replaceSealedSecret(
  client: DynamoDBClient, tableName: string, record: AccessKeyRecord, expected: SealedData, mac: AttributeValue,
): Promise<boolean> {
  return conditionalUpdate(client, new UpdateItemCommand({
    TableName: tableName,
    Key: accessKeyKey(record.accessKeyId),
    UpdateExpression: 'SET #iv = :iv, #ciphertext = :ciphertext, #mac = :mac',
    ConditionExpression: '#iv = :expectedIv AND #ciphertext = :expectedCiphertext',
    ExpressionAttributeNames: { '#iv': 'sealedSecretIv', '#ciphertext': 'sealedSecretCiphertext', '#mac': MAC_ATTRIBUTE },
    ExpressionAttributeValues: {
      ':mac': mac,
      ':iv': { B: record.sealedSecret.iv },
      ':ciphertext': { B: record.sealedSecret.ciphertext },
      ':expectedIv': { B: expected.iv },
      ':expectedCiphertext': { B: expected.ciphertext },
    },
  }));
}
