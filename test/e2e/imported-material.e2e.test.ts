/**
 * Imported key material end to end, through the stock JS SDK and the AWS CLI against the local
 * service and its SoftHSM token: keys created with Origin EXTERNAL, material wrapped by Node's
 * crypto and by the OpenSSL command line (the guide's step 3) for every wrapping algorithm,
 * the key then working as the original key does, AWS's recorded answers, DeleteImportedKeyMaterial,
 * and expiry at ValidTo when the service starts again with --clock-offset past it.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes, verify as nodeVerify } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateKeyCommand, DecryptCommand, DeleteImportedKeyMaterialCommand, DescribeKeyCommand, EncryptCommand, GenerateMacCommand,
  GetParametersForImportCommand, GetPublicKeyCommand, ImportKeyMaterialCommand, RotateKeyOnDemandCommand, SignCommand,
  type AlgorithmSpec, type CreateKeyCommandInput, type ImportKeyMaterialCommandInput, type WrappingKeySpec,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { expectKmsError, required } from './support/assertions.js';
import { readAuditLines } from './support/audit-log.js';
import { ACCOUNT_ID, useLocalService } from './support/local-service.js';
import { wrapForImport } from '../support/wrap-for-import.js';

const e2e = useLocalService();
const DAY = 86_400_000;
const TEXT = new TextEncoder().encode('under imported key material');

async function externalKey(input: CreateKeyCommandInput = {}): Promise<{ keyId: string; arn: string }> {
  const metadata = required((await e2e.kms.send(new CreateKeyCommand({ ...input, Origin: 'EXTERNAL' }))).KeyMetadata, 'KeyMetadata');
  return { keyId: required(metadata.KeyId, 'KeyId'), arn: required(metadata.Arn, 'Arn') };
}

/** GetParametersForImport and the guide's step 3 with Node's crypto: what ImportKeyMaterial takes. */
async function wrapped(keyId: string, material: Uint8Array, algorithm: AlgorithmSpec = 'RSAES_OAEP_SHA_256', wrappingKeySpec: WrappingKeySpec = 'RSA_2048') {
  const parameters = await e2e.kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: wrappingKeySpec }));
  return {
    ImportToken: required(parameters.ImportToken, 'ImportToken'),
    EncryptedKeyMaterial: wrapForImport(required(parameters.PublicKey, 'PublicKey'), algorithm, material),
  };
}

async function importInto(keyId: string, material: Uint8Array, terms: Partial<ImportKeyMaterialCommandInput> = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
  algorithm?: AlgorithmSpec, wrappingKeySpec?: WrappingKeySpec) {
  return e2e.kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ...(await wrapped(keyId, material, algorithm, wrappingKeySpec)), ...terms }));
}

describe('imported key material through the JS SDK', () => {
  it.each(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'] as const)(
    'imports symmetric material wrapped with %s: the key is enabled, names the material, and encrypts and decrypts', async (algorithm) => {
      // Prepare
      const key = await externalKey({ Description: 'imported' });
      const before = await e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }));

      // Act
      const imported = await importInto(key.keyId, randomBytes(32), undefined, algorithm, 'RSA_3072');
      const after = await e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }));
      const { CiphertextBlob } = await e2e.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: TEXT }));
      const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob }));

      // Assess
      expect(before.KeyMetadata).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false });
      expect(before.KeyMetadata?.CurrentKeyMaterialId).toBeUndefined();
      expect(imported).toMatchObject({ KeyId: key.arn, KeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(after.KeyMetadata).toMatchObject({
        KeyState: 'Enabled', Enabled: true, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', CurrentKeyMaterialId: imported.KeyMaterialId,
      });
      expect(decrypted.Plaintext).toEqual(TEXT);
      expect(decrypted.KeyMaterialId).toBe(imported.KeyMaterialId);
    });

  it('imports an ECC_NIST_P256 private key (RSAES_OAEP_SHA_256, as AWS\'s recorded test does): GetPublicKey returns its public key and its signatures verify', async () => {
    // Prepare
    const key = await externalKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

    // Act
    await importInto(key.keyId, pair.privateKey.export({ type: 'pkcs8', format: 'der' }));
    const { PublicKey } = await e2e.kms.send(new GetPublicKeyCommand({ KeyId: key.keyId }));
    const { Signature } = await e2e.kms.send(new SignCommand({ KeyId: key.keyId, Message: TEXT, SigningAlgorithm: 'ECDSA_SHA_256' }));

    // Assess
    expect(Buffer.from(required(PublicKey, 'PublicKey'))).toEqual(pair.publicKey.export({ type: 'spki', format: 'der' }));
    expect(nodeVerify('sha256', TEXT, pair.publicKey, required(Signature, 'Signature'))).toBe(true);
  });

  it('imports an RSA_2048 signing key through RSA_AES_KEY_WRAP_SHA_256 under an RSA_4096 wrapping key', async () => {
    // Prepare
    const key = await externalKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });

    // Act
    await importInto(key.keyId, pair.privateKey.export({ type: 'pkcs8', format: 'der' }), undefined, 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_4096');
    const { Signature } = await e2e.kms.send(new SignCommand({ KeyId: key.keyId, Message: TEXT, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }));

    // Assess
    expect(nodeVerify('sha256', TEXT, pair.publicKey, required(Signature, 'Signature'))).toBe(true);
  });

  it('imports an HMAC_256 key whose MAC is the one Node computes with it', async () => {
    // Prepare
    const key = await externalKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const material = randomBytes(32);

    // Act
    await importInto(key.keyId, material, undefined, 'RSAES_OAEP_SHA_1');
    const { Mac } = await e2e.kms.send(new GenerateMacCommand({ KeyId: key.keyId, Message: TEXT, MacAlgorithm: 'HMAC_SHA_256' }));

    // Assess
    expect(Buffer.from(required(Mac, 'Mac'))).toEqual(createHmac('sha256', material).update(TEXT).digest());
  });

  it('answers as AWS was recorded: pending import before the import, and a ValidTo required by KEY_MATERIAL_EXPIRES', async () => {
    // Prepare
    const key = await externalKey();
    const input = await wrapped(key.keyId, randomBytes(32));
    const aws = await e2e.kms.send(new CreateKeyCommand({}));

    // Act / Assess (one call at a time)
    await expectKmsError(e2e.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: TEXT })), 'KMSInvalidStateException', `${key.arn} is pending import.`);
    await expectKmsError(e2e.kms.send(new ImportKeyMaterialCommand({ KeyId: key.keyId, ...input })), 'ValidationException',
      'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
    await expectKmsError(e2e.kms.send(new GetParametersForImportCommand({ KeyId: aws.KeyMetadata?.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })),
      'UnsupportedOperationException', `${aws.KeyMetadata?.Arn} origin is AWS_KMS which is not valid for this operation.`);
  });

  it('refuses a token made for another key, and other material than the key had, and writes nothing', async () => {
    // Prepare
    const key = await externalKey();
    const other = await externalKey();
    const material = randomBytes(32);
    await importInto(key.keyId, material);
    const forOther = await wrapped(other.keyId, randomBytes(32));

    // Act / Assess (one call at a time)
    await expectKmsError(e2e.kms.send(new ImportKeyMaterialCommand({ KeyId: key.keyId, ...forOther, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })),
      'InvalidImportTokenException', `The import token is not valid for ${key.arn}.`);
    await expectKmsError(importInto(key.keyId, randomBytes(32)), 'IncorrectKeyMaterialException',
      `The key material is not the key material previously imported into ${key.arn}.`);
    expect((await e2e.kms.send(new DescribeKeyCommand({ KeyId: other.keyId }))).KeyMetadata?.KeyState).toBe('PendingImport');
  });

  it('deletes the material: pending import, old ciphertext refused; the same material reimported decrypts it again', async () => {
    // Prepare
    const key = await externalKey();
    const material = randomBytes(32);
    const { KeyMaterialId } = await importInto(key.keyId, material);
    const { CiphertextBlob } = await e2e.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: TEXT }));

    // Act
    const deleted = await e2e.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId }));
    const state = (await e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata?.KeyState;
    await expectKmsError(e2e.kms.send(new DecryptCommand({ CiphertextBlob })), 'KMSInvalidStateException', `${key.arn} is pending import.`);
    await importInto(key.keyId, material);
    const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob }));

    // Assess
    expect(deleted).toMatchObject({ KeyId: key.arn, KeyMaterialId });
    expect(state).toBe('PendingImport');
    expect(decrypted.Plaintext).toEqual(TEXT);
  });
});

describe('on-demand rotation to new imported key material, as AWS\'s recorded tests do it', () => {
  it('keeps the current material until RotateKeyOnDemand, then encrypts under the new one and still decrypts the old ciphertext', async () => {
    // Prepare
    const key = await externalKey();
    const first = await importInto(key.keyId, randomBytes(32));
    const old = await e2e.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: TEXT }));

    // Act
    await expectKmsError(e2e.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId })), 'KMSInvalidStateException',
      `No available key material pending rotation for the key: ${key.arn}.`);
    const second = await importInto(key.keyId, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ImportType: 'NEW_KEY_MATERIAL' });
    const pending = (await e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata?.CurrentKeyMaterialId;
    const third = await wrapped(key.keyId, randomBytes(32));
    const refused = await e2e.kms.send(new ImportKeyMaterialCommand({
      KeyId: key.keyId, ...third, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ImportType: 'NEW_KEY_MATERIAL',
    })).then(() => undefined, (error: unknown) => error as Error);
    const rotated = await e2e.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId }));
    const deadline = Date.now() + 10_000;
    let current = pending;
    while (current === pending && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      current = (await e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata?.CurrentKeyMaterialId;
    }
    const fresh = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: (await e2e.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: TEXT }))).CiphertextBlob }));
    const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: old.CiphertextBlob }));

    // Assess
    expect(pending).toBe(first.KeyMaterialId);
    expect(refused?.name).toBe('KMSInvalidStateException');
    expect(refused?.message).toMatch(new RegExp(`because another key material \\(id: ${second.KeyMaterialId}\\) is pending rotation\\.$`));
    expect(rotated.KeyId).toBe(key.arn);
    expect(current).toBe(second.KeyMaterialId);
    expect(fresh.KeyMaterialId).toBe(second.KeyMaterialId);
    expect(decrypted).toMatchObject({ Plaintext: TEXT, KeyMaterialId: first.KeyMaterialId });
  });
});

describe('expiry of imported key material on a moved clock', () => {
  it('deletes material whose ValidTo passed while the service was down as it starts, with a DeleteExpiredKeyMaterial event', async () => {
    // Prepare
    const key = await externalKey();
    const material = randomBytes(32);
    const ValidTo = new Date(Math.floor(Date.now() / 1000) * 1000 + 2 * DAY);
    await importInto(key.keyId, material, { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo });
    const before = (await e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata;

    // Act
    await e2e.restart({ clockOffsetMs: 3 * DAY });
    const after = (await e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata;
    await importInto(key.keyId, material);
    const reimported = (await e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata;
    await e2e.restart({});

    // Assess
    expect(before).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo });
    expect(after?.KeyState).toBe('PendingImport');
    expect(after?.ValidTo).toBeUndefined();
    expect(reimported).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    const events = (await readAuditLines(e2e.dataDir)).filter((line) => line.eventName === 'DeleteExpiredKeyMaterial');
    expect(events).toEqual([expect.objectContaining({
      eventType: 'AwsServiceEvent',
      userIdentity: { accountId: ACCOUNT_ID, invokedBy: 'AWS Internal' },
      resources: [{ accountId: ACCOUNT_ID, type: 'AWS::KMS::Key', ARN: key.arn }],
      serviceEventDetails: { keyId: key.keyId },
    })]);
  });
});

describe('imported key material through the AWS CLI and OpenSSL, as the guide does it', () => {
  it('creates the key, downloads the wrapping key and token, wraps with openssl (RSA_AES_KEY_WRAP_SHA_256), imports with fileb:// and deletes the material', async () => {
    // Prepare
    const aws = (...args: string[]) => e2e.awsKms(...args);
    const dir = await mkdtemp(join(tmpdir(), 'kms-cli-import-'));
    const created = await aws('create-key', '--origin', 'EXTERNAL', '--description', 'cli import');
    const keyId = String((created['KeyMetadata'] as Record<string, unknown>)['KeyId']);

    // Act
    const parameters = await aws('get-parameters-for-import', '--key-id', keyId, '--wrapping-algorithm', 'RSA_AES_KEY_WRAP_SHA_256', '--wrapping-key-spec', 'RSA_4096');
    await writeFile(join(dir, 'WrappingPublicKey.bin'), Buffer.from(String(parameters['PublicKey']), 'base64'));
    await writeFile(join(dir, 'ImportToken.bin'), Buffer.from(String(parameters['ImportToken']), 'base64'));
    await writeFile(join(dir, 'PlaintextKeyMaterial.bin'), randomBytes(32));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir });
    openssl('rand', '-out', 'aes-key.bin', '32');
    const aesKeyHex = (await readFile(join(dir, 'aes-key.bin'))).toString('hex');
    openssl('enc', '-id-aes256-wrap-pad', '-K', aesKeyHex, '-iv', 'A65959A6', '-in', 'PlaintextKeyMaterial.bin', '-out', 'key-material-wrapped.bin');
    openssl('pkeyutl', '-encrypt', '-in', 'aes-key.bin', '-out', 'aes-key-wrapped.bin', '-inkey', 'WrappingPublicKey.bin', '-keyform', 'DER', '-pubin',
      '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256');
    await writeFile(join(dir, 'EncryptedKeyMaterial.bin'), Buffer.concat([await readFile(join(dir, 'aes-key-wrapped.bin')), await readFile(join(dir, 'key-material-wrapped.bin'))]));
    const imported = await aws('import-key-material', '--key-id', keyId, '--encrypted-key-material', `fileb://${join(dir, 'EncryptedKeyMaterial.bin')}`,
      '--import-token', `fileb://${join(dir, 'ImportToken.bin')}`, '--expiration-model', 'KEY_MATERIAL_DOES_NOT_EXPIRE');
    const described = await aws('describe-key', '--key-id', keyId);
    const deleted = await aws('delete-imported-key-material', '--key-id', keyId);
    const afterwards = await aws('describe-key', '--key-id', keyId);
    await rm(dir, { recursive: true, force: true });

    // Assess
    expect(created['KeyMetadata']).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport' });
    expect(parameters).toMatchObject({ KeyId: expect.stringContaining(keyId), ParametersValidTo: expect.any(Number) });
    expect(imported['KeyMaterialId']).toMatch(/^[0-9a-f]{64}$/);
    expect(described['KeyMetadata']).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', CurrentKeyMaterialId: imported['KeyMaterialId'] });
    expect(deleted).toMatchObject({ KeyMaterialId: imported['KeyMaterialId'] });
    expect(afterwards['KeyMetadata']).toMatchObject({ KeyState: 'PendingImport' });
  }, 120_000);
});
