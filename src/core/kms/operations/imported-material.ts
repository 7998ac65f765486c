/**
 * Imported key material (Developer Guide, "Importing key material for AWS KMS keys"):
 * GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial, on keys created with
 * Origin EXTERNAL. The key state table decides which states and origins each accepts; expiry at
 * ValidTo is lifecycle work (`../lifecycle/due-work.ts`), as deletion and rotation are.
 */
import {
  ExpiredImportTokenException, IncorrectKeyMaterialException, InvalidCiphertextException, InvalidImportTokenException,
  KMSInvalidStateException, NotFoundException, UnsupportedOperationException, ValidationException,
} from '../../../models/kms/generated/errors.js';
import type { ImportKeyMaterialRequest } from '../../../models/kms/generated/shapes.js';
import type { ImportedMaterial, KeyImport } from '../../ports/index.js';
import { needs } from '../../errors/service-error.js';
import { bytesToHex } from '../../encoding.js';
import { CHINA_ONLY_WRAPPING, IMPORT_PARAMETERS_VALIDITY_MS, allowsWrapping, validToAllowed } from '../import/wrapping-rules.js';
import { decodeImportToken, encodeImportToken, importTokenAad, importTokenBytes, sealedImportToken } from '../import/import-token.js';
import type { ImportTokenContents } from '../import/import-token.js';
import { resolveKey } from '../keys/resolve-key.js';
import { lifecycleOf } from '../lifecycle/key-deletion.js';
import { arrangeDueWork } from './key-management.js';
import { say } from '../messages.js';
import type { BackingKeyRecord, ImportedMaterialTerms, KeyRecord } from '../records.js';
import type { OperationCall, OperationHandler } from '../service.js';

/** The key specs whose material can be imported: the ones the token holds (see the README). */
export function importable(keySpec: string): boolean {
  return keySpec === 'SYMMETRIC_DEFAULT' || keySpec.startsWith('HMAC_') || keySpec.startsWith('RSA_')
    || ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1'].includes(keySpec);
}

function keyImportOf(call: OperationCall<unknown>, operation: string): KeyImport {
  const { keyImport } = call.deps;
  /* Precondition: this deployment can import key material. */
  needs(keyImport !== undefined, () => say('operationNotSupported', { operation }), UnsupportedOperationException);
  return keyImport;
}

/** `key` once its imported material is gone (deleted or expired): PendingImport, unless it is pending deletion. */
export function withoutImportedMaterial(key: KeyRecord): KeyRecord {
  const { importedMaterial: _deleted, ...kept } = key;
  return { ...kept, keyState: key.keyState === 'PendingDeletion' ? 'PendingDeletion' : 'PendingImport', revision: key.revision + 1 };
}

export const getParametersForImport: OperationHandler<'GetParametersForImport'> = async (call) => {
  const { input, deps } = call;
  const keyImport = keyImportOf(call, 'GetParametersForImport');
  const key = await resolveKey(call, input.KeyId, { allowAliases: false, rule: 'GetParametersForImport', action: 'kms:GetParametersForImport' });
  const { WrappingAlgorithm: algorithm, WrappingKeySpec: wrappingKeySpec } = input;
  /* Precondition: the SM2 wrapping key spec is offered in the China Regions only. */
  needs(!CHINA_ONLY_WRAPPING.has(wrappingKeySpec), () => say('wrappingKeySpecNotOffered', { parameter: 'WrappingKeySpec', value: wrappingKeySpec }), UnsupportedOperationException);
  /* Precondition: the SM2PKE wrapping algorithm is offered in the China Regions only. */
  needs(!CHINA_ONLY_WRAPPING.has(algorithm), () => say('wrappingKeySpecNotOffered', { parameter: 'WrappingAlgorithm', value: algorithm }), UnsupportedOperationException);
  /* Precondition: the wrapping algorithm and wrapping key spec are ones the guide allows for the key material. */
  needs(allowsWrapping(key.keySpec, algorithm, wrappingKeySpec),
    () => say('wrappingAlgorithmNotValid', { algorithm, wrappingKeySpec, keySpec: key.keySpec }), ValidationException);
  const pair = await keyImport.generateWrappingKeyPair(wrappingKeySpec);
  const validTo = deps.clock.now().getTime() + IMPORT_PARAMETERS_VALIDITY_MS;
  const payload = encodeImportToken({ wrappingKeySpec, algorithm, validTo, wrappedPrivateKey: pair.wrappedPrivateKey });
  const sealed = await deps.material.sealSecret(payload, importTokenAad(key.arn));
  return { KeyId: key.arn, ImportToken: importTokenBytes(sealed), PublicKey: pair.publicKey, ParametersValidTo: new Date(validTo) };
};

/** The terms of the import the request asks for: ExpirationModel (default KEY_MATERIAL_EXPIRES) and ValidTo. */
function importTerms(input: ImportKeyMaterialRequest, now: number): ImportedMaterialTerms {
  const expirationModel = input.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES';
  if (expirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE') {
    /* Precondition: material that does not expire has no ValidTo. */
    needs(input.ValidTo === undefined, say('validToNotAllowed'), ValidationException);
    return { expirationModel };
  }
  /* Precondition: material that expires has a ValidTo. */
  needs(input.ValidTo !== undefined, say('validToRequired'), ValidationException);
  const validTo = input.ValidTo.getTime();
  /* Precondition: ValidTo is in the future and at most 365 days away. */
  needs(validToAllowed(validTo, now), say('validToRange'), ValidationException);
  return { expirationModel, validTo };
}

/** The import token's contents, for `key` only and only until it expires. */
async function openImportToken(call: OperationCall<unknown>, key: KeyRecord, token: Uint8Array): Promise<ImportTokenContents> {
  const sealed = sealedImportToken(token);
  let payload: Uint8Array | undefined;
  if (sealed !== undefined) {
    try {
      payload = await call.deps.material.openSecret(sealed, importTokenAad(key.arn));
    } catch (error) {
      // A token sealed for another key, altered, or not a token: it does not open.
      if (!(error instanceof InvalidCiphertextException)) throw error;
    }
  }
  const contents = payload === undefined ? undefined : decodeImportToken(payload);
  /* Precondition: the import token is one GetParametersForImport returned for this key. */
  needs(contents !== undefined, () => say('importTokenInvalid', { arn: key.arn }), InvalidImportTokenException);
  /* Precondition: the import token has not expired. */
  needs(contents.validTo > call.deps.clock.now().getTime(),
    () => say('importTokenExpired', { validTo: new Date(contents.validTo).toISOString() }), ExpiredImportTokenException);
  return contents;
}

export const importKeyMaterial: OperationHandler<'ImportKeyMaterial'> = async (call) => {
  const { input, deps } = call;
  const keyImport = keyImportOf(call, 'ImportKeyMaterial');
  const key = await resolveKey(call, input.KeyId, { allowAliases: false, rule: 'ImportKeyMaterial', action: 'kms:ImportKeyMaterial' });
  const now = deps.clock.now().getTime();
  const terms = importTerms(input, now);
  // Material that expires needs the lifecycle scheduler to delete it on its date.
  if (terms.validTo !== undefined) lifecycleOf(call, 'ImportKeyMaterial with KEY_MATERIAL_EXPIRES');
  /* Precondition: ImportType, KeyMaterialId and KeyMaterialDescription are only for symmetric encryption keys. */
  needs(key.keySpec === 'SYMMETRIC_DEFAULT' || (input.ImportType === undefined && input.KeyMaterialId === undefined && input.KeyMaterialDescription === undefined),
    say('importTypeNotValid'), ValidationException);
  /* Precondition: a key material ID is not given with NEW_KEY_MATERIAL. */
  needs(input.ImportType !== 'NEW_KEY_MATERIAL' || input.KeyMaterialId === undefined, say('keyMaterialIdWithNewMaterial'), ValidationException);
  const token = await openImportToken(call, key, input.ImportToken);
  const imported = await keyImport.unwrapKeyMaterial({
    wrappingKeySpec: token.wrappingKeySpec, algorithm: token.algorithm, wrappedPrivateKey: token.wrappedPrivateKey,
    encryptedKeyMaterial: input.EncryptedKeyMaterial, keySpec: key.keySpec, keyArn: key.arn,
  });
  const keyMaterialId = bytesToHex(imported.fingerprint);
  const hadMaterial = key.currentBackingKeyId !== '';
  const importType = input.ImportType ?? (hadMaterial ? 'EXISTING_KEY_MATERIAL' : 'NEW_KEY_MATERIAL');
  if (importType === 'EXISTING_KEY_MATERIAL') {
    /* Precondition: EXISTING_KEY_MATERIAL reimports material the key had. */
    needs(hadMaterial, () => say('noImportedMaterial', { arn: key.arn }), KMSInvalidStateException);
    /* Precondition: a named key material ID is one of the key. */
    needs(input.KeyMaterialId === undefined || input.KeyMaterialId === key.currentBackingKeyId,
      () => say('keyMaterialIdNotOfKey', { keyMaterialId: input.KeyMaterialId ?? '', arn: key.arn }), NotFoundException);
    /* Precondition: reimported material is the material of the key. */
    needs(keyMaterialId === key.currentBackingKeyId, () => say('importedMaterialDifferent', { arn: key.arn }), IncorrectKeyMaterialException);
  } else if (hadMaterial) {
    await importNewMaterial(call, key, imported, keyMaterialId, terms);
    return { KeyId: key.arn, KeyMaterialId: keyMaterialId };
  }
  const next: KeyRecord = {
    ...key,
    keyState: key.keyState === 'PendingImport' ? 'Enabled' : key.keyState,
    currentBackingKeyId: keyMaterialId,
    importedMaterial: terms,
    revision: key.revision + 1,
  };
  if (key.importedMaterial === undefined) {
    // The material is not stored (never imported, deleted or expired): write it with the key.
    await deps.keys.rotateKey(next, key.revision, backingKeyOf(key, keyMaterialId, imported, now));
  } else {
    // A reimport of material the key has: only its terms change.
    await deps.keys.updateKey(next, key.revision);
  }
  await arrangeDueWork(call, key, next);
  return { KeyId: key.arn, KeyMaterialId: keyMaterialId };
};

function backingKeyOf(key: KeyRecord, keyMaterialId: string, imported: ImportedMaterial, now: number): BackingKeyRecord {
  return {
    accountId: key.accountId, region: key.region, keyId: key.keyId, backingKeyId: keyMaterialId,
    wrappedMaterial: imported.wrappedMaterial, creationDate: now,
    ...(key.keySpec === 'SYMMETRIC_DEFAULT' ? {} : { tier: imported.tier }),
    ...(imported.publicKey === undefined ? {} : { publicKey: imported.publicKey }),
  };
}

/**
 * NEW_KEY_MATERIAL into a symmetric key that has material: stored beside it, pending rotation,
 * until RotateKeyOnDemand makes it current.
 */
async function importNewMaterial(
  call: OperationCall<ImportKeyMaterialRequest>, key: KeyRecord, imported: ImportedMaterial, keyMaterialId: string, terms: ImportedMaterialTerms,
): Promise<void> {
  const { deps } = call;
  /* Precondition: the key has its current material (it is not pending import). */
  needs(key.importedMaterial !== undefined, () => say('keyPendingImport', { arn: key.arn }), KMSInvalidStateException);
  const pending = key.pendingImportedMaterial;
  /* Precondition: no other new key material is pending rotation. */
  needs(pending === undefined, () => say('materialPendingRotation', { newId: keyMaterialId, keyId: key.keyId, pendingId: pending?.keyMaterialId ?? '' }),
    KMSInvalidStateException);
  /* Precondition: new key material is material the key does not have. */
  needs(keyMaterialId !== key.currentBackingKeyId && (await deps.keys.getBackingKey(key, keyMaterialId)) === undefined,
    () => say('importedMaterialNotNew', { arn: key.arn }), IncorrectKeyMaterialException);
  const next: KeyRecord = { ...key, pendingImportedMaterial: { keyMaterialId, terms }, revision: key.revision + 1 };
  await deps.keys.rotateKey(next, key.revision, backingKeyOf(key, keyMaterialId, imported, deps.clock.now().getTime()));
}

export const deleteImportedKeyMaterial: OperationHandler<'DeleteImportedKeyMaterial'> = async (call) => {
  const { input, deps } = call;
  const key = await resolveKey(call, input.KeyId, { allowAliases: false, rule: 'DeleteImportedKeyMaterial', action: 'kms:DeleteImportedKeyMaterial' });
  const named = input.KeyMaterialId;
  if (named !== undefined && named !== key.currentBackingKeyId) {
    /* Precondition: a named key material ID is one of the key. */
    needs((await deps.keys.getBackingKey(key, named)) !== undefined,
      () => say('keyMaterialIdNotOfKey', { keyMaterialId: named, arn: key.arn }), NotFoundException);
    // Material that is not current (pending rotation, or rotated out) is deleted alone; the current stays in use.
    const { pendingImportedMaterial: pending, ...kept } = key;
    const next = { ...kept, ...(pending === undefined || pending.keyMaterialId === named ? {} : { pendingImportedMaterial: pending }), revision: key.revision + 1 };
    await deps.keys.deleteKeyMaterial(next, key.revision, named);
    return { KeyId: key.arn, KeyMaterialId: named };
  }
  const materialId = key.currentBackingKeyId === '' ? {} : { KeyMaterialId: key.currentBackingKeyId };
  // Deleting material that is already gone changes nothing.
  if (key.importedMaterial === undefined) return { KeyId: key.arn, ...materialId };
  const next = withoutImportedMaterial(key);
  await deps.keys.deleteKeyMaterial(next, key.revision, key.currentBackingKeyId);
  await arrangeDueWork(call, key, next);
  return { KeyId: key.arn, ...materialId };
};
