/** The `KeyMetadata` structure AWS KMS returns for a key. */
import { CustomerMasterKeySpecValues, type CustomerMasterKeySpec, type KeyMetadata } from '../../../models/kms/generated/shapes.js';
import type { KeyRecord } from '../records.js';
import { keyAlgorithms } from './key-specs.js';

export function toKeyMetadata(key: KeyRecord): KeyMetadata {
  return {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: new Date(key.creationDate),
    Enabled: key.keyState === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    ...(key.deletionDate === undefined ? {} : { DeletionDate: new Date(key.deletionDate) }),
    Origin: key.origin,
    KeyManager: 'CUSTOMER',
    // The deprecated member exists only for the specs it was defined for.
    ...(isLegacySpec(key.keySpec) ? { CustomerMasterKeySpec: key.keySpec } : {}),
    KeySpec: key.keySpec,
    ...keyAlgorithms(key.keySpec, key.keyUsage),
    MultiRegion: key.multiRegion,
    // AWS names the backing key version new ciphertexts use, for symmetric encryption keys.
    ...(key.keySpec === 'SYMMETRIC_DEFAULT' && key.currentBackingKeyId !== '' ? { CurrentKeyMaterialId: key.currentBackingKeyId } : {}),
    // The current import's terms, while a key with imported key material has its material.
    ...(key.importedMaterial === undefined ? {} : { ExpirationModel: key.importedMaterial.expirationModel }),
    ...(key.importedMaterial?.validTo === undefined ? {} : { ValidTo: new Date(key.importedMaterial.validTo) }),
  };
}

function isLegacySpec(spec: string): spec is CustomerMasterKeySpec {
  return (CustomerMasterKeySpecValues as readonly string[]).includes(spec);
}
