import {
  AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteUserCommand,
  GetUserCommand, ListUsersCommand, PutUserPolicyCommand, UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_A, ACCOUNT_B, useIdentityService, type Credentials } from './support/identity-service.js';

const e2e = useIdentityService();

async function newUserWithKey(root: Credentials, userName: string): Promise<Credentials> {
  const iam = e2e.iam(root);
  await iam.send(new CreateUserCommand({ UserName: userName, Tags: [{ Key: 'team', Value: 'blue' }] }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' };
}

describe('IAM users through @aws-sdk/client-iam', () => {
  it('creates a user, gives it a key that signs as that user, and lists it', async () => {
    // Prepare
    const root = e2e.root(ACCOUNT_A);

    // Act
    const alice = await newUserWithKey(root, 'alice');
    const identity = await e2e.sts(alice).send(new GetCallerIdentityCommand({}));
    const listed = await e2e.iam(root).send(new ListUsersCommand({}));

    // Assess
    expect(identity.Arn).toBe(`arn:aws:iam::${ACCOUNT_A}:user/alice`);
    expect(identity.Account).toBe(ACCOUNT_A);
    expect(identity.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(listed.Users?.map((user) => user.UserName)).toContain('alice');
  });

  it('answers NoSuchEntity with status 404 for an unknown user', async () => {
    // Act
    const error = await e2e.iam(e2e.root(ACCOUNT_A)).send(new GetUserCommand({ UserName: 'nobody' })).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'NoSuchEntityException', message: 'The user with name nobody cannot be found.', $metadata: { httpStatusCode: 404 } });
  });

  it('denies a user without policies, and allows it once a policy does', async () => {
    // Prepare
    const root = e2e.root(ACCOUNT_A);
    const bob = await newUserWithKey(root, 'bob');

    // Act
    const denied = await e2e.iam(bob).send(new CreateUserCommand({ UserName: 'carol' })).catch((caught: unknown) => caught);
    await e2e.iam(root).send(new PutUserPolicyCommand({
      UserName: 'bob', PolicyName: 'users',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' }] }),
    }));
    const created = await e2e.iam(bob).send(new CreateUserCommand({ UserName: 'carol' }));

    // Assess
    expect(denied).toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT_A}:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT_A}:user/carol because no identity-based policy allows the iam:CreateUser action`,
      $metadata: { httpStatusCode: 403 },
    });
    expect(created.User?.Arn).toBe(`arn:aws:iam::${ACCOUNT_A}:user/carol`);
  });

  it('refuses an inactive key with InvalidClientTokenId, and a deleted one too', async () => {
    // Prepare
    const root = e2e.root(ACCOUNT_A);
    const dave = await newUserWithKey(root, 'dave');
    await e2e.sts(dave).send(new GetCallerIdentityCommand({}));

    // Act
    await e2e.iam(root).send(new UpdateAccessKeyCommand({ UserName: 'dave', AccessKeyId: dave.accessKeyId, Status: 'Inactive' }));
    const inactive = await e2e.sts(dave).send(new GetCallerIdentityCommand({})).catch((caught: unknown) => caught);
    const kmsInactive = await e2e.kms(dave).send(new CreateKeyCommand({})).catch((caught: unknown) => caught);
    await e2e.iam(root).send(new DeleteAccessKeyCommand({ UserName: 'dave', AccessKeyId: dave.accessKeyId }));
    const deleted = await e2e.sts(dave).send(new GetCallerIdentityCommand({})).catch((caught: unknown) => caught);

    // Assess
    expect(inactive).toMatchObject({ name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', $metadata: { httpStatusCode: 403 } });
    expect(kmsInactive).toMatchObject({ name: 'UnrecognizedClientException' });
    expect(deleted).toMatchObject({ name: 'InvalidClientTokenId' });
  });

  it('keeps a user with an access key from being deleted (DeleteConflict, nothing removed)', async () => {
    // Prepare
    const root = e2e.root(ACCOUNT_A);
    const erin = await newUserWithKey(root, 'erin');

    // Act
    const error = await e2e.iam(root).send(new DeleteUserCommand({ UserName: 'erin' })).catch((caught: unknown) => caught);
    const identity = await e2e.sts(erin).send(new GetCallerIdentityCommand({}));

    // Assess
    expect(error).toMatchObject({ name: 'DeleteConflictException', message: 'Cannot delete entity, must delete access keys first.', $metadata: { httpStatusCode: 409 } });
    expect(identity.Arn).toBe(`arn:aws:iam::${ACCOUNT_A}:user/erin`);
  });

  it('keeps accounts apart: a user of one account is unknown in the other', async () => {
    // Prepare
    await e2e.iam(e2e.root(ACCOUNT_A)).send(new CreateUserCommand({ UserName: 'frank' }));

    // Act
    const error = await e2e.iam(e2e.root(ACCOUNT_B)).send(new GetUserCommand({ UserName: 'frank' })).catch((caught: unknown) => caught);
    const policy = await e2e.iam(e2e.root(ACCOUNT_B)).send(new CreatePolicyCommand({
      PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }),
    }));
    const crossAttach = await e2e.iam(e2e.root(ACCOUNT_A)).send(new AttachUserPolicyCommand({ UserName: 'frank', PolicyArn: policy.Policy?.Arn })).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'NoSuchEntityException' });
    expect(crossAttach).toMatchObject({ name: 'NoSuchEntityException', message: `Policy arn:aws:iam::${ACCOUNT_B}:policy/p does not exist or is not attachable.` });
  });
});
