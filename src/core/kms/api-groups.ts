/**
 * Every operation of the API belongs to one group. The cryptographic group runs inside the front
 * function (no extra hop on the hot path); every other group is its own function.
 */
import type { OperationName } from '../../models/kms/generated/operations.js';

export const API_GROUPS = {
  crypto: [
    'Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair',
    'GenerateDataKeyPairWithoutPlaintext', 'GenerateRandom', 'Sign', 'Verify', 'GenerateMac', 'VerifyMac',
    'DeriveSharedSecret', 'GetPublicKey',
  ],
  keys: [
    'CreateKey', 'DescribeKey', 'ListKeys', 'UpdateKeyDescription', 'EnableKey', 'DisableKey', 'ScheduleKeyDeletion',
    'CancelKeyDeletion', 'EnableKeyRotation', 'DisableKeyRotation', 'GetKeyRotationStatus', 'ListKeyRotations',
    'RotateKeyOnDemand', 'GetParametersForImport', 'ImportKeyMaterial', 'DeleteImportedKeyMaterial', 'GetKeyLastUsage',
    'ReplicateKey', 'UpdatePrimaryRegion',
  ],
  aliases: ['CreateAlias', 'UpdateAlias', 'DeleteAlias', 'ListAliases'],
  tags: ['TagResource', 'UntagResource', 'ListResourceTags'],
  grants: ['CreateGrant', 'ListGrants', 'ListRetirableGrants', 'RetireGrant', 'RevokeGrant'],
  policies: ['GetKeyPolicy', 'PutKeyPolicy', 'ListKeyPolicies'],
  /** IAM and STS (src/core/iam, src/core/sts): no KMS operation, their own function. */
  identities: [],
  keyStores: [
    'CreateCustomKeyStore', 'ConnectCustomKeyStore', 'DeleteCustomKeyStore', 'DescribeCustomKeyStores',
    'DisconnectCustomKeyStore', 'UpdateCustomKeyStore',
  ],
} as const satisfies Record<string, readonly OperationName[]>;

export type ApiGroup = keyof typeof API_GROUPS;

const GROUP_OF = new Map<OperationName, ApiGroup>(
  (Object.entries(API_GROUPS) as [ApiGroup, readonly OperationName[]][]).flatMap(([group, operations]) =>
    operations.map((operation) => [operation, group] as const)),
);

export function groupOf(operation: OperationName): ApiGroup {
  const group = GROUP_OF.get(operation);
  if (group === undefined) throw new Error(`Operation ${operation} belongs to no API group`);
  return group;
}
