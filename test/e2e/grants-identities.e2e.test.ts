/**
 * Grant-based use end to end: IAM users of the local service (stock IAM client) whose only
 * permission on a key comes from a grant, calling through the stock KMS client.
 */
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import {
  CreateGrantCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, RetireGrantCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectKmsError, required } from './support/assertions.js';
import { ACCOUNT_A, useIdentityService, type Credentials } from './support/identity-service.js';

const e2e = useIdentityService();
const APP_ARN = `arn:aws:iam::${ACCOUNT_A}:user/grant-app`;

async function user(userName: string): Promise<Credentials> {
  const iam = e2e.iam(e2e.root(ACCOUNT_A));
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' };
}

describe('a grant to an IAM user without policies', () => {
  let root: KMSClient;
  let app: KMSClient;
  let other: KMSClient;
  let keyId: string;
  let keyArn: string;

  beforeAll(async () => {
    root = e2e.kms(e2e.root(ACCOUNT_A));
    app = e2e.kms(await user('grant-app'));
    other = e2e.kms(await user('grant-other'));
    const key = required((await root.send(new CreateKeyCommand({}))).KeyMetadata, 'KeyMetadata');
    keyId = key.KeyId ?? '';
    keyArn = key.Arn ?? '';
  });

  it('lets the grantee use the key for the grant\'s operations under its constraint at once, and nothing else, until it retires the grant', async () => {
    // Prepare
    const before = app.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]), EncryptionContext: { tenant: 'a' } }));
    await expectKmsError(before, 'AccessDeniedException',
      `User: ${APP_ARN} is not authorized to perform: kms:Encrypt on resource: ${keyArn} because no identity-based policy allows the kms:Encrypt action`);
    const grant = await root.send(new CreateGrantCommand({
      KeyId: keyId, GranteePrincipal: APP_ARN, Operations: ['Encrypt', 'Decrypt', 'RetireGrant'], Constraints: { EncryptionContextSubset: { tenant: 'a' } },
    }));

    // Act
    const encrypted = await app.send(new EncryptCommand({
      KeyId: keyId, Plaintext: new TextEncoder().encode('for tenant a'), EncryptionContext: { tenant: 'a', purpose: 'test' }, GrantTokens: [grant.GrantToken ?? ''],
    }));
    const decrypted = await app.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { tenant: 'a', purpose: 'test' } }));
    const otherTenant = app.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]), EncryptionContext: { tenant: 'b' } }));
    const notGranted = app.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { tenant: 'a' } }));
    const notGrantee = other.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]), EncryptionContext: { tenant: 'a' } }));

    // Assess
    expect(new TextDecoder().decode(decrypted.Plaintext)).toBe('for tenant a');
    await expectKmsError(otherTenant, 'AccessDeniedException');
    await expectKmsError(notGranted, 'AccessDeniedException');
    await expectKmsError(notGrantee, 'AccessDeniedException');
    await app.send(new RetireGrantCommand({ GrantToken: grant.GrantToken }));
    await expectKmsError(app.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]), EncryptionContext: { tenant: 'a' } })), 'AccessDeniedException');
  });

  it('refuses RetireGrant to a user the grant does not name and whose policies do not allow it', async () => {
    // Prepare
    const grant = await root.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: APP_ARN, Operations: ['Encrypt'] }));

    // Act and assess (one call at a time: a second refusal arriving before the first is awaited
    // would be an unhandled rejection)
    await expectKmsError(app.send(new RetireGrantCommand({ GrantToken: grant.GrantToken })), 'AccessDeniedException');
    await expectKmsError(other.send(new RetireGrantCommand({ KeyId: keyArn, GrantId: grant.GrantId })), 'AccessDeniedException');
    await root.send(new RetireGrantCommand({ KeyId: keyArn, GrantId: grant.GrantId }));
  });
});
