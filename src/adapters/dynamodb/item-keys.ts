/**
 * Key attribute values of every item kind in the single table (see docs/table-design.md).
 * A type prefix ending in `#` keeps item kinds apart; account IDs (digits) and Regions contain no
 * `:`, so only the last component of a composite value could, and it cannot shift the others.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DUE_INDEX, GSI1, KEY_LIST_INDEX, TABLE_KEY } from './table-definition.js';

export type ItemKey = Record<string, AttributeValue>;

/** Sort key of the one-per-partition items (key metadata, access key). */
export const METADATA_SORT_KEY = 'META';

/** Partition of one key: its metadata item and its backing key versions. */
export function keyPartition(accountId: string, region: string, keyId: string): string {
  return `KEY#${accountId}:${region}:${keyId}`;
}

export function keyMetadataKey(accountId: string, region: string, keyId: string): ItemKey {
  return primaryKey(keyPartition(accountId, region, keyId), METADATA_SORT_KEY);
}

/** What every partition of the ListKeys index starts with (gsi1's, in the older layout). */
export const KEYS_LIST_PREFIX = 'KEYS#';

/** Partition of the ListKeys index holding every key of an account and Region. */
export function keysListPartition(accountId: string, region: string): string {
  return `${KEYS_LIST_PREFIX}${accountId}:${region}`;
}

/** A key metadata item's attributes in the ListKeys index: sorted by key ID under its account and Region. */
export function keyListIndexKey(accountId: string, region: string, keyId: string): ItemKey {
  return { [KEY_LIST_INDEX.partitionKey]: { S: keysListPartition(accountId, region) }, [KEY_LIST_INDEX.sortKey]: { S: keyId } };
}

export function keysListStartKey(accountId: string, region: string, keyId: string): ItemKey {
  return { ...keyMetadataKey(accountId, region, keyId), ...keyListIndexKey(accountId, region, keyId) };
}

export function backingKeySortKey(backingKeyId: string): string {
  return `BACKING#${backingKeyId}`;
}

export function backingKeyKey(accountId: string, region: string, keyId: string, backingKeyId: string): ItemKey {
  return primaryKey(keyPartition(accountId, region, keyId), backingKeySortKey(backingKeyId));
}

/** Partition holding every alias of an account and Region, sorted by name. */
export function aliasPartition(accountId: string, region: string): string {
  return `ALIASES#${accountId}:${region}`;
}

export function aliasKey(accountId: string, region: string, aliasName: string): ItemKey {
  return primaryKey(aliasPartition(accountId, region), aliasName);
}

/** gsi1 sort key of an alias under its target key's partition. */
export function aliasIndexSortKey(aliasName: string): string {
  return `ALIAS#${aliasName}`;
}

export const ALIAS_INDEX_PREFIX = aliasIndexSortKey('');

export function aliasesOfKeyStartKey(accountId: string, region: string, keyId: string, aliasName: string): ItemKey {
  return {
    ...aliasKey(accountId, region, aliasName),
    ...indexKey(keyPartition(accountId, region, keyId), aliasIndexSortKey(aliasName)),
  };
}

/** Partition holding the grants of one key, sorted by grant ID. */
export function grantsPartition(accountId: string, region: string, keyId: string): string {
  return `GRANTS#${accountId}:${region}:${keyId}`;
}

export function grantKey(accountId: string, region: string, keyId: string, grantId: string): ItemKey {
  return primaryKey(grantsPartition(accountId, region, keyId), grantId);
}

/** gsi1 partition listing the grants of a Region (keys of any account) that a principal may retire. */
export function retiringPartition(region: string, retiringPrincipal: string): string {
  return `RETIRING#${region}:${retiringPrincipal}`;
}

/** gsi1 sort key of a grant under its retiring principal's partition: the key's account and ID, then the grant ID. */
export function retirableSortKey(accountId: string, keyId: string, grantId: string): string {
  return `${accountId}:${keyId}:${grantId}`;
}

export function accessKeyPartition(accessKeyId: string): string {
  return `ACCESSKEY#${accessKeyId}`;
}

export function accessKeyKey(accessKeyId: string): ItemKey {
  return primaryKey(accessKeyPartition(accessKeyId), METADATA_SORT_KEY);
}

/** gsi1 partition listing the access keys of one principal. */
export function principalPartition(principalArn: string): string {
  return `PRINCIPAL#${principalArn}`;
}

/** The one partition of the due-date index. */
export const DUE_PARTITION = 'DUE';

/** Sort key in the due-date index: the due date (fixed width, so strings sort as numbers), then the key. */
export function dueSortKey(dueAt: number, accountId: string, region: string, keyId: string): string {
  return `${String(dueAt).padStart(15, '0')}#${accountId}:${region}:${keyId}`;
}

export function dueIndexKey(dueAt: number, accountId: string, region: string, keyId: string): ItemKey {
  return { [DUE_INDEX.partitionKey]: { S: DUE_PARTITION }, [DUE_INDEX.sortKey]: { S: dueSortKey(dueAt, accountId, region, keyId) } };
}

/** Partition of a key's last-use record (GetKeyLastUsage), apart from its metadata so its writers reach nothing else. */
export function usagePartition(accountId: string, region: string, keyId: string): string {
  return `USAGE#${accountId}:${region}:${keyId}`;
}

export function usageKey(accountId: string, region: string, keyId: string): ItemKey {
  return primaryKey(usagePartition(accountId, region, keyId), METADATA_SORT_KEY);
}

/** Partition of the service's own records (today: when usage tracking began). */
export function servicePartition(name: string): string {
  return `SERVICE#${name}`;
}

/** Partition of every IAM record of one account (users, roles, policies, attachments). */
export function iamPartition(accountId: string): string {
  return `IAM#${accountId}`;
}

export function primaryKey(pk: string, sk: string): ItemKey {
  return { [TABLE_KEY.partitionKey]: { S: pk }, [TABLE_KEY.sortKey]: { S: sk } };
}

export function indexKey(gsi1pk: string, gsi1sk: string): ItemKey {
  return { [GSI1.partitionKey]: { S: gsi1pk }, [GSI1.sortKey]: { S: gsi1sk } };
}
