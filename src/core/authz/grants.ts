/**
 * Grants as the policy engine sees them, and the pure rules of what a grant allows: its grantee,
 * its operations, and its encryption-context constraints (Developer Guide, "Grants in AWS KMS").
 * Storage, CreateGrant's own validation and grant tokens belong to the grant operations; they
 * hand the engine the grants that apply to a key (stored ones plus those named by grant tokens).
 */
import type { GrantOperation } from '../../models/kms/generated/shapes.js';
import { ENCRYPTION_CONTEXT_OPERATIONS, grantOperationFor } from './kms-action-rules.js';
import { accountToken, identityChain, type AuthzPrincipal } from './principals.js';

export type EncryptionContext = Readonly<Record<string, string>>;

export interface GrantConstraintsRecord {
  readonly encryptionContextEquals?: EncryptionContext;
  readonly encryptionContextSubset?: EncryptionContext;
}

/** A stored grant (the shape ListGrants returns, less what authorization does not need). */
export interface GrantRecord {
  readonly grantId: string;
  /** The key ARN the grant is for. */
  readonly keyArn: string;
  /** An account root, user, role or role session ARN (a service principal never matches a caller here). */
  readonly granteePrincipal: string;
  readonly retiringPrincipal?: string;
  /** `arn:aws:iam::<account>:root` of the account the grant was created in. */
  readonly issuingAccount: string;
  readonly operations: readonly GrantOperation[];
  readonly constraints?: GrantConstraintsRecord;
  readonly name?: string;
}

/** The grant a CreateGrant request would create, for the rule that a grant's grants are no wider than it. */
export interface RequestedGrant {
  readonly operations: readonly GrantOperation[];
  readonly constraints?: GrantConstraintsRecord;
}

export interface GrantRequest {
  readonly principal: AuthzPrincipal;
  readonly action: string;
  readonly keyArn: string;
  /** The request's encryption context (for ReEncrypt, the one of the side being authorized). */
  readonly encryptionContext?: EncryptionContext;
  /** For CreateGrant: the grant being created. */
  readonly requestedGrant?: RequestedGrant;
}

/**
 * `direct` when the grantee is the caller (a role grantee covers its sessions), `account` when the
 * grantee is the caller's account, which then delegates through its IAM policies as a key policy's
 * account principal does.
 */
export type GranteeMatch = 'direct' | 'account' | 'none';

const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

export function matchGrantee(grantee: string, principal: AuthzPrincipal): GranteeMatch {
  const root = ROOT.exec(grantee);
  if (root?.[1] !== undefined) return accountToken(root[1]) === accountToken(principal.accountId) ? 'account' : 'none';
  return identityChain(principal).includes(grantee) ? 'direct' : 'none';
}

/** Pairs with keys compared without regard to case and values exactly (the API model's GrantConstraints). */
function lowerKeys(context: EncryptionContext | undefined): Map<string, string> {
  return new Map(Object.entries(context ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

function includesPairs(request: Map<string, string>, required: EncryptionContext): boolean {
  return Object.entries(required).every(([k, v]) => request.get(k.toLowerCase()) === v);
}

/** Whether a request's encryption context satisfies a grant's constraints. */
export function satisfiesConstraints(constraints: GrantConstraintsRecord | undefined, context: EncryptionContext | undefined): boolean {
  if (constraints === undefined) return true;
  const request = lowerKeys(context);
  const { encryptionContextEquals: equals, encryptionContextSubset: subset } = constraints;
  if (equals !== undefined && !(request.size === lowerKeys(equals).size && includesPairs(request, equals))) return false;
  return subset === undefined || includesPairs(request, subset);
}

/**
 * Whether a grant created under a parent grant is no wider: its operations are among the parent's
 * and its constraints at least as strict (an Equals parent needs the same Equals; a Subset parent
 * needs a Subset or Equals holding all its pairs). Developer Guide, "Granting CreateGrant permission".
 */
export function isWithinParentGrant(parent: GrantRecord, child: RequestedGrant): boolean {
  if (!child.operations.every((op) => parent.operations.includes(op))) return false;
  const parentEquals = parent.constraints?.encryptionContextEquals;
  const parentSubset = parent.constraints?.encryptionContextSubset;
  const childEquals = child.constraints?.encryptionContextEquals;
  const childSubset = child.constraints?.encryptionContextSubset;
  if (parentEquals !== undefined) {
    if (childEquals === undefined) return false;
    const a = lowerKeys(parentEquals);
    if (a.size !== lowerKeys(childEquals).size || !includesPairs(a, childEquals)) return false;
  }
  if (parentSubset !== undefined) {
    const strictest = childEquals ?? childSubset;
    if (strictest === undefined || !includesPairs(lowerKeys(strictest), parentSubset)) return false;
  }
  return true;
}

/** How a grant allows a request: not at all, for the caller directly, or for the caller's account. */
export function grantAllows(grant: GrantRecord, request: GrantRequest): GranteeMatch {
  const operation = grantOperationFor(request.action);
  if (operation === undefined || grant.keyArn !== request.keyArn || !grant.operations.includes(operation)) return 'none';
  const grantee = matchGrantee(grant.granteePrincipal, request.principal);
  if (grantee === 'none') return 'none';
  if (operation === 'CreateGrant') {
    return request.requestedGrant !== undefined && isWithinParentGrant(grant, request.requestedGrant) ? grantee : 'none';
  }
  if (ENCRYPTION_CONTEXT_OPERATIONS.has(operation) && !satisfiesConstraints(grant.constraints, request.encryptionContext)) return 'none';
  return grantee;
}

/** The first grant that allows the request, preferring one for the caller directly. */
export function findAllowingGrant(grants: readonly GrantRecord[], request: GrantRequest): { grant: GrantRecord; match: 'direct' | 'account' } | undefined {
  let account: GrantRecord | undefined;
  for (const grant of grants) {
    const match = grantAllows(grant, request);
    if (match === 'direct') return { grant, match };
    if (match === 'account') account ??= grant;
  }
  return account === undefined ? undefined : { grant: account, match: 'account' };
}

/**
 * Who may retire a grant without any policy: its retiring principal, and its grantee when the grant
 * allows RetireGrant. The account the grant was created in (and a retiring account) may too, but
 * through kms:RetireGrant in its IAM policies: `account` says so. Developer Guide, "RetireGrant".
 */
export function retirementRight(grant: GrantRecord, principal: AuthzPrincipal): GranteeMatch {
  const retiring = grant.retiringPrincipal === undefined ? 'none' : matchGrantee(grant.retiringPrincipal, principal);
  if (retiring === 'direct') return 'direct';
  if (grant.operations.includes('RetireGrant') && matchGrantee(grant.granteePrincipal, principal) === 'direct') return 'direct';
  if (retiring === 'account' || matchGrantee(grant.issuingAccount, principal) === 'account') return 'account';
  return 'none';
}
