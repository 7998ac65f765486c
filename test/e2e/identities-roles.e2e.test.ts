import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, PutRolePolicyCommand, PutUserPolicyCommand, TagRoleCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { CreateKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { waitForAuditLines } from './support/audit-log.js';
import { ACCOUNT_A, ACCOUNT_B, useIdentityService, type Credentials } from './support/identity-service.js';

const e2e = useIdentityService();

const trust = (principal: string, condition?: Record<string, unknown>, actions: readonly string[] = ['sts:AssumeRole']): string => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: actions, ...(condition === undefined ? {} : { Condition: condition }) }],
});

async function userWithKey(accountId: string, userName: string, policy?: object): Promise<Credentials> {
  const iam = e2e.iam(e2e.root(accountId));
  await iam.send(new CreateUserCommand({ UserName: userName }));
  if (policy !== undefined) await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' };
}

function sessionCredentials(output: { Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } }): Credentials {
  return {
    accessKeyId: output.Credentials?.AccessKeyId ?? '',
    secretAccessKey: output.Credentials?.SecretAccessKey ?? '',
    sessionToken: output.Credentials?.SessionToken ?? '',
  };
}

const ALLOW_ASSUME = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: '*' }] };

describe('roles and AssumeRole through @aws-sdk/client-sts', () => {
  it('gives a user named in the trust policy a session whose token is checked on every request', async () => {
    // Prepare
    const root = e2e.root(ACCOUNT_A);
    const user = await userWithKey(ACCOUNT_A, 'deployer');
    const role = await e2e.iam(root).send(new CreateRoleCommand({ RoleName: 'Deploy', AssumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT_A}:user/deployer`) }));
    await e2e.iam(root).send(new PutRolePolicyCommand({
      RoleName: 'Deploy', PolicyName: 'kms',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }),
    }));

    // Act
    const assumed = await e2e.sts(user).send(new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'ci', DurationSeconds: 900 }));
    const session = sessionCredentials(assumed);
    const identity = await e2e.sts(session).send(new GetCallerIdentityCommand({}));
    const key = await e2e.kms(session).send(new CreateKeyCommand({}));
    const tampered = await e2e.sts({ ...session, sessionToken: `${(session.sessionToken ?? '').slice(0, -4)}AAAA` }).send(new GetCallerIdentityCommand({})).catch((caught: unknown) => caught);
    const tokenless = await e2e.sts({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(new GetCallerIdentityCommand({})).catch((caught: unknown) => caught);

    // Assess
    expect(assumed.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(assumed.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT_A}:assumed-role/Deploy/ci`);
    expect(assumed.AssumedRoleUser?.AssumedRoleId).toBe(`${role.Role?.RoleId ?? ''}:ci`);
    expect(identity.Arn).toBe(`arn:aws:sts::${ACCOUNT_A}:assumed-role/Deploy/ci`);
    expect(key.KeyMetadata?.AWSAccountId).toBe(ACCOUNT_A);
    expect(tampered).toMatchObject({ name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } });
    expect(tokenless).toMatchObject({ name: 'InvalidClientTokenId' });
    const [createKeyLines, assumeLines] = await waitForAuditLines(e2e.dataDir, [key.$metadata.requestId ?? '', assumed.$metadata.requestId ?? '']);
    const createKey = createKeyLines?.[0];
    const assumeEvent = assumeLines?.[0];
    expect(createKey?.userIdentity).toEqual({
      type: 'AssumedRole',
      principalId: `${role.Role?.RoleId ?? ''}:ci`,
      arn: `arn:aws:sts::${ACCOUNT_A}:assumed-role/Deploy/ci`,
      accountId: ACCOUNT_A,
      accessKeyId: session.accessKeyId,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: role.Role?.RoleId, arn: role.Role?.Arn, accountId: ACCOUNT_A, userName: 'Deploy' },
        attributes: { creationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), mfaAuthenticated: 'false' },
      },
    });
    expect(assumeEvent).toMatchObject({ eventSource: 'sts.amazonaws.com', userIdentity: { type: 'IAMUser', userName: 'deployer' } });
  });

  it('requires the external ID the trust policy asks for, and sts:TagSession for session tags', async () => {
    // Prepare
    const root = e2e.root(ACCOUNT_A);
    const user = await userWithKey(ACCOUNT_A, 'partner', ALLOW_ASSUME);
    const role = await e2e.iam(root).send(new CreateRoleCommand({
      RoleName: 'Partner', AssumeRolePolicyDocument: trust(ACCOUNT_A, { StringEquals: { 'sts:ExternalId': 'secret-handshake' } }),
    }));
    await e2e.iam(root).send(new TagRoleCommand({ RoleName: 'Partner', Tags: [{ Key: 'dept', Value: 'ops' }] }));

    // Act
    const withoutId = await e2e.sts(user).send(new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'xx' })).catch((caught: unknown) => caught);
    const withId = await e2e.sts(user).send(new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'xx', ExternalId: 'secret-handshake' }));
    const tagged = await e2e.sts(user).send(new AssumeRoleCommand({
      RoleArn: role.Role?.Arn, RoleSessionName: 'xx', ExternalId: 'secret-handshake', Tags: [{ Key: 'project', Value: 'apollo' }],
    })).catch((caught: unknown) => caught);

    // Assess
    expect(withoutId).toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT_A}:user/partner is not authorized to perform: sts:AssumeRole on resource: ${role.Role?.Arn ?? ''}`,
      $metadata: { httpStatusCode: 403 },
    });
    expect(withId.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT_A}:assumed-role/Partner/xx`);
    expect(tagged).toMatchObject({ name: 'AccessDenied', message: `User: arn:aws:iam::${ACCOUNT_A}:user/partner is not authorized to perform: sts:TagSession on resource: ${role.Role?.Arn ?? ''}` });
  });

  it('lets a user of another account assume a role that trusts that account, when the user\'s own policy allows it', async () => {
    // Prepare
    const role = await e2e.iam(e2e.root(ACCOUNT_A)).send(new CreateRoleCommand({ RoleName: 'CrossAccount', AssumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT_B}:root`) }));
    const allowed = await userWithKey(ACCOUNT_B, 'visitor', ALLOW_ASSUME);
    const unprivileged = await userWithKey(ACCOUNT_B, 'stranger');

    // Act
    const assumed = await e2e.sts(allowed).send(new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'visit' }));
    const denied = await e2e.sts(unprivileged).send(new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'visit' })).catch((caught: unknown) => caught);
    const identity = await e2e.sts(sessionCredentials(assumed)).send(new GetCallerIdentityCommand({}));

    // Assess
    expect(identity).toMatchObject({ Account: ACCOUNT_A, Arn: `arn:aws:sts::${ACCOUNT_A}:assumed-role/CrossAccount/visit` });
    expect(denied).toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses a duration above the role\'s maximum and roles for the root user', async () => {
    // Prepare
    const root = e2e.root(ACCOUNT_A);
    const user = await userWithKey(ACCOUNT_A, 'patient');
    const role = await e2e.iam(root).send(new CreateRoleCommand({ RoleName: 'Hourly', AssumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT_A}:user/patient`) }));

    // Act
    const tooLong = await e2e.sts(user).send(new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'xx', DurationSeconds: 7200 })).catch((caught: unknown) => caught);
    const asRoot = await e2e.sts(root).send(new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'xx' })).catch((caught: unknown) => caught);

    // Assess
    expect(tooLong).toMatchObject({ name: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', $metadata: { httpStatusCode: 400 } });
    expect(asRoot).toMatchObject({ name: 'AccessDenied', message: 'Roles may not be assumed by root accounts.' });
  });

  it('refuses a trust policy naming a principal that does not exist, and creates no role', async () => {
    // Prepare
    const iam = e2e.iam(e2e.root(ACCOUNT_A));

    // Act
    const error = await iam.send(new CreateRoleCommand({ RoleName: 'Ghostly', AssumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT_A}:user/ghost`) })).catch((caught: unknown) => caught);
    const lookup = await iam.send(new GetRoleCommand({ RoleName: 'Ghostly' })).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'MalformedPolicyDocumentException', $metadata: { httpStatusCode: 400 } });
    expect(lookup).toMatchObject({ name: 'NoSuchEntityException' });
  });
  it('answers ExpiredToken once the session has expired, for STS and for KMS', async () => {
    // Prepare
    const root = e2e.root(ACCOUNT_A);
    const user = await userWithKey(ACCOUNT_A, 'shortlived');
    const role = await e2e.iam(root).send(new CreateRoleCommand({ RoleName: 'Short', AssumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT_A}:user/shortlived`) }));
    const session = sessionCredentials(await e2e.sts(user).send(new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'ss', DurationSeconds: 900 })));

    // Act: the service's clock (and the clients', so that signatures stay fresh) moves past the expiry.
    e2e.offsetMs += 901_000;
    const sts = await e2e.sts(session).send(new GetCallerIdentityCommand({})).catch((caught: unknown) => caught);
    const kms = await e2e.kms(session).send(new DescribeKeyCommand({ KeyId: 'alias/none' })).catch((caught: unknown) => caught);
    e2e.offsetMs = 0;

    // Assess
    expect(sts).toMatchObject({ name: 'ExpiredToken', message: 'The security token included in the request is expired', $metadata: { httpStatusCode: 403 } });
    expect(kms).toMatchObject({ name: 'ExpiredTokenException', message: 'The security token included in the request is expired' });
  });

});
