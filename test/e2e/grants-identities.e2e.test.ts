/**
 * Grant-based use end to end: IAM users of the local service (stock IAM client) whose only
 * permission on a key comes from a grant, calling through the stock KMS client.
 */
import {
  CreateAccessKeyCommand, CreateUserCommand, DeleteUserCommand, PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateGrantCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, ListGrantsCommand, ListKeysCommand,
  RetireGrantCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectKmsError, required } from './support/assertions.js';
import { ACCOUNT_A, ACCOUNT_B, useIdentityService, type Credentials } from './support/identity-service.js';

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

describe('the principals a grant names, and the tags a new key gets', () => {
  it('refuses a grant to a user that was deleted, to a role or account that never existed, and writes no grant', async () => {
    // Prepare
    const root = e2e.kms(e2e.root(ACCOUNT_A));
    const iam = e2e.iam(e2e.root(ACCOUNT_A));
    const key = required((await root.send(new CreateKeyCommand({}))).KeyMetadata, 'KeyMetadata');
    await iam.send(new CreateUserCommand({ UserName: 'leaver' }));
    const leaver = `arn:aws:iam::${ACCOUNT_A}:user/leaver`;
    const granted = await root.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: leaver, Operations: ['Decrypt'] }));
    await iam.send(new DeleteUserCommand({ UserName: 'leaver' }));

    // Act and assess (one call at a time)
    for (const [field, principal] of [
      ['GranteePrincipal', leaver],
      ['GranteePrincipal', `arn:aws:iam::${ACCOUNT_B}:role/never`],
      ['RetiringPrincipal', `arn:aws:sts::${ACCOUNT_A}:assumed-role/never/session`],
      ['GranteePrincipal', 'arn:aws:iam::999988887777:root'],
    ] as const) {
      const input = { KeyId: key.KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT_B}:root`, Operations: ['Decrypt' as const], [field]: principal };
      await expectKmsError(root.send(new CreateGrantCommand(input)), 'InvalidArnException', `ARN does not refer to a valid principal: ${principal}`);
    }
    const grants = await root.send(new ListGrantsCommand({ KeyId: key.KeyId }));
    expect(grants.Grants?.map((grant) => grant.GrantId)).toEqual([granted.GrantId]);
  });

  it('needs kms:TagResource in an IAM policy to create a key with Tags, and creates no key without it', async () => {
    // Prepare
    const iam = e2e.iam(e2e.root(ACCOUNT_A));
    const maker = e2e.kms(await user('key-maker'));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'key-maker', PolicyName: 'make',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:CreateKey', 'kms:ListKeys'], Resource: '*' }] }),
    }));
    const before = (await maker.send(new ListKeysCommand({}))).Keys?.length;

    // Act
    const refused = await expectKmsError(maker.send(new CreateKeyCommand({ Tags: [{ TagKey: 'team', TagValue: 'blue' }] })), 'AccessDeniedException');
    const untagged = await maker.send(new CreateKeyCommand({}));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'key-maker', PolicyName: 'tag',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:TagResource', Resource: `arn:aws:kms:*:${ACCOUNT_A}:key/*` }] }),
    }));
    const tagged = await maker.send(new CreateKeyCommand({ Tags: [{ TagKey: 'team', TagValue: 'blue' }] }));

    // Assess
    expect(refused.message).toMatch(new RegExp(`^User: arn:aws:iam::${ACCOUNT_A}:user/key-maker is not authorized to perform: kms:TagResource on resource: arn:aws:kms:us-east-1:${ACCOUNT_A}:key/[0-9a-f-]{36} because no identity-based policy allows the kms:TagResource action$`));
    expect((await maker.send(new ListKeysCommand({}))).Keys?.length).toBe((before ?? 0) + 2);
    expect(untagged.KeyMetadata?.KeyId).toBeDefined();
    expect(tagged.KeyMetadata?.KeyId).toBeDefined();
  });
});
