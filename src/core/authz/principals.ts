/**
 * Principals in policies and callers of requests, reduced to identity tokens so that a statement's
 * Principal element is a set lookup.
 *
 * A caller has an identity chain: the account, then the user, or the role and its session. A
 * Principal element matches when any link of the chain is named; a NotPrincipal element applies
 * unless every link is named, which is why IAM asks a NotPrincipal Deny to list the account and
 * the role beside the session (IAM User Guide, "NotPrincipal").
 */
import type { PrincipalSet } from './policy-document.js';

/** CloudTrail identity types the engine knows; `AWSService` is a service principal acting itself. */
export type PrincipalType = 'Root' | 'IAMUser' | 'AssumedRole' | 'FederatedUser' | 'AWSService';

/** The caller of a request as the policy engine sees it. */
export interface AuthzPrincipal {
  readonly type: PrincipalType;
  readonly accountId: string;
  /** The caller's ARN: the session ARN (`arn:aws:sts::…:assumed-role/Role/session`) for a role session. */
  readonly arn: string;
  /** For a role session: the role's IAM ARN with its path (`arn:aws:iam::…:role/path/Role`). */
  readonly roleArn?: string;
  /** For `AWSService`: the service principal, e.g. `cloudtrail.amazonaws.com`. */
  readonly servicePrincipal?: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const IAM_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(?:user|role|federated-user)\/[\w+=,.@/-]+$/;
const STS_ARN = /^arn:aws[a-z-]*:sts::\d{12}:(?:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+|federated-user\/[\w+=,.@-]+)$/;

/** The token that stands for an account (its ID or its root ARN). */
export function accountToken(accountId: string): string {
  return `account:${accountId}`;
}

/**
 * The token for one value of a Principal's `AWS` list, or undefined when the value is not a
 * principal: an account ID, an account root ARN, or the ARN of a user, role, role session or
 * federated user. Wildcards other than a lone `*` are not principals.
 */
export function awsPrincipalToken(value: string): string | undefined {
  if (ACCOUNT_ID.test(value)) return accountToken(value);
  const root = ROOT_ARN.exec(value);
  if (root?.[1] !== undefined) return accountToken(root[1]);
  return IAM_ARN.test(value) || STS_ARN.test(value) ? value : undefined;
}

/** The ARN to look up for an `AWS` principal value (an account ID becomes its root ARN). */
export function awsPrincipalArn(value: string): string {
  return ACCOUNT_ID.test(value) ? `arn:aws:iam::${value}:root` : value;
}

/** The tokens of a caller's identity chain, account first. */
export function identityChain(principal: AuthzPrincipal): readonly string[] {
  switch (principal.type) {
    case 'Root':
      return [accountToken(principal.accountId)];
    case 'AssumedRole':
      return principal.roleArn === undefined
        ? [accountToken(principal.accountId), principal.arn]
        : [accountToken(principal.accountId), principal.roleArn, principal.arn];
    case 'AWSService':
      return [`service:${principal.servicePrincipal ?? principal.arn}`];
    case 'IAMUser':
    case 'FederatedUser':
      return [accountToken(principal.accountId), principal.arn];
  }
}

/**
 * How a Principal element matches a chain: `direct` when it names the caller (or everyone),
 * `account` when it names only the caller's account — in a key policy that delegates to the
 * account's IAM policies instead of allowing anyone (Developer Guide, "Default key policy").
 */
export type PrincipalMatch = 'direct' | 'account' | 'none';

export function matchPrincipal(set: PrincipalSet, chain: readonly string[]): PrincipalMatch {
  if (set.any) return 'direct';
  let account = false;
  for (const token of chain) {
    if (!set.tokens.has(token)) continue;
    if (token.startsWith('account:')) account = true;
    else return 'direct';
  }
  return account ? 'account' : 'none';
}

/** A NotPrincipal element applies to the caller unless it names every link of the chain. */
export function matchNotPrincipal(set: PrincipalSet, chain: readonly string[]): PrincipalMatch {
  if (set.any) return 'none';
  return chain.every((token) => set.tokens.has(token)) ? 'none' : 'direct';
}
