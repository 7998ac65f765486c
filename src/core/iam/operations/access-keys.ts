/** CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey for IAM users. */
import { needs } from '../../errors/service-error.js';
import { ValidationError } from '../../../models/iam/generated/errors.js';
import { assertIamAllowed } from '../iam-authorization.js';
import { accessKeyId, secretAccessKey } from '../identifiers.js';
import { page } from '../paging.js';
import { accessKeyAad, type IdentityCall } from '../service.js';
import { existingUser, impliedUserName } from './users.js';
import { sayIam } from '../messages.js';

export async function createAccessKey(call: IdentityCall<{ UserName?: string }>) {
  const { deps, ctx } = call;
  const user = await existingUser(deps, ctx.principal.accountId, impliedUserName(call));
  const now = deps.clock.now();
  await assertIamAllowed(deps.directory, ctx, now, 'iam:CreateAccessKey', user.arn);
  const id = accessKeyId('AKIA', deps.ids.hex64());
  const secret = secretAccessKey(deps.ids.hex64());
  const plain = new TextEncoder().encode(secret);
  const sealedSecret = await deps.material.sealSecret(plain, accessKeyAad(id));
  plain.fill(0);
  await deps.store.createUserAccessKey({
    accessKeyId: id, sealedSecret, accountId: user.accountId, principalArn: user.arn, principalId: user.userId,
    status: 'Active', creationDate: now.getTime(), userName: user.userName,
  });
  return { AccessKey: { UserName: user.userName, AccessKeyId: id, Status: 'Active', SecretAccessKey: secret, CreateDate: now } };
}

export async function listAccessKeys(call: IdentityCall<{ UserName?: string; Marker?: string; MaxItems?: number }>) {
  const { deps, ctx, input } = call;
  const user = await existingUser(deps, ctx.principal.accountId, impliedUserName(call));
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:ListAccessKeys', user.arn);
  const keys = (await deps.credentials.listAccessKeys(user.arn)).filter((key) => key.session === undefined && key.principalId === user.userId);
  const { items, ...paging } = page(keys, (key) => key.accessKeyId, input);
  return {
    AccessKeyMetadata: items.map((key) => ({ UserName: user.userName, AccessKeyId: key.accessKeyId, Status: key.status, CreateDate: new Date(key.creationDate) })),
    ...paging,
  };
}

export async function updateAccessKey(call: IdentityCall<{ UserName?: string; AccessKeyId: string; Status: 'Active' | 'Inactive' | 'Expired' }>) {
  const { deps, ctx, input } = call;
  const user = await existingUser(deps, ctx.principal.accountId, impliedUserName(call));
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:UpdateAccessKey', user.arn);
  /* Precondition: an access key is made Active or Inactive. */
  needs(input.Status !== 'Expired', sayIam('accessKeyStatus'), ValidationError);
  await deps.store.setAccessKeyStatus(user.accountId, user.userName, input.AccessKeyId, input.Status);
  deps.credentialsChanged?.(input.AccessKeyId);
  return undefined;
}

export async function deleteAccessKey(call: IdentityCall<{ UserName?: string; AccessKeyId: string }>) {
  const { deps, ctx, input } = call;
  const user = await existingUser(deps, ctx.principal.accountId, impliedUserName(call));
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:DeleteAccessKey', user.arn);
  await deps.store.deleteUserAccessKey(user.accountId, user.userName, input.AccessKeyId);
  deps.credentialsChanged?.(input.AccessKeyId);
  return undefined;
}
