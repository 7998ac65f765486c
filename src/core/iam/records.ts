/** Stored shapes of identities. Timestamps are epoch milliseconds. */

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export interface AccessKeyRecord {
  readonly accessKeyId: string;
  /** The secret access key sealed under the token's root key (never stored in the clear). */
  readonly sealedSecret: { readonly iv: Uint8Array; readonly ciphertext: Uint8Array };
  readonly accountId: string;
  /** ARN of the principal the key belongs to, e.g. `arn:aws:iam::111122223333:root`. */
  readonly principalArn: string;
  readonly principalId: string;
  readonly status: 'Active' | 'Inactive';
  readonly creationDate: number;
  /** The IAM user's name, for keys of IAM users. */
  readonly userName?: string;
  /** For temporary credentials (AssumeRole): the role session they belong to. */
  readonly session?: StoredSession;
}

/** The role session behind temporary credentials. The session token itself is never stored, only its SHA-256. */
export interface StoredSession {
  /** Lower-case hex SHA-256 of the session token. */
  readonly tokenHash: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly roleId: string;
  readonly sessionName: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly sourceIdentity?: string;
  /** Session tags (AssumeRole `Tags`), which take precedence over the role's own. */
  readonly tags: readonly Tag[];
  /** The ARN of the principal that called AssumeRole (CloudTrail's sessionIssuer is the role). */
  readonly assumedBy: string;
}

/** A principal that can own inline and attached policies. */
export interface PolicyOwner {
  readonly accountId: string;
  readonly kind: 'user' | 'role';
  readonly name: string;
}

export interface UserRecord {
  readonly accountId: string;
  readonly userName: string;
  readonly path: string;
  readonly userId: string;
  readonly arn: string;
  readonly createDate: number;
  readonly tags: readonly Tag[];
  /** Optimistic concurrency: every change writes `revision + 1` on condition of `revision`. */
  readonly revision: number;
}

export interface RoleRecord {
  readonly accountId: string;
  readonly roleName: string;
  readonly path: string;
  readonly roleId: string;
  readonly arn: string;
  readonly createDate: number;
  /** The trust policy as given (JSON text). */
  readonly assumeRolePolicyDocument: string;
  readonly description?: string;
  /** Longest session AssumeRole may give, in seconds (3600 to 43200). */
  readonly maxSessionDuration: number;
  readonly tags: readonly Tag[];
  readonly revision: number;
}

/** An inline policy of a user or role. */
export interface InlinePolicyRecord {
  readonly owner: PolicyOwner;
  readonly policyName: string;
  readonly document: string;
  /** Changes with every PutUserPolicy / PutRolePolicy: the cache key of the compiled policy. */
  readonly revision: string;
}

/** A customer managed policy; this service keeps one version, `v1`. */
export interface ManagedPolicyRecord {
  readonly accountId: string;
  readonly policyName: string;
  readonly path: string;
  readonly policyId: string;
  readonly arn: string;
  readonly description?: string;
  readonly document: string;
  readonly defaultVersionId: string;
  readonly createDate: number;
  readonly updateDate: number;
  readonly tags: readonly Tag[];
  /** How many users and roles it is attached to (a policy attached anywhere cannot be deleted). */
  readonly attachmentCount: number;
}

export interface AttachmentRecord {
  readonly owner: PolicyOwner;
  readonly policyArn: string;
  readonly policyName: string;
}
