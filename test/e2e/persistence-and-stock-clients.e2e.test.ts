import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EncryptCommand,
  ListAliasesCommand, ListResourceTagsCommand, type KeyMetadata,
} from '@aws-sdk/client-kms';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { patternBytes, required, utf8 } from './support/assertions.js';
import { ACCOUNT_ID, REGION, useLocalService } from './support/local-service.js';

const run = promisify(execFile);
const e2e = useLocalService();

const BOTO3_SCRIPT = `
import base64, json, sys
import boto3
kms = boto3.client('kms', endpoint_url=sys.argv[1], region_name='${REGION}')
key = kms.create_key(Description='boto3 key')['KeyMetadata']
encrypted = kms.encrypt(KeyId=key['Arn'], Plaintext=b'from boto3', EncryptionContext={'client': 'boto3'})
decrypted = kms.decrypt(CiphertextBlob=encrypted['CiphertextBlob'], EncryptionContext={'client': 'boto3'})
data_key = kms.generate_data_key(KeyId=key['KeyId'], KeySpec='AES_128')
unwrapped = kms.decrypt(CiphertextBlob=data_key['CiphertextBlob'])
listed = [k['KeyId'] for page in kms.get_paginator('list_keys').paginate(PaginationConfig={'PageSize': 1}) for k in page['Keys']]
try:
    kms.describe_key(KeyId='alias/boto3-missing')
    missing = None
except kms.exceptions.NotFoundException as error:
    missing = error.response['Error']['Code']
print(json.dumps({
    'keyId': key['KeyId'],
    'encryptKeyId': encrypted['KeyId'],
    'plaintext': decrypted['Plaintext'].decode(),
    'dataKeyMatches': data_key['Plaintext'] == unwrapped['Plaintext'],
    'dataKeyLength': len(data_key['Plaintext']),
    'listed': listed,
    'missing': missing,
}))
`;

describe('restart on the same data directory', () => {
  let key: KeyMetadata;
  let disabled: KeyMetadata;
  let ciphertext: Uint8Array;
  let credentialsBefore: { accessKeyId: string; secretAccessKey: string; file: string };
  const aliasName = `alias/survivor-${randomUUID()}`;
  const tags = [{ TagKey: 'lifetime', TagValue: 'long' }, { TagKey: 'owner', TagValue: 'ops' }];
  const plaintext = utf8('written before the restart');

  beforeAll(async () => {
    key = required((await e2e.kms.send(new CreateKeyCommand({ Description: 'survives restarts', Tags: tags }))).KeyMetadata, 'KeyMetadata');
    disabled = required((await e2e.kms.send(new CreateKeyCommand({}))).KeyMetadata, 'KeyMetadata');
    await e2e.kms.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    await e2e.kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: key.KeyId }));
    ciphertext = (await e2e.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: { at: 'start' } }))).CiphertextBlob ?? new Uint8Array();
    const { accessKeyId, secretAccessKey, path } = e2e.service.credentials;
    credentialsBefore = { accessKeyId, secretAccessKey, file: await readFile(path, 'utf8') };
    await e2e.restart();
  });

  it('returns the same credentials and credentials file after the restart', async () => {
    // Prepare
    const { accessKeyId, secretAccessKey, path, accountId } = e2e.service.credentials;

    // Act
    const file = await readFile(path, 'utf8');

    // Assess
    expect({ accessKeyId, secretAccessKey, file }).toEqual(credentialsBefore);
    expect(accountId).toBe(ACCOUNT_ID);
    expect(path).toBe(join(e2e.dataDir, 'credentials'));
  });

  it('returns the key metadata through its alias after the restart', async () => {
    // Prepare
    const keyId = aliasName;

    // Act
    const { KeyMetadata: metadata } = await e2e.kms.send(new DescribeKeyCommand({ KeyId: keyId }));

    // Assess
    expect(metadata).toEqual(key);
  });

  it('returns the disabled state of a key after the restart', async () => {
    // Prepare
    const keyId = disabled.KeyId;

    // Act
    const { KeyMetadata: metadata } = await e2e.kms.send(new DescribeKeyCommand({ KeyId: keyId }));

    // Assess
    expect(metadata).toEqual({ ...disabled, Enabled: false, KeyState: 'Disabled' });
  });

  it('returns the alias and the tags after the restart', async () => {
    // Prepare
    const keyId = key.KeyId;

    // Act
    const aliases = await e2e.kms.send(new ListAliasesCommand({ KeyId: keyId }));
    const listedTags = await e2e.kms.send(new ListResourceTagsCommand({ KeyId: keyId }));

    // Assess
    expect(aliases.Aliases?.map((alias) => alias.AliasName)).toEqual([aliasName]);
    expect(listedTags.Tags).toEqual(expect.arrayContaining(tags));
    expect(listedTags.Tags).toHaveLength(tags.length);
  });

  it('returns the plaintext of a ciphertext made before the restart', async () => {
    // Prepare
    const blob = ciphertext;

    // Act
    const response = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { at: 'start' } }));

    // Assess
    expect(response.Plaintext).toEqual(plaintext);
    expect(response.KeyId).toBe(key.Arn);
  });
});

describe('stock clients', () => {
  it('returns the original bytes when the AWS CLI creates a key, encrypts a file and decrypts it', async () => {
    // Prepare
    const plaintext = patternBytes(300);
    const plaintextFile = join(e2e.dataDir, 'cli-plaintext.bin');
    const ciphertextFile = join(e2e.dataDir, 'cli-ciphertext.bin');
    await writeFile(plaintextFile, plaintext);
    const aliasName = `alias/cli-${randomUUID()}`;

    // Act
    const created = await e2e.awsKms('create-key', '--description', 'made by the AWS CLI');
    const metadata = created['KeyMetadata'] as KeyMetadata;
    await e2e.awsKms('create-alias', '--alias-name', aliasName, '--target-key-id', metadata.KeyId ?? '');
    const encrypted = await e2e.awsKms('encrypt', '--key-id', aliasName, '--plaintext', `fileb://${plaintextFile}`);
    await writeFile(ciphertextFile, Buffer.from(String(encrypted['CiphertextBlob']), 'base64'));
    const decrypted = await e2e.awsKms('decrypt', '--ciphertext-blob', `fileb://${ciphertextFile}`);
    const aliases = await e2e.awsKms('list-aliases', '--key-id', metadata.KeyId ?? '');

    // Assess
    expect(metadata).toMatchObject({
      AWSAccountId: ACCOUNT_ID,
      Arn: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${metadata.KeyId}`,
      Description: 'made by the AWS CLI',
      KeyState: 'Enabled',
      KeySpec: 'SYMMETRIC_DEFAULT',
    });
    expect(encrypted['KeyId']).toBe(metadata.Arn);
    expect(decrypted).toMatchObject({ KeyId: metadata.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(Buffer.from(String(decrypted['Plaintext']), 'base64')).toEqual(Buffer.from(plaintext));
    expect(aliases['Aliases']).toEqual([expect.objectContaining({
      AliasName: aliasName,
      AliasArn: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:${aliasName}`,
      TargetKeyId: metadata.KeyId,
    })]);
  });

  it('returns the AWS error code and a failing exit status when the AWS CLI asks for a missing key', async () => {
    // Prepare
    const keyId = randomUUID();

    // Act
    const failure = await e2e.awsKms('describe-key', '--key-id', keyId).then(
      () => undefined,
      (error: unknown) => error as { code?: number; stderr?: string },
    );

    // Assess
    expect(failure?.code).toBeGreaterThan(0);
    expect(failure?.stderr).toMatch(/An error occurred \(NotFoundException\) when calling the DescribeKey operation: Key '.*' does not exist/);
  });

  it('returns matching plaintexts and every key when boto3 encrypts, decrypts, makes a data key and pages ListKeys', async () => {
    // Prepare
    const script = BOTO3_SCRIPT;

    // Act
    const { stdout } = await run('python3', ['-c', script, e2e.service.endpoint], { env: e2e.stockClientEnv(), timeout: 60_000 });

    // Assess
    const result = JSON.parse(stdout) as { keyId: string; encryptKeyId: string; plaintext: string; dataKeyMatches: boolean; dataKeyLength: number; listed: string[]; missing: string | null };
    expect(result).toEqual({
      keyId: expect.any(String),
      encryptKeyId: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${result.keyId}`,
      plaintext: 'from boto3',
      dataKeyMatches: true,
      dataKeyLength: 16,
      listed: expect.arrayContaining([result.keyId]),
      missing: 'NotFoundException',
    });
    expect(new Set(result.listed).size).toBe(result.listed.length);
  });
});
