/**
 * IdentityStore on the service's one DynamoDB table (docs/table-design.md, "Identities"). Every
 * IAM record of an account lives in the partition `IAM#<account>`; users' access keys are the same
 * `ACCESSKEY#…` items SigV4 reads. A user or role item counts its access keys, inline policies and
 * attached policies, and every write that adds or removes one of those updates the count in the
 * same transaction, with a condition on the parent: a user cannot be deleted while it still has
 * a key, and a key cannot be created for a user being deleted.
 */
import {
  ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand,
  type AttributeValue, type DynamoDBClient, type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { MAC_ATTRIBUTE, opened, type ItemIntegrity } from './item-integrity.js';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ServiceError } from '../../core/errors/service-error.js';
import type { IdentityStore } from '../../core/ports/identity-store.js';
import { IAM_QUOTAS } from '../../core/ports/identity-store.js';
import type {
  AccessKeyRecord, AttachmentRecord, InlinePolicyRecord, ManagedPolicyRecord, PolicyOwner, RoleRecord, Tag, UserRecord,
} from '../../core/iam/records.js';
import {
  ConcurrentModificationException, DeleteConflictException, EntityAlreadyExistsException, LimitExceededException, NoSuchEntityException,
} from '../../models/iam/generated/errors.js';
import { cancellationReasons, toKmsError, withCause } from './dynamo-errors.js';
import { accessKeyKey, iamPartition, primaryKey, type ItemKey } from './item-keys.js';
import { accessKeyToItem, itemToAccessKey, type Item } from './item-mapping.js';
import { TableReads } from './table-reads.js';
import { TABLE_KEY, TIME_TO_LIVE_ATTRIBUTE } from './table-definition.js';
import { sayIam } from '../../core/iam/messages.js';

/** IAM names are unique without regard to case ("Names are not distinguished by case"). */
const fold = (name: string): string => name.toLowerCase();

export const IAM_SORT_KEYS = {
  account: 'ACCOUNT',
  user: (name: string) => `USER#${fold(name)}`,
  role: (name: string) => `ROLE#${fold(name)}`,
  policy: (name: string) => `POLICY#${fold(name)}`,
  inline: (owner: PolicyOwner, policyName: string) => `INLINE#${owner.kind}#${fold(owner.name)}#${policyName}`,
  attached: (owner: PolicyOwner, policyArn: string) => `ATTACHED#${owner.kind}#${fold(owner.name)}#${policyArn}`,
} as const;

/** Temporary credentials stay in the table this long after they expire (DynamoDB TTL on `expiresAt`). */
const SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;

const CONDITION_FAILED = 'ConditionalCheckFailed';
const NAMES = { '#pk': TABLE_KEY.partitionKey } as const;
const ABSENT = 'attribute_not_exists(#pk)';
const PRESENT = 'attribute_exists(#pk)';
const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;

function ownerKey(owner: PolicyOwner): ItemKey {
  return primaryKey(iamPartition(owner.accountId), owner.kind === 'user' ? IAM_SORT_KEYS.user(owner.name) : IAM_SORT_KEYS.role(owner.name));
}

function ownerMissing(owner: PolicyOwner): ServiceError {
  return new NoSuchEntityException(sayIam(owner.kind === 'user' ? 'noSuchUser' : 'noSuchRole', { name: owner.name }));
}

/** A stored item that does not have the expected shape: a bug or a foreign writer. */
class MalformedIdentityItem extends Error {
  constructor(type: string) {
    super(`Stored ${type} item is malformed.`);
  }
}

function record<T>(item: Item, type: string, required: readonly string[]): T {
  const value = unmarshall(item) as Record<string, unknown>;
  if (value['type'] !== type || required.some((name) => value[name] === undefined)) throw toKmsError(new MalformedIdentityItem(type));
  const { pk: _pk, sk: _sk, type: _type, [MAC_ATTRIBUTE]: _mac, ...rest } = value;
  return rest as T;
}

function stripCounts<T extends Record<string, unknown>>(value: T): T {
  const { accessKeyCount: _a, inlinePolicyCount: _i, attachedPolicyCount: _p, ...rest } = value;
  return rest as T;
}

export class DynamoIdentityStore implements IdentityStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #reads: TableReads;
  readonly #integrity: ItemIntegrity;

  /** `integrity` seals every item written and checks every item read (`item-integrity.ts`). */
  constructor(options: { readonly tableName: string; readonly client: DynamoDBClient; readonly integrity: ItemIntegrity }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#reads = new TableReads(options.client, options.tableName);
    this.#integrity = options.integrity;
  }

  async putAccount(accountId: string, createDate: number): Promise<void> {
    try {
      await this.#client.send(new PutItemCommand({
        TableName: this.#table,
        Item: await this.#integrity.seal({ ...primaryKey(iamPartition(accountId), IAM_SORT_KEYS.account), ...marshall({ type: 'Account', accountId, createDate }) }),
        ConditionExpression: ABSENT,
        ExpressionAttributeNames: NAMES,
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw toKmsError(error);
    }
  }

  async accountExists(accountId: string): Promise<boolean> {
    return (await this.#get(primaryKey(iamPartition(accountId), IAM_SORT_KEYS.account))) !== undefined;
  }

  async accountCreateDate(accountId: string): Promise<number | undefined> {
    const item = await this.#get(primaryKey(iamPartition(accountId), IAM_SORT_KEYS.account));
    return item === undefined ? undefined : record<{ createDate: number }>(item, 'Account', ['createDate']).createDate;
  }

  // Users

  async createUser(user: UserRecord): Promise<void> {
    await this.#putNew(ownerKey({ accountId: user.accountId, kind: 'user', name: user.userName }), 'User',
      { ...user, accessKeyCount: 0, inlinePolicyCount: 0, attachedPolicyCount: 0 },
      () => new EntityAlreadyExistsException(sayIam('userExists', { name: user.userName })));
  }

  async getUser(accountId: string, userName: string): Promise<UserRecord | undefined> {
    const item = await this.#get(ownerKey({ accountId, kind: 'user', name: userName }));
    return item === undefined ? undefined : stripCounts(record<UserRecord & Record<string, unknown>>(item, 'User', ['userName', 'arn', 'userId']));
  }

  async listUsers(accountId: string): Promise<readonly UserRecord[]> {
    return (await this.#queryPrefix(accountId, 'USER#')).map((item) => stripCounts(record<UserRecord & Record<string, unknown>>(item, 'User', ['userName'])));
  }

  async deleteUser(accountId: string, userName: string): Promise<void> {
    await this.#deleteOwner({ accountId, kind: 'user', name: userName });
  }

  async setUserTags(user: UserRecord, tags: readonly Tag[]): Promise<void> {
    await this.#setTags({ accountId: user.accountId, kind: 'user', name: user.userName }, user.revision, tags);
  }

  // Roles

  async createRole(role: RoleRecord): Promise<void> {
    await this.#putNew(ownerKey({ accountId: role.accountId, kind: 'role', name: role.roleName }), 'Role',
      { ...role, inlinePolicyCount: 0, attachedPolicyCount: 0 },
      () => new EntityAlreadyExistsException(sayIam('roleExists', { name: role.roleName })));
  }

  async getRole(accountId: string, roleName: string): Promise<RoleRecord | undefined> {
    const item = await this.#get(ownerKey({ accountId, kind: 'role', name: roleName }));
    return item === undefined ? undefined : stripCounts(record<RoleRecord & Record<string, unknown>>(item, 'Role', ['roleName', 'arn', 'roleId']));
  }

  async listRoles(accountId: string): Promise<readonly RoleRecord[]> {
    return (await this.#queryPrefix(accountId, 'ROLE#')).map((item) => stripCounts(record<RoleRecord & Record<string, unknown>>(item, 'Role', ['roleName'])));
  }

  async deleteRole(accountId: string, roleName: string): Promise<void> {
    await this.#deleteOwner({ accountId, kind: 'role', name: roleName });
  }

  async setRoleTags(role: RoleRecord, tags: readonly Tag[]): Promise<void> {
    await this.#setTags({ accountId: role.accountId, kind: 'role', name: role.roleName }, role.revision, tags);
  }

  // Access keys

  async createUserAccessKey(key: AccessKeyRecord & { readonly userName: string }): Promise<void> {
    const owner: PolicyOwner = { accountId: key.accountId, kind: 'user', name: key.userName };
    await this.#transact([
      {
        Update: {
          TableName: this.#table,
          Key: ownerKey(owner),
          UpdateExpression: 'SET accessKeyCount = accessKeyCount + :one',
          ConditionExpression: `${PRESENT} AND accessKeyCount < :max`,
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':one': { N: '1' }, ':max': { N: String(IAM_QUOTAS.accessKeysPerUser) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      { Put: { TableName: this.#table, Item: await this.#integrity.seal(accessKeyToItem(key)), ConditionExpression: ABSENT, ExpressionAttributeNames: NAMES } },
    ], (reasons) => {
      if (reasons[0]?.Code === CONDITION_FAILED) {
        return reasons[0].Item === undefined
          ? ownerMissing(owner)
          : new LimitExceededException(sayIam('accessKeysQuota', { quota: IAM_QUOTAS.accessKeysPerUser }));
      }
      return reasons[1]?.Code === CONDITION_FAILED ? new ConcurrentModificationException(sayIam('accessKeyIdTaken')) : undefined;
    });
  }

  async deleteUserAccessKey(accountId: string, userName: string, accessKeyId: string): Promise<void> {
    const owner: PolicyOwner = { accountId, kind: 'user', name: userName };
    await this.#transact([
      {
        Delete: {
          TableName: this.#table,
          Key: accessKeyKey(accessKeyId),
          ConditionExpression: `${PRESENT} AND accountId = :account AND userName = :user`,
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':account': { S: accountId }, ':user': { S: userName } },
        },
      },
      {
        Update: {
          TableName: this.#table,
          Key: ownerKey(owner),
          UpdateExpression: 'SET accessKeyCount = accessKeyCount - :one',
          ConditionExpression: PRESENT,
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':one': { N: '1' } },
        },
      },
    ], (reasons) => {
      if (reasons[1]?.Code === CONDITION_FAILED) return ownerMissing(owner);
      if (reasons[0]?.Code === CONDITION_FAILED) return new NoSuchEntityException(sayIam('noSuchAccessKey', { accessKeyId }));
      return undefined;
    });
  }

  async setAccessKeyStatus(accountId: string, userName: string, accessKeyId: string, status: AccessKeyRecord['status']): Promise<void> {
    const stored = await this.#get(accessKeyKey(accessKeyId));
    const missing = (): ServiceError => new NoSuchEntityException(sayIam('noSuchAccessKey', { accessKeyId }));
    if (stored === undefined) throw missing();
    const changed: Item = { ...stored, status: { S: status } };
    const same = unchanged(stored);
    try {
      await this.#client.send(new UpdateItemCommand({
        TableName: this.#table,
        Key: accessKeyKey(accessKeyId),
        UpdateExpression: 'SET #status = :status, #mac = :mac',
        // Only over the item just read and checked: its new MAC covers exactly that item with the new status.
        ConditionExpression: `${PRESENT} AND accountId = :account AND userName = :user AND ${same.condition}`,
        ExpressionAttributeNames: { ...NAMES, '#status': 'status', '#mac': MAC_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':status': { S: status }, ':account': { S: accountId }, ':user': { S: userName }, ':mac': await this.#integrity.macOf(changed),
          ...same.values,
        },
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw withCause(missing(), error);
      }
      throw toKmsError(error);
    }
  }

  async putSessionCredentials(key: AccessKeyRecord): Promise<void> {
    if (key.session === undefined) throw new Error('temporary credentials need their session');
    try {
      await this.#client.send(new PutItemCommand({
        TableName: this.#table,
        // Seconds since the epoch, as DynamoDB's TTL reads it.
        Item: await this.#integrity.seal({
          ...accessKeyToItem(key), [TIME_TO_LIVE_ATTRIBUTE]: { N: String(Math.ceil((key.session.expiresAt + SESSION_RETENTION_MS) / 1000)) },
        }),
        ConditionExpression: ABSENT,
        ExpressionAttributeNames: NAMES,
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw withCause(new ConcurrentModificationException(sayIam('accessKeyIdTaken')), error);
      }
      throw toKmsError(error);
    }
  }

  // Inline policies

  async putInlinePolicy(policy: InlinePolicyRecord): Promise<void> {
    const { owner } = policy;
    const key = primaryKey(iamPartition(owner.accountId), IAM_SORT_KEYS.inline(owner, policy.policyName));
    const existing = await this.#get(key);
    const item = await this.#integrity.seal({ ...key, ...marshall({ type: 'InlinePolicy', ...policy }, MARSHALL) });
    await this.#transact([
      {
        Update: {
          TableName: this.#table,
          Key: ownerKey(owner),
          UpdateExpression: 'SET inlinePolicyCount = inlinePolicyCount + :delta',
          ConditionExpression: PRESENT,
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':delta': { N: existing === undefined ? '1' : '0' } },
        },
      },
      // A replacement must still find the policy it read; a first put must find none.
      { Put: { TableName: this.#table, Item: item, ConditionExpression: existing === undefined ? ABSENT : PRESENT, ExpressionAttributeNames: NAMES } },
    ], (reasons) => {
      if (reasons[0]?.Code === CONDITION_FAILED) return ownerMissing(owner);
      return reasons[1]?.Code === CONDITION_FAILED ? concurrentChange() : undefined;
    });
  }

  async getInlinePolicy(owner: PolicyOwner, policyName: string): Promise<InlinePolicyRecord | undefined> {
    const item = await this.#get(primaryKey(iamPartition(owner.accountId), IAM_SORT_KEYS.inline(owner, policyName)));
    return item === undefined ? undefined : record<InlinePolicyRecord>(item, 'InlinePolicy', ['policyName', 'document', 'owner']);
  }

  async listInlinePolicies(owner: PolicyOwner): Promise<readonly InlinePolicyRecord[]> {
    const items = await this.#queryPrefix(owner.accountId, `INLINE#${owner.kind}#${fold(owner.name)}#`);
    return items.map((item) => record<InlinePolicyRecord>(item, 'InlinePolicy', ['policyName', 'document', 'owner']));
  }

  async deleteInlinePolicy(owner: PolicyOwner, policyName: string): Promise<void> {
    await this.#transact([
      {
        Delete: {
          TableName: this.#table,
          Key: primaryKey(iamPartition(owner.accountId), IAM_SORT_KEYS.inline(owner, policyName)),
          ConditionExpression: PRESENT,
          ExpressionAttributeNames: NAMES,
        },
      },
      {
        Update: {
          TableName: this.#table,
          Key: ownerKey(owner),
          UpdateExpression: 'SET inlinePolicyCount = inlinePolicyCount - :one',
          ConditionExpression: PRESENT,
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':one': { N: '1' } },
        },
      },
    ], (reasons) => {
      if (reasons[1]?.Code === CONDITION_FAILED) return ownerMissing(owner);
      if (reasons[0]?.Code === CONDITION_FAILED) return new NoSuchEntityException(sayIam('noSuchInlinePolicy', { kind: owner.kind, name: policyName }));
      return undefined;
    });
  }

  // Managed policies

  async createManagedPolicy(policy: ManagedPolicyRecord): Promise<void> {
    await this.#putNew(primaryKey(iamPartition(policy.accountId), IAM_SORT_KEYS.policy(policy.policyName)), 'ManagedPolicy', { ...policy },
      () => new EntityAlreadyExistsException(sayIam('managedPolicyExists', { name: policy.policyName })));
  }

  async getManagedPolicy(accountId: string, policyName: string): Promise<ManagedPolicyRecord | undefined> {
    const item = await this.#get(primaryKey(iamPartition(accountId), IAM_SORT_KEYS.policy(policyName)));
    return item === undefined ? undefined : record<ManagedPolicyRecord>(item, 'ManagedPolicy', ['policyName', 'arn', 'document']);
  }

  async listManagedPolicies(accountId: string): Promise<readonly ManagedPolicyRecord[]> {
    return (await this.#queryPrefix(accountId, 'POLICY#')).map((item) => record<ManagedPolicyRecord>(item, 'ManagedPolicy', ['policyName']));
  }

  async deleteManagedPolicy(accountId: string, policyName: string): Promise<void> {
    try {
      await this.#client.send(new DeleteItemCommand({
        TableName: this.#table,
        Key: primaryKey(iamPartition(accountId), IAM_SORT_KEYS.policy(policyName)),
        ConditionExpression: `${PRESENT} AND attachmentCount = :zero`,
        ExpressionAttributeNames: NAMES,
        ExpressionAttributeValues: { ':zero': { N: '0' } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw toKmsError(error);
      throw withCause(error.Item === undefined
        ? new NoSuchEntityException(sayIam('noSuchManagedPolicy', { arn: policyName }))
        : new DeleteConflictException(sayIam('policyAttached')), error);
    }
  }

  // Attachments

  async attachPolicy(owner: PolicyOwner, policy: ManagedPolicyRecord): Promise<void> {
    const quota = owner.kind === 'user' ? IAM_QUOTAS.managedPoliciesPerUser : IAM_QUOTAS.managedPoliciesPerRole;
    const attachment: AttachmentRecord = { owner, policyArn: policy.arn, policyName: policy.policyName };
    const key = primaryKey(iamPartition(owner.accountId), IAM_SORT_KEYS.attached(owner, policy.arn));
    if ((await this.#get(key)) !== undefined) return;
    await this.#transact([
      {
        Put: {
          TableName: this.#table, Item: await this.#integrity.seal({ ...key, ...marshall({ type: 'Attachment', ...attachment }) }),
          ConditionExpression: ABSENT, ExpressionAttributeNames: NAMES,
        },
      },
      {
        Update: {
          TableName: this.#table,
          Key: ownerKey(owner),
          UpdateExpression: 'SET attachedPolicyCount = attachedPolicyCount + :one',
          ConditionExpression: `${PRESENT} AND attachedPolicyCount < :max`,
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':one': { N: '1' }, ':max': { N: String(quota) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      this.#countUpdate(policy, 1),
    ], (reasons) => {
      if (reasons[0]?.Code === CONDITION_FAILED) return concurrentChange();
      if (reasons[1]?.Code === CONDITION_FAILED) {
        return reasons[1].Item === undefined
          ? ownerMissing(owner)
          : new LimitExceededException(sayIam('attachedPoliciesQuota', { owner: owner.kind === 'user' ? 'User' : 'Role', quota }));
      }
      if (reasons[2]?.Code === CONDITION_FAILED) return new NoSuchEntityException(sayIam('noSuchManagedPolicy', { arn: policy.arn }));
      return undefined;
    });
  }

  async detachPolicy(owner: PolicyOwner, policy: ManagedPolicyRecord): Promise<void> {
    await this.#transact([
      {
        Delete: {
          TableName: this.#table,
          Key: primaryKey(iamPartition(owner.accountId), IAM_SORT_KEYS.attached(owner, policy.arn)),
          ConditionExpression: PRESENT,
          ExpressionAttributeNames: NAMES,
        },
      },
      {
        Update: {
          TableName: this.#table,
          Key: ownerKey(owner),
          UpdateExpression: 'SET attachedPolicyCount = attachedPolicyCount - :one',
          ConditionExpression: PRESENT,
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':one': { N: '1' } },
        },
      },
      this.#countUpdate(policy, -1),
    ], (reasons) => {
      if (reasons[1]?.Code === CONDITION_FAILED) return ownerMissing(owner);
      if (reasons[0]?.Code === CONDITION_FAILED) return new NoSuchEntityException(sayIam('policyNotAttached', { arn: policy.arn }));
      if (reasons[2]?.Code === CONDITION_FAILED) return new NoSuchEntityException(sayIam('noSuchManagedPolicy', { arn: policy.arn }));
      return undefined;
    });
  }

  async listAttachedPolicies(owner: PolicyOwner): Promise<readonly AttachmentRecord[]> {
    const items = await this.#queryPrefix(owner.accountId, `ATTACHED#${owner.kind}#${fold(owner.name)}#`);
    return items.map((item) => record<AttachmentRecord>(item, 'Attachment', ['policyArn', 'policyName']));
  }

  /** Access keys of a user (also readable through the CredentialStore by principal ARN). */
  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const item = await this.#get(accessKeyKey(accessKeyId));
    return item === undefined ? undefined : itemToAccessKey(item);
  }

  // Helpers

  #countUpdate(policy: ManagedPolicyRecord, delta: 1 | -1): TransactWriteItem {
    return {
      Update: {
        TableName: this.#table,
        Key: primaryKey(iamPartition(policy.accountId), IAM_SORT_KEYS.policy(policy.policyName)),
        UpdateExpression: 'SET attachmentCount = attachmentCount + :delta',
        // The policy must still be the one read (not deleted and re-created under the same name).
        ConditionExpression: `${PRESENT} AND policyId = :id`,
        ExpressionAttributeNames: NAMES,
        ExpressionAttributeValues: { ':delta': { N: String(delta) }, ':id': { S: policy.policyId } },
      },
    };
  }

  async #putNew(key: ItemKey, type: string, value: Record<string, unknown>, taken: () => ServiceError): Promise<void> {
    try {
      await this.#client.send(new PutItemCommand({
        TableName: this.#table,
        Item: await this.#integrity.seal({ ...key, ...marshall({ type, ...value }, MARSHALL) }),
        ConditionExpression: ABSENT,
        ExpressionAttributeNames: NAMES,
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw withCause(taken(), error);
      throw toKmsError(error);
    }
  }

  async #deleteOwner(owner: PolicyOwner): Promise<void> {
    const condition = owner.kind === 'user'
      ? `${PRESENT} AND accessKeyCount = :zero AND inlinePolicyCount = :zero AND attachedPolicyCount = :zero`
      : `${PRESENT} AND inlinePolicyCount = :zero AND attachedPolicyCount = :zero`;
    try {
      await this.#client.send(new DeleteItemCommand({
        TableName: this.#table,
        Key: ownerKey(owner),
        ConditionExpression: condition,
        ExpressionAttributeNames: NAMES,
        ExpressionAttributeValues: { ':zero': { N: '0' } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw toKmsError(error);
      if (error.Item === undefined) throw withCause(ownerMissing(owner), error);
      const old = unmarshall(error.Item) as Record<string, unknown>;
      const requirement = Number(old['accessKeyCount'] ?? 0) > 0 ? 'delete access keys'
        : Number(old['inlinePolicyCount']) > 0 ? 'delete policies' : 'detach all policies';
      throw withCause(new DeleteConflictException(sayIam('deleteConflict', { requirement })), error);
    }
  }

  async #setTags(owner: PolicyOwner, revision: number, tags: readonly Tag[]): Promise<void> {
    const stored = await this.#get(ownerKey(owner));
    if (stored === undefined) throw ownerMissing(owner);
    const values = marshall({ ':tags': tags, ':next': revision + 1, ':revision': revision });
    const changed: Item = { ...stored, tags: values[':tags'] as AttributeValue, revision: values[':next'] as AttributeValue };
    const same = unchanged(stored);
    try {
      await this.#client.send(new UpdateItemCommand({
        TableName: this.#table,
        Key: ownerKey(owner),
        UpdateExpression: 'SET tags = :tags, revision = :next, #mac = :mac',
        // Counters may move meanwhile (they are outside the MAC); every other attribute changes only with the revision.
        ConditionExpression: `${PRESENT} AND revision = :revision AND ${same.condition}`,
        ExpressionAttributeNames: { ...NAMES, '#mac': MAC_ATTRIBUTE },
        ExpressionAttributeValues: { ...values, ':mac': await this.#integrity.macOf(changed), ...same.values },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw toKmsError(error);
      throw withCause(error.Item === undefined ? ownerMissing(owner) : concurrentChange(), error);
    }
  }

  /** The item under `key`, once its MAC is checked (a failure, already reported, is an opaque internal error). */
  async #get(key: ItemKey): Promise<Item | undefined> {
    const item = await this.#reads.getItem(key);
    return item === undefined ? undefined : opened(this.#integrity, item);
  }

  async #queryPrefix(accountId: string, prefix: string): Promise<Item[]> {
    const items = await this.#reads.queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE_KEY.partitionKey, '#sk': TABLE_KEY.sortKey },
      ExpressionAttributeValues: { ':pk': { S: iamPartition(accountId) }, ':prefix': { S: prefix } },
      ConsistentRead: true,
    });
    return Promise.all(items.map((item) => opened(this.#integrity, item)));
  }

  async #transact(items: TransactWriteItem[], explain: (reasons: readonly { Code?: string; Item?: Item }[]) => ServiceError | undefined): Promise<void> {
    try {
      await this.#client.send(new TransactWriteItemsCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons === undefined) throw toKmsError(error);
      const explained = explain(reasons);
      if (explained !== undefined) throw withCause(explained, error);
      if (reasons.some((reason) => reason.Code === 'TransactionConflict')) throw withCause(concurrentChange(), error);
      throw toKmsError(error);
    }
  }
}

/**
 * The condition (and its value) that the item still has the MAC it was read with (or, read before
 * the upgrade, still has none): an update that sets a new MAC must apply to exactly the item the
 * MAC was computed from.
 */
function unchanged(stored: Item): { readonly condition: string; readonly values: Item } {
  const mac = stored[MAC_ATTRIBUTE];
  return mac === undefined ? { condition: 'attribute_not_exists(#mac)', values: {} } : { condition: '#mac = :readMac', values: { ':readMac': mac } };
}

function concurrentChange(): ServiceError {
  return new ConcurrentModificationException(sayIam('concurrentModification'));
}
