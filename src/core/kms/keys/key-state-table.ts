/**
 * The key state table of the AWS KMS Developer Guide ("Key states of AWS KMS keys"), as data:
 * for every operation that uses an existing key and every key state, what the operation does.
 * `key-states.ts` reads it for every operation; the tests check every cell from it.
 */
import type { KeyState } from '../../../models/kms/generated/shapes.js';

/**
 * The guide's numbered footnotes that make an operation fail, each with the exception it names.
 * [2] (DisabledException for a key pending deletion) is never chosen: AWS KMS answers the
 * cryptographic operations on a key pending deletion with [3], KMSInvalidStateException.
 */
export type FailureNote =
  /** DisabledException: `<key ARN> is disabled.` */
  | 1
  /** KMSInvalidStateException: `<key ARN> is pending deletion.` (or pending replica deletion). */
  | 3
  /** KMSInvalidStateException: `<key ARN> is not pending deletion.` */
  | 4
  /** KMSInvalidStateException: `<key ARN> is pending import.` */
  | 5
  /** UnsupportedOperationException: `<key ARN> origin is EXTERNAL which is not valid for this operation.` */
  | 6
  /** UnsupportedOperationException for a key with imported material or in a custom key store. */
  | 7
  /** UnsupportedOperationException for a key that cannot have imported key material. */
  | 9
  /** KMSInvalidStateException: `<key ARN> is unavailable. You cannot perform this operation on an unavailable KMS key.` */
  | 11
  /** KMSInvalidStateException: `<key ARN> is creating.` */
  | 14
  /** KMSInvalidStateException: `<key ARN> is updating.` */
  | 15;

/**
 * One cell of the table.
 * - `ok`: the operation goes on (footnotes [10], [12] and [13] describe successes).
 * - a footnote number: the operation fails as that footnote says.
 * - `{ external, otherwise }`: the guide's "?" cells, whose outcome depends on whether the key
 *   has imported key material (Origin EXTERNAL); footnotes [7], [8] and [9].
 */
export type Cell = 'ok' | FailureNote | { readonly external: 'ok' | FailureNote; readonly otherwise: 'ok' | FailureNote };

/** The guide's columns; PendingDeletion and PendingReplicaDeletion share one. */
export type Row = Readonly<Record<KeyState, Cell>>;

/**
 * Builds a row from the guide's seven columns, in its order: Enabled, Disabled, Pending deletion
 * (and Pending replica deletion), Pending import, Unavailable, Creating, Updating.
 */
function row(enabled: Cell, disabled: Cell, pendingDeletion: Cell, pendingImport: Cell, unavailable: Cell, creating: Cell, updating: Cell): Row {
  return {
    Enabled: enabled,
    Disabled: disabled,
    PendingDeletion: pendingDeletion,
    PendingReplicaDeletion: pendingDeletion,
    PendingImport: pendingImport,
    Unavailable: unavailable,
    Creating: creating,
    Updating: updating,
  };
}

/** [7]: unsupported for a key with imported key material (or in a custom key store), else `otherwise`. */
const notImported = (otherwise: 'ok' | FailureNote): Cell => ({ external: 7, otherwise });
/** [9]: unsupported unless the key has imported key material, else `external`. */
const importedOnly = (external: 'ok' | FailureNote): Cell => ({ external, otherwise: 9 });

/*
 * "N/A" cells (a state the key type cannot be in, such as an HMAC key pending import in the
 * guide's edition) take the outcome of the column's other cryptographic operations, so a key the
 * model now allows in that state still gets AWS's answer for the state.
 */
const CRYPTOGRAPHIC = row('ok', 1, 3, 5, 11, 14, 'ok');
const ANY_STATE = row('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok');
const MANAGEMENT = row('ok', 'ok', 3, 'ok', 'ok', 'ok', 'ok');
const ENABLEMENT = row('ok', 'ok', 3, 5, 'ok', 14, 15);
const ROTATION = row(notImported('ok'), notImported(1), notImported(3), 6, 7, 14, notImported('ok'));
const ROTATION_LISTING = row(notImported('ok'), notImported('ok'), notImported('ok'), 6, 7, notImported('ok'), notImported('ok'));

/** The table, one row per operation the guide lists, in its order. */
export const KEY_STATE_TABLE = {
  CancelKeyDeletion: row(4, 4, 'ok', 4, 4, 4, 4),
  CreateAlias: MANAGEMENT,
  CreateGrant: row('ok', 1, 3, 5, 'ok', 14, 'ok'),
  Decrypt: CRYPTOGRAPHIC,
  DeleteAlias: ANY_STATE,
  DeleteImportedKeyMaterial: row(importedOnly('ok'), importedOnly('ok'), importedOnly('ok'), 'ok', 9, 14, 15),
  DescribeKey: ANY_STATE,
  DisableKey: ENABLEMENT,
  DisableKeyRotation: ROTATION,
  EnableKey: ENABLEMENT,
  EnableKeyRotation: ROTATION,
  Encrypt: CRYPTOGRAPHIC,
  GenerateDataKey: CRYPTOGRAPHIC,
  GenerateDataKeyPair: CRYPTOGRAPHIC,
  GenerateDataKeyPairWithoutPlaintext: CRYPTOGRAPHIC,
  GenerateDataKeyWithoutPlaintext: CRYPTOGRAPHIC,
  GenerateMac: CRYPTOGRAPHIC,
  GetKeyPolicy: ANY_STATE,
  GetKeyRotationStatus: ROTATION_LISTING,
  GetParametersForImport: row(importedOnly('ok'), importedOnly('ok'), importedOnly(3), 'ok', 9, 14, 15),
  GetPublicKey: CRYPTOGRAPHIC,
  ImportKeyMaterial: row(importedOnly('ok'), importedOnly('ok'), importedOnly(3), 'ok', 9, 14, importedOnly('ok')),
  ListAliases: ANY_STATE,
  ListGrants: ANY_STATE,
  ListKeyPolicies: ANY_STATE,
  ListKeyRotations: ROTATION_LISTING,
  ListResourceTags: ANY_STATE,
  PutKeyPolicy: ANY_STATE,
  ReEncrypt: CRYPTOGRAPHIC,
  ReplicateKey: row('ok', 1, 3, 5, 11, 14, 15),
  RetireGrant: ANY_STATE,
  RevokeGrant: ANY_STATE,
  /*
   * Newer than the guide's table, which refuses every key with imported material ([7]): AWS KMS now
   * rotates a symmetric key to new imported material on demand, and answers a key without its
   * material with [5] (LocalStack's AWS-validated test_rotate_key_on_demand_on_external_key_with_no_key_material).
   */
  RotateKeyOnDemand: row('ok', 1, 3, 5, 7, 14, 'ok'),
  ScheduleKeyDeletion: row('ok', 'ok', 3, 'ok', 'ok', 'ok', 15),
  Sign: CRYPTOGRAPHIC,
  TagResource: MANAGEMENT,
  UntagResource: MANAGEMENT,
  /* [10]: UpdateAlias checks the key the alias moves to; the key it leaves may be pending deletion. */
  UpdateAlias: MANAGEMENT,
  UpdateKeyDescription: MANAGEMENT,
  UpdatePrimaryRegion: row('ok', 1, 3, 5, 11, 14, 'ok'),
  Verify: CRYPTOGRAPHIC,
  VerifyMac: CRYPTOGRAPHIC,
  /* Newer than the guide's table: key agreement is a cryptographic operation like the others. */
  DeriveSharedSecret: CRYPTOGRAPHIC,
  /* Newer than the guide's table: the model's GetKeyLastUsage reads metadata, as DescribeKey does. */
  GetKeyLastUsage: ANY_STATE,
} as const satisfies Readonly<Record<string, Row>>;

/** An operation of the table: the name of an operation that uses an existing key. */
export type KeyStateOperation = keyof typeof KEY_STATE_TABLE;
