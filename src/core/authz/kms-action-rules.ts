/**
 * KMS authorization facts that the Service Authorization Reference data does not carry, from the
 * Developer Guide: which operations principals of other accounts may call, which operations a
 * grant can allow, and which of them take an encryption context (so that grant constraints apply).
 * Which actions exist and what resource each is authorized on come from the generated table.
 */
import { KMS_ACTIONS, type KmsActionData } from '../../models/authz/generated/kms-actions.js';
import { GrantOperationValues, type GrantOperation } from '../../models/kms/generated/shapes.js';

const ACTIONS_BY_LOWER_NAME = new Map(KMS_ACTIONS.map((a) => [`kms:${a.name.toLowerCase()}`, a]));

/** The generated description of a `kms:` action (any case), or undefined for an unknown action. */
export function kmsAction(action: string): KmsActionData | undefined {
  return ACTIONS_BY_LOWER_NAME.get(action.toLowerCase());
}

/**
 * Operations that work on a KMS key of another account (Developer Guide, "Allowing users in other
 * accounts to use a KMS key": cryptographic operations, CreateGrant, DescribeKey,
 * GetKeyRotationStatus, GetPublicKey, ListGrants, RetireGrant, RevokeGrant). Permissions for any
 * other operation on another account's key have no effect.
 */
export const CROSS_ACCOUNT_ACTIONS: ReadonlySet<string> = new Set([
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'ReEncryptFrom', 'ReEncryptTo', 'Sign', 'Verify', 'VerifyMac',
  'DeriveSharedSecret', 'CreateGrant', 'DescribeKey', 'GetKeyRotationStatus', 'GetPublicKey', 'ListGrants',
  'RetireGrant', 'RevokeGrant',
].map((name) => `kms:${name.toLowerCase()}`));

export function isCrossAccountAction(action: string): boolean {
  return CROSS_ACCOUNT_ACTIONS.has(action.toLowerCase());
}

/** The operations a grant can allow (the API model's GrantOperation; Developer Guide, "Grant operations"). */
export const GRANT_OPERATIONS: readonly GrantOperation[] = GrantOperationValues;

const GRANT_OPERATION_BY_ACTION = new Map(GRANT_OPERATIONS.map((op) => [`kms:${op.toLowerCase()}`, op]));

/** The grant operation that allows an action, or undefined when no grant can allow it (e.g. kms:PutKeyPolicy). */
export function grantOperationFor(action: string): GrantOperation | undefined {
  return GRANT_OPERATION_BY_ACTION.get(action.toLowerCase());
}

/**
 * Grant operations that take an encryption context; grant constraints apply to these only and are
 * ignored for the rest, such as DescribeKey and RetireGrant (Developer Guide, "Using grant
 * constraints"). CreateGrant is checked differently: the new grant must be as strict.
 */
export const ENCRYPTION_CONTEXT_OPERATIONS: ReadonlySet<GrantOperation> = new Set<GrantOperation>([
  'Encrypt', 'Decrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo',
]);

/** `kms:RetireGrant` in a key policy has no effect (Developer Guide, "Retiring and revoking grants"). */
export function keyPolicyCanAllow(action: string): boolean {
  return action.toLowerCase() !== 'kms:retiregrant';
}
