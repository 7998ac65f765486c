/** Put/Get/List/DeleteUserPolicy and Put/Get/List/DeleteRolePolicy. */
import { needs } from '../../errors/service-error.js';
import { LimitExceededException, NoSuchEntityException } from '../../../models/iam/generated/errors.js';
import { assertIamAllowed } from '../iam-authorization.js';
import { page } from '../paging.js';
import { POLICY_QUOTAS, checkIdentityPolicy, policySize } from '../policy-documents.js';
import type { PolicyOwner } from '../records.js';
import type { IdentityCall, IdentityDeps } from '../service.js';
import { existingRole } from './roles.js';
import { existingUser } from './users.js';
import { sayIam } from '../messages.js';

type Kind = PolicyOwner['kind'];
const ACTION_NOUN: Readonly<Record<Kind, string>> = { user: 'User', role: 'Role' };

async function ownerAndArn(deps: IdentityDeps, accountId: string, kind: Kind, name: string): Promise<{ owner: PolicyOwner; arn: string }> {
  const record = kind === 'user' ? await existingUser(deps, accountId, name) : await existingRole(deps, accountId, name);
  return { owner: { accountId, kind, name }, arn: record.arn };
}

function nameOf(kind: Kind, input: { UserName?: string; RoleName?: string }): string {
  return (kind === 'user' ? input.UserName : input.RoleName) ?? '';
}

export function putPolicy(kind: Kind) {
  return async (call: IdentityCall<{ UserName?: string; RoleName?: string; PolicyName: string; PolicyDocument: string }>) => {
    const { deps, ctx, input } = call;
    const { owner, arn } = await ownerAndArn(deps, ctx.principal.accountId, kind, nameOf(kind, input));
    await assertIamAllowed(deps.directory, ctx, deps.clock.now(), `iam:Put${ACTION_NOUN[kind]}Policy`, arn);
    checkIdentityPolicy(input.PolicyDocument);
    const others = (await deps.store.listInlinePolicies(owner)).filter((policy) => policy.policyName !== input.PolicyName);
    const total = others.reduce((sum, policy) => sum + policySize(policy.document), policySize(input.PolicyDocument));
    const quota = kind === 'user' ? POLICY_QUOTAS.userInline : POLICY_QUOTAS.roleInline;
    /* Precondition: a user's (role's) inline policies together stay within 2,048 (10,240) characters without white space. */
    needs(total <= quota, () => sayIam('inlinePolicyQuota', { quota, kind, name: owner.name }), LimitExceededException);
    await deps.store.putInlinePolicy({ owner, policyName: input.PolicyName, document: input.PolicyDocument, revision: deps.ids.uuid() });
    return undefined;
  };
}

export function getPolicy(kind: Kind) {
  return async (call: IdentityCall<{ UserName?: string; RoleName?: string; PolicyName: string }>) => {
    const { deps, ctx, input } = call;
    const { owner, arn } = await ownerAndArn(deps, ctx.principal.accountId, kind, nameOf(kind, input));
    await assertIamAllowed(deps.directory, ctx, deps.clock.now(), `iam:Get${ACTION_NOUN[kind]}Policy`, arn);
    const policy = await deps.store.getInlinePolicy(owner, input.PolicyName);
    needs(policy !== undefined, () => sayIam('noSuchInlinePolicy', { kind, name: input.PolicyName }), NoSuchEntityException);
    return {
      [`${ACTION_NOUN[kind]}Name`]: nameOf(kind, input),
      PolicyName: policy.policyName,
      PolicyDocument: encodeURIComponent(policy.document),
    };
  };
}

export function listPolicies(kind: Kind) {
  return async (call: IdentityCall<{ UserName?: string; RoleName?: string; Marker?: string; MaxItems?: number }>) => {
    const { deps, ctx, input } = call;
    const { owner, arn } = await ownerAndArn(deps, ctx.principal.accountId, kind, nameOf(kind, input));
    await assertIamAllowed(deps.directory, ctx, deps.clock.now(), `iam:List${ACTION_NOUN[kind]}Policies`, arn);
    const { items, ...paging } = page(await deps.store.listInlinePolicies(owner), (policy) => policy.policyName, input);
    return { PolicyNames: items.map((policy) => policy.policyName), ...paging };
  };
}

export function deletePolicy(kind: Kind) {
  return async (call: IdentityCall<{ UserName?: string; RoleName?: string; PolicyName: string }>) => {
    const { deps, ctx, input } = call;
    const { owner, arn } = await ownerAndArn(deps, ctx.principal.accountId, kind, nameOf(kind, input));
    await assertIamAllowed(deps.directory, ctx, deps.clock.now(), `iam:Delete${ACTION_NOUN[kind]}Policy`, arn);
    await deps.store.deleteInlinePolicy(owner, input.PolicyName);
    return undefined;
  };
}
