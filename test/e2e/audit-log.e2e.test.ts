import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, ListKeysCommand,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorOf, required, utf8 } from './support/assertions.js';
import { readAuditLines, readAuditText, waitForAuditLines, type AuditLine } from './support/audit-log.js';
import { ACCOUNT_ID, REGION, useLocalService } from './support/local-service.js';
import { requestIdOf, sendRaw } from './support/raw-request.js';

const e2e = useLocalService();

const ROOT_ARN = `arn:aws:iam::${ACCOUNT_ID}:root`;

/** The single audit line of each request, failing when a request has none or several. */
async function auditLinesOf(requestIds: readonly string[]): Promise<AuditLine[]> {
  const found = await waitForAuditLines(e2e.dataDir, requestIds);
  expect(found.map((lines) => lines.length)).toEqual(requestIds.map(() => 1));
  return found.map((lines) => lines[0] as AuditLine);
}

function requestIdOfResponse(response: { $metadata: { requestId?: string } }): string {
  return response.$metadata.requestId ?? '';
}

describe('audit log', () => {
  let key: KeyMetadata;
  const plaintext = utf8(`the secret recipe ${randomUUID()}`);
  const context = { department: 'kitchen' };
  const requestIds: Record<'createKey' | 'encrypt' | 'decrypt' | 'dataKey' | 'missingKey' | 'badSignature', string> = {
    createKey: '', encrypt: '', decrypt: '', dataKey: '', missingKey: '', badSignature: '',
  };
  let dataKeyPlaintext: Uint8Array;
  let linesBefore: number;

  beforeAll(async () => {
    linesBefore = (await readAuditLines(e2e.dataDir)).length;
    const created = await e2e.kms.send(new CreateKeyCommand({ Description: 'audited', Tags: [{ TagKey: 'team', TagValue: 'audit' }] }));
    key = required(created.KeyMetadata, 'KeyMetadata');
    requestIds.createKey = requestIdOfResponse(created);
    const encrypted = await e2e.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: context }));
    requestIds.encrypt = requestIdOfResponse(encrypted);
    const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context }));
    requestIds.decrypt = requestIdOfResponse(decrypted);
    const dataKey = await e2e.kms.send(new GenerateDataKeyCommand({ KeyId: key.Arn, KeySpec: 'AES_256' }));
    dataKeyPlaintext = dataKey.Plaintext ?? new Uint8Array();
    requestIds.dataKey = requestIdOfResponse(dataKey);
    const missing = await errorOf(e2e.kms.send(new DescribeKeyCommand({ KeyId: randomUUID() })));
    requestIds.missingKey = missing.$metadata?.requestId ?? '';
    const rejected = await sendRaw({
      endpoint: e2e.service.endpoint,
      credentials: { ...e2e.service.credentials, secretAccessKey: 'wrong' },
      target: 'TrentService.ListKeys',
    });
    requestIds.badSignature = requestIdOf(rejected);
  });

  it('returns one line per request, each naming its request ID', async () => {
    // Prepare
    const ids = Object.values(requestIds);

    // Act
    const lines = await auditLinesOf(ids);

    // Assess
    expect(new Set(ids).size).toBe(ids.length);
    expect(lines.map((line) => line.requestID)).toEqual(ids);
    expect(await readAuditLines(e2e.dataDir)).toHaveLength(linesBefore + ids.length);
  });

  it('returns the CloudTrail fields of a successful Encrypt', async () => {
    // Prepare
    const requestId = requestIds.encrypt;

    // Act
    const [line] = await auditLinesOf([requestId]);

    // Assess
    expect(line).toMatchObject({
      eventVersion: '1.08',
      eventSource: 'kms.amazonaws.com',
      eventName: 'Encrypt',
      eventType: 'AwsApiCall',
      awsRegion: REGION,
      readOnly: false,
      recipientAccountId: ACCOUNT_ID,
      userIdentity: { type: 'Root', arn: ROOT_ARN, accountId: ACCOUNT_ID, accessKeyId: e2e.service.credentials.accessKeyId },
      requestParameters: { keyId: key.KeyId, encryptionContext: context },
      resources: [{ accountId: ACCOUNT_ID, type: 'AWS::KMS::Key', ARN: key.Arn }],
    });
    expect(line?.eventTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(line?.requestParameters).not.toHaveProperty('plaintext');
    expect(line).not.toHaveProperty('errorCode');
  });

  it.each([
    ['CreateKey', 'createKey'],
    ['Decrypt', 'decrypt'],
    ['GenerateDataKey', 'dataKey'],
  ] as const)('returns the event name, the root caller and the key ARN for %s', async (eventName, request) => {
    // Prepare
    const requestId = requestIds[request];

    // Act
    const [line] = await auditLinesOf([requestId]);

    // Assess
    expect(line).toMatchObject({
      eventSource: 'kms.amazonaws.com',
      eventName,
      userIdentity: { arn: ROOT_ARN },
      resources: [{ type: 'AWS::KMS::Key', ARN: key.Arn }],
    });
    expect(line).not.toHaveProperty('errorCode');
  });

  it('returns the error code and message of a request that failed', async () => {
    // Prepare
    const requestId = requestIds.missingKey;

    // Act
    const [line] = await auditLinesOf([requestId]);

    // Assess
    expect(line).toMatchObject({
      eventName: 'DescribeKey',
      readOnly: true,
      userIdentity: { arn: ROOT_ARN },
      errorCode: 'NotFoundException',
      errorMessage: expect.stringMatching(/does not exist/),
    });
  });

  it('returns the error code of a request whose signature was rejected', async () => {
    // Prepare
    const requestId = requestIds.badSignature;

    // Act
    const [line] = await auditLinesOf([requestId]);

    // Assess
    expect(line).toMatchObject({ eventSource: 'kms.amazonaws.com', eventName: 'ListKeys', errorCode: 'InvalidSignatureException' });
    expect(line?.userIdentity.arn).toBeUndefined();
  });

  it.each([
    ['the base64 of the Encrypt plaintext', () => Buffer.from(plaintext).toString('base64')],
    ['the Encrypt plaintext itself', () => Buffer.from(plaintext).toString('utf8')],
    ['the base64 of the generated data key', () => Buffer.from(dataKeyPlaintext).toString('base64')],
  ])('returns a log that does not contain %s', async (_secret, secret) => {
    // Prepare
    await auditLinesOf(Object.values(requestIds));

    // Act
    const text = await readAuditText(e2e.dataDir);

    // Assess
    expect(secret().length).toBeGreaterThan(8);
    expect(text.includes(secret())).toBe(false);
  });

  it('returns readOnly true and no resources for ListKeys', async () => {
    // Prepare
    const response = await e2e.kms.send(new ListKeysCommand({}));

    // Act
    const [line] = await auditLinesOf([requestIdOfResponse(response)]);

    // Assess
    expect(line).toMatchObject({ eventName: 'ListKeys', readOnly: true });
    expect(line?.resources ?? []).toEqual([]);
  });
});
