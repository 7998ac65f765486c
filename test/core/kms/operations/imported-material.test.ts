/**
 * Imported key material (Developer Guide, "Importing key material for AWS KMS keys"; API Reference
 * of CreateKey with Origin EXTERNAL, GetParametersForImport, ImportKeyMaterial and
 * DeleteImportedKeyMaterial) through the core handlers and the lifecycle's due work, on a clock the
 * tests move. The unwrap is the in-memory fake; the token's is tested in
 * test/adapters/pkcs11/material-import.integ.test.ts.
 */
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ExpiredImportTokenException, IncorrectKeyMaterialException, InvalidImportTokenException, KMSInvalidStateException,
  NotFoundException, UnsupportedOperationException, ValidationException,
} from '../../../../src/models/kms/generated/errors.js';
import type { AlgorithmSpec, KeySpec } from '../../../../src/models/kms/generated/shapes.js';
import { createKey } from '../../../../src/core/kms/operations/create-key.js';
import { decrypt, encrypt } from '../../../../src/core/kms/operations/encrypt-decrypt.js';
import { describeKey } from '../../../../src/core/kms/operations/key-management.js';
import { getPublicKey } from '../../../../src/core/kms/operations/sign-verify.js';
import { deleteImportedKeyMaterial, getParametersForImport, importKeyMaterial } from '../../../../src/core/kms/operations/imported-material.js';
import { scheduleKeyDeletion } from '../../../../src/core/kms/lifecycle/key-deletion.js';
import { rotateKeyOnDemand } from '../../../../src/core/kms/lifecycle/key-rotation.js';
import { lifecycleDueAt } from '../../../../src/core/kms/lifecycle/due-dates.js';
import type { KeyRecord } from '../../../../src/core/kms/records.js';
import { bytes, caught, dueWorkRunner, makeCall, makeCore, runHandler, type CoreHarness } from '../../../support/core.js';
import { wrapForImport } from '../../../support/wrap-for-import.js';

const DAY = 86_400_000;

async function externalKey(core: CoreHarness, keySpec: KeySpec = 'SYMMETRIC_DEFAULT', keyUsage?: 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC'): Promise<KeyRecord> {
  const { KeyMetadata } = await runHandler(core, createKey, { Origin: 'EXTERNAL', KeySpec: keySpec, ...(keyUsage === undefined ? {} : { KeyUsage: keyUsage }) });
  const key = await core.store.getKey({ accountId: KeyMetadata?.AWSAccountId ?? '', region: 'us-east-1', keyId: KeyMetadata?.KeyId ?? '' });
  if (key === undefined) throw new Error('no key');
  return key;
}

/** GetParametersForImport, then the material wrapped as a client wraps it. */
async function wrapped(core: CoreHarness, key: KeyRecord, material: Uint8Array, algorithm: AlgorithmSpec = 'RSAES_OAEP_SHA_256') {
  const parameters = await runHandler(core, getParametersForImport, { KeyId: key.keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: 'RSA_2048' });
  return { ImportToken: parameters.ImportToken ?? new Uint8Array(), EncryptedKeyMaterial: wrapForImport(parameters.PublicKey ?? new Uint8Array(), algorithm, material) };
}

async function imported(core: CoreHarness, key: KeyRecord, material: Uint8Array, terms: Record<string, unknown> = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }) {
  return runHandler(core, importKeyMaterial, { KeyId: key.keyId, ...(await wrapped(core, key, material)), ...terms });
}

const metadataOf = async (core: CoreHarness, key: KeyRecord) => (await runHandler(core, describeKey, { KeyId: key.keyId })).KeyMetadata;

describe('CreateKey with Origin EXTERNAL', () => {
  it('makes a key pending import, with no key material and no key material ID', async () => {
    // Prepare
    const core = makeCore();

    // Act
    const { KeyMetadata } = await runHandler(core, createKey, { Origin: 'EXTERNAL' });

    // Assess
    expect(KeyMetadata).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false, KeySpec: 'SYMMETRIC_DEFAULT' });
    expect(KeyMetadata?.CurrentKeyMaterialId).toBeUndefined();
    expect(KeyMetadata?.ExpirationModel).toBeUndefined();
    const key = await core.store.getKey({ accountId: '111122223333', region: 'us-east-1', keyId: KeyMetadata?.KeyId ?? '' });
    expect(await core.store.listBackingKeys(key ?? { accountId: '', region: '', keyId: '' })).toEqual([]);
  });

  it.each(['ML_DSA_44', 'ECC_NIST_EDWARDS25519'] as const)(
    'throws UnsupportedOperationException for %s, because imported key material is offered for the key specs the token holds', async (keySpec) => {
      // Act
      const error = await caught(runHandler(makeCore(), createKey, { Origin: 'EXTERNAL', KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY' }));

      // Assess
      expect(error).toEqual(new UnsupportedOperationException(`KeySpec ${keySpec} is not supported with Origin EXTERNAL by this service.`));
    });

  it('answers Encrypt on it with KMSInvalidStateException: pending import', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x') }));

    // Assess
    expect(error).toEqual(new KMSInvalidStateException(`${key.arn} is pending import.`));
  });
});

describe('GetParametersForImport', () => {
  it('returns an RSA public key of the wrapping key spec and an import token valid for 24 hours', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const now = core.clock.now().getTime();

    // Act
    const output = await runHandler(core, getParametersForImport, { KeyId: key.keyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_3072' });

    // Assess
    expect(output.KeyId).toBe(key.arn);
    expect(output.ParametersValidTo).toEqual(new Date(now + DAY));
    const publicKey = createPublicKey({ key: Buffer.from(output.PublicKey ?? []), format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(output.ImportToken?.length).toBeGreaterThan(0);
  });

  it('throws UnsupportedOperationException for the SM2 wrapping key spec and SM2PKE, because they are offered in the China Regions only', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core, 'RSA_2048', 'SIGN_VERIFY');

    // Act
    const spec = await caught(runHandler(core, getParametersForImport, { KeyId: key.keyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'SM2' }));
    const algorithm = await caught(runHandler(core, getParametersForImport, { KeyId: key.keyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'RSA_2048' }));

    // Assess
    expect(spec).toEqual(new UnsupportedOperationException('WrappingKeySpec SM2 is supported only in the AWS China Regions.'));
    expect(algorithm).toEqual(new UnsupportedOperationException('WrappingAlgorithm SM2PKE is supported only in the AWS China Regions.'));
  });

  it.each([
    ['SYMMETRIC_DEFAULT', undefined, 'RSAES_PKCS1_V1_5', 'RSA_2048'],
    ['RSA_2048', 'SIGN_VERIFY', 'RSAES_OAEP_SHA_256', 'RSA_4096'],
    ['ECC_NIST_P521', 'SIGN_VERIFY', 'RSAES_OAEP_SHA_1', 'RSA_2048'],
  ] as const)('throws ValidationException for %s key material with %s and %s, because the wrapping algorithm and wrapping key spec are ones the guide allows for the key material',
    async (keySpec, keyUsage, algorithm, wrappingKeySpec) => {
      // Prepare
      const core = makeCore();
      const key = await externalKey(core, keySpec, keyUsage);

      // Act
      const error = await caught(runHandler(core, getParametersForImport, { KeyId: key.keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: wrappingKeySpec }));

      // Assess
      expect(error).toEqual(new ValidationException(
        `WrappingAlgorithm ${algorithm} with WrappingKeySpec ${wrappingKeySpec} is not supported for key material of KeySpec ${keySpec}.`));
    });
});

describe('ImportKeyMaterial', () => {
  it('enables the key with the material, whose ID is the current key material ID, and encrypts and decrypts with it', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);

    // Act
    const output = await imported(core, key, randomBytes(32));
    const { CiphertextBlob } = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('hello') });
    const { Plaintext } = await runHandler(core, decrypt, { CiphertextBlob: CiphertextBlob ?? new Uint8Array() });

    // Assess
    expect(output.KeyId).toBe(key.arn);
    expect(output.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(await metadataOf(core, key)).toMatchObject({
      KeyState: 'Enabled', Enabled: true, CurrentKeyMaterialId: output.KeyMaterialId, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    expect(Plaintext).toEqual(bytes('hello'));
  });

  it('imports an ECC private key, whose public key GetPublicKey then returns', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core, 'ECC_NIST_P256', 'SIGN_VERIFY');
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

    // Act
    await imported(core, key, pair.privateKey.export({ type: 'pkcs8', format: 'der' }));
    const { PublicKey } = await runHandler(core, getPublicKey, { KeyId: key.keyId });

    // Assess
    expect(Buffer.from(PublicKey ?? [])).toEqual(pair.publicKey.export({ type: 'spki', format: 'der' }));
    expect((await metadataOf(core, key))?.CurrentKeyMaterialId).toBeUndefined();
  });

  it('throws ValidationException when ExpirationModel is KEY_MATERIAL_EXPIRES (the default) without ValidTo, because material that expires has a ValidTo', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);

    // Act
    const error = await caught(imported(core, key, randomBytes(32), {}));

    // Assess
    expect(error).toEqual(new ValidationException('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES'));
    expect((await metadataOf(core, key))?.KeyState).toBe('PendingImport');
  });

  it('throws ValidationException for ValidTo with KEY_MATERIAL_DOES_NOT_EXPIRE, because material that does not expire has no ValidTo', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const ValidTo = new Date(core.clock.now().getTime() + DAY);

    // Act
    const error = await caught(imported(core, key, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ValidTo }));

    // Assess
    expect(error).toEqual(new ValidationException('A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE'));
  });

  it.each([[-1], [366 * DAY]])('throws ValidationException for a ValidTo %i ms from now, because ValidTo is in the future and at most 365 days away', async (offset) => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const ValidTo = new Date(core.clock.now().getTime() + offset);

    // Act
    const error = await caught(imported(core, key, randomBytes(32), { ValidTo }));

    // Assess
    expect(error).toEqual(new ValidationException('ValidTo must be in the future and at most 365 days from now.'));
  });

  it('throws InvalidImportTokenException for a token of another key and for bytes that are no token, because the import token is one GetParametersForImport returned for this key', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const other = await externalKey(core);
    const forOther = await wrapped(core, other, randomBytes(32));

    // Act
    const errors = await Promise.all([forOther.ImportToken, randomBytes(64), new Uint8Array(3)].map((ImportToken) => caught(runHandler(core, importKeyMaterial, {
      KeyId: key.keyId, ImportToken, EncryptedKeyMaterial: forOther.EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    }))));

    // Assess
    for (const error of errors) expect(error).toEqual(new InvalidImportTokenException(`The import token is not valid for ${key.arn}.`));
  });

  it('throws ExpiredImportTokenException 24 hours after GetParametersForImport, because the import token has not expired', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const input = await wrapped(core, key, randomBytes(32));
    const validTo = new Date(core.clock.now().getTime() + DAY);
    core.clock.advance(DAY);

    // Act
    const error = await caught(runHandler(core, importKeyMaterial, { KeyId: key.keyId, ...input, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));

    // Assess
    expect(error).toEqual(new ExpiredImportTokenException(`The import token expired at ${validTo.toISOString()}. Call GetParametersForImport again.`));
  });

  it('throws IncorrectKeyMaterialException for symmetric material that is not 32 bytes long', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);

    // Act
    const error = await caught(imported(core, key, randomBytes(16)));

    // Assess
    expect(error).toEqual(new IncorrectKeyMaterialException('The key material is not valid key material for a SYMMETRIC_DEFAULT KMS key.'));
  });

  it('reimports the same material after DeleteImportedKeyMaterial, which decrypts the old ciphertext, and refuses other material with IncorrectKeyMaterialException, because reimported material is the material of the key', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const material = randomBytes(32);
    const first = await imported(core, key, material);
    const { CiphertextBlob } = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('kept') });
    await runHandler(core, deleteImportedKeyMaterial, { KeyId: key.keyId });

    // Act
    const other = await caught(imported(core, key, randomBytes(32)));
    const again = await imported(core, key, material);
    const { Plaintext } = await runHandler(core, decrypt, { CiphertextBlob: CiphertextBlob ?? new Uint8Array() });

    // Assess
    expect(other).toEqual(new IncorrectKeyMaterialException(`The key material is not the key material previously imported into ${key.arn}.`));
    expect(again.KeyMaterialId).toBe(first.KeyMaterialId);
    expect(Plaintext).toEqual(bytes('kept'));
  });

  it('changes only the expiration terms when the material of the key is reimported while it has it', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const material = randomBytes(32);
    await imported(core, key, material);
    const ValidTo = new Date(core.clock.now().getTime() + 30 * DAY);

    // Act
    await imported(core, key, material, { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo });

    // Assess
    expect(await metadataOf(core, key)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo });
    expect(await core.store.listBackingKeys(key)).toHaveLength(1);
  });

  it('throws NotFoundException for a KeyMaterialId the key does not have, because a named key material ID is one of the key', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const material = randomBytes(32);
    await imported(core, key, material);
    const keyMaterialId = 'cd'.repeat(32);

    // Act
    const reimport = await caught(imported(core, key, material, { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', KeyMaterialId: keyMaterialId }));
    const deletion = await caught(runHandler(core, deleteImportedKeyMaterial, { KeyId: key.keyId, KeyMaterialId: keyMaterialId }));

    // Assess
    for (const error of [reimport, deletion]) expect(error).toEqual(new NotFoundException(`Key material ${keyMaterialId} is not associated with ${key.arn}.`));
  });

  it('throws ValidationException for ImportType on an HMAC key, because ImportType, KeyMaterialId and KeyMaterialDescription are only for symmetric encryption keys', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core, 'HMAC_256', 'GENERATE_VERIFY_MAC');

    // Act
    const error = await caught(imported(core, key, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ImportType: 'NEW_KEY_MATERIAL' }));

    // Assess
    expect(error).toEqual(new ValidationException('ImportType, KeyMaterialId and KeyMaterialDescription are only valid for symmetric encryption KMS keys.'));
  });

  it('throws ValidationException for a KeyMaterialId with NEW_KEY_MATERIAL, because a key material ID is not given with NEW_KEY_MATERIAL', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);

    // Act
    const error = await caught(imported(core, key, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ImportType: 'NEW_KEY_MATERIAL', KeyMaterialId: 'ab'.repeat(32) }));

    // Assess
    expect(error).toEqual(new ValidationException('You cannot specify a key material ID with ImportType set to NEW_KEY_MATERIAL.'));
  });

  it('throws KMSInvalidStateException for EXISTING_KEY_MATERIAL into a key that never had material, because EXISTING_KEY_MATERIAL reimports material the key had', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);

    // Act
    const error = await caught(imported(core, key, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ImportType: 'EXISTING_KEY_MATERIAL' }));

    // Assess
    expect(error).toEqual(new KMSInvalidStateException(`${key.arn} has no key material to reimport. Use ImportType NEW_KEY_MATERIAL.`));
  });

  it('throws IncorrectKeyMaterialException for other material into an HMAC key that has material (its key material never changes)', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core, 'HMAC_256', 'GENERATE_VERIFY_MAC');
    await imported(core, key, randomBytes(32));

    // Act
    const error = await caught(imported(core, key, randomBytes(32)));

    // Assess
    expect(error).toEqual(new IncorrectKeyMaterialException(`The key material is not the key material previously imported into ${key.arn}.`));
  });

  it('stores NEW_KEY_MATERIAL beside the current material until RotateKeyOnDemand makes it current; old ciphertext still decrypts', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const first = await imported(core, key, randomBytes(32));
    const { CiphertextBlob } = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('first') });

    // Act
    const second = await imported(core, key, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ImportType: 'NEW_KEY_MATERIAL' });
    const pending = await metadataOf(core, key);
    await runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId });
    const due = await dueWorkRunner(core)(key);
    const rotated = await metadataOf(core, key);
    const fresh = await runHandler(core, decrypt, {
      CiphertextBlob: (await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('second') })).CiphertextBlob ?? new Uint8Array(),
    });
    const old = await runHandler(core, decrypt, { CiphertextBlob: CiphertextBlob ?? new Uint8Array() });

    // Assess
    expect(second.KeyMaterialId).not.toBe(first.KeyMaterialId);
    expect(pending?.CurrentKeyMaterialId).toBe(first.KeyMaterialId);
    expect(due).toEqual({ done: 'RotateKey', keyArn: key.arn, rotationType: 'ON_DEMAND' });
    expect(rotated).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: second.KeyMaterialId, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(fresh.KeyMaterialId).toBe(second.KeyMaterialId);
    expect(old).toMatchObject({ Plaintext: bytes('first'), KeyMaterialId: first.KeyMaterialId });
  });

  it('throws KMSInvalidStateException for new material while other new material is pending rotation, because no other new key material is pending rotation', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const material = randomBytes(32);
    await imported(core, key, randomBytes(32));
    const pending = await imported(core, key, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ImportType: 'NEW_KEY_MATERIAL' });
    const asNew = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ImportType: 'NEW_KEY_MATERIAL' };

    // Act
    const error = await caught(imported(core, key, material, asNew));
    await runHandler(core, deleteImportedKeyMaterial, { KeyId: key.keyId, KeyMaterialId: pending.KeyMaterialId });
    const { KeyMaterialId: newId } = await imported(core, key, material, asNew);

    // Assess
    expect(error).toEqual(new KMSInvalidStateException(
      `New key material (id: ${newId}) cannot be imported into KMS key ${key.keyId}, because another key material (id: ${pending.KeyMaterialId}) is pending rotation.`));
  });

  it('throws IncorrectKeyMaterialException for NEW_KEY_MATERIAL the key already has, because new key material is material the key does not have', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const material = randomBytes(32);
    await imported(core, key, material);

    // Act
    const error = await caught(imported(core, key, material, { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ImportType: 'NEW_KEY_MATERIAL' }));

    // Assess
    expect(error).toEqual(new IncorrectKeyMaterialException(`The key material is already associated with ${key.arn}. Import it with ImportType EXISTING_KEY_MATERIAL.`));
  });

  it('throws KMSInvalidStateException from RotateKeyOnDemand without new material, because a key with imported key material has new material waiting to become current', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    await imported(core, key, randomBytes(32));

    // Act
    const error = await caught(runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId }));

    // Assess
    expect(error).toEqual(new KMSInvalidStateException(`No available key material pending rotation for the key: ${key.arn}.`));
  });

  it('deletes material rotated out by its KeyMaterialId: its ciphertext no longer decrypts, the current material stays in use', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const first = await imported(core, key, randomBytes(32));
    const { CiphertextBlob } = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('first') });
    const second = await imported(core, key, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ImportType: 'NEW_KEY_MATERIAL' });
    await runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId });
    await dueWorkRunner(core)(key);

    // Act
    const deleted = await runHandler(core, deleteImportedKeyMaterial, { KeyId: key.keyId, KeyMaterialId: first.KeyMaterialId });
    const error = await caught(runHandler(core, decrypt, { CiphertextBlob: CiphertextBlob ?? new Uint8Array() }));

    // Assess
    expect(deleted).toEqual({ KeyId: key.arn, KeyMaterialId: first.KeyMaterialId });
    expect(await metadataOf(core, key)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: second.KeyMaterialId });
    expect(error.name).toBe('InvalidCiphertextException');
  });

  it('deletes new material pending rotation by its KeyMaterialId and leaves the current material in use', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const first = await imported(core, key, randomBytes(32));
    const second = await imported(core, key, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ImportType: 'NEW_KEY_MATERIAL' });

    // Act
    const deleted = await runHandler(core, deleteImportedKeyMaterial, { KeyId: key.keyId, KeyMaterialId: second.KeyMaterialId });
    const rotation = await caught(runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId }));

    // Assess
    expect(deleted).toEqual({ KeyId: key.arn, KeyMaterialId: second.KeyMaterialId });
    expect(await metadataOf(core, key)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: first.KeyMaterialId });
    expect((await core.store.listBackingKeys(key)).map((version) => version.backingKeyId)).toEqual([first.KeyMaterialId]);
    expect(rotation).toBeInstanceOf(KMSInvalidStateException);
  });

  it('throws UnsupportedOperationException naming the operation, because this deployment can import key material only where the token is wired', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const { keyImport: _none, ...deps } = core.deps;

    // Act
    const error = await caught(getParametersForImport({ ...makeCall(core, { KeyId: key.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }), deps }));

    // Assess
    expect(error).toEqual(new UnsupportedOperationException('GetParametersForImport is not supported by this service yet.'));
  });
});

describe('DeleteImportedKeyMaterial and expiry', () => {
  it('deletes the material: the key is pending import, its backing key is gone, and its key material ID stays', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const { KeyMaterialId } = await imported(core, key, randomBytes(32));

    // Act
    const output = await runHandler(core, deleteImportedKeyMaterial, { KeyId: key.keyId });
    const again = await runHandler(core, deleteImportedKeyMaterial, { KeyId: key.keyId });
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x') }));

    // Assess
    expect(output).toEqual({ KeyId: key.arn, KeyMaterialId });
    expect(again).toEqual(output);
    expect(await core.store.listBackingKeys(key)).toEqual([]);
    const metadata = await metadataOf(core, key);
    expect(metadata).toMatchObject({ KeyState: 'PendingImport', CurrentKeyMaterialId: KeyMaterialId });
    expect(metadata?.ExpirationModel).toBeUndefined();
    expect(error).toEqual(new KMSInvalidStateException(`${key.arn} is pending import.`));
  });

  it('leaves a key pending deletion in that state', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    await imported(core, key, randomBytes(32));
    await runHandler(core, scheduleKeyDeletion, { KeyId: key.keyId, PendingWindowInDays: 7 });

    // Act
    await runHandler(core, deleteImportedKeyMaterial, { KeyId: key.keyId });

    // Assess
    expect((await metadataOf(core, key))?.KeyState).toBe('PendingDeletion');
    expect(await core.store.listBackingKeys(key)).toEqual([]);
  });

  it('deletes expired material at ValidTo as lifecycle work, and the same material can be imported again', async () => {
    // Prepare
    const core = makeCore();
    const key = await externalKey(core);
    const material = randomBytes(32);
    const validTo = core.clock.now().getTime() + 2 * DAY;
    await imported(core, key, material, { ValidTo: new Date(validTo) });
    const stored = await core.store.getKey(key);

    // Act
    const early = await dueWorkRunner(core)(key);
    core.clock.advance(2 * DAY);
    const due = await dueWorkRunner(core)(key);
    const afterwards = await metadataOf(core, key);
    await imported(core, key, material);

    // Assess
    expect(stored !== undefined && lifecycleDueAt(stored)).toBe(validTo);
    expect(early).toEqual({ done: 'nothing' });
    expect(due).toEqual({ done: 'DeleteExpiredKeyMaterial', keyArn: key.arn });
    expect(afterwards).toMatchObject({ KeyState: 'PendingImport' });
    expect(afterwards?.ValidTo).toBeUndefined();
    expect((await metadataOf(core, key))?.KeyState).toBe('Enabled');
  });
});
