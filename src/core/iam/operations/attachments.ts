/** Attach/DetachUserPolicy, Attach/DetachRolePolicy, ListAttachedUserPolicies, ListAttachedRolePolicies. */
import { assertIamAllowed } from '../iam-authorization.js';
import { page } from '../paging.js';
import type { PolicyOwner } from '../records.js';
import type { IdentityCall } from '../service.js';
import { policyByArn } from './managed-policies.js';
import { existingRole } from './roles.js';
import { existingUser } from './users.js';

type Kind = PolicyOwner['kind'];
const NOUN: Readonly<Record<Kind, string>> = { user: 'User', role: 'Role' };
type OwnerInput = { UserName?: string; RoleName?: string };

async function ownerOf(call: IdentityCall<OwnerInput>, kind: Kind): Promise<{ owner: PolicyOwner; arn: string }> {
  const { deps, ctx, input } = call;
  const accountId = ctx.principal.accountId;
  const record = kind === 'user' ? await existingUser(deps, accountId, input.UserName ?? '') : await existingRole(deps, accountId, input.RoleName ?? '');
  const name = kind === 'user' ? input.UserName ?? '' : input.RoleName ?? '';
  return { owner: { accountId, kind, name }, arn: record.arn };
}

export function attachPolicy(kind: Kind) {
  return async (call: IdentityCall<OwnerInput & { PolicyArn: string }>) => {
    const { deps, ctx, input } = call;
    const { owner, arn } = await ownerOf(call, kind);
    await assertIamAllowed(deps.directory, ctx, deps.clock.now(), `iam:Attach${NOUN[kind]}Policy`, arn);
    await deps.store.attachPolicy(owner, await policyByArn(deps, owner.accountId, input.PolicyArn));
    return undefined;
  };
}

export function detachPolicy(kind: Kind) {
  return async (call: IdentityCall<OwnerInput & { PolicyArn: string }>) => {
    const { deps, ctx, input } = call;
    const { owner, arn } = await ownerOf(call, kind);
    await assertIamAllowed(deps.directory, ctx, deps.clock.now(), `iam:Detach${NOUN[kind]}Policy`, arn);
    await deps.store.detachPolicy(owner, await policyByArn(deps, owner.accountId, input.PolicyArn));
    return undefined;
  };
}

export function listAttachedPolicies(kind: Kind) {
  return async (call: IdentityCall<OwnerInput & { PathPrefix?: string; Marker?: string; MaxItems?: number }>) => {
    const { deps, ctx, input } = call;
    const { owner, arn } = await ownerOf(call, kind);
    await assertIamAllowed(deps.directory, ctx, deps.clock.now(), `iam:ListAttached${NOUN[kind]}Policies`, arn);
    const prefix = input.PathPrefix ?? '/';
    const attached = (await deps.store.listAttachedPolicies(owner)).filter((attachment) => attachment.policyArn.split(':policy')[1]?.startsWith(prefix) === true);
    const { items, ...paging } = page(attached, (attachment) => attachment.policyArn, input);
    return { AttachedPolicies: items.map((attachment) => ({ PolicyName: attachment.policyName, PolicyArn: attachment.policyArn })), ...paging };
  };
}
