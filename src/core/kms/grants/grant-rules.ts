/**
 * What CreateGrant accepts, as the Developer Guide ("Grant operations", "Using grant constraints",
 * "Grantee principal") and the API reference describe it. The rule families are tables of data;
 * test/core/kms/grant-rules.test.ts runs over the same tables.
 */
import { InvalidArnException, ValidationException } from '../../../models/kms/generated/errors.js';
import type { GrantConstraints, GrantOperation } from '../../../models/kms/generated/shapes.js';
import type { GrantConstraintsRecord } from '../../authz/index.js';
import { needs } from '../../errors/service-error.js';
import { isAsymmetricSpec, isHmacSpec } from '../keys/key-specs.js';
import type { KeyRecord } from '../records.js';
import { say } from '../messages.js';

/** The kinds of key that differ in which grant operations they support. */
export type GrantKeyKind = 'symmetric' | 'asymmetric-encryption' | 'signing' | 'key-agreement' | 'hmac';

const ANY_KEY: readonly GrantOperation[] = ['CreateGrant', 'DescribeKey', 'RetireGrant'];

/**
 * The grant operations each kind of key supports: "grants for symmetric encryption KMS keys cannot
 * allow the Sign, Verify, GenerateMac or VerifyMac operations. Grants for asymmetric KMS keys cannot
 * allow any operations that generate data keys or data key pairs."
 */
export const GRANT_OPERATIONS_BY_KEY_KIND: Readonly<Record<GrantKeyKind, readonly GrantOperation[]>> = {
  'symmetric': [
    ...ANY_KEY, 'Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext',
    'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  ],
  'asymmetric-encryption': [...ANY_KEY, 'Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey'],
  'signing': [...ANY_KEY, 'Sign', 'Verify', 'GetPublicKey'],
  'key-agreement': [...ANY_KEY, 'DeriveSharedSecret', 'GetPublicKey'],
  'hmac': [...ANY_KEY, 'GenerateMac', 'VerifyMac'],
};

export function grantKeyKind(key: KeyRecord): GrantKeyKind {
  if (isHmacSpec(key.keySpec)) return 'hmac';
  if (!isAsymmetricSpec(key.keySpec)) return 'symmetric';
  if (key.keyUsage === 'SIGN_VERIFY') return 'signing';
  return key.keyUsage === 'KEY_AGREEMENT' ? 'key-agreement' : 'asymmetric-encryption';
}

/** The operations of a new grant, each once, in the order given; throws for any the key does not support. */
export function checkGrantOperations(key: KeyRecord, operations: readonly GrantOperation[]): GrantOperation[] {
  /* Precondition: a grant allows at least one operation. */
  needs(operations.length > 0, say('grantNeedsOperation'), ValidationException);
  const supported = GRANT_OPERATIONS_BY_KEY_KIND[grantKeyKind(key)];
  const unsupported = operations.filter((operation) => !supported.includes(operation));
  /* Precondition: a grant allows only operations its key supports. */
  needs(unsupported.length === 0,
    () => say('grantOperationsNotSupported', { operations: [...new Set(unsupported)].join(', '), arn: key.arn, supported: supported.join(', ') }),
    ValidationException);
  return [...new Set(operations)];
}

/** "Each grant constraint value can include up to 8 encryption context pairs." */
export const MAX_CONSTRAINT_PAIRS = 8;
/** "The encryption context value in each grant constraint cannot exceed 384 characters." */
export const MAX_CONSTRAINT_CHARACTERS = 384;

/** The constraints to store, or undefined for none; throws for constraints AWS refuses. */
export function checkGrantConstraints(key: KeyRecord, constraints: GrantConstraints | undefined): GrantConstraintsRecord | undefined {
  const equals = constraints?.EncryptionContextEquals;
  const subset = constraints?.EncryptionContextSubset;
  if (equals === undefined && subset === undefined) return undefined;
  /* Precondition: encryption context constraints are valid only in a grant for a symmetric encryption key. */
  needs(grantKeyKind(key) === 'symmetric',
    () => say('grantConstraintsNotSymmetric', { arn: key.arn }), ValidationException);
  for (const [member, context] of [['encryptionContextEquals', equals], ['encryptionContextSubset', subset]] as const) {
    if (context === undefined) continue;
    const pairs = Object.entries(context);
    /* Precondition: a grant constraint holds at most 8 encryption context pairs. */
    needs(pairs.length <= MAX_CONSTRAINT_PAIRS,
      () => say('grantConstraintPairs', { member, pairs: pairs.length, limit: MAX_CONSTRAINT_PAIRS }),
      ValidationException);
    const characters = pairs.reduce((sum, [k, v]) => sum + [...k].length + [...v].length, 0);
    /* Precondition: a grant constraint's encryption context has at most 384 characters. */
    needs(characters <= MAX_CONSTRAINT_CHARACTERS,
      () => say('grantConstraintCharacters', { member, characters, limit: MAX_CONSTRAINT_CHARACTERS }),
      ValidationException);
  }
  return { ...(equals === undefined ? {} : { encryptionContextEquals: { ...equals } }), ...(subset === undefined ? {} : { encryptionContextSubset: { ...subset } }) };
}

/**
 * Principals a grant can name: an account (root), an IAM user or role, an assumed-role session or
 * a federated user; and, as AWS's own grants show, an AWS service principal. Not an IAM group or
 * an organization.
 */
const PRINCIPAL_PATTERNS: readonly RegExp[] = [
  /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:root$/,
  /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:(?:user|role)\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/,
  /^arn:aws(?:-cn|-us-gov)?:sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+$/,
  /^arn:aws(?:-cn|-us-gov)?:sts::\d{12}:federated-user\/[\w+=,.@-]+$/,
  /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/,
];

export function isGrantPrincipal(value: string): boolean {
  return PRINCIPAL_PATTERNS.some((pattern) => pattern.test(value));
}

/** Throws AWS's InvalidArnException when `value` is no principal a grant can name. */
export function checkGrantPrincipal(value: string): void {
  /* Precondition: a grant's grantee and retiring principals are principal ARNs. */
  needs(isGrantPrincipal(value), () => say('grantPrincipalInvalid', { principal: value }), InvalidArnException);
}

/**
 * The identity whose existence decides whether a grant may name `principal` (a valid principal):
 * the user, role or root it names; the role of an assumed-role session; the account root of a
 * federated user (this service issues no federation tokens, so only the account can be known);
 * none for an AWS service principal.
 */
export function identityBehind(principal: string): string | undefined {
  if (/\.amazonaws\.com(?:\.cn)?$/.test(principal)) return undefined;
  const federated = /^arn:([\w-]+):sts::(\d{12}):federated-user\//.exec(principal);
  return federated === null ? principal : `arn:${federated[1] ?? 'aws'}:iam::${federated[2] ?? ''}:root`;
}

/** Grant IDs this service issues: 64 lowercase hex digits, as AWS's. */
export const GRANT_ID_PATTERN = /^[0-9a-f]{64}$/;

/** Whether two grants have the same properties, Name included: a CreateGrant with Name is then a retry. */
export function sameGrantRequest(
  a: { granteePrincipal: string; retiringPrincipal?: string; operations: readonly GrantOperation[]; constraints?: GrantConstraintsRecord; name?: string },
  b: typeof a,
): boolean {
  const sameSet = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((item) => y.includes(item));
  return a.name === b.name && a.granteePrincipal === b.granteePrincipal && a.retiringPrincipal === b.retiringPrincipal
    && sameSet(a.operations, b.operations) && sameContext(a.constraints?.encryptionContextEquals, b.constraints?.encryptionContextEquals)
    && sameContext(a.constraints?.encryptionContextSubset, b.constraints?.encryptionContextSubset);
}

function sameContext(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const entries = Object.entries(a);
  return entries.length === Object.keys(b).length && entries.every(([k, v]) => b[k] === v);
}
