/** CreatePolicy, GetPolicy, GetPolicyVersion, ListPolicies, DeletePolicy (customer managed policies, one version each). */
import { needs } from '../../errors/service-error.js';
import { InvalidInputException, LimitExceededException, NoSuchEntityException } from '../../../models/iam/generated/errors.js';
import { assertIamAllowed } from '../iam-authorization.js';
import { parseIamArn, policyArn, uniqueId } from '../identifiers.js';
import { page } from '../paging.js';
import { POLICY_QUOTAS, checkIdentityPolicy, policySize } from '../policy-documents.js';
import type { ManagedPolicyRecord } from '../records.js';
import type { IdentityCall, IdentityDeps } from '../service.js';
import { mergeTags, tagsFromWire, tagsToWire, type WireTag } from '../tags.js';
import { sayIam } from '../messages.js';

export function policyOutput(policy: ManagedPolicyRecord, withTags = true): Record<string, unknown> {
  return {
    PolicyName: policy.policyName,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: policy.attachmentCount,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    ...(policy.description === undefined ? {} : { Description: policy.description }),
    CreateDate: new Date(policy.createDate),
    UpdateDate: new Date(policy.updateDate),
    ...(withTags && policy.tags.length > 0 ? { Tags: tagsToWire(policy.tags) } : {}),
  };
}

/** The customer managed policy an ARN names in the caller's account, or NoSuchEntity. */
export async function policyByArn(deps: IdentityDeps, accountId: string, arn: string): Promise<ManagedPolicyRecord> {
  const parsed = parseIamArn(arn);
  /* Precondition: the ARN names a policy. */
  needs(parsed?.kind === 'policy', () => sayIam('invalidPolicyArn', { arn }), InvalidInputException);
  const policy = parsed.accountId === accountId ? await deps.store.getManagedPolicy(accountId, parsed.name) : undefined;
  /* Precondition: the policy exists in the caller's account (AWS managed policies are not offered). */
  needs(policy !== undefined && policy.arn === arn, () => sayIam('noSuchManagedPolicy', { arn }), NoSuchEntityException);
  return policy;
}

export async function createPolicy(call: IdentityCall<{ PolicyName: string; Path?: string; PolicyDocument: string; Description?: string; Tags?: WireTag[] }>) {
  const { deps, ctx, input } = call;
  const accountId = ctx.principal.accountId;
  const path = input.Path ?? '/';
  const now = deps.clock.now();
  const arn = policyArn(accountId, path, input.PolicyName);
  await assertIamAllowed(deps.directory, ctx, now, 'iam:CreatePolicy', arn);
  const tags = mergeTags([], tagsFromWire(input.Tags));
  /* Precondition: a managed policy is at most 6,144 characters without white space. */
  needs(policySize(input.PolicyDocument) <= POLICY_QUOTAS.managed, () => sayIam('managedPolicySizeQuota', { quota: POLICY_QUOTAS.managed }), LimitExceededException);
  checkIdentityPolicy(input.PolicyDocument);
  const policy: ManagedPolicyRecord = {
    accountId, policyName: input.PolicyName, path, policyId: uniqueId('ANPA', deps.ids.hex64()), arn,
    ...(input.Description === undefined ? {} : { description: input.Description }),
    document: input.PolicyDocument, defaultVersionId: 'v1', createDate: now.getTime(), updateDate: now.getTime(), tags, attachmentCount: 0,
  };
  await deps.store.createManagedPolicy(policy);
  return { Policy: policyOutput(policy) };
}

export async function getPolicy(call: IdentityCall<{ PolicyArn: string }>) {
  const { deps, ctx, input } = call;
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:GetPolicy', input.PolicyArn);
  return { Policy: policyOutput(await policyByArn(deps, ctx.principal.accountId, input.PolicyArn)) };
}

export async function getPolicyVersion(call: IdentityCall<{ PolicyArn: string; VersionId: string }>) {
  const { deps, ctx, input } = call;
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:GetPolicyVersion', input.PolicyArn);
  const policy = await policyByArn(deps, ctx.principal.accountId, input.PolicyArn);
  /* Precondition: the version exists (this service keeps v1 only). */
  needs(input.VersionId === policy.defaultVersionId, () => sayIam('noSuchPolicyVersion', { arn: input.PolicyArn, versionId: input.VersionId }), NoSuchEntityException);
  return {
    PolicyVersion: { Document: encodeURIComponent(policy.document), VersionId: policy.defaultVersionId, IsDefaultVersion: true, CreateDate: new Date(policy.createDate) },
  };
}

export async function listPolicies(call: IdentityCall<{ Scope?: 'All' | 'AWS' | 'Local'; OnlyAttached?: boolean; PathPrefix?: string; Marker?: string; MaxItems?: number }>) {
  const { deps, ctx, input } = call;
  const accountId = ctx.principal.accountId;
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:ListPolicies', `arn:aws:iam::${accountId}:policy/`);
  const prefix = input.PathPrefix ?? '/';
  // No AWS managed policies exist here: Scope AWS lists none.
  const policies = input.Scope === 'AWS' ? [] : (await deps.store.listManagedPolicies(accountId))
    .filter((policy) => policy.path.startsWith(prefix) && (input.OnlyAttached !== true || policy.attachmentCount > 0));
  const { items, ...paging } = page(policies, (policy) => policy.policyName.toLowerCase(), input);
  return { Policies: items.map((policy) => policyOutput(policy, false)), ...paging };
}

export async function deletePolicy(call: IdentityCall<{ PolicyArn: string }>) {
  const { deps, ctx, input } = call;
  await assertIamAllowed(deps.directory, ctx, deps.clock.now(), 'iam:DeletePolicy', input.PolicyArn);
  const policy = await policyByArn(deps, ctx.principal.accountId, input.PolicyArn);
  await deps.store.deleteManagedPolicy(policy.accountId, policy.policyName);
  return undefined;
}
