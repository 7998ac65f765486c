/**
 * An in-memory IdentityStore with the contract of DynamoIdentityStore
 * (test/adapters/identity-store.contract.integ.test.ts runs one test against both): names are
 * unique without regard to case, lists come in the table's sort order, and a write that fails
 * changes nothing.
 */
import { IAM_QUOTAS, type IdentityStore } from '../../src/core/ports/identity-store.js';
import type {
  AccessKeyRecord, AttachmentRecord, InlinePolicyRecord, ManagedPolicyRecord, PolicyOwner, RoleRecord, Tag, UserRecord,
} from '../../src/core/iam/records.js';
import { sayIam } from '../../src/core/iam/messages.js';
import {
  ConcurrentModificationException, DeleteConflictException, EntityAlreadyExistsException, LimitExceededException, NoSuchEntityException,
} from '../../src/models/iam/generated/errors.js';

const fold = (name: string): string => name.toLowerCase();
const ownerId = (owner: PolicyOwner): string => `${owner.accountId}/${owner.kind}/${fold(owner.name)}`;
/** The order of DynamoDB's sort keys: UTF-8 bytes, which for these names is code unit order. */
const byKey = <T>(key: (item: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export class InMemoryIdentityStore implements IdentityStore {
  readonly #accounts = new Map<string, number>();
  readonly #users = new Map<string, UserRecord>();
  readonly #roles = new Map<string, RoleRecord>();
  readonly #accessKeys = new Map<string, AccessKeyRecord>();
  readonly #inline = new Map<string, Map<string, InlinePolicyRecord>>();
  readonly #policies = new Map<string, ManagedPolicyRecord>();
  readonly #attached = new Map<string, Map<string, AttachmentRecord>>();

  async putAccount(accountId: string, createDate: number): Promise<void> {
    if (!this.#accounts.has(accountId)) this.#accounts.set(accountId, createDate);
  }

  async accountExists(accountId: string): Promise<boolean> {
    return this.#accounts.has(accountId);
  }

  async accountCreateDate(accountId: string): Promise<number | undefined> {
    return this.#accounts.get(accountId);
  }

  async createUser(user: UserRecord): Promise<void> {
    const id = ownerId({ accountId: user.accountId, kind: 'user', name: user.userName });
    if (this.#users.has(id)) throw new EntityAlreadyExistsException(sayIam('userExists', { name: user.userName }));
    this.#users.set(id, user);
  }

  async getUser(accountId: string, userName: string): Promise<UserRecord | undefined> {
    return this.#users.get(ownerId({ accountId, kind: 'user', name: userName }));
  }

  async listUsers(accountId: string): Promise<readonly UserRecord[]> {
    return [...this.#users.values()].filter((user) => user.accountId === accountId).sort(byKey((user) => fold(user.userName)));
  }

  async deleteUser(accountId: string, userName: string): Promise<void> {
    const owner: PolicyOwner = { accountId, kind: 'user', name: userName };
    this.#existingOwner(owner);
    const hasKeys = [...this.#accessKeys.values()].some((key) => key.session === undefined && key.accountId === accountId && key.userName !== undefined && fold(key.userName) === fold(userName));
    this.#assertDeletable(owner, hasKeys);
    this.#users.delete(ownerId(owner));
  }

  async setUserTags(user: UserRecord, tags: readonly Tag[]): Promise<void> {
    const owner: PolicyOwner = { accountId: user.accountId, kind: 'user', name: user.userName };
    const stored = this.#users.get(ownerId(owner));
    if (stored === undefined) throw missing(owner);
    if (stored.revision !== user.revision) throw concurrentChange();
    this.#users.set(ownerId(owner), { ...stored, tags: [...tags], revision: stored.revision + 1 });
  }

  async createRole(role: RoleRecord): Promise<void> {
    const id = ownerId({ accountId: role.accountId, kind: 'role', name: role.roleName });
    if (this.#roles.has(id)) throw new EntityAlreadyExistsException(sayIam('roleExists', { name: role.roleName }));
    this.#roles.set(id, role);
  }

  async getRole(accountId: string, roleName: string): Promise<RoleRecord | undefined> {
    return this.#roles.get(ownerId({ accountId, kind: 'role', name: roleName }));
  }

  async listRoles(accountId: string): Promise<readonly RoleRecord[]> {
    return [...this.#roles.values()].filter((role) => role.accountId === accountId).sort(byKey((role) => fold(role.roleName)));
  }

  async deleteRole(accountId: string, roleName: string): Promise<void> {
    const owner: PolicyOwner = { accountId, kind: 'role', name: roleName };
    this.#existingOwner(owner);
    this.#assertDeletable(owner, false);
    this.#roles.delete(ownerId(owner));
  }

  async setRoleTags(role: RoleRecord, tags: readonly Tag[]): Promise<void> {
    const owner: PolicyOwner = { accountId: role.accountId, kind: 'role', name: role.roleName };
    const stored = this.#roles.get(ownerId(owner));
    if (stored === undefined) throw missing(owner);
    if (stored.revision !== role.revision) throw concurrentChange();
    this.#roles.set(ownerId(owner), { ...stored, tags: [...tags], revision: stored.revision + 1 });
  }

  async createUserAccessKey(record: AccessKeyRecord & { readonly userName: string }): Promise<void> {
    const owner: PolicyOwner = { accountId: record.accountId, kind: 'user', name: record.userName };
    this.#existingOwner(owner);
    if (this.#userKeys(owner).length >= IAM_QUOTAS.accessKeysPerUser) {
      throw new LimitExceededException(sayIam('accessKeysQuota', { quota: IAM_QUOTAS.accessKeysPerUser }));
    }
    if (this.#accessKeys.has(record.accessKeyId)) throw new ConcurrentModificationException(sayIam('accessKeyIdTaken'));
    this.#accessKeys.set(record.accessKeyId, record);
  }

  async deleteUserAccessKey(accountId: string, userName: string, accessKeyId: string): Promise<void> {
    const owner: PolicyOwner = { accountId, kind: 'user', name: userName };
    this.#existingOwner(owner);
    this.#userKey(owner, accessKeyId);
    this.#accessKeys.delete(accessKeyId);
  }

  async setAccessKeyStatus(accountId: string, userName: string, accessKeyId: string, status: AccessKeyRecord['status']): Promise<void> {
    const key = this.#userKey({ accountId, kind: 'user', name: userName }, accessKeyId);
    this.#accessKeys.set(accessKeyId, { ...key, status });
  }

  async putSessionCredentials(record: AccessKeyRecord): Promise<void> {
    if (record.session === undefined) throw new Error('temporary credentials need their session');
    if (this.#accessKeys.has(record.accessKeyId)) throw new ConcurrentModificationException(sayIam('accessKeyIdTaken'));
    this.#accessKeys.set(record.accessKeyId, record);
  }

  /** An access key by ID, as the CredentialStore reads it from the same table. */
  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return this.#accessKeys.get(accessKeyId);
  }

  async putInlinePolicy(policy: InlinePolicyRecord): Promise<void> {
    this.#existingOwner(policy.owner);
    const policies = this.#inline.get(ownerId(policy.owner)) ?? new Map<string, InlinePolicyRecord>();
    policies.set(policy.policyName, policy);
    this.#inline.set(ownerId(policy.owner), policies);
  }

  async getInlinePolicy(owner: PolicyOwner, policyName: string): Promise<InlinePolicyRecord | undefined> {
    return this.#inline.get(ownerId(owner))?.get(policyName);
  }

  async listInlinePolicies(owner: PolicyOwner): Promise<readonly InlinePolicyRecord[]> {
    return [...(this.#inline.get(ownerId(owner))?.values() ?? [])].sort(byKey((policy) => policy.policyName));
  }

  async deleteInlinePolicy(owner: PolicyOwner, policyName: string): Promise<void> {
    this.#existingOwner(owner);
    const policies = this.#inline.get(ownerId(owner));
    if (policies?.has(policyName) !== true) throw new NoSuchEntityException(sayIam('noSuchInlinePolicy', { kind: owner.kind, name: policyName }));
    policies.delete(policyName);
  }

  async createManagedPolicy(policy: ManagedPolicyRecord): Promise<void> {
    const id = `${policy.accountId}/${fold(policy.policyName)}`;
    if (this.#policies.has(id)) throw new EntityAlreadyExistsException(sayIam('managedPolicyExists', { name: policy.policyName }));
    this.#policies.set(id, policy);
  }

  async getManagedPolicy(accountId: string, policyName: string): Promise<ManagedPolicyRecord | undefined> {
    return this.#policies.get(`${accountId}/${fold(policyName)}`);
  }

  async listManagedPolicies(accountId: string): Promise<readonly ManagedPolicyRecord[]> {
    return [...this.#policies.values()].filter((policy) => policy.accountId === accountId).sort(byKey((policy) => fold(policy.policyName)));
  }

  async deleteManagedPolicy(accountId: string, policyName: string): Promise<void> {
    const id = `${accountId}/${fold(policyName)}`;
    const policy = this.#policies.get(id);
    if (policy === undefined) throw new NoSuchEntityException(sayIam('noSuchManagedPolicy', { arn: policyName }));
    if (policy.attachmentCount > 0) throw new DeleteConflictException(sayIam('policyAttached'));
    this.#policies.delete(id);
  }

  async attachPolicy(owner: PolicyOwner, policy: ManagedPolicyRecord): Promise<void> {
    const attachments = this.#attached.get(ownerId(owner)) ?? new Map<string, AttachmentRecord>();
    if (attachments.has(policy.arn)) return;
    this.#existingOwner(owner);
    const quota = owner.kind === 'user' ? IAM_QUOTAS.managedPoliciesPerUser : IAM_QUOTAS.managedPoliciesPerRole;
    if (attachments.size >= quota) {
      throw new LimitExceededException(sayIam('attachedPoliciesQuota', { owner: owner.kind === 'user' ? 'User' : 'Role', quota }));
    }
    const stored = this.#sameManagedPolicy(policy);
    attachments.set(policy.arn, { owner, policyArn: policy.arn, policyName: policy.policyName });
    this.#attached.set(ownerId(owner), attachments);
    this.#policies.set(`${policy.accountId}/${fold(policy.policyName)}`, { ...stored, attachmentCount: stored.attachmentCount + 1 });
  }

  async detachPolicy(owner: PolicyOwner, policy: ManagedPolicyRecord): Promise<void> {
    this.#existingOwner(owner);
    const attachments = this.#attached.get(ownerId(owner));
    if (attachments?.has(policy.arn) !== true) throw new NoSuchEntityException(sayIam('policyNotAttached', { arn: policy.arn }));
    const stored = this.#sameManagedPolicy(policy);
    attachments.delete(policy.arn);
    this.#policies.set(`${policy.accountId}/${fold(policy.policyName)}`, { ...stored, attachmentCount: stored.attachmentCount - 1 });
  }

  async listAttachedPolicies(owner: PolicyOwner): Promise<readonly AttachmentRecord[]> {
    return [...(this.#attached.get(ownerId(owner))?.values() ?? [])].sort(byKey((attachment) => attachment.policyArn));
  }

  #existingOwner(owner: PolicyOwner): void {
    const stored = owner.kind === 'user' ? this.#users.get(ownerId(owner)) : this.#roles.get(ownerId(owner));
    if (stored === undefined) throw missing(owner);
  }

  #assertDeletable(owner: PolicyOwner, hasAccessKeys: boolean): void {
    const requirement = hasAccessKeys ? 'delete access keys'
      : (this.#inline.get(ownerId(owner))?.size ?? 0) > 0 ? 'delete policies'
        : (this.#attached.get(ownerId(owner))?.size ?? 0) > 0 ? 'detach all policies' : undefined;
    if (requirement !== undefined) throw new DeleteConflictException(sayIam('deleteConflict', { requirement }));
  }

  #userKeys(owner: PolicyOwner): AccessKeyRecord[] {
    return [...this.#accessKeys.values()].filter((key) => key.session === undefined && key.accountId === owner.accountId
      && key.userName !== undefined && fold(key.userName) === fold(owner.name));
  }

  /** The user's (non-session) access key `accessKeyId`; NoSuchEntity when the user has no such key. */
  #userKey(owner: PolicyOwner, accessKeyId: string): AccessKeyRecord {
    const key = this.#accessKeys.get(accessKeyId);
    if (key === undefined || key.accountId !== owner.accountId || key.userName !== owner.name) {
      throw new NoSuchEntityException(sayIam('noSuchAccessKey', { accessKeyId }));
    }
    return key;
  }

  /** The stored managed policy, if it is still the one read (not deleted and re-created under its name). */
  #sameManagedPolicy(policy: ManagedPolicyRecord): ManagedPolicyRecord {
    const stored = this.#policies.get(`${policy.accountId}/${fold(policy.policyName)}`);
    if (stored?.policyId !== policy.policyId) throw new NoSuchEntityException(sayIam('noSuchManagedPolicy', { arn: policy.arn }));
    return stored;
  }
}

function missing(owner: PolicyOwner): NoSuchEntityException {
  return new NoSuchEntityException(sayIam(owner.kind === 'user' ? 'noSuchUser' : 'noSuchRole', { name: owner.name }));
}

function concurrentChange(): ConcurrentModificationException {
  return new ConcurrentModificationException(sayIam('concurrentModification'));
}
