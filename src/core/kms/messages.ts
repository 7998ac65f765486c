/**
 * Every wire message of the KMS core, each written once, with the exception that carries it and
 * where its wording comes from. `{name}` marks a placeholder; {@link say} fills them, typed.
 *
 * A template whose source is `aws` repeats what AWS KMS was recorded answering; one whose source
 * is `ours` is this service's own wording (no public source records AWS's) and is listed in
 * docs/differences-from-aws-kms.md. The wire-conformance suite (test/conformance) checks them all.
 */

import { speaker, type MessageTemplate, type WordingSource } from '../errors/message-templates.js';

export type { MessageTemplate, WordingSource } from '../errors/message-templates.js';

const LOCALSTACK = 'localstack/localstack tests/aws/services/kms/test_kms.snapshot.json (recorded against AWS)';
const ls = (test: string): WordingSource => ({ aws: `${LOCALSTACK}: ${test}` });

export const KMS_MESSAGES = {
  // Keys and identifiers
  invalidKeyId: { exception: 'NotFoundException', text: "Invalid keyId '{keyId}'", source: ls('test_get_key_invalid_uuid') },
  keyDoesNotExist: { exception: 'NotFoundException', text: "Key '{arn}' does not exist", source: ls('test_get_key_does_not_exist') },
  keyArnInOtherRegion: { exception: 'NotFoundException', text: 'Invalid arn {region}', source: ls('test_get_key_in_different_region (describe-key-diff-region-with-arn)') },
  invalidArn: { exception: 'InvalidArnException', text: 'Invalid arn {arn}', source: { ours: 'InvalidArnException for a malformed KMS ARN; modelled on the NotFoundException wording AWS uses for an ARN of another Region.' } },
  aliasNotFound: {
    exception: 'NotFoundException', text: 'Alias {aliasArn} is not found.',
    source: { aws: 'AWS answer quoted in github.com/cloudposse/docs/issues/152 and github.com/sigstore/cosign/issues/1474' },
  },
  incorrectKey: {
    exception: 'IncorrectKeyException', text: 'The key ID in the request does not identify a CMK that can perform this operation.',
    source: ls('test_error_messaging_for_invalid_keys (decrypt-invalid-key-id)'),
  },

  // Encryption context (checked for every context of a request, before the operation runs)
  contextKeySurrogate: {
    exception: 'ValidationException', text: "The encryption context in '{member}' must be well-formed Unicode: a key contains an unpaired surrogate.",
    source: { ours: 'No public recording of an encryption context that is not well-formed Unicode.' },
  },
  contextValueSurrogate: {
    exception: 'ValidationException', text: "The encryption context in '{member}' must be well-formed Unicode: the value of '{key}' contains an unpaired surrogate.",
    source: { ours: 'No public recording of an encryption context that is not well-formed Unicode.' },
  },
  contextTooLarge: {
    exception: 'ValidationException', text: "The encryption context in '{member}' is {size} bytes long; its keys and values may take at most {limit} bytes of UTF-8 together.",
    source: { ours: 'AWS documents no size limit for the encryption context of a request.' },
  },

  // Key state
  keyDisabled: { exception: 'DisabledException', text: '{arn} is disabled.', source: ls('test_rotate_key_on_demand_raises_error_given_key_is_disabled') },
  keyPendingImport: { exception: 'KMSInvalidStateException', text: '{arn} is pending import.', source: ls('test_import_key_symmetric (encrypt-before-import-error)') },
  keyPendingDeletion: {
    exception: 'KMSInvalidStateException', text: '{arn} is pending deletion.',
    source: { aws: 'AWS answer quoted in github.com/hashicorp/terraform-provider-aws/issues/17889' },
  },
  keyInState: { exception: 'KMSInvalidStateException', text: '{arn} is {state}.', source: { aws: 'AWS KMS Developer Guide, key state table, notes 3, 14 and 15 (pending replica deletion, creating, updating)' } },
  keyNotPendingDeletion: { exception: 'KMSInvalidStateException', text: '{arn} is not pending deletion.', source: { aws: 'AWS KMS Developer Guide, key state table, note 4' } },
  keyUnavailable: {
    exception: 'KMSInvalidStateException', text: '{arn} is unavailable. You cannot perform this operation on an unavailable KMS key.',
    source: { aws: 'AWS KMS Developer Guide, key state table, note 11' },
  },
  keyOriginNotValid: {
    exception: 'UnsupportedOperationException', text: '{arn} origin is {origin} which is not valid for this operation.',
    source: ls('test_get_parameters_for_import_raises_for_non_external_kms_keys, test_rotate_key_on_demand_raises_error_given_key_with_imported_key_material'),
  },

  // Key usage and algorithms
  keyUsageNotValid: {
    exception: 'InvalidKeyUsageException', text: '{arn} key usage is {usage} which is not valid for {operation}.',
    source: ls('test_error_messaging_for_invalid_keys, test_derive_shared_secret (response-invalid-key)'),
  },
  algorithmIncompatible: { exception: 'InvalidKeyUsageException', text: 'Algorithm {algorithm} is incompatible with key spec {keySpec}.', source: ls('test_invalid_generate_mac, test_invalid_verify_mac') },
  plaintextTooLarge: {
    exception: 'ValidationException', text: 'Algorithm {algorithm} and key spec {keySpec} cannot encrypt data larger than {limit} bytes.',
    source: ls('test_encrypt_validate_plaintext_size_per_key_type'),
  },
  contextWithAsymmetricKey: { exception: 'ValidationException', text: 'EncryptionContext is not supported with asymmetric KMS keys.', source: { ours: 'No public recording of Encrypt with an asymmetric key and an encryption context.' } },
  digestLength: { exception: 'ValidationException', text: 'Digest is invalid length for algorithm {algorithm}.', source: ls('test_sign_verify (bad-digest)') },
  digestNotOffered: { exception: 'ValidationException', text: 'MessageType DIGEST is not valid with the {algorithm} signing algorithm.', source: { ours: 'No public recording for ML-DSA or pure Ed25519 with MessageType DIGEST.' } },
  externalMuAlgorithm: { exception: 'ValidationException', text: 'MessageType EXTERNAL_MU is only valid with the ML_DSA_SHAKE_256 signing algorithm.', source: { ours: 'No public recording of EXTERNAL_MU with another algorithm.' } },
  externalMuLength: { exception: 'ValidationException', text: 'External mu must be {length} bytes for ML_DSA_SHAKE_256.', source: { ours: 'No public recording of an EXTERNAL_MU message of the wrong length.' } },
  ed25519PhNeedsDigest: { exception: 'ValidationException', text: 'The ED25519_PH_SHA_512 signing algorithm requires MessageType DIGEST.', source: { ours: 'No public recording of ED25519_PH_SHA_512 with MessageType RAW.' } },
  notAsymmetricForPublicKey: {
    exception: 'UnsupportedOperationException', text: '{arn} is not an asymmetric KMS key. GetPublicKey is supported only for asymmetric keys.',
    source: { ours: 'No public recording of GetPublicKey with a symmetric key.' },
  },

  // CreateKey
  keyUsageRequired: {
    exception: 'ValidationException', text: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    source: ls('test_hmac_create_key_invalid_operations (create-hmac-key-without-key-usage)'),
  },
  keyUsageIncompatibleWithSpec: { exception: 'ValidationException', text: 'KeyUsage {usage} is not compatible with KeySpec {keySpec}', source: ls('test_derive_shared_secret (response-invalid-key-spec)') },
  bothKeySpecs: {
    exception: 'ValidationException', text: 'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.',
    source: { ours: 'No public recording of CreateKey with both KeySpec and CustomerMasterKeySpec.' },
  },
  originNotSupported: { exception: 'UnsupportedOperationException', text: 'Origin {origin} is not supported yet by this service.', source: { ours: 'A feature this service does not offer yet (see the README).' } },
  customKeyStoresNotSupported: { exception: 'UnsupportedOperationException', text: 'Custom key stores are not supported yet by this service.', source: { ours: 'A feature this service does not offer yet (see the README).' } },
  multiRegionNotSupported: { exception: 'UnsupportedOperationException', text: 'Multi-Region keys are not supported yet by this service.', source: { ours: 'A feature this service does not offer yet (see the README).' } },
  recipientNotSupported: {
    exception: 'UnsupportedOperationException', text: 'Recipient (attested enclave requests) is not supported yet by this service.',
    source: { ours: 'A feature this service does not offer yet (see the README).' },
  },

  // Tags
  reservedTagKey: { exception: 'TagException', text: 'Tags beginning with aws: are reserved', source: ls('test_tag_existing_key_with_invalid_tag_key, test_create_key_with_invalid_tag_key') },
  duplicateTagKeys: { exception: 'TagException', text: 'Duplicate tag keys', source: ls('test_tag_key_with_duplicate_tag_keys_raises_error') },
  tooManyTags: { exception: 'TagException', text: 'Too many tags', source: ls('test_create_key_with_too_many_tags_raises_error') },

  // Aliases
  aliasPrefix: {
    exception: 'ValidationException', text: 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    source: ls('test_create_alias'),
  },
  reservedAlias: {
    exception: 'InvalidAliasNameException', text: 'Cannot create, update or delete alias {aliasName}: the alias/aws/ prefix is reserved for AWS managed keys.',
    source: { ours: 'No public recording of CreateAlias with an alias/aws/ name.' },
  },
  aliasTargetMismatch: {
    exception: 'ValidationException', text: '{arn} is not the same type of key, or does not have the same key usage, as the key the alias currently points to.',
    source: { ours: 'No public recording of UpdateAlias to a key of another type or usage.' },
  },
  aliasAlreadyExists: {
    exception: 'AlreadyExistsException', text: 'An alias with the name {aliasArn} already exists',
    source: { aws: "AWS answers quoted in public Terraform troubleshooting notes ('AlreadyExistsException: An alias with the name arn:aws:kms:eu-west-1:…:alias/… already exists')" },
  },

  // Key policies
  noSuchPolicy: {
    exception: 'NotFoundException', text: 'No such policy exists',
    source: { ours: 'The API model says the only policy name is default; no public source records the answer to another name.' },
  },
  policyLockout: {
    exception: 'MalformedPolicyDocumentException', text: 'The new key policy will not allow you to update the key policy in the future.',
    source: { aws: "hashicorp/terraform-provider-aws acceptance tests run against AWS (internal/service/kms key_test.go, testAccKeyConfig_policyBypass), and AWS answers quoted in Terraform error logs" },
  },

  // Grants
  grantNeedsOperation: { exception: 'ValidationException', text: 'A grant must allow at least one operation.', source: { ours: 'No public recording of CreateGrant without operations.' } },
  grantOperationsNotSupported: {
    exception: 'ValidationException', text: 'Grant operations [{operations}] are not supported for {arn}: it supports only [{supported}].',
    source: { ours: 'No public recording of CreateGrant with an operation the key does not support.' },
  },
  grantConstraintsNotSymmetric: {
    exception: 'ValidationException', text: 'Grant constraints are valid only for symmetric encryption KMS keys; {arn} is not one.',
    source: { ours: 'No public recording of CreateGrant with constraints on an asymmetric or HMAC key.' },
  },
  grantConstraintPairs: {
    exception: 'ValidationException', text: "The grant constraint '{member}' has {pairs} encryption context pairs; the most it can have is {limit}.",
    source: { ours: 'No public recording of a grant constraint with too many pairs.' },
  },
  grantConstraintCharacters: {
    exception: 'ValidationException', text: "The grant constraint '{member}' has {characters} characters of encryption context; the most it can have is {limit}.",
    source: { ours: 'No public recording of a grant constraint with too many characters.' },
  },
  grantPrincipalInvalid: {
    exception: 'InvalidArnException', text: 'ARN does not refer to a valid principal: {principal}',
    source: { aws: "AWS KMS's message quoted inside AWS Lambda's CreateFunction error ('KMS Exception: InvalidArnException KMS Message: ARN does not refer to a valid principal: arn:aws:sts::…'), in public tutorials and in aws/chalice's tests" },
  },
  tooManyGrants: {
    exception: 'LimitExceededException', text: '{arn} already has {limit} grants, the most a KMS key can have. Retire or revoke a grant first.',
    source: { ours: 'No public recording of the grants-per-key quota being reached.' },
  },
  retireGrantTarget: {
    exception: 'ValidationException', text: 'Either a grant token, or both a key ID and a grant ID, must be specified to identify the grant to retire.',
    source: { ours: 'No public recording of RetireGrant without a grant token and without a key ID and grant ID.' },
  },
  invalidGrantToken: { exception: 'InvalidGrantTokenException', text: 'The request was rejected because the specified grant token is not valid.', source: { aws: 'AWS KMS API Reference, InvalidGrantTokenException' } },
  invalidGrantId: { exception: 'InvalidGrantIdException', text: 'The request was rejected because the specified GrantId is not valid.', source: { aws: 'AWS KMS API Reference, InvalidGrantIdException' } },

  // Deletion
  pendingWindow: { exception: 'ValidationException', text: 'PendingWindowInDays must be between 7 and 30', source: { ours: 'No public recording of ScheduleKeyDeletion with a waiting period out of range.' } },
  // Rotation
  onDemandRotationLimit: {
    exception: 'LimitExceededException',
    text: 'The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {arn}',
    source: ls('test_key_rotations_limits'),
  },
  onDemandRotationInProgress: {
    exception: 'ConflictException', text: 'An on-demand rotation of {arn} is already in progress.',
    source: { ours: "The API model's ConflictException: a rotation is in progress; no public recording of its message." },
  },
  automaticRotationImminent: {
    exception: 'ConflictException', text: 'An automatic rotation of {arn} is in progress or due to begin within 20 minutes.',
    source: { ours: "The API model's ConflictException: an automatic rotation is in progress or scheduled within the next 20 minutes; no public recording of its message." },
  },
  noLifecycleScheduler: {
    exception: 'UnsupportedOperationException', text: '{operation} is not supported yet by this deployment: it has no key lifecycle scheduler.',
    source: { ours: 'A deployment without a scheduler cannot delete keys on their date (see the README).' },
  },

  // Data keys and random bytes
  numberOfBytesOrKeySpec: {
    exception: 'ValidationException', text: 'Please specify either number of bytes or key spec.',
    source: { aws: "AWS's answer to a GenerateRandom without members in 2019, quoted in github.com/nsmithuk/local-kms/issues/6; GenerateDataKey with neither or both is assumed to answer the same" },
  },
  numberOfBytesRequired: { exception: 'ValidationException', text: 'NumberOfBytes is required.', source: ls('test_generate_random_invalid_number_of_bytes[None]') },

  // Paging and dry runs
  invalidMarker: {
    exception: 'InvalidMarkerException', text: 'The request was rejected because the marker that specifies where pagination should next begin is not valid.',
    source: { aws: 'AWS KMS API Reference, InvalidMarkerException' },
  },
  dryRun: { exception: 'DryRunOperationException', text: 'The request would have succeeded, but the DryRun option is set.', source: ls('test_generate_data_key_pair_dry_run') },

  // Operations
  operationNotSupported: {
    exception: 'UnsupportedOperationException', text: '{operation} is not supported by this service yet.',
    source: { ours: 'An operation this service does not offer yet (see the README).' },
  },

  // Key material
  keyMaterialUnavailable: {
    exception: 'KeyUnavailableException', text: 'The key material is unavailable.',
    source: { ours: 'No public recording of a KeyUnavailableException message; AWS names the exception for an unreachable key store.' },
  },

  // Guards of the key material port: the core refuses such requests first, in the words above,
  // so these reach the wire only if a caller of the port slips.
  keySpecNotServed: {
    exception: 'ValidationException', text: 'Key spec {keySpec} cannot {operation} in the {tier} tier.',
    source: { ours: 'A guard of the key material port (the core refuses the request first with InvalidKeyUsageException).' },
  },
  keySpecNotHeld: {
    exception: 'UnsupportedOperationException', text: 'Key spec {keySpec} is not held in the {tier} tier.',
    source: { ours: 'A guard of the key material port (the core sends each key spec to the tier that holds it).' },
  },
  messageTypeNotValid: {
    exception: 'ValidationException', text: 'MessageType {messageType} is not valid with the {algorithm} signing algorithm.',
    source: { ours: 'A guard of the key material port (the core refuses the request first with digestNotOffered or ed25519PhNeedsDigest).' },
  },
  messageLength: {
    exception: 'ValidationException', text: 'With MessageType {messageType}, signing algorithm {algorithm} requires a message of {length} bytes; got {actual}.',
    source: { ours: 'A guard of the key material port (the core refuses the request first with digestLength or externalMuLength).' },
  },
  plaintextTooLargeForKey: {
    exception: 'ValidationException', text: 'Plaintext is too large for the key and encryption algorithm.',
    source: { ours: 'A guard of the key material port (the core refuses the request first with plaintextTooLarge).' },
  },
  importedKeyNotPkcs8: {
    exception: 'ValidationException', text: 'The key material is not a PKCS#8 private key of key spec {keySpec}.',
    source: { ours: 'Key material given to this service in the clear (seed files).' },
  },
  importedKeyLength: {
    exception: 'ValidationException', text: 'The key material of a {keySpec} key must be {bytes} bytes long.',
    source: { ours: 'Key material given to this service in the clear (seed files).' },
  },
  hmacNeedsToken: {
    exception: 'UnsupportedOperationException', text: 'KeySpec {keySpec} needs a PKCS#11 token with the SHA-2 HMAC mechanisms.',
    source: { ours: 'A token without the SHA-2 HMAC mechanisms cannot hold HMAC keys (see the README).' },
  },

  // Imported key material
  importNotOffered: {
    exception: 'UnsupportedOperationException', text: 'KeySpec {keySpec} is not supported with Origin EXTERNAL by this service.',
    source: { ours: 'Imported key material of the specs this service keeps outside the token (ML-DSA, ECC_NIST_EDWARDS25519, SM2) is not offered.' },
  },
  wrappingKeySpecNotOffered: {
    exception: 'UnsupportedOperationException', text: '{parameter} {value} is supported only in the AWS China Regions.',
    source: { ours: 'The guide: SM2 wrapping keys and SM2PKE are offered only in the China Regions; no public recording of the answer elsewhere.' },
  },
  wrappingAlgorithmNotValid: {
    exception: 'ValidationException', text: 'WrappingAlgorithm {algorithm} with WrappingKeySpec {wrappingKeySpec} is not supported for key material of KeySpec {keySpec}.',
    source: { ours: "The guide's table of wrapping algorithms per key material; no public recording of AWS's refusal." },
  },
  importTokenInvalid: {
    exception: 'InvalidImportTokenException', text: 'The import token is not valid for {arn}.',
    source: { ours: 'No public recording of an InvalidImportTokenException message.' },
  },
  importTokenExpired: {
    exception: 'ExpiredImportTokenException', text: 'The import token expired at {validTo}. Call GetParametersForImport again.',
    source: { ours: 'No public recording of an ExpiredImportTokenException message.' },
  },
  importedMaterialInvalid: {
    exception: 'IncorrectKeyMaterialException', text: 'The key material is not valid key material for a {keySpec} KMS key.',
    source: { ours: 'No public recording of material that does not fit the key spec.' },
  },
  importedMaterialDifferent: {
    exception: 'IncorrectKeyMaterialException', text: 'The key material is not the key material previously imported into {arn}.',
    source: { ours: 'No public recording of an IncorrectKeyMaterialException message.' },
  },
  validToRequired: {
    exception: 'ValidationException', text: 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES',
    source: ls('test_import_key_symmetric (import-expiring-key-without-valid-to)'),
  },
  validToNotAllowed: {
    exception: 'ValidationException', text: 'A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE',
    source: { ours: 'Modelled on the recorded validToRequired wording.' },
  },
  validToRange: {
    exception: 'ValidationException', text: 'ValidTo must be in the future and at most 365 days from now.',
    source: { ours: 'The API reference: "The value of this parameter must be a future date and time. The maximum value is 365 days from the request date."' },
  },
  importTypeNotValid: {
    exception: 'ValidationException', text: 'ImportType, KeyMaterialId and KeyMaterialDescription are only valid for symmetric encryption KMS keys.',
    source: { ours: 'The API reference: "This parameter is optional and only usable with symmetric encryption keys."' },
  },
  keyMaterialIdWithNewMaterial: {
    exception: 'ValidationException', text: 'You cannot specify a key material ID with ImportType set to NEW_KEY_MATERIAL.',
    source: { ours: 'The API reference of ImportKeyMaterial, KeyMaterialId.' },
  },
  keyMaterialIdNotOfKey: {
    exception: 'NotFoundException', text: 'Key material {keyMaterialId} is not associated with {arn}.',
    source: { ours: 'No public recording of a KeyMaterialId the key does not have.' },
  },
  noImportedMaterial: {
    exception: 'KMSInvalidStateException', text: '{arn} has no key material to reimport. Use ImportType NEW_KEY_MATERIAL.',
    source: { ours: 'No public recording of EXISTING_KEY_MATERIAL into a key that never had material.' },
  },
  materialPendingRotation: {
    exception: 'KMSInvalidStateException',
    text: 'New key material (id: {newId}) cannot be imported into KMS key {keyId}, because another key material (id: {pendingId}) is pending rotation.',
    source: ls('test_import_key_material_raises_if_there_is_already_key_material_pending'),
  },
  noPendingMaterial: {
    exception: 'KMSInvalidStateException', text: 'No available key material pending rotation for the key: {arn}.',
    source: ls('test_rotate_key_on_demand_raises_for_no_pending_key_material'),
  },
  importedMaterialNotNew: {
    exception: 'IncorrectKeyMaterialException', text: 'The key material is already associated with {arn}. Import it with ImportType EXISTING_KEY_MATERIAL.',
    source: { ours: 'No public recording of NEW_KEY_MATERIAL with material the key already has.' },
  },

  // Internal
  keyAlreadyExists: { exception: 'AlreadyExistsException', text: "Key '{arn}' already exists", source: { ours: 'A generated key ID that is taken (never expected: key IDs are random).' } },
  grantAlreadyExists: { exception: 'AlreadyExistsException', text: 'Grant {grantId} already exists', source: { ours: 'A generated grant ID that is taken (never expected: grant IDs are random).' } },
  accessKeyAlreadyExists: { exception: 'AlreadyExistsException', text: 'Access key {accessKeyId} already exists', source: { ours: 'A generated access key ID that is taken (never expected: access key IDs are random).' } },
  backingKeyExists: { exception: 'AlreadyExistsException', text: "New key material for '{arn}' already exists", source: { ours: 'A generated key material ID that is taken (never expected: the IDs are random).' } },
  keyChanged: { exception: 'ConflictException', text: '{arn} was changed by another request. Retry the request.', source: { ours: 'No public recording of a ConflictException message for concurrent writes.' } },
  concurrentChange: { exception: 'ConflictException', text: 'The request conflicted with a concurrent change. Retry the request.', source: { ours: 'No public recording of a ConflictException message for concurrent writes.' } },
  storeBusy: {
    exception: 'DependencyTimeoutException', text: 'The request could not be completed in time because the key store is busy. Retry the request.',
    source: { ours: 'No public recording of a DependencyTimeoutException message.' },
  },
  internalError: { exception: 'KMSInternalException', text: 'An internal error occurred.', source: { ours: 'No public recording of a KMSInternalException message.' } },
} as const satisfies Record<string, MessageTemplate>;

export type MessageName = keyof typeof KMS_MESSAGES;

/**
 * The wire message `name` with its placeholders filled in.
 *
 * @example
 * say('keyUsageNotValid', { arn: key.arn, usage: key.keyUsage, operation: 'GenerateMac' })
 */
export const say = speaker(KMS_MESSAGES);

/** The API operation a `kms:` action is checked for, as messages name it (`kms:ReEncryptFrom` → `ReEncrypt`). */
export function operationOfAction(action: string): string {
  return action.replace(/^kms:/, '').replace(/^ReEncrypt(From|To)$/, 'ReEncrypt');
}
