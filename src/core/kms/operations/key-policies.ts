/**
 * PutKeyPolicy, GetKeyPolicy and ListKeyPolicies. A key has one key policy, named `default`; it is
 * stored with the key record, so a new policy is a metadata write that bumps the key's revision
 * (and with it the compiled policy the authorizer caches). The model has no GetKeyPolicies.
 */
import { NotFoundException } from '../../../models/kms/generated/errors.js';
import type { OperationHandler } from '../service.js';
import { resolveKey } from '../keys/resolve-key.js';
import { needs } from '../../errors/service-error.js';
import { saveKey } from './key-management.js';
import { say } from '../messages.js';

/** The only key policy name there is. */
export const DEFAULT_POLICY_NAME = 'default';

function assertDefaultPolicyName(name: string | undefined): void {
  /* Precondition: the only key policy name is default. */
  needs(name === undefined || name === DEFAULT_POLICY_NAME, say('noSuchPolicy'), NotFoundException);
}

export const putKeyPolicy: OperationHandler<'PutKeyPolicy'> = async (call) => {
  const { input } = call;
  const key = await resolveKey(call, input.KeyId, { allowAliases: false, rule: 'PutKeyPolicy', action: 'kms:PutKeyPolicy' });
  assertDefaultPolicyName(input.PolicyName);
  await call.deps.access.checkNewKeyPolicy(call, {
    text: input.Policy, keyArn: key.arn, bypassLockoutCheck: input.BypassPolicyLockoutSafetyCheck === true,
  });
  await saveKey(call, key, { ...key, policy: input.Policy });
  return {};
};

export const getKeyPolicy: OperationHandler<'GetKeyPolicy'> = async (call) => {
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'GetKeyPolicy', action: 'kms:GetKeyPolicy' });
  assertDefaultPolicyName(call.input.PolicyName);
  return { Policy: key.policy, PolicyName: DEFAULT_POLICY_NAME };
};

export const listKeyPolicies: OperationHandler<'ListKeyPolicies'> = async (call) => {
  await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'ListKeyPolicies', action: 'kms:ListKeyPolicies' });
  return { PolicyNames: [DEFAULT_POLICY_NAME], Truncated: false };
};

export const keyPolicyOperations = {
  PutKeyPolicy: putKeyPolicy,
  GetKeyPolicy: getKeyPolicy,
  ListKeyPolicies: listKeyPolicies,
} as const;
