/** CreateRole, GetRole, ListRoles, DeleteRole, TagRole, UntagRole. */
import { needs } from '../../errors/service-error.js';
import { NoSuchEntityException, ValidationError } from '../../../models/iam/generated/errors.js';
import { assertIamAllowed } from '../iam-authorization.js';
import { roleArn, uniqueId } from '../identifiers.js';
import { page } from '../paging.js';
import { checkTrustPolicy } from '../policy-documents.js';
import type { RoleRecord } from '../records.js';
import type { IdentityCall, IdentityDeps } from '../service.js';
import { mergeTags, removeTags, tagsFromWire, tagsToWire, type WireTag } from '../tags.js';
import { sayIam } from '../messages.js';

const DEFAULT_MAX_SESSION_SECONDS = 3600;

export function roleOutput(role: RoleRecord, withTags = true): Record<string, unknown> {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: new Date(role.createDate),
    // IAM returns policy documents URL-encoded; the CLI and boto3 decode them.
    AssumeRolePolicyDocument: encodeURIComponent(role.assumeRolePolicyDocument),
    ...(role.description === undefined ? {} : { Description: role.description }),
    MaxSessionDuration: role.maxSessionDuration,
    ...(withTags && role.tags.length > 0 ? { Tags: tagsToWire(role.tags) } : {}),
  };
}

export async function existingRole(deps: IdentityDeps, accountId: string, roleName: string): Promise<RoleRecord> {
  const role = await deps.store.getRole(accountId, roleName);
  /* Precondition: the role exists. */
  needs(role !== undefined, () => sayIam('noSuchRole', { name: roleName }), NoSuchEntityException);
  return role;
}

export async function createRole(call: IdentityCall<{
  RoleName: string; Path?: string; AssumeRolePolicyDocument: string; Description?: string; MaxSessionDuration?: number;
  PermissionsBoundary?: string; Tags?: WireTag[];
}>) {
  const { deps, ctx, input } = call;
  const accountId = ctx.principal.accountId;
  const path = input.Path ?? '/';
  const now = deps.clock.now();
  await assertIamAllowed(deps.directory, ctx, now, 'iam:CreateRole', roleArn(accountId, path, input.RoleName));
  needs(input.PermissionsBoundary === undefined, sayIam('permissionsBoundaryNotSupported'), ValidationError);
  const tags = mergeTags([], tagsFromWire(input.Tags));
  await checkTrustPolicy(input.AssumeRolePolicyDocument, (arn) => deps.directory.principalExists(arn));
  const role: RoleRecord = {
    accountId, roleName: input.RoleName, path, roleId: uniqueId('AROA', deps.ids.hex64()), arn: roleArn(accountId, path, input.RoleName),
    createDate: now.getTime(), assumeRolePolicyDocument: input.AssumeRolePolicyDocument,
    ...(input.Description === undefined ? {} : { description: input.Description }),
    maxSessionDuration: input.MaxSessionDuration ?? DEFAULT_MAX_SESSION_SECONDS, tags, revision: 0,
  };
  await deps.store.createRole(role);
  return { Role: roleOutput(role) };
}

export async function getRole(call: IdentityCall<{ RoleName: string }>) {
  const { deps, ctx, input } = call;
  const role = await deps.store.getRole(ctx.principal.accountId, input.RoleName);
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:GetRole', role?.arn ?? roleArn(ctx.principal.accountId, '/', input.RoleName));
  needs(role !== undefined, () => sayIam('noSuchRole', { name: input.RoleName }), NoSuchEntityException);
  return { Role: roleOutput(role) };
}

export async function listRoles(call: IdentityCall<{ PathPrefix?: string; Marker?: string; MaxItems?: number }>) {
  const { deps, ctx, input } = call;
  const accountId = ctx.principal.accountId;
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:ListRoles', `arn:aws:iam::${accountId}:role/`);
  const prefix = input.PathPrefix ?? '/';
  const roles = (await deps.store.listRoles(accountId)).filter((role) => role.path.startsWith(prefix));
  const { items, ...paging } = page(roles, (role) => role.roleName.toLowerCase(), input);
  return { Roles: items.map((role) => roleOutput(role, false)), ...paging };
}

export async function deleteRole(call: IdentityCall<{ RoleName: string }>) {
  const { deps, ctx, input } = call;
  const role = await deps.store.getRole(ctx.principal.accountId, input.RoleName);
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:DeleteRole', role?.arn ?? roleArn(ctx.principal.accountId, '/', input.RoleName));
  needs(role !== undefined, () => sayIam('noSuchRole', { name: input.RoleName }), NoSuchEntityException);
  await deps.store.deleteRole(role.accountId, role.roleName);
  return undefined;
}

export async function tagRole(call: IdentityCall<{ RoleName: string; Tags: WireTag[] }>) {
  const { deps, ctx, input } = call;
  const role = await existingRole(deps, ctx.principal.accountId, input.RoleName);
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:TagRole', role.arn);
  await deps.store.setRoleTags(role, mergeTags(role.tags, tagsFromWire(input.Tags)));
  return undefined;
}

export async function untagRole(call: IdentityCall<{ RoleName: string; TagKeys: string[] }>) {
  const { deps, ctx, input } = call;
  const role = await existingRole(deps, ctx.principal.accountId, input.RoleName);
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:UntagRole', role.arn);
  await deps.store.setRoleTags(role, removeTags(role.tags, input.TagKeys));
  return undefined;
}
