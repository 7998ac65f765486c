/**
 * Persistence of IAM identities: users, roles, their inline and attached policies, customer
 * managed policies, and the access keys of users. Every write that changes two records (an access
 * key and its user, an attachment, its owner and its policy) is one transaction, so nothing is
 * ever half-written; the store throws IAM's errors (NoSuchEntity, EntityAlreadyExists,
 * DeleteConflict, LimitExceeded, ConcurrentModification).
 */
import type {
  AccessKeyRecord, AttachmentRecord, InlinePolicyRecord, ManagedPolicyRecord, PolicyOwner, RoleRecord, Tag, UserRecord,
} from '../iam/records.js';

/** Quotas AWS applies by default (IAM User Guide, "IAM and AWS STS quotas"). */
export const IAM_QUOTAS = { accessKeysPerUser: 2, managedPoliciesPerUser: 10, managedPoliciesPerRole: 10 } as const;

export interface IdentityStore {
  /** Records that an account exists (its root was set up); idempotent. */
  putAccount(accountId: string, createDate: number): Promise<void>;
  accountExists(accountId: string): Promise<boolean>;
  /** When the account was set up (epoch ms), or undefined for an unknown account. */
  accountCreateDate(accountId: string): Promise<number | undefined>;

  createUser(user: UserRecord): Promise<void>;
  getUser(accountId: string, userName: string): Promise<UserRecord | undefined>;
  /** Every user of the account, sorted by name (case-insensitively). */
  listUsers(accountId: string): Promise<readonly UserRecord[]>;
  /** Fails with DeleteConflict while the user has access keys or policies. */
  deleteUser(accountId: string, userName: string): Promise<void>;
  /** Replaces the tags of `user` if it is still at `user.revision`. */
  setUserTags(user: UserRecord, tags: readonly Tag[]): Promise<void>;

  createRole(role: RoleRecord): Promise<void>;
  getRole(accountId: string, roleName: string): Promise<RoleRecord | undefined>;
  listRoles(accountId: string): Promise<readonly RoleRecord[]>;
  /** Fails with DeleteConflict while the role has policies. */
  deleteRole(accountId: string, roleName: string): Promise<void>;
  setRoleTags(role: RoleRecord, tags: readonly Tag[]): Promise<void>;

  /** Stores a user's access key, at most two per user. */
  createUserAccessKey(record: AccessKeyRecord & { readonly userName: string }): Promise<void>;
  /** Deletes one of the user's access keys; NoSuchEntity when the user has no such key. */
  deleteUserAccessKey(accountId: string, userName: string, accessKeyId: string): Promise<void>;
  /** Activates or deactivates one of the user's access keys. */
  setAccessKeyStatus(accountId: string, userName: string, accessKeyId: string, status: AccessKeyRecord['status']): Promise<void>;
  /** Stores temporary credentials; they disappear from the table some time after they expire. */
  putSessionCredentials(record: AccessKeyRecord): Promise<void>;

  /** Creates or replaces an inline policy of an existing user or role. */
  putInlinePolicy(policy: InlinePolicyRecord): Promise<void>;
  getInlinePolicy(owner: PolicyOwner, policyName: string): Promise<InlinePolicyRecord | undefined>;
  listInlinePolicies(owner: PolicyOwner): Promise<readonly InlinePolicyRecord[]>;
  deleteInlinePolicy(owner: PolicyOwner, policyName: string): Promise<void>;

  createManagedPolicy(policy: ManagedPolicyRecord): Promise<void>;
  getManagedPolicy(accountId: string, policyName: string): Promise<ManagedPolicyRecord | undefined>;
  listManagedPolicies(accountId: string): Promise<readonly ManagedPolicyRecord[]>;
  /** Fails with DeleteConflict while the policy is attached anywhere. */
  deleteManagedPolicy(accountId: string, policyName: string): Promise<void>;

  /** Attaches a managed policy of the owner's account; attaching it again changes nothing. */
  attachPolicy(owner: PolicyOwner, policy: ManagedPolicyRecord): Promise<void>;
  /** NoSuchEntity when the policy is not attached to the owner. */
  detachPolicy(owner: PolicyOwner, policy: ManagedPolicyRecord): Promise<void>;
  listAttachedPolicies(owner: PolicyOwner): Promise<readonly AttachmentRecord[]>;
}
