/**
 * KeyStore, AliasStore, GrantStore and CredentialStore on one DynamoDB table. The item layout, access
 * patterns and transactions are documented in docs/table-design.md.
 */
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { AlreadyExistsException, ConflictException, KMSInvalidStateException, NotFoundException } from '../../models/kms/generated/errors.js';
import type { ServiceError } from '../../core/errors/service-error.js';
import type { AliasStore, CredentialStore, GrantStore, KeyListing, KeyLocator, KeyStore, Page, PageRequest, SealedData } from '../../core/ports/index.js';
import type { StoredGrant } from '../../core/kms/grants/stored-grant.js';
import type { AliasRecord, BackingKeyRecord, KeyRecord } from '../../core/kms/records.js';
import type { AccessKeyRecord } from '../../core/iam/records.js';
import { aliasArn, keyArn, type Scope } from '../../core/kms/keys/identifiers.js';
import { say } from '../../core/kms/messages.js';
import { toKmsError, transactionError, withCause } from './dynamo-errors.js';
import {
  ALIAS_INDEX_PREFIX,
  accessKeyKey,
  aliasKey,
  aliasPartition,
  aliasesOfKeyStartKey,
  indexKey,
  backingKeyKey,
  backingKeySortKey,
  grantKey,
  grantsPartition,
  keyMetadataKey,
  keyPartition,
  keysListPartition,
  keysListStartKey,
  principalPartition,
  retirableSortKey,
  retiringPartition,
  type ItemKey,
} from './item-keys.js';
import {
  accessKeyToItem,
  aliasToItem,
  backingKeyToItem,
  grantToItem,
  itemToAccessKey,
  itemToAlias,
  itemToBackingKey,
  itemToGrant,
  itemToKey,
  itemToKeyListing,
  keyToItem,
  type Item,
} from './item-mapping.js';
import { decodeMarker, encodeMarker, invalidMarker } from './marker.js';
import { replaceSealedSecret, replaceWrappedMaterial, scanType } from './material-scans.js';
import { GSI1, KEY_LIST_INDEX, TABLE_KEY } from './table-definition.js';
import { TableReads, type QueryInput } from './table-reads.js';
import { opened, openedListing, type ItemIntegrity } from './item-integrity.js';

export interface DynamoStoreOptions {
  readonly tableName: string;
  /** Seals every item written and checks every item read (`item-integrity.ts`). */
  readonly integrity: ItemIntegrity;
  /** Defaults to a client for the ambient Region and credentials, with connection and request timeouts. */
  readonly client?: DynamoDBClient;
  /** Attempts (first try included) of the SDK's standard retry strategy for the default client. */
  readonly maxAttempts?: number;
}

const CONDITION_FAILED = 'ConditionalCheckFailed';
const PENDING_DELETION = 'PendingDeletion';

const NAMES = { '#pk': TABLE_KEY.partitionKey, '#revision': 'revision', '#keyState': 'keyState' } as const;
const ITEM_ABSENT = 'attribute_not_exists(#pk)';
const ITEM_PRESENT = 'attribute_exists(#pk)';

/**
 * The Put of a key's metadata at the next revision, on condition that the stored one is still at
 * `expectedRevision`; the old item, returned on failure, tells a lost race from a vanished key.
 */
function revisedMetadata(tableName: string, sealed: Item, expectedRevision: number) {
  return {
    TableName: tableName,
    Item: sealed,
    ConditionExpression: '#revision = :expected',
    ExpressionAttributeNames: { '#revision': NAMES['#revision'] },
    ExpressionAttributeValues: { ':expected': { N: String(expectedRevision) } },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/** Why a revision-guarded write of `key` was refused: another writer got there first, or the key is gone. */
function keyWriteRefused(key: KeyRecord, stillStored: boolean): ServiceError {
  return stillStored ? new ConflictException(say('keyChanged', { arn: key.arn })) : new NotFoundException(say('keyDoesNotExist', { arn: key.arn }));
}

export class DynamoStore implements KeyStore, AliasStore, GrantStore, CredentialStore {
  private readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly reads: TableReads;
  private readonly integrity: ItemIntegrity;

  constructor(options: DynamoStoreOptions) {
    this.tableName = options.tableName;
    this.integrity = options.integrity;
    this.client =
      options.client ??
      new DynamoDBClient({
        maxAttempts: options.maxAttempts ?? 3,
        // Without these a stalled connection would hold a KMS request forever.
        requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
      });
    this.reads = new TableReads(this.client, this.tableName);
  }

  async createKey(key: KeyRecord, backingKey: BackingKeyRecord | undefined, olderBackingKeys: readonly BackingKeyRecord[] = []): Promise<void> {
    const put = (Item: Item) => ({
      Put: { TableName: this.tableName, Item, ConditionExpression: ITEM_ABSENT, ExpressionAttributeNames: { '#pk': NAMES['#pk'] } },
    });
    try {
      const items = [keyToItem(key), ...[...(backingKey === undefined ? [] : [backingKey]), ...olderBackingKeys].map(backingKeyToItem)];
      const sealed = await Promise.all(items.map((item) => this.integrity.seal(item)));
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: sealed.map(put) }));
    } catch (error) {
      throw transactionError(error, (reasons) => {
        if (reasons.some((reason) => reason.Code === CONDITION_FAILED)) {
          return new AlreadyExistsException(say('keyAlreadyExists', { arn: key.arn }));
        }
        return undefined;
      });
    }
  }

  async getKey(locator: KeyLocator): Promise<KeyRecord | undefined> {
    const item = await this.reads.getItem(keyMetadataKey(locator.accountId, locator.region, locator.keyId));
    return item === undefined ? undefined : this.decode(item, itemToKey);
  }

  async updateKey(key: KeyRecord, expectedRevision: number): Promise<void> {
    try {
      await this.client.send(new PutItemCommand(revisedMetadata(this.tableName, await this.integrity.seal(keyToItem(key)), expectedRevision)));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw toKmsError(error);
      throw withCause(keyWriteRefused(key, error.Item !== undefined), error);
    }
  }

  async listKeys(accountId: string, region: string, page: PageRequest): Promise<Page<KeyListing>> {
    const after = page.marker === undefined ? undefined : decodeMarker('keys', page.marker);
    const { items, more } = await this.reads.queryPage(
      {
        IndexName: KEY_LIST_INDEX.indexName,
        KeyConditionExpression: '#lpk = :lpk',
        ExpressionAttributeNames: { '#lpk': KEY_LIST_INDEX.partitionKey },
        ExpressionAttributeValues: { ':lpk': { S: keysListPartition(accountId, region) } },
      },
      page.limit,
      after === undefined ? undefined : keysListStartKey(accountId, region, after),
    );
    const keys = await Promise.all(items.map(async (entry) => {
      const checked = await openedListing(this.integrity, entry);
      return guard(() => itemToKeyListing(checked));
    }));
    const last = keys.at(-1);
    return more && last !== undefined ? { items: keys, nextMarker: encodeMarker('keys', last.keyId) } : { items: keys };
  }

  async getBackingKey(locator: KeyLocator, backingKeyId: string): Promise<BackingKeyRecord | undefined> {
    const item = await this.reads.getItem(backingKeyKey(locator.accountId, locator.region, locator.keyId, backingKeyId));
    return item === undefined ? undefined : this.decode(item, itemToBackingKey);
  }

  async listBackingKeys(locator: KeyLocator): Promise<readonly BackingKeyRecord[]> {
    const items = await this.reads.queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE_KEY.partitionKey, '#sk': TABLE_KEY.sortKey },
      ExpressionAttributeValues: { ':pk': { S: keyPartition(locator.accountId, locator.region, locator.keyId) }, ':prefix': { S: backingKeySortKey('') } },
      ConsistentRead: true,
    });
    return this.decodeAll(items, itemToBackingKey);
  }

  async rotateKey(key: KeyRecord, expectedRevision: number, backingKey: BackingKeyRecord): Promise<void> {
    try {
      await this.client.send(new TransactWriteItemsCommand({
        TransactItems: [
          { Put: revisedMetadata(this.tableName, await this.integrity.seal(keyToItem(key)), expectedRevision) },
          { Put: { TableName: this.tableName, Item: await this.integrity.seal(backingKeyToItem(backingKey)), ConditionExpression: ITEM_ABSENT, ExpressionAttributeNames: { '#pk': NAMES['#pk'] } } },
        ],
      }));
    } catch (error) {
      throw transactionError(error, (reasons) => {
        const [metadata, version] = reasons;
        if (metadata?.Code === CONDITION_FAILED) return keyWriteRefused(key, metadata.Item !== undefined);
        return version?.Code === CONDITION_FAILED ? new AlreadyExistsException(say('backingKeyExists', { arn: key.arn })) : undefined;
      });
    }
  }

  async deleteKeyMaterial(key: KeyRecord, expectedRevision: number, backingKeyId: string): Promise<void> {
    try {
      await this.client.send(new TransactWriteItemsCommand({
        TransactItems: [
          { Put: revisedMetadata(this.tableName, await this.integrity.seal(keyToItem(key)), expectedRevision) },
          { Delete: { TableName: this.tableName, Key: backingKeyKey(key.accountId, key.region, key.keyId, backingKeyId) } },
        ],
      }));
    } catch (error) {
      throw transactionError(error, (reasons) => {
        const [metadata] = reasons;
        return metadata?.Code === CONDITION_FAILED ? keyWriteRefused(key, metadata.Item !== undefined) : undefined;
      });
    }
  }

  async createAlias(alias: AliasRecord): Promise<void> {
    await this.writeAlias(alias, ITEM_ABSENT, () => {
      return new AlreadyExistsException(say('aliasAlreadyExists', { aliasArn: aliasArn(alias, alias.aliasName) }));
    });
  }

  async getAlias(accountId: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    const item = await this.reads.getItem(aliasKey(accountId, region, aliasName));
    return item === undefined ? undefined : this.decode(item, itemToAlias);
  }

  async updateAlias(alias: AliasRecord): Promise<void> {
    await this.writeAlias(alias, ITEM_PRESENT, () => aliasNotFound(alias, alias.aliasName));
  }

  async deleteAlias(accountId: string, region: string, aliasName: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: aliasKey(accountId, region, aliasName),
          ConditionExpression: ITEM_PRESENT,
          ExpressionAttributeNames: { '#pk': NAMES['#pk'] },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw withCause(aliasNotFound({ accountId, region }, aliasName), error);
      throw toKmsError(error);
    }
  }

  async listAliases(
    accountId: string,
    region: string,
    page: PageRequest & { readonly keyId?: string },
  ): Promise<Page<AliasRecord>> {
    const after = page.marker === undefined ? undefined : decodeMarker('aliases', page.marker);
    const { keyId } = page;
    const query: QueryInput =
      keyId === undefined
        ? {
            // The base table allows a consistent read: a just-created alias is listed.
            ConsistentRead: true,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': NAMES['#pk'] },
            ExpressionAttributeValues: { ':pk': { S: aliasPartition(accountId, region) } },
          }
        : {
            IndexName: GSI1.indexName,
            KeyConditionExpression: '#gpk = :gpk AND begins_with(#gsk, :prefix)',
            ExpressionAttributeNames: { '#gpk': GSI1.partitionKey, '#gsk': GSI1.sortKey },
            ExpressionAttributeValues: {
              ':gpk': { S: keyPartition(accountId, region, keyId) },
              ':prefix': { S: ALIAS_INDEX_PREFIX },
            },
          };
    let startKey: ItemKey | undefined;
    if (after !== undefined) {
      startKey = keyId === undefined ? aliasKey(accountId, region, after) : aliasesOfKeyStartKey(accountId, region, keyId, after);
    }
    const { items, more } = await this.reads.queryPage(query, page.limit, startKey);
    const aliases = await this.decodeAll(items, itemToAlias);
    const last = aliases.at(-1);
    return more && last !== undefined ? { items: aliases, nextMarker: encodeMarker('aliases', last.aliasName) } : { items: aliases };
  }

  async createGrant(grant: StoredGrant): Promise<void> {
    await this.writeWithKeyCheck(grant, await this.integrity.seal(grantToItem(grant)), () => new AlreadyExistsException(say('grantAlreadyExists', { grantId: grant.grantId })));
  }

  async getGrant(key: KeyLocator, grantId: string): Promise<StoredGrant | undefined> {
    const item = await this.reads.getItem(grantKey(key.accountId, key.region, key.keyId, grantId));
    return item === undefined ? undefined : this.decode(item, itemToGrant);
  }

  async listGrants(key: KeyLocator, page: PageRequest & { readonly granteePrincipal?: string }): Promise<Page<StoredGrant>> {
    const after = page.marker === undefined ? undefined : decodeMarker('grants', page.marker);
    const { granteePrincipal } = page;
    const query = grantsQuery(key);
    const filtered: QueryInput = granteePrincipal === undefined
      ? query
      : {
          ...query,
          FilterExpression: '#grantee = :grantee',
          ExpressionAttributeNames: { ...query.ExpressionAttributeNames, '#grantee': 'granteePrincipal' },
          ExpressionAttributeValues: { ...query.ExpressionAttributeValues, ':grantee': { S: granteePrincipal } },
        };
    const startKey = after === undefined ? undefined : grantKey(key.accountId, key.region, key.keyId, after);
    const { items, more } = await this.reads.queryPage(filtered, page.limit, startKey);
    const grants = await this.decodeAll(items, itemToGrant);
    const last = grants.at(-1);
    return more && last !== undefined ? { items: grants, nextMarker: encodeMarker('grants', last.grantId) } : { items: grants };
  }

  async allGrants(key: KeyLocator): Promise<readonly StoredGrant[]> {
    const items = await this.reads.queryAll(grantsQuery(key));
    return this.decodeAll(items, itemToGrant);
  }

  async countGrants(key: KeyLocator): Promise<number> {
    return this.reads.countAll(grantsQuery(key));
  }

  async listRetirableGrants(region: string, retiringPrincipal: string, page: PageRequest): Promise<Page<StoredGrant>> {
    const after = page.marker === undefined ? undefined : decodeMarker('retirableGrants', page.marker);
    const partition = retiringPartition(region, retiringPrincipal);
    let startKey: ItemKey | undefined;
    if (after !== undefined) {
      const [accountId, keyId, grantId, ...rest] = after.split(':');
      if (accountId === undefined || keyId === undefined || grantId === undefined || rest.length > 0) throw invalidMarker();
      startKey = { ...grantKey(accountId, region, keyId, grantId), ...indexKey(partition, after) };
    }
    const { items, more } = await this.reads.queryPage(
      {
        IndexName: GSI1.indexName,
        KeyConditionExpression: '#gpk = :gpk',
        ExpressionAttributeNames: { '#gpk': GSI1.partitionKey },
        ExpressionAttributeValues: { ':gpk': { S: partition } },
      },
      page.limit,
      startKey,
    );
    const grants = await this.decodeAll(items, itemToGrant);
    const last = grants.at(-1);
    return more && last !== undefined
      ? { items: grants, nextMarker: encodeMarker('retirableGrants', retirableSortKey(last.accountId, last.keyId, last.grantId)) }
      : { items: grants };
  }

  async deleteGrant(key: KeyLocator, grantId: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: grantKey(key.accountId, key.region, key.keyId, grantId),
          ConditionExpression: ITEM_PRESENT,
          ExpressionAttributeNames: { '#pk': NAMES['#pk'] },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw toKmsError(error);
    }
  }

  async putAccessKey(record: AccessKeyRecord): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: await this.integrity.seal(accessKeyToItem(record)),
          ConditionExpression: ITEM_ABSENT,
          ExpressionAttributeNames: { '#pk': NAMES['#pk'] },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw withCause(new AlreadyExistsException(say('accessKeyAlreadyExists', { accessKeyId: record.accessKeyId })), error);
      }
      throw toKmsError(error);
    }
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const item = await this.reads.getItem(accessKeyKey(accessKeyId));
    return item === undefined ? undefined : this.decode(item, itemToAccessKey);
  }

  async listAccessKeys(principalArn: string): Promise<readonly AccessKeyRecord[]> {
    const items = await this.reads.queryAll({
      IndexName: GSI1.indexName,
      KeyConditionExpression: '#gpk = :gpk',
      ExpressionAttributeNames: { '#gpk': GSI1.partitionKey },
      ExpressionAttributeValues: { ':gpk': { S: principalPartition(principalArn) } },
    });
    return this.decodeAll(items, itemToAccessKey);
  }

  /** Every backing key of the table, for the legacy root key migration (`material-scans.ts`). */
  scanBackingKeys(page: PageRequest): Promise<Page<BackingKeyRecord>> {
    return scanType(this.client, this.tableName, 'BackingKey', page, (item) => this.decode(item, itemToBackingKey));
  }

  /** Every access key of the table, for the legacy root key migration. */
  scanAccessKeys(page: PageRequest): Promise<Page<AccessKeyRecord>> {
    return scanType(this.client, this.tableName, 'AccessKey', page, (item) => this.decode(item, itemToAccessKey));
  }

  /** Writes `record.wrappedMaterial` if the stored material still is `expected`; false otherwise. */
  async replaceWrappedMaterial(record: BackingKeyRecord, expected: Uint8Array): Promise<boolean> {
    return replaceWrappedMaterial(this.client, this.tableName, record, expected, await this.integrity.macOf(backingKeyToItem(record)));
  }

  /** Writes `record.sealedSecret` if the stored sealed secret still is `expected`; false otherwise. */
  async replaceSealedSecret(record: AccessKeyRecord, expected: SealedData): Promise<boolean> {
    return replaceSealedSecret(this.client, this.tableName, record, expected, await this.integrity.macOf(accessKeyToItem(record)));
  }

  /** The record an item holds, once its MAC is checked. */
  private async decode<T>(item: Item, decode: (item: Item) => T): Promise<T> {
    const checked = await opened(this.integrity, item);
    return guard(() => decode(checked));
  }

  private async decodeAll<T>(items: readonly Item[], decode: (item: Item) => T): Promise<T[]> {
    return Promise.all(items.map((item) => this.decode(item, decode)));
  }

  /**
   * Puts the alias under `aliasCondition` while checking, in the same transaction, that the
   * target key exists and is not pending deletion: the core's own checks happen earlier and a
   * concurrent ScheduleKeyDeletion could otherwise slip in between.
   */
  private async writeAlias(alias: AliasRecord, aliasCondition: string, aliasConflict: () => ServiceError): Promise<void> {
    const { accountId, region, targetKeyId } = alias;
    await this.writeWithKeyCheck({ accountId, region, keyId: targetKeyId }, await this.integrity.seal(aliasToItem(alias)), aliasConflict, aliasCondition);
  }

  /**
   * Puts the sealed `item` under `condition` (by default: no such item yet) while checking, in the same
   * transaction, that the key exists and is not pending deletion (aliases and grants of a key).
   */
  private async writeWithKeyCheck(
    key: KeyLocator, item: Item, conflict: () => ServiceError, condition: string = ITEM_ABSENT,
  ): Promise<void> {
    const { accountId, region, keyId: targetKeyId } = key;
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: keyMetadataKey(accountId, region, targetKeyId),
                ConditionExpression: `${ITEM_PRESENT} AND #keyState <> :pending`,
                ExpressionAttributeNames: { '#pk': NAMES['#pk'], '#keyState': NAMES['#keyState'] },
                ExpressionAttributeValues: { ':pending': { S: PENDING_DELETION } },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: item,
                ConditionExpression: condition,
                ExpressionAttributeNames: { '#pk': NAMES['#pk'] },
              },
            },
          ],
        }),
      );
    } catch (error) {
      throw transactionError(error, ([keyCheck, itemPut]) => {
        // Key problems first: KMS resolves the target key before it looks at the alias name.
        if (keyCheck?.Code === CONDITION_FAILED) {
          const arn = keyCheck.Item?.arn?.S ?? keyArn(key, targetKeyId);
          return keyCheck.Item === undefined
            ? new NotFoundException(say('keyDoesNotExist', { arn }))
            : new KMSInvalidStateException(say('keyPendingDeletion', { arn }));
        }
        return itemPut?.Code === CONDITION_FAILED ? conflict() : undefined;
      });
    }
  }
}

/** Runs item decoding; a malformed stored item becomes an opaque internal error. */
function guard<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw toKmsError(error);
  }
}

/** The query over every grant of a key, read consistently (a grant is in effect once CreateGrant returns). */
function grantsQuery(key: KeyLocator): QueryInput {
  return {
    ConsistentRead: true,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': NAMES['#pk'] },
    ExpressionAttributeValues: { ':pk': { S: grantsPartition(key.accountId, key.region, key.keyId) } },
  };
}

function aliasNotFound(scope: Scope, aliasName: string): NotFoundException {
  return new NotFoundException(say('aliasNotFound', { aliasArn: aliasArn(scope, aliasName) }));
}
