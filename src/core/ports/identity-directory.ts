/** What authorization needs to know about IAM identities, whoever stores them. */
import type { Principal } from '../request-context.js';

/** One IAM policy that applies to a caller: inline (user or role policy) or managed (attached). */
export interface IdentityPolicy {
  /** The inline policy's name, or the managed policy's name. */
  readonly name: string;
  /** The managed policy's ARN; absent for inline policies. */
  readonly arn?: string;
  /**
   * Changes whenever `document` does (the managed policy's default version ID, or a revision of
   * the inline policy): the cache key of the compiled policy.
   */
  readonly version: string;
  /** The policy document (JSON text). */
  readonly document: string;
}

/** The identities of every account this service serves. */
export interface IdentityDirectory {
  /**
   * The IAM policies of the caller's user, or of the role behind a role session (inline and
   * attached); none for an account's root user.
   */
  policiesFor(principal: Principal): Promise<readonly IdentityPolicy[]>;
  /** Whether an IAM principal ARN names an existing account root, user or role (key policy validation). */
  principalExists(arn: string): Promise<boolean>;
}
