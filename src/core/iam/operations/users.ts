/** CreateUser, GetUser, ListUsers, DeleteUser, TagUser, UntagUser. */
import { needs } from '../../errors/service-error.js';
import { NoSuchEntityException, ValidationError } from '../../../models/iam/generated/errors.js';
import { assertIamAllowed } from '../iam-authorization.js';
import { rootArn, uniqueId, userArn } from '../identifiers.js';
import { page } from '../paging.js';
import type { UserRecord } from '../records.js';
import type { IdentityCall, IdentityDeps } from '../service.js';
import { mergeTags, removeTags, tagsFromWire, tagsToWire, type WireTag } from '../tags.js';
import { sayIam } from '../messages.js';

export function userResource(accountId: string, user: { path?: string | undefined; userName: string }): string {
  return userArn(accountId, user.path ?? '/', user.userName);
}

export function userOutput(user: UserRecord, withTags = true): Record<string, unknown> {
  return {
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: user.arn,
    CreateDate: new Date(user.createDate),
    ...(withTags && user.tags.length > 0 ? { Tags: tagsToWire(user.tags) } : {}),
  };
}

/** The user, or NoSuchEntity with IAM's message. */
export async function existingUser(deps: IdentityDeps, accountId: string, userName: string): Promise<UserRecord> {
  const user = await deps.store.getUser(accountId, userName);
  /* Precondition: the user exists. */
  needs(user !== undefined, () => sayIam('noSuchUser', { name: userName }), NoSuchEntityException);
  return user;
}

/**
 * The user an operation without UserName acts on: the calling IAM user. A role session must name
 * the user; the account root's own keys are managed outside this API.
 */
export function impliedUserName(call: IdentityCall<{ UserName?: string }>): string {
  if (call.input.UserName !== undefined) return call.input.UserName;
  const { principal } = call.ctx;
  /* Precondition: only an IAM user may leave out UserName. */
  needs(principal.type === 'IAMUser' && principal.userName !== undefined, sayIam('userNameRequired'), ValidationError);
  return principal.userName;
}

export async function createUser(call: IdentityCall<{ UserName: string; Path?: string; PermissionsBoundary?: string; Tags?: WireTag[] }>) {
  const { deps, ctx, input } = call;
  const accountId = ctx.principal.accountId;
  const path = input.Path ?? '/';
  const now = deps.clock.now();
  await assertIamAllowed(deps.directory, ctx, now, 'iam:CreateUser', userArn(accountId, path, input.UserName));
  /* Precondition: permissions boundaries are not supported. */
  needs(input.PermissionsBoundary === undefined, sayIam('permissionsBoundaryNotSupported'), ValidationError);
  const tags = mergeTags([], tagsFromWire(input.Tags));
  const user: UserRecord = {
    accountId, userName: input.UserName, path, userId: uniqueId('AIDA', deps.ids.hex64()), arn: userArn(accountId, path, input.UserName),
    createDate: now.getTime(), tags, revision: 0,
  };
  await deps.store.createUser(user);
  return { User: userOutput(user) };
}

export async function getUser(call: IdentityCall<{ UserName?: string }>) {
  const { deps, ctx } = call;
  const { principal } = ctx;
  if (call.input.UserName === undefined && principal.type === 'Root') {
    await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:GetUser', rootArn(principal.accountId));
    // The root user as IAM shows it: its account ID as the user ID, and no name.
    const created = await deps.store.accountCreateDate(principal.accountId);
    return { User: { UserId: principal.accountId, Arn: rootArn(principal.accountId), CreateDate: new Date(created ?? deps.clock.now().getTime()) } };
  }
  const userName = impliedUserName(call);
  const user = await deps.store.getUser(principal.accountId, userName);
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:GetUser', user?.arn ?? userResource(principal.accountId, { userName }));
  needs(user !== undefined, () => sayIam('noSuchUser', { name: userName }), NoSuchEntityException);
  return { User: userOutput(user) };
}

export async function listUsers(call: IdentityCall<{ PathPrefix?: string; Marker?: string; MaxItems?: number }>) {
  const { deps, ctx, input } = call;
  const accountId = ctx.principal.accountId;
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:ListUsers', `arn:aws:iam::${accountId}:user/`);
  const prefix = input.PathPrefix ?? '/';
  const users = (await deps.store.listUsers(accountId)).filter((user) => user.path.startsWith(prefix));
  const { items, ...paging } = page(users, (user) => user.userName.toLowerCase(), input);
  // ListUsers leaves out tags, as IAM does.
  return { Users: items.map((user) => userOutput(user, false)), ...paging };
}

export async function deleteUser(call: IdentityCall<{ UserName: string }>) {
  const { deps, ctx, input } = call;
  const user = await deps.store.getUser(ctx.principal.accountId, input.UserName);
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:DeleteUser', user?.arn ?? userResource(ctx.principal.accountId, { userName: input.UserName }));
  needs(user !== undefined, () => sayIam('noSuchUser', { name: input.UserName }), NoSuchEntityException);
  await deps.store.deleteUser(user.accountId, user.userName);
  return undefined;
}

export async function tagUser(call: IdentityCall<{ UserName: string; Tags: WireTag[] }>) {
  const { deps, ctx, input } = call;
  const user = await existingUser(deps, ctx.principal.accountId, input.UserName);
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:TagUser', user.arn);
  await deps.store.setUserTags(user, mergeTags(user.tags, tagsFromWire(input.Tags)));
  return undefined;
}

export async function untagUser(call: IdentityCall<{ UserName: string; TagKeys: string[] }>) {
  const { deps, ctx, input } = call;
  const user = await existingUser(deps, ctx.principal.accountId, input.UserName);
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:UntagUser', user.arn);
  await deps.store.setUserTags(user, removeTags(user.tags, input.TagKeys));
  return undefined;
}
