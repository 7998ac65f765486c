/** The operations built so far. Any other of the 54 answers UnsupportedOperationException. */
import type { OperationName } from '../../../models/kms/generated/operations.js';
import type { OperationHandler } from '../service.js';
import { aliasOperations } from './aliases.js';
import { keyPolicyOperations } from './key-policies.js';
import { createKey } from './create-key.js';
import { generateDataKey, generateDataKeyWithoutPlaintext, generateRandom } from './data-keys.js';
import { decrypt, encrypt, reEncrypt } from './encrypt-decrypt.js';
import { describeKey, disableKey, enableKey, listKeys, updateKeyDescription } from './key-management.js';
import { listResourceTags, tagResource, untagResource } from './tags.js';
import { getPublicKey, sign, verify } from './sign-verify.js';
import { generateMac, verifyMac } from './mac.js';
import { deriveSharedSecret } from './derive-shared-secret.js';
import { generateDataKeyPair, generateDataKeyPairWithoutPlaintext } from './data-key-pairs.js';
import { cancelKeyDeletion, scheduleKeyDeletion } from '../lifecycle/key-deletion.js';
import { grantOperations } from './grants.js';
import { getKeyLastUsage } from './key-last-usage.js';
import { deleteImportedKeyMaterial, getParametersForImport, importKeyMaterial } from './imported-material.js';
import {
  disableKeyRotation, enableKeyRotation, getKeyRotationStatus, listKeyRotations, rotateKeyOnDemand,
} from '../lifecycle/key-rotation.js';

export type OperationHandlers = { readonly [Op in OperationName]?: OperationHandler<Op> };

export const OPERATION_HANDLERS: OperationHandlers = {
  CreateKey: createKey,
  DescribeKey: describeKey,
  ListKeys: listKeys,
  UpdateKeyDescription: updateKeyDescription,
  EnableKey: enableKey,
  DisableKey: disableKey,
  Encrypt: encrypt,
  Decrypt: decrypt,
  ReEncrypt: reEncrypt,
  GenerateDataKey: generateDataKey,
  GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
  GenerateRandom: generateRandom,
  GenerateDataKeyPair: generateDataKeyPair,
  GenerateDataKeyPairWithoutPlaintext: generateDataKeyPairWithoutPlaintext,
  Sign: sign,
  Verify: verify,
  GetPublicKey: getPublicKey,
  GenerateMac: generateMac,
  VerifyMac: verifyMac,
  DeriveSharedSecret: deriveSharedSecret,
  ...aliasOperations,
  ...keyPolicyOperations,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListResourceTags: listResourceTags,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: cancelKeyDeletion,
  EnableKeyRotation: enableKeyRotation,
  DisableKeyRotation: disableKeyRotation,
  GetKeyRotationStatus: getKeyRotationStatus,
  RotateKeyOnDemand: rotateKeyOnDemand,
  ListKeyRotations: listKeyRotations,
  GetKeyLastUsage: getKeyLastUsage,
  GetParametersForImport: getParametersForImport,
  ImportKeyMaterial: importKeyMaterial,
  DeleteImportedKeyMaterial: deleteImportedKeyMaterial,
  ...grantOperations,
};
