/**
 * The single table's key schema, shared by the CDK stack and by local mode so both create the
 * same table. The item layout and access patterns are documented in docs/table-design.md.
 */
export const TABLE_KEY = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** One overloaded global secondary index: listings (aliases of a key, retirable grants, access keys of a principal). */
export const GSI1 = { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;

/**
 * The ListKeys index: every key metadata item, by account and Region (`listPk`) then key ID
 * (`listSk`), projecting only what ListKeys needs besides those: the key's state and deletion date
 * (a key past its deletion date is not listed) and `listMac`, the token's MAC over exactly what the
 * index holds (`item-integrity.ts`). A page costs the same whatever the keys' policies and tags.
 */
export const KEY_LIST_INDEX = {
  indexName: 'keyList',
  partitionKey: 'listPk',
  sortKey: 'listSk',
  mac: 'listMac',
  included: ['keyState', 'deletionDate', 'listMac'],
} as const;

/**
 * The sparse due-date index of the key lifecycle: only key metadata items with lifecycle work
 * carry its attributes (`duePk`, one partition; `dueSk`, the due date then the key), so the
 * scheduler reloads its work at start by reading the due keys alone, earliest first.
 */
export const DUE_INDEX = { indexName: 'due', partitionKey: 'duePk', sortKey: 'dueSk' } as const;

/** Default table name in local mode; the CDK stack passes its own through `TABLE_NAME`. */
export const DEFAULT_TABLE_NAME = 'kms';

/** DynamoDB's time to live (epoch seconds): set on temporary credentials only. */
export const TIME_TO_LIVE_ATTRIBUTE = 'expiresAt';
