/**
 * `npm run verify`: after every kind of write the API makes (keys of several specs, aliases,
 * tags, key policies, grants, rotations, deletion scheduled and cancelled, imported material, IAM
 * users, access keys, policies, roles and sessions) and a restart, every record of the data folder
 * is authentic (the service's own writes never raise a false alarm); a record forged while the
 * service was stopped is listed by its table key, with exit status 1; and a running service's
 * folder is refused.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand,
  TagUserCommand, UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DecryptCommand, DisableKeyCommand, EnableKeyCommand,
  EnableKeyRotationCommand, EncryptCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, KMSClient, PutKeyPolicyCommand,
  RetireGrantCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand, TagResourceCommand, UntagResourceCommand, UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyMetadataKey } from '../../src/adapters/dynamodb/item-keys.js';
import { DEFAULT_TABLE_NAME } from '../../src/adapters/dynamodb/table-definition.js';
import { startDynamoDbLocal } from '../../src/local/dynamodb-local.js';
import { startLocalService, type LocalService } from '../../src/local/local-service.js';
import { formatVerification, verifyDataDir, type DataDirVerification } from '../../src/local/verify-data-dir.js';
import { silentLogger } from '../../src/pipeline/logger.js';
import { wrapForImport } from '../support/wrap-for-import.js';
import { required, utf8 } from './support/assertions.js';
import { ACCOUNT_ID, REGION } from './support/local-service.js';

const run = promisify(execFile);
const ROOT_ARN = `arn:aws:iam::${ACCOUNT_ID}:root`;

function policyAllowing(principal: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'all', Effect: 'Allow', Principal: { AWS: principal }, Action: 'kms:*', Resource: '*' }] });
}

/** Runs `npm run verify`'s script on the folder; its exit status and output. */
async function verifyCommand(dataDir: string): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/verify.ts', '--data-dir', dataDir], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { status: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('npm run verify', () => {
  let dataDir: string;
  let service: LocalService | undefined;
  let afterWrites: DataDirVerification;
  let disabledKeyId: string;

  const start = async (): Promise<LocalService> => (service = await startLocalService({ dataDir, port: 0, logger: silentLogger }));
  const stop = async (): Promise<void> => {
    await service?.stop();
    service = undefined;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-verify-'));
    const running = await start();
    const credentials = { accessKeyId: running.credentials.accessKeyId, secretAccessKey: running.credentials.secretAccessKey };
    const client = { endpoint: running.endpoint, region: REGION, credentials, maxAttempts: 1 };
    const kms = new KMSClient(client);
    const iam = new IAMClient(client);
    try {
      // Keys of several specs, and every kind of change to them.
      const keyId = required((await kms.send(new CreateKeyCommand({ Description: 'first', Tags: [{ TagKey: 'a', TagValue: '1' }] }))).KeyMetadata?.KeyId, 'KeyId');
      await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }));
      await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
      await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }));
      const otherId = required((await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId, 'KeyId');
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/verify', TargetKeyId: keyId }));
      await kms.send(new UpdateAliasCommand({ AliasName: 'alias/verify', TargetKeyId: otherId }));
      await kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'b', TagValue: '2' }] }));
      await kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ['a'] }));
      await kms.send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: 'changed' }));
      await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: policyAllowing(ROOT_ARN) }));
      const { GrantId } = await kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: ROOT_ARN, RetiringPrincipal: ROOT_ARN, Operations: ['Encrypt', 'Decrypt'] }));
      await kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: ROOT_ARN, Operations: ['GenerateDataKey'], Constraints: { EncryptionContextSubset: { app: 'x' } } }));
      await kms.send(new RetireGrantCommand({ KeyId: keyId, GrantId }));
      await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
      await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
      await kms.send(new DisableKeyCommand({ KeyId: otherId }));
      await kms.send(new EnableKeyCommand({ KeyId: otherId }));
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: otherId, PendingWindowInDays: 7 }));
      await kms.send(new CancelKeyDeletionCommand({ KeyId: otherId }));
      disabledKeyId = otherId;
      const ciphertext = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: utf8('before the restart') }))).CiphertextBlob;
      // Imported key material.
      const externalId = required((await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata?.KeyId, 'KeyId');
      const parameters = await kms.send(new GetParametersForImportCommand({ KeyId: externalId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
      await kms.send(new ImportKeyMaterialCommand({
        KeyId: externalId, ImportToken: parameters.ImportToken, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        EncryptedKeyMaterial: wrapForImport(required(parameters.PublicKey, 'PublicKey'), 'RSAES_OAEP_SHA_256', new Uint8Array(32).fill(9)),
      }));
      // IAM: a user with a tag, an access key made inactive, policies of both kinds; a role and a session.
      await iam.send(new CreateUserCommand({ UserName: 'alice', Tags: [{ Key: 'team', Value: 'blue' }] }));
      await iam.send(new TagUserCommand({ UserName: 'alice', Tags: [{ Key: 'level', Value: '2' }] }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
      await iam.send(new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: AccessKey?.AccessKeyId, Status: 'Inactive' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'inline', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] }) }));
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'managed', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] }) }));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: Policy?.Arn }));
      const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ROOT_ARN }, Action: 'sts:AssumeRole' }] });
      const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: trust }));
      // Roots may not assume roles: a user allowed to does.
      await iam.send(new CreateUserCommand({ UserName: 'bob' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'assume', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }) }));
      const bobKey = required((await iam.send(new CreateAccessKeyCommand({ UserName: 'bob' }))).AccessKey, 'AccessKey');
      const sts = new STSClient({ ...client, credentials: { accessKeyId: bobKey.AccessKeyId ?? '', secretAccessKey: bobKey.SecretAccessKey ?? '' } });
      try {
        await sts.send(new AssumeRoleCommand({ RoleArn: Role?.Arn, RoleSessionName: 'verify' }));
      } finally {
        sts.destroy();
      }
      // A restart, and reads of what was written.
      await stop();
      const restarted = await start();
      const kmsAgain = new KMSClient({ ...client, endpoint: restarted.endpoint });
      try {
        await kmsAgain.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
      } finally {
        kmsAgain.destroy();
      }
    } finally {
      kms.destroy();
      iam.destroy();
      await stop();
    }
    afterWrites = await verifyDataDir(dataDir);
  }, 240_000);

  afterAll(async () => {
    await stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('finds every record written through the API and the lifecycle authentic after a restart', () => {
    // Assess
    expect(afterWrites.upgraded).toBe(true);
    expect(afterWrites.failures).toEqual([]);
    // Keys, backing keys, aliases, grants, access keys and IAM records: dozens of them.
    expect(afterWrites.checked).toBeGreaterThan(25);
  });

  it('exits 0 and says all are authentic when none was changed', async () => {
    // Act
    const result = await verifyCommand(dataDir);

    // Assess
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`records checked in ${dataDir}: all authentic`);
  }, 120_000);

  it('lists a record forged while the service was stopped by its table key, and exits 1', async () => {
    // Prepare: the disabled key's state changed in the table, as its writer could.
    const database = await startDynamoDbLocal({ dataDir });
    const dynamo = database.client();
    try {
      const key = keyMetadataKey(ACCOUNT_ID, REGION, disabledKeyId);
      const stored = required((await dynamo.send(new GetItemCommand({ TableName: DEFAULT_TABLE_NAME, Key: key }))).Item, 'Item');
      await dynamo.send(new PutItemCommand({ TableName: DEFAULT_TABLE_NAME, Item: { ...stored, description: { S: 'forged' } } }));
    } finally {
      dynamo.destroy();
      await database.stop();
    }

    // Act
    const result = await verifyCommand(dataDir);
    const inProcess = await verifyDataDir(dataDir);

    // Assess
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('1 failed');
    expect(result.stdout).toContain(`KEY#${ACCOUNT_ID}:${REGION}:${disabledKeyId}  META  (Key): MAC does not match`);
    expect(inProcess.failures).toEqual([expect.objectContaining({ pk: `KEY#${ACCOUNT_ID}:${REGION}:${disabledKeyId}`, sk: 'META', reason: 'MAC does not match' })]);
    expect(formatVerification(inProcess)).toBe(result.stdout.trimEnd());
  }, 180_000);

  it('refuses, with exit status 2, a folder a running service is using', async () => {
    // Prepare
    await start();

    // Act
    const result = await verifyCommand(dataDir);
    await stop();

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^verify: Another service \(PID \d+\) is using the data folder/);
  }, 180_000);

  it('refuses a folder that is no data folder of the service', async () => {
    // Prepare
    const empty = await mkdtemp(join(tmpdir(), 'kms-not-a-folder-'));

    // Act
    const result = await verifyCommand(empty).finally(() => rm(empty, { recursive: true, force: true }));

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`verify: ${empty} is not a data folder of the local service (it has no tokens folder).\n`);
  }, 120_000);
});
